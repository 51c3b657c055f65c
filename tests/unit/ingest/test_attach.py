"""Attachments: related files kept with a source, each its own object, with a role."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.cli import main
from evidence.digest import digest_bytes
from evidence.errors import InputError, UsageError
from evidence.ingest.add import add_source, add_sources
from evidence.ingest.attach import AttachSpec, parse_attach, role_for
from evidence.model import SourceBody
from evidence.verify import verify_case
from tests.support.http_server import pdf_bytes, png_bytes

WEB = Path(__file__).parents[2] / "data" / "web"
LEDGER = WEB / "ledger-2024-07-10-hospital-repairs.html"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "shot": tmp_path / "front page.png",
        "pdf": tmp_path / "page.pdf",
        "video": tmp_path / "clip.webm",
    }
    made["shot"].write_bytes(png_bytes())
    made["pdf"].write_bytes(pdf_bytes([["The page, printed to PDF by the analyst."]]))
    made["video"].write_bytes(b"\x1aE\xdf\xa3" + b"\x00" * 64)
    return made


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "screenshot=shots/a.png",
            AttachSpec(Path("shots/a.png"), "screenshot"),
            id="role-and-file",
        ),
        pytest.param(
            "page-pdf=a=b.pdf", AttachSpec(Path("a=b.pdf"), "page-pdf"), id="equals-in-file-name"
        ),
        pytest.param("shots/a.png", AttachSpec(Path("shots/a.png")), id="file-only"),
        pytest.param("C:=odd.png", AttachSpec(Path("C:=odd.png")), id="not-role-like"),
    ],
)
def test_parse_attach(value: str, expected: AttachSpec) -> None:
    assert parse_attach(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("shot=a.png", "unknown role 'shot'", id="unknown-role"),
        pytest.param("screenshot=", "no file after screenshot=", id="no-file"),
    ],
)
def test_parse_attach_refuses(value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_attach(value)


def test_a_file_named_like_a_role_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("shot=a.png").write_bytes(png_bytes())
    assert parse_attach("shot=a.png") == AttachSpec(Path("shot=a.png"))


@pytest.mark.parametrize(
    ("media_type", "role"),
    [
        ("image/png", "screenshot"),
        ("image/jpeg", "screenshot"),
        ("video/webm", "video"),
        ("audio/ogg", "audio"),
        ("application/pdf", "page-pdf"),
        ("text/html", "page-html"),
        ("application/warc", "archive"),
        ("application/wacz", "archive"),
        ("text/plain", "document"),
        ("application/octet-stream", "other"),
    ],
)
def test_role_for(media_type: str, role: str) -> None:
    assert role_for(media_type) == role


def test_attachments_are_stored_and_listed_with_their_roles(
    new_case: Case, files: dict[str, Path], now: dt.datetime
) -> None:
    specs = [
        AttachSpec(files["shot"]),
        AttachSpec(files["pdf"], "page-pdf"),
        AttachSpec(files["video"], "video"),
        AttachSpec(files["shot"], "screenshot"),
    ]
    added = add_source(new_case, LEDGER, attachments=specs, actor="analyst", now=now)
    body = added.record.body
    assert isinstance(body, SourceBody)
    listed = [(a.role, a.media_type, a.object.filename) for a in body.attachments]
    assert listed == [
        ("screenshot", "image/png", "front page.png"),
        ("page-pdf", "application/pdf", "page.pdf"),
        ("video", "video/webm", "clip.webm"),
    ]
    for item, key in zip(body.attachments, ("shot", "pdf", "video"), strict=True):
        data = files[key].read_bytes()
        assert item.object.blake3 == digest_bytes(data).blake3
        assert item.object.sha256 == digest_bytes(data).sha256
        assert new_case.objects.read(item.object.blake3) == data
    assert verify_case(new_case.root).ok


def test_a_text_article_takes_attachments_too(
    new_case: Case, seed_article: Path, files: dict[str, Path], now: dt.datetime
) -> None:
    added = add_source(
        new_case, seed_article, attachments=[AttachSpec(files["shot"])], actor="analyst", now=now
    )
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert [a.role for a in body.attachments] == ["screenshot"]


def test_a_source_without_attachments_keeps_its_record_shape(
    new_case: Case, seed_article: Path, now: dt.datetime
) -> None:
    added = add_source(new_case, seed_article, actor="analyst", now=now)
    assert "attachments" not in added.record.to_dict()["body"]


def test_a_missing_attachment_is_refused_before_anything_is_written(
    new_case: Case, tmp_path: Path, now: dt.datetime
) -> None:
    before = sorted(p.name for p in new_case.root.rglob("*"))
    with pytest.raises(InputError, match="no such file"):
        add_source(
            new_case,
            LEDGER,
            attachments=[AttachSpec(tmp_path / "nope.png")],
            actor="analyst",
            now=now,
        )
    assert sorted(p.name for p in new_case.root.rglob("*")) == before


def test_attachments_for_several_files_are_refused(
    new_case: Case, seed_article: Path, files: dict[str, Path]
) -> None:
    with pytest.raises(UsageError, match="describe one source"):
        add_sources(new_case, [LEDGER, seed_article], attachments=[AttachSpec(files["shot"])])


def test_attachments_for_an_existing_source_are_not_added_and_that_is_said(
    new_case: Case, files: dict[str, Path], now: dt.datetime
) -> None:
    add_source(new_case, LEDGER, actor="analyst", now=now)
    again = add_source(
        new_case, LEDGER, attachments=[AttachSpec(files["shot"])], actor="analyst", now=now
    )
    assert again.existed
    assert "the attachments were not added: SRC-0001 exists already" in again.warnings[0]


def test_cli_attach(
    new_case: Case, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "add",
            str(new_case.root),
            str(LEDGER),
            "--attach",
            f"screenshot={files['shot']}",
            "--attach",
            str(files["pdf"]),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "attached screenshot front page.png  image/png" in out
    assert "attached page-pdf   page.pdf  application/pdf" in out


def test_cli_unknown_role_is_exit_2(new_case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", str(new_case.root), str(LEDGER), "--attach", "selfie=x.png"]) == 2
    assert "unknown role 'selfie'" in capsys.readouterr().err
