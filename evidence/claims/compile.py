"""Claims as analysts write them (claims/*.yaml), compiled into claim record bodies.

Reading is strict and every problem is reported with its file, line and JSON pointer:
YAML syntax, the claims-file schema, keys unique in the case, a source the case holds,
and a quote that occurs in that source's normalised text. ``check`` reports all the
problems; ``seal`` refuses to run while there is one.

Claims with ``status: proposed`` (written by ``suggest``) are read but not compiled until
an analyst accepts them by setting another status or moving them to their own file.

Example:
    >>> # report = Report(); compiled = compile_case_claims(case, case.state(), report)
    >>> # report.ok, compiled[0].key  # doctest: +SKIP
"""

from __future__ import annotations

import datetime
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, compress, repeat
from operator import eq, itemgetter, not_
from pathlib import Path
from typing import Any, Final, Literal

import blake3

from evidence._parallel import chunked, gc_paused, imap_chunks
from evidence._yaml import YamlDocument, load_yaml
from evidence.canonical import JSONValue, canonical_bytes, loads_json, plain_canonical_bytes
from evidence.case import Case, CaseState
from evidence.claims._cache import (
    CaseSummary,
    FileStamps,
    Stamp,
    Summary,
    SummaryRow,
    compiler_digest,
    read_stamped,
    stamp_of,
    stat_stamp,
)
from evidence.claims.anchor import find_quote
from evidence.digest import Blake3Hex
from evidence.errors import CanonicalError, EvidenceError, QuoteError, SchemaError
from evidence.model import (
    AttributionLink,
    ClaimBody,
    Fact,
    Quote,
    RecordId,
    SourceRef,
)
from evidence.report import Report
from evidence.schema import is_valid, issues
from evidence.store import object_text, record_document

__all__ = [
    "ClaimSpec",
    "CompiledClaim",
    "SourceView",
    "check_case_claims",
    "check_claims_file",
    "compile_case_claims",
    "compile_claims",
    "iter_case_claims",
    "load_claim_specs",
]


@dataclass(frozen=True)
class ClaimSpec:
    """One claim as written in a claims file, with where it was written."""

    key: str
    source: str | None
    data: dict[str, Any]
    path: str
    pointer: str
    line: int | None

    @property
    def proposed(self) -> bool:
        return self.data.get("status") == "proposed"


@dataclass(frozen=True, slots=True)
class CompiledClaim:
    """A claim compiled into a record body: the body's RFC 8785 bytes and BLAKE3."""

    key: str
    status: str
    body_bytes: bytes
    body_blake3: str
    path: str
    line: int | None

    @property
    def body(self) -> ClaimBody:
        """The body as a model (parsed back from its canonical bytes)."""
        return ClaimBody.from_dict(loads_json(self.body_bytes, path=self.path))

    def __reduce__(self) -> tuple[type[CompiledClaim], tuple[Any, ...]]:
        # Pickled as its fields (a fifth of the default's cost): a seal's workers send
        # back every compiled claim.
        return CompiledClaim, (
            self.key,
            self.status,
            self.body_bytes,
            self.body_blake3,
            self.path,
            self.line,
        )


_KeyUse = tuple[str, bool, str, str, int | None]
"""(key, proposed, path, JSON pointer, line) of a claim in a claims file: a plain tuple,
which a worker process sends back at C speed (100,000 of them on a large case)."""

_Compiled = tuple[str, str, bytes, str, str, int | None]
"""A :class:`CompiledClaim`'s fields in order, as a worker process sends them back."""


@dataclass
class SourceView:
    """The latest revision of a source, as the custody log names it (its record's JSON
    checked against that digest and its schema), and its text, loaded once per run."""

    record_id: str
    revision: int
    blake3: str
    text: str | None
    text_blake3: str | None
    """The BLAKE3 of the source's text object (None: it has no text)."""
    media_type: str | None
    ref: dict[str, JSONValue] | None = field(init=False, repr=False, compare=False)
    """The ``source`` member of the bodies of claims that cite this revision (None: the
    record makes no valid reference, which the model says for each such claim)."""

    def __post_init__(self) -> None:
        try:
            ref = SourceRef(RecordId(self.record_id), self.revision, Blake3Hex(self.blake3))
        except SchemaError:
            self.ref = None
        else:
            self.ref = ref.to_dict()


@dataclass
class _Sources:
    case: Case
    state: CaseState
    loaded: dict[str, SourceView] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)
    stamps: FileStamps = field(default_factory=lambda: FileStamps(None, {}))
    seen: dict[str, tuple[Stamp, str]] = field(default_factory=dict)
    """Files read and digested in this run (or found unchanged), with their stamps."""
    summaries: dict[str, Summary] = field(default_factory=dict)
    """The summary of each claims file compiled or taken from the cache in this run."""
    records: dict[tuple[str, int], bytes] = field(default_factory=dict)
    """The canonical bytes of the source record revisions read and checked against the
    custody log's BLAKE3 in this run, by (id, revision): a seal takes their leaves from
    them instead of reading the files again."""
    root: str = field(init=False)

    def __post_init__(self) -> None:
        self.root = str(self.case.root)

    def unchanged(self, rel: str, digest: str) -> bool:
        """Whether the case's file ``rel`` was read and found to have ``digest`` before
        and its stamp has not changed since; notes the stamp for the next run either way."""
        stamp = stamp_of(f"{self.root}/{rel}")
        if stamp is None:
            return False
        self.seen[rel] = (stamp, digest)  # taken before reading: a later write shows
        return self.stamps.digest(rel, stamp) == digest

    def get(self, source_id: str) -> SourceView | None:
        if source_id in self.loaded:
            return self.loaded[source_id]
        latest = self.state.latest.get(source_id)
        if latest is None:
            return None
        # Each file's stamp is that of the bytes read: checked against its digest, the
        # next run may trust it.
        name = f"records/{source_id}.{latest.revision}.json"
        data, stamp = read_stamped(f"{self.root}/{name}", what="record file")
        # The members the compile uses, from the JSON its schema checked (the model
        # adds nothing to a revision the log names; verify builds it: decision 0045).
        doc, record_bytes = record_document(data, name=name, blake3=latest.blake3)
        self.seen[name] = (stamp, latest.blake3)
        self.records[(source_id, latest.revision)] = record_bytes
        body = doc["body"]
        text_ref = body.get("text") if doc["kind"] == "source" else None
        text = digest = None
        if text_ref is not None:
            digest = text_ref["blake3"]
            if _is_hex64(digest) is None:  # never a path: the store says what it is
                self.case.objects.read_text(digest)
            name = f"objects/{digest[:2]}/{digest}"
            data, stamp = read_stamped(f"{self.root}/{name}", what="object")
            text = object_text(data, name=name, blake3=digest)
            self.seen[name] = (stamp, digest)
        view = SourceView(
            doc["id"], doc["revision"], latest.blake3, text, digest, body.get("media_type")
        )
        self.loaded[source_id] = view
        return view

    def check(self, source_id: str, text_blake3: str | None) -> None:
        """Read the latest revision of a source and its text and check both against
        their digests, as :meth:`get` would, without parsing them: a cache hit still
        stops on a damaged or missing source (docs/decisions/0020).

        Raises:
            InputError: a file is missing or unreadable.
            CaseError: a file is not what its digest names.
        """
        if source_id in self.checked or source_id in self.loaded:
            return
        latest = self.state.latest_revision(source_id)
        if latest is None:
            raise KeyError(source_id)
        revision, blake3_hex = latest
        # Paths as strings: pathlib costs more than the stat on a case of 10,000 sources.
        record = f"records/{source_id}.{revision}.json"
        if not self.unchanged(record, blake3_hex):
            checked = self.case.records.check(source_id, revision, blake3=blake3_hex)
            self.records[(source_id, revision)] = checked
        if (
            text_blake3 is not None
            and not (
                type(text_blake3) is str  # a digest, not a path: checked before it names one
                and _is_hex64(text_blake3) is not None
                and self.unchanged(f"objects/{text_blake3[:2]}/{text_blake3}", text_blake3)
            )
        ):
            self.case.objects.read_text(text_blake3)
        self.checked.add(source_id)


_is_hex64 = re.compile("[0-9a-f]{64}").fullmatch


def _claim_files(case: Case) -> list[Path]:
    folder = case.claims_dir
    return [folder / name for name in _claim_names(case)]


def _claim_names(case: Case) -> list[str]:
    """The names of the case's claims files (``*.yaml``, ``*.yml``, not hidden), sorted:
    names, not paths (10,000 paths cost more than the listing)."""
    try:
        names = os.listdir(case.claims_dir)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(n for n in names if n.endswith((".yaml", ".yml")) and not n.startswith("."))


def _read_specs(case: Case, paths: list[Path], report: Report) -> list[ClaimSpec]:
    """The claims of some claims files, each problem put in ``report``."""
    specs: list[ClaimSpec] = []
    for path in paths:
        shown = case.rel(path)
        read = _read_claims_file(path, shown, report)
        doc = None if read is None else _parse_claims_file(read[0], shown, report)
        if doc is not None:
            specs.extend(_file_specs(doc, report))
    return specs


def _read_claims_file(path: Path, shown: str, report: Report) -> tuple[bytes, Stamp] | None:
    """The bytes of one claims file and the stamp of what was read (counted in
    ``report``), or None with the problem put in ``report``."""
    report.count("claims files")
    try:
        return read_stamped(os.fspath(path), what="claims file")
    except EvidenceError as exc:
        report.add("claims-yaml", "FAIL", exc.message, path=shown, line=exc.line)
        return None


def _parse_claims_file(data: bytes, shown: str, report: Report) -> YamlDocument | None:
    """One claims file's YAML, or None with the problem put in ``report``."""
    try:
        return load_yaml(data, path=shown)
    except EvidenceError as exc:
        report.add("claims-yaml", "FAIL", exc.message, path=shown, line=exc.line)
        return None


def _key_uses(specs: list[ClaimSpec]) -> list[_KeyUse]:
    return [(s.key, s.proposed, s.path, s.pointer, s.line) for s in specs]


def load_claim_specs(case: Case, report: Report) -> list[ClaimSpec]:
    """Read every claims file; put each problem in ``report``; return the claims that parse."""
    specs = _read_specs(case, _claim_files(case), report)
    _check_keys(_key_uses(specs), report)
    return specs


def _file_specs(doc: YamlDocument, report: Report) -> Iterator[ClaimSpec]:
    data = doc.data
    found = [] if is_valid("claims-file", data) else issues("claims-file", data, doc=doc)
    bad_claims: set[int] = set()
    for issue in found:
        report.add(
            "claims-schema",
            "FAIL",
            f"{issue.pointer or '/'}: {issue.message}",
            path=doc.path,
            line=issue.line,
        )
        parts = issue.pointer.split("/")
        if len(parts) > 2 and parts[1] == "claims" and parts[2].isdigit():
            bad_claims.add(int(parts[2]))
        else:
            return  # the file as a whole is malformed
    file_source = data.get("source")
    lines: list[int | None] = list(doc.item_lines("/claims"))
    for index, claim in enumerate(data.get("claims") or []):
        if index in bad_claims:
            continue
        pointer = f"/claims/{index}"
        line = lines[index] if index < len(lines) else doc.line_of(pointer)
        source = claim.get("source", file_source)
        if source is None:
            report.add(
                "claims-schema",
                "FAIL",
                f"{pointer}: no source (give `source:` in the file or in the claim)",
                path=doc.path,
                line=line,
            )
            continue
        yield ClaimSpec(claim["key"], source, dict(claim), doc.path, pointer, line)


def _check_keys(uses: list[_KeyUse], report: Report) -> None:
    """Keys are unique among the claims a seal would compile; a proposed claim whose key
    was accepted already is left out quietly."""
    seen: dict[str, _KeyUse] = {}
    for use in uses:
        key, proposed, path, pointer, line = use
        if proposed:
            continue
        first = seen.get(key)
        if first is not None:
            report.add(
                "claim-key",
                "FAIL",
                f"{pointer}/key: duplicate key {key!r} (first used at {first[2]}:{first[4]})",
                path=path,
                line=line,
            )
        else:
            seen[key] = use


def _body(spec: ClaimSpec, view: SourceView, quote: Quote | None) -> ClaimBody:
    """A claim's body through the model: every check of its constructors."""
    data = spec.data
    return ClaimBody(
        key=spec.key,
        statement=" ".join(data["statement"].split()),
        source=SourceRef(RecordId(view.record_id), view.revision, Blake3Hex(view.blake3)),
        quote=quote,
        attribution=tuple(AttributionLink.from_dict(x) for x in data.get("attributed_to", [])),
        category=data.get("category", "other"),
        facts={k: Fact.from_dict(v) for k, v in sorted(data.get("facts", {}).items())},
        date=data.get("date"),
        places=tuple(data.get("places", [])),
        status=data.get("status", "reported"),
        note=data.get("note"),
    )


_LINK_FIELDS: Final = frozenset({"name", "role", "channel"})
_FACT_FIELDS: Final = frozenset({"value", "qualifier", "unit", "text"})
_MAX_EXACT_INT: Final = 2**53 - 1


def _plain_body(
    spec: ClaimSpec, view: SourceView, quote: Quote | None
) -> dict[str, JSONValue] | None:
    """``_body(spec, view, quote).to_dict()`` built directly, for a claim of the usual
    shape: every field of the exact type the claims-file schema asks for, integer facts
    without ``max`` or ``as_of``, links without co-speakers, a real calendar date. The
    dict is plain (see :func:`~evidence.canonical.plain_canonical_bytes`). None for any
    other claim, which :func:`_body` builds or refuses with the model's own message.

    The model costs more than the rest of a claim's compile; this gives the same dict
    (a property test holds the two together) for the claims people write.
    """
    data = spec.data
    statement = data["statement"]
    source = view.ref
    key = spec.key
    if type(statement) is not str or source is None or type(key) is not str:
        return None
    links: list[JSONValue] = []
    given = data.get("attributed_to", ())
    if type(given) is not list and given != ():
        return None
    for link in given:
        if type(link) is not dict or not _LINK_FIELDS.issuperset(link):
            return None
        name, role, channel = link.get("name"), link.get("role"), link.get("channel")
        if not (
            type(name) is str
            and (role is None or type(role) is str)
            and (channel is None or type(channel) is str)
        ):
            return None
        links.append({"name": name, "role": role, "channel": channel})
    facts: dict[str, JSONValue] = {}
    given = data.get("facts", facts)
    if type(given) is not dict:
        return None
    for name, fact in given.items():
        if not (
            type(name) is str
            and name.isascii()
            and type(fact) is dict
            and _FACT_FIELDS.issuperset(fact)
        ):
            return None
        value, qualifier = fact.get("value"), fact.get("qualifier")
        if not (
            type(value) is int
            and -_MAX_EXACT_INT <= value <= _MAX_EXACT_INT
            and type(qualifier) is str
            and qualifier != "range"
        ):
            return None
        out: dict[str, JSONValue] = {"value": value, "qualifier": qualifier}
        for member in ("unit", "text"):
            text = fact.get(member)
            if text is not None:
                if type(text) is not str:
                    return None
                out[member] = text
        facts[name] = out
    places = data.get("places", [])
    category = data.get("category", "other")
    status = data.get("status", "reported")
    note = data.get("note")
    date = data.get("date")
    if not (
        type(places) is list
        and all(type(place) is str for place in places)
        and type(category) is str
        and type(status) is str
        and (note is None or type(note) is str)
        and (date is None or (type(date) is str and _real_dates(date)))
    ):
        return None
    return {
        "key": key,
        "statement": " ".join(statement.split()),
        "source": source,
        "quote": None if quote is None else quote.to_dict(),
        "attribution": links,
        "category": category,
        "facts": facts,
        "date": date,
        "places": list(places),
        "status": status,
        "note": note,
    }


def _real_dates(value: str) -> bool:
    """Whether the model takes ``value`` as a claim's date (each part a calendar date)."""
    try:
        for part in value.split("/"):
            datetime.date.fromisoformat(part[:10])
    except ValueError:
        return False
    return True


def compile_claims(
    case: Case, state: CaseState, specs: list[ClaimSpec], report: Report
) -> list[CompiledClaim]:
    """Compile every accepted claim; put each problem in ``report``."""
    return [CompiledClaim(*row) for row in _compile_specs(_Sources(case, state), specs, report)]


def _compile_specs(sources: _Sources, specs: list[ClaimSpec], report: Report) -> list[_Compiled]:
    """Each accepted claim compiled, as :class:`CompiledClaim` fields; each problem put
    in ``report``."""
    state = sources.state
    compiled: list[_Compiled] = []
    proposed = 0
    for spec in specs:
        if spec.proposed:
            proposed += 1
            continue
        assert spec.source is not None
        view = sources.get(spec.source)
        if view is None:
            report.add(
                "claim-source",
                "FAIL",
                f"{spec.pointer}: unknown source {spec.source} (the case has "
                f"{_known_sources(state)})",
                path=spec.path,
                line=spec.line,
            )
            continue
        quote_text = spec.data.get("quote")
        if quote_text is not None and view.text is None:
            report.add(
                "claim-quote",
                "FAIL",
                f"{spec.pointer}/quote: {spec.source} has no text to quote "
                f"({view.media_type}); cite it without a quote",
                path=spec.path,
                line=spec.line,
            )
            continue
        try:
            quote = None
            if quote_text is not None:
                assert view.text is not None
                quote = find_quote(view.text, quote_text, spec.data.get("occurrence"))
            plain = _plain_body(spec, view, quote)
            body = _body(spec, view, quote).to_dict() if plain is None else plain
        except QuoteError as exc:
            hint = f" {exc.hint}" if exc.hint else ""
            report.add(
                "claim-quote",
                "FAIL",
                f"{spec.pointer}/quote: {exc.message} of {spec.source}.{hint}",
                path=spec.path,
                line=spec.line,
            )
            continue
        except EvidenceError as exc:
            report.add(
                "claims-schema",
                "FAIL",
                f"{spec.pointer}: {exc.message}",
                path=spec.path,
                line=spec.line,
            )
            continue
        try:
            body_bytes = canonical_bytes(body) if plain is None else plain_canonical_bytes(plain)
        except CanonicalError as exc:
            report.add(
                "claims-schema",
                "FAIL",
                f"{spec.pointer}: a value has no JSON form (NaN, infinity or an integer "
                f"beyond 2**53-1): {exc.message}",
                path=spec.path,
                line=spec.line,
            )
            continue
        compiled.append(
            (
                spec.key,
                body["status"],
                body_bytes,
                blake3.blake3(body_bytes).hexdigest(),
                spec.path,
                spec.line,
            )
        )
    # Counted once for the file, as a count and a PASS for each claim would count them.
    if proposed:
        report.count("proposed claims", proposed)
    if len(specs) > proposed:
        report.count("claims", len(specs) - proposed)
    if compiled:
        report.passed["claim"] += len(compiled)
    return compiled


_ChunkResult = tuple[
    list[_KeyUse],
    list[_Compiled],
    Report,
    dict[str, tuple[Stamp, str]],
    dict[str, Summary],
    dict[tuple[str, int], bytes],
]


@dataclass(frozen=True)
class _CompileJob:
    """What every chunk of a compile needs: handed to worker processes bound to
    :meth:`run` (through the pool's initializer), never through a module variable."""

    case: Case
    state: CaseState
    summarise: bool
    """Whether to note each file's :class:`Summary` for the case's summary (caches on)."""

    def run(self, paths: list[Path]) -> _ChunkResult:
        """The key uses, compiled claims and findings of some claims files, and the
        stamps of the files read."""
        report = Report()
        sources = _Sources(self.case, self.state)
        uses: list[_KeyUse] = []
        compiled: list[_Compiled] = []
        with gc_paused():  # nothing made here is in a cycle
            for path in paths:
                file_uses, file_compiled = _compile_file(sources, path, report, self.summarise)
                uses.extend(file_uses)
                compiled.extend(file_compiled)
        return uses, compiled, report, sources.seen, sources.summaries, sources.records


def _compile_file(
    sources: _Sources, path: Path, report: Report, summarise: bool
) -> tuple[list[_KeyUse], list[_Compiled]]:
    """One claims file's key uses and compiled claims; with ``summarise``, its
    :class:`Summary` is noted for the case's summary if the file compiled without a
    single problem (docs/decisions/0027, 0045)."""
    shown = sources.case.rel(path)
    read = _read_claims_file(path, shown, report)
    if read is None:
        return [], []
    data, stamp = read
    file_blake3 = blake3.blake3(data).hexdigest()
    sources.seen[shown] = (stamp, file_blake3)
    own = Report()
    doc = _parse_claims_file(data, shown, report)
    if doc is None:
        return [], []
    specs = list(_file_specs(doc, own))
    compiled = _compile_specs(sources, specs, own)
    report.extend(own)
    if summarise and not own.findings:
        cited = {s.source: sources.loaded[s.source] for s in specs if not s.proposed and s.source}
        sources.summaries[shown] = Summary(
            file_blake3,
            {source: view.blake3 for source, view in cited.items()},
            {source: view.text_blake3 for source, view in cited.items()},
            [row[0] for row in compiled],
            "".join(row[3] for row in compiled),
            sum(1 for spec in specs if spec.proposed),
        )
    return _key_uses(specs), compiled


def iter_case_claims(
    case: Case,
    state: CaseState,
    report: Report,
    *,
    workers: int = 1,
    kept: Callable[[list[str]], None] | None = None,
    records: dict[tuple[str, int], bytes] | None = None,
) -> Iterator[list[CompiledClaim]]:
    """Read, check and compile every claims file of the case, in up to ``workers``
    processes for large cases, yielding compiled claims chunk by chunk in file order as
    they are done.

    With ``kept``, a claims file whose every claim the custody log already holds with
    the same body (``state``'s latest body digest for its key) may be left out of what
    is yielded; the keys of its accepted claims are given to ``kept`` instead, before
    the first chunk. The case's claims summary tells which files those are (decision
    0027).

    With ``records``, the canonical bytes of the source record revisions read and
    checked against the log on the way are put there, by (id, revision).

    Each problem goes into ``report``; the check that keys are unique across the case is
    made after the last chunk, so a caller must look at ``report.ok`` only once the
    iteration is over.
    """
    return _iter_claims(
        case,
        state,
        report,
        workers=workers,
        take="logged" if kept is not None else None,
        kept=kept,
        records=records,
    )


def _iter_claims(
    case: Case,
    state: CaseState,
    report: Report,
    *,
    workers: int,
    take: Literal["logged", "compiled"] | None,
    kept: Callable[[list[str]], None] | None = None,
    records: dict[tuple[str, int], bytes] | None = None,
) -> Iterator[list[CompiledClaim]]:
    """:func:`iter_case_claims`, with ``take`` saying which files the case's summary may
    stand for: ``"logged"`` those whose claims the custody log holds as they are (a
    seal), ``"compiled"`` any that compiled without a problem from these bytes against
    these sources (a check, which needs no bodies), None none (every claim is yielded)."""
    summarise = CaseSummary.folder() is not None
    if summarise:
        compiler_digest()  # once, here, before workers fork
    keys: list[str] = []
    taken: list[tuple[str, SummaryRow]] = []
    summary = CaseSummary(None, {})
    with gc_paused():
        here = _Sources(case, state)
        if summarise:
            here.stamps = FileStamps.for_case(case.root)
        if summarise and take is not None:
            summary = CaseSummary.for_case(case.root)
            names, taken, keys = _kept_files(
                here, summary, _claim_names(case), report, logged=take == "logged"
            )
            files = [case.claims_dir / name for name in names]
            if kept is not None:
                kept(keys)
        else:
            files = _claim_files(case)
    job = _CompileJob(case, state, summarise)
    uses: list[_KeyUse] = []
    seen = here.seen
    summaries: dict[str, Summary | SummaryRow] = dict(taken)
    if records is not None:
        records.update(here.records)
    for (
        part_uses,
        part_compiled,
        part_report,
        part_seen,
        part_summaries,
        part_records,
    ) in imap_chunks(
        job.run, chunked(files, workers * 8), workers=workers, min_items=32, total=len(files)
    ):
        uses.extend(part_uses)
        report.extend(part_report)
        seen.update(part_seen)
        summaries.update(part_summaries)
        if records is not None:
            records.update(part_records)
        yield [CompiledClaim(*row) for row in part_compiled]
    with gc_paused():
        if summarise:
            here.stamps.store(seen)
            summary.store(case.root, summaries)  # what changed since the one read
    keys.extend(use[0] for use in uses if not use[1])
    if taken and len(set(keys)) != len(keys):  # a duplicate: reported in file order
        uses += _uses_of_duplicates(case, taken, keys)
        order = {case.rel(path): n for n, path in enumerate(_claim_files(case))}
        uses.sort(key=lambda use: order[use[2]])
    _check_keys(uses, report)


def _uses_of_duplicates(
    case: Case, taken: list[tuple[str, SummaryRow]], keys: list[str]
) -> list[_KeyUse]:
    """The key uses of the summarised files that hold a key used more than once, read
    from the files again (the summary keeps no key uses): every use of a duplicate key
    is then at hand, and the message is the one a fresh compile gives."""
    counts = Counter(keys)
    twice = {key for key, count in counts.items() if count > 1}
    paths = [case.root / rel for rel, row in taken if not twice.isdisjoint(row[3])]
    return _key_uses(_read_specs(case, paths, Report()))


def _kept_files(
    sources: _Sources, summary: CaseSummary, names: list[str], report: Report, *, logged: bool
) -> tuple[list[str], list[tuple[str, SummaryRow]], list[str]]:
    """The claims files left to compile (by name), the summaries of the others, and the
    keys of their accepted claims: files whose summary is for their bytes now (by their
    unchanged stamp, else read and digested), whose cited sources are still the
    revisions compiled against (and check against their digests), and, if ``logged``,
    whose every claim is in the custody log with the same body. Counted in ``report`` as
    a compile would count them.

    The per-file work is a dictionary look-up or two and a stat; what is in proportion
    to the claims (100,000 on a large case) is done over all files at once, at C level,
    and file by file only when something differs."""
    state, case = sources.state, sources.case
    # Every step a map over all files (C-level loops), none a Python loop per file.
    paths = list(map(f"{case.rel(case.claims_dir)}/".__add__, names))  # as case.rel gives
    rows = list(map(summary.known.get, paths, repeat(_NO_ROW)))
    kept = list(map(sources.stamps.known.get, paths))  # (stamp, BLAKE3) when last read
    stamps = _stamps(case.claims_dir, names)
    # The file is the one its summary row was made from: unchanged since it was read.
    same = list(map(eq, kept, zip(stamps, map(itemgetter(0), rows), strict=True)))
    if None in stamps:  # a file that cannot be looked at is compiled, which says why
        same = [ok and stamp is not None for ok, stamp in zip(same, stamps, strict=True)]
    read = _read_again(sources, names, paths, rows, stamps, same)
    cited = [rows[n][1] for n in compress(range(len(names)), same)]
    if list(map(state.latest_blake3, chain.from_iterable(cited))) != list(
        chain.from_iterable(map(dict.values, cited))
    ):  # a source revised since: file by file
        for n in compress(range(len(names)), same):
            same[n] = all(state.latest_blake3(s) == d for s, d in rows[n][1].items())
    left = list(compress(names, map(not_, same)))
    found = [(names[n], paths[n], stamps[n], rows[n]) for n in compress(range(len(names)), same)]
    if logged:
        found, keys = _in_the_log(state, found, left)
    else:
        keys = list(chain.from_iterable(row[3] for *_, row in found))
    # For a seal, a source whose latest revision the latest seal covers is not looked at
    # again for a file taken whole from the summary: nothing of it is compiled or sealed
    # anew, and damage to a sealed record is verify's to find (docs/decisions/0021,
    # 0027). A check reads (or finds unchanged by its stamp) every source it cites, as
    # the compile it stands for would.
    texts = list(chain.from_iterable(row[2].items() for *_, row in found))
    at: list[Any] = list(map(state.latest.position.get, map(itemgetter(0), texts)))
    covered = _sealed_size(state) if logged else 0
    if None in at or max(at, default=0) >= covered:  # some not sealed yet: checked
        for (source, text), where in zip(texts, at, strict=True):
            if where is None or where >= covered:
                sources.check(source, text)
    taken = [(path, row) for _, path, _, row in found]
    # Each one's stamp is the one kept, and so is the object (the stamps file written at
    # the end finds it unchanged without comparing it), unless it was read again here.
    paths = [path for path, _ in taken]
    if read:
        sources.seen.update((path, read.get(path) or sources.stamps.known[path]) for path in paths)
    else:
        sources.seen.update(zip(paths, map(sources.stamps.known.__getitem__, paths), strict=True))
    # Counted as a compile of each file would count them.
    if taken:
        report.count("claims files", len(taken))
    proposed = sum(row[5] for _, row in taken)
    if proposed:
        report.count("proposed claims", proposed)
    if keys:
        report.count("claims", len(keys))
        report.passed["claim"] += len(keys)
    return left, taken, keys


def _read_again(
    sources: _Sources,
    names: list[str],
    paths: list[str],
    rows: list[SummaryRow],
    stamps: list[Stamp | None],
    same: list[bool],
) -> dict[str, tuple[Stamp, str]]:
    """The files the summary knows whose stamp changed (copied, checked out, touched),
    read and digested: each whose bytes are still the ones its row was made from is
    marked in ``same``. Their new (stamp, BLAKE3), by path in the case."""
    read: dict[str, tuple[Stamp, str]] = {}
    folder = os.fspath(sources.case.claims_dir)
    for n in compress(range(len(names)), map(not_, same)):
        if stamps[n] is None or rows[n] is _NO_ROW:
            continue
        try:
            data, stamp = read_stamped(f"{folder}/{names[n]}", what="claims file")
        except (EvidenceError, OSError):  # compiled, which says why
            continue
        digest = blake3.blake3(data).hexdigest()
        if digest == rows[n][0]:
            same[n] = True
            read[paths[n]] = (stamp, digest)  # the stamp of the bytes read
    return read


_Found = list[tuple[str, str, Stamp | None, SummaryRow]]
"""(name, path in the case, stamp, summary row) of claims files."""

_NO_ROW: Final[SummaryRow] = ("", {}, {}, [], "", 0)
"""The summary row of a file the summary does not know (no file has this BLAKE3)."""


def _stamps(folder: Path, names: list[str]) -> list[Stamp | None]:
    """The stamp of each file of ``folder`` named (None: it cannot be looked at)."""
    try:
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return [None] * len(names)
    try:
        try:  # one stat each, relative to the folder (no path to walk each time)
            return list(map(stat_stamp, map(partial(os.stat, dir_fd=directory), names)))
        except OSError:  # one is gone: each on its own
            return [stamp_of(name, directory) for name in names]
    finally:
        os.close(directory)


def _in_the_log(state: CaseState, found: _Found, left: list[str]) -> tuple[_Found, list[str]]:
    """The files of ``found`` whose every (key, body BLAKE3) is in the custody log as it
    is now, and their keys; the other files are added to ``left`` (kept in name order).

    A summary row's body digests are one string, 64 hex digits a key (checked when it was
    read), so the log's digests for the same keys, each of 64 characters, joined, are
    that string exactly when each is the same."""
    key_ids, digests = state.claim_keys, state.claim_body_digest

    def logged(keys: Iterable[str]) -> str | None:
        """The log's body digests of ``keys``, joined (None: a key not in the log, or a
        digest of another length, or a key of another type)."""
        try:
            ids: Iterator[Any] = map(key_ids.get, keys)
            found: list[Any] = list(map(digests.get, ids))
            return "".join(found) if set(map(len, found)) <= {64} else None
        except TypeError:  # None for a key or digest not there, or an unhashable key
            return None

    # All files at once (one comparison of two strings of 6.4 MB on a large case) ...
    keys = list(chain.from_iterable(row[3] for *_, row in found))
    if logged(keys) == "".join(row[4] for *_, row in found):
        return found, keys
    # ... and file by file only when something differs.
    kept: _Found = []
    for item in found:
        row = item[3]
        if logged(row[3]) == row[4]:
            kept.append(item)
        else:
            left.append(item[0])
    left.sort()
    return kept, [key for *_, row in kept for key in row[3]]


def _sealed_size(state: CaseState) -> int:
    """How many of the log's first entries its latest ``sealed`` event covers."""
    size = state.sealed[-1].get("size") if state.sealed else None
    return size if type(size) is int and 0 <= size <= len(state.entries) else 0


def compile_case_claims(
    case: Case, state: CaseState, report: Report, *, workers: int = 1
) -> list[CompiledClaim]:
    """Every compiled claim of the case (see :func:`iter_case_claims`), in file order."""
    return [
        claim for part in iter_case_claims(case, state, report, workers=workers) for claim in part
    ]


def check_case_claims(case: Case, state: CaseState, report: Report, *, workers: int = 1) -> None:
    """Check every claims file of the case as :func:`compile_case_claims` does, putting
    every problem and count in ``report``, without the compiled claims: a file that
    compiled without a problem from the same bytes against the same source revisions
    is taken from the case's claims summary, its sources still checked against their
    digests (docs/decisions/0045)."""
    for _ in _iter_claims(case, state, report, workers=workers, take="compiled"):
        pass


def _known_sources(state: CaseState) -> str:
    ids = sorted(i for i in state.latest if i.startswith("SRC-"))
    if not ids:
        return "no sources yet; add one with `evidence add`"
    shown = ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")
    return shown


def check_claims_file(
    case: Case, state: CaseState, path: Path, data: bytes, report: Report
) -> None:
    """What ``check`` reports about the claims file ``path`` if it held ``data``.

    Nothing is written: a writer (``evidence serve``) checks a file's new bytes this way
    before it replaces the file. Keys are checked against every other claims file.
    """
    doc = _parse_claims_file(data, case.rel(path), report)
    if doc is None:
        return
    specs = list(_file_specs(doc, report))
    others = _read_specs(case, [p for p in _claim_files(case) if p != path], Report())
    _check_keys(_key_uses(others + specs), report)
    compile_claims(case, state, specs, report)
