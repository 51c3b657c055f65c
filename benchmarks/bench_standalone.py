"""The one-file verifier against ``evidence verify`` on the same large case, in one run.

    python benchmarks/bench_standalone.py [--sources 10000] [--claims-per-source 10]

Builds a case of sources x (claims + 1) records (benchmarks/bench_core.py's generator),
seals it, then times, each twice (the second warm): ``evidence verify CASE``;
``python3 -I evidence-verify.py CASE`` as an outsider runs it (Python's standard library
only, so SHA-256 paths and no BLAKE3); and the same file under this environment's Python,
where the ``blake3`` module exists and BLAKE3 is checked too. Prints seconds and the
ratios to ``evidence verify``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_core import _make_case

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "evidence" / "standalone" / "evidence-verify.py"


def _timed(args: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, check=False)
    return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=10000)
    parser.add_argument("--claims-per-source", type=int, default=10)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="evidence-bench-", dir=args.workdir))
    evidence = str(Path(sys.executable).parent / "evidence")
    outsider = str(Path(sys.base_prefix) / "bin" / "python3")
    try:
        case = work / "case"
        _make_case(case, args.sources, args.claims_per_source)
        seal_s, code = _timed([evidence, "seal", str(case)])
        assert code == 0, "seal failed"
        records = args.sources * (args.claims_per_source + 1)
        print(f"{records} records, sealed in {seal_s:.1f} s")
        runs = {
            "evidence verify": [evidence, "verify", str(case)],
            "evidence-verify.py, stdlib only (python3 -I)": [
                outsider,
                "-I",
                str(SCRIPT),
                str(case),
            ],
            "evidence-verify.py, with the blake3 module": [sys.executable, str(SCRIPT), str(case)],
        }
        base = 0.0
        for name, command in runs.items():
            times = []
            for _ in range(2):
                seconds, code = _timed(command)
                assert code == 0, f"{name} did not pass"
                times.append(seconds)
            best = min(times)
            base = base or best
            print(
                f"  {name}: {times[0]:.2f} s first, {times[1]:.2f} s second; "
                f"{best / base:.2f}x evidence verify (best of two)"
            )
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
