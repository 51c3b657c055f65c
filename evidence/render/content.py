"""What a dossier says: the case data of one seal, read from the bytes the dossier embeds.

Everything the pages print is read from the :class:`~evidence.render.bundle.Bundle`, the
same bytes that are embedded in the PDF, so that what the pages print and what a reader
extracts cannot differ. The records are parsed after verification has passed; this module
decides nothing about validity, it only arranges (exhibit numbers, latest revisions,
claims by source, the custody log as rows).

Example:
    >>> # content = build_content(bundle, meta, verdict, tool="evidence 0.1.0")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from evidence.canonical import loads_json
from evidence.digest import digest_bytes, is_hex64
from evidence.model import CaseMeta, ClaimBody, Record, RecordId, Seal, SourceBody
from evidence.render.bundle import Bundle, Omitted
from evidence.report import Report
from evidence.store import object_text, parse_record_file

__all__ = [
    "ClaimItem",
    "CustodyEntry",
    "DossierContent",
    "FileNote",
    "Revision",
    "SourceItem",
    "Verdict",
    "build_content",
    "verdict_of",
]

STATUS_ORDER = ("verified", "corroborated", "reported", "contested", "withdrawn")


@dataclass(frozen=True, slots=True)
class Revision:
    """One record revision the seal covers, with its exhibit number and leaf position."""

    id: RecordId
    revision: int
    blake3: str
    sha256: str
    ern: str
    leaf: int

    @property
    def label(self) -> str:
        """``CLM-0001.1``."""
        return f"{self.id}.{self.revision}"


@dataclass(frozen=True, slots=True)
class SourceItem:
    """A source (its latest revision under the seal), with its normalised text."""

    rev: Revision
    record: Record
    body: SourceBody
    text: str | None


@dataclass(frozen=True, slots=True)
class ClaimItem:
    """A claim (its latest revision under the seal) and the source revision it quotes."""

    rev: Revision
    record: Record
    body: ClaimBody
    source: Revision | None
    revisions: int
    source_body: SourceBody | None = None  # the body of the source revision it quotes


@dataclass(frozen=True, slots=True)
class CustodyEntry:
    """One line of the custody log, as the annex prints it."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str | None
    details: str
    digest: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class FileNote:
    """A file by name, size and digests."""

    name: str
    size: int
    sha256: str
    blake3: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """What :func:`evidence.verify.verify_case` said about the embedded data."""

    ok: bool
    checked: tuple[tuple[str, int], ...]
    notes: tuple[str, ...]
    problems: tuple[str, ...]

    def summary(self) -> str:
        """``OK; checked 2 objects, 17 records …``."""
        counts = ", ".join(
            f"{n} {what[:-1] if n == 1 and what.endswith('s') else what}"
            for what, n in self.checked
        )
        word = "OK" if self.ok else f"FAILED ({len(self.problems)} problem(s))"
        return f"{word}; checked {counts}" if counts else word


def verdict_of(report: Report) -> Verdict:
    """The verdict of a verification report, as the dossier prints it."""
    return Verdict(
        ok=report.ok,
        checked=tuple(sorted(report.checked.items())),
        notes=tuple(f"{f.check}: {f.message}" for f in report.findings if f.status == "INFO"),
        problems=tuple(str(f) for f in report.problems()),
    )


@dataclass(frozen=True)
class DossierContent:
    """The case data of one seal, arranged for the pages."""

    meta: CaseMeta
    seal: Seal
    seal_file: FileNote
    revisions: tuple[Revision, ...]
    sources: tuple[SourceItem, ...]
    claims: tuple[ClaimItem, ...]
    custody: tuple[CustodyEntry, ...]
    seals: tuple[FileNote, ...]
    signatures: tuple[FileNote, ...]
    timestamps: tuple[FileNote, ...]
    embedded: tuple[FileNote, ...]
    omitted: tuple[Omitted, ...]
    verdict: Verdict
    tool: str

    @property
    def date(self) -> str:
        """The dossier's date: the day of the seal (so the same seal gives the same PDF)."""
        return self.seal.sealed_at[:10]

    @property
    def live_claims(self) -> tuple[ClaimItem, ...]:
        """Claims that are not withdrawn."""
        return tuple(c for c in self.claims if c.body.status != "withdrawn")

    def claims_of(self, source: SourceItem) -> list[ClaimItem]:
        """The live claims quoting a source (any of its revisions), in claim order."""
        return [c for c in self.live_claims if c.body.source.id == source.rev.id]

    def source_item(self, claim: ClaimItem) -> SourceItem | None:
        """The source item a claim quotes."""
        return next((s for s in self.sources if s.rev.id == claim.body.source.id), None)

    def logged(self, name: str) -> dict[str, Any]:
        """The details of the custody event that names a seal file (a token, a signature)."""
        for row in self.custody:
            if row.raw.get("file") == name:
                return row.raw
        return {}

    def status_counts(self) -> dict[str, int]:
        """How many claims have each status (withdrawn included)."""
        counts = {status: 0 for status in STATUS_ORDER}
        for claim in self.claims:
            counts[claim.body.status] = counts.get(claim.body.status, 0) + 1
        return {k: v for k, v in counts.items() if v}


def _note(name: str, data: bytes) -> FileNote:
    pair = digest_bytes(data)
    return FileNote(name, pair.size, pair.sha256, pair.blake3)


def _record(data: bytes, name: str) -> Record:
    return parse_record_file(data, name=name).record


def _short(value: Any) -> str:
    if isinstance(value, str):
        return value[:12] + "…" if is_hex64(value) else value
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return json.dumps(value)


def _custody(data: bytes) -> list[CustodyEntry]:
    rows = []
    for raw in data.splitlines():
        doc = loads_json(raw, path="custody.jsonl")
        subject = doc.get("subject")
        label = f"{subject['id']}.{subject['revision']}" if isinstance(subject, dict) else None
        details = doc.get("details") or {}
        shown = "; ".join(f"{k}: {_short(v)}" for k, v in details.items())
        rows.append(
            CustodyEntry(
                doc["seq"],
                doc["at"],
                doc["actor"],
                doc["action"],
                label,
                shown,
                digest_bytes(raw).sha256,
                dict(details),
            )
        )
    return rows


def _ern_numbers(ids: Iterable[str]) -> dict[str, int]:
    numbers: dict[str, int] = {}
    for record_id in ids:
        numbers.setdefault(record_id, len(numbers) + 1)
    return numbers


def build_content(bundle: Bundle, meta: CaseMeta, verdict: Verdict, *, tool: str) -> DossierContent:
    """Arrange the bundle's data for the pages (call after the bundle verified)."""
    seal = bundle.seal
    files = bundle.files
    numbers = _ern_numbers(leaf.id for leaf in seal.leaves)
    revisions = tuple(
        Revision(
            leaf.id, leaf.revision, leaf.blake3, leaf.sha256, meta.ern(numbers[leaf.id]), index
        )
        for index, leaf in enumerate(seal.leaves)
    )
    latest: dict[str, Revision] = {}
    count: dict[str, int] = {}
    for rev in revisions:
        latest[rev.id] = rev
        count[rev.id] = count.get(rev.id, 0) + 1
    by_label = {rev.label: rev for rev in revisions}
    sources: list[SourceItem] = []
    claims: list[ClaimItem] = []
    for record_id, rev in latest.items():
        name = f"records/{rev.label}.json"
        record = _record(files[name], name)
        body = record.body
        if isinstance(body, SourceBody):
            text = None
            if body.text is not None:
                text_name = f"objects/{body.text.blake3[:2]}/{body.text.blake3}"
                text = object_text(files[text_name], name=text_name)
            sources.append(SourceItem(rev, record, body, text))
        elif isinstance(body, ClaimBody):
            pinned = by_label.get(f"{body.source.id}.{body.source.revision}")
            claims.append(ClaimItem(rev, record, body, pinned, count[record_id]))
    sources.sort(key=lambda s: s.rev.ern)
    quoted: dict[str, SourceBody | None] = {s.rev.label: s.body for s in sources}
    for index, claim in enumerate(claims):
        if claim.source is None:
            continue
        label = claim.source.label
        if label not in quoted:  # the claim quotes an earlier revision of its source
            name = f"records/{label}.json"
            earlier = _record(files[name], name).body
            quoted[label] = earlier if isinstance(earlier, SourceBody) else None
        claims[index] = replace(claim, source_body=quoted[label])
    claims.sort(key=lambda c: c.rev.id)
    seal_names = sorted(n for n in files if n.startswith("seals/") and n.endswith(".json"))
    return DossierContent(
        meta=meta,
        seal=seal,
        seal_file=_note(bundle.seal_name, files[bundle.seal_name]),
        revisions=revisions,
        sources=tuple(sources),
        claims=tuple(claims),
        custody=tuple(_custody(files["custody.jsonl"])),
        seals=tuple(_note(n, files[n]) for n in seal_names),
        signatures=tuple(_note(n, files[n]) for n in bundle.seal_extras("sig")),
        timestamps=tuple(_note(n, files[n]) for n in bundle.seal_extras("tsr")),
        embedded=tuple(_note(n, files[n]) for n in sorted(files)),
        omitted=tuple(bundle.omitted),
        verdict=verdict,
        tool=tool,
    )
