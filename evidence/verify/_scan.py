"""The per-file half of verification: each object, record file and custody line alone.

These functions look at one item without knowing the rest of the case, so they run in
worker processes on every core (see :mod:`evidence._parallel`), and return compact
tuples (cheap to send back) with the findings they made. Cross-checks between items
(a claim against its source, the custody chain, seals) are made afterwards in
:mod:`evidence.verify.case`.

Example:
    >>> scan_line(1, b'not json').findings[0].check
    'custody-line'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from evidence.canonical import parse_canonical
from evidence.digest import digest_bytes, digest_file, is_hex64
from evidence.errors import EvidenceError
from evidence.integrity.custody import line_digest
from evidence.integrity.merkle import leaf_hash
from evidence.model import ClaimBody, Record, SourceBody
from evidence.report import Finding
from evidence.schema import is_valid, issues
from evidence.store import record_slice, stored_digests

__all__ = [
    "LineScan",
    "ObjectScan",
    "RecordScan",
    "run_task",
    "scan_line",
    "scan_object",
    "scan_record",
]


class ObjectScan(NamedTuple):
    """An object file: its name and what its bytes hash to."""

    name: str
    rel: str
    sha256: str | None
    size: int
    ok: bool
    findings: tuple[Finding, ...]


class RecordScan(NamedTuple):
    """A record file: its digests, leaf hash, and the references it makes."""

    id: str
    revision: int
    blake3: str
    sha256: str
    leaf: bytes
    valid: bool
    kind: str | None
    supersedes: tuple[int, str] | None
    obj: tuple[str, str, int] | None  # blake3, sha256, size
    text: tuple[str, str, int] | None  # blake3, sha256, length
    source: tuple[str, int, str] | None  # id, revision, blake3
    quote: tuple[int, int, str, str, str] | None  # start, end, exact, prefix, suffix
    findings: tuple[Finding, ...]
    attachments: tuple[tuple[str, str, str, int], ...] = ()  # role, blake3, sha256, size


class LineScan(NamedTuple):
    """A custody line: its digest and the fields the chain checks need."""

    number: int
    digest: str
    valid: bool
    seq: int | None
    prev: str | None
    action: str | None
    subject: tuple[str, int, str] | None
    details: dict[str, Any] | None
    findings: tuple[Finding, ...]


def scan_object(path: Path, rel: str) -> ObjectScan:
    """Hash one object file and compare with its name (objects/ab/<blake3>)."""
    name = path.name
    if not is_hex64(name) or path.parent.name != name[:2]:
        return ObjectScan(
            name,
            rel,
            None,
            0,
            False,
            (
                Finding(
                    "object-name",
                    "FAIL",
                    "not named objects/<first two hex digits>/<BLAKE3 hex>",
                    rel,
                ),
            ),
        )
    try:
        pair = digest_file(path)
    except OSError as exc:
        return ObjectScan(
            name,
            rel,
            None,
            0,
            False,
            (Finding("object-digest", "ERROR", f"cannot read: {exc.strerror}", rel),),
        )
    if pair.blake3 != name:
        return ObjectScan(
            name,
            rel,
            pair.sha256,
            pair.size,
            False,
            (
                Finding(
                    "object-digest", "FAIL", f"expected blake3 {name}, computed {pair.blake3}", rel
                ),
            ),
        )
    return ObjectScan(name, rel, pair.sha256, pair.size, True, ())


def scan_record(path: str, record_id: str, revision: int) -> RecordScan | tuple[Finding, ...]:
    """Check one record file alone: form, digests, canonical bytes, schema, model."""
    rel = f"records/{os.path.basename(path)}"
    label = f"{record_id}.{revision}"
    found: list[Finding] = []

    def fail(check: str, message: str, status: str = "FAIL") -> None:
        found.append(Finding(check, status, message, rel, label))  # type: ignore[arg-type]

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        fail("record-form", f"cannot read: {exc.strerror}", "ERROR")
        return tuple(found)
    record_bytes = record_slice(data)
    if record_bytes is None:
        fail("record-form", "not the RFC 8785 form of {digests, record} followed by a line end")
        return tuple(found)
    try:
        doc, canonical_ok = parse_canonical(record_bytes)
    except (UnicodeDecodeError, ValueError) as exc:
        fail("record-form", f"the record is not JSON: {exc}")
        return tuple(found)
    pair = digest_bytes(record_bytes)
    stored = stored_digests(data)
    if stored != (pair.blake3, pair.sha256):
        shown = stored or ("?", "?")
        which = "blake3" if shown[0] != pair.blake3 else "sha256"
        expected = shown[0] if which == "blake3" else shown[1]
        computed = pair.blake3 if which == "blake3" else pair.sha256
        fail(
            "record-digest", f"the file says {which} {expected}, the record's bytes give {computed}"
        )
    # Re-serialising finds what parsing forgives: duplicate names, other number forms,
    # escapes, key order. Digests are only reproducible from canonical bytes.
    if not canonical_ok:
        fail("record-form", "the record is not in RFC 8785 canonical form")
    if isinstance(doc, dict) and (doc.get("id"), doc.get("revision")) != (record_id, revision):
        fail(
            "record-name",
            f"file name says {label}, the record inside is {doc.get('id')}.{doc.get('revision')}",
        )
    envelope = {"record": doc, "digests": {"blake3": pair.blake3, "sha256": pair.sha256}}
    record = None
    if not is_valid("record", envelope):
        for issue in issues("record", envelope)[:3]:
            fail("record-schema", f"{issue.pointer}: {issue.message}")
    else:
        try:
            record = Record.from_dict(doc)
        except EvidenceError as exc:
            fail("record-schema", exc.message)
    return _summary(
        record_id, revision, pair.blake3, pair.sha256, leaf_hash(record_bytes), record, tuple(found)
    )


def _summary(
    record_id: str,
    revision: int,
    blake3_hex: str,
    sha256_hex: str,
    leaf: bytes,
    record: Record | None,
    findings: tuple[Finding, ...],
) -> RecordScan:
    if record is None:
        return RecordScan(
            record_id,
            revision,
            blake3_hex,
            sha256_hex,
            leaf,
            False,
            None,
            None,
            None,
            None,
            None,
            None,
            findings,
        )
    sup = (record.supersedes.revision, record.supersedes.blake3) if record.supersedes else None
    body = record.body
    if isinstance(body, SourceBody):
        text = (body.text.blake3, body.text.sha256, body.text.length) if body.text else None
        attached = tuple(
            (a.role, a.object.blake3, a.object.sha256, a.object.size) for a in body.attachments
        )
        return RecordScan(
            record_id,
            revision,
            blake3_hex,
            sha256_hex,
            leaf,
            True,
            "source",
            sup,
            (body.object.blake3, body.object.sha256, body.object.size),
            text,
            None,
            None,
            findings,
            attached,
        )
    assert isinstance(body, ClaimBody)
    quote = body.quote
    return RecordScan(
        record_id,
        revision,
        blake3_hex,
        sha256_hex,
        leaf,
        True,
        "claim",
        sup,
        None,
        None,
        (body.source.id, body.source.revision, body.source.blake3),
        (quote.start, quote.end, quote.exact, quote.prefix, quote.suffix) if quote else None,
        findings,
    )


def scan_line(number: int, raw: bytes) -> LineScan:
    """Check one custody line alone: JSON, schema, canonical form; keep its digest."""
    digest = line_digest(raw)
    rel = "custody.jsonl"
    try:
        data, canonical_ok = parse_canonical(raw)
    except (UnicodeDecodeError, ValueError):
        data, canonical_ok = None, False
    if not isinstance(data, dict) or not is_valid("custody-event", data):
        problem = "not a JSON object"
        if isinstance(data, dict):
            found = issues("custody-event", data)[:2]
            problem = "; ".join(f"{i.pointer}: {i.message}" for i in found)
        return LineScan(
            number,
            digest,
            False,
            None,
            None,
            None,
            None,
            None,
            (Finding("custody-line", "FAIL", problem, rel, None, number),),
        )
    findings: tuple[Finding, ...] = ()
    if not canonical_ok:
        findings = (
            Finding(
                "custody-line", "FAIL", "line is not in RFC 8785 canonical form", rel, None, number
            ),
        )
    subject = data["subject"]
    return LineScan(
        number,
        digest,
        True,
        data["seq"],
        data["prev"],
        data["action"],
        (subject["id"], subject["revision"], subject["blake3"]) if subject else None,
        data["details"] if data["action"] in ("sealed", "case-metadata") else None,
        findings,
    )


def run_task(task: tuple[str, Path, list[Any]]) -> list[Any]:
    """Run one chunk of scanning work (the unit handed to a worker process)."""
    kind, root, items = task
    if kind == "objects":
        return [scan_object(root / rel, rel) for rel in items]
    if kind == "records":
        folder = os.path.join(root, "records")
        return [
            scan_record(os.path.join(folder, name), record_id, revision)
            for name, record_id, revision in items
        ]
    return [scan_line(number, raw) for number, raw in items]
