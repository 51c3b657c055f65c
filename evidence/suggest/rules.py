# ruff: noqa: RUF001, RUF002, RUF003  (the text is Ukrainian and Russian on purpose)
"""The rules of ``evidence suggest``: from a normalised text to candidate claims.

Each sentence is read once, in order, with what the sentences before it established:
who is speaking (:mod:`~evidence.suggest.speech`), which incident the paragraph is about
(its date and places), which munitions "30 of them" counts. Then every rule that fires
proposes a claim of its category, quoting the speaker's words of the sentence:

==========  =================================================================
casualties  a casualty word (killed, загинули, погибли, injured, під завалами …)
            or a casualty figure
weapon      a weapon system named (its launch counts go with it)
attack      a verb of attacking (attacked, обстріляли, нанесли удар …) or counts
            of munitions, strikes, explosions without a weapon named
target      a verb of hitting (hit, влучила, попали, цілить …) and a target
            (hospital, school, residential building, infrastructure …)
damage      damaged, destroyed, fire, power cut (пошкоджено, разрушены …)
location    "the main impact on", "під ударом опинилися" and the places named
statement   a quotation, an appeal or an assessment with none of the above
other       mourning, an investigation, an evacuation, with none of the above
==========  =================================================================

A sentence whose date differs from the article's main event (another incident, "on 3
July", "вчора", a "see more" link) is its own claim with its own date and places, and
the sentences after it in the paragraph follow it. Consecutive statements of one
quotation are one claim; "Among them are children" joins the casualty claim before it.

Every candidate carries ``why``: the rule, the words that fired it, and how its facts,
speaker, date and places were read.

Example:
    >>> found = analyse("About 20 people were killed in Kyiv today.", published="2024-07-08")
    >>> [(c.category, c.date, c.places) for c in found.candidates]
    [('casualties', '2024-07-08', ('Kyiv',))]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from evidence.language.furniture import blank, furniture_spans
from evidence.language.lexicon import CueIndex, cue, fold_text, mixed_script_words
from evidence.suggest.dates import SAME_DAY, DateMention, event_day, find_dates, parse_published
from evidence.suggest.facts import (
    ATTACK_FACTS,
    CASUALTY_FACTS,
    DAMAGE_FACTS,
    MUNITION_FACTS,
    FoundFact,
    Memory,
    find_facts,
)
from evidence.suggest.gazetteer import Place, gazetteer
from evidence.suggest.numbers import Figure, find_figures
from evidence.suggest.sentences import MAX_SENTENCE, Paragraph, Sentence, split_text
from evidence.suggest.speakers import Speaker
from evidence.suggest.speech import Attribution, attribute
from evidence.suggest.times import Clock
from evidence.suggest.weapons import WeaponMention, find_weapons

__all__ = ["Analysis", "Candidate", "analyse"]

_QUOTED: Final = frozenset({"quote", "quote-unattributed"})
_CLAUSE: Final = re.compile(r"[;,]\s+")
_ELLIPTIC: Final = re.compile(
    r"(?:(?:в|у|во|на|in|at|on)\s[^()]*|[^()]*\s[—–]\s[^()]*)$", re.IGNORECASE
)
"""A place and a count: «В Донецкой — трое.», "In Sloviansk, one." (not "(Update 3.)")."""
_FINAL: Final = frozenset('.!?…:;"»”’)')
_BULLET: Final = re.compile(r"[-–—•*·]\s")
_LAUNCH_AREA_CATEGORIES: Final = frozenset({"attack", "weapon"})
"""Claims that may name a launch area (a Russian oblast, a sea) among their places."""


@dataclass(frozen=True)
class Candidate:
    """A claim the rules propose: category, the quoted span of the text, and what was
    read from it."""

    category: str
    start: int
    end: int
    facts: tuple[FoundFact, ...]
    date: str | None
    places: tuple[str, ...]
    speaker: Speaker | None
    weapons: tuple[str, ...]
    why: tuple[str, ...]
    paragraph: int
    group: tuple[int, int] | None
    sentence: int
    also: tuple[str, ...] = ()
    """Other categories the statement fits (its claim has one, the first that fits)."""


@dataclass
class Analysis:
    """What :func:`analyse` found in a text."""

    candidates: list[Candidate] = field(default_factory=list)
    sentences: int = 0
    main_date: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Context:
    """What a paragraph has established so far."""

    date: str | None = None
    places: list[Place] = field(default_factory=list)
    memory: Memory = field(default_factory=Memory)


def _free(matches: Sequence[re.Match[str]], masked: tuple[int, int] | None) -> list[re.Match[str]]:
    if masked is None:
        return list(matches)
    return [m for m in matches if not masked[0] <= m.start() < masked[1]]


class _Reader:
    def __init__(self, text: str, published: str | None) -> None:
        # Page furniture (a site clock, weather, share buttons) is read as blank space:
        # offsets stay those of the text, so quotes still anchor in it (decision 0617).
        self.furniture = furniture_spans(text)
        text = blank(text, self.furniture)
        self.text = text
        self.folded = fold_text(text)
        self.published = parse_published(published)
        self.paragraphs = split_text(text)
        self.attributions = attribute(text, self.paragraphs, self.folded)
        self.index = CueIndex(self.folded)
        self.mentions = gazetteer().find(self.folded)
        self.mention_starts = [m.start for m in self.mentions]
        self.cities = list(
            dict.fromkeys(m.place.name for m in self.mentions if m.place.kind == "city")
        )
        self.clock = Clock(self.folded, published)
        stamped = [(s.start, s.end) for s in self.clock.stamps]
        dates = find_dates(self.folded, self.published)
        # A stamp's date is when the page was written, not what a sentence speaks of.
        self.dates = [d for d in dates if not any(a <= d.start < b for a, b in stamped)]
        self.stamp_dates = [d for d in dates if d not in self.dates]
        self.date_starts = [d.start for d in self.dates]
        self.main_date, self.main_why = self._main_date()

    def find(
        self, group: str, start: int, end: int, masked: tuple[int, int] | None
    ) -> list[re.Match[str]]:
        return _free(self.index.matches(cue(group), start, end), masked)

    def _main_date(self) -> tuple[str | None, str]:
        """The date of the article's main event (:func:`~evidence.suggest.dates.event_day`):
        a date its opening paragraphs state, the page's date line, the publication date."""
        opening: list[DateMention] = []
        paragraphs = [p for p in self.paragraphs if p.sentences][:3]
        for para in paragraphs:
            if self._see_more(para):
                continue
            for sent in para.sentences:
                opening.extend(self._dates(sent, self.attributions[sent.index].masked))
        end = paragraphs[-1].end if paragraphs else 0
        first = next((s for s in self.clock.stamps if s.start <= end), None)
        header = [
            d for d in self.stamp_dates if first is not None and first.start <= d.start < first.end
        ]
        day = event_day(opening, self.published, header=header)
        return day.value, day.why

    def _see_more(self, para: Paragraph) -> bool:
        first = para.sentences[0]
        return cue("see_more").match(self.folded, first.start, first.end) is not None

    def _dates(self, sent: Sentence, masked: tuple[int, int] | None) -> list[DateMention]:
        first = bisect.bisect_left(self.date_starts, sent.start)
        last = bisect.bisect_left(self.date_starts, sent.end, first)
        return [
            d
            for d in self.dates[first:last]
            if d.end <= sent.end and (masked is None or not masked[0] <= d.start < masked[1])
        ]

    # -- one sentence ----------------------------------------------------------------------

    def sentence(
        self, para: Paragraph, sent: Sentence, context: _Context, see_more: bool
    ) -> list[Candidate]:
        att = self.attributions[sent.index]
        if att.meta:
            return []
        start, end = att.content
        if see_more and sent is para.sentences[0]:
            prefix = cue("see_more").match(self.folded, start, end)
            if prefix is not None:
                start = prefix.end()
                while start < end and self.text[start].isspace():
                    start += 1
        content = self.folded[start:end]
        if len(content.split()) < 2 and not cue("no_casualties").search(content):
            return []
        shape = self._shape(para, sent, start, end)
        if cue("headings").fullmatch(content.strip(" .!")) or self.find(
            "meta", sent.start, sent.end, att.masked
        ):
            return []
        region = (sent.start, sent.end)
        masked = att.masked
        weapons = [
            w
            for w in find_weapons(self.folded, *region, index=self.index)
            if masked is None or not masked[0] <= w.start < masked[1]
        ]
        cues = {
            group: self.find(group, *region, masked)
            for group in (
                "casualty",
                "attack",
                "hit",
                "targets",
                "damage",
                "damage_ambiguous",
                "things",
                "location",
                "statement",
                "evaluative",
                "other",
                "shot_down",
            )
        }
        damage_words = list(cues["damage"])
        ambiguous_damage = bool(cues["damage_ambiguous"] and cues["things"])
        if ambiguous_damage:
            damage_words += cues["damage_ambiguous"]
        facts = find_facts(
            self.folded,
            *region,
            weapons=weapons,
            masked=[masked] if masked else [],
            memory=context.memory,
            damage=bool(damage_words),
            attack=bool(cues["attack"]),
            index=self.index,
        )
        if any(f.name.endswith("_shot_down") for f in facts):
            # "destroyed 30 drones": air defence, not damage
            damage_words = [
                m
                for m in damage_words
                if not any(s.start() <= m.start() < s.end() for s in cues["shot_down"])
            ]
        if ambiguous_damage and not any(f.name in CASUALTY_FACTS for f in facts):
            # "пострадали жилые дома": damage, not casualties
            taken = {m.start() for m in cues["damage_ambiguous"]}
            cues["casualty"] = [m for m in cues["casualty"] if m.start() not in taken]
        date, date_why = self._date(sent, att, context, see_more)
        as_of_why = ""
        if facts:
            as_of, as_of_why = self.clock.as_of(sent.start, sent.end, date)
            if as_of:
                facts = [replace(f, as_of=as_of) for f in facts]
        places, place_why = self._places(sent, att, context, date)
        inherited = place_why.endswith("as the sentence before")
        chosen = self._categories(att, weapons, facts, cues, damage_words, places)
        if shape and not facts:
            return []  # a headline, the line before a list, background: no claim
        if (
            chosen
            and att.how in _QUOTED
            and not facts
            and not weapons
            and chosen[0][0] == "target"
            and not self._mentions(sent, masked)
        ):
            # «Ворог свідомо цілить по цивільних»: an assessment, said in quotation marks
            chosen = [("statement", "words in quotation marks (an assessment)", []), *chosen]
        if not chosen:
            elliptic = self._elliptic(start, end, masked, context)
            if elliptic is None:
                return []
            facts = [elliptic]
            chosen = [
                (
                    "casualties",
                    f"a figure going on from the sentence before ({elliptic.name})",
                    facts,
                )
            ]
        base_why = [w for w in (self._speaker_why(att), date_why, as_of_why, place_why) if w]
        # One statement, one claim: the first category that fits names it, the others
        # are said in ``why``, and the claim carries every figure the sentence states.
        # A sentence that lists one count for several places ("у Шевченківському — 5,
        # у Дніпровському — 7"; "20 killed in the city, 11 in the region") is one
        # statement per place.
        listed = self._list_items(start, end, facts, weapons, masked)
        if listed is not None:
            out = []
            for piece_start, piece_end, piece_facts in listed:
                piece = replace(
                    self._candidate(
                        para,
                        sent,
                        att,
                        start,
                        end,
                        chosen,
                        piece_facts,
                        places,
                        inherited,
                        weapons,
                        date,
                        base_why,
                    ),
                    start=piece_start,
                    end=piece_end,
                )
                if piece_start > start:
                    piece = replace(
                        piece,
                        category="casualties"
                        if any(f.name in CASUALTY_FACTS for f in piece_facts)
                        else piece.category,
                    )
                out.append(piece)
            return out
        all_facts: dict[str, FoundFact] = {}
        for _, _, own in chosen:
            for fact in own:
                all_facts.setdefault(fact.name, fact)
        return [
            self._candidate(
                para,
                sent,
                att,
                start,
                end,
                chosen,
                sorted(all_facts.values(), key=lambda f: f.start),
                places,
                inherited,
                weapons,
                date,
                base_why,
            )
        ]

    def _candidate(
        self,
        para: Paragraph,
        sent: Sentence,
        att: Attribution,
        start: int,
        end: int,
        chosen: list[tuple[str, str, list[FoundFact]]],
        facts_here: list[FoundFact],
        places: list[Place],
        inherited: bool,
        weapons: list[WeaponMention],
        date: str | None,
        base_why: list[str],
    ) -> Candidate:
        group = att.quote if att.how in _QUOTED else None
        category, trigger, _ = chosen[0]
        own_places = (
            places
            if category in _LAUNCH_AREA_CATEGORIES
            else [p for p in places if p.country == "Ukraine" and p.kind != "sea"]
        )
        if inherited and facts_here and all(f.name in ATTACK_FACTS for f in facts_here):
            own_places = []  # counts of the whole attack belong to no one city
        why = [f"{category}: {trigger}"]
        why.extend(f"also {other}: {words}" for other, words, _ in chosen[1:])
        if facts_here:
            why.append(
                "facts: "
                + "; ".join(
                    f"{f.name} = {f.qualifier} {f.value}"
                    + (f"-{f.max}" if f.max is not None else "")
                    + f" (from «{f.text}» with «{f.cue}»)"
                    for f in facts_here
                )
            )
        return Candidate(
            category=category,
            start=start,
            end=end,
            facts=tuple(facts_here),
            date=date,
            places=tuple(p.name for p in own_places),
            speaker=att.speaker,
            weapons=tuple(dict.fromkeys(w.name for w in weapons)),
            why=tuple(why + base_why),
            paragraph=para.index,
            group=group,
            sentence=sent.index,
            also=tuple(dict.fromkeys(c for c, _, _ in chosen[1:] if c != category)),
        )

    def _shape(self, para: Paragraph, sent: Sentence, start: int, end: int) -> str:
        """Why a sentence that states no figure is no claim, or "": a headline or a
        sub-heading (a short line of its own without final punctuation), the line that
        announces a list ("Casualties by district:"), background about earlier attacks."""
        line = self.text[para.start : para.end].strip() if len(para.sentences) == 1 else ""
        if (
            line
            and line[-1] not in _FINAL
            and not _BULLET.match(line)
            and ":" not in line
            and len(line.split()) <= 12
        ):
            return "headline"
        if self.text[start : sent.end].rstrip().endswith(":"):
            return "the line before a list"
        if cue("background").search(self.folded, start, end):
            return "background"
        return ""

    def _mentions(self, sent: Sentence, masked: tuple[int, int] | None) -> bool:
        first = bisect.bisect_left(self.mention_starts, sent.start)
        last = bisect.bisect_left(self.mention_starts, sent.end, first)
        return any(
            masked is None or not masked[0] <= m.start < masked[1]
            for m in self.mentions[first:last]
        )

    def _bare_figures(
        self,
        start: int,
        end: int,
        masked: tuple[int, int] | None,
        facts: Sequence[FoundFact],
        figures: Sequence[Figure] | None = None,
    ) -> list[Figure]:
        """Counts in ``[start, end)`` that no fact took and that count nothing named
        ("В Донецкой — трое.", "11 in the region"): not "40 of them", an age or an area.
        ``figures`` are those of a longer span around it, when the caller has them."""
        taken = {(f.start, f.end) for f in facts}
        out = []
        if figures is None:
            figures = find_figures(self.folded, start, end, masked=[masked] if masked else [])
        for figure in figures:
            if not start <= figure.start < end:
                continue
            if figure.unit is not None or (figure.start, figure.end) in taken:
                continue
            after = self.folded[figure.end : figure.end + 6].lstrip().casefold()
            if after.startswith(("of ", "з ", "із ", "из ", "out ")):
                continue
            out.append(figure)
        return out

    def _elliptic(
        self, start: int, end: int, masked: tuple[int, int] | None, context: _Context
    ) -> FoundFact | None:
        """A sentence that is only a place and a figure after a casualty count ("В
        Донецкой — трое.") counts the same as the sentence before it."""
        name = context.memory.casualty
        said = self.folded[start:end]
        if name is None or len(said.split()) > 6 or not _ELLIPTIC.match(said):
            return None
        bare = self._bare_figures(start, end, masked, [])
        if len(bare) != 1:
            return None
        figure = bare[0]
        return FoundFact(
            name,
            figure.value,
            figure.qualifier,
            figure.max,
            figure.text,
            f"the count before it ({name})",
            figure.start,
            figure.end,
        )

    def _list_items(
        self,
        start: int,
        end: int,
        facts: list[FoundFact],
        weapons: list[WeaponMention],
        masked: tuple[int, int] | None,
    ) -> list[tuple[int, int, list[FoundFact]]] | None:
        """The pieces of a sentence that gives one count for several places, each with
        its facts, or None when the sentence is one statement."""
        counted = [f for f in facts if f.name in CASUALTY_FACTS]
        if not counted:
            return None
        cuts = [start] + [m.end() for m in _CLAUSE.finditer(self.folded, start, end)]
        clauses = [(a, b) for a, b in zip(cuts, [*cuts[1:], end], strict=False)]
        if len(clauses) < 2:
            return None
        figures = find_figures(self.folded, start, end, masked=[masked] if masked else [])
        if len(figures) < 2:
            return None
        pieces: list[tuple[int, int, list[FoundFact]]] = []
        current: list[FoundFact] = []
        piece_start = start
        pending: int | None = None  # a short clause without figures, waiting for its count
        for a, b in clauses:
            own = [f for f in facts if a <= f.start < b]
            bare = [] if own else self._bare_figures(a, b, masked, facts, figures)
            repeated = any(f.name in {g.name for g in current} for f in own)
            if (bare or repeated) and current:
                last = current[-1].name
                new = own or [
                    FoundFact(
                        last,
                        bare[0].value,
                        bare[0].qualifier,
                        bare[0].max,
                        bare[0].text,
                        f"the count before it ({last})",
                        bare[0].start,
                        bare[0].end,
                    )
                ]
                cut = pending if pending is not None else a
                pieces.append((piece_start, self._clause_end(piece_start, cut), current))
                piece_start, current = cut, list(new)
                pending = None
                continue
            if not own and len(self.folded[a:b].split()) <= 4:
                pending = a if pending is None else pending
            else:
                pending = None
            current.extend(own)
        if not pieces:
            return None
        pieces.append((piece_start, end, current))
        return pieces

    def _clause_end(self, start: int, cut: int) -> int:
        end = cut
        while end > start and (self.text[end - 1].isspace() or self.text[end - 1] in ",;"):
            end -= 1
        return end

    def _categories(
        self,
        att: Attribution,
        weapons: list[WeaponMention],
        facts: list[FoundFact],
        cues: dict[str, list[re.Match[str]]],
        damage_words: list[re.Match[str]],
        places: list[Place],
    ) -> list[tuple[str, str, list[FoundFact]]]:
        def words(matches: Sequence[re.Match[str]] | Sequence[WeaponMention]) -> str:
            shown = [m.group(0) if isinstance(m, re.Match) else m.text for m in matches]
            return ", ".join(f"«{w}»" for w in dict.fromkeys(shown))

        chosen: list[tuple[str, str, list[FoundFact]]] = []
        casualty = [f for f in facts if f.name in CASUALTY_FACTS]
        munition = [f for f in facts if f.name in MUNITION_FACTS]
        attack_counts = [f for f in facts if f.name in ATTACK_FACTS - MUNITION_FACTS]
        damage = [f for f in facts if f.name in DAMAGE_FACTS]
        if casualty or cues["casualty"]:
            chosen.append(
                (
                    "casualties",
                    "casualty words " + words(cues["casualty"])
                    if cues["casualty"]
                    else "casualty figures",
                    casualty,
                )
            )
        if weapons:
            chosen.append(("weapon", "weapon named " + words(weapons), munition))
            if cues["attack"] and not munition:
                chosen.append(("attack", "verb of attack " + words(cues["attack"]), attack_counts))
        elif munition or attack_counts or cues["attack"]:
            trigger = (
                "verb of attack " + words(cues["attack"])
                if cues["attack"]
                else "counts of the attack"
            )
            chosen.append(("attack", trigger, munition + attack_counts))
        targets = cues["targets"]
        facility = [p for p in places if p.target]
        if cues["hit"] and (targets or facility):
            shown = words(targets) if targets else ", ".join(p.name for p in facility)
            chosen.append(("target", f"verb of hitting {words(cues['hit'])} with {shown}", []))
        if damage_words:
            chosen.append(("damage", "damage words " + words(damage_words), damage))
        if cues["location"] and places:
            chosen.append(
                (
                    "location",
                    f"{words(cues['location'])} with " + ", ".join(p.name for p in places),
                    [],
                )
            )
        if chosen:
            return chosen
        if att.how in _QUOTED and not (
            cues["other"] and not cues["statement"] and not cues["evaluative"]
        ):
            return [("statement", "words in quotation marks", [])]
        if cues["statement"] or cues["evaluative"]:
            return [
                (
                    "statement",
                    "appeal or assessment " + words(cues["statement"] + cues["evaluative"]),
                    [],
                )
            ]
        if cues["other"]:
            return [("other", "words " + words(cues["other"]), [])]
        return []

    def _date(
        self, sent: Sentence, att: Attribution, context: _Context, see_more: bool
    ) -> tuple[str | None, str]:
        # A date the sentence states outweighs a relative one, and a weekday comes last:
        # it is only ever resolved against the publication date (decision 0616).
        mentions = sorted(
            self._dates(sent, att.masked),
            key=lambda m: (m.weekday, m.relative and m.value != SAME_DAY),
        )
        for mention in mentions:
            value = mention.value
            if value == SAME_DAY:
                value = context.date or self.main_date
            if value is None:
                continue
            context.date = value
            if mention.weekday and self.published is not None:
                return value, (
                    f"date: «{mention.text}» → {value}, the last such day on or "
                    f"before the publication date {self.published.isoformat()}"
                )
            return value, f"date: «{mention.text}» → {value}"
        if context.date:
            return context.date, f"date: {context.date}, as the sentence before"
        if see_more:
            return None, "date: not stated (a link to another report)"
        if self.main_date:
            return self.main_date, (
                f"date: the article's main event, {self.main_date} ({self.main_why})"
            )
        return None, ""

    def _places(
        self, sent: Sentence, att: Attribution, context: _Context, date: str | None
    ) -> tuple[list[Place], str]:
        masked = att.masked
        first = bisect.bisect_left(self.mention_starts, sent.start)
        last = bisect.bisect_left(self.mention_starts, sent.end)
        mentions = [
            m
            for m in self.mentions[first:last]
            if m.end <= sent.end and (masked is None or not masked[0] <= m.start < masked[1])
        ]
        if not mentions:
            if context.places:
                return list(context.places), "places: " + ", ".join(
                    p.name for p in context.places
                ) + ", as the sentence before"
            return [], ""
        known = [p.name for p in context.places if p.kind == "city"] + self.cities
        chain: list[Place] = []
        for mention in mentions:
            for place in gazetteer().resolve(mention, known):
                if place not in chain:
                    chain.append(place)
        chain.sort(key=lambda p: p.rank)
        if len(chain) > 1:  # "Ukraine" adds nothing next to places in Ukraine
            chain = [
                p
                for p in chain
                if not (
                    p.kind == "country"
                    and any(q.country == p.name and q.kind != "country" for q in chain)
                )
            ]
        context.places = chain
        shown = ", ".join(f"«{m.text}» → {m.place.name}" for m in mentions)
        return chain, f"places: {shown}"

    @staticmethod
    def _speaker_why(att: Attribution) -> str:
        if att.speaker is None:
            return "speaker: the outlet itself" + (f" («{att.words}»)" if att.words else "")
        shown = f" from «{att.words}»" if att.words else ""
        how = {
            "quote": "quotation",
            "lead": "attribution before",
            "tail": "attribution after",
            "mid": "attribution between commas",
            "subject": "verb of saying",
            "backward": "named after the words",
            "inherited": "as the sentence before",
        }.get(att.how, att.how)
        return f"speaker ({how}): {att.speaker.name}{shown}"


def _merge(candidates: list[Candidate], text: str, folded: str) -> list[Candidate]:
    """One claim for consecutive statements of one quotation; "Among them are children"
    joins the casualty claim before it."""
    out: list[Candidate] = []
    among = cue("among")
    for cand in candidates:
        prev = out[-1] if out else None
        if prev is not None and prev.paragraph == cand.paragraph:
            same_quote = prev.group is not None and prev.group == cand.group
            if (
                cand.category == prev.category == "statement"
                and same_quote
                and not prev.also
                and not cand.also
                and cand.sentence == prev.sentence + 1
            ):
                out[-1] = replace(prev, end=cand.end, sentence=cand.sentence)
                continue
            if (
                prev.category == "casualties"
                and not cand.facts
                and among.match(folded, cand.start, cand.end)
                and cand.sentence == prev.sentence + 1
            ):
                out[-1] = replace(
                    prev,
                    end=cand.end,
                    sentence=cand.sentence,
                    why=(
                        *prev.why,
                        "joined: «" + text[cand.start : cand.end] + "» (the casualties before it)",
                    ),
                )
                continue
        out.append(cand)
    return out


def analyse(text: str, *, published: str | None = None) -> Analysis:
    """Candidate claims for a normalised text (NFC, ``\\n`` line ends).

    Args:
        text: the source's normalised text.
        published: the source's publication date or time, against which "today",
            "yesterday" and weekdays are resolved.
    """
    reader = _Reader(text, published)
    result = Analysis(main_date=reader.main_date)
    found: list[Candidate] = []
    carried: list[Place] = []
    for para in reader.paragraphs:
        if not para.sentences:
            continue
        see_more = reader._see_more(para)
        # A paragraph continues the city of the one before while it speaks of the same
        # day; a facility or a district is not carried over (it is the subject of one
        # sentence, not of the report).
        context = _Context(places=[] if see_more else list(carried))
        for sent in para.sentences:
            result.sentences += 1
            found.extend(reader.sentence(para, sent, context, see_more))
            if see_more:
                context = _Context(memory=context.memory)
        same_day = context.date in (None, reader.main_date)
        carried = (
            [p for p in context.places if p.kind in ("city", "oblast")]
            if same_day and not see_more
            else []
        )
    result.candidates = _merge(found, text, reader.folded)
    cut = sum(1 for p in reader.paragraphs for s in p.sentences if s.cut)
    if cut:
        result.notes.append(
            f"{cut} piece(s) of sentences longer than {MAX_SENTENCE} "
            "characters were read separately"
        )
    mixed = mixed_script_words(text)
    if mixed:
        shown = ", ".join(dict.fromkeys(mixed[:5]))
        result.notes.append(
            f"{len(mixed)} word(s) mix Latin and Cyrillic letters ({shown}); "
            "they were read as Cyrillic, and quotes keep them as written"
        )
    if reader.furniture:
        result.notes.append(
            f"{len(reader.furniture)} line(s) of page furniture (a site "
            "clock, weather, share or subscription lines, tracking words) "
            "were left out"
        )
    if reader.published is None:
        result.notes.append(
            "the source has no publication date: relative dates (today, "
            "yesterday, weekdays) were left unresolved"
        )
    return result
