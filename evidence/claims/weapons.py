"""Weapon systems named in a text: Kalibr, Kinzhal (the "daggers" of English copy),
Kh-101, Iskander, Shahed, guided aerial bombs, Grad, cluster munitions …

The names and their spellings in English, Ukrainian and Russian are in
``data/weapons.yaml``; each weapon has a ``kind`` (missile, drone, bomb, rocket,
munition) that says what a count next to its name counts.

Example:
    >>> [w.name for w in find_weapons("гіперзвукові «Кинджали» та крилаті ракети Х-101")]
    ['Kinzhal', 'Kh-101']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from evidence.claims.lexicon import LANGS, LexiconError, data, words_pattern

__all__ = ["WeaponMention", "find_weapons"]


@dataclass(frozen=True, slots=True)
class WeaponMention:
    """A weapon named in the text: which, of what kind, where, and as written."""

    name: str
    kind: str
    type: str
    start: int
    end: int
    text: str


@functools.cache
def _patterns() -> tuple[tuple[str, str, str, re.Pattern[str]], ...]:
    doc = data("weapons")
    if not isinstance(doc, dict) or not isinstance(doc.get("weapons"), list):
        raise LexiconError("weapons.yaml must hold a list `weapons`")
    out = []
    for entry in doc["weapons"]:
        forms = [str(p) for lang in LANGS for p in entry.get(lang) or []]
        out.append((str(entry["name"]), str(entry["kind"]), str(entry.get("type", "")),
                    words_pattern(forms)))
    return tuple(out)


def find_weapons(folded: str, start: int = 0, end: int | None = None) -> list[WeaponMention]:
    """The weapons named in ``folded[start:end]``, in order, without overlaps."""
    stop = len(folded) if end is None else end
    found: list[WeaponMention] = []
    for name, kind, kind_type, pattern in _patterns():
        for match in pattern.finditer(folded, start, stop):
            if any(w.start < match.end() and match.start() < w.end for w in found):
                continue
            found.append(WeaponMention(name, kind, kind_type, match.start(), match.end(),
                                       match.group(0)))
    found.sort(key=lambda w: w.start)
    return found
