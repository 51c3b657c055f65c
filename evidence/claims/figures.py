"""The range of counts a claim's figure allows, and when two figures agree.

A fact of a claim is a figure with a qualifier (``approx``, ``at-least``, ``more-than`` …,
see docs/design.md, "Records"). Read as a range, two figures agree when their ranges
overlap (docs/decisions/0603-corroboration-ledger.md). The rule belongs to the analyst's
claims, not to any one reader of them: the corroboration ledger
(:mod:`evidence.suggest.corroborate`) and the dossier's claims table
(:mod:`evidence.render.corroboration`) both compare figures through it.

Example:
    >>> interval(20, "approx")
    (17, 23)
    >>> consistent(interval(20, "approx"), interval(22, "at-least"))
    True
"""

from __future__ import annotations

import math
from typing import Final

__all__ = ["APPROX", "consistent", "interval"]

APPROX: Final = 0.15
""""about N" allows N ± 15 % (at least ± 1)."""


def interval(value: float, qualifier: str, maximum: float | None = None) -> tuple[float, float]:
    """The range of counts a figure with its qualifier allows."""
    if qualifier == "approx":
        spread = max(1.0, value * APPROX) if value else 1.0
        return max(0.0, math.floor(value - spread)), math.ceil(value + spread)
    if qualifier == "at-least":
        return value, math.inf
    if qualifier == "more-than":
        return value + 1, math.inf
    if qualifier == "at-most":
        return 0.0, value
    if qualifier == "less-than":
        return 0.0, max(0.0, value - 1)
    if qualifier == "range" and maximum is not None:
        return value, maximum
    return value, value


def consistent(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether two figures can both be right (their ranges overlap)."""
    return a[0] <= b[1] and b[0] <= a[1]
