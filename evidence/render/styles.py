"""Paragraph and table styles of a dossier, derived from its template's type sizes.

Every style uses the dossier's embedded fonts (never reportlab's standard fonts, which are
not embedded), and every style splits words longer than a line (digests, URLs) instead of
letting them run into the margin.

Example:
    >>> # styles = Styles.for_template(load_template("icc-otp"))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from evidence.render.fonts import FontSet, register_fonts
from evidence.render.template import Template

__all__ = ["CENTRE", "JUSTIFY", "LEFT", "RIGHT", "Styles"]

# reportlab.lib.enums' alignments, as literals its type stubs accept.
LEFT: Final = 0
CENTRE: Final = 1
RIGHT: Final = 2
JUSTIFY: Final = 4
assert (LEFT, CENTRE, RIGHT, JUSTIFY) == (TA_LEFT, TA_CENTER, TA_RIGHT, TA_JUSTIFY)


@dataclass(frozen=True)
class Styles:
    """The named styles a dossier uses."""

    fonts: FontSet
    body: ParagraphStyle
    numbered: ParagraphStyle
    plain: ParagraphStyle
    small: ParagraphStyle
    note: ParagraphStyle
    quote: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    annex_label: ParagraphStyle
    annex_title: ParagraphStyle
    title: ParagraphStyle
    cover: ParagraphStyle
    cover_bold: ParagraphStyle
    cover_right: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_mono: ParagraphStyle
    mono: ParagraphStyle
    code: ParagraphStyle
    listing: ParagraphStyle
    source_text: ParagraphStyle
    source_text_cjk: ParagraphStyle
    contents: ParagraphStyle
    running: ParagraphStyle
    accent: colors.Color
    rule: colors.Color
    highlight: colors.Color
    shade: colors.Color
    zebra: tuple[colors.Color, colors.Color] = (colors.white, colors.Color(0.975, 0.975, 0.975))
    """The alternating backgrounds of a data table's rows."""

    @classmethod
    def for_template(cls, template: Template) -> Styles:
        """Build the styles of a template."""
        fonts = register_fonts()
        t = template.type
        accent = colors.HexColor(template.colours["accent"])
        base = ParagraphStyle(
            "body",
            fontName=fonts.serif,
            fontSize=t.body,
            leading=t.body * t.leading,
            alignment=JUSTIFY,
            spaceAfter=t.body * 0.6,
            splitLongWords=1,
            leftIndent=template.body_indent,
        )
        hang = template.body_indent or t.body * 2.6
        align: Literal[0, 1] = CENTRE if template.heading_align == "centre" else LEFT
        cell = ParagraphStyle(
            "cell",
            fontName=fonts.serif,
            fontSize=t.table,
            leading=t.table * 1.22,
            alignment=LEFT,
            splitLongWords=1,
        )
        return cls(
            fonts=fonts,
            body=base,
            numbered=ParagraphStyle(
                "numbered",
                parent=base,
                leftIndent=hang,
                bulletIndent=0,
                bulletFontName=fonts.serif,
                bulletFontSize=t.body,
            ),
            plain=ParagraphStyle("plain", parent=base, alignment=LEFT),
            small=ParagraphStyle(
                "small",
                parent=base,
                fontSize=t.table,
                leading=t.table * 1.3,
                alignment=LEFT,
                spaceAfter=t.table * 0.5,
            ),
            note=ParagraphStyle(
                "note",
                fontName=fonts.serif,
                fontSize=t.footnote,
                leading=t.footnote * 1.18,
                leftIndent=t.footnote * 1.6,
                firstLineIndent=-t.footnote * 1.6,
                splitLongWords=1,
                spaceAfter=1.5,
            ),
            quote=ParagraphStyle(
                "quote",
                parent=base,
                leftIndent=hang + t.body * 1.5,
                rightIndent=t.body * 1.5,
                fontName=fonts.italic,
            ),
            heading=ParagraphStyle(
                "heading",
                fontName=fonts.bold,
                fontSize=t.heading,
                leading=t.heading * 1.3,
                spaceBefore=t.heading * 1.2,
                spaceAfter=t.heading * 0.7,
                keepWithNext=1,
                alignment=align,
                textColor=accent,
                leftIndent=hang,
                firstLineIndent=-hang,
            ),
            subheading=ParagraphStyle(
                "subheading",
                fontName=fonts.bold_italic,
                fontSize=t.body,
                leading=t.body * 1.3,
                spaceBefore=t.body * 0.6,
                spaceAfter=t.body * 0.5,
                keepWithNext=1,
                leftIndent=hang,
                firstLineIndent=-hang,
            ),
            annex_label=ParagraphStyle(
                "annex_label",
                fontName=fonts.bold,
                fontSize=t.heading + 1,
                leading=(t.heading + 1) * 1.3,
                alignment=CENTRE,
                spaceAfter=4,
                keepWithNext=1,
                textColor=accent,
            ),
            annex_title=ParagraphStyle(
                "annex_title",
                fontName=fonts.bold,
                fontSize=t.heading,
                leading=t.heading * 1.3,
                alignment=CENTRE,
                spaceAfter=t.heading,
                keepWithNext=1,
            ),
            title=ParagraphStyle(
                "title",
                fontName=fonts.bold,
                fontSize=t.title,
                leading=t.title * 1.25,
                alignment=CENTRE,
                spaceAfter=10,
            ),
            cover=ParagraphStyle(
                "cover",
                fontName=fonts.serif,
                fontSize=t.body,
                leading=t.body * 1.3,
                alignment=CENTRE,
            ),
            cover_bold=ParagraphStyle(
                "cover_bold",
                fontName=fonts.bold,
                fontSize=t.body,
                leading=t.body * 1.3,
                alignment=CENTRE,
            ),
            cover_right=ParagraphStyle(
                "cover_right",
                fontName=fonts.serif,
                fontSize=t.body,
                leading=t.body * 1.3,
                alignment=RIGHT,
            ),
            cell=cell,
            cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=fonts.bold),
            cell_mono=ParagraphStyle(
                "cell_mono",
                parent=cell,
                fontName=fonts.mono,
                fontSize=t.mono,
                leading=t.mono * 1.25,
            ),
            mono=ParagraphStyle(
                "mono",
                fontName=fonts.mono,
                fontSize=t.mono,
                leading=t.mono * 1.3,
                splitLongWords=1,
                leftIndent=template.body_indent,
            ),
            code=ParagraphStyle(
                "code",
                fontName=fonts.mono,
                fontSize=t.mono,
                leading=t.mono * 1.3,
                splitLongWords=1,
                leftIndent=template.body_indent + 6,
                rightIndent=6,
                backColor=colors.Color(0.955, 0.955, 0.955),
                borderPadding=3.5,
                spaceBefore=4,
                spaceAfter=9,
            ),
            listing=ParagraphStyle(
                "listing",
                fontName=fonts.mono,
                fontSize=t.mono,
                leading=t.mono * 1.28,
                splitLongWords=1,
                leftIndent=template.body_indent + t.mono * 4,
                firstLineIndent=-t.mono * 4,
            ),
            source_text=ParagraphStyle(
                "source_text",
                fontName=fonts.serif,
                fontSize=t.table + 0.5,
                leading=(t.table + 0.5) * 1.35,
                alignment=LEFT,
                splitLongWords=1,
                spaceAfter=2,
            ),
            source_text_cjk=ParagraphStyle(
                "source_text_cjk",
                fontName=fonts.serif,
                fontSize=t.table + 0.5,
                leading=(t.table + 0.5) * 1.35,
                alignment=LEFT,
                splitLongWords=1,
                spaceAfter=2,
                wordWrap="CJK",
            ),
            contents=ParagraphStyle(
                "contents",
                fontName=fonts.serif,
                fontSize=t.body,
                leading=t.body * 1.45,
                leftIndent=hang,
                firstLineIndent=-hang,
            ),
            running=ParagraphStyle(
                "running", fontName=fonts.serif, fontSize=t.footnote - 0.5, leading=t.footnote
            ),
            accent=accent,
            rule=colors.HexColor(template.colours["rule"]),
            highlight=colors.HexColor(template.colours["highlight"]),
            shade=colors.HexColor(template.colours["shade"]),
        )

    def table(self, commands: list[Any]) -> TableStyle:
        """A table style that sets the dossier's font first: reportlab selects its default
        font (Helvetica, not embedded) for every cell of a table that names none."""
        return TableStyle(
            [("FONT", (0, 0), (-1, -1), self.fonts.serif, self.cell.fontSize), *commands]
        )

    def grid(self, *, header: bool = True, zebra: bool = False) -> TableStyle:
        """The style of a data table: thin rules, a shaded repeated header row."""
        commands: list[Any] = [
            ("FONT", (0, 0), (-1, -1), self.fonts.serif, self.cell.fontSize),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEABOVE", (0, 0), (-1, 0), 0.6, self.rule),
            ("LINEBELOW", (0, -1), (-1, -1), 0.6, self.rule),
            ("INNERGRID", (0, 0), (-1, -1), 0.25, colors.Color(0.6, 0.6, 0.6)),
            ("BOX", (0, 0), (-1, -1), 0.4, self.rule),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
        if header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), self.shade))
        if zebra:
            commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), list(self.zebra)))
        return TableStyle(commands)
