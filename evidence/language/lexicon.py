# ruff: noqa: RUF001, RUF002  (the text is Ukrainian and Russian on purpose)
"""The word lists of ``evidence suggest``: loaded once from ``evidence/language/data``.

The rules of :mod:`evidence.suggest.suggestions` are explainable because their knowledge is
data that anyone can read and correct: cue words (``terms.yaml``), number words
(``numbers.yaml``), reported speech (``speech.yaml``), weapons (``weapons.yaml``) and
places (``gazetteer.yaml``), each in English, Ukrainian and Russian. The files ship in
the package and are read through :mod:`importlib.resources`; nothing is downloaded.

Matching is done on a *folded* copy of the text, of exactly the same length, so every
offset found in it is an offset in the source text: apostrophes (’ ʼ ‘) become ``'``,
ё becomes е, no-break spaces become spaces, and Latin letters that look Cyrillic
inside a mostly Cyrillic word (the homoglyph "Kиїв" with a Latin K) become Cyrillic.

Example:
    >>> fold_text("Слов’янськ")
    "Слов'янськ"
    >>> bool(cue("casualty").search("загинули щонайменше 7 людей"))
    True
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any, Final, Literal

from evidence._yaml import load_yaml
from evidence.errors import EvidenceError

__all__ = [
    "LANGS",
    "CueIndex",
    "Lang",
    "alternation",
    "cue",
    "data",
    "fold_text",
    "mixed_script_words",
    "month_numbers",
    "scan",
    "transliterate",
    "words_pattern",
]

Lang = Literal["en", "uk", "ru"]
LANGS: Final[tuple[Lang, ...]] = ("en", "uk", "ru")

LEFT: Final = r"(?<![\w'])"
"""No word character or apostrophe before a match."""
RIGHT: Final = r"(?![\w])(?!'[^\Ws])(?!'s\w)"
"""No word character after a match, nor an apostrophe inside a word (a possessive 's is
allowed: "Odesa's")."""

_APOSTROPHES: Final = dict.fromkeys(map(ord, "\u2019\u02bc\u2018\u0060\u00b4\u2032"), "'")
_SPACES: Final = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a"), " ")
_YO: Final = {ord("ё"): "е", ord("Ё"): "Е"}
_LATIN_TO_CYRILLIC: Final = {
    ord(lat): cyr for lat, cyr in zip("aceiopxyABCEHIKMOPTX", "асеіорхуАВСЕНІКМОРТХ", strict=True)
}
_WORD: Final = re.compile(r"\w+")
_MIXED_WORD: Final = re.compile(r"(?<!\w)(?=\w*[A-Za-z])(?=\w*[\u0400-\u04ff])\w+")
_CYRILLIC: Final = re.compile(r"[\u0400-\u04ff]")
_LATIN: Final = re.compile(r"[A-Za-z]")


class LexiconError(EvidenceError):
    """A data file of the package is missing or malformed (a packaging fault)."""


def data(name: str) -> Any:
    """The parsed data file ``evidence/language/data/<name>.yaml`` (cached)."""
    return _load(name)


@functools.cache
def _load(name: str) -> Any:
    node = resources.files("evidence.language") / "data" / f"{name}.yaml"
    try:
        raw = node.read_bytes()
    except OSError as exc:
        raise LexiconError(
            f"the word list {name}.yaml is missing from the package", hint="Reinstall the package."
        ) from exc
    return load_yaml(raw, path=f"evidence/language/data/{name}.yaml").data


_ABBREVIATED_MONTHS: Final = (
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
)
_NOMINATIVE_MONTHS: Final = {
    "uk": [
        "січень",
        "лютий",
        "березень",
        "квітень",
        "травень",
        "червень",
        "липень",
        "серпень",
        "вересень",
        "жовтень",
        "листопад",
        "грудень",
    ],
    "ru": [
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ],
}
"""For "July 2023", "липень 2023", "июль 2023" (numbers.yaml has the forms after a day)."""


@functools.cache
def month_numbers() -> dict[str, int]:
    """Every month word the package reads, casefolded, with its number: the forms after a
    day in each language (numbers.yaml's ``months``), English abbreviations, and the
    Ukrainian and Russian nominatives."""
    out: dict[str, int] = {}
    for lang in LANGS:
        for index, name in enumerate(data("numbers")["months"][lang], start=1):
            out[str(name).casefold()] = index
    for name, index in _ABBREVIATED_MONTHS:
        out.setdefault(name, index)
    for names in _NOMINATIVE_MONTHS.values():
        for index, name in enumerate(names, start=1):
            out.setdefault(name, index)
    return out


def fold_text(text: str) -> str:
    """The text folded for matching, with every character at its original offset."""
    folded = text.translate(_APOSTROPHES).translate(_SPACES).translate(_YO)
    if not (_CYRILLIC.search(folded) and _LATIN.search(folded)):
        return folded
    return _MIXED_WORD.sub(_fold_word, folded)


def _fold_word(match: re.Match[str]) -> str:
    word = match.group(0)
    cyrillic = len(_CYRILLIC.findall(word))
    latin = len(_LATIN.findall(word))
    if cyrillic and latin and cyrillic >= latin:
        return word.translate(_LATIN_TO_CYRILLIC)
    return word


_TRANSLIT: Final = dict(
    zip(
        "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэъё",
        [
            "a",
            "b",
            "v",
            "h",
            "g",
            "d",
            "e",
            "ie",
            "zh",
            "z",
            "y",
            "i",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "iu",
            "ia",
            "y",
            "e",
            "",
            "e",
        ],
        strict=True,
    )
)


def transliterate(text: str) -> str:
    """Cyrillic letters in Latin (after the Ukrainian national system, simplified), lower
    case: "Ковальчук" -> "kovalchuk". Other characters are kept."""
    return "".join(_TRANSLIT.get(c, c) for c in text.casefold())


def mixed_script_words(text: str) -> list[str]:
    """Words that mix Latin and Cyrillic letters (homoglyphs), as written."""
    return [m.group(0) for m in _MIXED_WORD.finditer(text)]


def alternation(patterns: Iterable[str]) -> str:
    """One regular expression trying the longest patterns first."""
    unique = sorted(set(patterns), key=lambda p: (-len(p), p))
    return "|".join(f"(?:{p})" for p in unique)


def words_pattern(patterns: Iterable[str], *, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Whole-word matching of any of ``patterns`` (regular expressions)."""
    body = alternation(patterns)
    if not body:
        return re.compile(r"(?!x)x")
    return re.compile(f"{LEFT}(?:{body}){RIGHT}", flags)


def _per_language(entry: Any, what: str) -> list[str]:
    if not isinstance(entry, Mapping):
        raise LexiconError(f"terms.yaml: {what} must map languages to lists")
    out: list[str] = []
    for lang in LANGS:
        values = entry.get(lang) or []
        if not isinstance(values, list):
            raise LexiconError(f"terms.yaml: {what}/{lang} must be a list")
        out.extend(str(v) for v in values)
    return out


@functools.cache
def cue(group: str, sub: str | None = None) -> re.Pattern[str]:
    """The compiled cue words of ``terms.yaml`` group (and sub-group), all languages."""
    terms = data("terms")
    entry = terms.get(group) if isinstance(terms, dict) else None
    if entry is None:
        raise LexiconError(f"terms.yaml has no group {group!r}")
    if sub is not None:
        entry = entry.get(sub)
        if entry is None:
            raise LexiconError(f"terms.yaml has no group {group}/{sub}")
    return words_pattern(_per_language(entry, group if sub is None else f"{group}/{sub}"))


class CueIndex:
    """The matches of patterns over a whole text, found once each and then sliced by
    range: a 1 MB article is scanned once per pattern, not once per sentence."""

    def __init__(self, folded: str) -> None:
        self.folded = folded
        self._hits: dict[re.Pattern[str], tuple[list[int], list[re.Match[str]]]] = {}

    def matches(self, pattern: re.Pattern[str], start: int, end: int) -> list[re.Match[str]]:
        """The matches of ``pattern`` that lie within ``[start, end)``."""
        found = self._hits.get(pattern)
        if found is None:
            hits = list(pattern.finditer(self.folded))
            found = ([m.start() for m in hits], hits)
            self._hits[pattern] = found
        starts, hits = found
        first = bisect.bisect_left(starts, start)
        last = bisect.bisect_left(starts, end, first)
        if first == last:
            return []
        return [m for m in hits[first:last] if m.end() <= end]


def scan(
    pattern: re.Pattern[str], folded: str, start: int, end: int, index: CueIndex | None
) -> list[re.Match[str]]:
    """Matches of ``pattern`` in ``folded[start:end]``, through ``index`` when given."""
    if index is not None:
        return index.matches(pattern, start, end)
    return list(pattern.finditer(folded, start, end))
