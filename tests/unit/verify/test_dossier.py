"""``verify_dossier``: the case data a dossier carries, and what its pages print.

The forged dossiers are made with pypdf, the way anyone could edit a PDF's attachments.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from pypdf import PdfWriter

from evidence.case import Case
from evidence.errors import InputError
from evidence.formats.dossier import MANIFEST_NAME, is_case_path
from evidence.render import render_dossier
from evidence.report import Report
from evidence.verify import verify_case, verify_path
from evidence.verify.dossier import verify_dossier
from evidence.verify.options import VerifyOptions
from tests.unit.render.cases import cyrillic_case

OPTIONS = VerifyOptions()


def _dossier(sealed_case: Path, template: str = "icc-otp") -> Path:
    return sealed_case / "out" / f"UKR-OKH-2024-seal-0001-{template}.pdf"


def _checks(report: Report, status: str = "FAIL") -> set[str]:
    return {f.check for f in report.findings if f.status == status}


def _rewrite(
    source: Path, dest: Path, change: Callable[[dict[str, bytes]], Mapping[str, bytes]]
) -> Path:
    """A copy of ``source`` whose embedded files are ``change(files)``."""
    writer = PdfWriter(clone_from=source)
    files = {ef.name: ef.content for ef in writer.attachment_list}
    for ef in list(writer.attachment_list):
        ef.delete()
    for name, data in sorted(change(dict(files)).items()):
        writer.add_attachment(name, data)
    buffer = io.BytesIO()
    writer.write(buffer)
    dest.write_bytes(buffer.getvalue())
    return dest


@pytest.mark.parametrize("template", ["icc-otp", "un-report", "transmittal"])
def test_a_rendered_dossier_verifies(sealed_case: Path, template: str) -> None:
    report = verify_dossier(_dossier(sealed_case, template), options=OPTIONS, progress=None)
    assert report.ok, [str(f) for f in report.findings]
    assert report.passed["dossier-printed"] == 4
    assert report.passed["dossier-seal"] == 1
    assert report.passed["seal-root"] == 1
    assert report.checked["embedded files"] == 25  # 22 case files, manifest, 2 lists
    assert report.passed["dossier-embedded"] == 24
    assert report.checked["pages read"] >= 3


def test_it_reports_the_same_facts_as_the_folder(sealed_case: Path) -> None:
    pdf = verify_dossier(_dossier(sealed_case), options=OPTIONS, progress=None)
    folder = verify_case(sealed_case)
    for what in ("records", "objects", "seals"):
        assert pdf.checked[what] == folder.checked[what], what
    for check in ("record-digest", "claim-quote", "seal-root", "source-object"):
        assert pdf.passed[check] == folder.passed[check], check


def test_verify_path_dispatches_to_it(sealed_case: Path) -> None:
    assert verify_path(_dossier(sealed_case)).ok


def test_a_changed_record_fails(sealed_case: Path, tmp_path: Path) -> None:
    def tamper(files: dict[str, bytes]) -> dict[str, bytes]:
        name = "records/CLM-0003.1.json"
        files[name] = files[name].replace(b"rush hour", b"rush-hour")
        return files

    forged = _rewrite(_dossier(sealed_case), tmp_path / "forged.pdf", tamper)
    report = verify_dossier(forged, options=OPTIONS, progress=None)
    assert not report.ok
    assert {"record-digest", "dossier-embedded"} <= _checks(report)
    assert any(f.record == "CLM-0003.1" for f in report.findings)


def test_a_changed_root_fails_against_the_printed_pages(sealed_case: Path, tmp_path: Path) -> None:
    """A forger who swaps in another case's data, with a consistent manifest, is caught by
    the pages: they print the original root and digests."""
    other = cyrillic_case(tmp_path / "other")
    other_pdf = render_dossier(other, template="icc-otp", actor="forger").path
    from evidence.verify.dossier import read_embedded_files

    replacement = {name: data[0] for name, data in read_embedded_files(other_pdf).items()}
    forged = _rewrite(_dossier(sealed_case), tmp_path / "forged.pdf", lambda _: replacement)
    report = verify_dossier(forged, options=OPTIONS, progress=None)
    assert not report.ok
    assert _checks(report) == {"dossier-printed", "dossier-pages"}
    messages = " ".join(f.message for f in report.findings)
    assert "does not print the embedded seal's root" in messages
    assert "exhibit register does not print" in messages


def test_removed_attachments_fail(sealed_case: Path, tmp_path: Path) -> None:
    forged = _rewrite(_dossier(sealed_case), tmp_path / "bare.pdf", lambda _: {})
    report = verify_dossier(forged, options=OPTIONS, progress=None)
    assert not report.ok
    assert "carries no embedded case data" in report.findings[0].message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: {k: v for k, v in f.items() if k != MANIFEST_NAME}, "no evidence-dossier.json"),
        (lambda f: {**f, MANIFEST_NAME: b"{not json"}, "not valid JSON"),
        (lambda f: {**f, "notes.txt": b"hello"}, "not part of a case folder"),
        (lambda f: {k: v for k, v in f.items() if k != "custody.jsonl"}, "lacks custody.jsonl"),
        (lambda f: {**f, "records/SRC-0009.1.json": b"{}\n"}, "not in the manifest"),
        (
            lambda f: {**f, "SHA256SUMS": f["SHA256SUMS"].replace(b"  case.yaml", b"  case.yml")},
            "SHA256SUMS does not list the embedded case files",
        ),
        (lambda f: {k: v for k, v in f.items() if k != "B3SUMS"}, "no B3SUMS"),
    ],
    ids=[
        "no-manifest",
        "bad-manifest",
        "foreign-file",
        "no-custody",
        "unlisted-file",
        "wrong-list",
        "no-list",
    ],
)
def test_a_damaged_package_fails(
    sealed_case: Path,
    tmp_path: Path,
    change: Callable[[dict[str, bytes]], dict[str, bytes]],
    message: str,
) -> None:
    forged = _rewrite(_dossier(sealed_case), tmp_path / "forged.pdf", change)
    report = verify_dossier(forged, options=OPTIONS, progress=None)
    assert not report.ok
    assert any(message in f.message for f in report.findings), [str(f) for f in report.findings]


@pytest.mark.parametrize(
    "name",
    [
        "../escape.txt",
        "/etc/passwd",
        "records/../../x.json",
        "objects/ab/cd",
        "seals/1.json",
        "records/CLM-1.1.json",
    ],
    ids=["parent", "absolute", "nested-parent", "short-object", "short-seal", "short-id"],
)
def test_names_outside_a_case_are_never_written(
    sealed_case: Path, tmp_path: Path, name: str
) -> None:
    assert not is_case_path(name)
    forged = _rewrite(
        _dossier(sealed_case), tmp_path / "forged.pdf", lambda f: {**f, name: b"payload"}
    )
    report = verify_dossier(forged, options=OPTIONS, progress=None)
    assert not report.ok
    assert not (tmp_path.parent / "escape.txt").exists()
    assert not (tmp_path / "x.json").exists()


def test_objects_left_out_are_information(sealed_case: Path, tmp_path: Path) -> None:
    result = render_dossier(
        Case.open(sealed_case), embed_sources=False, output=tmp_path / "slim.pdf", actor="tester"
    )
    report = verify_dossier(result.path, options=OPTIONS, progress=None)
    assert report.ok, [str(f) for f in report.findings]
    assert _checks(report, "INFO") == {"dossier-omitted"}
    assert report.checked["objects not embedded"] == 1


@pytest.mark.parametrize("data", [b"%PDF-1.4\ngarbage", b"%PDF-"], ids=["garbage", "header-only"])
def test_an_unreadable_pdf_cannot_be_verified(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(InputError):
        verify_dossier(path, options=OPTIONS, progress=None)


def test_a_pdf_from_elsewhere_has_no_case_data(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    path = tmp_path / "plain.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    report = verify_dossier(path, options=OPTIONS, progress=None)
    assert not report.ok
    assert _checks(report) == {"dossier-embedded"}


def test_the_manifest_maps_the_pages(sealed_case: Path) -> None:
    from evidence.verify.dossier import read_embedded_files

    manifest = json.loads(read_embedded_files(_dossier(sealed_case))[MANIFEST_NAME][0])
    assert manifest["schema"] == "evidence/dossier/1"
    assert manifest["pages"]["cover"] == [1, 1]
    assert manifest["pages"]["register"][0] < manifest["pages"]["integrity"][0]
    assert {f["name"] for f in manifest["files"]} >= {"case.yaml", "seals/0001.json"}


def test_pypdf_logging_is_left_to_the_application(
    sealed_case: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The library never sets the process-wide ``pypdf`` logger; what pypdf repairs in a
    damaged file reaches the application's handlers, and the report fails on its own."""
    import logging
    import re

    data = _dossier(sealed_case).read_bytes()
    at = data.rindex(b"startxref")
    offset = re.match(rb"startxref\s+(\d+)", data[at:])
    assert offset is not None
    damaged = tmp_path / "damaged.pdf"  # the cross-reference table is not where it says
    damaged.write_bytes(
        data[:at] + b"startxref\n" + str(int(offset[1]) + 7).encode() + b"\n%%EOF\n"
    )
    pypdf_log = logging.getLogger("pypdf")
    before = (pypdf_log.level, pypdf_log.disabled, pypdf_log.propagate, list(pypdf_log.handlers))
    with caplog.at_level(logging.WARNING, logger="pypdf"):
        level = pypdf_log.level
        report = verify_dossier(damaged, options=OPTIONS, progress=None)
        assert pypdf_log.level == level
    assert (pypdf_log.level, pypdf_log.disabled, pypdf_log.propagate) == before[:3]
    assert list(pypdf_log.handlers) == before[3]
    assert any(r.name.startswith("pypdf") for r in caplog.records), "pypdf's warnings were hidden"
    assert not report.ok
    assert "dossier-pages" in _checks(report)
