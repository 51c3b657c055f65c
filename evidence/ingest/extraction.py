"""What an extractor found in a captured file: the text claims quote, metadata, notes.

Every extractor (HTML, PDF, the payload of a WARC response) returns an
:class:`Extraction`. Its ``text`` is already normalised (Unicode NFC, ``\\n`` line ends,
see :func:`evidence.ingest.text.normalise_text`), so offsets count in it directly; its
``notes`` are the transformations made on the way, which the source record keeps
(the Berkeley Protocol asks that every transformation of collected material be
recorded); its ``warnings`` are what the person adding the file must be told, such as
"no text could be extracted", and are not part of the record.

The extraction libraries report through :mod:`logging`; with no handler configured,
Python would print their warnings on stderr. :func:`captured_logs` collects them
instead, because the library never prints.

Example:
    >>> found = Extraction(text="Text.\\n", meta={"title": "T"})
    >>> found.has_text
    True
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["Extraction", "captured_logs"]

_MAX_KEPT: Final = 20


@dataclass(frozen=True)
class Extraction:
    """Text (normalised, or None when there is none) and what was learnt on the way.

    Attributes:
        text: the normalised text claims quote, or None when none could be extracted.
        meta: title, authors, published, publisher, url, canonical_url, language, as found.
        notes: transformations made, kept in the source record.
        warnings: what the user must be told; not kept in the record.
    """

    text: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def has_text(self) -> bool:
        """True when there is text to quote."""
        return bool(self.text and self.text.strip())


class _Collector(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < _MAX_KEPT:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # a library's malformed log call
                message = str(record.msg)
            if message not in self.messages:
                self.messages.append(message)


@contextlib.contextmanager
def captured_logs(*names: str, level: int = logging.WARNING) -> Iterator[list[str]]:
    """Collect what the named loggers report at ``level`` or above, instead of printing it.

    Yields the list the messages are appended to (distinct messages, at most 20).
    """
    collector = _Collector(level)
    loggers = [logging.getLogger(name) for name in names]
    saved = [(lg.propagate, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(collector)
        lg.propagate = False
        if lg.level == logging.NOTSET or lg.level > level:
            lg.setLevel(level)
    try:
        yield collector.messages
    finally:
        for lg, (propagate, lvl) in zip(loggers, saved, strict=True):
            lg.removeHandler(collector)
            lg.propagate = propagate
            lg.setLevel(lvl)
