"""Which exhibits corroborate a claim, and where the case's own ledger contradicts a status.

The claims table names, for each claim, the claims of other sources and other origins
that agree with it (by exhibit number), those whose figures conflict with it, and flags a
status the corroboration ledger does not bear out: a claim marked corroborated that no
claim of another origin in another source supports, or a verified or corroborated claim
that one of another origin contradicts. It is the ledger of ``evidence corroborate``
itself (:func:`evidence.suggest.corroborate.ledger_of`, docs/decisions/0603-corroboration-
ledger.md): figures agree when their ranges overlap, counts that grow over the day are a
rise, not a conflict, and two sources quoting one speaker are one origin, not two. It is
computed from the claims and source records the dossier embeds, so that a dossier
re-rendered from its embedded data says the same.

Example:
    >>> # notes = corroboration(content)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.render.content import DossierContent
from evidence.suggest.corroborate import SealedClaim, ledger_of

__all__ = ["Corroboration", "corroboration"]


@dataclass(frozen=True, slots=True)
class Corroboration:
    """The exhibits that support a claim, those that conflict with it, the status the
    ledger suggests, and a flag when its status is not borne out (None when it is)."""

    supporting: tuple[str, ...]
    conflicting: tuple[str, ...]
    suggested: str
    flag: str | None


def _suggested(statuses: set[str]) -> str:
    """A claim in several groups (one per figure): contested if any group contests it,
    else corroborated if any corroborates it."""
    for status in ("contested", "corroborated"):
        if status in statuses:
            return status
    return "reported"


def corroboration(content: DossierContent) -> dict[str, Corroboration]:
    """For each live claim (by record id): the exhibits of other origins that support it
    or conflict with it, the ledger's suggested status, and a flag when its own status is
    contradicted."""
    claims = sorted(content.claims, key=lambda c: c.rev.leaf)  # in order of entry
    ledger = ledger_of(
        content.meta.id,
        content.seal.sequence,
        (
            SealedClaim(
                c.record,
                c.rev.ern,
                c.source_body.publisher if c.source_body else None,
                c.source_body.published if c.source_body else None,
            )
            for c in claims
        ),
    )
    ern: dict[str, str] = {c.rev.id: c.rev.ern for c in claims}
    agrees: dict[str, set[str]] = {}
    conflicts: dict[str, set[str]] = {}
    statuses: dict[str, set[str]] = {}
    for group in ledger.groups:
        for entry in group.entries:
            agrees.setdefault(entry.claim, set()).update(entry.agrees)
            conflicts.setdefault(entry.claim, set()).update(entry.conflicts)
            statuses.setdefault(entry.claim, set()).add(entry.suggested)
    out: dict[str, Corroboration] = {}
    for claim in content.live_claims:
        cid = claim.rev.id
        suggested = _suggested(statuses.get(cid, set()))
        status = claim.body.status
        flag = None
        if suggested == "contested" and status in ("verified", "corroborated"):
            flag = "a claim of another origin gives a conflicting figure"
        elif status == "corroborated" and suggested != "corroborated":
            flag = "no claim of another origin, in another source, supports it"
        out[cid] = Corroboration(
            tuple(sorted(ern[c] for c in agrees.get(cid, ()))),
            tuple(sorted(ern[c] for c in conflicts.get(cid, ()))),
            suggested,
            flag,
        )
    return out
