"""The dossier's own flowables: paragraphs with footnotes, headings that mark their page,
lines of the table of contents, and a QR code.

reportlab's platypus has no footnotes. :class:`NotedParagraph` carries its footnotes: it
fits on a page only when the page can also hold them, and when it is drawn it hands them
to the page's :class:`FootnoteArea` and raises the bottom of the frame by their height, so
the text that follows flows above them; the area draws them at the foot of the page. A
paragraph that must split keeps its footnotes with its last part, where its footnote mark
is (the dossier puts marks at the end of a paragraph).

Example:
    >>> # area = FootnoteArea(width, styles.note); NotedParagraph(para, [note], area)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Final

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from reportlab.platypus.frames import Frame

from evidence.render.canvas import DossierCanvas
from evidence.render.fonts import primary_chars
from evidence.render.markup import bind_short_words, esc, plain
from evidence.render.paragraph import Paragraph as DossierParagraph
from evidence.render.scripts import has_rtl

__all__ = [
    "ContentsLine",
    "FootnoteArea",
    "Gap",
    "Heading",
    "Lines",
    "LinesCell",
    "LongTable",
    "NotedParagraph",
    "PageMark",
    "TextCell",
    "keep_headings",
    "least_room",
    "qr_drawing",
]

_SEPARATOR = 9.0  # points between the text and the first footnote: rule and gaps


class FootnoteArea:
    """The footnotes of the current page, drawn at its foot."""

    def __init__(self, width: float) -> None:
        self.width = width
        self.notes: list[tuple[Paragraph, float]] = []
        self.height = 0.0
        self._heights: dict[int, float] = {}  # id(note) -> height: a note is measured once

    def reset(self, frame: Frame) -> None:
        """A new page: no footnotes yet, the frame's bottom back where it was."""
        self.notes = []
        self.height = 0.0
        internal: Any = frame  # reportlab keeps the frame's usable bottom in _y1p
        internal._y1p = internal.y1 + internal.bottomPadding

    def _height(self, note: Paragraph) -> float:
        key = id(note)
        if key not in self._heights:
            self._heights[key] = note.wrap(self.width, 10_000)[1]
        return self._heights[key]

    def room_for(self, notes: Sequence[Paragraph]) -> float:
        """The height ``notes`` would add to this page (with the separator if first)."""
        if not notes:
            return 0.0
        total = sum(self._height(note) + note.style.spaceAfter for note in notes)
        return total + (0.0 if self.notes else _SEPARATOR)

    def add(self, notes: Sequence[Paragraph], frame: Frame | None) -> None:
        """Take ``notes`` onto this page and raise the frame's bottom above them."""
        extra = self.room_for(notes)
        for note in notes:
            self.notes.append((note, self._height(note)))
        self.height += extra
        if frame is not None:
            internal: Any = frame
            internal._y1p += extra

    def draw(self, canv: Any, x: float, y: float) -> None:
        """Draw the page's footnotes with their top ``self.height`` above ``y``."""
        if not self.notes:
            return
        top = y + self.height
        canv.saveState()
        canv.setLineWidth(0.5)
        canv.line(x, top - 3, x + self.width * 0.3, top - 3)
        canv.restoreState()
        cursor = top - _SEPARATOR
        for note, height in self.notes:
            cursor -= height
            note.drawOn(canv, x, cursor)
            cursor -= note.style.spaceAfter


class NotedParagraph(Flowable):
    """A paragraph and the footnotes its marks refer to."""

    def __init__(self, para: Flowable, notes: Sequence[Paragraph], area: FootnoteArea) -> None:
        super().__init__()
        self.para = para
        self.notes = list(notes)
        self.area = area
        self.style = getattr(para, "style", None)
        self._height = 0.0

    def getSpaceBefore(self) -> float:
        return float(self.para.getSpaceBefore())

    def getSpaceAfter(self) -> float:
        return float(self.para.getSpaceAfter())

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        width, height = self.para.wrap(avail_width, avail_height)
        self._height = height
        need = height + self.area.room_for(self.notes)
        if need > avail_height:
            return width, need  # does not fit with its notes: the frame will split or move it
        return width, height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        room = avail_height - self.area.room_for(self.notes)
        if room <= 0:
            return []
        parts = self.para.split(avail_width, room)
        if len(parts) < 2:
            return []
        return [*parts[:-1], NotedParagraph(parts[-1], self.notes, self.area)]

    def draw(self) -> None:
        self.para.drawOn(self.canv, 0, 0)
        self.area.add(self.notes, getattr(self, "_frame", None))


_LEAST_ROWS: Final = 3
"""A table split across pages leaves at least this many rows on each side (or all)."""
_FOLLOW_LINES: Final = 3
"""A heading needs room below it for this many lines of what follows (or all of it)."""


def least_room(flowable: Flowable, canv: Any, avail_width: float, avail_height: float) -> float:
    """The least height ``flowable`` needs at the foot of a page not to be left alone
    there: a short paragraph whole with its footnotes, a long one's first lines, a table's
    header and first row; for a heading, itself and what must follow it."""
    if isinstance(flowable, Heading):
        return flowable.needed(canv, avail_width, avail_height)
    if isinstance(flowable, _Lead):
        lead = float(flowable.lead.wrapOn(canv, avail_width, avail_height)[1])
        lead += float(flowable.lead.getSpaceAfter())
        return lead + least_room(flowable.then, canv, avail_width, avail_height - lead)
    if isinstance(flowable, LongTable):
        return flowable.first_rows_height(avail_width)
    if isinstance(flowable, NotedParagraph):
        height = flowable.para.wrap(avail_width, avail_height)[1]
        leading = float(getattr(getattr(flowable.para, "style", None), "leading", 12))
        if height <= leading * (_FOLLOW_LINES + 1):
            return height + flowable.area.room_for(flowable.notes)
        return leading * _FOLLOW_LINES
    height = float(flowable.wrapOn(canv, avail_width, avail_height)[1])
    style = getattr(flowable, "style", None)
    leading = float(getattr(style, "leading", 0) or 0)
    if leading and height > leading * (_FOLLOW_LINES + 1):
        return leading * _FOLLOW_LINES
    return height


class Heading(Flowable):
    """A heading that notes its page for the contents, the outline and the page map.

    A heading is never left at the foot of a page: :attr:`follow` is what comes after it
    (set by :func:`keep_headings`), and a heading that does not leave room below it for
    the start of that (a few lines, with their footnotes) asks for more room than the
    page has, so that the frame moves it to the next page.
    """

    def __init__(self, para: Paragraph, *, key: str, outline: str, level: int) -> None:
        super().__init__()
        self.para = para
        self.key = key
        self.outline = outline
        self.level = level
        self.style = para.style
        self.keepWithNext = 0  # what follows is kept by wrap() (the style asks for it too)
        self.follow: Flowable | None = None

    def needed(self, canv: Any, avail_width: float, avail_height: float) -> float:
        """This heading's height, its space after, and the least room of what follows."""
        height = float(self.para.wrap(avail_width, avail_height)[1])
        if self.follow is None:
            return height
        rest = avail_height - height - self.getSpaceAfter()
        return (
            height
            + self.getSpaceAfter()
            + max(0.0, least_room(self.follow, canv, avail_width, rest))
        )

    def getSpaceBefore(self) -> float:
        return float(self.para.getSpaceBefore())

    def getSpaceAfter(self) -> float:
        return float(self.para.getSpaceAfter())

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        width, height = self.para.wrap(avail_width, avail_height)
        self.width, self.height = width, height
        at_top = bool(getattr(getattr(self, "_frame", None), "_atTop", False))
        if (
            self.follow is not None
            and not at_top
            and self.needed(self.canv, avail_width, avail_height) > avail_height
        ):
            return width, avail_height + 1  # no room for what follows: to the next page
        return width, height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []  # a heading is never split: it moves to the next page whole

    def draw(self) -> None:
        self.para.drawOn(self.canv, 0, 0)
        canv = self.canv
        if isinstance(canv, DossierCanvas):
            _, top = canv.absolutePosition(0, self.height + self.para.getSpaceBefore())
            canv.anchor(self.key, self.outline, self.level, top)


class _Lead(Flowable):
    """What must follow a heading when it opens with a short paragraph that introduces a
    table: the paragraph whole, then the table's start (measured, never drawn)."""

    def __init__(self, lead: Flowable, then: Flowable) -> None:
        super().__init__()
        self.lead = lead
        self.then = then


def keep_headings(story: Sequence[Flowable]) -> None:
    """Tell each heading what follows it (see :class:`Heading`): the next flowable, or an
    introductory paragraph and the table it introduces."""
    items = [f for f in story if not getattr(f, "_ZEROSIZE", False)]
    for index, here in enumerate(items[:-1]):
        if not isinstance(here, Heading):
            continue
        after = items[index + 1]
        then = items[index + 2] if index + 2 < len(items) else None
        if isinstance(after, Paragraph) and isinstance(then, (LongTable, Table)):
            here.follow = _Lead(after, then)
        else:
            here.follow = after


class _Measured(Flowable):
    """A table cell's flowable, measured once per width: the table draws it with the width
    it was measured at, so its lines are not broken a second time."""

    def __init__(self, inner: Flowable) -> None:
        super().__init__()
        self.inner = inner
        self._size: tuple[float, float, float] | None = None  # width given, width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._size is None or self._size[0] != avail_width:
            width, height = self.inner.wrap(avail_width, avail_height)
            self._size = (avail_width, float(width), float(height))
        return self._size[1], self._size[2]

    def getSpaceBefore(self) -> float:
        return float(self.inner.getSpaceBefore())

    def getSpaceAfter(self) -> float:
        return float(self.inner.getSpaceAfter())

    def draw(self) -> None:
        self.inner.drawOn(self.canv, 0, 0)


_SPACES: Final = re.compile("[ \t\r\n]+")


class TextCell:
    """A data table cell of plain text, one line of it per item of ``lines``, in the
    paragraph style ``style`` (optionally in another ``font`` and ``size``).

    :class:`LongTable` draws it as a table string (the table's own text drawing, no
    paragraph) when every line fits its column on one line and needs nothing a paragraph
    does: only characters of the Liberation faces, nothing right to left. Otherwise it is
    the paragraph it stands for (:meth:`paragraph`): lines broken, fallback fonts, bidi.
    Either way the cell has the same height, baseline, font and words
    (docs/decisions/0318-plain-table-cells.md).
    """

    __slots__ = ("font", "lines", "size", "style")

    def __init__(
        self,
        lines: str | Sequence[str],
        style: ParagraphStyle,
        *,
        font: str | None = None,
        size: float | None = None,
    ) -> None:
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        self.style = style
        self.font = font
        self.size = size

    def face(self) -> tuple[str, float, float]:
        """The font, size and leading its lines are drawn with."""
        style = self.style
        return (
            self.font or style.fontName,
            float(self.size or style.fontSize),
            float(style.leading),
        )

    def paragraph(self) -> DossierParagraph:
        """The paragraph this cell stands for."""
        markup = "<br/>".join(esc(line) for line in self.lines)
        if self.font is not None or self.size is not None:
            face = f" face='{self.font}'" if self.font is not None else ""
            size = f" size='{self.size}'" if self.size is not None else ""
            markup = f"<font{face}{size}>{markup}</font>"
        return DossierParagraph(markup, self.style)

    def strings(self, width: float) -> list[str] | None:
        """Its lines as the paragraph would show them, when it needs no paragraph; else
        None. A cell of one text is broken into lines as reportlab breaks a paragraph of
        one fragment (:func:`_break`); each line of a cell of several, or of a text with
        ``&``, ``<`` or ``>`` (escaped, they make several fragments, which reportlab breaks
        otherwise), must fit on one line."""
        if not _plain_style(self.style):
            return None
        font, size, _ = self.face()
        shown = []
        for line in self.lines:
            text = _SPACES.sub(" ", bind_short_words(plain(line).replace("\n", " "))).strip(" ")
            if not text:
                return None  # an empty paragraph line takes no room: keep the paragraph
            if not text.isascii() and not _drawable(text):
                return None
            if len(self.lines) == 1 and not _MARKUP & set(text):
                return _break(text, font, size, width)
            if stringWidth(text, font, size) > width - 0.01:
                return None
            shown.append(text)
        return shown


def _break(
    text: str, font: str, size: float, width: float, *, margin: float = 0.0
) -> list[str] | None:
    """``text`` (words between single spaces) broken into lines of at most ``width`` points
    as reportlab's ``Paragraph.breakLines`` breaks a paragraph of one fragment in the
    dossier's cell styles (no hyphenation); None when a word is wider than a line
    (reportlab would split it) or a line holds its last word only because its spaces may
    shrink by ``_SHRINK`` (reportlab draws them narrower, a table string could not).

    With a ``margin`` (points), also None when a line's width comes within ``margin`` of
    the width or of the width its spaces may shrink to: reportlab's path for paragraphs of
    several fragments adds the same widths in another order (:class:`LinesCell`), so a
    last-bit difference must not decide a line there."""
    space = stringWidth(" ", font, size)
    lines: list[list[str]] = []
    words: list[str] = []
    current = -space
    for word in text.split(" "):
        word_width = stringWidth(word, font, size)
        if word_width > width - margin:
            return None
        wider = current + space + word_width
        limit = width + _SHRINK * space * len(words)
        if margin and words and abs(wider - limit) <= margin:
            return None
        if wider <= limit or not words:
            if wider > width - margin:
                return None  # reportlab keeps the word by shrinking the spaces it draws
            words.append(word)
            current = wider
        else:
            lines.append(words)
            words = [word]
            current = word_width
    lines.append(words)
    return [" ".join(line) for line in lines]


def _plain_style(style: ParagraphStyle) -> bool:
    """Whether ``style`` sets lines as :func:`_break` and a table string do: flush left, no
    indent, no hyphenation, reportlab's space shrinkage."""
    return bool(
        style.alignment == TA_LEFT
        and not (style.firstLineIndent or style.leftIndent or style.rightIndent)
        and not (getattr(style, "hyphenationLang", "") or style.embeddedHyphenation)
        and not (style.uriWasteReduce or style.endDots or style.backColor)
        and style.spaceShrinkage == _SHRINK
        and not style.wordWrap
    )


_MARKUP: Final = frozenset("&<>")
_SHRINK: Final = 0.05
"""reportlab's ``spaceShrinkage`` (the cell styles keep its default): how much of a space
a line may lose to hold one more word."""


def _drawable(text: str) -> bool:
    """Whether non-ASCII ``text`` is drawn as written by a table string and a paragraph
    alike: Liberation characters only, nothing right to left, no space but U+0020 and
    U+00A0, no format character or soft hyphen (a paragraph may treat those otherwise)."""
    if not set(text) <= primary_chars() or has_rtl(text):
        return False
    return not any(
        char == "\u00ad" or (unicodedata.category(char) in _SPECIAL and char not in " \u00a0")
        for char in text
    )


_SPECIAL: Final = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc"})


class Lines:
    """A part of a :class:`LinesCell`: a plain text set in one font, size and colour."""

    __slots__ = ("colour", "font", "size", "text")

    def __init__(self, text: str, font: str, size: float, colour: Any = None) -> None:
        self.text = text
        self.font = font
        self.size = float(size)
        self.colour = colour  # None: the style's text colour


class LinesCell(Flowable):
    """A table cell of parts of plain text, each starting on a new line and broken into
    lines of its own font and size: a statement and its figures in a smaller size under
    it, a status with a smaller coloured remark. ``markup`` is the paragraph it stands
    for (each part escaped, ``<br/>`` between them, ``<font>``, ``<i>`` or ``<b>`` around
    a part in another face, size or colour).

    Like :class:`SmallLinesCell`, it draws its lines itself when every part, as the
    paragraph would show it, needs nothing a paragraph does (as for :class:`TextCell`)
    and its lines are known without the paragraph: each part is broken as reportlab
    breaks it (:func:`_break`, with a margin: reportlab breaks a paragraph of several
    fragments by a path that adds the same widths in another order), and a part with
    ``&``, ``<`` or ``>`` must fit on one line. Otherwise it is that paragraph
    (docs/decisions/0324-statement-cells.md).
    """

    _MARGIN: Final = 1e-6

    def __init__(self, parts: Sequence[Lines], markup: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.parts = list(parts)
        self.markup = markup
        self.style = style
        self._lines: list[tuple[str, Lines]] | None = None  # drawn by itself, when it may
        self._para: DossierParagraph | None = None
        self._width: float | None = None

    def paragraph(self) -> DossierParagraph:
        """The paragraph this cell stands for."""
        return DossierParagraph(self.markup, self.style)

    def _shown(self, width: float) -> list[tuple[str, Lines]] | None:
        style = self.style
        if not self.parts or not _plain_style(style) or getattr(style, "autoLeading", None):
            return None
        if self.parts[0].size != float(style.fontSize):
            return None  # the first baseline would be the first line's largest size
        shown: list[tuple[str, Lines]] = []
        for part in self.parts:
            text = _SPACES.sub(" ", bind_short_words(plain(part.text).replace("\n", " ")))
            text = text.strip(" ")
            if not text or (not text.isascii() and not _drawable(text)):
                return None
            if _MARKUP & set(text):
                if stringWidth(text, part.font, part.size) > width - 0.01:
                    return None
                lines: list[str] | None = [text]
            else:
                lines = _break(text, part.font, part.size, width, margin=self._MARGIN)
            if lines is None:
                return None
            shown.extend((line, part) for line in lines)
        return shown

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._width != avail_width:
            self._width = avail_width
            self._lines = self._shown(avail_width)
            if self._lines is None and self._para is None:
                self._para = self.paragraph()
        if self._lines is None:
            assert self._para is not None
            return self._para.wrap(avail_width, avail_height)
        self.width = avail_width
        self.height = len(self._lines) * float(self.style.leading)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []  # a table cell is never split

    def draw(self) -> None:
        if self._lines is None:
            assert self._para is not None
            self._para.drawOn(self.canv, 0, 0)
            return
        style = self.style
        leading = float(style.leading)
        canv = self.canv
        canv.setFillColor(style.textColor)
        # the first baseline where a paragraph of several fragments puts it
        text = canv.beginText(0, self.height - float(style.fontSize))
        colour = style.textColor
        face: tuple[str, float] | None = None
        for line, part in self._lines:
            if (part.font, part.size) != face:
                face = (part.font, part.size)
                text.setFont(part.font, part.size, leading)
            wanted = part.colour if part.colour is not None else style.textColor
            if wanted != colour:
                colour = wanted
                text.setFillColor(colour)
            text.textLine(line)
        canv.drawText(text)


class SmallLinesCell(LinesCell):
    """A table cell of a line of plain text in the paragraph style ``style`` and, under it,
    lines in a ``small`` size of the same font (a claim number with its revision and ERN,
    an exhibit label with its ERN).

    A :class:`LinesCell` whose every line must fit its column unbroken: it draws its
    lines itself, where the paragraph it stands for (:meth:`paragraph`) would put them,
    when they do and need nothing a paragraph does (as for :class:`TextCell`); otherwise
    it is that paragraph (docs/decisions/0319-small-lines-cells.md).
    """

    def __init__(
        self, first: str, rest: Sequence[str], style: ParagraphStyle, *, small: float
    ) -> None:
        self.first = first
        self.rest = list(rest)
        self.small = small
        font = style.fontName
        below = "<br/>".join(esc(line) for line in self.rest)
        super().__init__(
            [Lines(first, font, style.fontSize), *(Lines(line, font, small) for line in self.rest)],
            f"{esc(first)}<br/><font size='{small}'>{below}</font>",
            style,
        )

    def _shown(self, width: float) -> list[tuple[str, Lines]] | None:
        if not self.rest:
            return None
        shown = super()._shown(width)
        # one line per part: a line too wide for its column is the paragraph's to break
        return shown if shown is not None and len(shown) == len(self.parts) else None


def _as_list(row: Sequence[Any]) -> list[Any]:
    """A row as a list: itself when it is one (the measured rows a split shares)."""
    return row if isinstance(row, list) else list(row)


class LongTable(Flowable):
    """A data table of any length whose header row is drawn at its start and at the top
    of each page it continues on, and nowhere else.

    The rows are measured once; at each page break the table is cut into a reportlab
    :class:`~reportlab.platypus.Table` of the rows that fit (with the header) and the rest
    (a new LongTable), so the cost stays linear in the rows. Rows alternate their shading
    across the cuts as in one table.
    """

    def __init__(
        self,
        header: Sequence[Flowable | TextCell],
        rows: Sequence[Sequence[Flowable | TextCell | str]],
        widths: Sequence[float],
        style: TableStyle,
        *,
        zebra: Sequence[Any] = (),
        start: int = 0,
        heights: Sequence[float] | None = None,
        faces: dict[int, tuple[str, float, float]] | None = None,
        cell_faces: dict[tuple[int, int], tuple[str, float, float]] | None = None,
    ) -> None:
        super().__init__()
        self.header = list(header)
        # measuring replaces cells in the rows: the first table copies them; the parts a
        # split makes share the measured rows (a copy a page made long tables quadratic)
        self.rows: list[list[Any]] = (
            [list(row) for row in rows] if heights is None else [*map(_as_list, rows)]
        )
        self.widths = list(widths)
        self.table_style = style
        self.zebra = list(zebra)
        self.start = start
        self._heights = list(heights) if heights is not None else None
        # column -> the font, size and leading of its cells drawn as strings (TextCell)
        self._faces: dict[int, tuple[str, float, float]] = dict(faces or {})
        # (row, column) -> the face of a string cell that differs from its column's
        self._cell_faces: dict[tuple[int, int], tuple[str, float, float]] = dict(cell_faces or {})
        self.hAlign = "LEFT"
        self._table: Table | None = None

    def _padding(self) -> tuple[float, float, float]:
        top, bottom, sides = 2.0, 2.5, 6.0
        commands: list[Any] = list(self.table_style.getCommands())
        for command in commands:
            if command[0] == "TOPPADDING":
                top = float(command[3])
            elif command[0] == "BOTTOMPADDING":
                bottom = float(command[3])
        return top, bottom, sides

    def _leading(self) -> float:
        """The leading of plain-text cells: reportlab's default, 1.2 times the FONT size."""
        size = 10.0
        commands: list[Any] = list(self.table_style.getCommands())
        for command in commands:
            if command[0] == "FONT" and len(command) > 4:
                size = float(command[4])
        return size * 1.2

    def _row_height(self, row: list[Any], number: int | None) -> float:
        top, bottom, sides = self._padding()
        tallest = 0.0
        for index, (cell, width) in enumerate(zip(row, self.widths, strict=True)):
            if isinstance(cell, TextCell):
                face = cell.face()
                shown = cell.strings(width - sides) if number is not None else None
                if shown is not None and number is not None:
                    if self._faces.setdefault(index, face) != face:
                        self._cell_faces[number, index] = face
                    row[index] = "\n".join(shown)
                    tallest = max(tallest, len(shown) * face[2])
                    continue
                cell = row[index] = _Measured(cell.paragraph())
            elif isinstance(cell, str):  # plain text in the table's font: one line per line
                tallest = max(tallest, (cell.count("\n") + 1) * self._leading())
                continue
            if not isinstance(cell, _Measured):
                cell = row[index] = _Measured(cell)
            tallest = max(tallest, float(cell.wrap(width - sides, 100_000)[1]))
        return tallest + top + bottom

    def heights(self) -> list[float]:
        """The height of the header row and of each row, measured once."""
        if self._heights is None:
            self._heights = [
                self._row_height(self.header, None),
                *(self._row_height(row, number) for number, row in enumerate(self.rows)),
            ]
        return self._heights

    def first_rows_height(self, avail_width: float) -> float:
        """The header and the first rows: the least that may start at a page's foot."""
        heights = self.heights()
        return sum(heights[: 1 + _LEAST_ROWS])

    def _make(self, rows: Sequence[Sequence[Flowable | TextCell | str]], start: int) -> Table:
        # The rows' heights are known: the table need not measure its cells again.
        heights = self.heights()
        table = Table(
            [self.header, *(list(row) for row in rows)],
            colWidths=self.widths,
            rowHeights=heights[: len(rows) + 1],
            hAlign="LEFT",
        )
        table.setStyle(self.table_style)
        if self._faces:  # the columns' string cells: their font, size and leading
            table.setStyle(
                TableStyle(
                    [("FONT", (c, 1), (c, -1), *face) for c, face in sorted(self._faces.items())]
                    + [
                        ("FONT", (c, r + 1), (c, r + 1), *face)
                        for (r, c), face in sorted(self._cell_faces.items())
                        if r < len(rows)
                    ]
                )
            )
        if self.zebra:
            colours = self.zebra[start % 2 :] + self.zebra[: start % 2]
            table.setStyle(TableStyle([("ROWBACKGROUNDS", (0, 1), (-1, -1), colours)]))
        return table

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        total = sum(self.heights())
        self.width = sum(self.widths)
        if total <= avail_height:
            self._table = self._make(self.rows, self.start)
            self.height = float(self._table.wrap(avail_width, avail_height)[1])
            return self.width, self.height
        self._table = None
        return self.width, total

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        heights = self.heights()
        used = heights[0]
        count = 0
        for height in heights[1:]:
            if used + height > avail_height:
                break
            used += height
            count += 1
        rows = len(heights) - 1
        if count < rows and rows - count < _LEAST_ROWS:  # leave no lone rows for the next page
            count = max(0, rows - _LEAST_ROWS)
        at_top = bool(getattr(getattr(self, "_frame", None), "_atTop", False))
        if count < min(_LEAST_ROWS, rows) and not at_top:
            return []  # too few rows to start here: the whole table moves to the next page
        if count == 0:
            return []  # not even one row: the whole table moves to the next page
        head = LongTable(
            self.header,
            self.rows[:count],
            self.widths,
            self.table_style,
            zebra=self.zebra,
            start=self.start,
            heights=[heights[0], *heights[1 : count + 1]],
            faces=self._faces,
            cell_faces={k: f for k, f in self._cell_faces.items() if k[0] < count},
        )
        rest = LongTable(
            self.header,
            self.rows[count:],
            self.widths,
            self.table_style,
            zebra=self.zebra,
            start=self.start + count,
            heights=[heights[0], *heights[count + 1 :]],
            faces=self._faces,
            cell_faces={(r - count, c): f for (r, c), f in self._cell_faces.items() if r >= count},
        )
        return [head, rest]

    def draw(self) -> None:
        table = self._table
        if table is None:
            table = self._make(self.rows, self.start)
            table.wrap(self.width, 100_000)
        table.drawOn(self.canv, 0, 0)


class Gap(Flowable):
    """Space between what comes before and after it on a page, and none at a page's top
    (where a Spacer would push the next heading below those of other pages)."""

    def __init__(self, height: float) -> None:
        super().__init__()
        self.spaceBefore = height
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class PageMark(Flowable):
    """Notes the page it falls on under ``key`` (for the manifest's page map); takes no
    room."""

    _ZEROSIZE = True

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        if isinstance(self.canv, DossierCanvas):
            self.canv.anchors.setdefault(self.key, self.canv.getPageNumber())


class ContentsLine(Flowable):
    """One line of the table of contents: number, title, dot leader and page (filled in
    when the page count is known), linked to the heading."""

    def __init__(
        self,
        number: str,
        title: str,
        key: str,
        *,
        font: str,
        size: float,
        leading: float,
        indent: float,
        level: int = 0,
    ) -> None:
        super().__init__()
        self.number = number
        self.title = title
        self.key = key
        self.font = font
        self.size = size
        self.leading = leading
        self.indent = indent + level * size * 1.5
        self.width = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.leading

    def draw(self) -> None:
        canv = self.canv
        base = (self.leading - self.size) / 2 + self.size * 0.25
        room = self.width - self.indent - self.size * 3
        title = self.title
        while title and stringWidth(title, self.font, self.size) > room:
            title = title[:-2] + "…"
        canv.setFont(self.font, self.size)
        canv.drawString(self.indent - self.size * 2.4, base, self.number)
        canv.drawString(self.indent, base, title)
        start = self.indent + stringWidth(title, self.font, self.size) + self.size * 0.4
        end = self.width
        x_left, y_low = canv.absolutePosition(0, base - self.size * 0.3)
        x_right, y_top = canv.absolutePosition(end, self.leading)
        if not isinstance(canv, DossierCanvas):
            return
        key, font, size = self.key, self.font, self.size

        def page_number(c: DossierCanvas, _: int) -> None:
            # Drawn in this line's own coordinates, at this point of the page's content.
            page = str(c.anchors.get(key, "?"))
            width = stringWidth(page, font, size)
            dot = stringWidth(". ", font, size)
            count = max(0, int((end - width - size * 0.5 - start) / dot))
            c.setFont(font, size)
            c.setFillColor(colors.Color(0.35, 0.35, 0.35))
            c.drawRightString(end - width - size * 0.5, base, ". " * count)
            c.setFillColor(colors.black)
            c.drawRightString(end, base, page)
            # Links are placed in page coordinates, and named: page states are replayed, so
            # reportlab's own annotation counter would repeat names across pages.
            c.linkRect(
                "",
                key,
                (x_left, y_low, x_right, y_top),
                relative=0,
                thickness=0,
                name=f"contents-{key}",
            )

        canv.late(page_number, here=True)


def qr_drawing(value: str, size: float, *, font: str) -> Drawing:
    """A QR code of ``value`` (reportlab's QR widget), ``size`` points square.

    ``font`` is the drawing's default font: it draws no text, but reportlab's drawing
    renderer would otherwise select Helvetica, a font that is not embedded.
    """
    widget = QrCodeWidget(value, barLevel="M", barBorder=2)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    internal: Any = drawing  # an attribute the drawing renderer reads; not in the stubs
    internal.initialFontName = font
    drawing.add(widget)
    return drawing
