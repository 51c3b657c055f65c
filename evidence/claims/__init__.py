"""The analyst's claims: claims files compiled into claim records at ``seal``.

An analyst writes ``claims/<SRC>.yaml`` (docs/design.md, "Claims as analysts write
them"); :func:`check_case_claims` and :func:`check_claims_file` check it as ``evidence
check`` does, :func:`compile_case_claims` gives every compiled claim, and
:func:`iter_case_claims` gives ``seal`` each claim as the record body it becomes, its
quote anchored in the source text by :func:`find_quote` (W3C Web Annotation
TextQuoteSelector and TextPositionSelector). :func:`interval` and
:func:`consistent` read a claim's figure as the range of counts its qualifier allows.

Candidate claims proposed by rules are not here: they are :mod:`evidence.suggest`'s, and
this package never imports it.

Example:
    >>> consistent(interval(20, "approx"), interval(22, "at-least"))
    True
"""

from __future__ import annotations

from evidence.claims.anchor import find_quote
from evidence.claims.compile import (
    ClaimSpec,
    CompiledClaim,
    check_case_claims,
    check_claims_file,
    compile_case_claims,
    iter_case_claims,
    load_claim_specs,
)
from evidence.claims.figures import consistent, interval

__all__ = [
    "ClaimSpec",
    "CompiledClaim",
    "check_case_claims",
    "check_claims_file",
    "compile_case_claims",
    "consistent",
    "find_quote",
    "interval",
    "iter_case_claims",
    "load_claim_specs",
]
