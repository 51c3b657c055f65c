"""The dossier tamper classes of tests/unit/verify/test_tamper_dossier.py, seen by the
one-file verifier. What changes the PDF's structure (pages added, annotations, bytes after
the end, an incremental update) it finds under ``dossier-pages``, as ``evidence verify``
does; a change of the printed text needs the re-rendering only ``evidence verify`` does,
and the one-file verifier says so (INFO) instead of claiming the pages were compared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.render import render_dossier
from tests.support.cases import copy_case
from tests.support.fixtures import KeyFiles
from tests.support.standalone import module, problem_checks, run_here
from tests.support.tsa import TestTSA
from tests.unit.verify.test_tamper_dossier import CLASSES, PdfTamper

STRUCTURAL = {"page-appended", "annotation-added", "incremental-update", "bytes-after-eof"}


@pytest.fixture(scope="module")
def dossier(_stamped_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    case = copy_case(_stamped_template, tmp_path_factory.mktemp("dossier") / "case")
    return render_dossier(Case.open(case), template="icc-otp", actor="tester").path


def _trust(keys: KeyFiles, tsa: TestTSA) -> list[str]:
    return ["--trusted-key", str(keys.public), "--tsa-ca", str(tsa.ca_pem)]


def test_the_untouched_dossier(dossier: Path, keys: KeyFiles, tsa: TestTSA) -> None:
    code, report = run_here(str(dossier), *_trust(keys, tsa))
    assert code == 0, report["findings"]


@pytest.mark.parametrize("case", CLASSES, ids=[c.id for c in CLASSES])
def test_a_tampered_dossier(
    dossier: Path, tmp_path: Path, keys: KeyFiles, tsa: TestTSA, case: PdfTamper
) -> None:
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(case.tamper(dossier.read_bytes()))
    code, report = run_here(str(forged), *_trust(keys, tsa))
    if case.id in STRUCTURAL:
        assert code == 1, report["findings"]
        assert problem_checks(report["findings"]) == {"dossier-pages"}
    else:
        notes = [f["message"] for f in report["findings"] if f["check"] == "dossier-pages"]
        assert any("re-renders" in note for note in notes)


def test_its_pdf_reader_and_pdfdetach_find_the_same_files(dossier: Path) -> None:
    if shutil.which("pdfdetach") is None:
        pytest.skip("poppler's pdfdetach is not installed")
    read = module().pdf_attachments(dossier.read_bytes())
    assert "evidence-verify.py" in read
    assert "evidence-dossier.json" in read
    assert module().pdfdetach(dossier) == read
