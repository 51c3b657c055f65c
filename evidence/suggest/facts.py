# ruff: noqa: RUF001, RUF003  (the text is Ukrainian and Russian on purpose)
"""Facts in a sentence: which figure counts what, in the fact names of the claims format.

A :class:`~evidence.suggest.numbers.Figure` becomes a fact by the words around it
(``evidence/language/data/terms.yaml``), tried in this order:

1. a toll: "the death toll … has risen to six", "Кількість загиблих зросла до дев'яти",
   "Число погибших … выросло до 27" (killed, injured, victims);
2. children among the casualties: "nine of them children", "серед них троє дітей",
   "в том числе семь детей", "среди раненых двое детей" (children_killed or
   children_injured, after the casualty figure before them);
3. munitions: a count of missiles, drones or bombs (or of a weapon named next to it, or
   "30 of them", "з них") is launched, shot down or dropped by the nearest verb;
   "16 … из 22" after a count shot down is the count launched;
4. anything else by the nearest cue word after the figure (skipping "people", "ще",
   "человек"), then before it: killed, injured, killed_or_injured ("dead and injured"),
   victims, missing, rescued, strikes, explosions, settlements_attacked, and, when the
   sentence speaks of damage, buildings_damaged, vehicles_damaged, facilities_damaged.

Without a figure, "Водитель погиб", "Загинув чоловік", "injuring an elderly woman" are
one killed or injured, "including a 14-year-old girl", "серед них дитина" one child,
and "Постраждалих немає", "no casualties" are killed_or_injured 0.

Example:
    >>> found = find_facts("погибли четыре человека, еще 23 ранены")
    >>> [(f.name, f.value, f.qualifier) for f in found]
    [('killed', 4, 'exact'), ('injured', 23, 'exact')]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final

from evidence.language.lexicon import LANGS, CueIndex, alternation, cue, data, scan, words_pattern
from evidence.suggest.numbers import Figure, Token, find_figures, tokens
from evidence.suggest.weapons import WeaponMention

__all__ = ["CASUALTY_FACTS", "FoundFact", "Memory", "find_facts"]

CASUALTY_FACTS: Final = frozenset(
    {
        "killed",
        "injured",
        "killed_or_injured",
        "victims",
        "children_killed",
        "children_injured",
        "missing",
        "rescued",
        "age",
    }
)
MUNITION_FACTS: Final = frozenset(
    {
        "missiles_launched",
        "drones_launched",
        "bombs_dropped",
        "missiles_shot_down",
        "drones_shot_down",
    }
)
ATTACK_FACTS: Final = MUNITION_FACTS | {"strikes", "explosions", "settlements_attacked"}
DAMAGE_FACTS: Final = frozenset(
    {
        "buildings_damaged",
        "vehicles_damaged",
        "facilities_damaged",
        "floors_damaged",
        "districts_affected",
        "area_damaged",
    }
)

_COUNT_GROUPS: Final = (
    "killed",
    "injured",
    "victims",
    "missing",
    "rescued",
    "strikes",
    "explosions",
    "settlements",
    "buildings",
    "vehicles",
    "facilities",
    "floors",
    "districts",
)
_MUNITION_GROUPS: Final = {"missiles": "missiles", "drones": "drones", "bombs": "bombs"}
_KIND_TO_GROUP: Final = {"missile": "missiles", "drone": "drones", "bomb": "bombs"}
_STOPS: Final = frozenset({",", ";", ".", ":", "!", "?", "(", ")", "—", "–"})
_RIGHT: Final = 6
_LEFT: Final = 5
_FAR: Final = 10
_CONJUNCTIONS: Final = frozenset({"and", "or", "і", "й", "та", "и", "або", "или", "чи", "&"})


@dataclass(frozen=True, slots=True)
class FoundFact:
    """A fact found in a sentence, with the words that decided it (for ``why``)."""

    name: str
    value: int
    qualifier: str
    max: int | None
    text: str
    cue: str
    start: int
    end: int
    unit: str | None = None
    as_of: str | None = None
    """The time the count is stated for (:mod:`evidence.suggest.times`), when given."""

    def to_claim(self) -> dict[str, object]:
        """The fact as the claims format writes it."""
        out: dict[str, object] = {"value": self.value, "qualifier": self.qualifier}
        if self.max is not None:
            out["max"] = self.max
        if self.unit is not None:
            out["unit"] = self.unit
        out["text"] = self.text
        if self.as_of is not None:
            out["as_of"] = self.as_of
        return out


@dataclass
class Memory:
    """What a paragraph said last about munitions ("30 of them" counts those)."""

    kind: str | None = None
    casualty: str | None = None
    """The last of killed or injured the paragraph counted ("Among them are four
    children" in the next sentence counts children among those)."""


@dataclass
class _Sentence:
    folded: str
    toks: list[Token]
    groups: list[set[str]]
    words: list[dict[str, str]]
    figures: list[Figure]
    index: CueIndex | None
    by_token: dict[int, Figure] = field(default_factory=dict)


def _token_index(toks: list[Token], offset: int) -> int | None:
    for index, tok in enumerate(toks):
        if tok.start <= offset < tok.end:
            return index
    return None


def _mark(
    s: _Sentence,
    pattern: re.Pattern[str],
    label: str,
    start: int,
    end: int,
    masked: list[tuple[int, int]],
) -> None:
    for match in scan(pattern, s.folded, start, end, s.index):
        if any(a <= match.start() < b for a, b in masked):
            continue
        index = _token_index(s.toks, match.start())
        if index is not None:
            s.groups[index].add(label)
            if len(match.group(0)) > len(s.words[index].get(label, "")):
                s.words[index][label] = match.group(0)  # the longest cue wins


_LABELS: Final = (
    *_COUNT_GROUPS,
    "children",
    "people",
    *_MUNITION_GROUPS,
    "launch",
    "shot_down",
    "drop",
    "of_them",
    "among",
)


def _entries(label: str) -> list[str]:
    terms = data("terms")
    entry = terms["facts"].get(label) if label in terms["facts"] else terms[label]
    return [str(p) for lang in LANGS for p in (entry or {}).get(lang) or []]


@functools.cache
def _label_patterns() -> dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]:
    """For each label: a pattern for its one-word cues (matched against whole tokens) and
    one for its cues of several words (searched in the text)."""
    out: dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]] = {}
    for label in _LABELS:
        entries = _entries(label)
        single = [e for e in entries if not re.search(r" |\\s", e)]
        multi = [e for e in entries if e not in single]
        out[label] = (
            re.compile(alternation(single), re.IGNORECASE) if single else None,
            words_pattern(multi) if multi else None,
        )
    return out


@functools.lru_cache(maxsize=65536)
def _word_labels(word: str) -> frozenset[str]:
    """The labels a single word carries (cached: a text has few distinct words)."""
    return frozenset(
        label
        for label, (single, _) in _label_patterns().items()
        if single is not None and single.fullmatch(word)
    )


def _analyse(
    folded: str,
    start: int,
    end: int,
    weapons: Iterable[WeaponMention],
    masked: list[tuple[int, int]],
    cues: CueIndex | None,
) -> _Sentence:
    toks = tokens(folded, start, end)
    weapon_spans = [(w.start, w.end) for w in weapons]
    figures = find_figures(folded, start, end, masked=weapon_spans + masked, toks=toks)
    s = _Sentence(folded, toks, [set() for _ in toks], [{} for _ in toks], figures, cues)
    for position, tok in enumerate(toks):
        if any(a <= tok.start < b for a, b in masked):
            continue
        for label in _word_labels(tok.text):
            s.groups[position].add(label)
            s.words[position].setdefault(label, tok.text)
    for label, (_, multi) in _label_patterns().items():
        if multi is not None:
            _mark(s, multi, label, start, end, masked)
    for weapon in weapons:
        index = _token_index(toks, weapon.start)
        group = _KIND_TO_GROUP.get(weapon.kind)
        if index is not None and group is not None:
            s.groups[index].add(group)
            s.words[index][group] = weapon.text
    for figure in figures:
        for index in range(figure.first_token, figure.last_token + 1):
            s.by_token[index] = figure
    return s


def _is_figure(s: _Sentence, index: int) -> bool:
    return index in s.by_token


def _nearest(
    s: _Sentence,
    figure: Figure,
    wanted: Iterable[str],
    *,
    right: int,
    left: int,
    stop_at_punct: bool = True,
) -> tuple[str, int] | None:
    """The nearest token in one of the ``wanted`` groups: after the figure (up to
    ``right`` tokens), then before it (up to ``left``), not past another figure or, with
    ``stop_at_punct``, a punctuation mark."""
    wanted = set(wanted)
    for index in range(figure.last_token + 1, min(len(s.toks), figure.last_token + 1 + right)):
        if _is_figure(s, index):
            break
        hit = s.groups[index] & wanted
        if hit:
            return sorted(hit)[0], index
        if stop_at_punct and s.toks[index].text in _STOPS:
            break
    for index in range(figure.first_token - 1, max(-1, figure.first_token - 1 - left), -1):
        if _is_figure(s, index) or s.toks[index].low in _CONJUNCTIONS:
            break  # "killed and about fifty were wounded": the word before belongs to another
        hit = s.groups[index] & wanted
        if hit:
            return sorted(hit)[0], index
        if stop_at_punct and s.toks[index].text in _STOPS:
            break
    return None


def _distance(s: _Sentence, figure: Figure, group: str, *, right: int, left: int) -> int | None:
    """Tokens from the figure to the nearest word of ``group`` in the same clause (a
    semicolon ends one: "launched 120 missiles; 104 missiles were shot down")."""
    best = None
    for index, groups in enumerate(s.groups):
        if group not in groups:
            continue
        low, high = sorted((index, figure.first_token))
        if any(s.toks[k].text == ";" for k in range(low, high)):
            continue
        if index > figure.last_token and index - figure.last_token <= right:
            d = index - figure.last_token
        elif index < figure.first_token and figure.first_token - index <= left:
            d = figure.first_token - index
        else:
            continue
        best = d if best is None else min(best, d)
    return best


def _fact(name: str, figure: Figure, cue_word: str) -> FoundFact:
    return FoundFact(
        name,
        figure.value,
        figure.qualifier,
        figure.max,
        figure.text,
        cue_word,
        figure.start,
        figure.end,
    )


def _tolls(s: _Sentence, start: int, end: int, used: set[int]) -> list[FoundFact]:
    found = []
    verbs = cue("toll_verbs")
    for name in ("killed", "injured", "victims"):
        for match in scan(cue("tolls", name), s.folded, start, end, s.index):
            verb = verbs.search(s.folded, match.end(), min(end, match.end() + 160))
            if verb is None:
                continue
            for figure in s.figures:
                if id(figure) in used or figure.start < verb.end():
                    continue
                if figure.start - verb.end() <= 12:
                    used.add(id(figure))
                    found.append(_fact(name, figure, f"{match.group(0)} … {verb.group(0)}"))
                break
    return found


def _children(
    s: _Sentence, figure: Figure, facts: list[FoundFact], memory: Memory
) -> FoundFact | None:
    after = range(figure.last_token + 1, min(len(s.toks), figure.last_token + 4))
    child = next((i for i in after if "children" in s.groups[i]), None)
    if child is None:
        return None
    span = range(max(0, figure.first_token - 4), figure.last_token + 3)
    among = next((i for i in span if "among" in s.groups[i] or "of_them" in s.groups[i]), None)
    if among is None:
        return None
    words = s.words[among].get("among") or s.words[among].get("of_them", "")
    name = _children_of(words, facts, memory.casualty)
    if name is None:
        return None
    return _fact(name, figure, f"{words} … {s.toks[child].text}")


def _children_of(among_words: str, facts: list[FoundFact], before: str | None = None) -> str | None:
    if cue("facts", "killed").search(among_words):
        return "children_killed"
    if cue("facts", "injured").search(among_words):
        return "children_injured"
    for fact in reversed(facts):
        if fact.name in ("killed", "injured"):
            return f"children_{fact.name}"
    return f"children_{before}" if before else None


def _partitive(s: _Sentence, figure: Figure) -> str | None:
    """ "One of the bombs", "одна з ракет": a part of the munitions counted elsewhere;
    returns their kind. ("38 of the drones had been downed" is a count shot down.)"""
    after = figure.last_token + 1
    if after >= len(s.toks) or s.toks[after].low not in ("of", "з", "із", "из"):
        return None
    for index in range(after + 1, min(len(s.toks), after + 3)):
        kinds = s.groups[index] & set(_MUNITION_GROUPS)
        if kinds:
            return sorted(kinds)[0]
        if s.toks[index].low != "the":
            break
    return None


def _munition(
    s: _Sentence, figure: Figure, memory: Memory, facts: list[FoundFact]
) -> FoundFact | None:
    kind: str | None = None
    cue_word = ""
    of_them = False
    for index in range(figure.last_token + 1, min(len(s.toks), figure.last_token + 5)):
        groups = s.groups[index]
        if groups & set(_MUNITION_GROUPS):
            kind = sorted(groups & set(_MUNITION_GROUPS))[0]
            cue_word = s.words[index].get(kind) or s.toks[index].text
            break
        phrase = s.words[index].get("of_them", "")
        if len(phrase.split()) > 1:  # "30 of them", "30 з них"; a bare "з" is "from"
            kind, of_them, cue_word = memory.kind, True, phrase
            break
        if s.toks[index].text in _STOPS or _is_figure(s, index):
            break
    for index in range(max(0, figure.first_token - 3), figure.first_token):
        phrase = s.words[index].get("of_them", "")
        if kind is None and len(phrase.split()) > 1:  # "з них 30", "из которых 30"
            kind, of_them, cue_word = memory.kind, True, phrase
    before = figure.first_token - 1
    if kind is None and before >= 0 and "of_them" in s.groups[before]:
        previous = facts[-1] if facts else None
        if (
            previous is not None
            and previous.name.endswith("_shot_down")
            and previous.value < figure.value
        ):
            group = previous.name.split("_")[0]
            return _fact(f"{group}_launched", figure, f"{s.toks[before].text} {figure.text}")
    if kind is None:
        return None
    memory.kind = kind
    distances = {
        verb: _distance(s, figure, verb, right=8, left=8)
        for verb in ("launch", "shot_down", "drop")
    }
    near = sorted((d, v) for v, d in distances.items() if d is not None)
    verb = near[0][1] if near else "launch"
    if kind == "bombs":
        name = "bombs_dropped" if verb != "shot_down" else ""
    elif verb == "shot_down":
        name = f"{kind}_shot_down"
    else:
        name = f"{kind}_launched"
    if not name:
        return None
    return _fact(name, figure, f"{cue_word}{' (of them)' if of_them else ''}")


_CASUALTY_GROUPS: Final = ("killed", "injured", "victims", "missing", "rescued")


def _count(s: _Sentence, figure: Figure, damage: bool, attack: bool) -> FoundFact | None:
    """What a figure counts, by the nearest cue word: nouns and verbs after the figure,
    verbs of casualties before it ("загинули 7"), then further after it."""
    wanted = [
        g
        for g in _COUNT_GROUPS
        if damage or g not in ("buildings", "vehicles", "facilities", "floors")
    ]
    right = _nearest(s, figure, wanted, right=_RIGHT, left=0)
    left = _nearest(s, figure, _CASUALTY_GROUPS, right=0, left=_LEFT)
    if right and left:  # the closer word decides: "killing at least five people and wounding 12"
        found: tuple[str, int] | None = (
            left if figure.first_token - left[1] < right[1] - figure.last_token else right
        )
    else:
        found = (
            right or left or _nearest(s, figure, wanted, right=_FAR, left=0, stop_at_punct=False)
        )
    if found is None:
        return None
    group, index = found
    if "among" in s.groups[index] or (index > 0 and "among" in s.groups[index - 1]):
        return None  # «Среди раненых четверо медиков»: a part of a count, not a count
    word = s.words[index].get(group) or s.toks[index].text
    if group in ("killed", "injured"):
        other = "injured" if group == "killed" else "killed"
        joined = False
        for j in range(index + 1, min(len(s.toks), index + 4)):
            if _is_figure(s, j) or s.toks[j].text in _STOPS:
                break
            joined = joined or s.toks[j].low in _CONJUNCTIONS
            if other in s.groups[j] and joined:  # "dead and injured", "загиблих і поранених"
                return _fact("killed_or_injured", figure, f"{word} … {s.toks[j].text}")
        return _fact(group, figure, word)
    if group in ("victims", "missing", "rescued", "explosions"):
        return _fact(group, figure, word)
    if group == "settlements":
        return _fact("settlements_attacked", figure, word)
    if group == "districts":
        return _fact("districts_affected", figure, word) if damage or attack else None
    if group == "strikes":
        return (
            _fact("strikes", figure, word)
            if attack or s.toks[index].low not in ("times", "раз", "рази", "разів", "раза")
            else None
        )
    if damage:
        return _fact(f"{group}_damaged", figure, word)
    return None


def _implied(folded: str, start: int, end: int, facts: list[FoundFact]) -> list[FoundFact]:
    """Facts without a figure: one killed, one injured, one child, no casualties."""
    names = {f.name for f in facts}
    out: list[FoundFact] = []
    for name, group in (("killed", "one_killed"), ("injured", "one_injured")):
        if name in names:
            continue
        match = cue(group).search(folded, start, end)
        if match is not None:
            out.append(
                FoundFact(
                    name,
                    1,
                    "exact",
                    None,
                    match.group(0),
                    match.group(0),
                    match.start(),
                    match.end(),
                )
            )
    among = cue("among").search(folded, start, end)
    if among is not None and not names & {"children_killed", "children_injured"}:
        child = cue("one_child").search(folded, among.end(), min(end, among.end() + 40))
        if child is not None:
            before = sorted(
                (f for f in facts + out if f.start < among.start()), key=lambda f: f.start
            )
            target = _children_of(among.group(0), before)
            if target is not None:
                out.append(
                    FoundFact(
                        target,
                        1,
                        "exact",
                        None,
                        child.group(0),
                        f"{among.group(0)} … {child.group(0)}",
                        child.start(),
                        child.end(),
                    )
                )
    if not names & CASUALTY_FACTS and not out:
        none = cue("no_casualties").search(folded, start, end)
        if none is not None:
            said = none.group(0)
            name = "killed_or_injured"  # "Постраждалих немає", "no casualties"
            if re.search(r"\b(?:injured|wounded|hurt)\b", said):
                name = "injured"  # "no one was injured"
            elif re.search(r"\b(?:killed|dead)\b", said):
                name = "killed"
            out.append(FoundFact(name, 0, "exact", None, said, said, none.start(), none.end()))
    return out


def find_facts(
    folded: str,
    start: int = 0,
    end: int | None = None,
    *,
    weapons: Iterable[WeaponMention] = (),
    masked: Iterable[tuple[int, int]] = (),
    memory: Memory | None = None,
    damage: bool = False,
    attack: bool = False,
    index: CueIndex | None = None,
) -> list[FoundFact]:
    """The facts of ``folded[start:end]`` (one sentence), in order; the first of two
    facts with the same name wins."""
    stop = len(folded) if end is None else end
    weapon_list = list(weapons)
    masked_list = list(masked)
    memory = memory if memory is not None else Memory()
    s = _analyse(folded, start, stop, weapon_list, masked_list, index)
    used: set[int] = set()
    facts = _tolls(s, start, stop, used)
    facts.extend(_out_of(s, used))
    ages: list[Figure] = []
    for figure in s.figures:
        if id(figure) in used:
            continue
        if figure.unit == "age":
            ages.append(figure)
            continue
        if figure.unit == "m2":
            if damage:
                facts.append(replace(_fact("area_damaged", figure, "area"), unit="m2"))
            continue
        if _one_of_people(s, figure):
            continue
        part = _partitive(s, figure)
        if part is not None:
            if _distance(s, figure, "shot_down", right=6, left=0) is not None:
                facts.append(_fact(f"{part}_shot_down", figure, f"{figure.text} of {part}"))
            continue
        fact = (
            _children(s, figure, facts, memory)
            or _munition(s, figure, memory, facts)
            or _count(s, figure, damage, attack)
        )
        if fact is not None:
            facts.append(fact)
    facts.extend(_implied(folded, start, stop, facts))
    facts.extend(_ages(ages, facts, memory))
    unique: dict[str, FoundFact] = {}
    for fact in sorted(facts, key=lambda f: f.start):
        unique.setdefault(fact.name, fact)
    for fact in facts:
        if fact.name in ("killed", "injured"):
            memory.casualty = fact.name
    return list(unique.values())


def _ages(ages: list[Figure], facts: list[FoundFact], memory: Memory) -> list[FoundFact]:
    """An age of a casualty: the ``age`` of the one person a sentence counts ("A
    63-year-old guard was killed"); a child's age among several casualties counts one
    child among them ("eight injured, one of them a 12-year-old boy")."""
    if len(ages) != 1:
        return []
    age = ages[0]
    casualties = [f for f in facts if f.name in ("killed", "injured")]
    if len(casualties) == 1 and casualties[0].value == 1 and casualties[0].qualifier == "exact":
        return [_fact("age", age, "age")]
    if age.value < 18 and casualties and not any(f.name.startswith("children_") for f in facts):
        before = [f for f in casualties if f.start < age.start] or casualties
        return [
            FoundFact(
                f"children_{before[-1].name}",
                1,
                "exact",
                None,
                age.text,
                "a child's age",
                age.start,
                age.end,
            )
        ]
    return []


def _one_of_people(s: _Sentence, figure: Figure) -> bool:
    """ "One of the injured", "one of them", «одна з них», «один из раненых»: a person
    picked out of a count made elsewhere, not a count of its own."""
    after = figure.last_token + 1
    if after + 1 >= len(s.toks) or s.toks[after].low not in ("of", "з", "із", "из"):
        return False
    people = {"killed", "injured", "victims"}
    nxt = after + 1
    if s.toks[nxt].low == "the" and nxt + 1 < len(s.toks):
        nxt += 1
    elif s.toks[after].low == "of":
        return figure.value == 1 and s.toks[nxt].low == "them"  # "dozens of dead" counts
    if s.groups[nxt] & people:
        return True  # "three of the wounded", «двоє з поранених»
    return figure.value == 1 and s.toks[after + 1].low in ("them", "них")


def _out_of(s: _Sentence, used: set[int]) -> list[FoundFact]:
    """ "22 of the 25 drones", «22 з 25 дронів», «22 из 25 дронов»: the first figure is shot
    down (or launched, without a verb of air defence), the second launched."""
    out: list[FoundFact] = []
    for first, second in zip(s.figures, s.figures[1:], strict=False):
        between = [t.low for t in s.toks[first.last_token + 1 : second.first_token]]
        if between not in (["of"], ["of", "the"], ["out", "of"], ["з"], ["із"], ["из"]):
            continue
        kind = None
        for index in range(second.last_token + 1, min(len(s.toks), second.last_token + 3)):
            kinds = s.groups[index] & set(_MUNITION_GROUPS)
            if kinds:
                kind = sorted(kinds)[0]
                break
        if kind is None or kind == "bombs" or first.value >= second.value:
            continue
        shot = _distance(s, first, "shot_down", right=8, left=8) is not None
        used.update((id(first), id(second)))
        if shot:
            out.append(_fact(f"{kind}_shot_down", first, f"{first.text} of {second.text}"))
        out.append(_fact(f"{kind}_launched", second, f"{first.text} of {second.text}"))
    return out
