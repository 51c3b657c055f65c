"""``add``: a file becomes a source (raw object, text object, record, custody event)."""

from __future__ import annotations

import getpass
import json
import os
import stat
import struct
import tracemalloc
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from evidence.case import Case
from evidence.digest import digest_bytes
from evidence.errors import EvidenceError, InputError, UsageError
from evidence.ingest.add import add_source, add_sources
from evidence.model import SourceBody
from evidence.schema import is_valid
from evidence.store import record_slice
from evidence.verify import verify_case
from tests.conftest import FIXED_NOW

CORE = Path(__file__).parents[2] / "data" / "core"


def _files(case: Case) -> dict[str, bytes]:
    """Every file of the case folder but the lock, by relative path."""
    return {
        str(p.relative_to(case.root)): p.read_bytes()
        for p in sorted(case.root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def _body(case: Case, record_id: str = "SRC-0001", revision: int = 1) -> SourceBody:
    from evidence.model import Record

    data = record_slice(case.records.read(record_id, revision))
    assert data is not None
    body = Record.from_dict(json.loads(data)).body
    assert isinstance(body, SourceBody)
    return body


def _put(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_the_seed_article_becomes_a_source(new_case: Case, seed_article: Path) -> None:
    raw = seed_article.read_bytes()
    added = add_source(
        new_case,
        seed_article,
        actor="Olena (analyst)",
        now=FIXED_NOW,
        overrides={
            "publisher": "Censor.NET",
            "language": "en",
            "url": "https://censor.net/en/news/example",
        },
    )
    assert (added.record.id, added.record.revision, added.existed) == ("SRC-0001", 1, False)
    assert added.ern == "TST-0001"
    body = _body(new_case)
    assert body == added.record.body
    assert body.publisher == "Censor.NET"
    assert body.language == "en"
    assert body.url == "https://censor.net/en/news/example"
    assert body.published == "2024-07-08"  # from the leading date token
    assert body.captured_at == "2026-11-29T10:12:03.123456Z"
    # The seed opens with its lead paragraph, not a headline: the file name, and a warning.
    assert body.title == seed_article.name
    assert any("--title" in w for w in added.warnings)
    assert body.authors == ()
    assert body.media_type == "text/plain"
    assert body.capture.collector == "Olena (analyst)"
    assert body.capture.tool.startswith("evidence ")
    assert body.capture.method == "manual-file"
    # The raw bytes, stored once, read-only, named by their BLAKE3 digest.
    pair = digest_bytes(raw)
    assert (body.object.blake3, body.object.sha256, body.object.size) == (
        pair.blake3,
        pair.sha256,
        len(raw),
    )
    assert body.object.filename == seed_article.name
    raw_path = new_case.objects.path(pair.blake3)
    assert raw_path.read_bytes() == raw
    assert stat.S_IMODE(raw_path.stat().st_mode) == 0o444
    # The normalised text: a second object, length in code points.
    assert body.text is not None
    text = new_case.objects.read(body.text.blake3).decode("utf-8")
    assert digest_bytes(text.encode()).sha256 == body.text.sha256
    assert len(text) == body.text.length
    assert text.startswith("Defence Minister")
    assert "\r" not in text
    # The record is valid, and the custody log names it.
    record_file = new_case.records.read("SRC-0001", 1)
    assert is_valid("record", json.loads(record_file))
    last = json.loads(new_case.custody.path.read_bytes().splitlines()[-1])
    assert last["action"] == "collected"
    assert last["subject"] == {
        "id": "SRC-0001",
        "revision": 1,
        "blake3": digest_bytes(record_slice(record_file) or b"").blake3,
    }
    assert verify_case(new_case.root).ok


def test_collector_from_environment_then_os_user(
    new_case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_ACTOR", "  Mykola  ")
    first = add_source(new_case, _put(tmp_path, "a.txt", b"First text."), now=FIXED_NOW)
    monkeypatch.delenv("EVIDENCE_ACTOR")
    second = add_source(new_case, _put(tmp_path, "b.txt", b"Second text."), now=FIXED_NOW)
    assert first.record.body.capture.collector == "Mykola"  # type: ignore[union-attr]
    assert first.record.created_by == "Mykola"
    assert second.record.body.capture.collector == getpass.getuser()  # type: ignore[union-attr]


def test_command_line_values_beat_front_matter(new_case: Case) -> None:
    overrides = {
        "title": "Title given by the analyst",
        "url": "https://example.org/b",
        "publisher": "Another outlet",
        "authors": ["A. Analyst"],
        "published": "2024-07-11T09:30:00+03:00",
        "language": "uk",
    }
    add_source(new_case, CORE / "article_front_matter.md", overrides=overrides, now=FIXED_NOW)
    body = _body(new_case)
    assert body.title == "Title given by the analyst"
    assert body.url == "https://example.org/b"
    assert body.publisher == "Another outlet"
    assert body.authors == ("A. Analyst",)
    assert body.published == "2024-07-11T06:30:00Z"  # RFC 3339, UTC
    assert body.language == "uk"
    assert body.media_type == "text/markdown"


def test_front_matter_fills_the_record(new_case: Case) -> None:
    add_source(new_case, CORE / "article_front_matter.md", now=FIXED_NOW)
    body = _body(new_case)
    assert body.title == "Hospital repairs begin in Kyiv"
    assert body.authors == ("Olena Tkachenko", "Mark Ivanenko")
    assert body.published == "2024-07-10"
    assert body.language == "en"
    assert body.text is not None
    text = new_case.objects.read(body.text.blake3).decode()
    assert text.startswith("Repair crews began work")
    assert "publisher:" not in text
    assert "took the YAML front matter out of the text into the record" in (
        body.capture.transformations
    )


def test_bom_crlf_nfd_are_normalised_and_recorded(new_case: Case) -> None:
    add_source(new_case, CORE / "article_bom_crlf_nfd.txt", now=FIXED_NOW)
    body = _body(new_case)
    assert body.text is not None
    text = new_case.objects.read(body.text.blake3).decode()
    assert text.startswith("Caf\u00e9 owners in Podil")
    assert "\r" not in text
    assert body.published == "2024-07-09"
    assert body.capture.transformations[0] == "removed the UTF-8 byte order mark"
    assert (
        new_case.objects.read(body.object.blake3)
        == (CORE / "article_bom_crlf_nfd.txt").read_bytes()
    )


def test_invalid_utf8_is_refused_and_nothing_is_written(new_case: Case) -> None:
    before = _files(new_case)
    with pytest.raises(InputError) as info:
        add_source(new_case, CORE / "article_cp1251.txt", now=FIXED_NOW)
    assert "not valid utf-8 at byte 0 (line 1)" in str(info.value)
    assert str(CORE / "article_cp1251.txt") in str(info.value)
    assert "--encoding" in info.value.diagnostics()
    assert _files(new_case) == before


def test_encoding_option_decodes_and_is_recorded(new_case: Case) -> None:
    add_source(new_case, CORE / "article_cp1251.txt", encoding="windows-1251", now=FIXED_NOW)
    body = _body(new_case)
    assert body.text is not None
    assert new_case.objects.read(body.text.blake3).decode().startswith("Київ, 9 липня.")
    assert "decoded from cp1251" in body.capture.transformations
    # The raw object keeps the bytes as they were, not the decoded text.
    assert new_case.objects.read(body.object.blake3) == (CORE / "article_cp1251.txt").read_bytes()


def test_unknown_encoding_is_an_input_error(new_case: Case) -> None:
    before = _files(new_case)
    with pytest.raises(InputError, match="klingon-8"):
        add_source(new_case, CORE / "article_cp1251.txt", encoding="klingon-8", now=FIXED_NOW)
    assert _files(new_case) == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "the file is empty"),
        ("folder", "is a directory"),
        ("missing.txt", "no such file"),
        ("blank.txt", "the file has no text"),
    ],
    ids=["empty", "directory", "missing", "only-whitespace"],
)
def test_files_that_cannot_be_sources(
    new_case: Case, tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    (tmp_path / "blank.txt").write_bytes(b" \n\n\t")
    before = _files(new_case)
    with pytest.raises(InputError, match=message) as info:
        add_source(new_case, tmp_path / name, now=FIXED_NOW)
    assert info.value.path == str(tmp_path / name)
    assert _files(new_case) == before


def test_a_refused_file_leaves_no_new_folder(new_case: Case, tmp_path: Path) -> None:
    """Nothing written means no empty objects/xx/ folders either."""
    folders = sorted(p for p in new_case.root.rglob("*") if p.is_dir())
    bad = _put(tmp_path, "bad-date.md", b"---\npublished: 2024-02-30\n---\nText here.\n")
    with pytest.raises(EvidenceError):
        add_source(new_case, bad, now=FIXED_NOW)
    assert sorted(p for p in new_case.root.rglob("*") if p.is_dir()) == folders


@pytest.mark.parametrize(
    "data",
    [b"---\npublished: 2024-02-30\n---\nText here.\n", b"date 2024-13-45 Text here.\n"],
    ids=["front-matter", "date-token"],
)
def test_an_impossible_date_names_the_file(new_case: Case, tmp_path: Path, data: bytes) -> None:
    bad = _put(tmp_path, "article.md", data)
    with pytest.raises(InputError) as info:
        add_source(new_case, bad, now=FIXED_NOW)
    assert "not a real calendar date" in str(info.value)
    assert str(bad) in str(info.value), "the error must say which file"


def test_a_bad_published_option_names_the_option(new_case: Case, tmp_path: Path) -> None:
    article = _put(tmp_path, "a.txt", b"Text.")
    with pytest.raises(UsageError, match="--published 'last Tuesday'"):
        add_source(new_case, article, overrides={"published": "last Tuesday"}, now=FIXED_NOW)


def test_one_bad_file_and_nothing_of_the_call_is_named(new_case: Case, tmp_path: Path) -> None:
    good = _put(tmp_path, "good.txt", b"date 2024-07-08 A good article.\n")
    custody = new_case.custody.path.read_bytes()
    with pytest.raises(InputError):
        add_sources(new_case, [good, CORE / "article_cp1251.txt"], now=FIXED_NOW)
    assert new_case.custody.path.read_bytes() == custody
    assert list(new_case.records.root.iterdir()) == []


# -- files that are not text ----------------------------------------------------------------


def _png() -> bytes:
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x10\x20\x30"))
        + chunk(b"IEND", b"")
    )


def _mp4() -> bytes:
    return (
        struct.pack(">I", 24)
        + b"ftypisom"
        + struct.pack(">I", 512)
        + b"isomiso2"
        + struct.pack(">I", 4096 + 8)
        + b"mdat"
        + bytes(range(256)) * 16
    )


def _blank_pdf(path: Path) -> bytes:
    """A one-page PDF with no text layer (as a scan would be), made with reportlab."""
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 200, 200, fill=1)
    pdf.showPage()
    pdf.save()
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("photo.txt", "image/png"), ("clip.bin", "video/mp4"), ("scan.dat", "application/pdf")],
    ids=["png", "mp4", "pdf"],
)
def test_non_text_file_is_a_source_without_text(
    new_case: Case, tmp_path: Path, name: str, media_type: str
) -> None:
    if media_type == "application/pdf":
        data = _blank_pdf(tmp_path / name)
    else:
        data = _put(tmp_path, name, _png() if media_type == "image/png" else _mp4()).read_bytes()
    added = add_source(new_case, tmp_path / name, now=FIXED_NOW)
    body = _body(new_case)
    assert body.media_type == media_type  # from the bytes, whatever the name says
    assert body.text is None
    assert body.object.size == len(data)
    assert body.object.filename == name
    assert body.title == name
    assert [p.name for p in new_case.objects.iter_paths()] == [digest_bytes(data).blake3]
    assert new_case.objects.read(body.object.blake3) == data
    assert not added.existed
    assert verify_case(new_case.root).ok


def test_same_bytes_twice_is_the_same_source(new_case: Case, tmp_path: Path) -> None:
    first = add_source(new_case, CORE / "article_front_matter.md", now=FIXED_NOW)
    files = _files(new_case)
    copy = _put(tmp_path, "renamed-copy.md", (CORE / "article_front_matter.md").read_bytes())
    again = add_source(new_case, copy, overrides={"title": "A different title"}, now=FIXED_NOW)
    assert again.existed
    assert again.record == first.record
    assert again.ern == first.ern
    assert _files(new_case) == files  # no second record, no custody event
    png = _put(tmp_path, "a.png", _png())
    twice = add_sources(new_case, [png, png], now=FIXED_NOW)
    assert [r.existed for r in twice] == [False, True]
    assert twice[0].record.id == twice[1].record.id == "SRC-0002"
    assert sorted(new_case.records.names()) == ["SRC-0001.1.json", "SRC-0002.1.json"]


def test_numbers_and_exhibits_follow_the_order_of_entry(new_case: Case, tmp_path: Path) -> None:
    paths = [_put(tmp_path, f"{n}.txt", f"Article number {n}.".encode()) for n in range(3)]
    results = add_sources(new_case, paths, now=FIXED_NOW)
    assert [r.record.id for r in results] == ["SRC-0001", "SRC-0002", "SRC-0003"]
    assert [r.ern for r in results] == ["TST-0001", "TST-0002", "TST-0003"]
    later = add_source(new_case, _put(tmp_path, "later.txt", b"Later."), now=FIXED_NOW)
    assert (later.record.id, later.ern) == ("SRC-0004", "TST-0004")


def test_a_large_file_streams_with_bounded_memory(new_case: Case, tmp_path: Path) -> None:
    size = 48 * 1024 * 1024
    video = tmp_path / "large.mp4"
    with video.open("wb") as fh:
        fh.write(_mp4()[:32])
        block = os.urandom(1024 * 1024)
        while fh.tell() < size:
            fh.write(block)
    tracemalloc.start()
    try:
        add_source(new_case, video, now=FIXED_NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    body = _body(new_case)
    assert body.object.size == video.stat().st_size
    assert body.object.sha256 == digest_bytes(video.read_bytes()).sha256
    assert peak < size // 4, f"peak {peak / 2**20:.1f} MiB for a {size / 2**20:.0f} MiB file"


_PAGE = (
    "pixel\nП’ятниця, 16 Січня, 2026, 14:31:23\nКиїв +3°C, хмарно\n"  # noqa: RUF001
    "Понад 40 ракет: наслідки атаки на Київ\n08.07.2024, 15:20\n"
    "Вранці 8 липня росія атакувала Київ, випустивши понад 40 ракет.\n"
)


@pytest.mark.parametrize(
    ("text", "title", "warned"),
    [
        (_PAGE, "Понад 40 ракет: наслідки атаки на Київ", False),  # furniture above it skipped
        (
            "Kyiv hospital hit in daytime strike\n\nA missile hit the hospital.\n",
            "Kyiv hospital hit in daytime strike",
            False,
        ),
        (
            "adsbygoogle\nRussia launched more than 40 missiles at Ukraine on the morning of "
            "8 July, hitting a children's hospital in Kyiv.\nHospital damaged in Kyiv strike\n",
            "page.txt",
            True,
        ),  # a subheading below the first paragraph is not the title
    ],
    ids=["furniture-first", "headline-first", "no-headline"],
)
def test_the_title_of_a_plain_text_is_a_line_that_reads_as_a_headline(
    new_case: Case, tmp_path: Path, text: str, title: str, warned: bool
) -> None:
    added = add_source(new_case, _put(tmp_path, "page.txt", text.encode()), now=FIXED_NOW)
    assert _body(new_case).title == title
    assert any("--title" in w for w in added.warnings) is warned
