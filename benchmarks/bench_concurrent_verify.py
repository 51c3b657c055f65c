"""verify while add runs (issue 11, item 5): a reader must never see half a write.

Usage::

    python benchmarks/bench_concurrent_verify.py --rounds 200

One process adds small articles in a loop (``evidence add`` through ``main()``, one file
per call); this process runs ``verify_case`` rounds on the same case meanwhile. Every
finding that is not OK is a false finding (the case is never damaged). The run is done
twice, with the reader lock (what ``verify`` does) and with the reader lock switched off
(what it did before), and the two counts are printed side by side.

The articles are numbered sentences written by this script.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

ADDER = """
    import sys, time
    from pathlib import Path
    from evidence.cli import main
    case, folder = Path(sys.argv[1]), Path(sys.argv[2])
    n = 0
    while not (folder / "stop").exists():
        n += 1
        src = folder / f"a{n}.txt"
        src.write_text(f"date 2024-07-08 Report number {n}: a shelter was opened.\\n")
        code = main(["add", str(case), str(src), "--actor", "bench"])
        if code not in (0,):
            print(f"add exited {code}", file=sys.stderr, flush=True)
    print(n, flush=True)
"""


@contextlib.contextmanager
def adding(case: Path, folder: Path, outcome: dict[str, str]) -> Iterator[None]:
    """A process adding one article at a time to ``case`` until the context ends; its
    stdout and stderr are put in ``outcome``."""
    env = {**os.environ, "EVIDENCE_ACTOR": "bench"}
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(ADDER), str(case), str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        yield
    finally:
        (folder / "stop").touch()
        outcome["out"], outcome["err"] = proc.communicate(timeout=120)


def false_findings(case: Path, rounds: int, *, locked: bool = True) -> tuple[int, int, float]:
    """Run ``rounds`` verifications while another process adds; return (rounds with a
    false finding, adds done, seconds)."""
    import evidence._fs as fs
    from evidence.verify.case import verify_case

    real = fs.case_read_lock
    if not locked:
        fs.case_read_lock = lambda root: contextlib.nullcontext()  # type: ignore[assignment,return-value]
    bad = 0
    start = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="evidence-adder-"))
    try:
        outcome: dict[str, str] = {}
        with adding(case, folder, outcome):
            while not list(case.glob("records/SRC-*.json")):
                time.sleep(0.01)
            for _ in range(rounds):
                report = verify_case(case)
                if report.problems():
                    bad += 1
        adds = int(outcome["out"].strip().splitlines()[-1])
        if "exited" in outcome["err"]:
            print(outcome["err"].strip().splitlines()[-1], file=sys.stderr)
    finally:
        fs.case_read_lock = real
    return bad, adds, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    from evidence.case import Case

    for locked in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            case = Path(tmp) / "case"
            Case.init(case, case_id="BENCH", title="Bench", ern_prefix="B", actor="bench")
            bad, adds, seconds = false_findings(case, args.rounds, locked=locked)
            label = "with the reader lock   " if locked else "without the reader lock"
            print(
                f"{label}: {bad} of {args.rounds} verify rounds had false findings "
                f"({adds} adds meanwhile, {seconds:.1f} s)"
            )


if __name__ == "__main__":
    main()
