"""The page layout of a dossier: the document template, its one frame, footnotes at the
foot of each page, and the running header and footer.

Every page carries, in the template's arrangement, the submitter's reference, the
classification, the date and "Page n of N" (drawn when the page count is known, see
canvas.py). The PDF's document information (title, author, subject, keywords, creator)
is filled in, and its creation date is the seal's time, so that the same seal, template
and tool version give the same bytes.

Example:
    >>> # doc = DossierDocument(buffer, template, styles, info=info)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from evidence.render.canvas import DossierCanvas
from evidence.render.flowables import FootnoteArea
from evidence.render.markup import fill, plain
from evidence.render.rtl import draw_string
from evidence.render.styles import Styles
from evidence.render.template import Running, Template

__all__ = ["DocumentInfo", "DossierDocument", "RunningLines", "running_lines"]


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """The PDF's document information dictionary (ISO 32000-1 §14.3.3)."""

    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    creator: str
    language: str


class DossierDocument(BaseDocTemplate):
    """One frame per page, the full text width; footnotes at its foot."""

    def __init__(
        self, out: BinaryIO, template: Template, styles: Styles, *, info: DocumentInfo
    ) -> None:
        top, right, bottom, left = template.margins
        super().__init__(
            out,
            pagesize=template.page_size,
            leftMargin=left,
            rightMargin=right,
            topMargin=top,
            bottomMargin=bottom,
            title=plain(info.title),
            author=plain(info.author),
            subject=plain(info.subject),
            keywords=[plain(k) for k in info.keywords],
            creator=plain(info.creator),
            invariant=1,
            initialFontName=styles.fonts.serif,
            lang=info.language,
            pageCompression=1,
            displayDocTitle=1,
        )
        self.area = FootnoteArea(self.width)
        frame = Frame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates([PageTemplate(id="body", frames=[frame], onPageEnd=self._page_end)])

    def beforePage(self) -> None:
        """A new page: its footnote area starts empty."""
        self.area.reset(self.pageTemplate.frames[0])

    def _page_end(self, canv: Any, doc: Any) -> None:
        self.area.draw(canv, self.leftMargin, self.bottomMargin)


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


@dataclass(frozen=True, slots=True)
class RunningLines:
    """The functions that draw the header and the footer of page ``page`` of ``pages``."""

    header: Callable[[DossierCanvas, int, int], None]
    footer: Callable[[DossierCanvas, int, int], None]


def running_lines(template: Template, styles: Styles, values: Mapping[str, str]) -> RunningLines:
    """The running header and footer of a template, filled with the case's values."""
    width, height = template.page_size
    top_margin, right, bottom, left = template.margins
    font = styles.fonts.serif
    size = styles.running.fontSize
    grey = styles.rule

    def draw(
        canv: DossierCanvas, line: Running, y: float, rule_y: float, slots: Mapping[str, str]
    ) -> None:
        text_width = width - left - right
        gap = size * 2
        side = max(stringWidth(slots["left"], font, size), stringWidth(slots["right"], font, size))
        side = min(side, text_width / 2 - gap if not slots["centre"] else text_width / 3)
        centre = text_width - 2 * side - 2 * gap if slots["left"] or slots["right"] else text_width
        canv.setFont(font, size)
        canv.setFillColor(grey)
        # draw_string: a value in another script (an organisation's name in Arabic) gets
        # its font and order, as in the paragraphs.
        if slots["left"]:
            draw_string(canv, left, y, _fit(slots["left"], font, size, side), font=font, size=size)
        if slots["centre"]:
            draw_string(
                canv,
                left + text_width / 2,
                y,
                _fit(slots["centre"], font, size, centre),
                font=font,
                size=size,
                anchor="centre",
            )
        if slots["right"]:
            draw_string(
                canv,
                width - right,
                y,
                _fit(slots["right"], font, size, side),
                font=font,
                size=size,
                anchor="end",
            )
        if line.rule:
            canv.setStrokeColor(grey)
            canv.setLineWidth(0.4)
            canv.line(left, rule_y, width - right, rule_y)

    def lines(which: Running, top: bool) -> Callable[[DossierCanvas, int, int], None]:
        y = height - top_margin * 0.6 if top else bottom * 0.42
        rule_y = y - size * 0.6 if top else y + size * 1.25

        def decorate(canv: DossierCanvas, page: int, pages: int) -> None:
            if page == 1 and not which.first_page:
                return
            page_values = {**values, "page": str(page), "pages": str(pages)}
            slots = {
                "left": fill(which.left, page_values, markup=False),
                "centre": fill(which.centre, page_values, markup=False),
                "right": fill(which.right, page_values, markup=False),
            }
            canv.saveState()
            draw(canv, which, y, rule_y, {k: plain(v) for k, v in slots.items()})
            canv.restoreState()

        return decorate

    return RunningLines(lines(template.header, True), lines(template.footer, False))
