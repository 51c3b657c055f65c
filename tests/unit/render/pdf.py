"""Reading dossiers back for the tests: text by page (pypdf), fonts, the outline, tools."""

from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader

__all__ = ["Line", "fonts", "norm", "outline_pages", "page_lines", "page_texts", "squeeze", "tool"]


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


@functools.cache
def _lines(path: Path, stamp: float) -> tuple[tuple[Line, ...], ...]:
    pages = []
    for page in PdfReader(path).pages:
        runs: list[Line] = []

        def visit(
            text: str, cm: Any, tm: Any, _font: Any, _size: Any, runs: list[Line] = runs
        ) -> None:
            if text.strip():
                runs.append(
                    Line(round(tm[5] * cm[3] + cm[5], 1), round(tm[4] + cm[4], 1), text.strip())
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
