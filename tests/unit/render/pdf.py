"""Reading dossiers back for the tests: text by page (pypdf), fonts, the outline, tools."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import Any

from pypdf import PdfReader

__all__ = ["fonts", "norm", "outline_pages", "page_texts", "squeeze", "tool"]


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
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
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
