"""Which characters of a case the dossier cannot print, and where they are.

Before a dossier is laid out, every string of the case that its pages can print (case.yaml,
the bodies of the source and claim records, the normalised source texts) is checked
against the glyphs of the shipped fonts (:func:`evidence.render.scripts.unprintable`). A
character that no shipped font covers is printed as the marker ``‹U+XXXX›``, listed in the
integrity annex with the records that hold it, and reported by ``render`` (which refuses
under ``--strict``). The embedded case data keeps the exact text, so nothing is lost; the
list says where the printed pages fall short of it.

Example:
    >>> # for line in grouped(find_unprintable(content)): print(line)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from evidence.render.content import DossierContent
from evidence.render.scripts import marker, script_name, unprintable

__all__ = ["Unprintable", "find_unprintable", "grouped", "summary"]


@dataclass(frozen=True, slots=True)
class Unprintable:
    """A character no shipped font covers, and the records (or ``case.yaml``) that hold
    it, in case order."""

    char: str
    script: str
    places: tuple[str, ...]

    def line(self) -> str:
        """``‹U+1000› (Myanmar), in SRC-0008, CLM-0009``."""
        return f"{marker(self.char)} ({self.script}), in {', '.join(self.places)}"


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a record body or case metadata (dataclasses, mappings, lists)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple, frozenset, set)):
        for item in value:
            yield from _strings(item)


def find_unprintable(content: DossierContent) -> tuple[Unprintable, ...]:
    """The characters of the case that no shipped font covers, in order of first
    appearance, each with the places that hold it."""
    places: dict[str, list[str]] = {}

    def scan(place: str, *values: Any) -> None:
        for value in values:
            for text in _strings(value):
                for char in unprintable(text):
                    where = places.setdefault(char, [])
                    if place not in where:
                        where.append(place)

    scan("case.yaml", content.meta)
    for source in content.sources:
        scan(source.rev.id, source.body, source.text)
    for claim in content.claims:
        scan(claim.rev.id, claim.body)
    return tuple(
        Unprintable(char, script_name(char), tuple(where)) for char, where in places.items()
    )


def summary(items: tuple[Unprintable, ...]) -> str:
    """One sentence for a warning: how many characters, of which scripts, where."""
    scripts = sorted({item.script for item in items})
    where: list[str] = []
    for item in items:
        where.extend(place for place in item.places if place not in where)
    count = len(items)
    return (
        f"{count} character{'s' if count != 1 else ''} no shipped font covers "
        f"({', '.join(scripts)}), in {', '.join(where)}: printed as ‹U+XXXX› markers "
        "(the embedded data keeps the exact text)"
    )


def grouped(items: tuple[Unprintable, ...]) -> list[str]:
    """The characters by script and places, one line each:
    ``Myanmar: ‹U+1000› ‹U+1001›, in SRC-0008, CLM-0008``."""
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for item in items:
        groups.setdefault((item.script, item.places), []).append(marker(item.char))
    return [
        f"{script}: {' '.join(markers)}, in {', '.join(places)}"
        for (script, places), markers in groups.items()
    ]
