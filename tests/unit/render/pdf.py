"""Reading dossiers back for the tests: text by page (pypdf), fonts, the outline, tools."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader

__all__ = [
    "Line",
    "fonts",
    "footnote_share",
    "norm",
    "outline_pages",
    "page_fill",
    "page_lines",
    "page_texts",
    "squeeze",
    "tool",
]


def norm(text: str) -> str:
    """White space folded to single spaces (extraction breaks lines where the PDF does)."""
    return " ".join(text.split())


def squeeze(text: str) -> str:
    """White space removed (digests and long words wrap across lines)."""
    return "".join(text.split())


@functools.cache
def _texts(path: Path, stamp: float) -> tuple[str, ...]:
    return tuple(page.extract_text() for page in PdfReader(path).pages)


def page_texts(path: Path) -> tuple[str, ...]:
    """The extracted text of every page, cached per file version."""
    return _texts(path, path.stat().st_mtime_ns)


@dataclass(frozen=True)
class Line:
    """A run of text on a page and where it starts, in points from the page's bottom left."""

    y: float
    x: float
    text: str
    size: float = 0.0  # the font size as drawn, in points


@functools.cache
def _lines(path: Path, stamp: float) -> tuple[tuple[Line, ...], ...]:
    pages = []
    for page in PdfReader(path).pages:
        runs: list[Line] = []

        def visit(
            text: str, cm: Any, tm: Any, _font: Any, size: Any, runs: list[Line] = runs
        ) -> None:
            if text.strip():
                scale = abs(tm[3] or 1) * abs(cm[3] or 1)
                runs.append(
                    Line(
                        round(tm[5] * cm[3] + cm[5], 1),
                        round(tm[4] + cm[4], 1),
                        text.strip(),
                        round(float(size) * scale, 2),
                    )
                )

        page.extract_text(visitor_text=visit)
        pages.append(tuple(runs))
    return tuple(pages)


def page_lines(path: Path) -> tuple[tuple[Line, ...], ...]:
    """The text runs of every page with their positions (pypdf's text visitor)."""
    return _lines(path, path.stat().st_mtime_ns)


def fonts(path: Path) -> dict[str, bool]:
    """Every font the pages use, and whether its program is embedded."""
    found: dict[str, bool] = {}
    for page in PdfReader(path).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        table = resources.get_object().get("/Font")
        if table is None:
            continue
        for ref in table.get_object().values():
            font: Any = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found[str(font.get("/BaseFont"))] = embedded
    return found


def outline_pages(path: Path) -> dict[str, int]:
    """Top-level outline (bookmark) titles and their 1-based pages."""
    reader = PdfReader(path)
    out: dict[str, int] = {}
    for item in reader.outline:
        if isinstance(item, list):
            continue
        number = reader.get_destination_page_number(item)
        if number is not None:
            out[str(item.title)] = number + 1
    return out


def tool(name: str) -> str | None:
    """The path of a command-line tool, or None when it is not installed."""
    return shutil.which(name)


def _frame(template: str) -> tuple[float, float]:
    """The bottom and top of a dress's text frame, in points from the page's bottom."""
    from evidence.render import load_template

    dress = load_template(template)
    top, _, bottom, _ = dress.margins
    return bottom, dress.page_size[1] - top


def page_fill(path: Path, template: str) -> list[float]:
    """How full each page is: the share of the text frame's height covered by lines of
    text (the union of each run's box, from a quarter of its size below the baseline to
    0.9 of it above), the running header and footer left out. A page of text is about
    0.8 full (the rest is leading); a page with one table row about 0.03."""
    low, high = _frame(template)
    fills = []
    for runs in page_lines(path):
        boxes = sorted(
            (r.y - 0.25 * r.size, r.y + 0.9 * r.size) for r in runs if low - 1 <= r.y <= high + 1
        )
        covered, start, end = 0.0, None, None
        for a, b in boxes:
            if start is None or end is None or a > end:
                covered += (end - start) if start is not None and end is not None else 0.0
                start, end = a, b
            else:
                end = max(end, b)
        covered += (end - start) if start is not None and end is not None else 0.0
        fills.append(covered / (high - low))
    return fills


def footnote_share(path: Path, template: str, pages: Sequence[int]) -> list[float]:
    """For each of ``pages`` (1-based), the share of its text's height that its footnotes
    take: the footnotes are the runs in the footnote size below the page's last line in
    the body size; the text runs from the top of the first line to the foot of the last."""
    from evidence.render import load_template

    dress = load_template(template)
    low, high = _frame(template)
    shares = []
    for number in pages:
        runs = [r for r in page_lines(path)[number - 1] if low - 1 <= r.y <= high + 1]
        body = [r.y for r in runs if r.size >= dress.type.body - 0.6]
        floor = min(body, default=high)
        notes = [r for r in runs if r.y < floor - 1 and abs(r.size - dress.type.footnote) < 0.6]
        top = max(r.y + r.size for r in runs)
        bottom = min(r.y for r in runs) - 0.25 * dress.type.footnote
        notes_top = max((r.y + r.size for r in notes), default=bottom)
        shares.append((notes_top - bottom) / (top - bottom))
    return shares
