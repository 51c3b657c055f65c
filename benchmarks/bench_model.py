"""Benchmark of issue 12 (item 4): what the model's checks on construction cost.

Usage::

    python benchmarks/bench_model.py --base b09bb5a --rounds 5

The example case is built once; its record documents are parsed with ``Record.from_dict``
by this tree and by the ``--base`` commit (extracted with ``git archive``), in turn, each
in a fresh process, ``rounds`` times over; the report gives microseconds per record (the
best of the rounds), the ratio this tree / base, and, measured in the same process, what
the first gate (the JSON Schema validation every loader runs before ``from_dict``) costs
per record.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SNIPPET = """
import json, sys, time
from evidence.model import Record
from evidence.schema import is_valid
docs = json.loads(open(sys.argv[1], encoding="utf-8").read())
rounds, repeat = int(sys.argv[2]), 200

def best(fn):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            for doc in docs:
                fn(doc)
        times.append(time.perf_counter() - start)
    return min(times) / (repeat * len(docs)) * 1e6

model = best(Record.from_dict)
schema = best(lambda doc: is_valid(doc["kind"], doc))
print(json.dumps({"model_us": model, "schema_us": schema}))
"""


def _measure(tree: Path, docs: Path, rounds: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _SNIPPET, str(docs), str(rounds)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from evidence.demo import build_demo
    from evidence.store import record_slice

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build_demo(work / "case", actor="bench")
        docs = []
        for path in sorted((work / "case" / "records").glob("*.json")):
            body = record_slice(path.read_bytes())
            assert body is not None
            docs.append(json.loads(body))
        (work / "docs.json").write_text(json.dumps(docs), encoding="utf-8")
        base = work / "base"
        base.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.base, "evidence", "schemas"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        # Alternate the two trees, a fresh process each time, and keep each one's best:
        # the machine is shared, so the best is the least disturbed measurement.
        this: dict[str, float] = {}
        then: dict[str, float] = {}
        for _ in range(args.rounds):
            for tree, best in ((ROOT, this), (base, then)):
                now = _measure(tree, work / "docs.json", 3)
                for key, value in now.items():
                    best[key] = min(best.get(key, value), value)
    print(f"{len(docs)} records of the example case, best of {args.rounds} rounds")
    print(f"Record.from_dict, base {args.base}: {then['model_us']:.1f} us/record")
    print(f"Record.from_dict, this tree:      {this['model_us']:.1f} us/record")
    print(f"ratio this / base: {this['model_us'] / then['model_us']:.2f}")
    print(
        f"JSON Schema validation (the first gate), this tree: {this['schema_us']:.1f} us/record; "
        f"from_dict is {this['model_us'] / this['schema_us']:.2f} of it"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
