"""PDF articles and press releases: text layer, metadata, encrypted and image-only PDFs."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.cli import main
from evidence.errors import InputError
from evidence.ingest.add import add_source
from evidence.ingest.pdf import extract_pdf
from evidence.model import SourceBody
from evidence.verify import verify_case
from tests.support.http_server import pdf_bytes

RELEASE = [
    [
        "Press release, 9 July 2024",
        "Engineers completed a first inspection of the damaged hospital wing on Tuesday.",
        "At least three floors will need structural repairs, the council said.",
    ],
    [
        "The inspection report will be published within two weeks.",
        "Written by the evidence project team as test material.",
    ],
]


def _snapshot(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): p.stat().st_size
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def _write(tmp_path: Path, data: bytes, name: str = "release.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_text_layer_page_by_page() -> None:
    found = extract_pdf(io.BytesIO(pdf_bytes(RELEASE)), path="release.pdf")
    assert found.text == (
        "Press release, 9 July 2024\n"
        "Engineers completed a first inspection of the damaged hospital wing "
        "on Tuesday.\n"
        "At least three floors will need structural repairs, the council "
        "said.\n\n"
        "The inspection report will be published within two weeks.\n"
        "Written by the evidence project team as test material.\n"
    )
    assert found.warnings == ()
    assert any("pypdf" in note and "2 page(s)" in note for note in found.notes)


def test_information_dictionary_and_language() -> None:
    data = pdf_bytes(
        RELEASE, title="Hospital wing inspected", author="Example City Council", lang="en-GB"
    )
    found = extract_pdf(io.BytesIO(data), path="release.pdf")
    assert found.meta == {
        "title": "Hospital wing inspected",
        "authors": ["Example City Council"],
        "language": "en-GB",
    }
    assert "published" not in found.meta  # CreationDate is not a publication date


def test_owner_password_only_opens_and_says_so() -> None:
    found = extract_pdf(io.BytesIO(pdf_bytes(RELEASE, owner_password="secret")), path="r.pdf")
    assert found.text is not None
    assert "structural repairs" in found.text
    assert any("decrypted with the empty user password" in note for note in found.notes)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        pytest.param(
            pdf_bytes(RELEASE, user_password="open-sesame"),
            "encrypted with a password",
            id="user-password",
        ),
        pytest.param(pdf_bytes([["x"]], image_only=True), "no text layer", id="image-only"),
        pytest.param(pdf_bytes([["7"], ["8"]]), "no text layer", id="page-numbers-only"),
    ],
)
def test_no_text_could_be_extracted_is_said(data: bytes, why: str) -> None:
    found = extract_pdf(io.BytesIO(data), path="scan.pdf")
    assert found.text is None
    assert any(why in w and "no text could be extracted" in w for w in found.warnings)
    assert any("no text could be extracted" in note for note in found.notes)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(pdf_bytes(RELEASE)[:600], id="truncated"),
        pytest.param(b"%PDF-1.7\n" + b"\x00garbage" * 20, id="garbage-after-header"),
        pytest.param(b"%PDF-", id="header-only"),
    ],
)
def test_a_damaged_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match="not a readable PDF") as caught:
        extract_pdf(io.BytesIO(data), path="bad.pdf")
    assert "--no-text" in caught.value.diagnostics()


def test_add_a_pdf_with_text(new_case: Case, tmp_path: Path, now: dt.datetime) -> None:
    path = _write(tmp_path, pdf_bytes(RELEASE, title="Hospital wing inspected"))
    added = add_source(new_case, path, actor="analyst", now=now)
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert body.media_type == "application/pdf"
    assert body.title == "Hospital wing inspected"
    assert new_case.objects.read(body.object.blake3) == path.read_bytes()
    assert body.text is not None
    assert "structural repairs" in new_case.objects.read(body.text.blake3).decode()
    assert verify_case(new_case.root).ok


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(pdf_bytes(RELEASE, user_password="pw"), id="encrypted"),
        pytest.param(pdf_bytes([["x"]], image_only=True), id="image-only"),
    ],
)
def test_add_keeps_a_pdf_without_text_and_warns(
    new_case: Case, tmp_path: Path, data: bytes, now: dt.datetime
) -> None:
    path = _write(tmp_path, data)
    added = add_source(new_case, path, actor="analyst", now=now)
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert body.text is None
    assert new_case.objects.read(body.object.blake3) == data
    assert added.warnings
    assert "no text could be extracted" in added.warnings[-1]
    assert body.title == "release.pdf"
    assert verify_case(new_case.root).ok


def test_cli_warns_on_stderr_and_succeeds(
    new_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, pdf_bytes(RELEASE, user_password="pw"))
    assert main(["add", str(new_case.root), str(path)]) == 0
    captured = capsys.readouterr()
    assert "no text (cite, not quote)" in captured.out
    assert (
        "warning: the PDF is encrypted with a password: no text could be extracted" in captured.err
    )


def test_a_damaged_pdf_leaves_nothing_behind_unless_kept_as_bytes(
    new_case: Case, tmp_path: Path, now: dt.datetime
) -> None:
    path = _write(tmp_path, pdf_bytes(RELEASE)[:700])
    before = _snapshot(new_case.root)
    with pytest.raises(InputError):
        add_source(new_case, path, actor="analyst", now=now)
    assert _snapshot(new_case.root) == before
    added = add_source(new_case, path, actor="analyst", now=now, no_text=True)
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert body.text is None
    assert body.media_type == "application/pdf"
