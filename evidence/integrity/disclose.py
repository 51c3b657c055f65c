"""Selective disclosure: a partial case that shows chosen records and proves they belong.

``evidence disclose DIR --records SRC-0001,CLM-0003 -o OUT`` writes a new folder that
holds only the chosen records (every sealed revision of each) and the objects they
name, with everything needed to check that each shown exhibit belongs, unchanged, to
the signed, time-stamped whole: how a public, redacted version of a case is shared.
Layout (docs/decisions/0403-selective-disclosure.md)::

    OUT/case.yaml         the case's identity (id, title, ERN prefix …), not its narrative
    OUT/records/          the chosen records' files, byte for byte
    OUT/objects/          the objects those records name (captured bytes, texts)
    OUT/seals/            every seal, with its signature, time-stamp tokens and chains
    OUT/custody.jsonl     the custody lines that concern no withheld record, verbatim
    OUT/disclosure.json   for each shown revision: its leaf index, ERN and an RFC 9162
                          §2.1.3 inclusion proof for every seal that holds it; RFC 9162
                          §2.1.4 consistency proofs between consecutive seals; how many
                          records, revisions and custody events were withheld
    OUT/README.txt        how to check it, with this tool or with stock tools
    OUT/evidence-verify.py  the one-file verifier (standard library and openssl only)

Withheld records appear only as what the seals already say of them: an id, a
revision, and two digests. No claims/*.yaml, no other record's file, object or custody
line is copied. ``evidence verify OUT`` checks a partial case (see
:mod:`evidence.verify.partial`).

Example:
    >>> is_partial_case("no-such-folder")
    False
    >>> # disclose(Case.open("my-case"), ["SRC-0001", "CLM-0003"], Path("public"))
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from evidence._fs import fsync_dir, read_bytes, write_new_file
from evidence._time import format_time, utc_now
from evidence._yaml import dump_yaml, load_yaml
from evidence.canonical import JSONValue, loads_json
from evidence.case import CASE_FILE, Case, default_actor, tool_name
from evidence.digest import digest_bytes, is_hex64
from evidence.errors import CaseError, EvidenceError, UsageError
from evidence.integrity.custody import NewEvent
from evidence.integrity.merkle import consistency_proof, inclusion_proof
from evidence.integrity.proof import (
    PROOF_ALGORITHM,
    SealFile,
    check_record_id,
    leaf_hashes,
    load_seal,
)
from evidence.integrity.sign import openssl_verify_command as openssl_signature_command
from evidence.integrity.timestamp import openssl_verify_command as openssl_token_command
from evidence.integrity.timestamp import token_paths
from evidence.model import ClaimBody, RecordId, Seal
from evidence.schema import SchemaName, validate
from evidence.standalone import VERIFIER_NAME, verifier_bytes

__all__ = [
    "DISCLOSURE_FILE",
    "DISCLOSURE_SCHEMA",
    "DisclosedRecord",
    "Disclosure",
    "DisclosureResult",
    "disclose",
    "exhibit_numbers",
    "is_partial_case",
    "load_disclosure",
    "object_digests",
]

DISCLOSURE_FILE: Final = "disclosure.json"
DISCLOSURE_SCHEMA: Final = "evidence/disclosure/1"
SCHEMA_NAME: Final[SchemaName] = "disclosure"
README_FILE: Final = "README.txt"
RECORD_HEAD_BYTES: Final = 174
"""A record file's bytes before the record's RFC 8785 bytes (see evidence.store)."""

_CASE_KEEP: Final = (
    "id",
    "title",
    "ern_prefix",
    "situation",
    "template",
    "classification",
    "language",
    "reference",
    "created",
    "submitter",
    "addressee",
)
"""case.yaml fields a partial case keeps: its identity, not the narrative that may
speak of withheld records (summary, legal characterisation, requests, declaration)."""


@dataclass(frozen=True, slots=True)
class DisclosedRecord:
    """One shown record revision, as disclosure.json lists it."""

    id: RecordId
    revision: int
    ern: str
    leaf_index: int
    blake3: str
    sha256: str
    proofs: Mapping[int, tuple[int, tuple[str, ...]]]
    """seal sequence -> (tree size, audit path)."""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DisclosedRecord:
        return cls(
            RecordId(d["id"]),
            d["revision"],
            d["ern"],
            d["leaf_index"],
            d["blake3"],
            d["sha256"],
            {p["seal"]: (p["tree_size"], tuple(p["audit_path"])) for p in d["proofs"]},
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "id": self.id,
            "revision": self.revision,
            "ern": self.ern,
            "leaf_index": self.leaf_index,
            "blake3": self.blake3,
            "sha256": self.sha256,
            "proofs": [
                {"seal": seq, "tree_size": size, "audit_path": list(path)}
                for seq, (size, path) in sorted(self.proofs.items())
            ],
        }


@dataclass(frozen=True)
class Disclosure:
    """disclosure.json: what a partial case shows and withholds, with its proofs."""

    case_id: str
    disclosed_at: str
    disclosed_by: str
    tool: str
    seal: Mapping[str, JSONValue]
    records: tuple[DisclosedRecord, ...]
    consistency: Mapping[tuple[int, int], tuple[str, ...]]
    withheld_records: int
    withheld_revisions: int
    withheld_events: int

    @property
    def shown_ids(self) -> list[RecordId]:
        """The shown record ids, in order of entry."""
        return list(dict.fromkeys(r.id for r in self.records))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Disclosure:
        withheld = d["withheld"]
        return cls(
            d["case_id"],
            d["disclosed_at"],
            d["disclosed_by"],
            d["tool"],
            dict(d["seal"]),
            tuple(DisclosedRecord.from_dict(r) for r in d["records"]),
            {(c["from"], c["to"]): tuple(c["proof"]) for c in d["consistency"]},
            withheld["records"],
            withheld["revisions"],
            withheld["custody_events"],
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "schema": DISCLOSURE_SCHEMA,
            "case_id": self.case_id,
            "disclosed_at": self.disclosed_at,
            "disclosed_by": self.disclosed_by,
            "tool": self.tool,
            "seal": dict(self.seal),
            "records": [r.to_dict() for r in self.records],
            "consistency": [
                {"from": a, "to": b, "proof": list(p)}
                for (a, b), p in sorted(self.consistency.items())
            ],
            "withheld": {
                "records": self.withheld_records,
                "revisions": self.withheld_revisions,
                "custody_events": self.withheld_events,
            },
        }


def is_partial_case(path: str | os.PathLike[str]) -> bool:
    """True for a folder written by ``evidence disclose``."""
    return (Path(path) / DISCLOSURE_FILE).is_file()


def load_disclosure(root: str | os.PathLike[str]) -> Disclosure | None:
    """The disclosure.json of a partial case, or None for a whole case.

    The dossier renderer uses it to say on the cover that the case is partial.

    Raises:
        InputError: disclosure.json exists but does not parse or fit its schema.
    """
    path = Path(root) / DISCLOSURE_FILE
    if not path.is_file():
        return None
    doc = loads_json(read_bytes(path, what="disclosure manifest"), path=DISCLOSURE_FILE)
    validate(SCHEMA_NAME, doc, path=DISCLOSURE_FILE)
    return Disclosure.from_dict(doc)


def exhibit_numbers(seal: Seal) -> dict[str, int]:
    """Each record id's 1-based position among the ids a seal covers, in order of entry.

    The same numbers the whole case gives its exhibits (``CaseState.ern_number``), read
    from the seal, so a partial case keeps every exhibit's ERN.
    """
    numbers: dict[str, int] = {}
    for leaf in seal.leaves:
        numbers.setdefault(leaf.id, len(numbers) + 1)
    return numbers


def object_digests(value: JSONValue) -> Iterator[str]:
    """Every BLAKE3 digest of an object reference ({blake3, sha256, …}) inside a record."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if is_hex64(item.get("blake3")) and is_hex64(item.get("sha256")):
                yield item["blake3"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@dataclass
class DisclosureResult:
    """What ``disclose`` wrote."""

    out: Path
    disclosure: Disclosure
    objects: int
    seals: int
    notes: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    seals: list[SealFile]
    chosen: list[RecordId]
    records: list[DisclosedRecord] = field(default_factory=list)
    objects: set[str] = field(default_factory=set)
    hashes: list[bytes] = field(default_factory=list)
    custody: list[bytes] = field(default_factory=list)
    withheld_events: int = 0
    notes: list[str] = field(default_factory=list)


def _check_out(case: Case, out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(
            "exists and is not an empty folder; give a new folder for the disclosure", path=str(out)
        )
    root, target = case.root.resolve(), out.resolve()
    if target == root or (
        root in target.parents and case.out_dir.resolve() not in (target, *target.parents)
    ):
        raise UsageError(
            "a disclosure goes outside the case folder (or in its out/)", path=str(out)
        )
    if not out.parent.is_dir():
        raise UsageError("no such folder", path=str(out.parent))


def _chosen(case: Case, latest: Seal, record_ids: Sequence[str]) -> list[RecordId]:
    chosen = list(dict.fromkeys(check_record_id(r) for r in record_ids if r.strip()))
    if not chosen:
        raise UsageError("no record to disclose: give --records SRC-0001,CLM-0003 …")
    sealed = {leaf.id for leaf in latest.leaves}
    missing = [r for r in chosen if r not in sealed]
    if missing:
        known = case.state().latest
        unknown = [r for r in missing if r not in known]
        if unknown:
            raise UsageError(
                f"no record {', '.join(unknown)} in the case",
                hint="`evidence verify` lists the records; nothing was written.",
            )
        raise UsageError(
            f"{', '.join(missing)} not sealed yet (seal {latest.sequence} does not cover it)",
            hint="Run `evidence seal` first; nothing was written.",
        )
    return chosen


def _plan(case: Case, record_ids: Sequence[str]) -> _Plan:
    seals = [load_seal(case, n) for n in range(1, len(case.seal_files()) + 1)]
    if not seals:
        raise UsageError("the case has no seal yet; run `evidence seal` first", path=str(case.root))
    latest = seals[-1].seal
    plan = _Plan(seals, _chosen(case, latest, record_ids))
    for earlier in seals[:-1]:
        if latest.leaves[: earlier.seal.size] != earlier.seal.leaves:
            raise CaseError(
                f"seal {earlier.seal.sequence} is not a prefix of seal {latest.sequence}",
                hint="Run `evidence verify`.",
            )
    hashes = plan.hashes = leaf_hashes(case, latest)
    numbers = exhibit_numbers(latest)
    wanted = set(plan.chosen)
    for index, leaf in enumerate(latest.leaves):
        if leaf.id not in wanted:
            continue
        proofs = {
            s.seal.sequence: (
                s.seal.size,
                tuple(h.hex() for h in inclusion_proof(hashes[: s.seal.size], index)),
            )
            for s in seals
            if s.seal.size > index
        }
        plan.records.append(
            DisclosedRecord(
                leaf.id,
                leaf.revision,
                case.meta.ern(numbers[leaf.id]),
                index,
                leaf.blake3,
                leaf.sha256,
                proofs,
            )
        )
        body = case.records.load(leaf.id, leaf.revision, blake3=leaf.blake3).record.body
        plan.objects.update(d for d in object_digests(body.to_dict()) if case.objects.exists(d))
        if isinstance(body, ClaimBody) and body.source.id not in wanted:
            plan.notes.append(
                f"{leaf.id}.{leaf.revision} quotes {body.source.id}, which is "
                "withheld: its quote can be read, not checked against the text"
            )
    _plan_custody(case, plan, wanted)
    return plan


def _plan_custody(case: Case, plan: _Plan, wanted: set[RecordId]) -> None:
    for line in case.custody.lines():
        data = line.data
        if not isinstance(data, dict):
            raise CaseError(
                f"custody.jsonl line {line.number} is not a JSON object",
                hint="Run `evidence verify`; nothing was written.",
            )
        subject = data.get("subject")
        if subject is None or (isinstance(subject, dict) and subject.get("id") in wanted):
            plan.custody.append(line.raw)
        else:
            plan.withheld_events += 1


def _consistency(
    seals: list[SealFile], hashes: list[bytes]
) -> dict[tuple[int, int], tuple[str, ...]]:
    out = {}
    for old, new in itertools.pairwise(seals):
        if old.seal.size == 0:
            continue
        proof = consistency_proof(hashes[: new.seal.size], old.seal.size)
        out[(old.seal.sequence, new.seal.sequence)] = tuple(h.hex() for h in proof)
    return out


def disclose(
    case: Case,
    record_ids: Sequence[str],
    out: Path,
    *,
    actor: str | None = None,
    now: _dt.datetime | None = None,
) -> DisclosureResult:
    """Write a partial case with the chosen records (every sealed revision of each).

    The folder is built beside ``out`` under a temporary name and renamed into place
    when complete, so a crash never leaves half a disclosure. The case's custody log
    records an ``exported`` event naming what was disclosed.

    Raises:
        UsageError: an unknown or unsealed record, no seal yet, or ``out`` is taken.
        CaseError: the case's files do not match its seals (run ``evidence verify``).
        LockError: another process is writing to the case.
    """
    who = default_actor(actor)
    moment = now or utc_now()
    _check_out(case, out)
    with case.lock():
        plan = _plan(case, record_ids)
        latest = plan.seals[-1]
        ids_in_seal = {leaf.id for leaf in latest.seal.leaves}
        disclosure = Disclosure(
            case_id=case.meta.id,
            disclosed_at=format_time(moment),
            disclosed_by=who,
            tool=tool_name(),
            seal={
                "sequence": latest.seal.sequence,
                "file": f"seals/{latest.seal.filename}",
                "sha256": latest.sha256,
                "root": latest.seal.root,
                "size": latest.seal.size,
            },
            records=tuple(plan.records),
            consistency=_consistency(plan.seals, plan.hashes),
            withheld_records=len(ids_in_seal - set(plan.chosen)),
            withheld_revisions=latest.seal.size - len(plan.records),
            withheld_events=plan.withheld_events,
        )
        manifest = (
            json.dumps(disclosure.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        ).encode("utf-8")
        seal_count = _write(case, plan, out, manifest, disclosure)
        case.custody.append(
            [
                NewEvent(
                    "exported",
                    None,
                    {
                        "kind": "disclosure",
                        "out": str(out),
                        "records": list(plan.chosen),
                        "revisions": len(plan.records),
                        "seal": latest.seal.sequence,
                        "withheld_records": disclosure.withheld_records,
                        "manifest_sha256": digest_bytes(manifest).sha256,
                    },
                )
            ],
            actor=who,
            now=moment,
        )
    return DisclosureResult(out, disclosure, len(plan.objects), seal_count, plan.notes)


def _write(case: Case, plan: _Plan, out: Path, manifest: bytes, disclosure: Disclosure) -> int:
    """Build the folder under a temporary name, then rename it into place."""
    tmp = out.parent / f".{out.name}.disclose-{secrets.token_hex(6)}"
    tmp.mkdir()
    try:
        for sub in ("records", "objects", "seals"):
            (tmp / sub).mkdir()
        write_new_file(tmp / CASE_FILE, _case_yaml(case), durable=False)
        for record in plan.records:
            name = f"{record.id}.{record.revision}.json"
            write_new_file(
                tmp / "records" / name, case.records.read(record.id, record.revision), durable=False
            )
        for digest in sorted(plan.objects):
            folder = tmp / "objects" / digest[:2]
            folder.mkdir(exist_ok=True)
            write_new_file(folder / digest, case.objects.read(digest), durable=False)
        seals = 0
        for sealed in plan.seals:
            for path in _seal_files(sealed.path):
                write_new_file(
                    tmp / "seals" / path.name, read_bytes(path, what="seal file"), durable=False
                )
            seals += 1
        write_new_file(
            tmp / "custody.jsonl",
            b"".join(line + b"\n" for line in plan.custody),
            mode=0o644,
            durable=False,
        )
        write_new_file(tmp / DISCLOSURE_FILE, manifest, durable=False)
        write_new_file(
            tmp / README_FILE, _readme(case, plan, disclosure).encode("utf-8"), durable=False
        )
        write_new_file(tmp / VERIFIER_NAME, verifier_bytes(), durable=False)
        os.sync()  # everything durable before the folder gets its final name
        if out.exists():
            out.rmdir()  # empty, checked before
        os.rename(tmp, out)
        fsync_dir(out.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return seals


def _seal_files(seal_path: Path) -> list[Path]:
    """A seal file and what is stored beside it (signature, tokens, chains)."""
    prefix = seal_path.name + "."
    beside = [
        p
        for p in seal_path.parent.iterdir()
        if p.name.startswith(prefix) and not p.name.endswith(".tmp")
    ]
    return [seal_path, *sorted(beside)]


def _case_yaml(case: Case) -> bytes:
    doc = load_yaml(read_bytes(case.root / CASE_FILE, what="case.yaml"), path=CASE_FILE).data
    kept = {k: doc[k] for k in _CASE_KEEP if isinstance(doc, dict) and k in doc}
    try:
        validate("case", kept, path=CASE_FILE)
    except EvidenceError as exc:
        raise CaseError(f"case.yaml: {exc.message}", hint="Run `evidence check`.") from exc
    header = (
        "# case.yaml of a partial case written by `evidence disclose`: the case's\n"
        "# identity only. See disclosure.json and README.txt.\n"
    )
    return (header + dump_yaml(kept)).encode("utf-8")


def _readme(case: Case, plan: _Plan, disclosure: Disclosure) -> str:
    latest = plan.seals[-1]
    seal_rel = f"seals/{latest.seal.filename}"
    shown = ", ".join(f"{r.id}.{r.revision} ({r.ern})" for r in disclosure.records)
    lines = [
        f"Partial disclosure of case {case.meta.id}: {case.meta.title}",
        "",
        f"Shown: {shown}.",
        f"Withheld: {disclosure.withheld_records} record(s), {disclosure.withheld_revisions} "
        f"revision(s) and {disclosure.withheld_events} custody event(s). The seals name "
        "withheld records by id and digest only.",
        f"Disclosed {disclosure.disclosed_at} by {disclosure.disclosed_by} "
        f"({disclosure.tool}); latest seal {seal_rel}, root {latest.seal.root}.",
        "",
        "Check everything with the tool:",
        "  evidence verify . --trusted-key SIGNER.pub --tsa-ca TSA-ROOT.pem",
        "or, without installing it, with Python 3.11 or later and openssl "
        f"({VERIFIER_NAME}, in this folder):",
        f"  python3 {VERIFIER_NAME} . --trusted-key SIGNER.pub --tsa-ca TSA-ROOT.pem",
        "",
        "Check with stock tools:",
        "  1. Each object is named by its BLAKE3 digest: b3sum objects/*/*",
        '  2. Each record\'s SHA-256 is listed in the seal file under "leaves", at the',
        "     leaf_index disclosure.json gives. The record's RFC 8785 bytes are the file",
        f"     without its first {RECORD_HEAD_BYTES} bytes and its last 2:",
        f"       tail -c +{RECORD_HEAD_BYTES + 1} records/ID.REV.json | head -c -2 | sha256sum",
    ]
    lines.append(
        "  3. The seals: each names the SHA-256 of the one before (sha256sum seals/*.json);"
    )
    lines.append("     their signatures and time-stamp tokens:")
    for sealed in plan.seals:
        rel = f"seals/{sealed.seal.filename}"
        if (sealed.path.parent / (sealed.path.name + ".sig")).exists():
            lines.append("     " + openssl_signature_command(rel, "SIGNER.pub"))
        for n, _ in token_paths(sealed.path):
            lines.append("     " + openssl_token_command(rel, n, "TSA-ROOT.pem"))
    lines += [
        "",
        "  4. The inclusion proofs in disclosure.json lead from each record to each",
        "     seal's root:",
        "",
    ]
    lines += ["     " + line for line in PROOF_ALGORITHM.splitlines()]
    return "\n".join(lines) + "\n"
