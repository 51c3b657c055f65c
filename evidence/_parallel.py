"""Work split over the machine's cores, for the few jobs that touch every record.

Sealing and verifying a case of 100,000 records is CPU work in Python (parsing,
canonical JSON, hashing); one process uses one core. :func:`map_chunks` runs a
module-level function over chunks of a list in forked worker processes, which inherit
everything already loaded (compiled schemas, the case state) at no cost, and falls back
to the calling process for small inputs, where starting workers costs more than it saves.

Example:
    >>> map_chunks(sum, [[1, 2], [3]], min_items=100)
    [3, 3]
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

__all__ = ["chunked", "imap_chunks", "map_chunks", "worker_count"]

T = TypeVar("T")
R = TypeVar("R")


def worker_count() -> int:
    """Cores this process may use (EVIDENCE_WORKERS overrides; 1 disables workers)."""
    configured = os.environ.get("EVIDENCE_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


_PR_SET_PDEATHSIG = 1


def _quiet_worker() -> None:
    """Set up a worker so that it dies quietly with its parent.

    Ctrl-C is the parent's to handle (it stops the pool); SIGTERM from the pool's
    ``terminate`` ends the worker without a traceback; and on Linux the kernel kills the
    worker when the parent dies (even by SIGKILL), before it could print a traceback about
    a broken pipe to the parent.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(Exception):  # not Linux: the parent's exit still ends it
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before the line above took effect
        os._exit(1)


def chunked(items: Sequence[T], parts: int) -> list[list[T]]:
    """Split ``items`` into at most ``parts`` contiguous chunks of near-equal size."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out: list[list[T]] = []
    start = 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


def map_chunks(
    func: Callable[[T], R],
    chunks: Sequence[T],
    *,
    min_items: int = 4000,
    total: int | None = None,
) -> list[R]:
    """``[func(chunk) for chunk in chunks]``, in worker processes when it pays.

    ``func`` must be a module-level function. Workers are forked, so they see the
    parent's memory as it was at the call; results come back pickled, in order.
    ``total`` is the amount of work (default: the summed lengths of the chunks); below
    ``min_items`` the work runs here.
    """
    if total is None:
        total = sum(len(c) for c in chunks)  # type: ignore[arg-type, misc]
    workers = min(worker_count(), len(chunks))
    if workers < 2 or total < min_items or "fork" not in multiprocessing.get_all_start_methods():
        return [func(chunk) for chunk in chunks]
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_quiet_worker) as pool:
        return pool.map(func, chunks, chunksize=1)


def imap_chunks(
    func: Callable[[T], R],
    chunks: Sequence[T],
    *,
    min_items: int = 4000,
    total: int,
) -> Iterator[R]:
    """Like :func:`map_chunks`, but yield each result, in order, as soon as it is ready,
    so that the caller can work on the first chunks while workers do the next ones."""
    workers = min(worker_count(), len(chunks))
    if workers < 2 or total < min_items or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            yield func(chunk)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_quiet_worker) as pool:
        yield from pool.imap(func, chunks, chunksize=1)
