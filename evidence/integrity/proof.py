"""RFC 9162 §2.1.3 inclusion proofs: one record shown to belong to a sealed case.

A seal commits to every record revision of a case through one Merkle root (RFC 9162
§2.1, SHA-256, leaf = the record's RFC 8785 bytes). An inclusion proof lets anyone check
that one record is a leaf of that tree without seeing the others: the record file, its
leaf index, the tree size, the root, and the audit path (the sibling hashes from the
leaf up to the root). Together with the seal file (whose signature and time-stamp
anchor the root to a key and a time), it shows that this exhibit belongs, unchanged, to
the signed, time-stamped whole.

The proof is a JSON document (``schemas/inclusion-proof.schema.json``)::

    {"schema": "evidence/inclusion-proof/1", "alg": "rfc9162-sha256", "case_id": "…",
     "record": {"digests": {…}, "record": {…}}, "leaf_index": 3, "tree_size": 33,
     "root": "<hex>", "audit_path": ["<hex>", …],
     "seal": {"sequence": 2, "file": "seals/0002.json", "sha256": "<hex>", "sealed_at": "…"}}

:data:`PROOF_ALGORITHM` states the check in a few lines, for the dossier's annex, so
that anyone can re-implement it.

Example:
    >>> PROOF_ALGORITHM.splitlines()[0]
    'Checking that a record belongs to a seal (RFC 9162 §2.1.3.2, SHA-256):'
    >>> # proof = build_proof(Case.open("my-case"), "CLM-0003"); print(proof_json(proof))
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

from evidence._fs import read_bytes
from evidence.canonical import JSONValue, canonical_bytes, loads_json
from evidence.case import Case
from evidence.digest import digest_bytes
from evidence.errors import CaseError, EvidenceError, SchemaError, UsageError
from evidence.integrity.merkle import inclusion_proof, leaf_hash, verify_inclusion
from evidence.model import TREE_ALG, RecordId, Seal, record_number
from evidence.progress import Progress
from evidence.report import Report
from evidence.schema import SchemaName, is_valid, validate
from evidence.store import record_slice

__all__ = [
    "PROOF_ALGORITHM",
    "PROOF_SCHEMA",
    "InclusionProof",
    "SealFile",
    "build_proof",
    "check_proof",
    "check_record_id",
    "leaf_hashes",
    "load_proof",
    "load_seal",
    "proof_json",
]

PROOF_SCHEMA: Final = "evidence/inclusion-proof/1"
_SCHEMA_NAME: Final[SchemaName] = "inclusion-proof"

PROOF_ALGORITHM: Final = """\
Checking that a record belongs to a seal (RFC 9162 §2.1.3.2, SHA-256):
1. b = the record's RFC 8785 bytes (in a record file: every byte after the first 174
   and before the last 2); h = SHA-256(0x00 || b); i = leaf index; n = tree size - 1.
2. For each hash c of the audit path, in order (stop with failure if n = 0 first):
   if i is odd or i = n: h = SHA-256(0x01 || c || h), then, while i is even and
   i > 0, halve i and n (integer division); otherwise h = SHA-256(0x01 || h || c).
   Then halve i and n.
3. The record is in the sealed tree when n = 0 and h equals the seal's tree root.
"""


def check_record_id(text: str) -> RecordId:
    """A record id as given on the command line (``SRC-0001``, ``CLM-0003``).

    Raises:
        UsageError: not a record id.
    """
    value = text.strip().upper()
    try:
        record_number(value)
    except SchemaError as exc:
        raise UsageError(f"{text!r} is not a record id (expected SRC-0001, CLM-0003 …)") from exc
    return RecordId(value)


@dataclass(frozen=True)
class SealFile:
    """A seal as stored: its file, parsed content and exact bytes."""

    path: Path
    seal: Seal
    data: bytes

    @property
    def sha256(self) -> str:
        return digest_bytes(self.data).sha256


def load_seal(case: Case, sequence: int | None = None) -> SealFile:
    """The seal ``sequence`` of a case (the latest by default), schema-checked.

    Raises:
        UsageError: the case has no seal, or no seal with that number.
        InputError: the seal file does not parse or fit its schema.
    """
    files = case.seal_files()
    if not files:
        raise UsageError("the case has no seal yet; run `evidence seal` first", path=str(case.root))
    if sequence is None:
        path = files[-1]
    else:
        path = case.seals_dir / f"{sequence:04d}.json"
        if path not in files:
            raise UsageError(
                f"no seal {sequence} (the case has seals 1 to {len(files)})", path=str(case.root)
            )
    data = read_bytes(path, what="seal")
    doc = loads_json(data, path=case.rel(path))
    validate("seal", doc, path=case.rel(path))
    return SealFile(path, Seal.from_dict(doc), data)


def leaf_hashes(case: Case, seal: Seal, *, progress: Progress | None = None) -> list[bytes]:
    """The RFC 9162 leaf hashes of every record a seal covers, read from the record files.

    Raises:
        CaseError: a record file is missing, malformed, or differs from what the seal says
            (``evidence verify`` says more).
    """
    hashes = []
    for index, leaf in enumerate(seal.leaves):
        name = f"records/{leaf.id}.{leaf.revision}.json"
        try:
            record_bytes = record_slice(case.records.read(leaf.id, leaf.revision))
        except EvidenceError as exc:
            raise CaseError(f"{name}: {exc.message}", hint="Run `evidence verify`.") from exc
        if record_bytes is None:
            raise CaseError(f"{name} is not in the record file form", hint="Run `evidence verify`.")
        pair = digest_bytes(record_bytes)
        if (pair.blake3, pair.sha256) != (leaf.blake3, leaf.sha256):
            raise CaseError(
                f"{name} differs from leaf {index} of seal {seal.sequence}",
                hint="Run `evidence verify`; the case was changed after sealing.",
            )
        hashes.append(leaf_hash(record_bytes))
        if progress is not None and index % 4096 == 0:
            progress("hashing leaves", index, len(seal.leaves))
    if progress is not None:
        progress("hashing leaves", len(seal.leaves), len(seal.leaves))
    return hashes


@dataclass(frozen=True)
class InclusionProof:
    """An inclusion proof as the JSON document holds it."""

    case_id: str
    envelope: Mapping[str, Any]
    leaf_index: int
    tree_size: int
    root: str
    audit_path: tuple[str, ...]
    seal_sequence: int
    seal_file: str
    seal_sha256: str
    sealed_at: str

    @property
    def record(self) -> Mapping[str, Any]:
        return cast(Mapping[str, Any], self.envelope["record"])

    @property
    def label(self) -> str:
        """``CLM-0003.1``."""
        return f"{self.record.get('id')}.{self.record.get('revision')}"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> InclusionProof:
        seal = d["seal"]
        return cls(
            d["case_id"],
            copy.deepcopy(dict(d["record"])),
            d["leaf_index"],
            d["tree_size"],
            d["root"],
            tuple(d["audit_path"]),
            seal["sequence"],
            seal["file"],
            seal["sha256"],
            seal["sealed_at"],
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "schema": PROOF_SCHEMA,
            "alg": TREE_ALG,
            "case_id": self.case_id,
            "record": dict(self.envelope),
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "root": self.root,
            "audit_path": list(self.audit_path),
            "seal": {
                "sequence": self.seal_sequence,
                "file": self.seal_file,
                "sha256": self.seal_sha256,
                "sealed_at": self.sealed_at,
            },
        }


def proof_json(proof: InclusionProof) -> str:
    """The proof as people read it (sorted keys, indented); any JSON parser takes it."""
    return json.dumps(proof.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _leaf_index(seal: Seal, record_id: str, revision: int | None) -> int:
    found = [
        i
        for i, leaf in enumerate(seal.leaves)
        if leaf.id == record_id and (revision is None or leaf.revision == revision)
    ]
    if not found:
        what = record_id if revision is None else f"{record_id}.{revision}"
        raise UsageError(
            f"seal {seal.sequence} does not cover {what}",
            hint="`evidence verify` lists what each seal covers; a record "
            "added since needs `evidence seal` first.",
        )
    return found[-1]


def build_proof(
    case: Case, record_id: str, *, seal_sequence: int | None = None, revision: int | None = None
) -> InclusionProof:
    """The inclusion proof of a record (its latest revision in the seal, or ``revision``).

    Raises:
        UsageError: not a record id, no such seal, or the seal does not cover the record.
        CaseError: the record files do not match the seal (the case was changed).
    """
    rid = check_record_id(record_id)
    sealed = load_seal(case, seal_sequence)
    seal = sealed.seal
    index = _leaf_index(seal, rid, revision)
    hashes = leaf_hashes(case, seal)
    leaf = seal.leaves[index]
    # Through the one record loader (digest, envelope form, JSON, schema, model); the
    # digests are the seal's, which leaf_hashes has just found the record's bytes to have.
    loaded = case.records.load(leaf.id, leaf.revision, blake3=leaf.blake3)
    envelope = {
        "record": loads_json(loaded.record_bytes, path=f"records/{leaf.id}.{leaf.revision}.json"),
        "digests": {"blake3": leaf.blake3, "sha256": leaf.sha256},
    }
    return InclusionProof(
        case_id=seal.case_id,
        envelope=envelope,
        leaf_index=index,
        tree_size=seal.size,
        root=seal.root,
        audit_path=tuple(h.hex() for h in inclusion_proof(hashes, index)),
        seal_sequence=seal.sequence,
        seal_file=f"seals/{seal.filename}",
        seal_sha256=sealed.sha256,
        sealed_at=seal.sealed_at,
    )


def load_proof(path: Path) -> InclusionProof:
    """Read and schema-check an inclusion proof file.

    Raises:
        InputError: unreadable, not JSON, or not an inclusion proof (with the field).
    """
    doc = loads_json(read_bytes(path, what="inclusion proof"), path=str(path))
    validate(_SCHEMA_NAME, doc, path=str(path))
    return InclusionProof.from_dict(doc)


def check_proof(
    proof: InclusionProof,
    report: Report,
    *,
    seal_data: bytes | None = None,
    seal_rel: str | None = None,
    root: str | None = None,
) -> None:
    """Check a proof: the record's digests, the audit path, and its anchor.

    Findings: ``proof-record`` (the envelope's digests are those of the record's RFC 8785
    bytes), ``proof-inclusion`` (the audit path leads from the record to the root),
    ``proof-seal`` (the seal file is the one the proof names, and its root, size and leaf
    at the index agree), ``proof-anchor`` (the root is one the verifier holds: the seal
    file's, or ``root``). A proof checked against nothing but itself is consistent, not
    anchored: anyone can make a self-consistent proof for a forged record, so that is a
    FAIL (docs/decisions/0405).
    """
    label = proof.label
    report.count("inclusion proofs")
    try:
        record_bytes = canonical_bytes(proof.record)
    except EvidenceError as exc:
        report.add("proof-record", "FAIL", exc.message, record=label)
        return
    pair = digest_bytes(record_bytes)
    digests = proof.envelope.get("digests", {})
    if (digests.get("blake3"), digests.get("sha256")) != (pair.blake3, pair.sha256):
        report.add(
            "proof-record",
            "FAIL",
            f"the record's bytes give sha256 {pair.sha256}, the proof says {digests.get('sha256')}",
            record=label,
        )
    else:
        report.add("proof-record", "PASS", label)
    path = [bytes.fromhex(h) for h in proof.audit_path]
    if verify_inclusion(
        leaf_hash(record_bytes), proof.leaf_index, proof.tree_size, path, bytes.fromhex(proof.root)
    ):
        report.add("proof-inclusion", "PASS", label)
    else:
        report.add(
            "proof-inclusion",
            "FAIL",
            f"the audit path does not lead from leaf {proof.leaf_index} to root "
            f"{proof.root} in a tree of {proof.tree_size} (RFC 9162 §2.1.3.2)",
            record=label,
        )
    if root is not None:
        if root.lower() == proof.root:
            report.add("proof-anchor", "PASS", label)
        else:
            report.add(
                "proof-anchor",
                "FAIL",
                f"the proof leads to root {proof.root}, not to the root {root.lower()} "
                "given with --root",
                record=label,
            )
    if seal_data is None:
        if root is None:
            report.add(
                "proof-anchor",
                "FAIL",
                "the proof is consistent (its record digests and audit path check) "
                "but not anchored: nothing says its root is a sealed one. Give --seal "
                f"{proof.seal_file} (with its signature and time-stamp checked) or "
                "--root HEX (a root you hold from a trusted source)",
                record=label,
            )
        return
    _check_against_seal(
        proof, report, seal_data, seal_rel or proof.seal_file, pair.blake3, pair.sha256
    )


def _check_against_seal(
    proof: InclusionProof,
    report: Report,
    seal_data: bytes,
    rel: str,
    blake3_hex: str,
    sha256_hex: str,
) -> None:
    label = proof.label
    problems = []
    sha = digest_bytes(seal_data).sha256
    if sha != proof.seal_sha256:
        problems.append(f"the seal file's sha256 is {sha}, the proof names {proof.seal_sha256}")
    try:
        doc = loads_json(seal_data, path=rel)
    except EvidenceError as exc:
        report.add("proof-seal", "FAIL", exc.message, path=rel, record=label)
        return
    if not is_valid("seal", doc):
        report.add("proof-seal", "FAIL", "not a seal file", path=rel, record=label)
        return
    try:
        seal = Seal.from_dict(doc)
    except SchemaError as exc:  # what the schema cannot see: a size that is not the leaves'
        report.add("proof-seal", "FAIL", f"not a seal file: {exc}", path=rel, record=label)
        return
    expected: Sequence[tuple[str, object, object]] = (
        ("case id", seal.case_id, proof.case_id),
        ("root", seal.root, proof.root),
        ("tree size", seal.size, proof.tree_size),
        ("sequence", seal.sequence, proof.seal_sequence),
    )
    problems.extend(
        f"the seal's {what} is {found}, the proof says {said}"
        for what, found, said in expected
        if found != said
    )
    if not 0 <= proof.leaf_index < seal.size:
        problems.append(f"the seal has no leaf {proof.leaf_index}")
    else:
        leaf = seal.leaves[proof.leaf_index]
        if (leaf.id, leaf.revision) != (proof.record.get("id"), proof.record.get("revision")):
            problems.append(
                f"leaf {proof.leaf_index} of the seal is {leaf.id}.{leaf.revision}, not {label}"
            )
        elif (leaf.blake3, leaf.sha256) != (blake3_hex, sha256_hex):
            problems.append(
                f"leaf {proof.leaf_index} of the seal has sha256 {leaf.sha256}, "
                f"the record gives {sha256_hex}"
            )
    if problems:
        for problem in problems:
            report.add("proof-seal", "FAIL", problem, path=rel, record=label)
    else:
        report.add("proof-seal", "PASS", label)
