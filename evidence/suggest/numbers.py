# ruff: noqa: RUF001, RUF002  (the text is Ukrainian and Russian on purpose)
# ruff: noqa: RUF002  (the text is Ukrainian and Russian on purpose)
"""Figures in a text: numbers written in digits or words, with their qualifiers.

"more than 40", "about fifty", "four dozen", "dozens", "at least 31", "понад 40",
"щонайменше 31", "близько двадцяти", "семеро", "не менее восьми", "5-7", "від 5 до 7":
each becomes a :class:`Figure` with a value, a qualifier of the claims format (exact,
approx, at-least, more-than, at-most, less-than, range) and, for a range, a maximum.
Ukrainian and Russian number words inflect; ``numbers.yaml`` (:mod:`evidence.language`) lists
the common forms.

What is not a count is left out: dates (8 July, 3 липня), years, times (5 p.m.), ages
(14-year-old, 52-річний), measures (600 square metres, 30 km) and the digits of weapon
names (Kh-101), which the caller masks.

Example:
    >>> [(f.value, f.qualifier) for f in find_figures("понад 40 ракет і about fifty drones")]
    [(40, 'more-than'), (50, 'approx')]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from evidence.language.lexicon import LANGS, LexiconError, alternation, data

__all__ = ["Figure", "Token", "find_figures", "is_number_word", "tokens"]

_TOKEN: Final = re.compile(r"\d+(?:[.,]\d{3})+(?![\d])|[\w']+(?:-[\w']+)*|[^\w\s]")
_DIGITS: Final = re.compile(r"\d+(?:[.,]\d{3})*")
_RANGE_DIGITS: Final = re.compile(r"(\d+)\s*[-\u2013\u2014]\s*(\d+)")
_MAX_VALUE: Final = 10_000_000
_RANGE_OPENERS: Final = frozenset({"from", "between", "від", "од", "от", "з"})
_YEAR_BEFORE: Final = frozenset(
    {
        "in",
        "since",
        "of",
        "by",
        "until",
        "year",
        "у",
        "в",
        "з",
        "до",
        "с",
        "по",
        "від",
        "от",
        "року",
        "года",
        "рік",
        "год",
    }
)
_AREA: Final = re.compile(
    r"\s*(?:square\s+met(?:re|er)s?|sq\.?\s*m\b|m²|м²|м2\b|кв\.?\s*м(?:етр\w*)?\b|"
    r"квадратн\w*\s+метр\w*)",
    re.IGNORECASE,
)
"""A unit of area after a figure: the figure is a measure in square metres."""
_AGE: Final = re.compile(r"(\d{1,3})-(?:year-old|years-old|річн\w*|летн\w*)", re.IGNORECASE)
"""An age written as one word: "63-year-old", "63-річний", "63-летний"."""
_SINGULAR_LEMMAS: Final = {"сотня": 100, "десяток": 10}
"""Nouns whose singular after a qualifier is one of them ("більше сотні": more than 100)."""
_ARTICLES: Final = frozenset({"a", "an"})
_YEAR_AFTER: Final = frozenset({"року", "рік", "роки", "году", "года", "год", "г", "р", "year"})


@dataclass(frozen=True, slots=True)
class Token:
    """A word or punctuation mark of a text, with its offsets and its case-folded form."""

    text: str
    start: int
    end: int
    low: str


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure as written: value, qualifier, maximum (for a range), where, and words."""

    value: int
    qualifier: str
    max: int | None
    start: int
    end: int
    text: str
    first_token: int
    last_token: int
    unit: str | None = None


def tokens(folded: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The tokens of ``folded[start:end]`` (words with inner hyphens and apostrophes,
    numbers with thousands separators, single punctuation marks)."""
    stop = len(folded) if end is None else end
    return [
        Token(m.group(0), m.start(), m.end(), m.group(0).casefold())
        for m in _TOKEN.finditer(folded, start, stop)
    ]


@dataclass(frozen=True)
class _Words:
    units: dict[str, int]
    tens: dict[str, int]
    hundreds: dict[str, int]
    multipliers: dict[str, int]
    vague: dict[str, list[tuple[tuple[str, ...], int, str]]]
    qualifiers: dict[str, list[tuple[tuple[str, ...], str]]]
    not_counts: re.Pattern[str]
    months: frozenset[str]


def _table(doc: Mapping[str, Any], section: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for lang in LANGS:
        for value, forms in ((doc.get(section) or {}).get(lang) or {}).items():
            for form in forms:
                out[str(form).casefold()] = int(value)
    return out


@functools.cache
def _words() -> _Words:
    doc = data("numbers")
    if not isinstance(doc, dict):
        raise LexiconError("numbers.yaml must be a mapping")
    vague = []
    for lang in LANGS:
        for entry in (doc.get("vague") or {}).get(lang) or []:
            value, qualifier, *forms = entry
            for form in forms:
                vague.append((tuple(str(form).casefold().split()), int(value), str(qualifier)))
    qualifiers = []
    for lang in LANGS:
        for qualifier, phrases in ((doc.get("qualifiers") or {}).get(lang) or {}).items():
            for phrase in phrases:
                qualifiers.append((tuple(str(phrase).casefold().split()), str(qualifier)))
    qualifiers.sort(key=lambda q: -len(q[0]))
    vague.sort(key=lambda v: -len(v[0]))
    by_first: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
    for entry in vague:
        by_first.setdefault(entry[0][0], []).append(entry)
    by_last: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, qualifier in qualifiers:
        by_last.setdefault(phrase[-1], []).append((phrase, qualifier))
    not_counts = [
        re.escape(str(w)) for lang in LANGS for w in (doc.get("not_counts") or {}).get(lang) or []
    ]
    months = frozenset(
        str(m).casefold() for lang in LANGS for m in (doc.get("months") or {}).get(lang) or []
    )
    return _Words(
        units=_table(doc, "units"),
        tens=_table(doc, "tens"),
        hundreds=_table(doc, "hundreds"),
        multipliers=_table(doc, "multipliers"),
        vague=by_first,
        qualifiers=by_last,
        not_counts=re.compile(rf"[\s-]*(?:{alternation(not_counts)})(?![\w])", re.IGNORECASE),
        months=months,
    )


def _word_value(word: str, words: _Words) -> int | None:
    """The value of one number word (or a hyphenated English compound: forty-seven)."""
    low = word.casefold()
    for table in (words.units, words.tens, words.hundreds):
        if low in table:
            return table[low]
    if "-" in low:
        parts = low.split("-")
        if all(p in words.units or p in words.tens for p in parts):
            return sum(words.units.get(p, words.tens.get(p, 0)) for p in parts)
    return None


def is_number_word(word: str) -> bool:
    """Whether a word is a number written out ("Six", "сорок", "двоє")."""
    words = _words()
    return _word_value(word, words) is not None or word.casefold() in words.multipliers


def _digits_value(text: str) -> int | None:
    if not _DIGITS.fullmatch(text):
        return None
    value = int(re.sub(r"[.,]", "", text))
    return value if value <= _MAX_VALUE else None


def _number_at(toks: list[Token], i: int, words: _Words) -> tuple[int, int] | None:
    """(value, index of the last token) of the number starting at token ``i``."""
    first = toks[i].text
    value = _digits_value(first)
    j = i
    if value is None:
        value = _word_value(first, words)
        if value is None:
            return None
        # Compose "сто двадцять п'ять", "twenty five", "one hundred and twenty".
        while j + 1 < len(toks):
            nxt = toks[j + 1].low
            if nxt == "and" and j + 2 < len(toks) and value % 100 == 0 and value >= 100:
                after = _word_value(toks[j + 2].text, words)
                if after is not None and after < 100:
                    value += after
                    j += 2
                    continue
            if nxt == "hundred" and value < 10:
                value *= 100
                j += 1
                continue
            after = _word_value(toks[j + 1].text, words)
            if after is None or after >= _magnitude(value) or "-" in toks[j + 1].text:
                break
            value += after
            j += 1
    if j + 1 < len(toks) and toks[j + 1].low in words.multipliers:
        value *= words.multipliers[toks[j + 1].low]
        j += 1
    return value, j


def _magnitude(value: int) -> int:
    """The place value of the last word added (25 -> 1, 120 -> 10, 300 -> 100): a number
    word continues the number only when it is smaller ("сто двадцять п'ять")."""
    if value % 10:
        return 1
    if value % 100:
        return 10
    if value % 1000:
        return 100
    return 1000


def _qualifier_before(toks: list[Token], i: int, words: _Words) -> tuple[str, int] | None:
    """The qualifier written just before token ``i``, and its first token."""
    if i > 1 and toks[i - 1].low in _ARTICLES:
        i -= 1  # "more than a hundred"
    if i == 0:
        return None
    for phrase, qualifier in words.qualifiers.get(toks[i - 1].low, ()):
        n = len(phrase)
        if i - n < 0:
            continue
        if tuple(t.low for t in toks[i - n : i]) == phrase:
            return qualifier, i - n
    return None


def _singular_noun(toks: list[Token], i: int, words: _Words) -> tuple[int, str, int] | None:
    """ "більше сотні", "около сотни", "понад сотню", "более десятка": a qualifier and the
    singular of a noun of number is that number, with the qualifier (never "hundreds")."""
    from evidence.suggest.morphology import singular_of

    found = _qualifier_before(toks, i, words)
    if found is None:
        return None
    for lemma, value in _SINGULAR_LEMMAS.items():
        if singular_of(toks[i].text, lemma):
            qualifier, first = found
            return value, qualifier, first
    return None


def _vague_at(toks: list[Token], i: int, words: _Words) -> tuple[int, str, int] | None:
    for phrase, value, qualifier in words.vague.get(toks[i].low, ()):
        n = len(phrase)
        if tuple(t.low for t in toks[i : i + n]) == phrase:
            return value, qualifier, i + n - 1
    return None


def _is_not_count(folded: str, toks: list[Token], i: int, j: int, words: _Words) -> bool:
    """A date, year, time, age or measure rather than a count."""
    token = toks[i].text
    if (
        re.fullmatch(r"\d{4}", token)
        and 1900 <= int(token) <= 2100
        and (
            (i > 0 and toks[i - 1].low in _YEAR_BEFORE)
            or (j + 1 < len(toks) and toks[j + 1].low in _YEAR_AFTER)
        )
    ):
        return True  # "in 2023", "2023 року"; "more than 1900 people" is a count
    if j + 1 < len(toks) and toks[j + 1].low in words.months:
        return True
    if i > 0 and toks[i - 1].low in words.months:
        return True
    if i > 0 and toks[i - 1].text in ("№", "#"):
        return True
    if i > 0 and toks[i - 1].text == ":" and toks[i - 1].end == toks[i].start:
        return True  # "12:30"; "district: 5 injured" is a count
    if (
        j + 1 < len(toks)
        and toks[j + 1].text == ":"
        and j + 2 < len(toks)
        and toks[j + 2].text.isdigit()
    ):
        return True
    if words.not_counts.match(folded, toks[j].end):
        return True
    if re.fullmatch(r"\d+-\w+", token):  # "14-year-old", "52-річний", "12-storey"
        return True
    return "-" in token and _word_value(token, words) is None


def find_figures(
    folded: str,
    start: int = 0,
    end: int | None = None,
    *,
    masked: Iterable[tuple[int, int]] = (),
    toks: list[Token] | None = None,
) -> list[Figure]:
    """The figures of ``folded[start:end]``, in order; ``masked`` spans are skipped.
    ``toks`` are the tokens of that span, when the caller has them already."""
    words = _words()
    if toks is None:
        toks = tokens(folded, start, end)
    blocked = sorted(masked)
    figures: list[Figure] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if any(a <= tok.start < b for a, b in blocked):
            i += 1
            continue
        if tok.low in ("one", "one's") and i > 0 and toks[i - 1].low == "no":
            i += 1  # "no one was injured": none, not one
            continue
        singular = _singular_noun(toks, i, words) if tok.low[:1] in ("с", "д") else None
        if singular is not None:
            value, qualifier, first = singular
            figures.append(_figure(folded, toks, first, i, value, qualifier, None))
            i += 1
            continue
        age = _AGE.fullmatch(tok.text) if "-" in tok.text and tok.text[:1].isdigit() else None
        if age is not None:
            figures.append(
                replace(_figure(folded, toks, i, i, int(age.group(1)), "exact", None), unit="age")
            )
            i += 1
            continue
        vague = _vague_at(toks, i, words)
        if vague is not None:
            value, qualifier, last = vague
            figures.append(_figure(folded, toks, i, last, value, qualifier, None))
            i = last + 1
            continue
        range_match = _RANGE_DIGITS.fullmatch(tok.text)
        if range_match:
            low, high = int(range_match.group(1)), int(range_match.group(2))
            if low < high and not words.not_counts.match(folded, tok.end) and high < 1900:
                figures.append(_figure(folded, toks, i, i, low, "range", high))
            i += 1
            continue
        number = _number_at(toks, i, words)
        if number is None:
            i += 1
            continue
        value, last = number
        if _AREA.match(folded, toks[last].end):
            first, qualifier = i, "exact"
            found = _qualifier_before(toks, i, words)
            if found is not None:
                qualifier, first = found
            figures.append(
                replace(_figure(folded, toks, first, last, value, qualifier, None), unit="m2")
            )
            i = last + 1
            continue
        if i > 0 and toks[i - 1].low == "по" and _word_value(tok.text, words) is not None:
            i = last + 1  # «по два поверхи»: so many each, not a count
            continue
        if _is_not_count(folded, toks, i, last, words):
            i = last + 1
            continue
        qualifier = "exact"
        first = i
        found = _qualifier_before(toks, i, words)
        if found is not None:
            qualifier, first = found
        maximum = None
        span_range = _range_after(toks, last, words, value)
        if span_range is not None:
            maximum, last = span_range
            qualifier = "range"
            if first > 0 and toks[first - 1].low in _RANGE_OPENERS:
                first -= 1
        if words.multipliers.get(toks[last].low) in (10, 12) and qualifier == "exact":
            qualifier = "approx"  # "four dozen", "два десятки": a round figure
        figures.append(_figure(folded, toks, first, last, value, qualifier, maximum))
        i = last + 1
    return figures


def _range_after(toks: list[Token], last: int, words: _Words, value: int) -> tuple[int, int] | None:
    """ "5 to 7", "5 до 7", "5 and 7" (after between): the maximum and its last token."""
    if last + 2 >= len(toks) or toks[last + 1].low not in ("to", "до", "and", "-", "\u2013"):
        return None
    number = _number_at(toks, last + 2, words)
    if number is None:
        return None
    high, end = number
    if high <= value:
        return None
    if toks[last + 1].low == "and" and not (
        last > 0 and any(t.low == "between" for t in toks[max(0, last - 3) : last])
    ):
        return None
    return high, end


def _figure(
    folded: str,
    toks: list[Token],
    first: int,
    last: int,
    value: int,
    qualifier: str,
    maximum: int | None,
) -> Figure:
    start, end = toks[first].start, toks[last].end
    return Figure(value, qualifier, maximum, start, end, folded[start:end], first, last)
