"""evidence._parallel: job data reaches workers through the pool's initializer, the
library runs in one process unless told otherwise, and only the CLI reads
EVIDENCE_WORKERS (issue 12, item 5)."""

from __future__ import annotations

import gc
import os
import weakref

import pytest

from evidence import _parallel
from evidence._parallel import chunked, gc_paused, imap_chunks, map_chunks
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


class _Node:
    """A tracked object the tests can find among the collector's generations."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def _in_generation(obj: object, generation: int) -> bool:
    return any(o is obj for o in gc.get_objects(generation=generation))


def test_gc_paused_leaves_what_it_made_in_the_oldest_generation() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        kept = _Node()
        assert _in_generation(kept, 0)
    assert gc.isenabled()
    # not young any more: the next young collection does not walk it
    assert not _in_generation(kept, 0)
    assert not _in_generation(kept, 1)
    assert _in_generation(kept, 2)
    assert gc.get_freeze_count() == 0


def test_gc_paused_garbage_cycles_are_still_collected() -> None:
    with gc_paused():
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        probe = weakref.ref(a)
        del a, b
    assert probe() is not None  # a cycle: reference counting alone does not free it
    gc.collect()
    assert probe() is None


def test_gc_paused_keeps_a_programs_frozen_objects_frozen() -> None:
    before = _Node()
    gc.freeze()
    try:
        assert not any(_in_generation(before, n) for n in range(3))  # frozen
        with gc_paused():
            made = _Node()
        assert not any(_in_generation(before, n) for n in range(3))  # still frozen
        assert gc.get_freeze_count() > 0
        assert _in_generation(made, 0)  # and nothing moved: young as the program left it
    finally:
        gc.unfreeze()


def test_gc_paused_restores_a_disabled_collector() -> None:
    gc.disable()
    try:
        with gc_paused():
            with gc_paused():
                made = _Node()
            assert not gc.isenabled()
        assert not gc.isenabled()
        assert _in_generation(made, 0)
    finally:
        gc.enable()
