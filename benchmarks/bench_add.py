"""Benchmark of issue 17, row 5: ``evidence add`` of a large exhibit against the floor.

Usage::

    python benchmarks/bench_add.py                     # the issue's size: 1 GiB, 3 rounds
    python benchmarks/bench_add.py --size-mib 256 --rounds 5

Both sides are whole processes, started the same way and interleaved (the order
alternates from round to round), with ``os.sync()`` and a settle before each:

- the floor: ``python -c`` that copies the file in 1 MiB chunks, computes SHA-256 on
  the way and fsyncs the copy (what storing the bytes durably cannot do without);
- ``evidence add CASE FILE`` into a new case: start-up, reading the case, the object
  stored with BLAKE3 and SHA-256 in one read, the record and the custody event.

Both run with compiled bytecode, as a ``pip install`` leaves it (this script drops
``PYTHONDONTWRITEBYTECODE`` for the children and warms the cache first), so that
neither pays for compiling the tool's sources on every start.

The issue asks for ``evidence add`` within 1.1x of the floor. The file is written by
this script (random bytes behind an MP4 header). The load average is printed: the
machine should be otherwise idle, since the floor needs one core and ``add`` two.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK = 1 << 20

FLOOR = """
import hashlib, os, sys
sha = hashlib.sha256()
with open(sys.argv[1], "rb", buffering=0) as fin, open(sys.argv[2], "wb", buffering=0) as fout:
    while chunk := fin.read(1 << 20):
        sha.update(chunk)
        fout.write(chunk)
    os.fsync(fout.fileno())
print(sha.hexdigest())
"""


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


CPU: list[float] = []  # CPU seconds (user + system) of each child run by _run


def _run(args: list[str]) -> float:
    """Wall seconds of a child; its CPU seconds go to :data:`CPU`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True, env=_env())
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return elapsed


def _settle() -> None:
    """Nothing of the step before may still be in flight when the next one starts."""
    os.sync()
    time.sleep(2.0)


def _exhibit(path: Path, size_mib: int) -> None:
    with open(path, "wb") as fh:
        fh.write(b"\x00\x00\x00\x18ftypmp42" + os.urandom(CHUNK - 12))
        for _ in range(1, size_mib):
            fh.write(os.urandom(CHUNK))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="Work folder (default: a temporary one).")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-add-", dir=args.dir))
    try:
        video = work / "exhibit.mp4"
        _exhibit(video, args.size_mib)
        warm = work / "warm"
        _run(["-m", "evidence", "init", str(warm)])
        _run(["-m", "evidence", "add", str(warm), str(Path(__file__))])  # compiles bytecode
        floors: list[float] = []
        adds: list[float] = []
        cpu: dict[str, list[float]] = {"floor": [], "add": []}
        loads: list[float] = []
        for n in range(args.rounds):
            case = work / f"case-{n}"
            _run(["-m", "evidence", "init", str(case)])
            for job in ("floor", "add") if n % 2 == 0 else ("add", "floor"):
                _settle()
                if job == "floor":
                    floors.append(_run(["-c", FLOOR, str(video), str(work / f"copy-{n}")]))
                else:
                    adds.append(_run(["-m", "evidence", "add", str(case), str(video)]))
                cpu[job].append(CPU[-1])
            loads.append(os.getloadavg()[0])
            print(
                f"round {n + 1}: floor {floors[-1]:.2f} s, add {adds[-1]:.2f} s, "
                f"ratio {adds[-1] / floors[-1]:.2f}; CPU seconds: floor {cpu['floor'][-1]:.2f}, "
                f"add {cpu['add'][-1]:.2f}; load average {loads[-1]:.2f}"
            )
        floor, add = statistics.median(floors), statistics.median(adds)
        print(
            f"add of {args.size_mib} MiB, medians of {args.rounds} interleaved rounds: floor "
            f"(copy + SHA-256 + fsync) {floor:.2f} s, evidence add {add:.2f} s; "
            f"ratio {add / floor:.2f}x (target <= 1.10x); {os.cpu_count()} cores, "
            f"load average {min(loads):.2f}-{max(loads):.2f}"
        )
        ratios = [a / f for a, f in zip(adds, floors, strict=True)]
        print(
            f"median of the per-round ratios {statistics.median(ratios):.2f}x; CPU seconds "
            f"(medians): floor {statistics.median(cpu['floor']):.2f}, "
            f"add {statistics.median(cpu['add']):.2f}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
