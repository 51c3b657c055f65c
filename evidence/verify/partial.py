"""Verification of part of a case: one record with its proof, or a partial case.

Two things are checked here that the whole-case verifier cannot check, because part of
the case is deliberately absent:

- :func:`verify_proof_file`: an RFC 9162 inclusion proof (``evidence proof``), alone or
  against the seal file it names, with that seal's signature and time-stamps;
- :func:`verify_partial_case`: a folder written by ``evidence disclose``. Every file it
  holds is checked as in a whole case (objects, record files, seals and what is stored
  beside them); what is withheld is checked through the seals instead: each shown
  record revision must be the leaf the seals name at its index and must have a valid
  RFC 9162 §2.1.3 inclusion proof to every seal that holds it; consecutive seals must
  chain and have a valid §2.1.4 consistency proof; the custody lines kept must be the
  original lines (their hash chain is checked wherever two kept lines are neighbours).
  The report says how many records were withheld.

Check names, beyond those of :mod:`evidence.verify.case`: ``disclosure``,
``disclosure-record``, ``disclosure-proof``, ``disclosure-ern``, ``claim-source`` (a
withheld source is INFO when the claim pins the digest its sealed leaf has),
``seal-consistency``, ``custody-withheld`` (INFO), ``withheld`` (INFO).

Example:
    >>> is_partial_case("no-such-folder")
    False
    >>> # verify_partial_case("public-version").ok
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from evidence._fs import read_bytes
from evidence.canonical import canonical_bytes, loads_json
from evidence.case import CASE_FILE, Case, load_case_meta
from evidence.digest import Blake3Hex, digest_bytes
from evidence.errors import EvidenceError
from evidence.integrity.custody import line_digest
from evidence.integrity.disclose import (
    DISCLOSURE_FILE,
    DisclosedRecord,
    Disclosure,
    exhibit_numbers,
    is_partial_case,
    load_disclosure,
)
from evidence.integrity.merkle import verify_inclusion
from evidence.integrity.proof import check_proof, load_proof
from evidence.model import RecordId, Seal, SourceRef
from evidence.progress import Progress
from evidence.report import Report
from evidence.schema import is_valid
from evidence.verify._closed import scan_closed_world
from evidence.verify._scan import RecordScan
from evidence.verify.attachments import check_seal_attachments, check_seal_trust
from evidence.verify.case import (
    _check_claim,
    _check_revision_chain,
    _check_source,
    _Ctx,
    _fallback_meta,
    _scan,
    check_seal_custody,
)
from evidence.verify.chain import ReadSeal, check_chain, read_seals
from evidence.verify.options import VerifyOptions

__all__ = ["is_partial_case", "verify_partial_case", "verify_proof_file"]


# -- one record and its proof ---------------------------------------------------------------


def verify_proof_file(
    proof_path: Path,
    *,
    seal_path: Path | None = None,
    root: str | None = None,
    options: VerifyOptions | None = None,
) -> Report:
    """Check an inclusion proof against its anchor: a seal file (with its signature and
    time-stamps) or a root the verifier holds. Without either, the proof is reported as
    consistent but not anchored, which is not OK.

    The custody log beside the seal (``../custody.jsonl``), when there is one, is used to
    check the time-stamp nonces.

    Raises:
        InputError: the proof or the seal file cannot be read or is not one.
    """
    proof = load_proof(proof_path)
    report = Report(subject=str(proof_path))
    opts = options or VerifyOptions()
    if seal_path is None:
        check_proof(proof, report, root=root)
        return report
    data = read_bytes(seal_path, what="seal")
    rel = str(seal_path)
    check_proof(proof, report, seal_data=data, seal_rel=rel, root=root)
    doc = loads_json(data, path=rel)
    if is_valid("seal", doc):
        custody = seal_path.resolve().parent.parent / "custody.jsonl"
        result = check_seal_attachments(
            report,
            seal_path,
            data,
            doc,
            opts,
            rel=rel,
            custody_path=custody if custody.is_file() else None,
        )
        check_seal_trust(report, [(rel, result)], opts)
    else:
        report.add("seal-schema", "FAIL", "not a seal file", path=rel)
    return report


# -- a partial case -------------------------------------------------------------------------


def verify_partial_case(
    path: str | os.PathLike[str],
    *,
    options: VerifyOptions | None = None,
    progress: Progress | None = None,
) -> Report:
    """Check a partial case written by ``evidence disclose``; return every finding.

    Raises:
        InputError: the folder holds no disclosure.json.
    """
    root = Path(path)
    report = Report(subject=str(root))
    opts = options or VerifyOptions()
    try:
        disclosure = load_disclosure(root)
    except EvidenceError as exc:
        report.add("disclosure", "FAIL", exc.message, path=DISCLOSURE_FILE, line=exc.line)
        return report
    if disclosure is None:
        report.add(
            "disclosure", "ERROR", "no disclosure.json: not a partial case", path=DISCLOSURE_FILE
        )
        return report
    try:
        meta = load_case_meta(root / CASE_FILE)
    except EvidenceError as exc:
        report.add("case-yaml", "FAIL", exc.message, path=CASE_FILE, line=exc.line)
        meta = _fallback_meta(root)
    ctx = _Ctx(Case(root, meta), report, progress, opts)
    scan_closed_world(root, report, partial=True)
    _scan(ctx)
    seals = _check_seals(ctx, disclosure)
    if not seals:
        report.add("disclosure", "FAIL", "a partial case holds no seal", path="seals/")
        return report
    latest = seals[-1].seal
    _check_manifest(ctx, disclosure, seals)
    _check_links(ctx, latest)
    _check_custody(ctx, disclosure, seals)
    shown = {r.id for r in disclosure.records}
    all_ids = {leaf.id for leaf in latest.leaves}
    withheld = len(all_ids - shown)
    report.count("withheld records", withheld)
    report.add(
        "withheld",
        "INFO",
        f"{withheld} of {len(all_ids)} records withheld ({latest.size - len(ctx.records)}"
        f" of {latest.size} revisions); seal {latest.sequence} names them by digest "
        "only",
        path=DISCLOSURE_FILE,
    )
    return report


def _check_seals(ctx: _Ctx, disclosure: Disclosure) -> list[ReadSeal]:
    """The seal-chain checks every verifier shares; the consistency proofs come from
    disclosure.json, since the withheld leaves cannot be hashed here."""
    files = ctx.case.seal_files()
    read = read_seals(files, ctx.report, rel=ctx.case.rel)

    def proof(old: Seal, new: Seal) -> list[bytes] | None:
        found = disclosure.consistency.get((old.sequence, new.sequence))
        return None if found is None else [bytes.fromhex(h) for h in found]

    check_chain(
        ctx.report,
        read,
        case_id=ctx.case.meta.id,
        options=ctx.options,
        custody_path=ctx.case.custody.path,
        proof=proof,
        names=[ctx.case.rel(p) for p in files],
    )
    return [r for r in read if r is not None]


def _check_manifest(ctx: _Ctx, disclosure: Disclosure, seals: list[ReadSeal]) -> None:
    report = ctx.report
    latest = seals[-1]
    expected = {
        "sequence": latest.seal.sequence,
        "file": latest.rel,
        "sha256": digest_bytes(latest.data).sha256,
        "root": latest.seal.root,
        "size": latest.seal.size,
    }
    if dict(disclosure.seal) != expected:
        report.add(
            "disclosure",
            "FAIL",
            f"disclosure.json names seal {dict(disclosure.seal)}, "
            f"the latest seal here is {expected}",
            path=DISCLOSURE_FILE,
        )
    if disclosure.case_id != ctx.case.meta.id:
        report.add(
            "disclosure",
            "FAIL",
            f"disclosure of case {disclosure.case_id!r}, case.yaml says {ctx.case.meta.id!r}",
            path=DISCLOSURE_FILE,
        )
    numbers = exhibit_numbers(latest.seal)
    listed = set()
    for entry in disclosure.records:
        label = f"{entry.id}.{entry.revision}"
        rel = f"records/{label}.json"
        listed.add((entry.id, entry.revision))
        report.count("disclosed revisions")
        rec = ctx.records.get((entry.id, entry.revision))
        if rec is None:
            report.add(
                "disclosure-record",
                "FAIL",
                "listed in disclosure.json, but the record file is missing",
                path=rel,
                record=label,
            )
            continue
        if entry.ern != ctx.case.meta.ern(numbers.get(entry.id, 0)):
            report.add(
                "disclosure-ern",
                "FAIL",
                f"disclosure.json gives exhibit number {entry.ern}, the seal's order "
                f"gives {ctx.case.meta.ern(numbers.get(entry.id, 0))}",
                path=rel,
                record=label,
            )
        for sealed in seals:
            _check_leaf_proof(ctx, entry, rec, sealed)
    for key in sorted(ctx.records):
        if key not in listed:
            label = f"{key[0]}.{key[1]}"
            report.add(
                "record-unaccounted",
                "FAIL",
                "a record file that disclosure.json does not list",
                path=f"records/{label}.json",
                record=label,
            )


def _check_leaf_proof(ctx: _Ctx, entry: DisclosedRecord, rec: RecordScan, sealed: ReadSeal) -> None:
    seal = sealed.seal
    label = f"{entry.id}.{entry.revision}"
    rel = f"records/{label}.json"
    index = entry.leaf_index
    if index >= seal.size:
        if seal.sequence in entry.proofs:
            ctx.report.add(
                "disclosure-proof",
                "FAIL",
                f"a proof for seal {seal.sequence}, whose tree has no leaf {index}",
                path=rel,
                record=label,
            )
        return
    leaf = seal.leaves[index]
    if (leaf.id, leaf.revision, leaf.blake3, leaf.sha256) != (
        rec.id,
        rec.revision,
        rec.blake3,
        rec.sha256,
    ):
        ctx.report.add(
            "disclosure-record",
            "FAIL",
            f"leaf {index} of seal {seal.sequence} is {leaf.id}.{leaf.revision} "
            f"with sha256 {leaf.sha256[:16]}…, not this record file "
            f"(sha256 {rec.sha256[:16]}…)",
            path=rel,
            record=label,
        )
        return
    proof = entry.proofs.get(seal.sequence)
    if proof is None:
        ctx.report.add(
            "disclosure-proof",
            "FAIL",
            f"no inclusion proof for seal {seal.sequence}",
            path=rel,
            record=label,
        )
        return
    size, path = proof
    ok = size == seal.size and verify_inclusion(
        rec.leaf, index, size, [bytes.fromhex(h) for h in path], bytes.fromhex(seal.root)
    )
    if ok:
        ctx.report.add("disclosure-proof", "PASS", label)
    else:
        ctx.report.add(
            "disclosure-proof",
            "FAIL",
            f"the inclusion proof does not lead from leaf {index} to the root of "
            f"seal {seal.sequence} (RFC 9162 §2.1.3.2)",
            path=rel,
            record=label,
        )


def _check_links(ctx: _Ctx, latest: Seal) -> None:
    """Revision chains, source objects and claims, with withheld sources allowed."""
    sealed = {(leaf.id, leaf.revision): leaf.blake3 for leaf in latest.leaves}
    report = ctx.report
    for (record_id, revision), rec in sorted(ctx.records.items()):
        rel = f"records/{record_id}.{revision}.json"
        label = f"{record_id}.{revision}"
        _check_revision_chain(ctx, rec, rel, label)
        if rec.kind == "source":
            _check_source(ctx, rec, rel, label)
        elif rec.kind == "claim":
            assert rec.source is not None
            ref = SourceRef(RecordId(rec.source[0]), rec.source[1], Blake3Hex(rec.source[2]))
            if (ref.id, ref.revision) in ctx.records:
                _check_claim(ctx, rec, rel, label)
            elif sealed.get((ref.id, ref.revision)) == ref.blake3:
                report.add(
                    "claim-source",
                    "INFO",
                    f"quotes {ref.id}.{ref.revision}, which is withheld; the digest "
                    "it pins is the one the seal gives that source",
                    path=rel,
                    record=label,
                )
            else:
                report.add(
                    "claim-source",
                    "FAIL",
                    f"quotes {ref.id}.{ref.revision} with blake3 {ref.blake3[:16]}…, "
                    "which no seal here covers",
                    path=rel,
                    record=label,
                )


def _check_custody(ctx: _Ctx, disclosure: Disclosure, seals: list[ReadSeal]) -> None:
    report = ctx.report
    rel = "custody.jsonl"
    digests: dict[int, str] = {}
    named: set[tuple[str, int]] = set()
    sealed_events: dict[int, Any] = {}
    previous: tuple[int, str] | None = None
    gaps = 0
    for line in ctx.case.custody.lines():
        report.count("custody events")
        data = line.data
        if not isinstance(data, dict) or not is_valid("custody-event", data):
            report.add("custody-line", "FAIL", "not a custody event", path=rel, line=line.number)
            continue
        try:
            canonical_ok = canonical_bytes(data) == line.raw
        except EvidenceError:
            canonical_ok = False
        if not canonical_ok:
            report.add(
                "custody-line",
                "FAIL",
                "not the original line: not in RFC 8785 canonical form",
                path=rel,
                line=line.number,
            )
        seq, digest = data["seq"], line_digest(line.raw)
        if previous is not None and seq <= previous[0]:
            report.add(
                "custody-chain",
                "FAIL",
                f"sequence {seq} after {previous[0]}",
                path=rel,
                line=line.number,
            )
        elif (previous is None and seq == 1) or (previous and seq == previous[0] + 1):
            expected = previous[1] if previous else None
            if data["prev"] == expected:
                report.add("custody-chain", "PASS", str(line.number))
            else:
                report.add(
                    "custody-chain",
                    "FAIL",
                    f"prev is {data['prev']}, the line before hashes to {expected}",
                    path=rel,
                    line=line.number,
                )
        else:
            gaps += seq - (previous[0] if previous else 0) - 1
        digests[seq] = digest
        previous = (seq, digest)
        _custody_event(ctx, data, line.number, named, sealed_events)
    if gaps != disclosure.withheld_events:
        report.add(
            "custody-withheld",
            "FAIL",
            f"{gaps} custody event(s) are missing, disclosure.json says "
            f"{disclosure.withheld_events} were withheld",
            path=rel,
        )
    elif gaps:
        report.add(
            "custody-withheld",
            "INFO",
            f"{gaps} custody event(s) about withheld records are withheld; the hash "
            "chain is checked between the lines kept",
            path=rel,
        )
    for key in sorted(ctx.records):
        if key not in named:
            label = f"{key[0]}.{key[1]}"
            report.add(
                "custody-record",
                "FAIL",
                "no custody event names this record",
                path=f"records/{label}.json",
                record=label,
            )
    for sealed in seals:
        check_seal_custody(
            report,
            sealed.seal,
            sealed.data,
            sealed.rel,
            digests=digests,
            sealed_events=sealed_events,
            head_withheld=True,
        )


def _custody_event(
    ctx: _Ctx,
    data: dict[str, Any],
    number: int,
    named: set[tuple[str, int]],
    sealed_events: dict[int, Any],
) -> None:
    subject = data["subject"]
    if data["action"] == "sealed":
        sealed_events[data["details"].get("sequence")] = {
            **data["details"],
            "_line": number,
            "_seq": data["seq"],
        }
    if subject is None:
        return
    key = (subject["id"], subject["revision"])
    label = f"{key[0]}.{key[1]}"
    rec = ctx.records.get(key)
    if rec is None:
        ctx.report.add(
            "custody-record",
            "FAIL",
            f"names {label}, which is not disclosed",
            path="custody.jsonl",
            line=number,
            record=label,
        )
        return
    named.add(key)
    if rec.blake3 != subject["blake3"]:
        ctx.report.add(
            "custody-record",
            "FAIL",
            f"names {label} with blake3 {subject['blake3']}, the record file has {rec.blake3}",
            path="custody.jsonl",
            line=number,
            record=label,
        )
