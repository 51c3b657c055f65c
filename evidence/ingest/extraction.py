"""What an extractor found in a captured file: the text claims quote, metadata, notes.

Every extractor (HTML, PDF, the payload of a WARC response) returns an
:class:`Extraction`. Its ``text`` is already normalised (Unicode NFC, ``\\n`` line ends,
see :func:`evidence.ingest.text.normalise_text`), so offsets count in it directly; its
``notes`` are the transformations made on the way, which the source record keeps
(the Berkeley Protocol asks that every transformation of collected material be
recorded); its ``warnings`` are what the person adding the file must be told, such as
"no text could be extracted", and are not part of the record.

The extraction libraries report through :mod:`logging`, under the loggers named in
:data:`EXTRACTOR_LOGGERS`. The library leaves logging alone (the logging configuration
of a process is the application's): the command line shows what pypdf says about a
damaged PDF as a warning and keeps the HTML extractors' notes about their heuristics
quiet (``evidence.cli._output.configure_logging``).

Example:
    >>> found = Extraction(text="Text.\\n", meta={"title": "T"})
    >>> found.has_text
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

__all__ = ["EXTRACTOR_LOGGERS", "Extraction"]

EXTRACTOR_LOGGERS: Final[dict[str, Literal["show", "quiet"]]] = {
    "pypdf": "show",
    "trafilatura": "quiet",
    "htmldate": "quiet",
    "courlan": "quiet",
    "justext": "quiet",
}
"""The loggers the extraction libraries report through, and what a command line does with
their warnings: pypdf's say what is damaged in a PDF the person is adding ("show"); the
HTML extractors' are about their own heuristics, not about the evidence ("quiet")."""


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
