"""Benchmark of ``evidence suggest`` (issue 6): quality on the labelled set, and speed.

Usage::

    python benchmarks/bench_suggest.py quality            # precision/recall per language and split
    python benchmarks/bench_suggest.py quality --misses   # … and every miss and false suggestion
    python benchmarks/bench_suggest.py speed --size-kib 1024   # per language
    python benchmarks/bench_suggest.py shapes --size-kib 20480 # lines against one line
    python benchmarks/bench_suggest.py all

Quality: every article of ``tests/data/suggest`` (the seed article and the team's own
articles in English, Ukrainian and Russian) is run through the rules and compared with
its labels (:mod:`tests.support.suggest_eval`): a suggestion matches a label when their
quotes overlap and the category fits, one to one. Printed per language and per split
(``dev``: the rules were written on it; ``test``, ``test2``: held out, see the labelled
set's README): precision, recall, F1, and over matched pairs how many figures (name,
value, qualifier), dates, place lists and speakers are exactly right.

Speed: a text of the requested size is built from the team's articles of one language
(each paragraph numbered, so that quotes stay unique as in a real article) and suggested
on, timed in this process, the whole ``suggest_text`` path (rules, anchoring, keys,
wording). ``shapes`` times the same text as normal lines and as one single line (a text
without line breaks must not be slower) and prints the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from evidence.ingest.text import parse_article
from evidence.suggest.suggestions import suggest_text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.suggest_eval import ArticleResult, Score, evaluate_set  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "suggest"
SPLITS = ("dev", "test", "test2", "test3", "test4")


def _line(label: str, score: Score) -> str:
    return (
        f"{label:<14} P={score.precision:5.3f} R={score.recall:5.3f} F1={score.f1:5.3f}"
        f"  tp={score.tp:<3} fp={score.fp:<3} fn={score.fn:<3}"
        f" facts {score.facts_exact}/{score.facts_gold} exact"
        f" ({score.facts_right}/{score.facts_suggested} suggested right)"
        f"  dates {score.dates_right}/{score.dates}"
        f"  places {score.places_right}/{score.places}"
        f"  speakers {score.speakers_right}/{score.speakers}"
        f"  category {getattr(score, 'categories_right', score.tp)}/{score.tp}"
    )


def quality(misses: bool) -> None:
    results = evaluate_set(LABELLED, splits=SPLITS)
    print(
        f"labelled set: {len(results)} articles, "
        f"{sum(r.score.tp + r.score.fn for r in results)} labelled claims"
    )
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
    print()
    for lang in ("en", "uk", "ru"):
        score = Score()
        for result in results:
            if result.language == lang:
                score.add(result.score)
        print(
            _line(f"set/{lang}", score)
            + f"  figures {score.facts_exact / max(1, score.facts_gold):.3f}"
            + f" speakers {score.speakers_right / max(1, score.speakers):.3f}"
        )
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
            print(
                f"  speaker     {label.speaker!r} labelled, {said!r} suggested «{label.quote[:50]}»"
            )


def _big_text(size: int, language: str = "all", *, single_line: bool = False) -> str:
    """About ``size`` bytes of the labelled articles (of one language, or all), each
    paragraph numbered so that quotes stay unique; as lines, or as one line."""
    paths = [
        p
        for p in sorted(LABELLED.glob("*.txt"))
        if language == "all" or p.name.startswith(f"{language}-")
    ]
    texts = [parse_article(path.read_bytes(), path=str(path)).text for path in paths]
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
    return (" " if single_line else "\n").join(lines)


def _time(text: str) -> tuple[float, int, int]:
    suggest_text(text[:4000], source_id="SRC-0001", published="2024-07-08")  # warm the caches
    start = time.perf_counter()
    items, analysis = suggest_text(
        text, source_id="SRC-0001", publisher="Bench", published="2024-07-08"
    )
    return time.perf_counter() - start, len(items), analysis.sentences


def speed(size_kib: int, language: str = "all", *, single_line: bool = False) -> float:
    """Suggest on one text; prints and returns the seconds per MiB."""
    text = _big_text(size_kib * 1024, language, single_line=single_line)
    elapsed, items, sentences = _time(text)
    size = len(text.encode("utf-8"))
    per_mib = elapsed / (size / 1024 / 1024)
    shape = "one line" if single_line else "lines"
    print(
        f"suggest {language:<3} {shape:<8} {size / 1024:8.0f} KiB ({sentences} sentences): "
        f"{elapsed:7.2f} s, {items} suggestions, {per_mib:5.2f} s/MiB"
    )
    return per_mib


def shapes(size_kib: int) -> None:
    """The same text as normal lines and as one line, in this run: the ratio."""
    lines = speed(size_kib, "all")
    one = speed(size_kib, "all", single_line=True)
    print(f"one line / lines = {one / lines:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("quality", "speed", "shapes", "all"))
    parser.add_argument("--misses", action="store_true", help="list every miss")
    parser.add_argument("--size-kib", type=int, default=1024, help="size of the speed text")
    parser.add_argument(
        "--language",
        choices=("all", "en", "uk", "ru", "each"),
        default="each",
        help="the articles the speed text is made of",
    )
    args = parser.parse_args(argv)
    if args.what in ("quality", "all"):
        quality(args.misses)
    if args.what in ("speed", "all"):
        if args.what == "all":
            print()
        for language in ("en", "uk", "ru") if args.language == "each" else (args.language,):
            speed(args.size_kib, language)
    if args.what == "shapes":
        shapes(args.size_kib)
    return 0


if __name__ == "__main__":
    sys.exit(main())
