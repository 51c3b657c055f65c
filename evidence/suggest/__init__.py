"""The suggestion engine: candidate claims for an analyst to review, and the ledger.

Everything here is advice. ``evidence suggest`` reads a source's normalised text with
explainable rules (word lists, no model, no network) and writes proposed claims to
``claims/<SRC>.suggested.yaml``; ``evidence corroborate`` lays the case's sealed claims
side by side across sources and suggests a status for each. Neither writes a record, a
seal or a custody event: claims change only when an analyst edits a claims file and
seals again. The engine depends on the core (the case, its records, the quote anchor of
:mod:`evidence.claims`) and nothing in the core imports it (docs/decisions/0100).

The modules, from the text up: :mod:`~evidence.suggest.sentences` (paragraphs,
sentences, quoted speech), :mod:`~evidence.suggest.numbers`,
:mod:`~evidence.suggest.dates`, :mod:`~evidence.suggest.times`,
:mod:`~evidence.suggest.weapons`, :mod:`~evidence.suggest.gazetteer` (places),
:mod:`~evidence.suggest.morphology`, :mod:`~evidence.suggest.speakers` and
:mod:`~evidence.suggest.speech` (who said it), :mod:`~evidence.suggest.facts` (typed
figures), :mod:`~evidence.suggest.rules` (a candidate per statement),
:mod:`~evidence.suggest.suggestions` (the claims file for review) and
:mod:`~evidence.suggest.corroborate` (the ledger). The word lists they read are
:mod:`evidence.language`'s.

Example:
    >>> text = "The enemy has launched more than 40 missiles at Ukraine today."
    >>> suggestions, _ = suggest_text(text, source_id="SRC-0001")
    >>> [(s.category, s.key) for s in suggestions]
    [('attack', 'src-0001-attack-ukraine')]
"""

from __future__ import annotations

from evidence.suggest.corroborate import Ledger, build_ledger, render_ledger
from evidence.suggest.suggestions import (
    Suggestion,
    SuggestResult,
    suggest_claims,
    suggest_text,
    summary_lines,
    write_suggestions,
)

__all__ = [
    "Ledger",
    "SuggestResult",
    "Suggestion",
    "build_ledger",
    "render_ledger",
    "suggest_claims",
    "suggest_text",
    "summary_lines",
    "write_suggestions",
]
