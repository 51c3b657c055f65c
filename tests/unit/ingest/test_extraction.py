"""Extractors leave logging alone: the process's logging configuration is the application's."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from evidence.ingest.extraction import EXTRACTOR_LOGGERS
from evidence.ingest.html import extract_html
from evidence.ingest.pdf import extract_pdf
from tests.support.http_server import pdf_bytes

RELEASE = [
    [
        "Press release, 9 July 2024",
        "Engineers completed a first inspection of the damaged hospital wing on Tuesday.",
    ]
]
PAGE = (
    "<html><head><title>Inspection</title></head><body><article><h1>Inspection</h1>"
    "<p>Engineers completed a first inspection of the damaged hospital wing on Tuesday. "
    "At least three floors will need structural repairs, the council said.</p>"
    "<p>Written by the evidence project team as test material.</p></article></body></html>"
)


def damaged_pdf() -> bytes:
    """A PDF whose ``startxref`` points nowhere: pypdf reads it, and logs a warning."""
    data = pdf_bytes(RELEASE)
    cut = data.rfind(b"startxref")
    return data[:cut] + b"startxref\n99999\n%%EOF\n"


def _state(name: str) -> tuple[bool, int, tuple[logging.Handler, ...]]:
    logger = logging.getLogger(name)
    return logger.propagate, logger.level, tuple(logger.handlers)


class _Recorder(logging.Handler):
    """What an application's handler sees, and the logger's state at that moment."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []
        self.states: list[tuple[bool, int, tuple[logging.Handler, ...]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.states.append(_state("pypdf"))


@pytest.fixture
def recorder() -> Iterator[_Recorder]:
    """A handler on pypdf's logger, as an application would attach one."""
    logger = logging.getLogger("pypdf")
    handler = _Recorder()
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_pdf_extraction_neither_hides_nor_reconfigures_pypdf_logging(
    recorder: _Recorder,
) -> None:
    before = {name: _state(name) for name in (*EXTRACTOR_LOGGERS, "")}
    found = extract_pdf(io.BytesIO(damaged_pdf()), path="release.pdf")
    assert found.has_text
    # The application's handler got pypdf's warning, and while pypdf spoke its logger
    # was configured exactly as the application left it.
    assert any("startxref" in message for message in recorder.messages)
    assert set(recorder.states) == {before["pypdf"]}
    assert {name: _state(name) for name in before} == before
    # pypdf's log is the application's to show; the extraction's own warnings are its own.
    assert not any("startxref" in warning for warning in found.warnings)


def test_html_extraction_leaves_the_loggers_as_they_were() -> None:
    import trafilatura  # what its own modules set up on import is theirs, not ours

    assert trafilatura.__version__
    before = {name: _state(name) for name in (*EXTRACTOR_LOGGERS, "")}
    found = extract_html(PAGE.encode(), path="page.html")
    assert found.has_text
    assert {name: _state(name) for name in before} == before
