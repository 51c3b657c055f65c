# ruff: noqa: RUF001, RUF002  (the text is Ukrainian and Russian on purpose)
"""Places named in a text, in English, Ukrainian and Russian, with their canonical names.

The gazetteer (``gazetteer.yaml`` of :mod:`evidence.language`) lists Ukraine's oblasts,
cities, towns, city districts and a few facilities (the Okhmatdyt hospital, power
plants), and the launch areas named in reports (Russian oblasts, seas), with their
spellings across languages and transliterations: Kyiv, Kiev, Київ, Києві, Киев, Киеве;
Kryvyi Rih, Кривий Ріг, Кривому Розі, Кривой Рог; Okhmatdyt, Охматдит, Охматдет. Oblast
and district names are generated from adjective stems with the endings each language uses.

A district name occurs in several cities (there is a Dniprovskyi district in Kyiv and in
Zaporizhzhia); its city is the one the text is speaking of (:meth:`Gazetteer.resolve`).

Example:
    >>> [m.place.name for m in gazetteer().find("Удар по Кривому Розі та Києву")]
    ['Kryvyi Rih', 'Kyiv']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from evidence.language.lexicon import LEFT, RIGHT, LexiconError, alternation, data, fold_text

__all__ = ["Gazetteer", "Place", "PlaceKind", "PlaceMention", "gazetteer"]

PlaceKind = Literal["country", "sea", "oblast", "city", "district", "facility"]

RANK: Final[dict[str, int]] = {
    "country": 0,
    "sea": 1,
    "oblast": 2,
    "city": 3,
    "district": 4,
    "facility": 5,
}
"""From the most general kind of place to the most specific."""

# The noun case endings a "+" stem takes (none, or one of these), in both languages.
_ENDINGS: Final = (
    "",
    "а",
    "я",
    "у",
    "ю",
    "і",
    "ї",
    "и",
    "ы",
    "е",
    "є",
    "о",
    "ом",
    "ем",
    "ой",
    "ою",
    "ею",
    "ей",
    "ів",
    "їв",
    "ов",
    "ах",
    "ях",
    "ам",
    "ям",
    "ами",
    "ями",
    "ові",
    "еві",
    "ої",
    "ій",
    "ий",
    "ого",
    "ому",
    "им",
    "ім",
    "ая",
    "ую",
    "ые",
    "ых",
    "их",
    "ими",
)
_ENDING_RE: Final = (
    "(?:" + "|".join(sorted((e for e in _ENDINGS if e), key=len, reverse=True)) + ")?"
)
_ADJ_FEM: Final = {"uk": "(?:а|ої|ій|у|ою)", "ru": "(?:ая|ой|ую|ою)"}
_ADJ_MASC: Final = {"uk": "(?:ий|ого|ому|им|ім)", "ru": "(?:ий|ого|ому|ом|им|ой)"}
_OBLAST: Final = {"uk": r"(?:област(?:ь|і|ю|ей)|обл\.)", "ru": r"(?:област(?:ь|и|ью|ей)|обл\.)"}
_RAION: Final = {"uk": r"район(?:у|і|а|ом)?", "ru": r"район(?:а|е|у|ом)?"}
_SHCHYNA: Final = {"uk": "(?:а|и|і|у|ою)", "ru": "(?:а|ы|е|у|ой)"}
_EN_OBLAST: Final = r"(?:[Oo]blast|[Rr]egion|[Pp]rovince)"
_EN_PLURAL: Final = r"(?:[Oo]blasts|[Rr]egions|[Pp]rovinces)"
_PREFIX: Final = 2
_WORD_START: Final = re.compile(r"(?<![\w'])\w")


def _literal_prefix(regex: str) -> str:
    """The plain characters a regular expression of a form starts with."""
    out: list[str] = []
    i = 0
    while i < len(regex) and len(out) < _PREFIX:
        char = regex[i]
        if char == "\\" and i + 1 < len(regex):
            out.append(regex[i + 1])
            i += 2
            continue
        if char in "()[]{}?*+|.^$":
            break
        out.append(char)
        i += 1
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Place:
    """A place of the gazetteer."""

    name: str
    kind: PlaceKind
    oblast: str | None = None
    parent: str | None = None
    cities: tuple[str, ...] = ()
    country: str = "Ukraine"
    target: bool = False

    @property
    def rank(self) -> int:
        """0 for a country … 5 for a facility: how specific the place is."""
        return RANK[self.kind]


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named in a text: where, and how it was written."""

    place: Place
    start: int
    end: int
    text: str


def _form_regex(form: str) -> str:
    """A form of the data file as a regular expression ("Харков+" takes endings)."""
    out = []
    for piece in re.split(r"(\+)", form):
        if piece == "+":
            out.append(_ENDING_RE)
        elif piece:
            out.append(re.escape(fold_text(piece)))
    return "".join(out)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    raise LexiconError(f"gazetteer.yaml: expected a list of forms, found {value!r}")


def _oblast_forms(entry: Mapping[str, Any]) -> list[str]:
    if entry.get("literal"):
        return [_form_regex(f) for lang in ("en", "uk", "ru") for f in _as_list(entry.get(lang))]
    forms = [f"{re.escape(n)} {_EN_OBLAST}" for n in _as_list(entry.get("en"))]
    for lang in ("uk", "ru"):
        stem = entry.get(lang)
        if stem:
            forms.append(f"{re.escape(fold_text(str(stem)))}{_ADJ_FEM[lang]} {_OBLAST[lang]}")
        shchyna = (entry.get("shchyna") or {}).get(lang)
        if shchyna:
            text = str(shchyna)
            forms.append(
                _form_regex(text)
                if text.endswith(("+", "і"))
                else f"{re.escape(fold_text(text))}{_SHCHYNA[lang]}"
            )
    return forms


def _district_forms(entry: Mapping[str, Any]) -> list[str]:
    forms = [f"{re.escape(n)} (?:[Dd]istrict|[Rr]aion)" for n in _as_list(entry.get("en"))]
    for lang in ("uk", "ru"):
        stem = entry.get(lang)
        if stem:
            forms.append(f"{re.escape(fold_text(str(stem)))}{_ADJ_MASC[lang]} {_RAION[lang]}")
    return forms


def _plain_forms(entry: Mapping[str, Any]) -> list[str]:
    return [_form_regex(f) for lang in ("en", "uk", "ru") for f in _as_list(entry.get(lang))]


class Gazetteer:
    """Finds the places of the data file in a text."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.places: dict[str, Place] = {}
        groups: list[tuple[Place, list[str]]] = []
        self._adjectives: list[tuple[str, Place]] = []
        sections: Sequence[tuple[str, PlaceKind]] = (
            ("facilities", "facility"),
            ("districts", "district"),
            ("oblasts", "oblast"),
            ("seas", "sea"),
            ("cities", "city"),
            ("countries", "country"),
        )
        for section, kind in sections:
            for entry in doc.get(section) or []:
                place = Place(
                    name=str(entry["name"]),
                    kind=kind,
                    oblast=entry.get("oblast"),
                    parent=entry.get("parent"),
                    cities=tuple(entry.get("cities") or ()),
                    country=str(entry.get("country", "Ukraine")),
                    target=bool(entry.get("target", False)),
                )
                if kind == "oblast":
                    forms = _oblast_forms(entry)
                    for lang in ("uk", "ru"):
                        if entry.get(lang) and not entry.get("literal"):
                            self._adjectives.append((fold_text(str(entry[lang])), place))
                elif kind == "district":
                    forms = _district_forms(entry)
                else:
                    forms = _plain_forms(entry)
                self.places[place.name] = place
                groups.append((place, forms))
        self._by_group = {f"p{i}": place for i, (place, _) in enumerate(groups)}
        self._patterns = self._by_prefix(groups)
        oblast_names = {
            n: place
            for place, _ in groups
            if place.kind == "oblast"
            for n in _oblast_en_names(doc, place.name)
        }
        self._oblast_en = oblast_names
        names = alternation(re.escape(n) for n in oblast_names)
        self._plural = (
            re.compile(
                rf"{LEFT}((?:{names})(?:,\s*(?:{names}))*,?\s+and\s+(?:{names}))\s+{_EN_PLURAL}{RIGHT}"
            )
            if names
            else None
        )
        self._lower = {p.name.casefold(): p for p in self.places.values()}
        self._adjective_patterns = [
            (re.compile(f"{LEFT}{re.escape(stem)}"), place) for stem, place in self._adjectives
        ]

    def find(self, folded: str, start: int = 0, end: int | None = None) -> list[PlaceMention]:
        """Places named in ``folded[start:end]`` (a text folded by
        :func:`~evidence.language.lexicon.fold_text`), in order."""
        stop = len(folded) if end is None else end
        found: list[PlaceMention] = []
        plural_spans: list[tuple[int, int]] = []
        if self._plural is not None:
            for match in self._plural.finditer(folded, start, stop):
                plural_spans.append(match.span())
                for name in re.finditer(r"[A-Z][\w-]*(?:\s[A-Z][\w-]*)?", match.group(1)):
                    place = self._oblast_en.get(name.group(0))
                    if place is not None:
                        s = match.start(1) + name.start()
                        found.append(PlaceMention(place, s, s + len(name.group(0)), name.group(0)))
        position = start
        for word in _WORD_START.finditer(folded, start, stop):
            at = word.start()
            if at < position:
                continue
            pattern = self._patterns.get(folded[at : at + _PREFIX])
            if pattern is None:
                continue
            hit = pattern.match(folded, at, stop)
            if hit is None or any(a <= at < b for a, b in plural_spans):
                continue
            group = hit.lastgroup
            if group is None:
                continue
            found.append(PlaceMention(self._by_group[group], at, hit.end(), hit.group(0)))
            position = hit.end()
        found.sort(key=lambda m: m.start)
        return found

    @staticmethod
    def _by_prefix(groups: Sequence[tuple[Place, list[str]]]) -> dict[str, re.Pattern[str]]:
        """One pattern for each two-letter start of a form: a text is matched only where
        one of its words starts like a place name (the gazetteer has a thousand forms)."""
        table: dict[str, list[tuple[int, str]]] = {}
        for index, (_, forms) in enumerate(groups):
            for form in forms:
                prefix = _literal_prefix(form)
                if len(prefix) < _PREFIX:
                    raise LexiconError(
                        f"gazetteer.yaml: a form must start with {_PREFIX} plain letters: {form!r}"
                    )
                table.setdefault(prefix, []).append((index, form))
        patterns = {}
        for prefix, entries in table.items():
            by_place: dict[int, list[str]] = {}
            for index, form in entries:
                by_place.setdefault(index, []).append(form)
            body = "|".join(
                f"(?P<p{i}>{alternation(forms)})" for i, forms in sorted(by_place.items())
            )
            patterns[prefix] = re.compile(f"(?:{body}){RIGHT}")
        return patterns

    def oblast_adjective(self, folded: str) -> Place | None:
        """The oblast whose adjective starts a word of ``folded`` ("Сумська обласна …")."""
        for pattern, place in self._adjective_patterns:
            if pattern.search(folded):
                return place
        return None

    def canonical(self, name: str) -> Place | None:
        """The place a written name stands for ("Києві", "Kiev", "Kyiv" -> Kyiv), or None."""
        direct = self._lower.get(name.strip().casefold())
        if direct is not None:
            return direct
        folded = fold_text(name.strip())
        for mention in self.find(folded):
            if mention.start == 0 and mention.end == len(folded):
                return mention.place
        return None

    def resolve(self, mention: PlaceMention, context: Iterable[str]) -> list[Place]:
        """A mention with the places it lies in, most general first: a facility with its
        city, a district with the city the text speaks of (from ``context``)."""
        place = mention.place
        chain = [place]
        if place.kind == "facility" and place.parent in self.places:
            chain.insert(0, self.places[place.parent])
        elif place.kind == "district":
            known = list(context)
            city = next((c for c in known if c in place.cities), None)
            if city is None and len(place.cities) == 1:
                city = place.cities[0]
            if city is not None and city in self.places:
                chain.insert(0, self.places[city])
        return chain

    def contains(self, outer: str, inner: str) -> bool:
        """Whether place ``inner`` lies within place ``outer`` (by the data's links)."""
        current = self.places.get(inner)
        seen = set()
        while current is not None and current.name not in seen:
            seen.add(current.name)
            if current.name == outer:
                return True
            up = (
                current.parent
                or current.oblast
                or (current.cities[0] if len(current.cities) == 1 else None)
            )
            if up is None:
                return outer == current.country
            current = self.places.get(up)
        return False


def _oblast_en_names(doc: Mapping[str, Any], name: str) -> list[str]:
    for entry in doc.get("oblasts") or []:
        if entry.get("name") == name and not entry.get("literal"):
            return _as_list(entry.get("en"))
    return []


@functools.cache
def gazetteer() -> Gazetteer:
    """The package's gazetteer (built once per process)."""
    doc = data("gazetteer")
    if not isinstance(doc, dict):
        raise LexiconError("gazetteer.yaml must be a mapping of sections")
    return Gazetteer(doc)
