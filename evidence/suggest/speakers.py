# ruff: noqa: RUF001  (the text is Ukrainian and Russian on purpose)
"""Who speaks in an article: speakers, their identities across languages, and the people
an article has named, with the word lists of reported speech
(``evidence/language/data/speech.yaml``).

A speaker is a named person, an unnamed holder of a role ("Ukraine's foreign minister"),
a body (the Air Force, the State Emergency Service, a regional military administration) or
a group ("regional officials"). Its identity, :func:`speaker_key`, is the same across
languages and transliterations, so that ``corroborate`` counts two outlets quoting one
minister as one origin:

- a person by the consonants of the surname, after transliteration and without case
  endings (Umierov, Umerov, Умєров, Умеров, Умерова -> ``person:mrv``);
- a body or a role by its entry in the word lists, with its region where it has one
  (Повітряні сили, Воздушные силы, Air Force of Ukraine -> ``body:air-force``;
  Сумська обласна військова адміністрація -> ``body:rma:Sumy``).

Example:
    >>> speaker_key("Умєров") == speaker_key("Rustem Umerov")
    True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from evidence.language.lexicon import (
    LANGS,
    LEFT,
    RIGHT,
    LexiconError,
    alternation,
    data,
    fold_text,
    transliterate,
)
from evidence.suggest.gazetteer import gazetteer

__all__ = [
    "PeopleBook",
    "Speaker",
    "SpeakerKind",
    "SpeechLexicon",
    "degenitive",
    "identity_key",
    "region_of",
    "speaker_key",
    "speech_lexicon",
]

SpeakerKind = Literal["person", "role", "body", "group"]


_CASE_ENDINGS: Final = (
    "ого",
    "ому",
    "ими",
    "ою",
    "ею",
    "ом",
    "ем",
    "им",
    "ім",
    "ої",
    "ій",
    "а",
    "я",
    "у",
    "ю",
)


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who said something: a named person, an unnamed role holder, a body or a group."""

    name: str
    role: str | None
    channel: str | None
    kind: SpeakerKind
    key: str
    written: str

    def with_channel(self, channel: str | None) -> Speaker:
        return self if channel is None or self.channel else replace(self, channel=channel)


@dataclass
class _Person:
    name: str
    key: str
    role_id: str | None
    role: str | None
    channel: str | None


@dataclass
class PeopleBook:
    """The people an article has named so far, to resolve roles, pronouns and surnames."""

    people: list[_Person] = field(default_factory=list)
    last: _Person | None = None

    def add(self, name: str, role_id: str | None, role: str | None, channel: str | None) -> _Person:
        key = identity_key(name)
        for person in self.people:
            if person.key == key:
                if len(name.split()) > len(person.name.split()):
                    person.name = name
                person.role_id = person.role_id or role_id
                person.role = person.role or role
                person.channel = person.channel or channel
                self.last = person
                return person
        person = _Person(name, key, role_id, role, channel)
        self.people.append(person)
        self.last = person
        return person

    def by_key(self, key: str) -> _Person | None:
        return next((p for p in self.people if p.key == key), None)

    def by_role(self, role_id: str) -> _Person | None:
        found = [p for p in self.people if p.role_id == role_id]
        return found[-1] if found else None


def _skeleton(word: str) -> str:
    """A surname reduced to what survives transliteration and inflection (consonants)."""
    low = word.casefold().replace("'", "").replace("’", "")
    if re.search(r"[а-яіїєґ]", low) and len(low) > 5:
        if low.endswith("енка"):
            low = low[:-1] + "о"
        else:
            for ending in _CASE_ENDINGS:
                if low.endswith(ending) and len(low) - len(ending) >= 4:
                    low = low[: -len(ending)]
                    break
    return re.sub(r"[^a-z]|[aeiouyjhgw]", "", transliterate(low))


def identity_key(name: str) -> str:
    """A speaker's identity across languages: ``person:<surname skeleton>`` for a person
    ("Umierov", "Умєров" -> ``person:mrv``); bodies and roles have their own keys."""
    words = [w for w in re.findall(r"[\w'’-]+", name) if w[:1].isupper()]
    if not words:
        return "group:" + " ".join(name.casefold().split())
    return "person:" + _skeleton(words[-1])


def degenitive(name: str) -> str:
    """A male name written in the genitive, in the nominative by the common endings
    (Артема Кобзаря -> Артем Кобзар, Петра Савчука -> Петр Савчук)."""
    out = []
    for word in name.split():
        if not re.search(r"[а-яіїєґ]$", word):
            out.append(word)
        elif word.endswith("енка"):
            out.append(word[:-1] + "о")
        elif word.endswith(("ія", "ея")):
            out.append(word[:-1] + "й")
        elif re.search(r"[бвгґджзклмнпрстфхцчшщ][ая]$", word):
            out.append(word[:-1])
        else:
            out.append(word)
    return " ".join(out)


@dataclass(frozen=True)
class SpeechLexicon:
    """The compiled word lists of ``evidence/language/data/speech.yaml``."""

    verbs: re.Pattern[str]
    leads: re.Pattern[str]
    genitive_leads: re.Pattern[str]
    backward: re.Pattern[str]
    outlet_self: re.Pattern[str]
    that: re.Pattern[str]
    pronouns: re.Pattern[str]
    fillers: re.Pattern[str]
    groups: re.Pattern[str]
    channels: tuple[tuple[str, re.Pattern[str]], ...]
    roles: tuple[tuple[str, str, bool, re.Pattern[str]], ...]
    bodies: tuple[tuple[str, str, re.Pattern[str]], ...]
    statement_verbs: re.Pattern[str]


def _langs(entry: Any) -> list[str]:
    if not isinstance(entry, dict):
        raise LexiconError("speech.yaml: expected a mapping of languages")
    return [str(p) for lang in LANGS for p in entry.get(lang) or []]


def _words(patterns: Sequence[str], prefix: str = "", suffix: str = "") -> re.Pattern[str]:
    return re.compile(f"{prefix}{LEFT}(?:{alternation(patterns)}){RIGHT}{suffix}", re.IGNORECASE)


@functools.cache
def speech_lexicon() -> SpeechLexicon:
    """The word lists of reported speech, compiled once."""
    doc = data("speech")
    if not isinstance(doc, dict):
        raise LexiconError("speech.yaml must be a mapping")
    return SpeechLexicon(
        verbs=_words(_langs(doc["verbs"])),
        leads=_words(_langs(doc["leads"])),
        genitive_leads=_words(_langs(doc["genitive_leads"])),
        backward=_words(_langs(doc["backward"]), prefix=r"\W*"),
        outlet_self=_words(
            _langs(doc["outlet_self"]),
            prefix=r"\W*(?:later,\s*)?",
            suffix=r"(?:\s*,|\s+that|\s+що|\s+что)?\s*",
        ),
        that=_words(_langs(doc["that"])),
        pronouns=_words(_langs(doc["pronouns"])),
        fillers=_words(_langs(doc["fillers"])),
        groups=_words(_langs(doc["groups"])),
        channels=tuple((str(c["label"]), _words(_langs(c))) for c in doc["channels"]),
        roles=tuple(
            (
                str(r["id"]),
                str(r["label"]),
                bool(r.get("generic", False)),
                _words([*_langs(r), re.escape(str(r["label"]))]),
            )
            for r in doc["roles"]
        ),
        bodies=tuple(
            (str(b["id"]), str(b["label"]), _words([*_langs(b), re.escape(str(b["label"]))]))
            for b in doc["bodies"]
        ),
        statement_verbs=_words(
            [
                "called",
                "urged",
                "announced",
                "declared",
                "called on",
                "оголос\\w*",
                "заклика\\w*",
                "закликав",
                "призва\\w*",
                "потребова\\w*",
                "объяв\\w*",
            ]
        ),
    )


def region_of(phrase: str, places: Sequence[Any]) -> str | None:
    """The oblast or city a body or role is of ("Сумська обласна …" -> Sumy)."""
    for mention in places:
        place = mention.place
        if place.kind == "oblast":
            return str(place.name).removesuffix(" Oblast")
        if place.kind == "city":
            return str(place.name)
    found = gazetteer().oblast_adjective(phrase)
    if found is not None:
        return found.name.removesuffix(" Oblast")
    low = phrase.casefold()
    if any(stem in low for stem in ("київськ", "киевск", "кмва", "кгва")):
        return "Kyiv"
    return None


_JOINT: Final = re.compile(r"\s(?:and|і|й|та|и)\s")


def speaker_key(name: str) -> str:
    """The identity of a speaker as an attribution link names them, the same across
    languages: ``body:air-force`` for "Air Force of Ukraine" and "Повітряні сили",
    ``role:minister-foreign`` for an unnamed minister, ``person:mrv`` for Umierov; two
    who spoke together ("Ihor Terekhov and Oleh Syniehubov") are both, joined by ``+``."""
    parts = _JOINT.split(name)
    if len(parts) == 2 and all(p.strip() for p in parts):
        keys = [_single_key(p.strip()) for p in parts]
        if not any(k.startswith("group:") for k in keys) and keys[0] != keys[1]:
            return "+".join(sorted(keys))
    return _single_key(name)


def _single_key(name: str) -> str:
    lex = speech_lexicon()
    folded = fold_text(name).strip()
    size = max(1, len(folded))

    def regional(kind: str, ident: str) -> str:
        if ident not in ("rma", "cma", "prosecutor", "police", "head-rma", "head-cma", "mayor"):
            return f"{kind}:{ident}"
        # Only a local body or role is told apart by its region: the gazetteer is loaded
        # (a few tenths of a second once per process) only when one is named.
        region = region_of(folded, gazetteer().find(folded))
        return f"{kind}:{ident}" + (f":{region}" if region else "")

    for role_id, _, generic, pattern in lex.roles:
        if not generic and pattern.fullmatch(folded):
            return regional("role", role_id)
    for body_id, _, pattern in lex.bodies:
        if pattern.fullmatch(folded):
            return regional("body", body_id)
    for body_id, _, pattern in lex.bodies:
        match = pattern.search(folded)
        if match is not None and (match.end() - match.start()) * 3 >= size:
            return regional("body", body_id)  # "Національна поліція", "the city's police"
    for role_id, _, generic, pattern in lex.roles:
        match = pattern.search(folded)
        if match is not None and not generic and (match.end() - match.start()) * 2 >= size:
            return regional("role", role_id)
    return identity_key(name)
