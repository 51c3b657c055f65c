"""Templates are data, validated by schemas/template.schema.json and checked placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence._resources import resource
from evidence.errors import InputError, UsageError
from evidence.render import load_template, template_names
from evidence.schema import schema_document


def test_three_templates_ship() -> None:
    assert template_names() == ["icc-otp", "transmittal", "un-report"]


def test_schema_id_and_draft() -> None:
    doc = schema_document("template")
    assert doc["$id"] == "urn:evidence:schema:template:1"
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", ["icc-otp", "un-report", "transmittal"])
def test_shipped_template_loads(name: str) -> None:
    template = load_template(name)
    assert template.name == name
    kinds = {s.kind for s in template.sections} | {a.kind for a in template.annexes}
    assert {
        "facts",
        "claims",
        "declaration",
        "register",
        "integrity",
        "sources",
        "custody",
    } <= kinds


def test_dresses_differ() -> None:
    icc, un, tr = (load_template(n) for n in ("icc-otp", "un-report", "transmittal"))
    assert (icc.cover_kind, un.cover_kind, tr.cover_kind) == ("icc", "un", "letter")
    assert (icc.numbering.annexes, un.numbering.annexes, tr.numbering.annexes) == (
        "alpha",
        "roman",
        "arabic",
    )
    assert icc.heading_case == "upper"
    assert un.body_indent > 0
    assert {a.kind for a in tr.annexes} >= {"custody-forms", "hashes"}


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = resource("templates", "icc-otp.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "custom.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  size: A4", "  size: A3", "expected one of: A4, letter"),
        ("  body: 12\n", "  body: 12\n  weight: 3\n", "unknown field 'weight'"),
        ('  accent: "#000000"', '  accent: "black"', "#rrggbb"),
        (
            "{kind: legal, title: Legal characterisation}",
            "{kind: poem, title: Verse}",
            "expected one of",
        ),
        ('"{reference}"', '"{filing_number}"', "unknown placeholder {filing_number}"),
        (
            "Communication under article 15 of the Rome Statute\n",
            "Communication {page}\n",
            "unknown placeholder {page}",
        ),
        ('"Annex {number}"', '"Annex {number} of {pages}"', "unknown placeholder {pages}"),
        ('"{reference}"', '"{reference"', "brace"),
        ("  kind: icc\n", "  kind: icc\n  kind: un\n", "duplicate"),
    ],
    ids=[
        "page-size",
        "unknown-field",
        "colour",
        "section-kind",
        "unknown-placeholder",
        "page-outside-running",
        "annex-label",
        "broken-brace",
        "duplicate-key",
    ],
)
def test_bad_template_is_refused_with_its_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _variant(tmp_path, old, new)
    with pytest.raises(InputError, match=message) as info:
        load_template(path)
    assert info.value.path == str(path)
    assert info.value.line is not None


def test_template_by_path(tmp_path: Path) -> None:
    path = _variant(tmp_path, "name: icc-otp", "name: my-dress")
    assert load_template(path).name == "my-dress"


def test_unknown_name() -> None:
    with pytest.raises(UsageError, match="icc-otp, transmittal, un-report"):
        load_template("un-resolution")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such template"):
        load_template(tmp_path / "absent.yaml")
