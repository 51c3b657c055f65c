"""``evidence suggest``: candidate claims for one source, for an analyst to review.

The rules (:mod:`evidence.suggest.rules`) read the source's normalised text and propose
claims in the claims format of DESIGN.md, each with ``status: proposed`` and a ``why``
that names the rule and the words it fired on. Nothing is decided for the analyst:
``seal`` leaves proposed claims out until the analyst accepts them, by setting a status
or by moving them to their own claims file. No model and no network are involved; the
word lists ship in the package (``evidence/language/data``).

What a suggestion promises:

- its quote anchors in the source text (W3C Web Annotation TextQuoteSelector, with
  ``occurrence`` when the words occur more than once), exactly as ``seal`` will anchor it;
- its key is unique across the whole case: it starts with the source id (so suggestions
  for two sources never collide) and avoids every key the case already uses;
- a claim the case already makes about the same passage (same source, overlapping quote,
  same category) is not suggested again.

``--write`` writes ``claims/SRC-0001.suggested.yaml``. The file's header carries the
BLAKE3 digest of what the tool wrote; a later run replaces the file only while it is
exactly as written. Once the analyst has edited it, it is theirs and is never
overwritten (decision 0601).

Example:
    >>> items, _ = suggest_text("About 20 people were killed in Kyiv today.",
    ...                         source_id="SRC-0001", publisher="Example Wire",
    ...                         published="2024-07-08")
    >>> items[0].key, items[0].facts["killed"]["value"]
    ('src-0001-casualties-kyiv', 20)
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import yaml

from evidence._fs import read_bytes, replace_file, write_new_file
from evidence._time import format_time, utc_now
from evidence._yaml import load_yaml
from evidence.case import Case, CaseState, tool_name
from evidence.claims.anchor import find_quote
from evidence.digest import digest_bytes
from evidence.errors import CaseError, EvidenceError, InputError, UsageError
from evidence.language.lexicon import transliterate
from evidence.model import Record, SourceBody
from evidence.suggest.facts import FoundFact
from evidence.suggest.morphology import READ_LANGUAGES, language_name, text_language
from evidence.suggest.rules import Analysis, Candidate, analyse
from evidence.suggest.speakers import Speaker

__all__ = [
    "SUGGESTED_SUFFIX",
    "SuggestResult",
    "Suggestion",
    "render_document",
    "suggest_claims",
    "suggest_text",
    "suggested_path",
    "summary_lines",
    "write_suggestions",
]

SUGGESTED_SUFFIX: Final = ".suggested.yaml"
DIGEST_PREFIX: Final = "# suggest-digest: blake3:"
_SOURCE_ID: Final = re.compile(r"^SRC-[0-9]{4,}$")
_QUOTE_SHOWN: Final = 160
_INDEX_FROM: Final = 2 * 1024 * 1024
"""Texts from this size on find repeated quotes through an index of their words."""
_WORD: Final = re.compile(r"\w+")
_QUALIFIER_WORDS: Final = {
    "exact": "",
    "approx": "about ",
    "at-least": "at least ",
    "more-than": "more than ",
    "at-most": "at most ",
    "less-than": "fewer than ",
}
_FACT_PHRASES: Final = {
    "killed": ("{n} {people} {be} killed", "no one was killed"),
    "injured": ("{n} {people} {be} injured", "no one was injured"),
    "killed_or_injured": ("{n} {people} {be} killed or injured", "no one was killed or injured"),
    "victims": ("the number of victims was {n}", "there were no victims"),
    "children_killed": ("{n} of the dead {be} {children}", ""),
    "children_injured": ("{n} of the injured {be} {children}", ""),
    "missing": ("{n} {people} {be} missing", ""),
    "rescued": ("{n} {people} {be} rescued", ""),
    "missiles_launched": ("{n} missile{s} {be} launched", ""),
    "drones_launched": ("{n} drone{s} {be} launched", ""),
    "bombs_dropped": ("{n} bomb{s} {be} dropped", ""),
    "missiles_shot_down": ("{n} missile{s} {be} shot down", ""),
    "drones_shot_down": ("{n} drone{s} {be} shot down", ""),
    "strikes": ("{n} strike{s} {be} carried out", ""),
    "explosions": ("{n} explosion{s} {be} recorded", ""),
    "settlements_attacked": ("{n} settlement{s} {be} attacked", ""),
    "buildings_damaged": ("{n} building{s} {be} damaged", ""),
    "vehicles_damaged": ("{n} vehicle{s} {be} damaged", ""),
    "facilities_damaged": ("{n} facilit{ies} {be} damaged", ""),
}
_HEADS: Final = {
    "casualties": "Casualties were reported",
    "attack": "An attack was reported",
    "weapon": "The use of {weapons} was reported",
    "target": "A hit on a target was reported",
    "damage": "Damage was reported",
    "location": "Strikes were reported",
    "other": "It was reported",
}


@dataclass(frozen=True)
class Suggestion:
    """One proposed claim, as it will be written in the claims file."""

    key: str
    category: str
    statement: str
    quote: str
    occurrence: int | None
    attributed_to: tuple[Mapping[str, str], ...]
    facts: Mapping[str, Mapping[str, Any]]
    date: str | None
    places: tuple[str, ...]
    why: str
    start: int
    end: int
    also: tuple[str, ...] = ()
    """Other categories the statement fits; said in ``why``, not written as a field."""

    def to_claim(self) -> dict[str, Any]:
        """The claim as a mapping of the claims-file schema (``status: proposed``)."""
        out: dict[str, Any] = {"key": self.key, "statement": self.statement, "quote": self.quote}
        if self.occurrence is not None:
            out["occurrence"] = self.occurrence
        out["attributed_to"] = [dict(link) for link in self.attributed_to]
        out["category"] = self.category
        if self.facts:
            out["facts"] = {name: dict(fact) for name, fact in self.facts.items()}
        if self.date:
            out["date"] = self.date
        if self.places:
            out["places"] = list(self.places)
        out["status"] = "proposed"
        out["why"] = self.why
        return out


@dataclass
class SuggestResult:
    """What ``suggest`` found for one source, and where it would write it."""

    source_id: str
    title: str
    path: Path
    suggestions: list[Suggestion] = field(default_factory=list)
    sentences: int = 0
    covered: int = 0
    notes: list[str] = field(default_factory=list)
    document: str = ""
    written: bool = False
    replaced: bool = False


def suggested_path(case: Case, source_id: str) -> Path:
    """``claims/SRC-0001.suggested.yaml``."""
    return case.claims_dir / f"{source_id}{SUGGESTED_SUFFIX}"


# -- wording -------------------------------------------------------------------------------


def _slug(value: str) -> str:
    latin = transliterate(value)
    ascii_text = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")


def _date_words(value: str | None) -> str:
    if not value:
        return ""
    parts = value.split("/")
    days = [_dt.date.fromisoformat(p) for p in parts]
    shown = [f"{d.day} {d.strftime('%B %Y')}" for d in days]
    return f" on {shown[0]}" if len(shown) == 1 else f" between {shown[0]} and {shown[1]}"


def _fact_words(name: str, fact: FoundFact) -> str:
    pattern, none = _FACT_PHRASES.get(name, (f"{name.replace('_', ' ')}: {{n}}", ""))
    if fact.value == 0 and none:
        return none
    plural = fact.value != 1 or fact.qualifier != "exact"
    if fact.qualifier == "range" and fact.max is not None:
        number = f"{fact.value} to {fact.max}"
    else:
        number = f"{_QUALIFIER_WORDS.get(fact.qualifier, '')}{fact.value}"
    return pattern.format(
        n=number,
        people="people" if plural else "person",
        be="were" if plural else "was",
        s="s" if plural else "",
        ies="ies" if plural else "y",
        children="children" if plural else "a child",
    )


def _statement(cand: Candidate, who: str, quote: str) -> str:
    places = f" in {', '.join(cand.places)}" if cand.places else ""
    when = _date_words(cand.date)
    if cand.facts:
        phrases = [_fact_words(f.name, f) for f in cand.facts]
        joined = (
            phrases[0] if len(phrases) == 1 else (", ".join(phrases[:-1]) + " and " + phrases[-1])
        )
        named = (
            f" ({', '.join(cand.weapons)})" if cand.category == "weapon" and cand.weapons else ""
        )
        stated = {f.as_of for f in cand.facts if f.as_of}
        if len(stated) == 1:  # the time the counts are given for (decision 0615)
            as_of = stated.pop()
            shown = as_of[11:16] if as_of[:10] == cand.date else as_of.replace("T", " ")
            when += f" (as of {shown})"
        return f"According to {who}, {joined}{named}{places}{when}."
    shown = quote if len(quote) <= _QUOTE_SHOWN else quote[:_QUOTE_SHOWN].rstrip() + "…"
    if cand.category == "statement":
        return f"{who} said: “{shown}”"
    head = _HEADS.get(cand.category, "It was reported").format(
        weapons=" and ".join(cand.weapons) or "weapons"
    )
    return f"{head}{places}{when}, according to {who}: “{shown}”"


def _who(speaker: Speaker | None, publisher: str | None) -> str:
    """The speaker as a statement names them ("the Air Force of Ukraine", "Umierov")."""
    if speaker is None:
        return publisher or "the outlet"
    if speaker.kind in ("body", "role") and not speaker.name.casefold().startswith("the "):
        return f"the {speaker.name}"
    return speaker.name


def _chain(speaker: Speaker | None, publisher: str | None) -> tuple[dict[str, str], ...]:
    outlet = {
        "name": publisher or "the publishing outlet (not recorded)",
        "role": "news outlet",
        "channel": "online article",
    }
    if speaker is None:
        return (outlet,)
    link = {"name": speaker.name}
    if speaker.role:
        link["role"] = speaker.role
    if speaker.channel:
        link["channel"] = speaker.channel
    return (link, outlet)


# -- anchoring, keys, covered passages -------------------------------------------------------


def _has_border(quote: str) -> bool:
    """Whether the quote starts as it ends ("ha ha ha"): only such a quote can occur
    twice overlapping itself (the Knuth-Morris-Pratt failure function)."""
    fail = [0] * len(quote)
    k = 0
    for i in range(1, len(quote)):
        while k and quote[i] != quote[k]:
            k = fail[k - 1]
        if quote[i] == quote[k]:
            k += 1
        fail[i] = k
    return bool(quote) and fail[-1] > 0


def _occurrence(text: str, quote: str, start: int) -> int | None:
    """``occurrence`` for a quote at ``start``: None when it occurs once (counted as
    :func:`~evidence.claims.anchor.find_quote` counts, overlapping occurrences too)."""
    first = text.find(quote)
    if first == start and text.find(quote, start + 1) < 0:
        return None
    if not _has_border(quote):
        return text.count(quote, 0, start) + 1  # occurrences cannot overlap
    count = 0
    at = first
    while 0 <= at < start:
        count += 1
        at = text.find(quote, at + 1)
    return count + 1


def unread_language(text: str, declared: str | None) -> str | None:
    """Why the rules will not read ``text`` (a language other than English, Ukrainian
    and Russian), or None when they will."""
    primary = (declared or "").split("-")[0].casefold()
    detected = text_language(text)
    if primary in READ_LANGUAGES and detected != "und":
        return None
    if primary and primary not in ("und", *READ_LANGUAGES):
        how, code = "as its source record declares", primary
    elif detected is None or detected in READ_LANGUAGES:
        return None
    else:
        how, code = "as its text shows", detected
    return (
        f"suggest reads English, Ukrainian and Russian; this text is "
        f"{language_name(code)} ({how}), so nothing was proposed: its claims are "
        "written by hand"
    )


class _Occurrences:
    """``occurrence`` for many quotes of one long text without scanning the text once
    per quote (which takes quadratic time on a book-length source): an index of its
    words finds where a quote may start, from a word inside the quote, which every
    occurrence of the quote holds as a whole word too."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index: dict[str, list[int]] | None = None

    def of(self, quote: str, start: int) -> int | None:
        if len(self.text) < _INDEX_FROM:
            return _occurrence(self.text, quote, start)
        return self._indexed(quote, start)

    def _indexed(self, quote: str, start: int) -> int | None:
        if self.index is None:
            self.index = {}
            for match in _WORD.finditer(self.text):
                self.index.setdefault(match.group(0), []).append(match.start())
        inner = [m for m in _WORD.finditer(quote) if m.start() > 0 and m.end() < len(quote)]
        if not inner:
            return _occurrence(self.text, quote, start)
        rarest = min(inner, key=lambda m: len(self.index.get(m.group(0), ())))  # type: ignore[union-attr]
        starts = [
            p - rarest.start()
            for p in self.index.get(rarest.group(0), ())
            if p >= rarest.start() and self.text.startswith(quote, p - rarest.start())
        ]
        if len(starts) <= 1:
            return None
        return starts.index(start) + 1


def _unique_key(base: str, taken: set[str], counters: dict[str, int]) -> str:
    """``base``, or ``base-2``, ``base-3`` … : the first not taken (``counters`` remembers
    where each base got to, so that many claims on one place stay cheap)."""
    base = base[:80].rstrip("-")
    key = base
    n = counters.get(base, 1)
    while key in taken:
        n += 1
        suffix = f"-{n}"
        key = base[: 80 - len(suffix)].rstrip("-") + suffix
    counters[base] = n
    taken.add(key)
    return key


def _key_base(source_id: str, cand: Candidate, quote: str) -> str:
    """``src-0001-<category>-<topic>``: the topic is the most specific place, else the
    first fact, the first weapon, or the first words of the quote."""
    if cand.places:
        topic = cand.places[-1]
    elif cand.facts:
        topic = cand.facts[0].name
    elif cand.weapons:
        topic = cand.weapons[0]
    else:
        topic = " ".join([w for w in re.findall(r"\w+", quote) if len(w) > 2][:4])
    return "-".join(p for p in (_slug(source_id), cand.category, _slug(topic) or "claim") if p)


def _is_covered(cand: Candidate, covered: Iterable[tuple[int, int, str]]) -> bool:
    return any(
        cat == cand.category and start < cand.end and cand.start < end
        for start, end, cat in covered
    )


def suggest_text(
    text: str,
    *,
    source_id: str,
    publisher: str | None = None,
    published: str | None = None,
    taken_keys: Iterable[str] = (),
    covered: Iterable[tuple[int, int, str]] = (),
    language: str | None = None,
) -> tuple[list[Suggestion], Analysis]:
    """Suggestions for a normalised text (no case needed: the benchmark uses this).

    The rules read English, Ukrainian and Russian only. A text in another language (as
    the source record declares it, or as its letters and commonest words show when it
    declares none) gets no suggestions, and the analysis says why in its notes: rules
    for one language proposing claims from another would propose nonsense.

    Args:
        text: the normalised text (NFC, ``\\n`` line ends).
        source_id: the source's id, which starts every key.
        publisher: the outlet, the last link of every attribution chain.
        published: the publication date or time, for "today", "yesterday" and weekdays.
        taken_keys: keys the case already uses.
        covered: (start, end, category) of claims the case already makes on this text.
        language: the source's declared language (BCP 47, "und" or None when unknown).
    """
    refusal = unread_language(text, language)
    if refusal is not None:
        return [], Analysis(notes=[refusal])
    analysis = analyse(text, published=published)
    taken = set(taken_keys)
    counters: dict[str, int] = {}
    spans = list(covered)
    out: list[Suggestion] = []
    occurrences = _Occurrences(text)
    for cand in analysis.candidates:
        if _is_covered(cand, spans):
            continue
        quote = text[cand.start : cand.end]
        if not quote.strip():
            continue
        occurrence = occurrences.of(quote, cand.start)
        who = _who(cand.speaker, publisher)
        facts = {f.name: f.to_claim() for f in cand.facts}
        out.append(
            Suggestion(
                key=_unique_key(_key_base(source_id, cand, quote), taken, counters),
                category=cand.category,
                statement=_statement(cand, who, quote),
                quote=quote,
                occurrence=occurrence,
                attributed_to=_chain(cand.speaker, publisher),
                facts=facts,
                date=cand.date,
                places=cand.places,
                why="; ".join(cand.why),
                start=cand.start,
                end=cand.end,
                also=cand.also,
            )
        )
    return out, analysis


# -- the case ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    record: Record
    body: SourceBody
    text: str


def _load_source(case: Case, state: CaseState, source_id: str) -> _Source:
    if not _SOURCE_ID.match(source_id):
        raise UsageError(f"{source_id!r} is not a source id such as SRC-0001")
    latest = state.latest.get(source_id)
    if latest is None:
        known = sorted(i for i in state.latest if i.startswith("SRC-"))
        listed = ", ".join(known[:8]) + (" …" if len(known) > 8 else "") if known else "none"
        raise UsageError(
            f"no source {source_id} in the case (sources: {listed})",
            hint="Add the article first with `evidence add`.",
        )
    name = f"records/{source_id}.{latest.revision}.json"
    record = case.records.load(source_id, latest.revision, blake3=latest.blake3).record
    body = record.body
    if not isinstance(body, SourceBody):
        raise CaseError(f"{name} is not a source record", hint="Run `evidence verify`.")
    if body.text is None:
        raise InputError(
            f"{source_id} has no text ({body.media_type}): there is nothing to suggest claims from",
            hint="Claims can cite it without a quote.",
        )
    text = case.objects.read_text(body.text.blake3)
    if not text.strip():
        raise InputError(f"{source_id} has an empty text: there is nothing to suggest")
    return _Source(record, body, text)


def _claims_files(case: Case, skip: Path) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """(the file's source, each claim) of every claims file but ``skip`` (the file this run
    would replace, which may be large and is about to go); files that do not parse are
    passed over here, and reported by ``evidence check``."""
    if not case.claims_dir.is_dir():
        return
    for path in sorted(case.claims_dir.iterdir()):
        if path == skip or path.suffix not in (".yaml", ".yml") or path.name.startswith("."):
            continue
        try:
            doc = load_yaml(read_bytes(path, what="claims file"), path=case.rel(path)).data
        except EvidenceError:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("claims"), list):
            continue
        source = doc.get("source") if isinstance(doc.get("source"), str) else None
        for claim in doc["claims"]:
            if isinstance(claim, dict):
                yield source, claim


def _existing(
    case: Case, state: CaseState, source_id: str, text: str, skip: Path
) -> tuple[set[str], list[tuple[int, int, str]]]:
    """Keys the case uses, and the passages of this source its claims already cover."""
    keys = set(state.claim_keys)
    covered: list[tuple[int, int, str]] = []
    for file_source, claim in _claims_files(case, skip):
        if isinstance(claim.get("key"), str):
            keys.add(claim["key"])
        quote = claim.get("quote")
        source = claim.get("source", file_source)
        if claim.get("status") == "proposed" or source != source_id or not isinstance(quote, str):
            continue
        occurrence = claim.get("occurrence")
        try:
            anchored = find_quote(text, quote, occurrence if isinstance(occurrence, int) else None)
        except EvidenceError:
            continue
        covered.append((anchored.start, anchored.end, str(claim.get("category", "other"))))
    return keys, covered


def suggest_claims(case: Case, source_id: str, *, now: _dt.datetime | None = None) -> SuggestResult:
    """Suggestions for ``source_id`` and the document ``--write`` would write (writes nothing).

    Raises:
        UsageError: ``source_id`` is malformed or not in the case.
        InputError: the source has no text, or an empty one.
        CaseError: the source's records or text do not match their digests.
    """
    state = case.state()
    source = _load_source(case, state, source_id)
    path = suggested_path(case, source_id)
    keys, covered = _existing(case, state, source_id, source.text, path)
    items, analysis = suggest_text(
        source.text,
        source_id=source_id,
        publisher=source.body.publisher,
        published=source.body.published,
        taken_keys=keys,
        covered=covered,
        language=source.body.language,
    )
    result = SuggestResult(
        source_id,
        source.body.title,
        path,
        items,
        analysis.sentences,
        len(analysis.candidates) - len(items),
        list(analysis.notes),
    )
    if items:
        result.document = render_document(result, now=now)
    return result


_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present


class _Dumper(_BaseDumper):  # type: ignore[misc]
    """Block YAML without anchors or aliases (the claims loader refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_document(result: SuggestResult, *, now: _dt.datetime | None = None) -> str:
    """The claims file of the suggestions, with its header and digest line."""
    body = yaml.dump(
        {"source": result.source_id, "claims": [s.to_claim() for s in result.suggestions]},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    title = result.title.replace("\n", " ")
    header = [
        f"# Suggested claims for {result.source_id} ({title!r}),",
        f"# written by `evidence suggest` ({tool_name()}) at {format_time(now or utc_now())}.",
        "# Every claim here has `status: proposed`: `evidence seal` leaves it out until you",
        "# accept it, by setting its status (reported, corroborated, contested, verified) or by",
        f"# moving it to claims/{result.source_id}.yaml. Check each quote, speaker, figure, date",
        "# and place against the source first; `why` says which rule proposed the claim and on",
        "# which words. While this file is exactly as written, `evidence suggest --write` may",
        "# replace it; once you edit it, it is yours and the tool never rewrites it.",
    ]
    text = "\n".join([*header, body])
    digest = digest_bytes(text.encode("utf-8")).blake3
    return "\n".join([*header, f"{DIGEST_PREFIX}{digest}", body])


def _untouched(data: bytes) -> bool:
    """Whether a suggested file is exactly as ``suggest`` wrote it: the BLAKE3 of every
    line but the digest line is the digest the file holds."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    match = re.search(rf"^{re.escape(DIGEST_PREFIX)}([0-9a-f]{{64}})\n", text, re.MULTILINE)
    if match is None:
        return False
    rest = text[: match.start()] + text[match.end() :]  # everything but the digest line
    return digest_bytes(rest.encode("utf-8")).blake3 == match.group(1)


def write_suggestions(case: Case, result: SuggestResult) -> SuggestResult:
    """Write ``result.document`` to ``claims/SRC-….suggested.yaml`` (atomically).

    A file written by ``suggest`` and untouched since is replaced; any other file at that
    path (an analyst's edits) is never overwritten.

    Raises:
        UsageError: nothing to write.
        InputError: the file exists and was edited since ``suggest`` wrote it.
        LockError: another process is writing to the case.
    """
    if not result.suggestions or not result.document:
        raise UsageError(f"no suggestions for {result.source_id}; nothing to write")
    shown = case.rel(result.path)
    data = result.document.encode("utf-8")
    with case.lock():
        case.claims_dir.mkdir(exist_ok=True)
        if result.path.exists():
            if not _untouched(read_bytes(result.path, what="suggested claims file")):
                raise InputError(
                    "was edited after `evidence suggest` wrote it, and is never overwritten",
                    path=shown,
                    hint=f"Move the claims you accept to claims/{result.source_id}.yaml, then "
                    "delete or rename this file and run `evidence suggest --write` again; "
                    "without --write the suggestions are printed instead.",
                )
            replace_file(result.path, data)
            return replace(result, written=True, replaced=True)
        write_new_file(result.path, data, mode=0o644)
    return replace(result, written=True)


def summary_lines(result: SuggestResult) -> Sequence[str]:
    """One line a suggestion, for the command line: key, category, quote."""
    lines = []
    for item in result.suggestions:
        quote = item.quote if len(item.quote) <= 70 else item.quote[:69] + "…"
        lines.append(f"  {item.key:<44} {item.category:<10} «{quote}»")
    return lines
