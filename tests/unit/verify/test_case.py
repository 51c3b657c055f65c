"""Verifying a case folder: the demo passes, the report's shape, and what verify refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.errors import CaseError, InputError, VerificationFailed
from evidence.ingest.add import add_source
from evidence.verify import require_valid, verify_case, verify_path
from tests.conftest import FIXED_NOW


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_sealed_example_passes(sealed_case: Path) -> None:
    report = verify_case(sealed_case)
    assert report.ok, [str(f) for f in report.problems()]
    assert report.problems() == []
    assert report.checked["objects"] == 2
    assert report.checked["records"] == 17
    assert report.checked["seals"] == 1
    assert report.checked["custody events"] >= 19
    for check in (
        "object-digest",
        "record-digest",
        "claim-quote",
        "custody-chain",
        "seal-root",
        "source-text",
    ):
        assert report.passed[check] > 0, check
    assert report.passed["claim-quote"] == 16


def test_the_json_report_shape(sealed_case: Path) -> None:
    (sealed_case / "records" / "notes.txt").write_text("x", encoding="utf-8")
    doc = json.loads(json.dumps(verify_case(sealed_case).to_dict()))
    assert set(doc) == {"ok", "findings", "checked", "latest_seal"}
    assert doc["ok"] is False
    assert doc["findings"] == [
        {
            "check": "record-name",
            "status": "FAIL",
            "path": "records/notes.txt",
            "record": None,
            "message": doc["findings"][0]["message"],
        }
    ]
    assert doc["checked"]["records"] == 17


def test_verify_writes_nothing(sealed_case: Path) -> None:
    before = _tree(sealed_case)
    verify_case(sealed_case)
    assert _tree(sealed_case) == before
    (sealed_case / "records" / "CLM-0001.1.json").write_bytes(b"{}")  # findings too
    before = _tree(sealed_case)
    verify_case(sealed_case)
    assert _tree(sealed_case) == before


def test_records_since_the_last_seal_are_information(sealed_case: Path, tmp_path: Path) -> None:
    article = tmp_path / "later.txt"
    article.write_text("date 2024-07-09 A later team-written report.\n", encoding="utf-8")
    add_source(Case.open(sealed_case), article, actor="tester", now=FIXED_NOW)
    report = verify_case(sealed_case)
    assert report.ok
    infos = [f for f in report.findings if f.status == "INFO"]
    assert [(f.check, f.path) for f in infos] == [("unsealed", "records/")]
    assert "SRC-0002.1" in infos[0].message


def test_a_new_case_verifies_with_no_seal_yet(new_case: Case) -> None:
    report = verify_case(new_case.root)
    assert report.ok
    assert [(f.check, f.status) for f in report.findings] == [("unsealed", "INFO")]


def test_broken_case_yaml_is_a_finding_and_the_rest_is_still_checked(sealed_case: Path) -> None:
    (sealed_case / "case.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (sealed_case / "records" / "notes.txt").write_text("x", encoding="utf-8")
    found = {(f.check, f.path) for f in verify_case(sealed_case).problems()}
    assert ("case-yaml", "case.yaml") in found
    assert ("record-name", "records/notes.txt") in found


@pytest.mark.parametrize("what", ["missing", "empty-folder", "file", "half-a-case"])
def test_not_a_case(tmp_path: Path, what: str) -> None:
    target = tmp_path / "target"
    if what == "empty-folder":
        target.mkdir()
    elif what == "file":
        target.write_text("x", encoding="utf-8")
    elif what == "half-a-case":
        target.mkdir()
        (target / "case.yaml").write_text("id: X\ntitle: X\nern_prefix: X\n", encoding="utf-8")
    with pytest.raises(CaseError) as info:
        verify_case(target)
    assert info.value.exit_code == 2
    assert info.value.path == str(target)


def test_verify_path_refuses_what_it_cannot_verify(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        verify_path(tmp_path / "missing")
    text = tmp_path / "notes.txt"
    text.write_text("not evidence", encoding="utf-8")
    with pytest.raises(InputError, match="expected a case folder"):
        verify_path(text)


def test_require_valid(sealed_case: Path) -> None:
    report = verify_case(sealed_case)
    assert require_valid(report) is report
    (sealed_case / "records" / "notes.txt").write_text("x", encoding="utf-8")
    bad = verify_case(sealed_case)
    with pytest.raises(VerificationFailed) as info:
        require_valid(bad)
    assert info.value.report is bad
    assert info.value.exit_code == 1


def test_progress_is_reported(sealed_case: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    verify_case(sealed_case, progress=lambda stage, done, total: calls.append((stage, done, total)))
    assert calls
    assert all(0 <= done <= total for _, done, total in calls)
    assert any(done == total for _, done, total in calls)


def test_verify_path_on_a_case_folder(sealed_case: Path) -> None:
    assert verify_path(sealed_case).ok


@pytest.mark.parametrize("head_withheld", [False, True])
def test_one_seal_custody_check_for_whole_and_partial_cases(
    sealed_case: Path, head_withheld: bool
) -> None:
    """The whole-case and partial-case verifiers share one check of a seal's custody head
    and ``sealed`` event; only a head that is absent differs (withheld in a partial case)."""
    from evidence.canonical import loads_json
    from evidence.digest import digest_bytes
    from evidence.model import Seal
    from evidence.report import Report
    from evidence.verify.case import check_seal_custody

    data = (sealed_case / "seals" / "0001.json").read_bytes()
    seal = Seal.from_dict(loads_json(data, path="seals/0001.json"))
    head: dict[int, str] = {seal.custody_seq: seal.custody_sha256}
    event = {"sha256": digest_bytes(data).sha256, "root": seal.root, "_line": 9, "_seq": 0}

    def run(digests: dict[int, str], seq: int) -> dict[str, str]:
        report = Report()
        events = {seal.sequence: {**event, "_seq": seq}}
        check_seal_custody(
            report,
            seal,
            data,
            "seals/0001.json",
            digests=digests,
            sealed_events=events,
            head_withheld=head_withheld,
        )
        out: dict[str, str] = {f.check: f.status for f in report.findings if f.status != "PASS"}
        for check in ("seal-custody", "seal-logged"):
            out.setdefault(check, "PASS" if report.passed[check] else "none")
        return out

    after = seal.custody_seq + 1
    assert run(head, after) == {"seal-custody": "PASS", "seal-logged": "PASS"}
    withheld = "INFO" if head_withheld else "FAIL"
    assert run({}, after) == {"seal-custody": withheld, "seal-logged": "PASS"}
    # the `sealed` event before the head it names: failed in both kinds of case
    assert run(head, seal.custody_seq)["seal-logged"] == "FAIL"
    assert run({seal.custody_seq: "00" * 32}, after)["seal-custody"] == "FAIL"
