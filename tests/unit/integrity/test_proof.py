"""RFC 9162 inclusion proofs of single records, and the algorithm the annex prints."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.canonical import canonical_bytes
from evidence.case import Case
from evidence.errors import InputError, UsageError
from evidence.integrity.merkle import inclusion_proof, leaf_hash, tree_root
from evidence.integrity.proof import (
    PROOF_ALGORITHM,
    InclusionProof,
    build_proof,
    check_proof,
    load_proof,
    proof_json,
)
from evidence.report import Report
from evidence.store import record_slice
from evidence.verify import VerifyOptions
from evidence.verify.partial import verify_proof_file
from tests.support.cases import add_claims, build_case
from tests.support.fixtures import KeyFiles, write_key_files


@pytest.fixture(scope="module")
def two_seals(tmp_path_factory: pytest.TempPathFactory) -> Case:
    case = build_case(tmp_path_factory.mktemp("proof") / "case")
    add_claims(case, "more")
    return case


def _checked(proof: InclusionProof, seal: bytes | None = None) -> Report:
    report = Report()
    check_proof(proof, report, seal_data=seal)
    return report


def test_every_record_of_every_seal_has_a_proof_that_checks(two_seals: Case) -> None:
    for sequence, size in ((1, 17), (2, 33)):
        seal = (two_seals.seals_dir / f"{sequence:04d}.json").read_bytes()
        leaves = json.loads(seal)["leaves"]
        assert len(leaves) == size
        for index, leaf in enumerate(leaves):
            proof = build_proof(
                two_seals, leaf["id"], seal_sequence=sequence, revision=leaf["revision"]
            )
            assert (proof.leaf_index, proof.tree_size) == (index, size)
            report = _checked(proof, seal)
            assert report.ok, [str(f) for f in report.problems()]
            assert report.passed["proof-seal"] == 1


def test_proof_document_round_trips(two_seals: Case, tmp_path: Path) -> None:
    proof = build_proof(two_seals, "clm-0003")
    text = proof_json(proof)
    doc = json.loads(text)
    assert doc["schema"] == "evidence/inclusion-proof/1"
    assert doc["record"]["record"]["id"] == "CLM-0003"
    assert doc["seal"] == {
        "sequence": 2,
        "file": "seals/0002.json",
        "sha256": hashlib.sha256((two_seals.seals_dir / "0002.json").read_bytes()).hexdigest(),
        "sealed_at": proof.sealed_at,
    }
    assert InclusionProof.from_dict(doc).to_dict() == doc
    path = tmp_path / "proof.json"
    path.write_text(text)
    assert load_proof(path) == proof


def test_without_an_anchor_a_proof_is_consistent_not_proven(two_seals: Case) -> None:
    """Issue 10, item 8: a self-consistent proof proves nothing without an anchor."""
    proof = build_proof(two_seals, "SRC-0001")
    report = _checked(proof)
    assert not report.ok
    assert [(f.check, f.status) for f in report.findings] == [("proof-anchor", "FAIL")]
    assert "consistent" in report.findings[0].message
    assert "not anchored" in report.findings[0].message
    anchored = Report()
    check_proof(proof, anchored, root=proof.root.upper())
    assert anchored.ok
    assert anchored.passed["proof-anchor"] == 1
    wrong = Report()
    check_proof(proof, wrong, root="ab" * 32)
    assert [f.check for f in wrong.problems()] == ["proof-anchor"]


def _set_hex(doc: dict[str, Any]) -> None:
    doc["audit_path"][0] = "0" * 64


def _record_changed(doc: dict[str, Any]) -> None:
    doc["record"]["record"]["body"]["statement"] += " (edited)"


def _record_and_digests_changed(doc: dict[str, Any]) -> None:
    from evidence.canonical import canonical_bytes
    from evidence.digest import digest_bytes

    _record_changed(doc)
    pair = digest_bytes(canonical_bytes(doc["record"]["record"]))
    doc["record"]["digests"] = {"blake3": pair.blake3, "sha256": pair.sha256}


TAMPERED: list[tuple[str, Callable[[dict[str, Any]], None], set[str]]] = [
    (
        "index-plus-one",
        lambda d: d.update(leaf_index=d["leaf_index"] + 1),
        {"proof-inclusion", "proof-seal"},
    ),
    (
        "index-beyond-tree",
        lambda d: d.update(leaf_index=d["tree_size"]),
        {"proof-inclusion", "proof-seal"},
    ),
    ("path-element-changed", _set_hex, {"proof-inclusion"}),
    ("path-truncated", lambda d: d["audit_path"].pop(), {"proof-inclusion"}),
    ("path-extended", lambda d: d["audit_path"].append("1" * 64), {"proof-inclusion"}),
    ("path-reordered", lambda d: d["audit_path"].reverse(), {"proof-inclusion"}),
    ("root-changed", lambda d: d.update(root="f" * 64), {"proof-inclusion", "proof-seal"}),
    (
        "size-changed",
        lambda d: d.update(tree_size=d["tree_size"] - 1),
        {"proof-inclusion", "proof-seal"},
    ),
    ("record-changed", _record_changed, {"proof-record", "proof-inclusion", "proof-seal"}),
    ("record-and-digests-changed", _record_and_digests_changed, {"proof-inclusion", "proof-seal"}),
    ("seal-digest-changed", lambda d: d["seal"].update(sha256="a" * 64), {"proof-seal"}),
]


@pytest.mark.parametrize(
    ("change", "failed"), [t[1:] for t in TAMPERED], ids=[t[0] for t in TAMPERED]
)
def test_tampered_proofs_fail(
    two_seals: Case, change: Callable[[dict[str, Any]], None], failed: set[str]
) -> None:
    doc = build_proof(two_seals, "CLM-0006").to_dict()
    change(doc)
    seal = (two_seals.seals_dir / "0002.json").read_bytes()
    report = _checked(InclusionProof.from_dict(doc), seal)
    assert {f.check for f in report.problems()} == failed


def test_a_proof_against_the_wrong_seal_fails(two_seals: Case) -> None:
    proof = build_proof(two_seals, "CLM-0006", seal_sequence=1)
    assert _checked(proof, (two_seals.seals_dir / "0001.json").read_bytes()).ok
    report = _checked(proof, (two_seals.seals_dir / "0002.json").read_bytes())
    messages = " ".join(f.message for f in report.problems())
    assert "tree size is 33, the proof says 17" in messages
    assert "sha256" in messages


BAD_REQUESTS = [
    ("unknown-record", "CLM-0999", None, None, "does not cover CLM-0999"),
    ("not-an-id", "claim-3", None, None, "not a record id"),
    ("no-such-seal", "CLM-0003", 9, None, "no seal 9"),
    ("not-in-older-seal", "CLM-0020", 1, None, "seal 1 does not cover CLM-0020"),
    ("no-such-revision", "CLM-0003", None, 4, "does not cover CLM-0003.4"),
]


@pytest.mark.parametrize(
    ("record", "seal", "revision", "message"),
    [b[1:] for b in BAD_REQUESTS],
    ids=[b[0] for b in BAD_REQUESTS],
)
def test_bad_requests(
    two_seals: Case, record: str, seal: int | None, revision: int | None, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        build_proof(two_seals, record, seal_sequence=seal, revision=revision)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"schema": "evidence/inclusion-proof/1"}', "missing required field"),
        (b"[1, 2]", "expected object"),
    ],
    ids=["not-json", "missing-fields", "not-an-object"],
)
def test_malformed_proof_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "proof.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_proof(path)


def test_verify_proof_file_checks_the_seal_and_its_attachments(
    stamped_case: Path, keys: KeyFiles, tmp_path: Path
) -> None:
    proof = build_proof(Case.open(stamped_case), "CLM-0002")
    path = tmp_path / "proof.json"
    path.write_text(proof_json(proof))
    seal = stamped_case / "seals" / "0002.json"
    report = verify_proof_file(
        path, seal_path=seal, options=VerifyOptions(trusted_keys=(keys.public,))
    )
    assert report.ok, [str(f) for f in report.problems()]
    assert report.passed["seal-signature"] == 1
    assert report.passed["timestamp-nonce"] == 2  # the custody log beside the seal is used
    other = write_key_files(tmp_path, "stranger").public
    report = verify_proof_file(path, seal_path=seal, options=VerifyOptions(trusted_keys=(other,)))
    assert [f.check for f in report.problems()] == ["seal-signer", "seal-trust"]


# -- the algorithm the dossier prints ---------------------------------------------------


def _as_printed(record_bytes: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """PROOF_ALGORITHM, implemented from its text alone (so the text is tested)."""
    h = hashlib.sha256(b"\x00" + record_bytes).digest()
    i, n = index, size - 1
    for c in path:
        if n == 0:
            return False
        if i % 2 == 1 or i == n:
            h = hashlib.sha256(b"\x01" + c + h).digest()
            while i % 2 == 0 and i > 0:
                i //= 2
                n //= 2
        else:
            h = hashlib.sha256(b"\x01" + h + c).digest()
        i //= 2
        n //= 2
    return n == 0 and h == root


@given(leaves=st.lists(st.binary(max_size=24), min_size=1, max_size=70), data=st.data())
@settings(max_examples=150, deadline=None)
def test_the_printed_algorithm_agrees_with_rfc9162(
    leaves: list[bytes], data: st.DataObject
) -> None:
    hashes = [leaf_hash(leaf) for leaf in leaves]
    root = tree_root(hashes)
    index = data.draw(st.integers(min_value=0, max_value=len(leaves) - 1))
    path = inclusion_proof(hashes, index)
    assert _as_printed(leaves[index], index, len(leaves), path, root)
    other = data.draw(st.integers(min_value=0, max_value=len(leaves) - 1))
    if leaves[other] != leaves[index]:
        assert not _as_printed(leaves[other], index, len(leaves), path, root)
    if path:
        bent = [*path[:-1], hashlib.sha256(path[-1]).digest()]
        assert not _as_printed(leaves[index], index, len(leaves), bent, root)


def test_the_printed_record_byte_offsets_are_right(two_seals: Case) -> None:
    assert "first 174" in PROOF_ALGORITHM
    assert "last 2" in PROOF_ALGORITHM
    data = two_seals.records.read("CLM-0001", 1)
    assert data[174:-2] == record_slice(data)


# -- consistency between consecutive seals (RFC 9162 §2.1.4) ------------------------------


def _rewrite_second_seal(root: Path, order: Callable[[list[Any]], list[Any]]) -> None:
    """Seal 2 rewritten over its own leaves in another order, with a matching root."""
    from evidence.canonical import canonical_bytes

    path = root / "seals" / "0002.json"
    doc = json.loads(path.read_bytes())
    doc["leaves"] = order(doc["leaves"])
    case = Case.open(root)
    hashes = [
        leaf_hash(record_slice(case.records.read(leaf["id"], leaf["revision"])) or b"")
        for leaf in doc["leaves"]
    ]
    doc["tree"]["root"] = tree_root(hashes).hex()
    doc["tree"]["size"] = len(doc["leaves"])
    path.chmod(0o644)
    path.write_bytes(canonical_bytes(doc) + b"\n")


@pytest.mark.parametrize(
    "order",
    [
        lambda leaves: [leaves[1], leaves[0], *leaves[2:]],
        lambda leaves: leaves[:3] + leaves[4:],
    ],
    ids=["earlier-records-reordered", "earlier-record-removed"],
)
def test_a_later_seal_that_does_not_extend_the_earlier_fails(
    tmp_path: Path, order: Callable[[list[Any]], list[Any]]
) -> None:
    from evidence.verify import verify_case

    case = build_case(tmp_path / "case")
    add_claims(case, "more")
    assert verify_case(case.root).ok
    _rewrite_second_seal(case.root, order)
    report = verify_case(case.root)
    failed = {f.check for f in report.problems()}
    assert "seal-consistency" in failed
    assert "seal-root" not in failed  # the rewritten seal is self-consistent


def test_a_seal_the_model_refuses_fails_the_check_closed(two_seals: Case) -> None:
    """A seal file the schema accepts but whose tree size is not its number of leaves
    (what only the model sees) is a FAIL of the proof, not an error thrown at the caller."""
    proof = build_proof(two_seals, "CLM-0006", seal_sequence=1)
    doc = json.loads((two_seals.seals_dir / "0001.json").read_bytes())
    doc["tree"]["size"] += 1
    report = _checked(proof, canonical_bytes(doc) + b"\n")
    assert not report.ok
    assert any(f.check == "proof-seal" and "leaves" in f.message for f in report.problems()), [
        str(f) for f in report.problems()
    ]
