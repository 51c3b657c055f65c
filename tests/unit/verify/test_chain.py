"""One set of seal-chain checks for the whole-case and the partial-case verifier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence.canonical import canonical_bytes
from evidence.case import Case
from evidence.integrity.disclose import disclose
from evidence.report import Report
from evidence.verify import verify_case
from evidence.verify.partial import verify_partial_case
from tests.support.cases import writable


@pytest.fixture
def both(stamped_case: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The stamped case and a partial case disclosed from it."""
    partial = tmp_path / "partial"
    disclose(Case.open(stamped_case), ["SRC-0001", "CLM-0003"], partial, actor="tester")
    writable(partial)
    return stamped_case, partial


def _verify(whole: Path, partial: Path) -> tuple[Report, Report]:
    return verify_case(whole), verify_partial_case(partial)


def _found(report: Report) -> set[tuple[str, str, str | None]]:
    return {(f.check, f.status, f.path) for f in report.problems()}


def test_both_verify_untouched(both: tuple[Path, Path]) -> None:
    whole, partial = _verify(*both)
    assert whole.ok, [str(f) for f in whole.problems()]
    assert partial.ok, [str(f) for f in partial.problems()]
    assert whole.passed["seal-consistency"] == partial.passed["seal-consistency"] == 1
    assert whole.latest_seal == partial.latest_seal


def test_an_unreadable_previous_seal_is_an_error_in_both(both: tuple[Path, Path]) -> None:
    """The link to a seal that cannot be read could not be checked: ERROR, in both."""
    for root in both:
        (root / "seals" / "0001.json").write_bytes(b"{not json\n")
    for report in _verify(*both):
        assert ("seal-chain", "ERROR", "seals/0002.json") in _found(report)


def test_a_broken_link_is_named_alike_in_both(both: tuple[Path, Path]) -> None:
    for root in both:
        path = root / "seals" / "0002.json"
        doc = json.loads(path.read_bytes())
        doc["previous"]["sha256"] = "ab" * 32
        path.write_bytes(canonical_bytes(doc) + b"\n")
    for report in _verify(*both):
        assert ("seal-chain", "FAIL", "seals/0002.json") in _found(report)
