"""evidence._parallel: job data reaches workers through the pool's initializer, the
library runs in one process unless told otherwise, and only the CLI reads
EVIDENCE_WORKERS (issue 12, item 5)."""

from __future__ import annotations

import os

import pytest

from evidence import _parallel
from evidence._parallel import chunked, imap_chunks, map_chunks
from evidence.cli.integrity import workers_for_cli


def test_one_worker_runs_here() -> None:
    here = os.getpid()
    assert map_chunks(lambda chunk: [os.getpid() for _ in chunk], [[1], [2]]) == [[here], [here]]


def test_bound_job_data_reaches_forked_workers_unpickled() -> None:
    data = {"offset": 100}
    # A lambda over local data cannot be pickled: it can only reach the workers by the
    # fork that starts them, through the pool's initializer.
    results = map_chunks(
        lambda chunk: (os.getpid(), [x + data["offset"] for x in chunk]),
        [[1, 2], [3]],
        workers=2,
        min_items=0,
    )
    assert [values for _, values in results] == [[101, 102], [103]]
    assert all(pid != os.getpid() for pid, _ in results)
    assert _parallel._worker_func is None  # nothing was set in this process


def test_imap_yields_in_order_in_workers() -> None:
    chunks = chunked(list(range(10)), 4)
    assert list(imap_chunks(sum, chunks, workers=2, min_items=0, total=10)) == [
        sum(c) for c in chunks
    ]


def test_the_library_ignores_evidence_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVIDENCE_WORKERS", "2")
    here = os.getpid()
    assert map_chunks(lambda c: os.getpid(), [[1], [2]], min_items=0) == [here, here]


@pytest.mark.parametrize(
    ("value", "expected"), [("1", 1), ("3", 3), ("", None), ("0", None), ("many", None)]
)
def test_the_cli_reads_evidence_workers(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: int | None
) -> None:
    monkeypatch.setenv("EVIDENCE_WORKERS", value)
    assert workers_for_cli() == (expected or _parallel.cpu_count())
