# ruff: noqa: RUF002  (the text is Ukrainian on purpose)
"""What the tool knows of the languages it reads (English, Ukrainian, Russian), as data.

The word lists (``data/*.yaml``: cue words, number and month words, reported speech,
weapons, places) ship in the package and are read through :mod:`importlib.resources`
(:mod:`~evidence.language.lexicon`, which also folds apostrophes, ё and homoglyphs so
that offsets found in the folded text are offsets in the source), and
:mod:`~evidence.language.furniture` finds the lines of a saved page that are the site's,
not the article's (its clock, weather, share buttons).

This package proposes nothing: it is the knowledge both the core and the suggestion
engine read. ``evidence add`` takes a plain-text source's title from the first line that
reads as a headline (:func:`is_headline`); :mod:`evidence.suggest` blanks furniture
before its rules run and matches words, places and speakers through the same lists. It
sits below both, so that neither imports the other's internals (docs/decisions/0100).

Example:
    >>> fold_text("Слов’янськ")
    "Слов'янськ"
    >>> is_headline("Russian missile strikes children's hospital in Kyiv")
    True
"""

from __future__ import annotations

from evidence.language.furniture import blank, furniture_spans, is_furniture, is_headline, is_prose
from evidence.language.lexicon import LexiconError, fold_text, transliterate

__all__ = [
    "LexiconError",
    "blank",
    "fold_text",
    "furniture_spans",
    "is_furniture",
    "is_headline",
    "is_prose",
    "transliterate",
]
