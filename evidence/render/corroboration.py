"""Which exhibits corroborate a claim, and where the case's own claims contradict a status.

The claims table names, for each claim, the other claims (by exhibit number) that say the
same thing from another source, and flags a status the case's claims do not bear out: a
claim marked corroborated that no claim of another source supports, or a figure that
another source's figure conflicts with. The comparison uses the corroboration ledger's
rules for figures (docs/decisions/0603-corroboration-ledger.md: each figure is a range;
two figures agree when their ranges overlap) and its grouping (a fact name, or for a claim
without figures its category, on the same date and place); it works on the claims the
dossier prints, so that a dossier re-rendered from its embedded data says the same.
Unlike ``evidence corroborate`` it does not judge whether two sources share an origin: it
names the exhibits, and the reader judges.

Example:
    >>> # notes = corroboration(content.live_claims)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evidence.claims import consistent, interval
from evidence.model import ClaimBody
from evidence.render.content import ClaimItem

__all__ = ["Corroboration", "corroboration"]


@dataclass(frozen=True, slots=True)
class Corroboration:
    """The exhibits that support a claim, those that conflict with it, and a flag when its
    status is not borne out by the case's claims (None when it is)."""

    supporting: tuple[str, ...]
    conflicting: tuple[str, ...]
    flag: str | None


def _same_scope(a: ClaimBody, b: ClaimBody) -> bool:
    if a.date and b.date and a.date != b.date:
        return False
    places_a = {p.casefold() for p in a.places}
    places_b = {p.casefold() for p in b.places}
    return not places_a or not places_b or bool(places_a & places_b)


def _compare(a: ClaimBody, b: ClaimBody) -> bool | None:
    """True when ``b`` supports ``a``, False when a figure conflicts, None when unrelated."""
    if not _same_scope(a, b):
        return None
    shared = sorted(set(a.facts) & set(b.facts))
    if shared:
        agree = all(
            consistent(
                interval(a.facts[n].value, a.facts[n].qualifier, a.facts[n].max),
                interval(b.facts[n].value, b.facts[n].qualifier, b.facts[n].max),
            )
            for n in shared
        )
        return agree
    if not a.facts and not b.facts and a.category == b.category and a.date and b.date:
        return True
    return None


def _subjects(body: ClaimBody) -> list[str]:
    return [f"fact:{name}" for name in sorted(body.facts)] or [f"category:{body.category}"]


def corroboration(claims: Sequence[ClaimItem]) -> dict[str, Corroboration]:
    """For each live claim (by record id): the exhibits of other sources that support it or
    conflict with it, and a flag when its status is contradicted."""
    # Only claims that share a fact name (or, without figures, a category) and a date can
    # agree or conflict: index them so, keeping undated claims apart (they meet every date).
    buckets: dict[tuple[str, str | None], list[ClaimItem]] = {}
    for claim in claims:
        for subject in _subjects(claim.body):
            buckets.setdefault((subject, claim.body.date), []).append(claim)
    out: dict[str, Corroboration] = {}
    for claim in claims:
        supporting: list[str] = []
        conflicting: list[str] = []
        candidates: dict[str, ClaimItem] = {}
        for subject in _subjects(claim.body):
            dates = (
                [claim.body.date, None]
                if claim.body.date
                else [d for (s, d) in buckets if s == subject]
            )
            for date in dict.fromkeys(dates):
                for other in buckets.get((subject, date), []):
                    candidates[other.rev.id] = other
        for other in candidates.values():
            if other.rev.id == claim.rev.id or other.body.source.id == claim.body.source.id:
                continue
            verdict = _compare(claim.body, other.body)
            if verdict is True:
                supporting.append(other.rev.ern)
            elif verdict is False:
                conflicting.append(other.rev.ern)
        flag = None
        status = claim.body.status
        if conflicting and status in ("verified", "corroborated"):
            flag = "another source gives a conflicting figure"
        elif status == "corroborated" and not supporting:
            flag = "no claim of another source in this case supports it"
        out[claim.rev.id] = Corroboration(
            tuple(sorted(supporting)), tuple(sorted(conflicting)), flag
        )
    return out
