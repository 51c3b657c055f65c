"""Benchmark of ``evidence suggest`` (issue 6): quality on the labelled set, and speed.

Usage::

    python benchmarks/bench_suggest.py quality            # precision/recall per language and split
    python benchmarks/bench_suggest.py quality --misses   # … and every miss and false suggestion
    python benchmarks/bench_suggest.py speed --size-kib 1024
    python benchmarks/bench_suggest.py all

Quality: every article of ``tests/data/suggest`` (the seed article and the team's own
articles in English, Ukrainian and Russian) is run through the rules and compared with
its labels (:mod:`evidence.claims.evaluate`): a suggestion matches a label when their
quotes overlap and the category fits, one to one. Printed per language and per split
(``dev``: the rules were written on it; ``test``, ``test2``: held out, see the labelled
set's README): precision, recall, F1, and over matched pairs how many figures (name,
value, qualifier), dates, place lists and speakers are exactly right.

Speed: a text of the requested size is built from the team's articles (each paragraph
numbered, so that quotes stay unique as in a real article) and suggested on, timed in
this process, the whole ``suggest_text`` path (rules, anchoring, keys, wording).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from evidence.claims.evaluate import ArticleResult, Score, evaluate_set
from evidence.claims.suggest import suggest_text
from evidence.ingest.text import parse_article

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "data" / "suggest"
SPLITS = ("dev", "test", "test2", "test3")


def _line(label: str, score: Score) -> str:
    return (f"{label:<14} P={score.precision:5.3f} R={score.recall:5.3f} F1={score.f1:5.3f}"
            f"  tp={score.tp:<3} fp={score.fp:<3} fn={score.fn:<3}"
            f" facts {score.facts_exact}/{score.facts_gold} exact"
            f" ({score.facts_right}/{score.facts_suggested} suggested right)"
            f"  dates {score.dates_right}/{score.dates}"
            f"  places {score.places_right}/{score.places}"
            f"  speakers {score.speakers_right}/{score.speakers}"
            f"  category {score.categories_right}/{score.tp}")


def quality(misses: bool) -> None:
    results = evaluate_set(LABELLED, splits=SPLITS)
    print(f"labelled set: {len(results)} articles, "
          f"{sum(r.score.tp + r.score.fn for r in results)} labelled claims")
    print()
    for split in SPLITS:
        chosen = [r for r in results if r.split == split]
        total = Score()
        for lang in ("en", "uk", "ru"):
            score = Score()
            for result in chosen:
                if result.language == lang:
                    score.add(result.score)
            total.add(score)
            print(_line(f"{split}/{lang}", score))
        print(_line(f"{split}/all", total))
        print()
    held = Score()
    for result in results:
        if result.split != "dev":
            held.add(result.score)
    print(_line("held-out/all", held))
    if misses:
        _print_misses(results)


def _print_misses(results: list[ArticleResult]) -> None:
    for result in results:
        if not (result.misses or result.false or result.wrong_facts or result.wrong_speakers):
            continue
        print(f"\n{result.name} ({result.language}, {result.split})")
        for label in result.misses:
            print(f"  missed      {label.category:<10} «{label.quote}»")
        for item in result.false:
            print(f"  not labelled {item.category:<10} «{item.quote}»")
        for label, item in result.wrong_facts:
            gold = {k: (v.get("qualifier"), v.get("value")) for k, v in label.facts.items()}
            found = {k: (v.get("qualifier"), v.get("value")) for k, v in item.facts.items()}
            print(f"  facts       {gold} labelled, {found} suggested «{label.quote[:60]}»")
        for label, item in result.wrong_speakers:
            said = item.attributed_to[0]["name"] if len(item.attributed_to) > 1 else "(outlet)"
            print(f"  speaker     {label.speaker!r} labelled, {said!r} suggested"
                  f" «{label.quote[:50]}»")


def _big_text(size: int) -> str:
    texts = [parse_article(path.read_bytes(), path=str(path)).text
             for path in sorted(LABELLED.glob("*.txt"))]
    lines: list[str] = []
    total = 0
    round_ = 0
    while total < size:
        for para in texts[round_ % len(texts)].split("\n"):
            if para.strip():
                para = f"{para.rstrip()} (Update {round_}.)"
            lines.append(para)
            total += len(para.encode("utf-8")) + 1
        round_ += 1
    return "\n".join(lines)


def speed(size_kib: int) -> None:
    text = _big_text(size_kib * 1024)
    suggest_text(text[:4000], source_id="SRC-0001", published="2024-07-08")  # warm the caches
    start = time.perf_counter()
    items, analysis = suggest_text(text, source_id="SRC-0001", publisher="Bench",
                                   published="2024-07-08")
    elapsed = time.perf_counter() - start
    size = len(text.encode("utf-8"))
    print(f"suggest on {size / 1024:.0f} KiB ({len(text)} code points, {analysis.sentences} "
          f"sentences): {elapsed:.2f} s, {len(items)} suggestions, "
          f"{size / 1024 / elapsed:.0f} KiB/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("quality", "speed", "all"))
    parser.add_argument("--misses", action="store_true", help="list every miss")
    parser.add_argument("--size-kib", type=int, default=1024, help="size of the speed text")
    args = parser.parse_args(argv)
    if args.what in ("quality", "all"):
        quality(args.misses)
    if args.what in ("speed", "all"):
        if args.what == "all":
            print()
        speed(args.size_kib)
    return 0


if __name__ == "__main__":
    sys.exit(main())
