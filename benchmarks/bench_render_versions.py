"""Benchmark of a dossier render against another version of the code (issue 14): the same
sealed case rendered by this tree and by a baseline tree, alternately, in the same run.

Usage::

    git archive <commit> | tar -x -C /tmp/base
    python benchmarks/bench_render_versions.py --baseline /tmp/base
    python benchmarks/bench_render_versions.py --baseline /tmp/base --sources 6 \\
        --claims-per-source 50 --repeat 5 --template transmittal

Each measurement is a fresh process that imports ``evidence`` from one tree and renders the
case (end to end: verification, layout, embedding, writing). The figures are medians; the
ratio is this tree's median over the baseline's. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))

from tests.unit.render.cases import big_case  # noqa: E402

_RUN = """
import json, sys, time
from pathlib import Path
from evidence.case import Case
from evidence.render import render_dossier
case = Case.open(sys.argv[1])
start = time.perf_counter()
result = render_dossier(case, template=sys.argv[2], output=Path(sys.argv[3]), actor="bench")
print(json.dumps({"seconds": time.perf_counter() - start, "pages": result.pages}))
"""


def _measure(tree: Path, case: Path, template: str, out: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(case), template, str(out)],
        env=env,
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--sources", type=int, default=6)
    parser.add_argument("--claims-per-source", type=int, default=50)
    parser.add_argument("--template", default="icc-otp")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        case = Path(tmp) / "case"
        big_case(case, sources=args.sources, per_source=args.claims_per_source)
        times: dict[str, list[float]] = {"this": [], "baseline": []}
        pages: dict[str, float] = {}
        for i in range(args.repeat):
            order = [("this", HERE), ("baseline", args.baseline)]
            for name, tree in order if i % 2 == 0 else order[::-1]:
                figures = _measure(tree, case, args.template, Path(tmp) / f"{name}.pdf")
                times[name].append(figures["seconds"])
                pages[name] = figures["pages"]
        this, base = statistics.median(times["this"]), statistics.median(times["baseline"])
        claims = args.sources * args.claims_per_source
        print(f"{claims} claims, {args.template}, median of {args.repeat} alternated runs")
        print(f"  this tree: {this:.2f} s, {pages['this']:.0f} pages")
        print(f"  baseline:  {base:.2f} s, {pages['baseline']:.0f} pages")
        print(f"  ratio this/baseline: {this / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
