"""Benchmark of issue 18: what reading page furniture and the time of each count costs.

Usage::

    python benchmarks/bench_dates.py --size-kib 256

A text of the requested size is built from the team's pages in
``tests/data/suggest/dates`` (furniture, update stamps, rising counts; each copy's
paragraphs numbered so that quotes stay unique). In the same run it times the whole
``suggest_text`` path and, alone, the three steps issue 18 added to it (finding the
furniture lines and blanking them, finding the update stamps, and the ``as_of`` of every
line), and prints their share of the whole as a ratio. Medians of five runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from evidence.ingest.text import parse_article
from evidence.language.furniture import blank, furniture_spans
from evidence.language.lexicon import fold_text
from evidence.suggest.suggestions import suggest_text
from evidence.suggest.times import Clock

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "data" / "suggest" / "dates"


def _text(size: int) -> str:
    pages = [parse_article(p.read_bytes(), path=p.name).text for p in sorted(PAGES.glob("*.txt"))]
    parts: list[str] = []
    copy = 0
    while sum(map(len, parts)) < size:
        copy += 1
        for page in pages:
            parts.append(
                "\n".join(
                    f"{line} (№{copy})" if len(line.split()) > 3 else line
                    for line in page.splitlines()
                )
                + "\n"
            )
    return "".join(parts)


def _median(run: Callable[[], object], times: int = 5) -> float:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return statistics.median(out)


def _added_steps(text: str, folded: str) -> None:
    blank(text, furniture_spans(text))
    clock = Clock(folded, "2025-03-12T08:50:00Z")
    at = 0
    for line in folded.split("\n"):
        clock.as_of(at, at + len(line))
        at += len(line) + 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-kib", type=int, default=256)
    args = parser.parse_args()
    text = _text(args.size_kib * 1024)
    whole = _median(
        lambda: suggest_text(
            text, source_id="SRC-0001", publisher="P", published="2025-03-12T08:50:00Z"
        )
    )
    folded = fold_text(text)  # the rules fold the text anyway, with or without these steps
    added = _median(lambda: _added_steps(text, folded))
    print(f"text: {len(text):,} characters, {text.count(chr(10)):,} lines")
    print(f"suggest_text, whole path: {whole:.3f} s")
    print(
        f"furniture + stamps + as_of: {added:.3f} s (ratio to the whole path: {added / whole:.3f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
