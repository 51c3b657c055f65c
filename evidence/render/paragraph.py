"""The dossier's paragraph: reportlab's, with right-to-left text put in visual order line by
line after the lines are broken.

reportlab breaks a paragraph's lines in the order its characters come; its own bidi support
needs ``rlbidi``, which is not on PyPI (docs/decisions/0321-right-to-left-text.md). Text that
:func:`evidence.render.markup.esc` escapes stays in logical order (Arabic letters already in
their contextual forms, each run in the font that has its glyphs). This paragraph lets
reportlab break those lines, measure, split across pages and place footnotes as usual, and
only when it draws reorders each line by itself with the Unicode Bidirectional Algorithm
(UAX #9 rules L1-L2 apply per line): a right-to-left statement, footnote quote or title of
several lines reads from its first line down, each line right to left
(docs/decisions/0323-bidi-paragraphs.md). Reordering moves glyphs within a line and never
changes its width, so the breaking and the page layout are reportlab's.

A paragraph whose base direction is right to left (its first strong character is Arabic or
Hebrew, UAX #9 P2-P3) is set flush right unless its style centres it. A paragraph without a
right-to-left character is reportlab's, unchanged: the English path costs one
``str.isascii``.

Example:
    >>> # Paragraph(esc(statement), styles.cell)  # as reportlab's Paragraph
"""

from __future__ import annotations

import unicodedata
from typing import Any, Final

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import paragraph as _rl

from evidence.render.scripts import base_is_rtl, has_rtl, visual_order

__all__ = ["Paragraph", "visual_words"]

_FK_TEXT: Final = 0
_FLUSH_RIGHT: dict[int, tuple[ParagraphStyle, ParagraphStyle]] = {}


def _flush_right(style: ParagraphStyle) -> ParagraphStyle:
    """``style`` set flush right (made once per style)."""
    known = _FLUSH_RIGHT.get(id(style))
    if known is None or known[0] is not style:
        right = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
        known = _FLUSH_RIGHT[id(style)] = (style, right)
    return known[1]


def _is_text(frag: Any) -> bool:
    return (
        getattr(frag, "_fkind", _FK_TEXT) == _FK_TEXT
        and not hasattr(frag, "cbDefn")
        and not getattr(frag, "lineBreak", False)
    )


def visual_words(words: list[Any], *, rtl: bool) -> list[Any]:
    """The fragments of one broken line (reportlab's ``FragLine.words``) in visual order:
    the line's text reordered by UAX #9 with base direction ``rtl``, and regrouped into
    clones of the fragments the characters came from (font, size, colour, link kept).
    Fragments without text (anchors, images, a line break) keep their places at the ends."""
    texts = [frag for frag in words if _is_text(frag)]
    line = "".join(frag.text for frag in texts)
    if not has_rtl(line):
        return words
    owner = [number for number, frag in enumerate(texts) for _ in frag.text]
    out: list[Any] = [frag for frag in words if hasattr(frag, "cbDefn") and not _is_text(frag)]
    current = -1
    chars: list[str] = []
    for index, char in visual_order(line, rtl=rtl):
        if unicodedata.category(char) == "Cf":
            continue  # a mark that steers the order (esc's U+200E) is not drawn
        if owner[index] != current and chars:
            out.append(texts[current].clone(text="".join(chars)))
            chars = []
        current = owner[index]
        chars.append(char)
    if chars:
        out.append(texts[current].clone(text="".join(chars)))
    out += [frag for frag in words if not hasattr(frag, "cbDefn") and not _is_text(frag)]
    return out


def _visual_lines(para: Any, *, rtl: bool) -> Any:
    """A copy of reportlab's broken lines (``blPara``) with each line in visual order."""
    if para.kind == 0:  # one fragment: lines are (extra space, [words])
        lines = []
        for extra, words in para.lines:
            line = " ".join(words)
            if has_rtl(line):
                shown = "".join(
                    char
                    for _, char in visual_order(line, rtl=rtl)
                    if unicodedata.category(char) != "Cf"
                )
                words = [word for word in shown.split(" ") if word]
            lines.append((extra, words))
        return para.clone(lines=lines)
    lines = [line.clone(words=visual_words(line.words, rtl=rtl)) for line in para.lines]
    return para.clone(lines=lines)


class Paragraph(_rl.Paragraph):
    """reportlab's Paragraph; lines that hold right-to-left text are drawn in visual order,
    and a right-to-left paragraph is set flush right. Everything else is reportlab's."""

    def __init__(
        self, text: str | None, style: ParagraphStyle | None = None, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(text, style, *args, **kwargs)  # type: ignore[arg-type]
        self.bidi = False
        self.rtl = False
        if text is not None and (text.isascii() or not has_rtl(text)):
            return  # the common case: no right-to-left character, reportlab's paragraph
        content = "".join(
            getattr(frag, "text", "")
            for frag in self.frags
            if isinstance(getattr(frag, "text", None), str)
        )
        if not has_rtl(content):
            return
        self.bidi = True
        self.rtl = base_is_rtl(content)
        if self.rtl and self.style.alignment != TA_CENTER:
            self.style = _flush_right(self.style)

    def drawPara(self, debug: int = 0) -> None:
        if not self.bidi:
            super().drawPara(debug)
            return
        internal: Any = self  # reportlab keeps the broken lines in blPara
        logical = internal.blPara
        internal.blPara = _visual_lines(logical, rtl=self.rtl)
        try:
            super().drawPara(debug)
        finally:
            internal.blPara = logical
