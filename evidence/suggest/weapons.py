# ruff: noqa: RUF002  (the text is Ukrainian and Russian on purpose)
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

from evidence.language.lexicon import (
    LANGS,
    LEFT,
    RIGHT,
    CueIndex,
    LexiconError,
    alternation,
    data,
    scan,
)

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
def _pattern() -> tuple[re.Pattern[str], dict[str, tuple[str, str, str]]]:
    """One pattern for every weapon (a named group each), and what each group names."""
    doc = data("weapons")
    if not isinstance(doc, dict) or not isinstance(doc.get("weapons"), list):
        raise LexiconError("weapons.yaml must hold a list `weapons`")
    groups = {}
    bodies = []
    for index, entry in enumerate(doc["weapons"]):
        forms = [str(p) for lang in LANGS for p in entry.get(lang) or []]
        groups[f"w{index}"] = (str(entry["name"]), str(entry["kind"]), str(entry.get("type", "")))
        bodies.append(f"(?P<w{index}>{alternation(forms)})")
    return re.compile(f"{LEFT}(?:{'|'.join(bodies)}){RIGHT}", re.IGNORECASE), groups


def find_weapons(
    folded: str, start: int = 0, end: int | None = None, *, index: CueIndex | None = None
) -> list[WeaponMention]:
    """The weapons named in ``folded[start:end]``, in order; two names of one weapon side
    by side ("KAB guided aerial bombs") are one mention."""
    stop = len(folded) if end is None else end
    pattern, groups = _pattern()
    found: list[WeaponMention] = []
    for match in scan(pattern, folded, start, stop, index):
        name, kind, kind_type = groups[match.lastgroup or ""]
        last = found[-1] if found else None
        if last is not None and last.name == name and not folded[last.end : match.start()].strip():
            found[-1] = WeaponMention(
                name, kind, kind_type, last.start, match.end(), folded[last.start : match.end()]
            )
            continue
        found.append(
            WeaponMention(name, kind, kind_type, match.start(), match.end(), match.group(0))
        )
    return found
