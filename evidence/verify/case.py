"""Verification of a case folder: every file the tool wrote, checked independently.

What is checked, and the check names the report uses:

- ``object-digest``: each object's bytes hash (BLAKE3) to its name;
- ``record-name``, ``record-form``, ``record-schema``, ``record-digest``: each record file
  is named ``<ID>.<revision>.json`` after the record it holds, is the RFC 8785 envelope,
  fits its schema, and its digests are those of the record's canonical bytes;
- ``record-chain``: revisions run 1, 2, … and each names the one it supersedes;
- ``source-object``, ``source-text``: a source's objects exist with the digests, size and
  length its record gives;
- ``claim-source``, ``claim-quote``: a claim's source revision exists with the digest the
  claim pins, and its quote offsets still select its quote in the source text;
- ``custody-line``, ``custody-chain``, ``custody-record``: the log parses, its sequence
  numbers run without gaps, each line names the digest of the line before, and each
  record event names a record file with that digest;
- ``record-unaccounted``: a record file that neither a seal nor the custody log names;
- ``seal-*``: each seal's schema, leaves (against the record files and the order of
  entry), Merkle root, chain to the previous seal, consistency with it (RFC 9162
  §2.1.4), custody head, and its ``sealed`` event in the log;
- ``unsealed`` (INFO): records written since the last seal.

Example:
    >>> # report = verify_case("my-case"); report.ok  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence._fs import read_bytes
from evidence._parallel import chunked, cpu_count, map_chunks
from evidence.canonical import loads_json
from evidence.case import CASE_FILE, CASE_META_ACTION, RECORD_ACTIONS, Case, load_case_meta
from evidence.digest import digest_bytes
from evidence.errors import CaseError, EvidenceError
from evidence.integrity.merkle import (
    consistency_proof,
    tree_root,
)
from evidence.model import Seal
from evidence.progress import Progress
from evidence.report import Finding, Report
from evidence.store import parse_record_filename
from evidence.verify._closed import scan_closed_world
from evidence.verify._scan import LineScan, ObjectScan, RecordScan, run_task
from evidence.verify.chain import check_chain, read_seals
from evidence.verify.options import VerifyOptions

__all__ = ["verify_case"]


@dataclass
class _Ctx:
    case: Case
    report: Report
    progress: Progress | None
    options: VerifyOptions
    objects: dict[str, tuple[str, int]] = field(default_factory=dict)  # blake3 -> sha256, size
    bad_objects: set[str] = field(default_factory=set)
    records: dict[tuple[str, int], RecordScan] = field(default_factory=dict)
    lines: list[LineScan] = field(default_factory=list)
    texts: dict[str, str | None] = field(default_factory=dict)
    order: list[tuple[str, int, str]] = field(default_factory=list)  # custody entry order
    custody_digests: dict[int, str] = field(default_factory=dict)  # seq -> line digest
    sealed_events: dict[int, dict[str, Any]] = field(default_factory=dict)
    case_meta_events: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    """(seq, line, details) of each ``case-metadata`` event."""


def verify_case(
    path: str | os.PathLike[str],
    *,
    options: VerifyOptions | None = None,
    progress: Progress | None = None,
    closed_world: bool = True,
) -> Report:
    """Check every file of a case folder; return a report with every finding.

    Args:
        path: the case folder.
        options: trust anchors and requirements.
        progress: called now and then during long work.
        closed_world: report links, leftovers and unknown files anywhere in the folder
            (:mod:`evidence.verify._closed`). False only for a folder this tool
            materialised from a dossier's or bundle's file list, whose left-out objects
            are links to the case they came from.

    Raises:
        CaseError: the folder is not a case folder (the command cannot run).
    """
    root = Path(path)
    if (root / "custody.jsonl").is_file():  # a case folder: wait for a writer to finish
        from evidence._fs import case_read_lock

        with case_read_lock(root):
            return _verify_case(root, options, progress, closed_world=closed_world)
    return _verify_case(root, options, progress, closed_world=closed_world)


def _verify_case(
    root: Path, options: VerifyOptions | None, progress: Progress | None, *, closed_world: bool
) -> Report:
    report = Report(subject=str(root))
    try:
        case = Case.open(root)
    except CaseError:
        if not _lost_case_files(root, report):
            raise
        case = Case(root, _fallback_meta(root))
    except EvidenceError as exc:
        # case.yaml is people's writing, but verify still checks what the tool wrote.
        report.add("case-yaml", "FAIL", exc.message, path=CASE_FILE, line=exc.line)
        case = Case(root, _fallback_meta(root))
    ctx = _Ctx(case, report, progress, options or VerifyOptions())
    if closed_world:
        scan_closed_world(root, report)
    _scan(ctx)
    _check_record_links(ctx)
    _check_unreferenced_objects(ctx)
    _check_custody(ctx)
    _check_seals(ctx)
    _check_case_meta(ctx)
    return report


_CASE_PARTS = (CASE_FILE, "custody.jsonl", "records", "objects", "seals")


def _lost_case_files(root: Path, report: Report) -> bool:
    """Name the parts a case folder lost; False when the folder is no case folder at all.

    A folder holding a seal, or the custody log, or at least three of the parts a case
    has, is a case folder that lost what is missing: that is tampering (or damage) and a
    finding, never "not a case folder".
    """
    if not root.is_dir():
        return False
    present = [name for name in _CASE_PARTS if (root / name).exists()]
    seals = root / "seals"
    sealed = seals.is_dir() and any(
        p.name.endswith(".json") and p.name[:-5].isdigit() for p in seals.iterdir()
    )
    if not (sealed or "custody.jsonl" in present or len(present) >= 3):
        return False
    for name in _CASE_PARTS:
        if name not in present and name != "seals":
            what = {CASE_FILE: "the case metadata", "custody.jsonl": "the custody log"}.get(
                name, "a folder of the case"
            )
            report.add(
                "case-missing",
                "FAIL",
                f"{what} is missing from a case folder (deleted after the case was made?)",
                path=name,
            )
    return True


def _fallback_meta(root: Path) -> Any:
    """The metadata to check against when case.yaml cannot be read: the case id from the
    custody log's `created` event, else from the first seal."""
    from evidence.model import CaseMeta

    try:
        return load_case_meta(root / CASE_FILE)
    except EvidenceError:
        pass
    case_id = "?"
    try:
        with open(root / "custody.jsonl", "rb") as fh:
            first = loads_json(fh.readline().rstrip(b"\n"), path="custody.jsonl")
        details = first.get("details") if isinstance(first, dict) else None
        if isinstance(details, dict) and isinstance(details.get("case_id"), str):
            case_id = details["case_id"]
    except (OSError, EvidenceError):
        try:
            seal = loads_json(
                read_bytes(root / "seals" / "0001.json", what="seal"), path="seals/0001.json"
            )
            if isinstance(seal, dict) and isinstance(seal.get("case_id"), str):
                case_id = seal["case_id"]
        except EvidenceError:
            pass
    return CaseMeta(id=case_id, title="?", ern_prefix="X")


def _check_unreferenced_objects(ctx: _Ctx) -> None:
    """An object no record names is not part of the evidence: a finding (closed world)."""
    named: set[str] = set()
    for rec in ctx.records.values():
        if rec.obj is not None:
            named.add(rec.obj[0])
        if rec.text is not None:
            named.add(rec.text[0])
        named.update(blake3_hex for _, blake3_hex, _, _ in rec.attachments)
    for name in sorted((set(ctx.objects) | ctx.bad_objects) - named):
        ctx.report.add(
            "object-unreferenced",
            "FAIL",
            "an object that no record names (added outside the tool, or left by "
            "an interrupted `add`)",
            path=f"objects/{name[:2]}/{name}",
        )


# -- scanning every file, on every core -----------------------------------------------------


def _scan(ctx: _Ctx) -> None:
    """Scan objects, record files and custody lines (each alone, in worker processes)."""
    case, report = ctx.case, ctx.report
    objects = [case.rel(p) for p in case.objects.iter_paths()]
    records: list[tuple[str, str, int]] = []
    try:
        names = case.records.names()
    except EvidenceError as exc:
        report.add("record-name", "ERROR", exc.message, path="records/")
        names = []
    for name in names:
        if name.startswith(".") and name.endswith(".tmp"):
            continue
        parsed = parse_record_filename(name)
        if parsed is None:
            report.add(
                "record-name",
                "FAIL",
                "not a record file name (expected <ID>.<revision>.json)",
                path=f"records/{name}",
            )
            continue
        records.append((name, parsed[0], parsed[1]))
    lines = _custody_lines(case)
    workers = cpu_count()
    parts = workers * 2
    tasks: list[tuple[str, Path, list[Any]]] = [
        *(("objects", case.root, c) for c in chunked(objects, parts) if c),
        *(("records", case.root, c) for c in chunked(records, parts) if c),
        *(("custody", case.root, c) for c in chunked(lines, parts) if c),
    ]
    if ctx.progress is not None:
        ctx.progress("reading", 0, len(objects) + len(records) + len(lines))
    results = map_chunks(
        run_task, tasks, workers=workers, total=len(objects) + len(records) + len(lines)
    )
    for (kind, _, _), result in zip(tasks, results, strict=True):
        for item in result:
            if kind == "objects":
                _take_object(ctx, item)
            elif kind == "records":
                _take_record(ctx, item)
            else:
                ctx.lines.append(item)
                report.findings.extend(item.findings)
    report.count("objects", len(objects))
    report.count("records", len(records))
    report.count("custody events", len(lines))
    if ctx.progress is not None:
        total = len(objects) + len(records) + len(lines)
        ctx.progress("reading", total, total)


def _custody_lines(case: Case) -> list[tuple[int, bytes]]:
    try:
        data = case.custody.path.read_bytes()
    except OSError:
        return []
    raw = data.split(b"\n")
    if raw and raw[-1] == b"":
        raw.pop()
    return list(enumerate(raw, start=1))


def _take_object(ctx: _Ctx, scan: ObjectScan) -> None:
    ctx.report.findings.extend(scan.findings)
    if scan.sha256 is None:
        if scan.findings and scan.findings[0].check == "object-digest":
            ctx.bad_objects.add(scan.name)
        return
    ctx.objects[scan.name] = (scan.sha256, scan.size)
    if scan.ok:
        ctx.report.add("object-digest", "PASS", scan.rel)
    else:
        ctx.bad_objects.add(scan.name)


def _take_record(ctx: _Ctx, scan: RecordScan | tuple[Finding, ...]) -> None:
    if isinstance(scan, RecordScan):
        ctx.report.findings.extend(scan.findings)
        if not any(f.check == "record-digest" for f in scan.findings):
            ctx.report.add("record-digest", "PASS", f"{scan.id}.{scan.revision}")
        ctx.records[(scan.id, scan.revision)] = scan
    else:
        ctx.report.findings.extend(scan)


def _text(ctx: _Ctx, blake3_hex: str) -> str | None:
    if blake3_hex not in ctx.texts:
        try:
            ctx.texts[blake3_hex] = ctx.case.objects.read(blake3_hex).decode("utf-8")
        except (EvidenceError, UnicodeDecodeError):
            ctx.texts[blake3_hex] = None
    return ctx.texts[blake3_hex]


def _check_revision_chain(ctx: _Ctx, rec: RecordScan, rel: str, label: str) -> None:
    """Revision n > 1 needs revision n - 1, and names it by its digest."""
    if rec.revision == 1:
        return
    before = ctx.records.get((rec.id, rec.revision - 1))
    if before is None:
        ctx.report.add(
            "record-chain",
            "FAIL",
            f"revision {rec.revision - 1} is missing",
            path=rel,
            record=label,
        )
    elif rec.supersedes is not None and rec.supersedes[1] != before.blake3:
        ctx.report.add(
            "record-chain",
            "FAIL",
            f"supersedes revision {rec.revision - 1} with blake3 "
            f"{rec.supersedes[1]}, which has {before.blake3}",
            path=rel,
            record=label,
        )


def _check_record_links(ctx: _Ctx) -> None:
    for (record_id, revision), rec in sorted(ctx.records.items()):
        rel = f"records/{record_id}.{revision}.json"
        label = f"{record_id}.{revision}"
        _check_revision_chain(ctx, rec, rel, label)
        if rec.kind == "source":
            _check_source(ctx, rec, rel, label)
        elif rec.kind == "claim":
            _check_claim(ctx, rec, rel, label)


def _check_object_ref(
    ctx: _Ctx, check: str, blake3_hex: str, sha256: str, size: int | None, rel: str, label: str
) -> bool:
    found = ctx.objects.get(blake3_hex)
    if blake3_hex in ctx.bad_objects:
        ctx.report.add(
            check, "FAIL", f"object {blake3_hex} does not match its digest", path=rel, record=label
        )
        return False
    if found is None:
        ctx.report.add(check, "FAIL", f"object {blake3_hex} is missing", path=rel, record=label)
        return False
    if found[0] != sha256:
        ctx.report.add(
            check,
            "FAIL",
            f"object {blake3_hex[:16]}…: the record says sha256 {sha256}, "
            f"the object has {found[0]}",
            path=rel,
            record=label,
        )
        return False
    if size is not None and found[1] != size:
        ctx.report.add(
            check,
            "FAIL",
            f"the record says {size} bytes, the object has {found[1]}",
            path=rel,
            record=label,
        )
        return False
    ctx.report.add(check, "PASS", label)
    return True


def _check_source(ctx: _Ctx, rec: RecordScan, rel: str, label: str) -> None:
    assert rec.obj is not None
    _check_object_ref(ctx, "source-object", *rec.obj, rel, label)
    for _role, blake3_hex, sha256, size in rec.attachments:
        _check_object_ref(ctx, "source-attachment", blake3_hex, sha256, size, rel, label)
    if rec.text is None:
        return
    blake3_hex, sha256, length = rec.text
    if _check_object_ref(ctx, "source-text", blake3_hex, sha256, None, rel, label):
        text = _text(ctx, blake3_hex)
        if text is None:
            ctx.report.add(
                "source-text", "FAIL", "the text object is not UTF-8", path=rel, record=label
            )
        elif len(text) != length:
            ctx.report.add(
                "source-text",
                "FAIL",
                f"the record says {length} code points, the text has {len(text)}",
                path=rel,
                record=label,
            )


def _check_claim(ctx: _Ctx, rec: RecordScan, rel: str, label: str) -> None:
    assert rec.source is not None
    ref_id, ref_revision, ref_blake3 = rec.source
    source = ctx.records.get((ref_id, ref_revision))
    if source is None:
        ctx.report.add(
            "claim-source",
            "FAIL",
            f"source {ref_id}.{ref_revision} is missing",
            path=rel,
            record=label,
        )
        return
    if source.blake3 != ref_blake3:
        ctx.report.add(
            "claim-source",
            "FAIL",
            f"pins {ref_id}.{ref_revision} with blake3 {ref_blake3}, which has {source.blake3}",
            path=rel,
            record=label,
        )
        return
    ctx.report.add("claim-source", "PASS", label)
    if rec.quote is None:
        return
    start, end, exact, prefix, suffix = rec.quote
    if source.text is None:
        ctx.report.add(
            "claim-quote", "FAIL", f"{ref_id} has no text to quote", path=rel, record=label
        )
        return
    text = _text(ctx, source.text[0])
    if text is None:
        ctx.report.add(
            "claim-quote", "ERROR", f"the text of {ref_id} cannot be read", path=rel, record=label
        )
        return
    selected = text[start:end]
    if selected != exact:
        ctx.report.add(
            "claim-quote",
            "FAIL",
            f"offsets {start}-{end} select «{_short(selected)}», not the quote «{_short(exact)}»",
            path=rel,
            record=label,
        )
    elif (
        text[max(0, start - len(prefix)) : start] != prefix
        or text[end : end + len(suffix)] != suffix
    ):
        ctx.report.add(
            "claim-quote",
            "FAIL",
            "prefix or suffix does not match the text",
            path=rel,
            record=label,
        )
    else:
        ctx.report.add("claim-quote", "PASS", label)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- custody ------------------------------------------------------------------------------


def _check_custody(ctx: _Ctx) -> None:
    report = ctx.report
    rel = "custody.jsonl"
    prev: str | None = None
    expected_seq = 1
    named: set[tuple[str, int]] = set()
    if not ctx.lines and ctx.case.custody.path.exists():
        report.add(
            "custody-log",
            "FAIL",
            "the custody log is empty: every case starts with "
            "a `created` event, and every write adds one",
            path=rel,
        )
    elif ctx.lines and ctx.lines[0].valid and ctx.lines[0].action != "created":
        report.add(
            "custody-log",
            "FAIL",
            f"the custody log starts with a "
            f"`{ctx.lines[0].action}` event, not `created`: its beginning is missing",
            path=rel,
            line=1,
        )
    for line in ctx.lines:
        if not line.valid:
            prev = line.digest
            expected_seq += 1
            continue
        assert line.seq is not None
        if line.seq != expected_seq:
            report.add(
                "custody-chain",
                "FAIL",
                f"sequence {line.seq}, expected {expected_seq}",
                path=rel,
                line=line.number,
            )
        if line.prev != prev:
            report.add(
                "custody-chain",
                "FAIL",
                f"prev is {line.prev}, the line before hashes to {prev}",
                path=rel,
                line=line.number,
            )
        else:
            report.add("custody-chain", "PASS", str(line.number))
        ctx.custody_digests[line.seq] = line.digest
        _custody_event(ctx, line, named)
        prev = line.digest
        expected_seq = line.seq + 1
    for key in sorted(ctx.records):
        if key not in named:
            label = f"{key[0]}.{key[1]}"
            report.add(
                "record-unaccounted",
                "FAIL",
                "a record file that the custody log does not name",
                path=f"records/{label}.json",
                record=label,
            )


def _custody_event(ctx: _Ctx, line: LineScan, named: set[tuple[str, int]]) -> None:
    if line.action == CASE_META_ACTION and line.seq is not None:
        ctx.case_meta_events.append((line.seq, line.number, dict(line.details or {})))
        return
    if line.action == "sealed":
        details = line.details or {}
        sequence = details.get("sequence")
        if isinstance(sequence, int):
            ctx.sealed_events[sequence] = {**details, "_line": line.number, "_seq": line.seq}
        return
    if line.action not in RECORD_ACTIONS or line.subject is None:
        return
    record_id, revision, blake3_hex = line.subject
    key = (record_id, revision)
    named.add(key)
    ctx.order.append(line.subject)
    rec = ctx.records.get(key)
    label = f"{record_id}.{revision}"
    if rec is None:
        ctx.report.add(
            "custody-record",
            "FAIL",
            f"names {label}, whose record file is missing",
            path="custody.jsonl",
            line=line.number,
            record=label,
        )
    elif rec.blake3 != blake3_hex:
        ctx.report.add(
            "custody-record",
            "FAIL",
            f"names {label} with blake3 {blake3_hex}, the record file has {rec.blake3}",
            path="custody.jsonl",
            line=line.number,
            record=label,
        )


# -- seals --------------------------------------------------------------------------------


def _check_seals(ctx: _Ctx) -> None:
    report = ctx.report
    files = ctx.case.seal_files()
    seals = read_seals(files, report, rel=ctx.case.rel)
    hashes: dict[int, list[bytes]] = {}
    for read in seals:
        if read is None:
            continue
        leaf_hashes = _check_leaves(ctx, read.seal, read.rel)
        _check_root(ctx, read.seal, leaf_hashes, read.rel)
        check_seal_custody(
            report,
            read.seal,
            read.data,
            read.rel,
            digests=ctx.custody_digests,
            sealed_events=ctx.sealed_events,
        )
        hashes[read.seal.sequence] = leaf_hashes

    def proof(old: Seal, new: Seal) -> list[bytes] | None:
        # The leaves are the record files' own hashes: the proof is computed, not trusted.
        leaves = hashes.get(new.sequence)
        return None if leaves is None else consistency_proof(leaves, old.size)

    check_chain(
        report,
        seals,
        case_id=ctx.case.meta.id,
        options=ctx.options,
        custody_path=ctx.case.custody.path,
        proof=proof,
        names=[ctx.case.rel(p) for p in files],
    )
    last = seals[-1] if seals else None
    covered = last.seal.size if last is not None else 0
    present = {int(p.name[:-5]) for p in files}
    for sequence in sorted(ctx.sealed_events):
        if sequence not in present:
            event = ctx.sealed_events[sequence]
            report.add(
                "seal-missing",
                "FAIL",
                f"the custody log (line {event['_line']}) records seal {sequence}, whose "
                f"file is missing",
                path=f"seals/{sequence:04d}.json",
            )
    unsealed = ctx.order[covered:]
    if unsealed:
        shown = ", ".join(f"{i}.{r}" for i, r, _ in unsealed[:5])
        more = f" and {len(unsealed) - 5} more" if len(unsealed) > 5 else ""
        report.add(
            "unsealed",
            "INFO",
            f"{len(unsealed)} record revision(s) written since the last seal: {shown}{more}",
            path="records/",
        )
    if not files:
        report.add("unsealed", "INFO", "the case has no seal yet", path="seals/")


def _check_leaves(ctx: _Ctx, seal: Seal, rel: str) -> list[bytes]:
    hashes: list[bytes] = []
    order = ctx.order
    for index, leaf in enumerate(seal.leaves):
        label = f"{leaf.id}.{leaf.revision}"
        rec = ctx.records.get((leaf.id, leaf.revision))
        if rec is None:
            ctx.report.add(
                "seal-leaf",
                "FAIL",
                f"leaf {index} names {label}, which is missing",
                path=rel,
                record=label,
            )
            hashes.append(b"\x00" * 32)
            continue
        if (rec.blake3, rec.sha256) != (leaf.blake3, leaf.sha256):
            ctx.report.add(
                "seal-leaf",
                "FAIL",
                f"leaf {index} says blake3 {leaf.blake3[:16]}…, the record file "
                f"has {rec.blake3[:16]}…",
                path=rel,
                record=label,
            )
        if index >= len(order) or order[index][:2] != (leaf.id, leaf.revision):
            entered = f"{order[index][0]}.{order[index][1]}" if index < len(order) else "nothing"
            ctx.report.add(
                "seal-order",
                "FAIL",
                f"leaf {index} is {label}, but the record that entered the case "
                f"at that place is {entered}",
                path=rel,
                record=label,
            )
        hashes.append(rec.leaf)
    return hashes


def _check_root(ctx: _Ctx, seal: Seal, hashes: list[bytes], rel: str) -> None:
    root = tree_root(hashes).hex()
    if root != seal.root:
        ctx.report.add("seal-root", "FAIL", f"expected root {seal.root}, computed {root}", path=rel)
    else:
        ctx.report.add("seal-root", "PASS", rel)


def check_seal_custody(
    report: Report,
    seal: Seal,
    data: bytes,
    rel: str,
    *,
    digests: Mapping[int, str],
    sealed_events: Mapping[int, Mapping[str, Any]],
    head_withheld: bool = False,
) -> None:
    """``seal-custody`` and ``seal-logged``: the custody head a seal names is the log's
    line, and its ``sealed`` event, after that head, gives the seal file's SHA-256 and root.

    ``digests`` maps each custody sequence number present to its line digest;
    ``sealed_events`` maps a seal's sequence number to its event's details, with the
    event's own ``_seq`` and ``_line``. In a partial case (``head_withheld=True``) a head
    line that is absent was withheld with its record, which is told (INFO), not failed.
    """
    found = digests.get(seal.custody_seq)
    if found is None and head_withheld:
        report.add(
            "seal-custody",
            "INFO",
            f"the custody head the seal names (event {seal.custody_seq}) is withheld",
            path=rel,
        )
    elif found is None:
        report.add(
            "seal-custody",
            "FAIL",
            f"names custody event {seal.custody_seq}, which the log does not have",
            path=rel,
        )
    elif found != seal.custody_sha256:
        report.add(
            "seal-custody",
            "FAIL",
            f"custody event {seal.custody_seq} should hash to "
            f"{seal.custody_sha256}, the log line hashes to {found}",
            path=rel,
        )
    else:
        report.add("seal-custody", "PASS", rel)
    event = sealed_events.get(seal.sequence)
    digest = digest_bytes(data).sha256
    if event is None:
        report.add("seal-logged", "FAIL", "no `sealed` event in the custody log", path=rel)
    elif event.get("sha256") != digest or event.get("root") != seal.root:
        report.add(
            "seal-logged",
            "FAIL",
            f"the custody log's `sealed` event (line {event['_line']}) gives sha256 "
            f"{event.get('sha256')}, the seal file has {digest}",
            path=rel,
        )
    elif event["_seq"] <= seal.custody_seq:
        report.add(
            "seal-logged",
            "FAIL",
            "the `sealed` event comes before the custody head the seal names",
            path=rel,
        )
    else:
        report.add("seal-logged", "PASS", rel)


# -- case.yaml ----------------------------------------------------------------------------


def _check_case_meta(ctx: _Ctx) -> None:
    """``case-meta``: case.yaml is the one the latest seal covers (docs/decisions/0409).

    Its digests are logged by a ``case-metadata`` event before the seal's custody head;
    a live case.yaml whose bytes differ was edited after sealing (seal again to seal the
    edit). A case sealed before such events existed gets INFO: its metadata is not sealed.
    """
    latest = ctx.report.latest_seal
    path = ctx.case.root / CASE_FILE
    if latest is None or not path.is_file():
        return  # nothing sealed yet, or case-missing says it
    head = latest["custody_head"]["seq"]
    sealed = [event for event in ctx.case_meta_events if event[0] <= head]
    if not sealed:
        ctx.report.add(
            "case-meta",
            "INFO",
            f"case.yaml is not covered by seal {latest['sequence']:04d} (made "
            "before case metadata was sealed); `evidence seal` seals it",
            path=CASE_FILE,
        )
        return
    _, line, details = sealed[-1]
    try:
        digest = digest_bytes(read_bytes(path, what="case.yaml")).sha256
    except EvidenceError as exc:
        ctx.report.add("case-meta", "ERROR", exc.message, path=CASE_FILE)
        return
    if digest != details.get("sha256"):
        ctx.report.add(
            "case-meta",
            "FAIL",
            f"case.yaml is not the one seal {latest['sequence']:04d} covers (custody "
            f"line {line} records sha256 {details.get('sha256')}, the file has "
            f"{digest}): its metadata was edited after sealing; run `evidence seal` "
            "to seal the change, or restore it",
            path=CASE_FILE,
        )
    else:
        ctx.report.add("case-meta", "PASS", CASE_FILE)
