"""What the pages show, read from the case through the library, and cached.

Records, objects and seals are never rewritten, so what is read from them is kept
(:class:`CaseIndex` reads each new record once). The case state and the claims files
are read again whenever their files change on disk (size and modification time), so
the page shows what the command line, git or a text editor left there.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

from evidence._yaml import load_yaml
from evidence.canonical import loads_json
from evidence.case import Case, CaseState
from evidence.claims.anchor import find_quote
from evidence.claims.compile import ClaimSpec, compile_claims, load_claim_specs
from evidence.errors import EvidenceError
from evidence.model import ClaimBody, Record, SourceBody, Subject
from evidence.report import Finding, Report

__all__ = [
    "CaseIndex",
    "ClaimView",
    "Highlight",
    "Overview",
    "Segment",
    "SourceRow",
    "is_source_id",
]

Kind = Literal["sealed", "pending", "suggested", "withdrawn"]
KINDS: Final[tuple[Kind, ...]] = ("sealed", "pending", "suggested", "withdrawn")

_SOURCE_ID: Final = re.compile(r"SRC-[0-9]{4,9}")
_FILE_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.ya?ml")
BIDI: Final = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def is_source_id(value: str) -> bool:
    """``SRC-0001``: the only shape of id a client may name a source by."""
    return _SOURCE_ID.fullmatch(value) is not None


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


@dataclass(frozen=True)
class SourceRow:
    """One line of the sources list."""

    id: str
    ern: str
    title: str
    publisher: str
    language: str
    published: str
    captured_at: str
    revision: int
    claims: Mapping[str, int]


@dataclass(frozen=True)
class ClaimView:
    """A claim as the reader shows it, whichever file or record it comes from."""

    key: str
    kind: Kind
    body: Mapping[str, Any]
    start: int | None
    end: int | None
    record: str | None = None
    ern: str | None = None
    digest: str | None = None
    why: str | None = None
    path: str | None = None
    line: int | None = None

    @property
    def anchor(self) -> str:
        """The element id of the claim's panel (keys are slugs, but be strict anyway)."""
        return "claim-" + re.sub(r"[^A-Za-z0-9_-]", "_", self.key) + "-" + self.kind


@dataclass(frozen=True)
class Segment:
    """A run of the text covered by the same claims (none for plain text)."""

    text: str
    claims: tuple[ClaimView, ...]
    bidi: bool = False
    chunk: bool = False
    """This segment starts a new block of the text (see :data:`CHUNK`)."""

    @property
    def top(self) -> ClaimView | None:
        """The claim a click on this run opens: the shortest one covering it."""
        if not self.claims:
            return None
        return min(self.claims, key=lambda c: (c.end or 0) - (c.start or 0))


@dataclass
class Highlight:
    """A source and its text split into segments by the claims quoting it."""

    source: Record
    text: str
    claims: list[ClaimView]
    problems: list[Finding]
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class Overview:
    """The case at a glance."""

    case: Case
    state: CaseState
    sources: int
    claims_by_status: Mapping[str, int]
    seals: list[dict[str, Any]]
    unsealed_records: int
    changed_files: list[str]
    suggested_files: list[str]
    last_verified: dict[str, Any] | None


CHUNK: Final = 4096
"""About this many code points of text go into one block, cut after a line end: the
browser lays out only the blocks on screen (``content-visibility: auto``), so a long
source is readable at once."""


def _chunk_starts(text: str) -> set[int]:
    starts = set()
    at = CHUNK
    while at < len(text):
        line_end = text.find("\n", at)
        if line_end < 0:
            break
        starts.add(line_end + 1)
        at = line_end + 1 + CHUNK
    return starts - {len(text)}


def _segments(text: str, claims: list[ClaimView]) -> list[Segment]:
    """Split ``text`` at every quote boundary, every block boundary and every bidi
    control character; a bidi control becomes its own segment, shown isolated so it
    cannot reorder the page."""
    anchored = [c for c in claims if c.start is not None and c.end is not None]
    chunks = _chunk_starts(text)
    cuts = {0, len(text)} | chunks
    for claim in anchored:
        cuts.update((claim.start or 0, claim.end or 0))
    points = sorted(cuts)
    starts: dict[int, list[ClaimView]] = {}
    for claim in anchored:
        starts.setdefault(claim.start or 0, []).append(claim)
    active: list[ClaimView] = []
    out: list[Segment] = []
    for lo, hi in itertools.pairwise(points):
        active = [c for c in active if (c.end or 0) > lo] + starts.get(lo, [])
        pieces = list(_split_bidi(text[lo:hi], tuple(active)))
        if lo in chunks and pieces:
            pieces[0] = replace(pieces[0], chunk=True)
        out.extend(pieces)
    return out


def _split_bidi(run: str, claims: tuple[ClaimView, ...]) -> Iterator[Segment]:
    at = 0
    for match in BIDI.finditer(run):
        if match.start() > at:
            yield Segment(run[at : match.start()], claims)
        yield Segment(match.group(), claims, bidi=True)
        at = match.end()
    if at < len(run):
        yield Segment(run[at:], claims)


def bidi_name(char: str) -> str:
    """``U+202E``: how an isolated bidi control is labelled on the page."""
    return f"U+{ord(char):04X}"


class CaseIndex:
    """A case folder opened for the pages; thread-safe, cached by file signatures."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self._lock = threading.Lock()
        # The sources table has its own lock: reading every record of a large case
        # the first time takes seconds, and the overview must not wait for it.
        self._index_lock = threading.Lock()
        self._index_generation = -1
        self._state: tuple[tuple[int, int] | None, CaseState] | None = None
        self._offset = 0
        self.generation = 0
        """Grows whenever the state changes, for what is cached from it."""
        self._seals: dict[str, tuple[tuple[int, int] | None, dict[str, Any]]] = {}
        self._by_status: tuple[int, dict[str, int]] | None = None
        self._table: tuple[int, list[SourceRow]] | None = None
        self._records: dict[tuple[str, int], Record] = {}
        self._rows: dict[str, SourceRow] = {}
        self._claim_source: dict[str, tuple[str, str]] = {}  # CLM id -> (source, status)
        self._indexed = 0
        self._specs: tuple[tuple[Any, ...], list[ClaimSpec], Report] | None = None
        self._highlights: dict[str, tuple[tuple[Any, ...], Highlight]] = {}

    # -- state and records ----------------------------------------------------------------

    def state(self) -> CaseState:
        """The custody log read into a state, again only when the log changed."""
        with self._lock:
            return self._state_locked()

    def _state_locked(self) -> CaseState:
        """The state, brought up to date: the custody log is append-only, so lines added
        since the last read are taken into account one by one; a log that did anything
        but grow by whole lines is read again from the start with ``Case.state()``."""
        sig = _signature(self.case.custody.path)
        if self._state is not None and self._state[0] == sig:
            return self._state[1]
        if self._state is not None and sig is not None and self._extend(self._state[1]):
            self._state = (_signature(self.case.custody.path), self._state[1])
            self.generation += 1
            return self._state[1]
        while True:
            before = _signature(self.case.custody.path)
            state = self.case.state()
            after = _signature(self.case.custody.path)
            if before == after:
                break
        self._state = (after, state)
        self._offset = after[0] if after else 0
        self.generation += 1
        return state

    def _extend(self, state: CaseState) -> bool:
        """Note the log's new lines in ``state``; False when they are not whole lines."""
        try:
            with self.case.custody.path.open("rb") as fh:
                fh.seek(self._offset)
                data = fh.read()
        except OSError:
            return False
        if not data or not data.endswith(b"\n"):
            return False
        events = []
        for raw in data[:-1].split(b"\n"):
            try:
                event = loads_json(raw, path="custody.jsonl")
                subject = event.get("subject")
                events.append(
                    (
                        str(event.get("action")),
                        Subject.from_dict(subject) if isinstance(subject, dict) else None,
                        event.get("details") or {},
                    )
                )
            except (EvidenceError, AttributeError, KeyError, TypeError, ValueError):
                return False
        for action, subject, details in events:
            state.note(action, subject, details)
        self._offset += len(data)
        return True

    def record(self, record_id: str, revision: int) -> Record:
        """A record revision (records are never rewritten, so each is read once)."""
        cached = self._records.get((record_id, revision))
        if cached is not None:
            return cached
        record = self.case.records.load(record_id, revision).record
        self._records[(record_id, revision)] = record
        return record

    def ern(self, state: CaseState, record_id: str) -> str:
        return self.case.meta.ern(state.ern_number(record_id))

    def _index_locked(self) -> int:
        """(With the index lock held.) Read each record revision that entered the case
        since the last call; return the state generation the index is now at."""
        with self._lock:  # a snapshot: the state grows under this lock only
            state = self._state_locked()
            generation = self.generation
            if generation == self._index_generation:
                return generation
            fresh = state.entries[self._indexed :]
            latest = list(state.latest.items())
            numbers = dict(state.first_seen)
        for subject in fresh:
            if subject.id.startswith("SRC-"):
                record = self.record(subject.id, subject.revision)
                body = record.body
                assert isinstance(body, SourceBody)
                self._rows[subject.id] = SourceRow(
                    subject.id,
                    self.case.meta.ern(numbers[subject.id] + 1),
                    body.title,
                    body.publisher or "",
                    body.language,
                    body.published or "",
                    body.captured_at,
                    subject.revision,
                    {},
                )
            else:
                # Only the latest revision of each claim counts; read it lazily below.
                self._claim_source.pop(subject.id, None)
        self._indexed += len(fresh)
        for claim_id, subject in latest:
            if claim_id.startswith("CLM-") and claim_id not in self._claim_source:
                body = self.record(claim_id, subject.revision).body
                assert isinstance(body, ClaimBody)
                self._claim_source[claim_id] = (body.source.id, body.status)
                self._records.pop((claim_id, subject.revision), None)  # keep memory flat
        self._index_generation = generation
        return generation

    # -- pages ------------------------------------------------------------------------------

    def overview(self) -> Overview:
        """The overview: the state, seals and what changed since the last seal."""
        with self._lock:
            state = self._state_locked()
            if self._by_status is None or self._by_status[0] != self.generation:
                counted = Counter(
                    state.claim_status.get(i, "reported")
                    for i in state.latest
                    if i.startswith("CLM-")
                )
                self._by_status = (self.generation, dict(sorted(counted.items())))
            by_status = self._by_status[1]
            sources = len(state.latest) - sum(by_status.values())
        case = self.case
        seals = []
        last_seal_time = None
        for path in case.seal_files():
            seals.append(self._seal_summary(path))
            last_seal_time = path.stat().st_mtime_ns
        size = seals[-1]["size"] if seals else 0
        changed, suggested = [], []
        if case.claims_dir.is_dir():
            for entry in sorted(os.scandir(case.claims_dir), key=lambda e: e.name):
                if not _FILE_NAME.fullmatch(entry.name):
                    continue
                if entry.name.endswith(".suggested.yaml"):
                    suggested.append(entry.name)
                elif last_seal_time is None or entry.stat().st_mtime_ns > last_seal_time:
                    changed.append(entry.name)
        return Overview(
            case,
            state,
            sources,
            by_status,
            seals,
            max(0, len(state.entries) - int(size or 0)),
            changed,
            suggested,
            self.last_verified(),
        )

    def _seal_summary(self, path: Path) -> dict[str, Any]:
        """A seal's sequence, time, size and root (parsed once: seals never change), and
        whether it is signed and time-stamped (looked up each time: those come later)."""
        sig = _signature(path)
        cached = self._seals.get(path.name)
        if cached is None or cached[0] != sig:
            doc = loads_json(path.read_bytes(), path=self.case.rel(path))
            tree = doc.get("tree") or {}
            cached = (
                sig,
                {
                    "sequence": doc.get("sequence"),
                    "sealed_at": doc.get("sealed_at"),
                    "root": tree.get("root"),
                    "size": tree.get("size"),
                },
            )
            self._seals[path.name] = cached
        stamps = sum(1 for _ in path.parent.glob(f"{path.name}.*.tsr"))
        stamps += path.with_name(path.name + ".tsr").exists()
        return {
            **cached[1],
            "signed": path.with_name(path.name + ".sig").exists(),
            "stamps": stamps,
        }

    def last_verified(self) -> dict[str, Any] | None:
        """The newest ``verified`` event of the custody log (read from its tail)."""
        path = self.case.custody.path
        try:
            with path.open("rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - 256 * 1024))
                tail = fh.read()
        except OSError:
            return None
        for raw in reversed(tail.split(b"\n")):
            if b'"verified"' not in raw:
                continue
            try:
                event = loads_json(raw, path="custody.jsonl")
            except EvidenceError:
                continue
            if isinstance(event, dict) and event.get("action") == "verified":
                return event
        return None

    def sources(self, query: str = "") -> list[SourceRow]:
        """Every source, filtered by words in its id, exhibit number, title, publisher or
        language, with its claims counted by status."""
        with self._index_lock:
            generation = self._index_locked()
            if self._table is None or self._table[0] != generation:
                counts: dict[str, Counter[str]] = {}
                for source, status in self._claim_source.values():
                    counts.setdefault(source, Counter())[status] += 1
                self._table = (
                    generation,
                    [replace(r, claims=dict(counts.get(r.id, {}))) for r in self._rows.values()],
                )
            rows = self._table[1]
        words = query.casefold().split()
        if words:
            rows = [
                r
                for r in rows
                if all(
                    w in f"{r.id} {r.ern} {r.title} {r.publisher} {r.language}".casefold()
                    for w in words
                )
            ]
        return rows

    def claim_specs(self) -> tuple[list[ClaimSpec], Report]:
        """Every claim of the claims files (as ``check`` reads them), read again when any
        claims file changed on disk."""
        files = (
            sorted(p for p in self.case.claims_dir.glob("*.y*ml") if _FILE_NAME.fullmatch(p.name))
            if self.case.claims_dir.is_dir()
            else []
        )
        sigs = tuple((p.name, _signature(p)) for p in files)
        with self._lock:
            if self._specs is None or self._specs[0] != sigs:
                report = Report()
                specs = load_claim_specs(self.case, report)
                self._specs = (sigs, specs, report)
            return self._specs[1], self._specs[2]

    def highlight(self, source_id: str) -> Highlight:
        """A source's text with every claim quoting it, by kind, and the problems of its
        claims (as ``check`` reports them); kept until the custody log or a claims file
        changes."""
        state = self.state()
        self.claim_specs()
        with self._lock:
            assert self._specs is not None
            key = (source_id, self._state[0] if self._state else None, self._specs[0])
            cached = self._highlights.get(source_id)
            if cached is not None and cached[0] == key:
                return cached[1]
        result = self._highlight(source_id, state)
        with self._lock:
            self._highlights[source_id] = (key, result)
            while len(self._highlights) > 8:
                self._highlights.pop(next(iter(self._highlights)))
        return result

    def _highlight(self, source_id: str, state: CaseState) -> Highlight:
        latest = state.latest[source_id]
        record = self.record(source_id, latest.revision)
        body = record.body
        assert isinstance(body, SourceBody)
        text = self.case.objects.read_text(body.text.blake3) if body.text is not None else ""
        specs, file_report = self.claim_specs()
        mine = [s for s in specs if s.source == source_id]
        report = Report()
        compiled = compile_claims(self.case, state, [s for s in mine if not s.proposed], report)
        claims: list[ClaimView] = []
        keys_in_files = set()
        for item in compiled:
            claim = item.body
            keys_in_files.add(item.key)
            record_id = state.claim_keys.get(item.key)
            sealed = (
                record_id is not None and state.claim_body_digest.get(record_id) == item.body_blake3
            )
            quote = claim.quote
            claims.append(
                ClaimView(
                    item.key,
                    "sealed" if sealed else "pending",
                    claim.to_dict(),
                    quote.start if quote else None,
                    quote.end if quote else None,
                    record=(
                        f"{record_id}.{state.latest[record_id].revision}"
                        if sealed and record_id
                        else None
                    ),
                    ern=self.ern(state, record_id) if sealed and record_id else None,
                    digest=state.latest[record_id].blake3 if sealed and record_id else None,
                    path=item.path,
                    line=item.line,
                )
            )
        for spec in mine:
            if spec.proposed:
                claims.append(self._proposed(spec, text))
        claims.extend(self._withdrawn(state, source_id))
        problems = [
            f for f in [*file_report.findings, *report.findings] if f.status in ("FAIL", "ERROR")
        ]
        result = Highlight(record, text, claims, problems)
        result.segments = _segments(text, claims)
        return result

    def _proposed(self, spec: ClaimSpec, text: str) -> ClaimView:
        start = end = None
        quote = spec.data.get("quote")
        if isinstance(quote, str):
            try:
                found = find_quote(text, quote, spec.data.get("occurrence"))
                start, end = found.start, found.end
            except EvidenceError:
                pass
        data = {k: v for k, v in spec.data.items() if k != "why"}
        return ClaimView(
            spec.key,
            "suggested",
            data,
            start,
            end,
            why=spec.data.get("why"),
            path=spec.path,
            line=spec.line,
        )

    def _withdrawn(self, state: CaseState, source_id: str) -> Iterator[ClaimView]:
        for record_id, status in state.claim_status.items():
            if status != "withdrawn" or record_id not in state.latest:
                continue
            subject = state.latest[record_id]
            body = self.record(record_id, subject.revision).body
            assert isinstance(body, ClaimBody)
            if body.source.id != source_id:
                continue
            quote = body.quote
            yield ClaimView(
                body.key,
                "withdrawn",
                body.to_dict(),
                quote.start if quote else None,
                quote.end if quote else None,
                record=f"{record_id}.{subject.revision}",
                ern=self.ern(state, record_id),
                digest=subject.blake3,
            )

    def claims_file_names(self) -> list[str]:
        """The claims files a client may open by name (names checked against the folder)."""
        if not self.case.claims_dir.is_dir():
            return []
        return sorted(
            e.name
            for e in os.scandir(self.case.claims_dir)
            if _FILE_NAME.fullmatch(e.name) and e.is_file()
        )

    def suggestions(self, source_id: str) -> tuple[list[dict[str, Any]], str | None]:
        """The proposed claims of ``claims/SRC-….suggested.yaml``, and a problem reading it."""
        path = self.case.claims_dir / f"{source_id}.suggested.yaml"
        if not path.exists():
            return [], None
        try:
            doc = load_yaml(path.read_bytes(), path=self.case.rel(path))
        except EvidenceError as exc:
            return [], str(exc)
        items = doc.data.get("claims") if isinstance(doc.data, dict) else None
        if not isinstance(items, list):
            return [], f"{self.case.rel(path)}: no list of claims"
        return [dict(i) for i in items if isinstance(i, dict)], None
