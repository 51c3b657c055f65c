"""Tampering with the dossier of a real signed, time-stamped case (issue 10, item 4).

The dossier is rendered once from a copy of the stamped case; each class edits a copy of
the PDF with pypdf or by hand, the way anyone could, then runs the README's command
``evidence verify dossier.pdf --trusted-key … --tsa-ca … --json`` and asserts exit 1 and
``dossier-pages``: the PDF is no longer the rendering of the data it carries.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from pypdf.generic import NameObject, StreamObject

from evidence.case import Case
from evidence.formats.dossier import MANIFEST_NAME
from evidence.render import render_dossier
from evidence.verify.dossier import verify_dossier
from evidence.verify.options import VerifyOptions
from tests.support.cases import copy_case
from tests.support.fixtures import KeyFiles
from tests.support.tsa import TestTSA
from tests.unit.verify.test_tamper_signed import verify_cli


@pytest.fixture(scope="module")
def dossier(_stamped_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    case = copy_case(_stamped_template, tmp_path_factory.mktemp("dossier") / "case")
    return render_dossier(Case.open(case), template="icc-otp", actor="tester").path


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _page_with(data: bytes, needle: str) -> int:
    for index, page in enumerate(PdfReader(io.BytesIO(data)).pages):
        if needle in " ".join(page.extract_text().split()):
            return index
    raise AssertionError(f"no page prints {needle!r}")


def _edit_text_on(needle: str) -> Callable[[bytes], bytes]:
    """Change one shown glyph on the page that prints ``needle``: the first string a
    ``Tj`` operator shows gets its last byte changed, as a hand edit of a number would."""

    def tamper(data: bytes) -> bytes:
        writer = PdfWriter(clone_from=io.BytesIO(data))
        page = writer.pages[_page_with(data, needle)]
        contents = page.get_contents()
        assert contents is not None
        stream = contents.get_data()
        match = re.search(rb"\(((?:[^()\\]|\\.)+)\) ?Tj", stream)
        assert match is not None
        end = match.end(1)
        last = stream[end - 1 : end]
        stream = stream[: end - 1] + bytes([last[0] ^ 0x01]) + stream[end:]
        replacement = StreamObject()
        replacement.set_data(stream)
        page[NameObject("/Contents")] = writer._add_object(replacement)
        return _written(writer)

    return tamper


def _append_page(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.add_blank_page()
    return _written(writer)


def _annotate(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    note = FreeText(text="More than 90", rect=(50, 550, 200, 650))
    writer.add_annotation(page_number=0, annotation=note)
    return _written(writer)


def _incremental(data: bytes) -> bytes:
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    writer.add_metadata({"/Title": "Another title"})
    return _written(writer)


def _after_eof(data: bytes) -> bytes:
    return data + b"\n% a hidden note after the end of the file\n"


def _manifest_pages_moved(data: bytes) -> bytes:
    """The embedded manifest's page map edited so that other pages are checked."""
    writer = PdfWriter(clone_from=io.BytesIO(data))
    files = {ef.name: ef.content for ef in writer.attachment_list}
    manifest: dict[str, Any] = json.loads(files[MANIFEST_NAME])
    manifest["pages"]["register"] = manifest["pages"]["cover"]
    files[MANIFEST_NAME] = json.dumps(manifest).encode()
    for ef in list(writer.attachment_list):
        ef.delete()
    for name, content in sorted(files.items()):
        writer.add_attachment(name, content)
    return _written(writer)


def _metadata_title(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.add_metadata({"/Title": "A dossier about something else"})
    return _written(writer)


@dataclass(frozen=True)
class PdfTamper:
    id: str
    tamper: Callable[[bytes], bytes]
    message: str


CLASSES = [
    PdfTamper("cover-title-edited", _edit_text_on("Integrity test case"), "page 1"),
    PdfTamper("claims-table-figure-edited", _edit_text_on("More than 40"), "does not print"),
    PdfTamper("annex-quote-edited", _edit_text_on("missiles of various types"), "does not print"),
    PdfTamper("page-appended", _append_page, "page(s); its embedded data renders to"),
    PdfTamper("annotation-added", _annotate, "annotation"),
    PdfTamper("incremental-update", _incremental, "after the end of the rendering"),
    PdfTamper("bytes-after-eof", _after_eof, "after the end of the rendering"),
    PdfTamper("manifest-page-map-edited", _manifest_pages_moved, "not the rendering"),
    PdfTamper("document-title-edited", _metadata_title, "not the rendering"),
]


def test_the_untouched_dossier_verifies_page_by_page(
    dossier: Path, keys: KeyFiles, tsa: TestTSA, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = verify_cli(dossier, keys, tsa, capsys)
    assert code == 0, [f for f in report["findings"] if f["status"] != "INFO"]
    assert report["checked"]["dossier renderings compared"] == 1
    assert [f["message"] for f in report["findings"] if f["check"] == "dossier-pages"] == []
    assert report["latest_seal"]["sequence"] == 2


@pytest.mark.parametrize("case", CLASSES, ids=[c.id for c in CLASSES])
def test_an_edited_dossier_fails(
    dossier: Path,
    tmp_path: Path,
    keys: KeyFiles,
    tsa: TestTSA,
    capsys: pytest.CaptureFixture[str],
    case: PdfTamper,
) -> None:
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(case.tamper(dossier.read_bytes()))
    code, report = verify_cli(forged, keys, tsa, capsys)
    assert code == 1
    pages = [
        f["message"]
        for f in report["findings"]
        if f["check"] == "dossier-pages" and f["status"] == "FAIL"
    ]
    assert pages, report["findings"]
    assert any(case.message in m for m in pages), pages


@pytest.mark.parametrize("part", ["reportlab", "code"])
def test_another_renderer_is_compared_by_page_text(
    dossier: Path, tmp_path: Path, part: str
) -> None:
    """A dossier whose manifest names another renderer (another reportlab, or other code
    under the same version number, docs/decisions/0328): compared by text, and said so;
    its pages still must print what the data renders to."""
    writer = PdfWriter(clone_from=dossier)
    files = {ef.name: ef.content for ef in writer.attachment_list}
    manifest: dict[str, Any] = json.loads(files[MANIFEST_NAME])
    assert set(manifest["renderer"]) == {"tool", "reportlab", "fonts", "code"}
    manifest["renderer"][part] = "0.0.0" if part == "reportlab" else "ab" * 32
    files[MANIFEST_NAME] = json.dumps(manifest).encode()
    for ef in list(writer.attachment_list):
        ef.delete()
    for name, content in sorted(files.items()):
        writer.add_attachment(name, content)
    other = tmp_path / "other.pdf"
    other.write_bytes(_written(writer))
    report = verify_dossier(other, options=VerifyOptions(), progress=None)
    notes = [f.message for f in report.findings if f.check == "dossier-pages"]
    assert any("compared by their extracted text" in m for m in notes), notes
    assert report.ok, [str(f) for f in report.problems()]
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(_edit_text_on("More than 40")(other.read_bytes()))
    report = verify_dossier(edited, options=VerifyOptions(), progress=None)
    assert "dossier-pages" in {f.check for f in report.problems()}
