"""The dossier as a reader sees it: its pages read back by PDF text extraction (pypdf),
its fonts, metadata and outline, and what rendering does to the case folder."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from evidence.case import Case
from evidence.errors import CaseError, UsageError, VerificationFailed
from evidence.ingest.add import add_source
from evidence.render import render_dossier
from evidence.render.bundle import collect_bundle
from evidence.render.covers import qr_payload
from evidence.render.dossier import scratch_dir
from evidence.store import record_slice
from tests.unit.render.cases import cyrillic_data
from tests.unit.render.conftest import TEMPLATES
from tests.unit.render.pdf import fonts, norm, outline_pages, page_texts, squeeze, tool


def _claims(case_dir: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted((case_dir / "records").glob("CLM-*.json")):
        out.append(json.loads(record_slice(path.read_bytes()) or b"{}"))
    return out


def _seal(case_dir: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((case_dir / "seals" / "0001.json").read_bytes())
    return doc


@pytest.mark.parametrize("name", TEMPLATES)
def test_pages_print_every_statement_digest_root_and_page_number(
    sealed_case: Path, demo_pdfs: dict[str, Path], name: str
) -> None:
    pages = page_texts(demo_pdfs[name])
    whole = norm(" ".join(pages))
    compact = squeeze(whole)
    for claim in _claims(sealed_case):
        statement = str(claim["body"]["statement"])
        assert norm(statement) in whole, statement
    for record in (sealed_case / "records").glob("SRC-*.json"):
        body = json.loads(record_slice(record.read_bytes()) or b"{}")["body"]
        assert body["object"]["sha256"] in compact
        assert body["object"]["blake3"] in compact
    root = _seal(sealed_case)["tree"]["root"]
    assert root in squeeze(pages[0])  # on the cover
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        flat = norm(text)
        assert f"Page {number} of {total}" in flat
        assert "EVD-DEMO-2024-001" in flat  # the submitter's reference, on every page
        assert "Public" in flat
        assert "29 November 2026" in flat or "29-11-2026" in flat  # the seal's date


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_number_only_an_institution_assigns(demo_pdfs: dict[str, Path], name: str) -> None:
    whole = norm(" ".join(page_texts(demo_pdfs[name])))
    assert not re.search(r"ICC-\d\d/\d\d-\d", whole)  # a filing number
    assert not re.search(r"\bA/HRC/", whole)  # a UN document symbol
    # the situation, as case.yaml words it; a UN document prints no ICC number at all
    assert ("ICC-01/22" in whole) == (name != "un-report")


@pytest.mark.parametrize(
    ("name", "marks"),
    [
        (
            "icc-otp",
            [
                "Original: English",
                "OFFICE OF THE PROSECUTOR",
                "SITUATION IN UKRAINE",
                "Source: Example Documentation Project",
                "I. INTRODUCTION",
                "Annex A",
                "Annex D",
            ],
        ),
        (
            "un-report",
            [
                "Distr.: General",
                "Original: English",
                "Summary",
                "I. Introduction",
                "Annex I",
                "Annex IV",
            ],
        ),
        (
            "transmittal",
            [
                "Our reference: EVD-DEMO-2024-001",
                "Dear Sir or Madam",
                "Annex 1",
                "Chain-of-custody forms",
                "Released by (name, signature)",
                "Hash tables",
                "How to verify the evidence",
            ],
        ),
    ],
    ids=["icc-otp", "un-report", "transmittal"],
)
def test_each_dress_has_its_marks(demo_pdfs: dict[str, Path], name: str, marks: list[str]) -> None:
    whole = norm(" ".join(page_texts(demo_pdfs[name])))
    for mark in marks:
        assert mark in whole, mark


def test_attributed_statements_stay_apart_from_verified_facts(
    cyrillic_pdfs: dict[str, Path],
) -> None:
    whole = norm(" ".join(page_texts(cyrillic_pdfs["icc-otp"])))
    verified = whole.index("Facts verified by the submitter")
    corroborated = whole.index("Statements corroborated by more than one source")
    reported = whole.index("Statements reported by the sources (attributed, not verified)")
    assert verified < corroborated < reported
    assert verified < whole.index(cyrillic_data()["verified"]) < corroborated
    assert "Russian forces carried out a massive missile strike on Kyiv." in whole[reported:]
    assert "Verified by the submitter" in whole
    assert "Contested" in whole


@pytest.mark.parametrize("name", TEMPLATES)
def test_cyrillic_text_comes_back_intact(cyrillic_pdfs: dict[str, Path], name: str) -> None:
    whole = norm(" ".join(page_texts(cyrillic_pdfs[name])))
    for text in cyrillic_data()["expect"]:
        assert text in whole, text


@pytest.mark.parametrize("name", TEMPLATES)
def test_hostile_strings_come_out_literally(hostile_pdfs: dict[str, Path], name: str) -> None:
    from tests.unit.render.cases import HOSTILE, LONG_WORD

    whole = norm(" ".join(page_texts(hostile_pdfs[name])))
    for text in HOSTILE:
        assert f"The page said {text} (item" in whole, text
    for text in (
        'Title with <font size="40">big</font> & <br/> markup',
        "Outlet <&>",
        "<i>Anonymous</i> & Co 0",
        "Case <b>title</b> & <br/> more",
        "Request <b>one</b> & two",
        "Text with <br/> and &amp;.",
    ):
        assert text in whole, text
    assert LONG_WORD in squeeze(whole)


def test_nothing_runs_off_the_page(hostile_pdfs: dict[str, Path]) -> None:
    """Very long words, URLs and digests are broken to fit (word boxes by pdftotext)."""
    if tool("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    for path in hostile_pdfs.values():
        width = float(PdfReader(path).pages[0].mediabox.width)
        xml = subprocess.run(
            ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
        right = max(float(x) for x in re.findall(r'xMax="([0-9.]+)"', xml))
        left = min(float(x) for x in re.findall(r'xMin="([0-9.]+)"', xml))
        assert left >= 25, (path.name, left)
        assert right <= width - 25, (path.name, right)


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_font_is_embedded(
    demo_pdfs: dict[str, Path], cyrillic_pdfs: dict[str, Path], name: str
) -> None:
    for path in (demo_pdfs[name], cyrillic_pdfs[name]):
        found = fonts(path)
        assert found
        assert all(found.values()), found
        assert all("Liberation" in font for font in found)
        if tool("pdffonts"):
            table = subprocess.run(
                ["pdffonts", str(path)], check=True, capture_output=True, text=True
            ).stdout.splitlines()[2:]
            assert table
            assert all(line.split()[-5:-3] == ["yes", "yes"] for line in table), table


def test_metadata_and_creation_date(sealed_case: Path, demo_pdfs: dict[str, Path]) -> None:
    reader = PdfReader(demo_pdfs["icc-otp"])
    info = reader.metadata
    assert info is not None
    seal = _seal(sealed_case)
    assert "Missile attack on Ukraine of 8 July 2024" in str(info.title)
    assert info.author == "Example Documentation Project (demonstration only)"
    assert seal["tree"]["root"] in str(info.subject)
    assert "UKR-OKH-2024" in str(info.get("/Keywords"))
    assert str(info.creator).startswith("evidence ")
    sealed_at = str(seal["sealed_at"])
    expected = "D:" + re.sub(r"[-T:]", "", sealed_at[:19])
    assert str(info.get("/CreationDate")).startswith(expected)
    assert info.get("/ModDate") == info.get("/CreationDate")


def test_outline_and_contents_agree_with_the_pages(demo_pdfs: dict[str, Path]) -> None:
    path = demo_pdfs["icc-otp"]
    pages = page_texts(path)
    outline = outline_pages(path)
    annex = next(page for title, page in outline.items() if title.startswith("Annex A"))
    assert norm(pages[annex - 1]).startswith("EVD-DEMO-2024-001")
    assert "Annex A Exhibit register" in norm(pages[annex - 1])
    contents = norm(pages[1])
    assert re.search(rf"Annex A: Exhibit register[ .]*{annex}\b", contents), contents
    for title, page in outline.items():
        assert 1 <= page <= len(pages), title


def test_each_footnote_is_on_the_page_of_its_statement(
    sealed_case: Path, demo_pdfs: dict[str, Path]
) -> None:
    pages = [norm(text) for text in page_texts(demo_pdfs["icc-otp"])]
    for claim in _claims(sealed_case):
        label = f"claim {claim['id']}.{claim['revision']}"
        pattern = re.compile(re.escape(label) + r"(?!\d)")
        note_pages = [i for i, text in enumerate(pages) if pattern.search(text)]
        assert len(note_pages) == 1, label
        ending = " ".join(str(claim["body"]["statement"]).split()[-3:])
        assert ending in pages[note_pages[0]], (label, ending)


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_same_seal_gives_the_same_bytes(
    sealed_case: Path, demo_pdfs: dict[str, Path], tmp_path: Path, name: str
) -> None:
    case = Case.open(sealed_case)
    first = render_dossier(case, template=name, output=tmp_path / "a.pdf", actor="x")
    second = render_dossier(case, template=name, output=tmp_path / "b.pdf", actor="y")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256 == second.sha256
    # the demo rendered it before, with other custody events since: the same bytes still
    assert first.path.read_bytes() == demo_pdfs[name].read_bytes()


def test_qr_code_carries_the_seal_root(
    sealed_case: Path, demo_pdfs: dict[str, Path], tmp_path: Path
) -> None:
    if tool("zbarimg") is None or tool("pdftoppm") is None:
        pytest.skip("zbarimg (zbar-tools) or pdftoppm (poppler-utils) is not installed")
    seal = _seal(sealed_case)
    for name, path in demo_pdfs.items():
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "150",
                "-f",
                "1",
                "-l",
                "1",
                str(path),
                str(tmp_path / name),
            ],
            check=True,
        )
        image = next(tmp_path.glob(f"{name}*.png"))
        found = subprocess.run(
            ["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True
        ).stdout.strip()
        assert found == qr_payload(str(seal["case_id"]), 1, str(seal["tree"]["root"])), name


def test_render_logs_a_custody_event_and_writes_nothing_else(writable_case: Path) -> None:
    case = Case.open(writable_case)

    def snapshot() -> dict[str, str]:
        return {
            str(p.relative_to(writable_case)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in writable_case.rglob("*")
            if p.is_file()
            and p.parts[len(writable_case.parts)] in ("objects", "records", "seals", "claims")
        }

    before = snapshot()
    lines_before = (writable_case / "custody.jsonl").read_bytes().splitlines()
    result = render_dossier(case, template="un-report", actor="clerk")
    assert snapshot() == before
    assert result.path == writable_case / "out" / "UKR-OKH-2024-seal-0001-un-report.pdf"
    lines = (writable_case / "custody.jsonl").read_bytes().splitlines()
    assert lines[:-1] == lines_before
    event = json.loads(lines[-1])
    assert (event["action"], event["actor"], event["subject"]) == ("rendered", "clerk", None)
    assert event["details"] == {
        "template": "un-report",
        "seal": 1,
        "file": "UKR-OKH-2024-seal-0001-un-report.pdf",
        "sha256": hashlib.sha256(result.path.read_bytes()).hexdigest(),
        "pages": result.pages,
    }
    assert sorted(p.name for p in (writable_case / "out").iterdir()) == [result.path.name]


def test_a_second_render_replaces_the_product_atomically(writable_case: Path) -> None:
    case = Case.open(writable_case)
    target = writable_case / "out" / "dossier.pdf"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(b"an older product")
    render_dossier(case, output=target, actor="tester")
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in target.parent.iterdir()] == ["dossier.pdf"]  # no temporary left


@pytest.mark.parametrize(
    "where",
    [
        "records/x.pdf",
        "objects/x.pdf",
        "seals/0002.json.pdf",
        "claims/x.pdf",
        "out/missing/x.pdf",
        "out/x.txt",
    ],
    ids=["records", "objects", "seals", "claims", "no-folder", "not-pdf"],
)
def test_refuses_to_write_where_evidence_lives(writable_case: Path, where: str) -> None:
    (writable_case / "out").mkdir(exist_ok=True)
    with pytest.raises(UsageError):
        render_dossier(Case.open(writable_case), output=writable_case / where, actor="t")
    assert not (writable_case / where).exists()


def test_refuses_a_case_without_a_seal(new_case: Case) -> None:
    with pytest.raises(CaseError, match="no seal yet"):
        render_dossier(new_case)
    assert not (new_case.root / "out").exists() or not any((new_case.root / "out").iterdir())


def test_refuses_data_that_does_not_verify(writable_case: Path) -> None:
    record = writable_case / "records" / "CLM-0003.1.json"
    record.write_bytes(record.read_bytes().replace(b"rush hour", b"rush-hour"))
    with pytest.raises(VerificationFailed) as info:
        render_dossier(Case.open(writable_case), actor="tester")
    assert "does not verify" in info.value.diagnostics()
    assert not (writable_case / "out").exists() or not any((writable_case / "out").iterdir())


def test_unsealed_changes_render_the_latest_seal(writable_case: Path, tmp_path: Path) -> None:
    case = Case.open(writable_case)
    article = tmp_path / "later.txt"
    article.write_text("A later article, not yet sealed.\n", encoding="utf-8")
    add_source(case, article, overrides={"title": "Later article"}, actor="tester")
    result = render_dossier(case, actor="tester")
    assert result.unsealed == 1
    assert result.seal.sequence == 1
    assert "Later article" not in norm(" ".join(page_texts(result.path)))


def test_objects_left_out_are_said_so(writable_case: Path) -> None:
    case = Case.open(writable_case)
    result = render_dossier(case, embed_sources=False, actor="tester")
    assert len(result.omitted) == 1
    whole = norm(" ".join(page_texts(result.path)))
    assert "not embedded (left out on request (--no-embed-sources))" in whole
    bundle_names = set(collect_bundle(case).files)
    assert result.omitted[0].name in bundle_names  # the case itself still has it


@pytest.mark.parametrize(
    ("classification", "word", "distribution"),
    [
        ("confidential", "Confidential", "Distr.: Restricted"),
        ("restricted", "Restricted", "Distr.: Restricted"),
    ],
    ids=["confidential", "restricted"],
)
def test_classification_on_every_page(
    writable_case: Path, classification: str, word: str, distribution: str
) -> None:
    meta = writable_case / "case.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace(
            "classification: public", f"classification: {classification}"
        ),
        encoding="utf-8",
    )
    # case.yaml is sealed evidence (docs/decisions/0409): seal the edit, then render.
    from evidence.integrity.seal import seal_case

    assert seal_case(Case.open(writable_case), actor="tester").seal is not None
    result = render_dossier(Case.open(writable_case), template="un-report", actor="tester")
    pages = [norm(text) for text in page_texts(result.path)]
    assert distribution in pages[0]
    assert all(word in text for text in pages)
    assert not any("Public" in text for text in pages)


def test_the_language_of_the_original(cyrillic_pdfs: dict[str, Path]) -> None:
    assert "Original: Ukrainian" in norm(page_texts(cyrillic_pdfs["icc-otp"])[0])


def test_oversized_texts_still_lay_out(tmp_path: Path) -> None:
    """A title, URL, name and note longer than a page fits into a table cell, a heading or a
    footnote only shortened; long paragraphs and the summary box run over page breaks."""
    from evidence.verify.dossier import verify_dossier
    from evidence.verify.options import VerifyOptions
    from tests.unit.render.cases import Source, build_case

    sentence = " ".join(f"Clause {i} of a very long sentence goes on." for i in range(400))
    claims = [
        {
            "key": "huge",
            "statement": sentence,
            "quote": sentence[:5000],
            "attributed_to": [{"name": "N" * 3000}],
            "category": "other",
            "status": "reported",
            "note": "note " * 2000,
        }
    ]
    case = build_case(
        tmp_path / "c",
        [
            Source(
                "h.txt",
                f"Start.\n\n{sentence}\n",
                {"title": "T" * 5000, "url": "https://e.org/" + "a" * 3000},
                claims,
            )
        ],
        extra={"summary": "S " * 12000},
    )
    result = render_dossier(case, template="un-report", actor="tester")
    report = verify_dossier(result.path, options=VerifyOptions(), progress=None)
    assert report.ok, [str(f) for f in report.findings]
    whole = norm(" ".join(page_texts(result.path)))
    assert "[shortened here; 5,000 characters in all]" in whole
    for i in (0, 200, 399):  # the statement itself is never shortened (it runs over pages)
        assert f"Clause {i} of a very long sentence goes on." in whole


def test_the_verified_copy_goes_to_memory_only_when_it_has_room(tmp_path: Path) -> None:
    """The case data checked before a render is written to a memory file system when it
    is a writable folder with room to spare (docs/decisions/0325-verify-in-memory.md)."""
    assert scratch_dir(1_000, memory=tmp_path) == str(tmp_path)
    assert scratch_dir(2**62, memory=tmp_path) is None  # no room: the system's temp folder
    assert scratch_dir(1_000, memory=tmp_path / "missing") is None
    (tmp_path / "file").write_bytes(b"")
    assert scratch_dir(1_000, memory=tmp_path / "file") is None


def test_page_contents_are_flate_streams_without_ascii85(cyrillic_pdfs: dict[str, Path]) -> None:
    """docs/decisions/0326-binary-page-streams.md: binary, Flate-compressed page streams."""
    import pikepdf

    for path in cyrillic_pdfs.values():
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                contents = page.obj["/Contents"]
                streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
                for stream in streams:
                    assert stream.get("/Filter") in (
                        pikepdf.Name.FlateDecode,
                        pikepdf.Array([pikepdf.Name.FlateDecode]),
                    ), (path.name, stream.get("/Filter"))
                    assert stream.read_bytes()  # decodes


def test_the_collector_runs_less_often_during_a_render_and_as_before_after() -> None:
    """docs/decisions/0327-fewer-collections.md: raised (never lowered) while any render
    is under way, restored when the last one ends, even by an exception."""
    import gc

    from evidence.render.dossier import fewer_collections

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with fewer_collections():
            assert gc.get_threshold() == (20_000, 20, 100)
            with fewer_collections():  # a second render in another thread
                assert gc.get_threshold() == (20_000, 20, 100)
            assert gc.get_threshold() == (20_000, 20, 100)  # the first is still under way
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(50_000, 5, 200)
        seen: list[tuple[int, int, int]] = []

        def failing_render() -> None:
            with fewer_collections():
                seen.append(gc.get_threshold())
                raise RuntimeError("a render failed")

        with pytest.raises(RuntimeError):
            failing_render()
        assert seen == [(50_000, 20, 200)]
        assert gc.get_threshold() == (50_000, 5, 200)
    finally:
        gc.set_threshold(*before)
