"""The one progress callback every long-running function of the library takes.

A function that works for a while (seal, verify, render, export, import, demo) takes
``progress: Progress | None = None`` and calls it now and then with the stage it is in,
how much of that stage is done and how much there is in all. The unit is the stage's
own (records, leaves, bytes, pages); ``done`` only grows within a stage and ends equal
to ``total``. The callback must not raise, and may be called from a worker thread.

The command line passes a callback that draws one bar per stage on a terminal
(``evidence.cli._output.progress``); ``evidence serve`` keeps the last call to show it
on its page; a script can pass any function of three positional arguments.

Example:
    >>> seen = []
    >>> def log(stage: str, done: int, total: int) -> None:
    ...     seen.append(f"{stage} {done}/{total}")
    >>> callback: Progress = log
    >>> callback("sealing", 1, 4)
    >>> seen
    ['sealing 1/4']
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Progress"]


class Progress(Protocol):
    """``progress(stage, done, total)``: how far a stage of long work has come."""

    def __call__(self, stage: str, done: int, total: int, /) -> None:
        """Report that ``done`` of ``total`` units of ``stage`` are done."""
