# ruff: noqa: RUF001, RUF002  (the text is Ukrainian and Russian on purpose)
"""``evidence corroborate``: the ledger of a case's sealed claims across sources.

Claims are grouped by what they are about: the fact they give a figure for (killed,
injured, missiles_launched …) or, without a figure, their category, together with the
event date and the place (the most specific places the claim names, in the canonical
names of the gazetteer, so that Київ, Киев and Kyiv are one place). In each group the
ledger shows, side by side and in order of publication, every source's figure with its
qualifier, when the article was published, who the words came from, through which
channel, and which outlet carried them.

It never decides what is true. It shows:

- **agreement**: two figures are *consistent* when the ranges their qualifiers allow
  overlap ("about 20" is 17–23, "at least 22" is 22 or more, "more than 40" 41 or more);
- **figures that grow over the day**: counts of one fact, day and place are put in time
  order, by the time each count is stated for (its ``as_of``: "станом на 15:30", an
  update stamp) or else the source's publication time (decision 0618). For counts that
  only grow (the dead, the injured, damaged buildings) a later report above an earlier
  one is a *rise* on a timeline, shown as growth, not a contradiction; a later figure
  *below* an earlier one is a conflict; when the order of two different counts cannot
  be told (both published on the same day with no time), they *differ* ("times unknown;
  counts often rise during the day"), which is not a conflict;
- **disagreement**: figures that cannot both be right (different counts of missiles
  launched in one attack) are a *conflict*;
- **independence**: claims are counted by their origin, the first link of the
  attribution chain, identified across languages and transliterations: two outlets
  quoting the same minister are one origin, not two. An outlet's own words are the
  outlet's origin.

It suggests a status for each claim (``corroborated`` when another origin, in another
source, gives a consistent figure: one article never corroborates itself; ``contested``
when a figure of another origin conflicts with it; else ``reported``)
and changes nothing: claims change only when an analyst edits them and seals again.
Only what the latest seal covers is read (the latest revision of each claim; withdrawn
claims are left out), and each record is checked against the seal's digest first.

Example:
    >>> consistent(interval(20, "approx"), interval(22, "at-least"))
    True
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from evidence.case import Case
from evidence.claims.figures import consistent, interval
from evidence.errors import CaseError
from evidence.language.lexicon import fold_text
from evidence.model import ClaimBody, Fact, Record, SourceBody
from evidence.suggest.gazetteer import gazetteer
from evidence.suggest.speakers import speaker_key

__all__ = [
    "CUMULATIVE_FACTS",
    "Ledger",
    "LedgerEntry",
    "LedgerGroup",
    "SealedClaim",
    "build_ledger",
    "ledger_of",
    "order",
    "render_ledger",
]

Verdict = Literal["single", "consistent", "rising", "differ", "conflict", "mentions"]
Order = Literal["before", "after", "same"]

CUMULATIVE_FACTS: Final = frozenset(
    {
        "killed",
        "injured",
        "killed_or_injured",
        "victims",
        "children_killed",
        "children_injured",
        "rescued",
        "buildings_damaged",
        "vehicles_damaged",
        "facilities_damaged",
    }
)
"""Counts that only grow as the day goes on: a later, higher figure is a rise."""

VOLATILE_FACTS: Final = frozenset({"missing"})
"""Counts that go up and down (the missing are found): differences are changes."""

ZONE_SPAN: Final = _dt.timedelta(hours=14)
"""A wall-clock time without a zone is within 14 hours of the same time in UTC (zones run
from UTC-12 to UTC+14): only a wider gap orders it against a time with a zone."""

TIMES_UNKNOWN: Final = "times unknown; counts often rise during the day"

_CORROBORATING_CATEGORIES: Final = frozenset(
    {"attack", "target", "damage", "location", "casualties", "weapon"}
)
_OUTLET_ROLES: Final = ("news outlet", "outlet", "newspaper", "news agency")


@dataclass(frozen=True)
class LedgerEntry:
    """One claim in a group: its figure (if any), its source, and who said it."""

    claim: str
    revision: int
    key: str
    ern: str
    source: str
    outlet: str | None
    published: str | None
    speaker: str | None
    role: str | None
    channel: str | None
    origin: str
    origin_label: str
    status: str
    quote: str | None
    figure: Fact | None
    suggested: str = "reported"
    reasons: tuple[str, ...] = ()
    agrees: tuple[str, ...] = ()  # the claims of other origins and sources it agrees with
    conflicts: tuple[str, ...] = ()  # the claims of other origins it conflicts with

    @property
    def range(self) -> tuple[float, float] | None:
        if self.figure is None:
            return None
        return interval(self.figure.value, self.figure.qualifier, self.figure.max)

    @property
    def as_of(self) -> str | None:
        """The time the figure is stated for, when the claim gives one."""
        return self.figure.as_of if self.figure is not None else None

    @property
    def when(self) -> str | None:
        """The time that places the figure on the day: its ``as_of``, else the source's
        publication time."""
        return self.as_of or self.published

    def figure_text(self) -> str:
        if self.figure is None:
            return ""
        f = self.figure
        words = {
            "exact": "",
            "approx": "about ",
            "at-least": "at least ",
            "more-than": "more than ",
            "at-most": "at most ",
            "less-than": "fewer than ",
        }
        if f.qualifier == "range":
            return f"{_num(f.value)}–{_num(f.max or f.value)}"
        return f"{words.get(f.qualifier, '')}{_num(f.value)}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "claim": self.claim,
            "revision": self.revision,
            "key": self.key,
            "ern": self.ern,
            "source": self.source,
            "outlet": self.outlet,
            "published": self.published,
            "speaker": self.speaker,
            "role": self.role,
            "channel": self.channel,
            "origin": self.origin,
            "origin_label": self.origin_label,
            "status": self.status,
            "suggested_status": self.suggested,
            "reasons": list(self.reasons),
            "quote": self.quote,
        }
        if self.figure is not None:
            out["figure"] = self.figure.to_dict()
            out["figure_text"] = self.figure_text()
            out["as_of"] = self.as_of
        return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass
class LedgerGroup:
    """Claims about one thing: a fact (or a category), a date, a place."""

    kind: Literal["fact", "assertion"]
    subject: str
    date: str | None
    places: tuple[str, ...]
    within: tuple[str, ...]
    entries: list[LedgerEntry] = field(default_factory=list)
    verdict: Verdict = "single"
    origins: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        place = " + ".join(self.places) if self.places else "whole country or no place given"
        return f"{self.subject} · {self.date or 'undated'} · {place}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "date": self.date,
            "places": list(self.places),
            "within": list(self.within),
            "verdict": self.verdict,
            "independent_origins": self.origins,
            "notes": list(self.notes),
            "entries": [e.to_dict() for e in self.entries],
        }


@dataclass
class Ledger:
    """The ledger of a case: groups of claims, as of its latest seal."""

    case_id: str
    seal: int
    claims: int = 0
    withdrawn: int = 0
    groups: list[LedgerGroup] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for group in self.groups:
            counts[group.verdict] = counts.get(group.verdict, 0) + 1
        return {
            "case": self.case_id,
            "seal": self.seal,
            "claims": self.claims,
            "withdrawn_left_out": self.withdrawn,
            "verdicts": counts,
            "groups": [g.to_dict() for g in self.groups],
        }


# -- reading the sealed claims ---------------------------------------------------------------


@dataclass(frozen=True)
class _SourceInfo:
    outlet: str | None
    published: str | None
    captured: str


def _read_record(case: Case, record_id: str, revision: int, blake3: str | None) -> Record:
    return case.records.load(record_id, revision, blake3=blake3).record


def _sealed_claims(case: Case) -> tuple[int, list[tuple[Record, int]]]:
    """The latest sealed revision of each claim, with its position of entry."""
    latest = case.latest_seal()
    if latest is None:
        raise CaseError(
            "the case has no seal yet: the ledger reads sealed claims only",
            path=str(case.root),
            hint="Run `evidence seal` first.",
        )
    seal, _ = latest
    chosen: dict[str, tuple[int, str, int]] = {}
    for position, leaf in enumerate(seal.leaves):
        if leaf.id.startswith("CLM-"):
            first = chosen.get(leaf.id, (0, "", position))[2]
            chosen[leaf.id] = (leaf.revision, leaf.blake3, first)
    out = [
        (_read_record(case, cid, rev, b3), first)
        for cid, (rev, b3, first) in sorted(chosen.items(), key=lambda kv: kv[1][2])
    ]
    return seal.sequence, out


def _source_info(
    case: Case, cache: dict[tuple[str, int], _SourceInfo], source_id: str, revision: int
) -> _SourceInfo:
    key = (source_id, revision)
    if key not in cache:
        record = _read_record(case, source_id, revision, None)
        body = record.body
        if isinstance(body, SourceBody):
            cache[key] = _SourceInfo(body.publisher, body.published, body.captured_at)
        else:
            cache[key] = _SourceInfo(None, None, record.created_at)
    return cache[key]


# -- places, origins ---------------------------------------------------------------------------


def _canonical_places(names: Iterable[str]) -> list[str]:
    out = []
    for name in names:
        place = gazetteer().canonical(name)
        canonical = place.name if place is not None else " ".join(name.split())
        if canonical not in out:
            out.append(canonical)
    return out


def _scope(places: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The most specific places of a claim (none contains another), and the others.
    The whole country is no narrower than a figure given without a place: both are
    the national figure, and are compared with each other."""
    gaz = gazetteer()
    local = [p for p in places if not _is_country(p)]
    specific = [p for p in local if not any(q != p and gaz.contains(p, q) for q in local)]
    general = [p for p in places if p not in specific]
    return tuple(sorted(specific)), tuple(general)


def _is_country(name: str) -> bool:
    place = gazetteer().places.get(name)
    return place is not None and place.kind == "country"


def _is_outlet(link: Mapping[str, Any], outlet: str | None) -> bool:
    role = (link.get("role") or "").casefold()
    name = (link.get("name") or "").casefold()
    return role in _OUTLET_ROLES or (outlet is not None and name == outlet.casefold())


def _origin(body: ClaimBody, info: _SourceInfo, source: str) -> tuple[str, str, Any]:
    """(origin key, origin label, the speaker link or None) of a claim."""
    chain = [link.to_dict() for link in body.attribution]
    speaker = chain[0] if chain and not _is_outlet(chain[0], info.outlet) else None
    if speaker is not None:
        return speaker_key(str(speaker["name"])), str(speaker["name"]), speaker
    outlet = info.outlet or (chain[0]["name"] if chain else None) or source
    return "outlet:" + " ".join(fold_text(str(outlet)).casefold().split()), str(outlet), None


# -- building ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealedClaim:
    """A sealed claim as the ledger reads it: its record, its exhibit number, and the
    outlet and publication date of the source revision it quotes."""

    record: Record
    ern: str
    outlet: str | None
    published: str | None


def build_ledger(case: Case) -> Ledger:
    """The ledger of the case's sealed claims (reads only; writes nothing).

    Raises:
        CaseError: the case has no seal, or a sealed record does not match its digest.
    """
    sequence, claims = _sealed_claims(case)
    state = case.state()
    sources: dict[tuple[str, int], _SourceInfo] = {}
    sealed = []
    for record, _ in claims:
        body = record.body
        if not isinstance(body, ClaimBody):
            continue
        info = (
            _source_info(case, sources, body.source.id, body.source.revision)
            if body.status != "withdrawn"  # left out of the ledger: its source is not read
            else _SourceInfo(None, None, record.created_at)
        )
        ern = (
            case.meta.ern(state.ern_number(record.id))
            if record.id in state.first_seen
            else record.id
        )
        sealed.append(SealedClaim(record, ern, info.outlet, info.published))
    return ledger_of(case.meta.id, sequence, sealed)


def ledger_of(case_id: str, seal: int, claims: Iterable[SealedClaim]) -> Ledger:
    """The ledger of these claims (the latest sealed revision of each, in order of
    entry): what :func:`build_ledger` computes from a case, and a dossier from the case
    data it embeds, so that both say the same."""
    ledger = Ledger(case_id, seal)
    groups: dict[tuple[Any, ...], LedgerGroup] = {}
    for claim in claims:
        record = claim.record
        body = record.body
        if not isinstance(body, ClaimBody):
            continue
        if body.status == "withdrawn":
            ledger.withdrawn += 1
            continue
        ledger.claims += 1
        info = _SourceInfo(claim.outlet, claim.published, "")
        origin, label, speaker = _origin(body, info, body.source.id)
        places = _canonical_places(body.places)
        scope, within = _scope(places)
        ern = claim.ern
        entry = LedgerEntry(
            claim=record.id,
            revision=record.revision,
            key=body.key,
            ern=ern,
            source=body.source.id,
            outlet=info.outlet,
            published=info.published,
            speaker=speaker.get("name") if speaker else None,
            role=speaker.get("role") if speaker else None,
            channel=speaker.get("channel") if speaker else None,
            origin=origin,
            origin_label=label,
            status=body.status,
            quote=body.quote.exact if body.quote else None,
            figure=None,
        )
        if body.facts:
            for name, fact in body.facts.items():
                key = ("fact", name, body.date, scope)
                group = groups.setdefault(key, LedgerGroup("fact", name, body.date, scope, within))
                group.entries.append(replace(entry, figure=fact))
        else:
            key = ("assertion", body.category, body.date, scope)
            group = groups.setdefault(
                key, LedgerGroup("assertion", body.category, body.date, scope, within)
            )
            group.entries.append(entry)
    for group in groups.values():
        _judge(group)
    ledger.groups = sorted(groups.values(), key=_group_order)
    return ledger


def _group_order(group: LedgerGroup) -> tuple[Any, ...]:
    return (group.date or "9999", group.kind != "fact", group.subject, group.places)


def _parse_when(value: str | None) -> tuple[_dt.datetime, bool, bool] | None:
    """(the moment, whether it has a zone, whether only the day is known)."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return _dt.datetime.combine(_dt.date.fromisoformat(value), _dt.time()), False, True
        moment = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment, moment.tzinfo is not None, False


def order(a: str | None, b: str | None) -> Order | None:
    """Whether the time ``a`` is before, after or the same as ``b``, or None when that
    cannot be told: a time is missing, or only the day of one is known and the days are
    the same, or a wall-clock time without a zone is within :data:`ZONE_SPAN` of a time
    with one.

    Example:
        >>> order("2024-07-08T11:05", "2024-07-08T16:10"), order("2024-07-08", "2024-07-08")
        ('before', None)
    """
    pa, pb = _parse_when(a), _parse_when(b)
    if pa is None or pb is None:
        return None
    (ma, za, da), (mb, zb, db) = pa, pb
    if da or db:
        day_a = (ma.astimezone(_dt.UTC) if za else ma).date()
        day_b = (mb.astimezone(_dt.UTC) if zb else mb).date()
        margin = 0 if (da and db) or not (za or zb) else 1
        gap = (day_b - day_a).days
        if abs(gap) <= margin:
            return None
        return "before" if gap > 0 else "after"
    if za != zb:
        naive_a = ma.astimezone(_dt.UTC).replace(tzinfo=None) if za else ma
        naive_b = mb.astimezone(_dt.UTC).replace(tzinfo=None) if zb else mb
        if abs(naive_b - naive_a) <= ZONE_SPAN:
            return None
        return "before" if naive_a < naive_b else "after"
    if ma == mb:
        return "same"
    return "before" if ma < mb else "after"


def _sort_key(entry: LedgerEntry) -> tuple[str, str]:
    """Time order for showing a group: by the moment in UTC where a zone is known, a
    wall-clock time as written (pairs are judged by :func:`order`, which is strict)."""
    parsed = _parse_when(entry.when)
    if parsed is None:
        return ("9999", entry.claim)
    moment, zoned, day_only = parsed
    if day_only:  # the hour is unknown: after the day's timed counts
        return (f"{moment.date().isoformat()}T~", entry.claim)
    if zoned:
        moment = moment.astimezone(_dt.UTC).replace(tzinfo=None)
    return (moment.isoformat(), entry.claim)


def _time_words(entry: LedgerEntry) -> str:
    if entry.as_of:
        return f"as of {entry.as_of}"
    return f"published {entry.published}" if entry.published else "time unknown"


def _describe(entry: LedgerEntry) -> str:
    who = entry.speaker or entry.outlet or entry.source
    return f"{entry.claim} ({who}, {entry.outlet or entry.source})"


def _judge(group: LedgerGroup) -> None:
    """The verdict of a group and the suggested status of each claim, with reasons."""
    group.entries.sort(key=_sort_key)
    group.origins = len({e.origin for e in group.entries})
    if group.kind == "assertion":
        _judge_assertions(group)
        return
    cumulative = group.subject in CUMULATIVE_FACTS
    volatile = group.subject in VOLATILE_FACTS
    reasons: dict[str, list[str]] = {e.claim: [] for e in group.entries}
    agree: dict[str, list[str]] = {}
    conflict: dict[str, list[str]] = {}
    rises = conflicts = differs = 0
    for i, first in enumerate(group.entries):
        for second in group.entries[i + 1 :]:
            ra, rb = first.range, second.range
            if ra is None or rb is None or first.claim == second.claim:
                continue
            if consistent(ra, rb):
                if first.origin != second.origin and first.source != second.source:
                    agree.setdefault(first.claim, []).append(second.claim)
                    agree.setdefault(second.claim, []).append(first.claim)
                    reasons[first.claim].append(
                        f"consistent with {_describe(second)}: {second.figure_text()}"
                    )
                    reasons[second.claim].append(
                        f"consistent with {_describe(first)}: {first.figure_text()}"
                    )
                continue
            when = order(first.when, second.when)
            a, b = (second, first) if when == "after" else (first, second)
            ra, rb = (rb, ra) if when == "after" else (ra, rb)
            timed = when in ("before", "after")
            if (cumulative and timed and rb[0] > ra[1]) or volatile:
                rises += 1
                reasons[b.claim].append(
                    f"above the earlier {_describe(a)}: {a.figure_text()} "
                    f"({_time_words(a)}; a count that grows over the day)"
                )
                continue
            if a.origin == b.origin:
                group.notes.append(
                    f"{a.claim} and {b.claim} come from the same origin "
                    f"({a.origin_label}) and differ: a revision, not a conflict"
                )
                continue
            if cumulative and when is None:
                differs += 1
                reasons[a.claim].append(
                    f"differs from {_describe(b)}: {b.figure_text()} ({TIMES_UNKNOWN})"
                )
                reasons[b.claim].append(
                    f"differs from {_describe(a)}: {a.figure_text()} ({TIMES_UNKNOWN})"
                )
                continue
            conflicts += 1
            conflict.setdefault(a.claim, []).append(b.claim)
            conflict.setdefault(b.claim, []).append(a.claim)
            why = (
                "below the earlier figure"
                if cumulative and timed and rb[1] < ra[0]
                else "cannot both be right"
            )
            reasons[a.claim].append(f"conflicts with {_describe(b)}: {b.figure_text()}")
            reasons[b.claim].append(f"conflicts with {_describe(a)}: {a.figure_text()} ({why})")
    group.entries = [
        _with_status(
            e,
            "contested"
            if e.claim in conflict
            else "corroborated"
            if e.claim in agree
            else "reported",
            reasons[e.claim],
            agrees=agree.get(e.claim, ()),
            conflicts=conflict.get(e.claim, ()),
        )
        for e in group.entries
    ]
    if len(group.entries) == 1:
        group.verdict = "single"
    elif conflicts:
        group.verdict = "conflict"
    elif differs:
        group.verdict = "differ"
        group.notes.append(
            f"the counts differ ({TIMES_UNKNOWN}): give each claim's as_of to put them in order"
        )
    elif rises:
        group.verdict = "rising"
    else:
        group.verdict = "consistent"
    stamped = [e for e in group.entries if e.figure is not None and e.when and len(e.when) > 10]
    if rises and not conflicts and len(stamped) > 1:
        group.notes.append(
            "growth over the day: "
            + " → ".join(f"{e.figure_text()} ({_time_words(e)}, {e.origin_label})" for e in stamped)
        )


def _judge_assertions(group: LedgerGroup) -> None:
    group.verdict = "single" if len(group.entries) == 1 else "mentions"
    can = group.subject in _CORROBORATING_CATEGORIES and bool(group.places)
    updated = []
    for entry in group.entries:
        others = [e for e in group.entries if e.origin != entry.origin and e.source != entry.source]
        if can and others:
            reasons = [f"also said by {_describe(e)}" for e in others]
            agrees = [e.claim for e in others]
            updated.append(_with_status(entry, "corroborated", reasons, agrees=agrees))
        else:
            updated.append(_with_status(entry, "reported", []))
    group.entries = updated


def _with_status(
    entry: LedgerEntry,
    suggested: str,
    reasons: Sequence[str],
    *,
    agrees: Sequence[str] = (),
    conflicts: Sequence[str] = (),
) -> LedgerEntry:
    return replace(
        entry,
        suggested=suggested,
        reasons=tuple(reasons),
        agrees=tuple(agrees),
        conflicts=tuple(conflicts),
    )


# -- text ------------------------------------------------------------------------------------


def render_ledger(ledger: Ledger) -> list[str]:
    """The ledger as lines of text: a group a block, a claim a line, in time order."""
    lines = [
        f"ledger of {ledger.case_id} as of seal {ledger.seal}: {ledger.claims} claim(s) "
        f"in {len(ledger.groups)} group(s)"
        + (f"; {ledger.withdrawn} withdrawn claim(s) left out" if ledger.withdrawn else "")
    ]
    for group in ledger.groups:
        lines.append("")
        within = f" (within {', '.join(group.within)})" if group.within else ""
        lines.append(
            f"{group.title}{within} — {group.verdict}, {len(group.entries)} claim(s), "
            f"{group.origins} independent origin(s)"
        )
        for entry in group.entries:
            who = entry.speaker or "(the outlet's own words)"
            via = f" via {entry.channel}" if entry.channel else ""
            figure = entry.figure_text()
            status = (
                entry.status
                if entry.suggested == entry.status
                else f"{entry.status} → suggest {entry.suggested}"
            )
            stated = f"as of {entry.as_of}" if entry.as_of else ""
            lines.append(
                f"  {entry.published or 'undated':<20} {stated:<22} {figure:<16} "
                f"{who}{via} · "
                f"{entry.outlet or entry.source}  [{entry.claim} {entry.ern}: {status}]"
            )
            lines.extend(f"      {reason}" for reason in entry.reasons)
        lines.extend(f"  note: {note}" for note in group.notes)
    return lines
