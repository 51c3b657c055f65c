"""Numbers only an institution assigns, and addressees that fit a dress: the rules, `check`
refusing them with the reason, and the renderer refusing to print them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evidence.case import Case
from evidence.check import check_case
from evidence.conventions import (
    addressee_kind,
    addressee_misfit,
    institution_number,
    without_icc_numbers,
)
from evidence.errors import InputError
from evidence.render import render_dossier


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ICC-01/22-345-Anx", "ICC document number"),
        ("ICC-01/04-01/06-2842", "ICC document number"),
        ("Our filing ICC-02/05 of May", "ICC document number"),
        ("OTP-CR-123/24", "Office of the Prosecutor reference"),
        ("A/HRC/56/NGO/12", "United Nations document symbol"),
        ("S/2024/123", "United Nations document symbol"),
        ("E/CN.4/2005/L.10", "United Nations document symbol"),
        ("CCPR/C/UKR/CO/8", "United Nations document symbol"),
    ],
    ids=lambda v: str(v),
)
def test_institution_numbers_are_recognised(text: str, kind: str) -> None:
    reason = institution_number(text)
    assert reason is not None
    assert kind in reason


@pytest.mark.parametrize(
    "text",
    [
        "EVD-DEMO-2024-001",
        "TDU-2026-07",
        "A/B testing of UI",
        "Strikes of 8 July 2024",
        "Report 2024/07",
        "ICCPR claims",
    ],
)
def test_own_references_pass(text: str) -> None:
    assert institution_number(text) is None


@pytest.mark.parametrize(
    ("addressee", "dress", "fits"),
    [
        ("Office of the Prosecutor, International Criminal Court", "icc-otp", True),
        ("Office of the Prosecutor, International Criminal Court", "un-report", False),
        ("Independent International Commission of Inquiry on Ukraine", "un-report", True),
        ("Human Rights Monitoring Mission in Ukraine (OHCHR)", "un-report", True),
        ("Prosecutor General's Office of Ukraine", "transmittal", True),
        ("Prosecutor General's Office of Ukraine", "icc-otp", False),
        ("Office of the Prosecutor, International Criminal Court", "transmittal", False),
    ],
)
def test_an_addressee_fits_its_dress(addressee: str, dress: str, fits: bool) -> None:
    assert (addressee_misfit(addressee, dress) is None) == fits


def test_kinds_and_situations() -> None:
    assert addressee_kind("United Nations Human Rights Council") == "un"
    assert without_icc_numbers("Situation in Ukraine (ICC-01/22)") == "Situation in Ukraine"


def _set(case_dir: Path, old: str, new: str) -> None:
    path = case_dir / "case.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reference", "ICC-01/22-345-Anx"),
        ("reference", "A/HRC/56/NGO/12"),
        ("title", "Annex to S/2024/123"),
    ],
)
def test_check_refuses_institution_numbers(sealed_case: Path, field: str, value: str) -> None:
    path = sealed_case / "case.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data[field] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = check_case(sealed_case)
    assert not report.ok
    found = [f for f in report.findings if f.check == f"case-{field}"]
    assert found
    assert found[0].status == "FAIL"
    assert value.split()[-1] in found[0].message
    assert "assigns" in found[0].message
    assert found[0].line is not None


def test_check_warns_of_an_addressee_of_another_kind(sealed_case: Path) -> None:
    _set(sealed_case, "template: icc-otp", "template: un-report")
    report = check_case(sealed_case)
    assert report.ok  # a warning, not a failure
    found = [f for f in report.findings if f.check == "case-addressee"]
    assert found
    assert found[0].status == "INFO"
    assert "United Nations" in found[0].message


def test_render_refuses_an_institution_number(sealed_case: Path, tmp_path: Path) -> None:
    """The number is in the sealed case.yaml: render refuses to print it, and writes
    nothing."""
    from evidence.integrity.seal import seal_case

    _set(sealed_case, "reference: EVD-DEMO-2024-001", "reference: ICC-01/22-345-Anx")
    case = Case.open(sealed_case)
    seal_case(case, actor="tester")
    with pytest.raises(InputError, match="ICC document number"):
        render_dossier(case, template="icc-otp", output=tmp_path / "x.pdf", actor="tester")
    assert not (tmp_path / "x.pdf").exists()
