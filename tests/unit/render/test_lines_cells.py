"""Cells of plain text parts in their own sizes (:class:`evidence.render.flowables.LinesCell`:
a statement with its figures under it, a status with a red remark): when every part is
plain text the cell breaks and draws its lines itself, exactly as reportlab's paragraph of
the same markup would; any other cell is that paragraph
(docs/decisions/0324-statement-cells.md). The texts are the team's own."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, SimpleDocTemplate

from evidence.render.flowables import Lines, LinesCell, LongTable, TextCell
from evidence.render.markup import esc
from tests.unit.render.pdf import page_lines
from tests.unit.render.test_table_cells import CELL, SIDES, STYLES, _lines, fonts_of

SMALL = CELL.fontSize - 1
ITALIC = STYLES.fonts.italic
RED = HexColor("#8b1a1a")


def _cell(statement: str, figures: str, note: str | None = None) -> LinesCell:
    """A statement cell as the claims table makes it (sections.claim_rows)."""
    markup = f"{esc(statement)}<br/><font size='{SMALL}'>{esc(figures)}</font>"
    parts = [Lines(statement, CELL.fontName, CELL.fontSize), Lines(figures, CELL.fontName, SMALL)]
    if note is not None:
        markup += f"<br/><font size='{SMALL}'><i>Note: {esc(note)}</i></font>"
        parts.append(Lines(f"Note: {note}", ITALIC, SMALL))
    return LinesCell(parts, markup, CELL)


def _flagged(status: str, flag: str) -> LinesCell:
    markup = (
        f"<i>{esc(status)}</i><br/><font size='{SMALL}' color='#8b1a1a'>"
        f"Not borne out: {esc(flag)}</font>"
    )
    parts = [
        Lines(status, ITALIC, CELL.fontSize),
        Lines(f"Not borne out: {flag}", CELL.fontName, SMALL, RED),
    ]
    return LinesCell(parts, markup, CELL)


STATEMENT = "The strike on the hospital in Kyiv killed 2 people and injured 16, the mayor said"
FIGURES = "killed: at least 2 people; injured: 16 people; date: 8 July 2024; places: Kyiv"


def _self_drawn(cell: LinesCell, width: float = 180.0) -> bool:
    cell.wrap(width, 10_000)
    return cell._lines is not None


def test_plain_parts_are_drawn_by_the_cell_and_the_rest_are_paragraphs() -> None:
    assert _self_drawn(_cell(STATEMENT, FIGURES))
    assert _self_drawn(_cell(STATEMENT, FIGURES, "the count rose later that day"))
    assert _self_drawn(_cell("Удар по лікарні в Києві", "загинули: 2"))  # Cyrillic the face has
    assert _self_drawn(_flagged("reported", "no claim of another origin supports it"))
    assert not _self_drawn(_cell("قال الشاهد إن المستشفى أصيب", FIGURES))  # Arabic: bidi
    assert not _self_drawn(_cell("医院 被 击中", FIGURES))  # Chinese: a fallback font
    assert not _self_drawn(_cell(STATEMENT, ""))  # an empty part takes no room
    assert not _self_drawn(_cell("x" * 80, FIGURES))  # a word wider than the column
    assert not _self_drawn(_cell(STATEMENT + " & more words than one line holds", FIGURES))


def test_breaks_agree_with_the_paragraph_at_every_width() -> None:
    """Every quarter point from 40 to 200 points, the boundary cases included: whenever
    the cell draws itself, its lines are the paragraph's, word for word, and so is the
    height."""
    drawn = 0
    for step in range(640):
        width = 40 + step / 4
        cell = _cell(STATEMENT, FIGURES, "the count rose later that day")
        cell.wrap(width, 10_000)
        if cell._lines is None:
            continue
        drawn += 1
        para = cell.paragraph()
        _, height = para.wrap(width, 10_000)
        assert [line for line, _ in cell._lines] == _lines(para), width
        assert cell.height == height, width
    assert drawn > 300  # the margin leaves out only widths near a boundary


_TEXT = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789 .,;:-'\"Київ оаз\u2014\u00a0\u201c\u201d",
    min_size=1,
    max_size=160,
)


@settings(max_examples=80, deadline=None)
@given(statement=_TEXT, figures=_TEXT, note=st.none() | _TEXT, width=st.floats(30, 260))
def test_lines_are_the_lines_the_paragraph_would_break(
    statement: str, figures: str, note: str | None, width: float
) -> None:
    cell = _cell(statement, figures, note)
    cell.wrap(width - SIDES, 10_000)
    if cell._lines is None:
        return
    para = cell.paragraph()
    _, height = para.wrap(width - SIDES, 10_000)
    assert [line for line, _ in cell._lines] == _lines(para)
    assert cell.height == height


def _page(path: Path, cells: list[Flowable]) -> list[tuple[float, float, str, float]]:
    header: list[Flowable | TextCell] = [TextCell("Column", CELL) for _ in cells]
    table = LongTable(header, [cells], [130.0] * len(cells), STYLES.grid())
    SimpleDocTemplate(str(path), pagesize=A4, initialFontName=STYLES.fonts.serif).build([table])
    return sorted((round(r.y, 3), round(r.x, 3), r.text, r.size) for r in page_lines(path)[0])


def test_drawn_lines_and_paragraph_are_the_same(tmp_path: Path) -> None:
    def cells() -> list[LinesCell]:
        return [
            _cell(STATEMENT, FIGURES, "the count rose later that day"),
            _cell("Удар по лікарні в Києві, повідомив мер", "загинули: 2; date: 8 July 2024"),
            _flagged("corroborated", "no claim of another origin, in another source, supports it"),
            _cell("Report 3 <b>&amp;</b> more", "figure: 4 < 5"),  # drawn literally
        ]

    drawn = cells()
    as_lines = _page(tmp_path / "lines.pdf", list(drawn))
    assert all(cell._lines is not None for cell in drawn)
    as_paragraphs = _page(tmp_path / "paragraphs.pdf", [c.paragraph() for c in cells()])
    assert as_lines == as_paragraphs
    assert fonts_of(tmp_path / "lines.pdf") == fonts_of(tmp_path / "paragraphs.pdf")
    assert any(text == "figure: 4 < 5" for _, _, text, _ in as_lines)
    assert {size for _, _, text, size in as_lines if text.startswith("Not borne")} == {SMALL}
