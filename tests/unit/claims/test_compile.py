"""Claims files compiled and checked: every problem named with its file, line and pointer."""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.check import check_case
from evidence.claims.compile import compile_case_claims
from evidence.errors import CaseError
from evidence.ingest.add import add_source
from evidence.report import Finding, Report
from evidence.store import record_slice
from tests.conftest import FIXED_NOW

CORE = Path(__file__).parents[2] / "data" / "core"


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _claims(case_dir: Path, name: str, text: str) -> str:
    (case_dir / "claims" / name).write_text(text, encoding="utf-8")
    return f"claims/{name}"


def _problems(case_dir: Path) -> list[Finding]:
    report = check_case(case_dir)
    return report.problems()


def _one(case_dir: Path) -> Finding:
    problems = _problems(case_dir)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


CLAIM = "source: SRC-0001\nclaims:\n  - key: {key}\n    statement: {statement}\n"


def test_the_example_claims_check_clean(sealed_case: Path) -> None:
    report = check_case(sealed_case)
    assert report.ok, [str(f) for f in report.findings]
    assert report.checked["claims"] == 16
    assert report.checked["claims files"] == 1


def test_check_writes_nothing(sealed_case: Path) -> None:
    _claims(
        sealed_case,
        "bad.yaml",
        CLAIM.format(key="new-claim", statement="x")
        + "    quote: not in the article at all, not anywhere\n",
    )
    before = _tree(sealed_case)
    assert not check_case(sealed_case).ok
    assert _tree(sealed_case) == before


def test_unknown_source(sealed_case: Path) -> None:
    path = _claims(
        sealed_case,
        "x.yaml",
        CLAIM.format(key="a-claim", statement="A.").replace("SRC-0001", "SRC-0009"),
    )
    finding = _one(sealed_case)
    assert (finding.check, finding.path, finding.line) == ("claim-source", path, 3)
    assert "unknown source SRC-0009" in finding.message
    assert "SRC-0001" in finding.message  # what the case does have


@pytest.mark.parametrize(
    ("quote", "closest"),
    [
        ("with “high-precision” weapons", 'with "high-precision" weapons'),
        ("Kryvyi Rih was also  shelled", "Kryvyi Rih was also shelled"),
        ("more than 40 missiles of various types – today", None),  # noqa: RUF001
    ],
    ids=["curly-quotes", "double-space", "en-dash"],
)
def test_quote_not_found_shows_the_closest_passage(
    sealed_case: Path, quote: str, closest: str | None
) -> None:
    path = _claims(
        sealed_case,
        "x.yaml",
        CLAIM.format(key="a-claim", statement="A.")
        + f'    quote: "{quote.replace(chr(34), chr(92) + chr(34))}"\n',
    )
    finding = _one(sealed_case)
    assert (finding.check, finding.path, finding.line) == ("claim-quote", path, 3)
    assert "/claims/0/quote: quote not found" in finding.message
    if closest is not None:
        assert f"«{closest}»" in finding.message


def test_ambiguous_quote_and_occurrence(sealed_case: Path) -> None:
    _claims(
        sealed_case,
        "x.yaml",
        CLAIM.format(key="a-claim", statement="A.") + "    quote: Okhmatdyt\n",
    )
    finding = _one(sealed_case)
    assert finding.check == "claim-quote"
    assert "occurs 2 times" in finding.message
    assert "occurrence: N" in finding.message
    _claims(
        sealed_case,
        "x.yaml",
        CLAIM.format(key="a-claim", statement="A.") + "    quote: Okhmatdyt\n    occurrence: 2\n",
    )
    assert check_case(sealed_case).ok


def test_duplicate_keys_name_both_places(sealed_case: Path) -> None:
    _claims(
        sealed_case,
        "x.yaml",
        CLAIM.format(key="dup", statement="A.") + "  - key: dup\n    statement: B.\n",
    )
    _claims(
        sealed_case,
        "y.yaml",
        CLAIM.format(key="missiles-launched-count", statement="Same key as the example."),
    )
    problems = sorted(_problems(sealed_case), key=lambda f: f.path or "")
    assert [(f.check, f.path, f.line) for f in problems] == [
        ("claim-key", "claims/x.yaml", 5),
        ("claim-key", "claims/y.yaml", 3),
    ]
    assert "duplicate key 'dup' (first used at claims/x.yaml:3)" in problems[0].message
    assert (
        "duplicate key 'missiles-launched-count' (first used at claims/SRC-0001.yaml:"
        in problems[1].message
    )


def test_wrong_types_and_missing_fields_name_pointer_and_line(sealed_case: Path) -> None:
    shutil.copy(CORE / "claims_wrong_types.yaml", sealed_case / "claims" / "wrong.yaml")
    found = {(f.check, f.line, f.message.split(":")[0]) for f in _problems(sealed_case)}
    assert found == {
        ("claims-schema", 6, "/claims/0/facts/missiles_launched/value"),
        ("claims-schema", 7, "/claims/1/statement"),
        ("claims-schema", 9, "/claims/2/key"),
    }
    messages = " ".join(f.message for f in _problems(sealed_case))
    assert "expected number" in messages
    assert "missing required field 'statement'" in messages
    assert "expected a slug" in messages


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("claims_duplicate_keys.yaml", 7),
        ("claims_syntax_error.yaml", 6),
        ("claims_two_documents.yaml", 3),
        ("claims_empty.yaml", None),
        ("claims_alias_bomb.yaml", 6),
        ("claims_invalid_utf8.yaml", None),
        ("claims_python_tag.yaml", 4),
    ],
    ids=[
        "duplicate-keys",
        "syntax",
        "two-documents",
        "empty",
        "alias-bomb",
        "invalid-utf8",
        "python-tag",
    ],
)
def test_yaml_problems_are_findings(sealed_case: Path, name: str, line: int | None) -> None:
    shutil.copy(CORE / name, sealed_case / "claims" / name)
    finding = _one(sealed_case)
    assert (finding.path, finding.line) == (f"claims/{name}", line)
    assert finding.check in ("claims-yaml", "claims-schema")


def test_no_source_anywhere(sealed_case: Path) -> None:
    _claims(sealed_case, "x.yaml", "claims:\n  - key: a-claim\n    statement: A.\n")
    finding = _one(sealed_case)
    assert finding.line == 2
    assert "no source" in finding.message


def test_source_per_claim_overrides_the_file(sealed_case: Path) -> None:
    _claims(
        sealed_case,
        "x.yaml",
        "source: SRC-0042\nclaims:\n  - key: a-claim\n"
        "    source: SRC-0001\n    statement: A.\n    quote: Kryvyi Rih\n",
    )
    assert check_case(sealed_case).ok


def test_proposed_claims_are_skipped(sealed_case: Path) -> None:
    _claims(
        sealed_case,
        "suggested.yaml",
        CLAIM.format(key="proposed-one", statement="A.")
        + "    quote: words that are nowhere in the article\n    status: proposed\n"
        + "  - key: missiles-launched-count\n    statement: A suggestion re-using a key.\n"
        + "    status: proposed\n",
    )
    report = check_case(sealed_case)
    assert report.ok, [str(f) for f in report.findings]
    assert report.checked["proposed claims"] == 2
    assert report.checked["claims"] == 16


def test_every_problem_is_reported_not_only_the_first(sealed_case: Path) -> None:
    _claims(
        sealed_case,
        "x.yaml",
        CLAIM.format(key="one", statement="A.")
        + "    quote: not in the text, first\n"
        + "  - key: two\n    statement: B.\n    quote: not in the text, second\n"
        + "  - key: three\n    statement: C.\n    source: SRC-0077\n",
    )
    assert [(f.check, f.line) for f in _problems(sealed_case)] == [
        ("claim-quote", 3),
        ("claim-quote", 6),
        ("claim-source", 9),
    ]


def test_quoting_a_source_without_text(sealed_case: Path, tmp_path: Path) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    png = tmp_path / "photo.png"
    png.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IEND", b"")
    )
    add_source(Case.open(sealed_case), png, actor="tester", now=FIXED_NOW)
    _claims(
        sealed_case,
        "photo.yaml",
        "source: SRC-0002\nclaims:\n  - key: photo-cited\n"
        "    statement: A photo of the damage.\n  - key: photo-quoted\n"
        "    statement: B.\n    quote: anything\n",
    )
    finding = _one(sealed_case)
    assert (finding.check, finding.line) == ("claim-quote", 5)
    assert "SRC-0002 has no text to quote (image/png)" in finding.message


@pytest.mark.parametrize(
    "fact",
    [
        "{value: .nan, qualifier: approx}",
        "{value: .inf, qualifier: at-least}",
        "{value: 123456789012345678901234567890, qualifier: exact}",
        "{value: 40, qualifier: more-than, text: !!binary bW9yZSB0aGFuIDQw}",
    ],
    ids=["nan", "infinity", "huge-integer", "binary-text"],
)
def test_values_without_a_json_form_are_findings(sealed_case: Path, fact: str) -> None:
    """A value the record could not hold is the author's mistake: a finding naming the
    file and line, not an aborted check."""
    path = _claims(
        sealed_case,
        "x.yaml",
        CLAIM.format(key="a-claim", statement="A.") + f"    facts:\n      killed: {fact}\n",
    )
    report = check_case(sealed_case)
    problems = report.problems()
    assert problems, "accepted a value that has no canonical JSON form"
    assert problems[0].path == path
    assert problems[0].line is not None


def test_constructor_checks_become_findings(sealed_case: Path) -> None:
    _claims(
        sealed_case,
        "x.yaml",
        CLAIM.format(key="bad-date", statement="A.")
        + "    date: 2024-02-30\n"
        + "  - key: bad-range\n    statement: B.\n"
        + "    facts: {killed: {value: 10, max: 5, qualifier: range}}\n",
    )
    found = [(f.check, f.line) for f in _problems(sealed_case)]
    assert found == [("claims-schema", 3), ("claims-schema", 6)]
    messages = " ".join(f.message for f in _problems(sealed_case))
    assert "not a real calendar date" in messages
    assert "max >= value" in messages


def test_case_yaml_problems_are_a_finding_with_its_line(sealed_case: Path) -> None:
    text = (sealed_case / "case.yaml").read_text()
    (sealed_case / "case.yaml").write_text(text + "ern_prefix_typo: X\n")
    finding = _one(sealed_case)
    assert finding.check == "case-yaml"
    assert finding.path == "case.yaml"
    assert finding.line == len(text.splitlines()) + 1
    assert "unknown field 'ern_prefix_typo'" in finding.message


def test_not_a_case_folder(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="not a case folder"):
        check_case(tmp_path)
    with pytest.raises(CaseError, match="no such folder"):
        check_case(tmp_path / "missing")


def test_compiled_bodies(sealed_case: Path) -> None:
    _claims(
        sealed_case,
        "x.yaml",
        CLAIM.format(key="spaces-collapse", statement="  Kryvyi   Rih\n      was shelled. ")
        + "    quote: Kryvyi Rih was also shelled with missiles\n"
        + "    facts: {wounded: {value: 50, qualifier: approx}, killed: {value: 20,"
        + " qualifier: approx}}\n",
    )
    case = Case.open(sealed_case)
    report = Report()
    compiled = {c.key: c for c in compile_case_claims(case, case.state(), report)}
    assert report.ok
    body = compiled["spaces-collapse"].body
    assert body.statement == "Kryvyi Rih was shelled."
    assert list(body.facts) == ["killed", "wounded"]
    assert body.category == "other"
    assert body.status == "reported"
    assert body.places == ()
    assert body.source.id == "SRC-0001"
    assert body.source.revision == 1
    assert body.source.blake3 == case.state().latest["SRC-0001"].blake3
    assert body.quote is not None
    source = json.loads(record_slice(case.records.read("SRC-0001", 1)) or b"{}")
    text = case.objects.read(source["body"]["text"]["blake3"]).decode()
    assert text[body.quote.start : body.quote.end] == body.quote.exact
    assert text[body.quote.end :].startswith(body.quote.suffix)


def test_compiled_claims_cross_processes_unchanged() -> None:
    """Workers send compiled claims and key uses back pickled, as their fields."""
    import pickle

    from evidence.claims.compile import CompiledClaim

    claim = CompiledClaim("k-1", "reported", b'{"key":"k-1"}', "ab" * 32, "claims/a.yaml", 7)
    assert pickle.loads(pickle.dumps(claim)) == claim
