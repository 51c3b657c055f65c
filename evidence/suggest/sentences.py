# ruff: noqa: RUF001  (the text is Ukrainian and Russian on purpose)
"""Paragraphs, sentences and direct quotations of a normalised text, with offsets.

A paragraph is a line of the normalised text. Sentences end at ``. ! ? …`` (and any
closing quotation marks) before a capital letter, a digit or an opening mark, except
after abbreviations and initials ("p.m.", "вул.", "V."); a line without final
punctuation (a headline) is a sentence of its own. Quotation marks are paired with a
stack, so the inner quotes of "the hospital "Okhmatdyt" with "high-precision" weapons,"
do not end the quotation: « », „ “, “ ” and straight quotes, whose direction is read
from the characters around them.

A sentence longer than :data:`MAX_SENTENCE` code points is cut at clause boundaries, so
that no rule ever works on an unbounded span and every quote stays readable.

Example:
    >>> text = '"We need more air defence. Now," he said. It was 8 July.'
    >>> [text[s.start:s.end] for s in split_text(text)[0].sentences]
    ['"We need more air defence.', 'Now," he said.', 'It was 8 July.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

__all__ = ["MAX_SENTENCE", "Paragraph", "QuoteSpan", "Sentence", "quote_spans", "split_text"]

MAX_SENTENCE: Final = 1000
"""Longer sentences are cut into pieces of at most :data:`_PIECE` code points."""
_PIECE: Final = 600

_ABBREVIATIONS: Final = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "no",
        "vs",
        "etc",
        "gen",
        "col",
        "lt",
        "sgt",
        "prof",
        "jan",
        "feb",
        "aug",
        "sept",
        "oct",
        "nov",
        "dec",
        "p.m",
        "a.m",
        "u.s",
        "e.g",
        "i.e",
        "approx",
        "est",
        "вул",
        "м",
        "р",
        "ім",
        "т.д",
        "т.п",
        "обл",
        "с",
        "смт",
        "просп",
        "тис",
        "млн",
        "млрд",
        "грн",
        "див",
        "пл",
        "бл",
        "ін",
        "ген",
        "проф",
        "ст",
        "ул",
        "г",
        "им",
        "пгт",
        "пр",
        "тыс",
        "руб",
        "см",
    ]
)
_LOOK_BACK: Final = 48
_UNITS: Final = frozenset(["м", "км", "см", "мм", "кг", "г", "грн", "тис", "тыс", "млн", "млрд"])
"""Abbreviations of units: after a figure, a full stop and a capital end the sentence."""
_TIMES: Final = frozenset(["a.m", "p.m"])
_BOUNDARY: Final = re.compile(
    r"(?<=[.!?\u2026])[\"\u00bb\u201d\u2019)\]]*(?=\s+[\"\u00ab\u201c\u201e(\[\u2014\u2013-]?"
    r"\s*[A-ZА-ЯІЇЄҐ0-9])"
)
_WORD_BEFORE: Final = re.compile(r"([\w.]+)\.+$")


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A top-level quotation: its marks (``start``, ``end``) and its inside."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    open_mark: str

    @property
    def words(self) -> int:
        return self.inner_end - self.inner_start


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence (or a piece of a very long one) of a paragraph."""

    index: int
    paragraph: int
    start: int
    end: int
    cut: bool = False


@dataclass
class Paragraph:
    """A line of the text, its sentences and its quotations."""

    index: int
    start: int
    end: int
    sentences: list[Sentence] = field(default_factory=list)
    quotes: list[QuoteSpan] = field(default_factory=list)


_OPENERS: Final = {"\u00ab": "\u00bb", "\u201e": "\u201c", "\u201c": "\u201d"}


def _straight_opens(line: str, i: int) -> bool | None:
    """Whether a straight quote at ``i`` opens (True), closes (False) or cannot tell."""
    before = line[i - 1] if i > 0 else " "
    after = line[i + 1] if i + 1 < len(line) else " "
    opens = (before.isspace() or before in "([{\u2014\u2013-:\u00ab\u201c/") and not after.isspace()
    closes = (not before.isspace()) and (after.isspace() or after in ".,;:!?)]}\u00bb\u2026-")
    if opens and not closes:
        return True
    if closes and not opens:
        return False
    return None


def quote_spans(line: str, offset: int = 0) -> list[QuoteSpan]:
    """The top-level quotations of one line (offsets shifted by ``offset``)."""
    stack: list[tuple[str, int]] = []
    spans: list[QuoteSpan] = []
    for i, char in enumerate(line):
        kind: str | None = None
        if char == '"':
            direction = _straight_opens(line, i)
            if direction is None:
                direction = not (stack and stack[-1][0] == '"')
            kind = "open" if direction else "close"
        elif char == "\u201c" and stack and stack[-1][0] == "\u201e":
            kind = "close"
        elif char in _OPENERS:
            kind = "open"
        elif char in ("\u00bb", "\u201d"):
            kind = "close"
        if kind == "open":
            stack.append((char, i))
        elif kind == "close" and stack:
            mark, start = stack.pop()
            if not stack:
                spans.append(
                    QuoteSpan(offset + start, offset + i + 1, offset + start + 1, offset + i, mark)
                )
    return spans


def _is_boundary(line: str, at: int) -> bool:
    """Whether the full stop ending ``line[:at]`` ends a sentence (not an abbreviation)."""
    # Only the end of the line so far is read: a line may be a whole text, and reading
    # it from its start at every full stop would take quadratic time.
    head = line[max(0, at - _LOOK_BACK) : at].rstrip('"\u00bb\u201d\u2019)]')
    if not head.endswith("."):
        return True
    if head.endswith(".."):
        return True
    match = _WORD_BEFORE.search(head)
    if match is None:
        return True
    word = match.group(1)
    if len(word) == 1 and word.isupper():
        return False  # an initial
    low = word.casefold()
    if low in _TIMES:
        return True  # "at 5 a.m. Three people were killed"
    if low in _UNITS:
        before = head[: match.start()].rstrip().casefold()
        if before[-1:].isdigit() or before.endswith(("кв.", "кв")):
            return True  # "на площі 400 кв. м. Загинуло двоє": a unit ends the sentence
    return low not in _ABBREVIATIONS


def _cut(start: int, end: int, text: str) -> list[tuple[int, int]]:
    """Pieces of at most :data:`_PIECE` code points, cut after ; or , or a space."""
    pieces = []
    while end - start > MAX_SENTENCE:
        window = text[start : start + _PIECE]
        cut = max(window.rfind("; "), window.rfind(", "))
        if cut < _PIECE // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = _PIECE - 1
        pieces.append((start, start + cut + 1))
        start += cut + 1
        while start < end and text[start].isspace():
            start += 1
    pieces.append((start, end))
    return pieces


def split_text(text: str) -> list[Paragraph]:
    """The paragraphs of ``text``, each with its sentences and quotations."""
    paragraphs: list[Paragraph] = []
    count = 0
    position = 0
    for raw in text.split("\n"):
        line_start = position
        position += len(raw) + 1
        stripped = raw.strip()
        if not stripped:
            continue
        lead = len(raw) - len(raw.lstrip())
        start = line_start + lead
        line = stripped
        para = Paragraph(len(paragraphs), start, start + len(line))
        para.quotes = quote_spans(line, start)
        cursor = 0
        ends = [m.end() for m in _BOUNDARY.finditer(line) if _is_boundary(line, m.end())]
        for end in [*ends, len(line)]:
            chunk = line[cursor:end]
            s_start = start + cursor + (len(chunk) - len(chunk.lstrip()))
            s_end = start + end - (len(chunk) - len(chunk.rstrip()))
            cursor = end
            if s_end <= s_start:
                continue
            pieces = _cut(s_start, s_end, text)
            for a, b in pieces:
                para.sentences.append(Sentence(count, para.index, a, b, len(pieces) > 1))
                count += 1
        paragraphs.append(para)
    return paragraphs
