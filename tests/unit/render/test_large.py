"""A 1,000-claim case renders: long tables split across pages with their header repeated,
every page numbered, and the dossier verifies."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from evidence.verify.dossier import verify_dossier
from evidence.verify.options import VerifyOptions
from tests.unit.render.pdf import norm, outline_pages


def _page(reader: PdfReader, number: int) -> str:
    return norm(reader.pages[number - 1].extract_text())


def test_a_thousand_claims_render(big_pdf: Path) -> None:
    reader = PdfReader(big_pdf)
    total = len(reader.pages)
    assert total > 200
    assert f"Page {total} of {total}" in _page(reader, total)
    assert "The case holds 1000 claims drawn from the sources" in " ".join(
        _page(reader, n) for n in (3, 4)
    )


def test_long_tables_repeat_their_header_on_every_page(big_pdf: Path) -> None:
    reader = PdfReader(big_pdf)
    outline = outline_pages(big_pdf)
    start = next(p for t, p in outline.items() if t.startswith("V. Attributed statements"))
    end = next(p for t, p in outline.items() if t.startswith("VI. Declaration"))
    assert end - start > 20
    for number in range(start + 1, end):
        text = _page(reader, number)
        assert "Claim, exhibit Statement (submitter's wording)" in text, number
    first = _page(reader, start + 1)
    last = _page(reader, end - 1) + _page(reader, end)
    assert "CLM-" in first
    assert "Witness 49 of report 20 says that 18 shells struck" in last


def test_the_large_dossier_verifies(big_pdf: Path) -> None:
    report = verify_dossier(big_pdf, options=VerifyOptions(), progress=None)
    assert report.ok, [str(f) for f in report.findings[:5]]
    assert report.checked["records"] == 1020
