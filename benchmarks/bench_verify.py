"""Benchmarks of issue 10: what failing closed costs verify.

Usage::

    python benchmarks/bench_verify.py case --sources 2000 --base 13ca0f2 --rounds 3
    python benchmarks/bench_verify.py dossier --rounds 3

- case: one large case (``sources`` articles with ten claims each: 11 records a source) is
  built and sealed once; then ``evidence verify`` of this tree and of the ``--base``
  commit (extracted with ``git archive``) run in turn, each in a fresh process on the same
  folder, ``rounds`` times; the report gives the medians and their ratio (the issue asks
  for within 1.10x). The closed-world scan and the trust rules are the new work.
- dossier: the example case is built and ``evidence render`` writes its dossier; then
  ``evidence verify dossier.pdf`` (which now renders the embedded data again and compares)
  runs; the ratio of the medians is verify time over render time (the issue asks for at
  most 1.5x).

Both run the real command line (``python -m evidence``) with start-up included.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], *, tree: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree), "EVIDENCE_ACTOR": "bench"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "evidence", *args], env=env,
                          capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"evidence {' '.join(args)} failed:\n{done.stderr.decode()}")
    return elapsed


def _base_tree(commit: str, workdir: Path) -> Path:
    dest = workdir / f"base-{commit}"
    dest.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "evidence",
                              "schemas", "templates", "examples"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    # the shipped resources live at the top of the repository (see pyproject.toml)
    for name in ("schemas", "templates", "examples"):
        target = dest / "evidence" / name
        if not target.exists() and (dest / name).exists():
            target.symlink_to(dest / name, target_is_directory=True)
    return dest


def bench_case(sources: int, base: str, rounds: int, workdir: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    make_case = importlib.import_module("bench_core")._make_case  # the same generated case

    case = workdir / "case"
    t0 = time.perf_counter()
    make_case(case, sources, 10)
    _run(["seal", str(case)], tree=ROOT)
    records = sources * 11
    print(f"case of {records} records built and sealed in {time.perf_counter() - t0:.0f} s")
    old_tree = _base_tree(base, workdir)
    _run(["verify", str(case)], tree=ROOT)  # warm the page cache once for both
    new, old = [], []
    for _ in range(rounds):
        old.append(_run(["verify", str(case)], tree=old_tree))
        new.append(_run(["verify", str(case)], tree=ROOT))
    o, n = statistics.median(old), statistics.median(new)
    print(f"verify {records} records: base {base} {o:.2f} s, this tree {n:.2f} s "
          f"(medians of {rounds}); ratio {n / o:.3f}x (target <= 1.10x)")


def bench_dossier(rounds: int, workdir: Path) -> None:
    case = workdir / "demo"
    _run(["demo", str(case)], tree=ROOT)
    pdf = workdir / "dossier.pdf"
    renders, verifies = [], []
    for _ in range(rounds):
        pdf.unlink(missing_ok=True)
        renders.append(_run(["render", str(case), "--template", "icc-otp", "-o", str(pdf)],
                            tree=ROOT))
        verifies.append(_run(["verify", str(pdf)], tree=ROOT))
    r, v = statistics.median(renders), statistics.median(verifies)
    print(f"dossier ({pdf.stat().st_size // 1024} KiB): render {r:.2f} s, verify by "
          f"re-rendering {v:.2f} s (medians of {rounds}); ratio {v / r:.2f}x "
          "(target <= 1.5x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    case = sub.add_parser("case")
    case.add_argument("--sources", type=int, default=10000)
    case.add_argument("--base", default="13ca0f2")
    case.add_argument("--rounds", type=int, default=3)
    dossier = sub.add_parser("dossier")
    dossier.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="evidence-bench-", dir=args.workdir))
    try:
        if args.what == "case":
            bench_case(args.sources, args.base, args.rounds, workdir)
        else:
            bench_dossier(args.rounds, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
