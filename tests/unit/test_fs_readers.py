"""Readers and writers of a case (issue 11, item 5): verify takes a shared lock, writers an
exclusive one, so a verification never sees half an ``add``.

Real processes: one adds articles in a loop while this one verifies. The 200-round
version, with the same run without the reader lock for comparison, is
benchmarks/bench_concurrent_verify.py.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence._fs import case_lock, case_read_lock
from evidence.case import Case
from evidence.errors import LockError
from evidence.verify.case import verify_case

ADDER = """
    import sys
    from pathlib import Path
    from evidence.cli import main
    case, folder = Path(sys.argv[1]), Path(sys.argv[2])
    n = 0
    while not (folder / "stop").exists():
        n += 1
        src = folder / f"a{n}.txt"
        src.write_text(f"date 2024-07-08 Report number {n}: a shelter was opened.\\n")
        if main(["add", str(case), str(src), "--actor", "tester"]) != 0:
            sys.exit(f"add {n} failed")
    print(n)
"""


def test_verify_during_adds_has_no_false_findings(new_case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(ADDER), str(new_case.root), str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "EVIDENCE_ACTOR": "tester"},
    )
    problems: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not list((new_case.root / "records").glob("SRC-*.json")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        for _ in range(20):
            report = verify_case(new_case.root)
            problems += [str(f) for f in report.problems()]
    finally:
        (folder / "stop").touch()
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert int(out.strip().splitlines()[-1]) >= 2  # the adds really ran while verify did
    assert problems == []


@contextlib.contextmanager
def _holding(lock: str, root: Path) -> Iterator[None]:
    """Another process holding ``lock`` (``case_lock`` or ``case_read_lock``) on ``root``
    until the context ends."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys, time; from pathlib import Path; from evidence._fs import {lock}\n"
            f"with {lock}(Path(sys.argv[1])):\n"
            "    print('held', flush=True); time.sleep(30)",
            str(root),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_reader_waits_for_the_writer(new_case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVIDENCE_LOCK_WAIT", "0.3")
    with _holding("case_lock", new_case.root):
        start = time.monotonic()
        with (
            pytest.raises(LockError, match="a writer of this case did not finish"),
            case_read_lock(new_case.root),
        ):
            pass
        assert time.monotonic() - start >= 0.3
    with case_read_lock(new_case.root), case_read_lock(new_case.root):
        pass  # readers share


def test_a_writer_waits_for_readers(new_case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVIDENCE_LOCK_WAIT", "0.3")
    with (
        _holding("case_read_lock", new_case.root),
        pytest.raises(LockError, match="a verification of this case did not finish"),
        case_lock(new_case.root),
    ):
        pass
    with case_lock(new_case.root):
        pass
