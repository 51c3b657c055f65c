"""Ingest: sources into the case, their bytes and their text, as records.

- :func:`add_sources` (and :func:`add_source` for one file) stores each file's bytes in the
  object store under its BLAKE3, normalises its text (a text or Markdown file, an HTML
  page, a PDF, a WARC or WACZ web archive) and writes a source record ``SRC-NNNN`` with
  its ``collected`` custody event;
- :func:`capture_url` fetches a page into a WARC of its own and adds it;
- :class:`AttachSpec` names a file attached to a source (a screenshot, a page's PDF).

The readers underneath, one per kind of file, are :mod:`~evidence.ingest.text`,
:mod:`~evidence.ingest.html`, :mod:`~evidence.ingest.pdf`, :mod:`~evidence.ingest.warc`
and :mod:`~evidence.ingest.web`.

Example:
    >>> # [added] = add_sources(Case.open("my-case"), [Path("article.txt")])
    >>> # print(added.record.id, added.ern)  # SRC-0001 UKR-OKH-0001
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence.ingest.add import AddResult, add_source, add_sources
    from evidence.ingest.attach import AttachSpec
    from evidence.ingest.capture import CaptureResult, capture_url

__all__ = ["AddResult", "AttachSpec", "CaptureResult", "add_source", "add_sources", "capture_url"]

_WHERE = {
    "AddResult": "add",
    "add_source": "add",
    "add_sources": "add",
    "AttachSpec": "attach",
    "CaptureResult": "capture",
    "capture_url": "capture",
}


def __getattr__(name: str) -> Any:
    """The readers are imported when first used, not with the package: every command
    line run imports :mod:`evidence.ingest.extraction` (its loggers), and a seal or a
    verify needs none of the web and archive readers (issue 17: start-up time)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
