"""Leftovers of dead writers and crash trials (issue 11, item 4).

The next writer removes what a writer killed with SIGKILL left (after taking the lock);
pool workers die quietly with their parent; and a handful of the crash trials of
benchmarks/bench_crash.py (kill -9 during add, seal, render, export, then the same
command again and verify) run here on real processes. The 100-trial run is the benchmark.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from evidence.cli import main

BENCH = Path(__file__).parents[2] / "benchmarks" / "bench_crash.py"

PLANTED = [
    "records/.CLM-0099.1.json.4242-0.tmp",
    "records/.SRC-0099.1.json.a1b2c3d4e5f6.tmp",
    "seals/.0009.json.4242-3.tmp",
    "objects/.incoming-0123456789abcdef",
    "objects/ff/.ff00.4242-1.tmp",
    ".case.yaml.4242-9.tmp",
    "claims/.SRC-0001.yaml.4242-2.tmp",
    "out/.dossier.pdf.4242-5.tmp",
]
KEPT = [".notes.tmp", "out/keep.pdf", "out/.hidden-by-user"]


def test_the_next_writer_removes_leftovers(
    sealed_case: Path, tmp_path: Path, seed_article: Path
) -> None:
    for name in PLANTED + KEPT:
        path = sealed_case / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    package = sealed_case / "out" / ".pkg.zip.0123456789ab.tmp"
    (package / "data").mkdir(parents=True)
    staging = sealed_case / "out" / ".evidence-staging-4242-0"
    staging.mkdir()
    (staging / "case.zip").write_bytes(b"half")
    folder = sealed_case / "records" / ".CLM-0098.1.json.4242-7.tmp"  # a temp name, no file
    folder.mkdir()
    assert main(["add", str(sealed_case), str(seed_article), "--actor", "tester"]) == 0
    for name in PLANTED:
        assert not (sealed_case / name).exists(), name
    assert not package.exists()
    assert not staging.exists()
    assert not (sealed_case / "objects" / "ff").exists()  # the dead batch's empty folder
    for name in KEPT:
        assert (sealed_case / name).read_bytes() == b"half", name
    assert folder.is_dir()  # only files are removed
    folder.rmdir()
    (sealed_case / ".notes.tmp").unlink()
    assert main(["verify", str(sealed_case)]) == 0


WORKERS = """
    import sys, time
    from evidence._parallel import map_chunks

    def slow(chunk):
        time.sleep(60)
        return chunk

    print("start", flush=True)
    map_chunks(slow, [[1], [2]], workers=2, min_items=0)
"""


def test_pool_workers_die_quietly_with_their_parent(tmp_path: Path) -> None:
    script = tmp_path / "workers.py"
    script.write_text(textwrap.dedent(WORKERS))
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "start"
    time.sleep(0.5)  # the workers are running
    children = _children(proc.pid)
    assert len(children) == 2
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children):
        assert time.monotonic() < deadline, "workers outlived their parent"
        time.sleep(0.05)
    assert "Traceback" not in err


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_handful_of_crash_trials(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_crash", BENCH)
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_crash"] = bench  # its dataclass looks itself up there
    try:
        spec.loader.exec_module(bench)
    finally:
        sys.modules.pop("bench_crash", None)
    outcome = bench.run(4, 11, tmp_path)
    assert outcome.trials == 4
    assert outcome.failures == {}, outcome.notes
    assert outcome.killed_while_running >= 2  # a fast run can end before its kill
