"""A right-to-left paragraph inside a left-to-right dossier: Arabic, Persian or Hebrew text,
broken into lines in logical order, each line shaped, put in visual order and set flush
right, with highlighted passages on the glyphs of the characters they quote.

reportlab's own bidi support needs ``rlbidi``, which is not published on PyPI, and its
paragraph breaks lines after reordering, so a right-to-left paragraph longer than a line
would read from its last line up (docs/decisions/0321-right-to-left-text.md). This
flowable breaks lines first and reorders each line by itself (UAX #9, rule L1-L2 apply per
line), as the algorithm requires.

The glyphs are drawn in visual order as Arabic presentation forms; the font's ToUnicode
map sends each form back to its letter (:mod:`evidence.render.fonts`), and PDF readers put
right-to-left text back in logical order when they extract it, so ``pdftotext`` and copy
and paste give the characters as stored. (An ``/ActualText`` span holding the logical line
was tried first: poppler reverses its characters once more, as it does drawn ones.)

Example:
    >>> # RightToLeftText([("قالت اللجنة", PLAIN)], style, highlight="#fff3a0", label_font=bold)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from evidence.render.fonts import register_fonts
from evidence.render.markup import MARKER_COLOUR
from evidence.render.scripts import Piece, visual_line

__all__ = ["HIGHLIGHT", "LABEL", "PLAIN", "RightToLeftText", "draw_string"]

PLAIN: Final = 0
HIGHLIGHT: Final = 1
LABEL: Final = 2

_LABEL_SIZE: Final = 7.0
_LABEL_COLOUR: Final = colors.HexColor("#8b1a1a")
_WIDTHS: dict[tuple[str, tuple[int, ...], str, float], float] = {}


class RightToLeftText(Flowable):
    """A paragraph whose base direction is right to left, set flush right.

    ``segments`` are (text, kind) in logical order; kind is :data:`PLAIN`,
    :data:`HIGHLIGHT` (drawn on the highlight colour) or :data:`LABEL` (a claim id after a
    quote, small and red, in ``label_font``).
    """

    def __init__(
        self,
        segments: Sequence[tuple[str, int]],
        style: ParagraphStyle,
        *,
        highlight: str,
        label_font: str,
        lines: Sequence[tuple[int, int]] | None = None,
    ) -> None:
        super().__init__()
        self.segments = list(segments)
        self.text = "".join(text for text, _ in self.segments)
        self.kinds = [kind for text, kind in self.segments for _ in text]
        self.style = style
        self.highlight = highlight
        self.label_font = label_font
        self.lines = list(lines) if lines is not None else None
        self.width = 0.0
        self.height = 0.0

    # -- measuring -------------------------------------------------------------------------

    def _font(self, piece: Piece) -> tuple[str, float]:
        if piece.tag == LABEL:
            return self.label_font, _LABEL_SIZE
        if piece.font is None:
            return register_fonts().mono, self.style.fontSize * 0.85
        return piece.font, self.style.fontSize

    def _pieces(self, start: int, end: int) -> list[Piece]:
        return visual_line(
            self.text[start:end], self.kinds[start:end], rtl=True, face=self.style.fontName
        )

    def _measure(self, pieces: Sequence[Piece]) -> float:
        return sum(stringWidth(p.text, *self._font(p)) for p in pieces)

    def _word_width(self, start: int, end: int) -> float:
        """The width of a word, measured once per text, kinds and font (words repeat)."""
        key = (
            self.text[start:end],
            tuple(self.kinds[start:end]),
            self.style.fontName,
            self.style.fontSize,
        )
        width = _WIDTHS.get(key)
        if width is None:
            if len(_WIDTHS) > 100_000:
                _WIDTHS.clear()
            width = _WIDTHS[key] = self._measure(self._pieces(start, end))
        return width

    def _break(self, width: float) -> list[tuple[int, int]]:
        """Lines as (start, end) in the logical text: greedy, at spaces; a word longer than
        a line is cut between characters."""
        text = self.text
        words: list[tuple[int, int]] = []
        start = None
        for i, char in enumerate(text):
            if char == " ":
                if start is not None:
                    words.append((start, i))
                    start = None
            elif start is None:
                start = i
        if start is not None:
            words.append((start, len(text)))
        space = stringWidth(" ", self.style.fontName, self.style.fontSize)
        lines: list[tuple[int, int]] = []
        line_start: int | None = None
        line_end = 0
        used = 0.0
        for word_start, word_end in words:
            size = self._word_width(word_start, word_end)
            if line_start is not None and used + space + size <= width:
                line_end, used = word_end, used + space + size
                continue
            if line_start is not None:
                lines.append((line_start, line_end))
            while size > width and word_end - word_start > 1:  # cut an overlong word
                cut = word_end - 1
                while cut > word_start + 1 and self._measure(self._pieces(word_start, cut)) > width:
                    cut -= 1
                lines.append((word_start, cut))
                word_start = cut
                size = self._measure(self._pieces(word_start, word_end))
            line_start, line_end, used = word_start, word_end, size
        if line_start is not None:
            lines.append((line_start, line_end))
        return lines or [(0, 0)]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        if self.lines is None:
            room = avail_width - self.style.leftIndent - self.style.rightIndent
            self.lines = self._break(room)
        self.height = len(self.lines) * self.style.leading
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        assert self.lines is not None
        fit = int(avail_height // self.style.leading)
        if fit < 1 or fit >= len(self.lines):
            return []
        return [
            RightToLeftText(
                self.segments,
                self.style,
                highlight=self.highlight,
                label_font=self.label_font,
                lines=part,
            )
            for part in (self.lines[:fit], self.lines[fit:])
        ]

    def getSpaceAfter(self) -> float:
        return float(self.style.spaceAfter)

    def getSpaceBefore(self) -> float:
        return float(self.style.spaceBefore)

    # -- drawing ---------------------------------------------------------------------------

    def draw(self) -> None:
        assert self.lines is not None
        canv = self.canv
        style = self.style
        right = self.width - style.rightIndent
        size = style.fontSize
        for number, (start, end) in enumerate(self.lines):
            pieces = self._pieces(start, end)
            baseline = (
                self.height
                - (number + 1) * style.leading
                + (style.leading - size) / 2
                + size * 0.22
            )
            widths = [stringWidth(p.text, *self._font(p)) for p in pieces]
            x = right - sum(widths)
            for piece, width in zip(pieces, widths, strict=True):
                font, font_size = self._font(piece)
                if piece.tag == HIGHLIGHT:
                    canv.saveState()
                    canv.setFillColor(colors.HexColor(self.highlight))
                    canv.rect(x, baseline - size * 0.28, width, size * 1.18, stroke=0, fill=1)
                    canv.restoreState()
                canv.saveState()
                if piece.tag == LABEL:
                    canv.setFillColor(_LABEL_COLOUR)
                elif piece.font is None:
                    canv.setFillColor(colors.HexColor(MARKER_COLOUR))
                canv.setFont(font, font_size)
                canv.drawString(x, baseline, piece.text)
                canv.restoreState()
                x += width


def draw_string(
    canv: Any,
    x: float,
    y: float,
    text: str,
    *,
    font: str,
    size: float,
    anchor: Literal["start", "centre", "end"] = "start",
) -> None:
    """Draw one line of text on a canvas as ``canvas.drawString`` would, but with the
    fallback fonts, markers and bidi order of the paragraphs (for running headers and
    footers, which are drawn outside any paragraph). ``x`` is the start, the centre or the
    end of the line, by ``anchor``."""
    pieces = visual_line(text, rtl=False, face=font)
    mono = register_fonts().mono
    faces = [(piece.font or mono, size if piece.font else size * 0.85) for piece in pieces]
    widths = [stringWidth(piece.text, *face) for piece, face in zip(pieces, faces, strict=True)]
    total = sum(widths)
    cursor = x - total / 2 if anchor == "centre" else x - total if anchor == "end" else x
    for piece, (face, face_size), width in zip(pieces, faces, widths, strict=True):
        canv.setFont(face, face_size)
        canv.drawString(cursor, y, piece.text)
        cursor += width
    canv.setFont(font, size)
