"""Plain table cells (:class:`evidence.render.flowables.TextCell`): a cell of plain text
lines that fit their column is drawn as a table string, any other stays the paragraph it
stands for, and both put the same words at the same place in the same font
(docs/decisions/0318-plain-table-cells.md). The texts are the team's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, SimpleDocTemplate

from evidence.render import load_template
from evidence.render.flowables import LongTable, TextCell
from evidence.render.fonts import register_fonts
from evidence.render.paragraph import Paragraph
from evidence.render.styles import Styles
from tests.unit.render.pdf import page_lines

register_fonts()
TEMPLATE = load_template("icc-otp")
STYLES = Styles.for_template(TEMPLATE)
CELL = STYLES.cell
MONO = STYLES.fonts.mono
SIDES = 6.0  # the grid's left and right padding


def _table(cells: list[TextCell | Flowable], width: float = 90.0) -> LongTable:
    header: list[Flowable | TextCell] = [TextCell("Column", CELL) for _ in cells]
    return LongTable(header, [cells], [width] * len(cells), STYLES.grid())


def _kinds(cells: list[TextCell | Flowable], width: float = 90.0) -> list[str]:
    table = _table(cells, width)
    table.heights()
    return ["string" if isinstance(c, str) else "paragraph" for c in table.rows[0]]


def test_plain_line_is_a_string_and_the_rest_stay_paragraphs() -> None:
    cells: list[TextCell | Flowable] = [
        TextCell("12", CELL),
        TextCell(["2026-12-06", "01:08:20.358660"], CELL),
        TextCell("Київ, о 9 год", CELL),  # noqa: RUF001 -- Cyrillic the serif face has: a string
        TextCell("قال الشاهد", CELL),  # Arabic: the bidi-aware paragraph
        TextCell("עדות", CELL),  # Hebrew
        TextCell("市場", CELL),  # CJK: a fallback font
        TextCell("a sign \u2603 here", CELL),  # a character the base font lacks
        TextCell("soft\u00adhyphen", CELL),
        TextCell("0fc5f8ce0cc685f50cc48a12c811515580357c8302ccff3551a000de2b9e7582", CELL),
        TextCell(["two lines, the first", "far too long for its narrow column to hold"], CELL),
        TextCell("", CELL),
    ]
    assert _kinds(cells) == ["string"] * 3 + ["paragraph"] * 8


def test_one_plain_text_is_broken_into_lines_as_the_paragraph_would_be() -> None:
    text = "filename: report-001.txt; media_type: text/plain; object_existed: true"
    table = _table([TextCell(text, CELL)], 90.0)
    heights = table.heights()
    lines = str(table.rows[0][0]).split("\n")
    para = TextCell(text, CELL).paragraph()
    para.wrap(90.0 - SIDES, 10_000)
    assert len(lines) > 1
    assert lines == _lines(para)
    assert heights[1] == TextCell(text, CELL).paragraph().wrap(90.0 - SIDES, 10_000)[1] + 4.5


def test_header_cells_and_markup_stay_paragraphs() -> None:
    table = _table([TextCell("7", CELL)])
    table.heights()
    assert not isinstance(table.header[0], str)
    assert table.rows[0] == ["7"]
    # data that looks like markup is drawn as written, in both forms
    assert _kinds([TextCell("<b>not bold</b> & co", CELL)]) == ["string"]
    assert TextCell("<b>x</b>", CELL).paragraph().getPlainText() == "<b>x</b>"


def test_a_cell_in_another_face_than_its_column(tmp_path: Path) -> None:
    """Cells of one column in different faces (a status in bold, another in italics) are
    strings each in its own face, also after the table is split across pages."""

    def rows() -> list[list[TextCell]]:
        return [
            [TextCell("Verified", CELL, font=STYLES.fonts.bold)],
            [TextCell("Reported", CELL, font=STYLES.fonts.italic)],
            [TextCell("abc", CELL, font=MONO, size=6.5)],
            [TextCell("Verified", CELL, font=STYLES.fonts.bold)],
            [TextCell("Reported", CELL, font=STYLES.fonts.italic)],
            [TextCell("plain", CELL)],
        ]

    tables: list[LongTable] = []

    def build(path: Path, data: list[list[Any]]) -> list[Any]:
        table = LongTable([TextCell("Status", CELL)], data, [80.0], STYLES.grid())
        tables.append(table)
        first, rest = table.split(80.0, table.heights()[0] + sum(table.heights()[1:4]) + 1)
        SimpleDocTemplate(str(path), pagesize=A4, initialFontName=STYLES.fonts.serif).build(
            [first, rest]
        )
        return sorted((r.y, r.x, r.text, r.size) for r in page_lines(path)[0])

    as_strings = build(tmp_path / "strings.pdf", rows())
    as_paragraphs = build(tmp_path / "paragraphs.pdf", [[c[0].paragraph()] for c in rows()])
    assert all(isinstance(row[0], str) for row in tables[0].rows)
    assert as_strings == as_paragraphs
    assert fonts_of(tmp_path / "strings.pdf") == fonts_of(tmp_path / "paragraphs.pdf")


def fonts_of(path: Path) -> list[tuple[str, str]]:
    """Each text run of the first page and the font it is set in."""
    used: list[tuple[str, str]] = []
    PdfReader(path).pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: (
            used.append((text.strip(), str(font.get("/BaseFont"))))
            if text.strip() and font
            else None
        )
    )
    return sorted(used)


def _runs(path: Path, cells: list[TextCell | Flowable]) -> list[tuple[float, float, str, float]]:
    SimpleDocTemplate(str(path), pagesize=A4, initialFontName=STYLES.fonts.serif).build(
        [_table(cells, 120.0)]
    )
    return sorted((r.y, r.x, r.text, r.size) for r in page_lines(path)[0])


def test_string_and_paragraph_draw_the_same(tmp_path: Path) -> None:
    def cells() -> list[TextCell]:
        return [
            TextCell("41", CELL),
            TextCell(["2026-12-06", "01:08:20.358660"], CELL),
            TextCell("0fc5f8ce0cc6\u2026", CELL, font=MONO, size=TEMPLATE.type.mono),
            TextCell("claim-recorded  by \u00abtester\u00bb", CELL),
        ]

    plain = cells()
    as_strings = _runs(tmp_path / "strings.pdf", list(plain))
    as_paragraphs = _runs(tmp_path / "paragraphs.pdf", [c.paragraph() for c in cells()])
    assert _kinds(list(cells()), 120.0) == ["string"] * 4
    assert as_strings == as_paragraphs
    assert any(text == "claim-recorded by «tester»" for _, _, text, _ in as_strings)


_WORDS = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789 .,;:-&<>'\"Київ оаз\u2014\u00a0\t",
    min_size=1,
    max_size=200,
)


@settings(max_examples=80, deadline=None)
@given(text=_WORDS, width=st.floats(min_value=20, max_value=200))
def test_strings_are_the_lines_the_paragraph_would_break(text: str, width: float) -> None:
    """Whenever a cell is drawn as strings, they are the lines reportlab's paragraph
    breaks the same text into, word for word, so the height is the same too."""
    cell = TextCell(text, CELL)
    shown = cell.strings(width - SIDES)
    if shown is None:
        return
    para = cell.paragraph()
    _, height = para.wrap(width - SIDES, 10_000)
    assert shown == _lines(para)
    assert height == len(shown) * CELL.leading


def _lines(para: Paragraph) -> list[str]:
    """The lines reportlab broke a paragraph into, words between single spaces."""
    out = []
    broken: Any = para
    for line in broken.blPara.lines:
        if isinstance(line, tuple):  # one fragment: (unused width, words)
            out.append(" ".join(line[1]))
        else:  # several fragments (an escaped & < >): each with its text
            out.append(" ".join("".join(frag.text for frag in line.words).split(" ")))
    return [
        " ".join(text.replace("\u00a0", "\x00").split()).replace("\x00", "\u00a0") for text in out
    ]


def test_breaks_agree_at_every_width() -> None:
    """Every quarter point from 20 to 160 points: the boundary cases, where a space may
    shrink to keep a word on its line, included."""
    text = "body_blake3: 6d3010d9548b; key: r1-w0; status: verified by the team in Kyiv"
    for step in range(560):
        width = 20 + step / 4
        cell = TextCell(text, CELL)
        shown = cell.strings(width)
        if shown is None:
            continue
        para = cell.paragraph()
        para.wrap(width, 10_000)
        assert shown == _lines(para), width
