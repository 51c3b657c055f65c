"""Crash trials (issue 11, item 4): kill -9 at a random moment of add, seal, render or
export, then run the next command and verify.

Usage::

    python benchmarks/bench_crash.py --trials 100 [--seed 1]

Each trial copies a sealed case (the bundled example), starts one writer as a real
process (``python -m evidence …``), kills it with SIGKILL at a moment drawn uniformly
from its measured run time, then runs the same command again (the next writer, which
must clean what the dead one left and adopt what it completed) and ``verify``.

A trial fails when:

- the next command or ``verify`` does not exit 0;
- a file that was sealed before the trial changed or disappeared;
- a temporary file of a writer is left in the case after the next command;
- the killed process printed a Python traceback (pool workers must die quietly).

The figures printed: trials, failures by kind, and the recovery time (the next
command's wall time) against a run of the same command on an undamaged copy, as a ratio.

The articles added are written by this script (numbered sentences).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

OPS = ("add", "seal", "render", "export")
_ENV = {**os.environ, "EVIDENCE_ACTOR": "crash-bench"}


def evidence(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evidence", *args],
        capture_output=True,
        text=True,
        env=_ENV,
        timeout=timeout,
    )


def make_template(folder: Path) -> Path:
    """A sealed example case and the inputs the trials add."""
    case = folder / "template"
    done = evidence("demo", str(case))
    if done.returncode != 0:
        raise SystemExit(f"demo failed: {done.stderr}")
    inputs = folder / "inputs"
    inputs.mkdir()
    with open(inputs / "video.bin", "wb") as fh:  # large enough to be killed mid-stream
        rng = random.Random(7)
        for _ in range(48):
            fh.write(rng.randbytes(1 << 20))
    (inputs / "article.txt").write_text(
        "date 2024-07-08 "
        + " ".join(f"Sentence {n} of the crash trial article." for n in range(400))
        + "\n",
        encoding="utf-8",
    )
    return case


def _argv(op: str, case: Path, inputs: Path, trial: int) -> list[str]:
    if op == "add":
        return ["add", str(case), str(inputs / "video.bin"), str(inputs / "article.txt")]
    if op == "seal":
        return ["seal", str(case)]
    if op == "render":
        return ["render", str(case)]
    return ["export", str(case), "--bagit", str(case / "out" / f"pkg-{trial}.zip"), "--zip"]


def _prepare(op: str, case: Path, tag: str) -> None:
    """Give ``seal`` something to do: the example's claims again, under new keys."""
    if op == "seal":
        text = (case / "claims" / "SRC-0001.yaml").read_text(encoding="utf-8")
        (case / "claims" / f"{tag}.yaml").write_text(
            text.replace("- key: ", f"- key: {tag}-"), encoding="utf-8"
        )


def _sealed(case: Path) -> dict[str, bytes]:
    """Every file a seal covers or is: seals/, records/, objects/, as bytes."""
    return {
        str(p.relative_to(case)): p.read_bytes()
        for name in ("seals", "records", "objects")
        for p in sorted((case / name).rglob("*"))
        if p.is_file()
    }


def _leftovers(case: Path) -> list[str]:
    from evidence._fs import TEMP_PATTERN

    return [str(p.relative_to(case)) for p in case.rglob("*") if TEMP_PATTERN.fullmatch(p.name)]


@dataclass
class Outcome:
    trials: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    recovery: dict[str, list[float]] = field(default_factory=dict)
    clean: dict[str, list[float]] = field(default_factory=dict)
    killed_while_running: int = 0
    notes: list[str] = field(default_factory=list)

    def fail(self, kind: str, note: str) -> None:
        self.failures[kind] = self.failures.get(kind, 0) + 1
        self.notes.append(note)


def _run_killed(argv: list[str], delay: float) -> tuple[bool, str]:
    """Start ``evidence argv``, SIGKILL it after ``delay`` s; (was it still running, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "evidence", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_ENV,
    )
    time.sleep(delay)
    running = proc.poll() is None
    if running:
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    time.sleep(0.05)  # let orphaned pool workers (if any) reach their own end
    return running, err


def calibrate(template: Path, inputs: Path, work: Path, outcome: Outcome) -> dict[str, float]:
    """Seconds each command takes on an undamaged copy (also the base of the ratio)."""
    times: dict[str, float] = {}
    for op in OPS:
        case = work / f"calibrate-{op}"
        shutil.copytree(template, case)
        _prepare(op, case, "cal")
        start = time.perf_counter()
        done = evidence(*_argv(op, case, inputs, 0))
        times[op] = time.perf_counter() - start
        outcome.clean.setdefault(op, []).append(times[op])
        if done.returncode != 0:
            raise SystemExit(f"{op} failed on an undamaged case: {done.stderr}")
        shutil.rmtree(case)
    return times


def trial(
    number: int,
    op: str,
    template: Path,
    inputs: Path,
    work: Path,
    times: dict[str, float],
    rng: random.Random,
    outcome: Outcome,
) -> None:
    case = work / f"trial-{number}"
    shutil.copytree(template, case)
    tag = f"t{number}"
    _prepare(op, case, tag)
    before = _sealed(case)
    delay = rng.uniform(0.05, times[op] * 0.7)
    running, err = _run_killed(_argv(op, case, inputs, number), delay)
    outcome.trials += 1
    outcome.killed_while_running += running
    label = f"trial {number} ({op}, killed at {delay:.2f} s)"
    if "Traceback" in err:
        outcome.fail("traceback", f"{label}: the killed process printed a traceback")
    start = time.perf_counter()
    nxt = evidence(*_argv(op, case, inputs, number + 100_000))
    outcome.recovery.setdefault(op, []).append(time.perf_counter() - start)
    if nxt.returncode != 0:
        outcome.fail(
            "next-command",
            f"{label}: next {op} exited {nxt.returncode}: {nxt.stderr.strip()[:300]}",
        )
    after = _sealed(case)
    lost = [name for name, data in before.items() if after.get(name) != data]
    if lost:
        outcome.fail("sealed-lost", f"{label}: sealed files changed or lost: {lost[:3]}")
    left = _leftovers(case)
    if left:
        outcome.fail("leftovers", f"{label}: temporary files left: {left[:3]}")
    check = evidence("verify", str(case))
    if check.returncode != 0:
        outcome.fail(
            "verify",
            f"{label}: verify exited {check.returncode}: {check.stdout.strip().splitlines()[:3]}",
        )
    shutil.rmtree(case, ignore_errors=True)


def run(trials: int, seed: int, work: Path) -> Outcome:
    """Make the template, calibrate, and run ``trials`` trials, the commands in turn."""
    rng = random.Random(seed)
    template = make_template(work)
    inputs = work / "inputs"
    outcome = Outcome()
    times = calibrate(template, inputs, work, outcome)
    for number in range(trials):
        trial(number, OPS[number % len(OPS)], template, inputs, work, times, rng, outcome)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="evidence-crash-") as tmp:
        outcome = run(args.trials, args.seed, Path(tmp))
    print(f"trials: {outcome.trials} ({outcome.killed_while_running} killed while running)")
    print(f"failures: {sum(outcome.failures.values())} {outcome.failures or ''}")
    for note in outcome.notes[:20]:
        print(f"  {note}")
    for op in OPS:
        rec = statistics.median(outcome.recovery.get(op, [0.0]))
        base = statistics.median(outcome.clean.get(op, [1.0]))
        print(
            f"{op:<7} next command after a kill: median {rec:.2f} s; on an undamaged copy "
            f"{base:.2f} s (ratio {rec / base:.2f})"
        )


if __name__ == "__main__":
    main()
