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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence._fs import read_bytes
from evidence.canonical import canonical_bytes, loads_json
from evidence.case import CASE_FILE, RECORD_ACTIONS, Case, load_case_meta
from evidence.digest import digest_bytes, digest_file, is_hex64
from evidence.errors import CaseError, EvidenceError
from evidence.integrity.custody import line_digest
from evidence.integrity.merkle import (
    consistency_proof,
    leaf_hash,
    tree_root,
    verify_consistency,
)
from evidence.model import ClaimBody, Record, SourceBody
from evidence.report import Report
from evidence.schema import is_valid, issues
from evidence.store import parse_record_filename, record_slice, stored_digests
from evidence.verify.options import VerifyOptions

__all__ = ["Progress", "verify_case"]

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called now and then during long work."""


@dataclass
class _Rec:
    """What verification learnt about one record file."""

    id: str
    revision: int
    blake3: str
    sha256: str
    leaf: bytes
    record: Record | None


@dataclass
class _Ctx:
    case: Case
    report: Report
    progress: Progress | None
    options: VerifyOptions
    objects: dict[str, tuple[str, int]] = field(default_factory=dict)  # blake3 -> sha256, size
    bad_objects: set[str] = field(default_factory=set)
    records: dict[tuple[str, int], _Rec] = field(default_factory=dict)
    texts: dict[str, str | None] = field(default_factory=dict)
    order: list[tuple[str, int, str]] = field(default_factory=list)  # custody entry order
    custody_digests: dict[int, str] = field(default_factory=dict)  # seq -> line digest
    sealed_events: dict[int, dict[str, Any]] = field(default_factory=dict)

    def tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None and (done % 4096 == 0 or done == total):
            self.progress(stage, done, total)


def verify_case(
    path: str | os.PathLike[str],
    *,
    options: VerifyOptions | None = None,
    progress: Progress | None = None,
) -> Report:
    """Check every file of a case folder; return a report with every finding.

    Raises:
        CaseError: the folder is not a case folder (the command cannot run).
    """
    root = Path(path)
    report = Report(subject=str(root))
    try:
        case = Case.open(root)
    except CaseError:
        raise
    except EvidenceError as exc:
        # case.yaml is people's writing, but verify still checks what the tool wrote.
        report.add("case-yaml", "FAIL", exc.message, path=CASE_FILE, line=exc.line)
        case = Case(root, _fallback_meta(root))
    ctx = _Ctx(case, report, progress, options or VerifyOptions())
    _check_objects(ctx)
    _check_records(ctx)
    _check_record_links(ctx)
    _check_custody(ctx)
    _check_seals(ctx)
    return report


def _fallback_meta(root: Path) -> Any:
    from evidence.model import CaseMeta

    try:
        return load_case_meta(root / CASE_FILE)
    except EvidenceError:
        return CaseMeta(id="?", title="?", ern_prefix="X")


# -- objects ------------------------------------------------------------------------------


def _check_objects(ctx: _Ctx) -> None:
    paths = list(ctx.case.objects.iter_paths())
    for done, obj in enumerate(paths, start=1):
        rel = ctx.case.rel(obj)
        ctx.report.count("objects")
        if not is_hex64(obj.name) or obj.parent.name != obj.name[:2]:
            ctx.report.add("object-name", "FAIL",
                           "not named objects/<first two hex digits>/<BLAKE3 hex>", path=rel)
            continue
        try:
            pair = digest_file(obj)
        except OSError as exc:
            ctx.report.add("object-digest", "ERROR", f"cannot read: {exc.strerror}", path=rel)
            ctx.bad_objects.add(obj.name)
            continue
        if pair.blake3 != obj.name:
            ctx.report.add("object-digest", "FAIL",
                           f"expected blake3 {obj.name}, computed {pair.blake3}", path=rel)
            ctx.bad_objects.add(obj.name)
        else:
            ctx.report.add("object-digest", "PASS", rel)
        ctx.objects[obj.name] = (pair.sha256, pair.size)
        ctx.tick("objects", done, len(paths))


# -- records ------------------------------------------------------------------------------


def _check_records(ctx: _Ctx) -> None:
    try:
        names = ctx.case.records.names()
    except EvidenceError as exc:
        ctx.report.add("record-name", "ERROR", exc.message, path="records/")
        return
    for done, name in enumerate(names, start=1):
        rel = f"records/{name}"
        if name.startswith(".") and name.endswith(".tmp"):
            continue
        parsed = parse_record_filename(name)
        if parsed is None:
            ctx.report.add("record-name", "FAIL",
                           "not a record file name (expected <ID>.<revision>.json)", path=rel)
            continue
        ctx.report.count("records")
        rec = _check_record_file(ctx, rel, parsed[0], parsed[1])
        if rec is not None:
            ctx.records[(rec.id, rec.revision)] = rec
        ctx.tick("records", done, len(names))


def _check_record_file(ctx: _Ctx, rel: str, record_id: str, revision: int) -> _Rec | None:
    label = f"{record_id}.{revision}"
    report = ctx.report
    try:
        data = ctx.case.records.read(record_id, revision)
    except EvidenceError as exc:
        report.add("record-form", "ERROR", exc.message, path=rel, record=label)
        return None
    record_bytes = record_slice(data)
    if record_bytes is None:
        report.add("record-form", "FAIL",
                   "not the RFC 8785 form of {digests, record} followed by a line end",
                   path=rel, record=label)
        return None
    try:
        doc = loads_json(record_bytes, path=rel)
    except EvidenceError as exc:
        report.add("record-form", "FAIL", exc.message, path=rel, record=label)
        return None
    pair = digest_bytes(record_bytes)
    stored = stored_digests(data)
    if stored != (pair.blake3, pair.sha256):
        shown = stored or ("?", "?")
        which = "blake3" if shown[0] != pair.blake3 else "sha256"
        expected = shown[0] if which == "blake3" else shown[1]
        found = pair.blake3 if which == "blake3" else pair.sha256
        report.add("record-digest", "FAIL",
                   f"the file says {which} {expected}, the record's bytes give {found}",
                   path=rel, record=label)
    else:
        report.add("record-digest", "PASS", label)
    try:
        canonical_ok = canonical_bytes(doc) == record_bytes
    except EvidenceError:
        canonical_ok = False
    if not canonical_ok:
        report.add("record-form", "FAIL", "the record is not in RFC 8785 canonical form",
                   path=rel, record=label)
    record = None
    if not is_valid("record", {"record": doc, "digests": {"blake3": pair.blake3,
                                                          "sha256": pair.sha256}}):
        for issue in issues("record", {"record": doc, "digests": {"blake3": pair.blake3,
                                                                  "sha256": pair.sha256}})[:3]:
            report.add("record-schema", "FAIL", f"{issue.pointer}: {issue.message}",
                       path=rel, record=label)
    else:
        try:
            record = Record.from_dict(doc)
        except EvidenceError as exc:
            report.add("record-schema", "FAIL", exc.message, path=rel, record=label)
    if isinstance(doc, dict) and (doc.get("id"), doc.get("revision")) != (record_id, revision):
        report.add("record-name", "FAIL",
                   f"file name says {label}, the record inside is "
                   f"{doc.get('id')}.{doc.get('revision')}", path=rel, record=label)
    return _Rec(record_id, revision, pair.blake3, pair.sha256, leaf_hash(record_bytes), record)


def _text(ctx: _Ctx, blake3_hex: str) -> str | None:
    if blake3_hex not in ctx.texts:
        try:
            ctx.texts[blake3_hex] = ctx.case.objects.read(blake3_hex).decode("utf-8")
        except (EvidenceError, UnicodeDecodeError):
            ctx.texts[blake3_hex] = None
    return ctx.texts[blake3_hex]


def _check_record_links(ctx: _Ctx) -> None:
    report = ctx.report
    for (record_id, revision), rec in sorted(ctx.records.items()):
        rel = f"records/{record_id}.{revision}.json"
        label = f"{record_id}.{revision}"
        if revision > 1:
            before = ctx.records.get((record_id, revision - 1))
            sup = rec.record.supersedes if rec.record else None
            if before is None:
                report.add("record-chain", "FAIL", f"revision {revision - 1} is missing",
                           path=rel, record=label)
            elif sup is not None and sup.blake3 != before.blake3:
                report.add("record-chain", "FAIL",
                           f"supersedes revision {revision - 1} with blake3 {sup.blake3}, "
                           f"which has {before.blake3}", path=rel, record=label)
        if rec.record is None:
            continue
        body = rec.record.body
        if isinstance(body, SourceBody):
            _check_source(ctx, body, rel, label)
        elif isinstance(body, ClaimBody):
            _check_claim(ctx, body, rel, label)


def _check_object_ref(ctx: _Ctx, check: str, blake3_hex: str, sha256: str, size: int | None,
                      rel: str, label: str) -> bool:
    found = ctx.objects.get(blake3_hex)
    if found is None:
        ctx.report.add(check, "FAIL", f"object {blake3_hex} is missing", path=rel, record=label)
        return False
    if blake3_hex in ctx.bad_objects:
        ctx.report.add(check, "FAIL", f"object {blake3_hex} does not match its digest",
                       path=rel, record=label)
        return False
    if found[0] != sha256:
        ctx.report.add(check, "FAIL",
                       f"object {blake3_hex[:16]}…: the record says sha256 {sha256}, "
                       f"the object has {found[0]}", path=rel, record=label)
        return False
    if size is not None and found[1] != size:
        ctx.report.add(check, "FAIL", f"the record says {size} bytes, the object has {found[1]}",
                       path=rel, record=label)
        return False
    ctx.report.add(check, "PASS", label)
    return True


def _check_source(ctx: _Ctx, body: SourceBody, rel: str, label: str) -> None:
    _check_object_ref(ctx, "source-object", body.object.blake3, body.object.sha256,
                      body.object.size, rel, label)
    if body.text is None:
        return
    if _check_object_ref(ctx, "source-text", body.text.blake3, body.text.sha256, None, rel, label):
        text = _text(ctx, body.text.blake3)
        if text is None:
            ctx.report.add("source-text", "FAIL", "the text object is not UTF-8",
                           path=rel, record=label)
        elif len(text) != body.text.length:
            ctx.report.add("source-text", "FAIL",
                           f"the record says {body.text.length} code points, the text has "
                           f"{len(text)}", path=rel, record=label)


def _check_claim(ctx: _Ctx, body: ClaimBody, rel: str, label: str) -> None:
    ref = body.source
    source = ctx.records.get((ref.id, ref.revision))
    if source is None:
        ctx.report.add("claim-source", "FAIL", f"source {ref.id}.{ref.revision} is missing",
                       path=rel, record=label)
        return
    if source.blake3 != ref.blake3:
        ctx.report.add("claim-source", "FAIL",
                       f"pins {ref.id}.{ref.revision} with blake3 {ref.blake3}, which has "
                       f"{source.blake3}", path=rel, record=label)
        return
    ctx.report.add("claim-source", "PASS", label)
    quote = body.quote
    if quote is None:
        return
    source_body = source.record.body if source.record else None
    if not isinstance(source_body, SourceBody) or source_body.text is None:
        ctx.report.add("claim-quote", "FAIL", f"{ref.id} has no text to quote",
                       path=rel, record=label)
        return
    text = _text(ctx, source_body.text.blake3)
    if text is None:
        ctx.report.add("claim-quote", "ERROR", f"the text of {ref.id} cannot be read",
                       path=rel, record=label)
        return
    selected = text[quote.start : quote.end]
    if selected != quote.exact:
        ctx.report.add("claim-quote", "FAIL",
                       f"offsets {quote.start}-{quote.end} select «{_short(selected)}», "
                       f"not the quote «{_short(quote.exact)}»", path=rel, record=label)
    elif (text[max(0, quote.start - len(quote.prefix)) : quote.start] != quote.prefix
          or text[quote.end : quote.end + len(quote.suffix)] != quote.suffix):
        ctx.report.add("claim-quote", "FAIL", "prefix or suffix does not match the text",
                       path=rel, record=label)
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
    for line in ctx.case.custody.lines():
        report.count("custody events")
        digest = line_digest(line.raw)
        data = line.data
        if not isinstance(data, dict) or not is_valid("custody-event", data):
            problem = ("not a JSON object" if not isinstance(data, dict) else
                       "; ".join(f"{i.pointer}: {i.message}"
                                 for i in issues("custody-event", data)[:2]))
            report.add("custody-line", "FAIL", problem, path=rel, line=line.number)
            prev = digest
            expected_seq += 1
            continue
        if data["seq"] != expected_seq:
            report.add("custody-chain", "FAIL",
                       f"sequence {data['seq']}, expected {expected_seq}", path=rel,
                       line=line.number)
        if data["prev"] != prev:
            report.add("custody-chain", "FAIL",
                       f"prev is {data['prev']}, the line before hashes to {prev}", path=rel,
                       line=line.number)
        else:
            report.add("custody-chain", "PASS", str(line.number))
        try:
            canonical_ok = canonical_bytes(data) == line.raw
        except EvidenceError:
            canonical_ok = False
        if not canonical_ok:
            report.add("custody-line", "FAIL", "line is not in RFC 8785 canonical form",
                       path=rel, line=line.number)
        ctx.custody_digests[data["seq"]] = digest
        _custody_event(ctx, data, line.number, named)
        prev = digest
        expected_seq = data["seq"] + 1
    for key in sorted(ctx.records):
        if key not in named:
            label = f"{key[0]}.{key[1]}"
            report.add("record-unaccounted", "FAIL",
                       "a record file that the custody log does not name",
                       path=f"records/{label}.json", record=label)


def _custody_event(ctx: _Ctx, data: dict[str, Any], number: int,
                   named: set[tuple[str, int]]) -> None:
    action = data["action"]
    if action == "sealed":
        sequence = data["details"].get("sequence")
        if isinstance(sequence, int):
            ctx.sealed_events[sequence] = {**data["details"], "_line": number,
                                           "_seq": data["seq"]}
        return
    subject = data["subject"]
    if action not in RECORD_ACTIONS or subject is None:
        return
    key = (subject["id"], subject["revision"])
    named.add(key)
    ctx.order.append((subject["id"], subject["revision"], subject["blake3"]))
    rec = ctx.records.get(key)
    label = f"{key[0]}.{key[1]}"
    if rec is None:
        ctx.report.add("custody-record", "FAIL", f"names {label}, whose record file is missing",
                       path="custody.jsonl", line=number, record=label)
    elif rec.blake3 != subject["blake3"]:
        ctx.report.add("custody-record", "FAIL",
                       f"names {label} with blake3 {subject['blake3']}, the record file has "
                       f"{rec.blake3}", path="custody.jsonl", line=number, record=label)


# -- seals --------------------------------------------------------------------------------


def _check_seals(ctx: _Ctx) -> None:
    report = ctx.report
    files = ctx.case.seal_files()
    previous: tuple[dict[str, Any], bytes, list[bytes]] | None = None
    covered = 0
    for index, path in enumerate(files, start=1):
        rel = ctx.case.rel(path)
        report.count("seals")
        try:
            data = read_bytes(path, what="seal")
            doc = loads_json(data, path=rel)
        except EvidenceError as exc:
            report.add("seal-schema", "FAIL", exc.message, path=rel)
            previous = None
            continue
        if not is_valid("seal", doc):
            for issue in issues("seal", doc)[:3]:
                report.add("seal-schema", "FAIL", f"{issue.pointer}: {issue.message}", path=rel)
            previous = None
            continue
        if doc["sequence"] != index or path.name != f"{index:04d}.json":
            report.add("seal-chain", "FAIL",
                       f"seal file {path.name} holds sequence {doc['sequence']}, expected "
                       f"{index:04d}.json", path=rel)
        if doc["case_id"] != ctx.case.meta.id:
            report.add("seal-case", "FAIL",
                       f"sealed for case {doc['case_id']!r}, this case is {ctx.case.meta.id!r}",
                       path=rel)
        hashes = _check_leaves(ctx, doc, rel)
        _check_root(ctx, doc, hashes, rel)
        _check_previous(ctx, doc, previous, hashes, rel)
        _check_seal_custody(ctx, doc, data, rel)
        previous = (doc, data, hashes)
        covered = len(doc["leaves"])
    unsealed = ctx.order[covered:]
    if unsealed:
        shown = ", ".join(f"{i}.{r}" for i, r, _ in unsealed[:5])
        more = f" and {len(unsealed) - 5} more" if len(unsealed) > 5 else ""
        report.add("unsealed", "INFO",
                   f"{len(unsealed)} record revision(s) written since the last seal: "
                   f"{shown}{more}", path="records/")
    if not files:
        report.add("unsealed", "INFO", "the case has no seal yet", path="seals/")


def _check_leaves(ctx: _Ctx, doc: dict[str, Any], rel: str) -> list[bytes]:
    hashes: list[bytes] = []
    order = ctx.order
    for index, leaf in enumerate(doc["leaves"]):
        label = f"{leaf['id']}.{leaf['revision']}"
        rec = ctx.records.get((leaf["id"], leaf["revision"]))
        if rec is None:
            ctx.report.add("seal-leaf", "FAIL", f"leaf {index} names {label}, which is missing",
                           path=rel, record=label)
            hashes.append(b"\x00" * 32)
            continue
        if (rec.blake3, rec.sha256) != (leaf["blake3"], leaf["sha256"]):
            ctx.report.add("seal-leaf", "FAIL",
                           f"leaf {index} says blake3 {leaf['blake3'][:16]}…, the record file "
                           f"has {rec.blake3[:16]}…", path=rel, record=label)
        if index >= len(order) or order[index][:2] != (leaf["id"], leaf["revision"]):
            entered = (f"{order[index][0]}.{order[index][1]}" if index < len(order)
                       else "nothing")
            ctx.report.add("seal-order", "FAIL",
                           f"leaf {index} is {label}, but the record that entered the case "
                           f"at that place is {entered}", path=rel, record=label)
        hashes.append(rec.leaf)
    return hashes


def _check_root(ctx: _Ctx, doc: dict[str, Any], hashes: list[bytes], rel: str) -> None:
    tree = doc["tree"]
    if tree["size"] != len(doc["leaves"]):
        ctx.report.add("seal-root", "FAIL",
                       f"tree size {tree['size']}, but {len(doc['leaves'])} leaves", path=rel)
        return
    root = tree_root(hashes).hex()
    if root != tree["root"]:
        ctx.report.add("seal-root", "FAIL", f"expected root {tree['root']}, computed {root}",
                       path=rel)
    else:
        ctx.report.add("seal-root", "PASS", rel)


def _check_previous(ctx: _Ctx, doc: dict[str, Any],
                    previous: tuple[dict[str, Any], bytes, list[bytes]] | None,
                    hashes: list[bytes], rel: str) -> None:
    link = doc["previous"]
    if doc["sequence"] == 1:
        if link is not None:
            ctx.report.add("seal-chain", "FAIL", "the first seal names a previous seal", path=rel)
        return
    if link is None:
        ctx.report.add("seal-chain", "FAIL", "names no previous seal", path=rel)
        return
    if previous is None:
        ctx.report.add("seal-chain", "ERROR", "the previous seal could not be read", path=rel)
        return
    prev_doc, prev_bytes, prev_hashes = previous
    expected = {"sequence": prev_doc["sequence"], "root": prev_doc["tree"]["root"],
                "sha256": digest_bytes(prev_bytes).sha256}
    if link != expected:
        which = next(k for k in ("sequence", "root", "sha256") if link[k] != expected[k])
        ctx.report.add("seal-chain", "FAIL",
                       f"previous.{which} is {link[which]}, the previous seal file gives "
                       f"{expected[which]}", path=rel)
    old_size = len(prev_hashes)
    if old_size == 0:
        return
    if old_size > len(hashes) or hashes[:old_size] != prev_hashes:
        ctx.report.add("seal-consistency", "FAIL",
                       f"the first {old_size} leaves differ from the previous seal's: the case "
                       "did not only grow", path=rel)
        return
    proof = consistency_proof(hashes, old_size)
    if verify_consistency(old_size, len(hashes), bytes.fromhex(prev_doc["tree"]["root"]),
                          bytes.fromhex(doc["tree"]["root"]), proof):
        ctx.report.add("seal-consistency", "PASS", rel)
    else:
        ctx.report.add("seal-consistency", "FAIL",
                       f"no RFC 9162 consistency between tree sizes {old_size} and "
                       f"{len(hashes)}", path=rel)


def _check_seal_custody(ctx: _Ctx, doc: dict[str, Any], data: bytes, rel: str) -> None:
    head = doc["custody"]
    found = ctx.custody_digests.get(head["seq"])
    if found is None:
        ctx.report.add("seal-custody", "FAIL",
                       f"names custody event {head['seq']}, which the log does not have",
                       path=rel)
    elif found != head["sha256"]:
        ctx.report.add("seal-custody", "FAIL",
                       f"custody event {head['seq']} should hash to {head['sha256']}, the log "
                       f"line hashes to {found}", path=rel)
    event = ctx.sealed_events.get(doc["sequence"])
    digest = digest_bytes(data).sha256
    if event is None:
        ctx.report.add("seal-logged", "FAIL", "no `sealed` event in the custody log", path=rel)
    elif event.get("sha256") != digest or event.get("root") != doc["tree"]["root"]:
        ctx.report.add("seal-logged", "FAIL",
                       f"the custody log's `sealed` event (line {event['_line']}) gives sha256 "
                       f"{event.get('sha256')}, the seal file has {digest}", path=rel)
    elif event["_seq"] <= head["seq"]:
        ctx.report.add("seal-logged", "FAIL",
                       "the `sealed` event comes before the custody head the seal names",
                       path=rel)


