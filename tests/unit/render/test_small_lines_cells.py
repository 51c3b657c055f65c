"""Cells of a line and smaller lines under it (:class:`evidence.render.flowables.SmallLinesCell`,
a claim number with its revision and ERN): plain lines that fit are drawn by the cell, any
other cell is the paragraph it stands for, and both put the same words at the same place in
the same font and size (docs/decisions/0319-small-lines-cells.md). The texts are the team's
own."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, SimpleDocTemplate

from evidence.model import AttributionLink
from evidence.render.flowables import LongTable, SmallLinesCell, TextCell
from evidence.render.markup import esc
from evidence.render.sections import _attribution_cell, attribution_text
from tests.unit.render.pdf import page_lines
from tests.unit.render.test_table_cells import CELL, STYLES, fonts_of

SMALL = CELL.fontSize - 1


def _cell(first: str, *rest: str) -> SmallLinesCell:
    return SmallLinesCell(first, list(rest), CELL, small=SMALL)


def _drawn_by_itself(cell: SmallLinesCell, width: float = 90.0) -> bool:
    cell.wrap(width, 1000.0)
    return cell._lines is not None


def test_plain_lines_are_drawn_by_the_cell_and_the_rest_are_paragraphs() -> None:
    assert _drawn_by_itself(_cell("C-0041", "rev. 2", "ERN-0001-0007"))
    assert _drawn_by_itself(_cell("Київ 12", "rev. 1"))  # Cyrillic the face has
    assert not _drawn_by_itself(_cell("قال الشاهد", "rev. 1"))  # Arabic: bidi paragraph
    assert not _drawn_by_itself(_cell("C-1", "市場"))  # CJK: a fallback font
    assert not _drawn_by_itself(_cell("C-1", ""))  # an empty line takes no room
    assert not _drawn_by_itself(_cell("a label far too long for its narrow column", "rev. 1"))
    assert not _drawn_by_itself(_cell("C-1"))  # no smaller line: not this kind of cell


def _page(path: Path, cells: list[Flowable]) -> list[tuple[float, float, str, float]]:
    header: list[Flowable | TextCell] = [TextCell("Column", CELL) for _ in cells]
    table = LongTable(header, [cells], [110.0] * len(cells), STYLES.grid())
    SimpleDocTemplate(str(path), pagesize=A4, initialFontName=STYLES.fonts.serif).build([table])
    return sorted((r.y, r.x, r.text, r.size) for r in page_lines(path)[0])


def test_drawn_lines_and_paragraph_are_the_same(tmp_path: Path) -> None:
    def cells() -> list[SmallLinesCell]:
        return [
            _cell("C-0041", "rev. 2", "ERN-0001-0007"),
            _cell("Report 3 <b>&amp;</b>", "ERN-0003"),  # markup-like text is drawn literally
            _cell("Київ 12", "rev. 1"),
        ]

    drawn = cells()
    as_lines = _page(tmp_path / "lines.pdf", list(drawn))
    assert all(cell._lines is not None for cell in drawn)
    as_paragraphs = _page(tmp_path / "paragraphs.pdf", [c.paragraph() for c in cells()])
    assert as_lines == as_paragraphs
    assert fonts_of(tmp_path / "lines.pdf") == fonts_of(tmp_path / "paragraphs.pdf")
    assert any(text == "Report 3 <b>&amp;</b>" for _, _, text, _ in as_lines)
    assert {size for _, _, text, size in as_lines if text == "ERN-0003"} == {SMALL}


def test_an_ascii_attribution_is_plain_text_and_any_other_its_paragraph() -> None:
    plain = [
        AttributionLink("Olena Marchuk", "spokesperson", "briefing"),
        AttributionLink("Daily Ledger & Post", None, "online article"),
    ]
    cell = _attribution_cell(plain, CELL)
    assert isinstance(cell, TextCell)
    assert esc(cell.lines[0]) == attribution_text(plain)  # its paragraph: the same markup
    assert cell.lines == [
        "Olena Marchuk (spokesperson; briefing), as reported by "
        "Daily Ledger & Post (online article)"
    ]
    cyrillic = [AttributionLink("Олена Марчук", "речниця")]  # bound short words, other face
    assert not isinstance(_attribution_cell(cyrillic, CELL), TextCell)
    assert not isinstance(_attribution_cell([AttributionLink("قال الشاهد")], CELL), TextCell)
