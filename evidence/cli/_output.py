"""Terminal output: reports, progress bars (on a terminal only), plain lines when piped."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from evidence._text import HIDDEN, visible
from evidence.progress import Progress
from evidence.report import Report

__all__ = [
    "configure_logging",
    "echo",
    "json_text",
    "print_report",
    "progress",
    "quiet_pdf_warnings",
]

_MAX_LOGGED = 20


def echo(message: str = "", *, err: bool = False) -> None:
    """Print a line; control and bidirectional characters are shown as ``⟨U+XXXX⟩``."""
    click.echo(visible(message, keep="\n\t"), err=err)


def json_text(value: Any) -> str:
    """JSON for a terminal or a script: UTF-8 as it is, but control and bidirectional
    characters as ``\\uXXXX`` escapes, so that printing the JSON never applies them."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return HIDDEN.sub(
        lambda m: m.group() if m.group() == "\n" else f"\\u{ord(m.group()):04x}", text
    )


def print_report(report: Report, *, as_json: bool, title: str) -> None:
    """The readable report (one line per finding), or the JSON report of DESIGN.md."""
    if as_json:
        click.echo(json_text(report.to_dict()))
        return
    for finding in report.findings:
        click.echo(visible(str(finding)))
    latest = report.latest_seal
    if latest is not None:
        # Printed whatever the verdict, so that a recipient can pin it (--expect-root,
        # --min-seal) and see a rollback from outside.
        head = latest["custody_head"]
        click.echo(
            f"latest seal {latest['sequence']:04d} ({latest['file']}): root "
            f"{latest['root']}, {latest['size']} records, sealed_at "
            f"{latest['sealed_at']}, custody head {head['seq']} ({head['sha256']})"
        )
    counts = ", ".join(f"{n} {what}" for what, n in sorted(report.checked.items()))
    verdict = "OK" if report.ok else f"FAILED ({len(report.problems())} problem(s))"
    click.echo(f"{title}: {verdict}" + (f" — checked {counts}" if counts else ""))


@contextmanager
def progress(label: str) -> Iterator[Progress | None]:
    """A progress callback drawing a bar on a terminal; None when stderr is not one.

    Each stage gets its own bar, described as ``label: stage``, or as ``label`` alone
    when the stage has the command's own name (``sealing``)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bars

    bar = Bars(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        transient=True,
        console=_stderr_console(),
    )
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int, /) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(
                f"{label}: {stage}" if stage != label else label, total=total
            )
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield update


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


class _LoggedWarnings(logging.Handler):
    """Prints what a library logs as ``  warning: pypdf: …`` on stderr: each distinct
    message once, at most 20 (a damaged PDF can make pypdf say the same thing thousands
    of times)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a library's malformed log call
            message = str(record.msg)
        if message in self.seen or len(self.seen) >= _MAX_LOGGED:
            return
        self.seen.add(message)
        echo(f"  warning: {record.name.partition('.')[0]}: {message}", err=True)


def configure_logging() -> None:
    """The command line's logging: set here, once a run, never by the library.

    What pypdf says about a damaged PDF is shown as a warning; what the HTML extractors
    say about their heuristics is kept quiet (:data:`EXTRACTOR_LOGGERS`). Neither goes
    on to the root logger, so Python's last-resort handler prints nothing else.
    """
    from evidence.ingest.extraction import EXTRACTOR_LOGGERS

    for name, shown in EXTRACTOR_LOGGERS.items():
        _handle(name, _LoggedWarnings() if shown == "show" else _Quiet())


def quiet_pdf_warnings() -> None:
    """Keep pypdf quiet for the rest of the run: for ``verify``, whose report already says
    what is wrong with a damaged PDF (a finding, or "not a readable PDF"), pypdf's own
    notes on the same damage would only repeat it in other words."""
    _handle("pypdf", _Quiet())


def _handle(name: str, handler: logging.Handler) -> None:
    """Give a library's logger this command line's handler (replacing the one an earlier
    run in the same process set), from warnings up, not passed on to the root logger."""
    logger = logging.getLogger(name)
    for old in [h for h in logger.handlers if isinstance(h, _LoggedWarnings | _Quiet)]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False


class _Quiet(logging.NullHandler):
    """Drops a quiet library's records (a handler of its own, told apart from others)."""
