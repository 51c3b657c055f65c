"""Selective disclosure: the partial case, what it withholds, and how it verifies.

(The partial-case verifier, evidence/verify/partial.py, is tested here with the builder.)
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evidence.canonical import loads_json
from evidence.case import Case
from evidence.errors import UsageError
from evidence.ingest.add import add_source
from evidence.integrity.disclose import disclose, exhibit_numbers, load_disclosure
from evidence.integrity.proof import load_seal
from evidence.report import Report
from evidence.verify import VerifyOptions
from evidence.verify.partial import is_partial_case, verify_partial_case
from tests.support.cases import build_case
from tests.support.fixtures import KeyFiles
from tests.support.tsa import TestTSA

SHOWN = ["SRC-0001", "CLM-0003", "CLM-0020"]


def _strict(keys: KeyFiles, tsa: TestTSA) -> VerifyOptions:
    return VerifyOptions(
        trusted_keys=(keys.public,),
        tsa_ca=tsa.ca_pem,
        require_signature=True,
        require_timestamp=True,
    )


def _problems(report: Report) -> list[str]:
    return [str(f) for f in report.problems()]


@pytest.fixture
def partial(stamped_case: Path, tmp_path: Path) -> Path:
    out = tmp_path / "public"
    disclose(Case.open(stamped_case), SHOWN, out, actor="press officer")
    return out


def test_the_partial_case_verifies_and_counts_what_is_withheld(
    partial: Path, keys: KeyFiles, tsa: TestTSA
) -> None:
    assert is_partial_case(partial)
    report = verify_partial_case(partial, options=_strict(keys, tsa))
    assert report.ok, _problems(report)
    assert report.checked["withheld records"] == 30
    assert report.checked["disclosed revisions"] == 3
    [withheld] = [f for f in report.findings if f.check == "withheld"]
    assert withheld.message.startswith("30 of 33 records withheld")
    # SRC-0001 and CLM-0003 are in both seals, CLM-0020 only in the second.
    assert report.passed["disclosure-proof"] == 5
    assert report.passed["seal-consistency"] == 1
    assert report.passed["seal-signature"] == 2
    assert report.passed["timestamp-signature"] == 3
    assert report.passed["claim-quote"] == 2


def test_layout_and_manifest(partial: Path, stamped_case: Path) -> None:
    assert sorted(p.name for p in partial.iterdir()) == [
        "README.txt",
        "case.yaml",
        "custody.jsonl",
        "disclosure.json",
        "evidence-verify.py",
        "objects",
        "records",
        "seals",
    ]
    assert sorted(p.name for p in (partial / "records").iterdir()) == [
        "CLM-0003.1.json",
        "CLM-0020.1.json",
        "SRC-0001.1.json",
    ]
    assert sorted(p.name for p in (partial / "seals").iterdir()) == sorted(
        p.name for p in (stamped_case / "seals").iterdir()
    )
    for name in ("SRC-0001.1.json", "CLM-0003.1.json"):
        assert (partial / "records" / name).read_bytes() == (
            stamped_case / "records" / name
        ).read_bytes()
    manifest = load_disclosure(partial)
    assert manifest is not None
    assert manifest.shown_ids == SHOWN
    assert manifest.withheld_records == 30
    assert manifest.disclosed_by == "press officer"
    numbers = exhibit_numbers(load_seal(Case.open(stamped_case)).seal)
    assert [r.ern for r in manifest.records] == [f"TST-INT-{numbers[r]:04d}" for r in SHOWN]
    assert [r.ern for r in manifest.records][:2] == ["TST-INT-0001", "TST-INT-0004"]
    assert load_disclosure(stamped_case) is None


def test_nothing_of_a_withheld_record_is_copied(partial: Path, stamped_case: Path) -> None:
    case = Case.open(stamped_case)
    shown = set(SHOWN)
    secrets = []
    for subject in case.state().entries:
        if subject.id in shown:
            continue
        doc = loads_json(case.records.read(subject.id, subject.revision), path="r")
        body = doc["record"]["body"]
        secrets += [body["statement"], body["key"]]
    # Claims of the second seal repeat the first seal's statements under longer keys, and
    # some statements are sentences of the article: what a shown record or object says
    # anyway is no leak.
    shown_text = b"".join(
        p.read_bytes()
        for folder in ("records", "objects")
        for p in (partial / folder).rglob("*")
        if p.is_file()
    ).decode()
    secrets = [s for s in secrets if s not in shown_text]
    assert len(secrets) > 20
    everything = b"".join(p.read_bytes() for p in partial.rglob("*") if p.is_file())
    text = everything.decode("utf-8", "replace")
    leaked = [s for s in secrets if s in text]
    assert not leaked
    assert not (partial / "claims").exists()
    assert "summary" not in (partial / "case.yaml").read_text()
    assert "narrative summary" in (stamped_case / "case.yaml").read_text()


def test_kept_custody_lines_are_the_original_bytes(partial: Path, stamped_case: Path) -> None:
    original = (stamped_case / "custody.jsonl").read_bytes().splitlines()
    kept = (partial / "custody.jsonl").read_bytes().splitlines()
    assert kept
    assert set(kept) <= set(original)
    assert [original.index(line) for line in kept] == sorted(original.index(line) for line in kept)
    manifest = load_disclosure(partial)
    assert manifest is not None
    # The disclosure is logged in the source case (after the lines it copied).
    assert len(original) == len(kept) + manifest.withheld_events + 1
    last = json.loads(original[-1])
    assert last["action"] == "exported"
    assert last["details"]["kind"] == "disclosure"
    assert last["details"]["records"] == SHOWN


def test_a_claim_whose_source_is_withheld(stamped_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "only-claim"
    result = disclose(Case.open(stamped_case), ["CLM-0005"], out)
    assert "SRC-0001, which is withheld" in result.notes[0]
    assert not any((out / "objects").iterdir())
    report = verify_partial_case(out)
    assert report.ok, _problems(report)
    [info] = [f for f in report.findings if f.check == "claim-source"]
    assert info.status == "INFO"
    assert "the digest it pins is the one the seal gives" in info.message


def test_stock_tools_check_a_disclosed_record_against_the_seal(partial: Path) -> None:
    record = partial / "records" / "CLM-0003.1.json"
    digest = subprocess.run(
        f"tail -c +175 {record} | head -c -2 | sha256sum",
        shell=True,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[0]
    leaves = json.loads((partial / "seals" / "0002.json").read_bytes())["leaves"]
    manifest = load_disclosure(partial)
    assert manifest is not None
    entry = next(r for r in manifest.records if r.id == "CLM-0003")
    assert leaves[entry.leaf_index]["sha256"] == digest
    readme = (partial / "README.txt").read_text()
    assert "openssl pkeyutl -verify" in readme
    assert "openssl ts -verify -data seals/0002.json -in seals/0002.json.2.tsr" in readme
    assert "RFC 9162" in readme


def _edit_json(change: Callable[[dict[str, Any]], object]) -> Callable[[Path], None]:
    def tamper(root: Path) -> None:
        path = root / "disclosure.json"
        doc = json.loads(path.read_text())
        change(doc)
        path.write_text(json.dumps(doc))

    return tamper


def _replace(rel: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def tamper(root: Path) -> None:
        path = root / rel
        data = path.read_bytes()
        assert old in data
        path.write_bytes(data.replace(old, new, 1))

    return tamper


def _path_changed(doc: dict[str, Any]) -> None:
    doc["records"][1]["proofs"][0]["audit_path"][0] = "0" * 64


def _proof_missing(doc: dict[str, Any]) -> None:
    doc["records"][1]["proofs"].pop()


def _index_changed(doc: dict[str, Any]) -> None:
    doc["records"][1]["leaf_index"] = 4


def _ern_changed(doc: dict[str, Any]) -> None:
    doc["records"][1]["ern"] = "TST-INT-0099"


def _consistency_changed(doc: dict[str, Any]) -> None:
    doc["consistency"][0]["proof"][0] = "1" * 64


def _unlisted(doc: dict[str, Any]) -> None:
    doc["records"].pop()


def _drop_custody_line(root: Path) -> None:
    path = root / "custody.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:3] + lines[4:]))


def _object_edited(root: Path) -> None:
    obj = next(p for p in (root / "objects").rglob("*") if p.is_file())
    obj.write_bytes(obj.read_bytes() + b" ")


TAMPERING: list[tuple[str, Callable[[Path], None], str]] = [
    (
        "record-edited",
        _replace("records/CLM-0003.1.json", b'"status":"reported"', b'"status":"verified"'),
        "record-digest",
    ),
    ("proof-path-changed", _edit_json(_path_changed), "disclosure-proof"),
    ("proof-missing", _edit_json(_proof_missing), "disclosure-proof"),
    ("leaf-index-changed", _edit_json(_index_changed), "disclosure-record"),
    ("ern-changed", _edit_json(_ern_changed), "disclosure-ern"),
    ("consistency-proof-changed", _edit_json(_consistency_changed), "seal-consistency"),
    ("record-unlisted", _edit_json(_unlisted), "record-unaccounted"),
    (
        "custody-line-edited",
        _replace("custody.jsonl", b'"actor":"tester"', b'"actor":"mallory"'),
        "custody-chain",
    ),
    ("custody-line-dropped", _drop_custody_line, "custody-withheld"),
    (
        "seal-edited",
        _replace("seals/0002.json", b'"sequence":2', b'"sequence":2 '),
        "seal-signature",
    ),
    ("object-edited", _object_edited, "object-digest"),
]


@pytest.mark.parametrize(
    ("tamper", "check"), [t[1:] for t in TAMPERING], ids=[t[0] for t in TAMPERING]
)
def test_tampering_with_a_partial_case_is_found(
    partial: Path, keys: KeyFiles, tsa: TestTSA, tamper: Callable[[Path], None], check: str
) -> None:
    for path in partial.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    tamper(partial)
    report = verify_partial_case(partial, options=_strict(keys, tsa))
    assert not report.ok
    assert check in {f.check for f in report.problems()}, _problems(report)


def test_a_withheld_record_file_slipped_in_is_found(partial: Path, stamped_case: Path) -> None:
    (partial / "records" / "CLM-0001.1.json").write_bytes(
        (stamped_case / "records" / "CLM-0001.1.json").read_bytes()
    )
    report = verify_partial_case(partial)
    assert "record-unaccounted" in {f.check for f in report.problems()}


BAD: list[tuple[str, list[str], str]] = [
    ("unknown-record", ["SRC-0001", "CLM-0999"], "no record CLM-0999 in the case"),
    ("not-an-id", ["source one"], "not a record id"),
    ("nothing", [" ", ""], "no record to disclose"),
]


@pytest.mark.parametrize(("records", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_requests_write_nothing(
    stamped_case: Path, tmp_path: Path, records: list[str], message: str
) -> None:
    case = Case.open(stamped_case)
    log = case.custody.path.read_bytes()
    with pytest.raises(UsageError, match=message):
        disclose(case, records, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]
    assert case.custody.path.read_bytes() == log


def test_an_unsealed_record_cannot_be_disclosed(tmp_path: Path) -> None:
    case = build_case(tmp_path / "case")
    note = tmp_path / "evening-note.txt"
    note.write_text(
        "Evening note\n\nThe city administration said two drones were shot down "
        "over the river on the evening of 9 July 2024.\n",
        encoding="utf-8",
    )
    add_source(case, note, overrides={"title": "Evening note", "language": "en"}, actor="tester")
    with pytest.raises(UsageError, match="SRC-0002 not sealed yet"):
        disclose(case, ["SRC-0001", "SRC-0002"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "where",
    ["taken", "inside-case", "no-parent"],
    ids=["out-not-empty", "out-inside-records", "out-parent-missing"],
)
def test_bad_output_folders(stamped_case: Path, tmp_path: Path, where: str) -> None:
    out = {
        "taken": tmp_path / "taken",
        "inside-case": stamped_case / "records" / "public",
        "no-parent": tmp_path / "a" / "b",
    }[where]
    if where == "taken":
        out.mkdir()
        (out / "keep.txt").write_text("mine")
    with pytest.raises(UsageError):
        disclose(Case.open(stamped_case), ["SRC-0001"], out)
    assert not (stamped_case / "records" / "public").exists()


def test_a_disclosure_may_go_in_the_case_out_folder(stamped_case: Path) -> None:
    out = stamped_case / "out" / "public"
    (stamped_case / "out").mkdir(exist_ok=True)
    disclose(Case.open(stamped_case), ["SRC-0001"], out)
    assert verify_partial_case(out).ok


def test_a_case_without_seal_cannot_be_disclosed(new_case: Case, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no seal yet"):
        disclose(new_case, ["SRC-0001"], tmp_path / "out")
