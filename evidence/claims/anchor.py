"""Anchoring a quote in a source's normalised text.

A claim's quote must occur in the text exactly once, or its ``occurrence`` picks one.
The anchor is stored as a W3C Web Annotation TextQuoteSelector (exact, prefix, suffix)
with a TextPositionSelector (start, end), offsets in code points. When the quote is not
found, the error shows the closest passage of the text: people paste quotes with curly
quotes, other dashes, doubled spaces or another case, and need to see what the text
really says, rather than have the tool quietly accept something else.

Example:
    >>> find_quote("He said: it was 8 July.", "it was 8 July").start
    9
"""

from __future__ import annotations

import difflib
import unicodedata
from typing import Final

from evidence.errors import QuoteError
from evidence.model import Quote

__all__ = ["CONTEXT_CHARS", "closest_passage", "find_quote"]

CONTEXT_CHARS: Final = 32
"""Code points of prefix and suffix kept around a quote."""

_FOLD: Final = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
}


def _fold(text: str) -> tuple[str, list[int]]:
    """Fold quotes, dashes, white space and case; map each folded char to its origin."""
    out: list[str] = []
    origin: list[int] = []
    space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not space and out:
                out.append(" ")
                origin.append(index)
            space = True
            continue
        space = False
        for folded in _FOLD.get(char, char).casefold():
            out.append(folded)
            origin.append(index)
    return "".join(out), origin


def _occurrences(text: str, quote: str) -> list[int]:
    found = []
    start = text.find(quote)
    while start >= 0:
        found.append(start)
        start = text.find(quote, start + 1)
    return found


def closest_passage(text: str, quote: str) -> str | None:
    """The passage of ``text`` most like ``quote``, as the text has it (None if nothing is)."""
    folded_text, origin = _fold(text)
    folded_quote, _ = _fold(quote.strip())
    if not folded_quote or not folded_text:
        return None
    at = folded_text.find(folded_quote)
    if at >= 0:
        end = origin[at + len(folded_quote) - 1] + 1
        return text[origin[at] : end]
    matcher = difflib.SequenceMatcher(None, folded_text, folded_quote, autojunk=False)
    block = matcher.find_longest_match(0, len(folded_text), 0, len(folded_quote))
    if block.size < min(8, len(folded_quote) // 2):
        return None
    start = max(0, block.a - block.b)
    stop = min(len(folded_text), start + len(folded_quote))
    return text[origin[start] : origin[stop - 1] + 1]


def find_quote(text: str, quote: str, occurrence: int | None = None) -> Quote:
    """Anchor ``quote`` in ``text``.

    Raises:
        QuoteError: not found (with the closest passage), found more than once with no
            ``occurrence``, or ``occurrence`` beyond the number found.
    """
    exact = unicodedata.normalize("NFC", quote)
    found = _occurrences(text, exact)
    if not found:
        near = closest_passage(text, exact)
        hint = (
            f"The closest passage of the text is: «{near}». Copy the quote exactly as "
            "the text has it (quotes, dashes and spaces included)."
            if near
            else "No passage of the text is close to it."
        )
        raise QuoteError("quote not found in the source text", hint=hint)
    if occurrence is None:
        if len(found) > 1:
            raise QuoteError(
                f"quote occurs {len(found)} times in the source text",
                hint=f"Add `occurrence: N` (1 to {len(found)}) to pick one, or quote more "
                "words so that it occurs once.",
            )
        start = found[0]
    else:
        if occurrence > len(found):
            raise QuoteError(
                f"occurrence {occurrence} asked for, but the quote occurs "
                f"{len(found)} time{'s' if len(found) > 1 else ''}"
            )
        start = found[occurrence - 1]
    end = start + len(exact)
    prefix = text[max(0, start - CONTEXT_CHARS) : start]
    return Quote(exact, prefix, text[end : end + CONTEXT_CHARS], start, end)
