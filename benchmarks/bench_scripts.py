"""Benchmark of the dossier in other scripts (issue 19): a 300-claim case in Arabic and one
in Chinese, rendered against the same case in English in the same run; and what the
shipped fonts cost in the wheel.

Usage::

    python benchmarks/bench_scripts.py                # 6 reports x 50 claims, icc-otp
    python benchmarks/bench_scripts.py --repeat 5 --template un-report

The three cases have the same structure: generated reports of numbered sentences (the
team's own wording, one sentence pattern per language), one claim quoting each sentence.
Measured per case: :func:`evidence.render.render_dossier` end to end (best of
``--repeat``, the three languages interleaved), and the ratio to English. Arabic costs the
shaping and bidi reordering of every right-to-left line (and its own line breaking);
Chinese costs the subsetting of a 15.7 MB font and CJK line breaking. The wheel cost is
each font file's size and its size deflated as in a wheel (zip, level 6). Figures are
printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.case import Case
from evidence.render import render_dossier
from tests.unit.render.cases import Source, build_case

FONTS = Path(__file__).resolve().parents[1] / "evidence" / "render" / "fonts"
NEW_FONTS = ("NotoNaskhArabic", "NotoSerifHebrew", "NotoSerifEthiopic", "LXGWWenKai")

_AR_DISTRICTS = ("الشمالي", "الشرقي", "الجنوبي", "الغربي", "الأوسط")
_ZH_DISTRICTS = ("北", "东", "南", "西", "中")
_EN_DISTRICTS = ("northern", "eastern", "southern", "western", "central")


def _english(report: int, i: int) -> str:
    return (
        f"In report {report}, witness {i} stated that {3 + i % 17} shells struck the "
        f"{_EN_DISTRICTS[(report + i) % 5]} district on the morning of {1 + i % 28} March."
    )


def _arabic(report: int, i: int) -> str:
    return (
        f"في التقرير {report}، قال الشاهد {i} إن {3 + i % 17} قذائف سقطت على الحي "
        f"{_AR_DISTRICTS[(report + i) % 5]} صباح يوم {1 + i % 28} آذار."
    )


def _chinese(report: int, i: int) -> str:
    comma = "\uff0c"
    return (
        f"在第{report}份报告中{comma}第{i}名证人说{comma}{1 + i % 28}日上午有{3 + i % 17}"
        f"枚炮弹落在{_ZH_DISTRICTS[(report + i) % 5]}区。"
    )


def _case(
    root: Path, language: str, sentence: Callable[[int, int], str], *, sources: int, per_source: int
) -> Case:
    items = []
    for s in range(1, sources + 1):
        lines = [sentence(s, i) for i in range(per_source)]
        claims = [
            {
                "key": f"r{s}-w{i}",
                "statement": f"Witness {i} of report {s} describes shelling.",
                "quote": line,
                "attributed_to": [{"name": f"Witness {i}"}],
                "category": "attack",
                "status": "reported",
            }
            for i, line in enumerate(lines)
        ]
        # five sentences a paragraph, as an article would have them
        text = "\n".join(" ".join(lines[k : k + 5]) for k in range(0, len(lines), 5)) + "\n"
        items.append(
            Source(
                f"report-{s:03d}.txt",
                text,
                {
                    "title": f"Report {s}",
                    "publisher": f"Outlet {s}",
                    "published": "2024-03-30",
                    "language": language,
                },
                claims,
            )
        )
    return build_case(root, items, case_id=f"BENCH-{language.upper()}", title="Scripts")


def _wheel_cost() -> None:
    print("\nfonts added by issue 19 (size on disk; deflated as in a wheel):")
    total = deflated = 0
    for path in sorted(FONTS.glob("*.ttf")):
        if not path.name.startswith(NEW_FONTS):
            continue
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            archive.write(path, path.name)
        size, packed = path.stat().st_size, len(buffer.getvalue())
        total += size
        deflated += packed
        print(f"  {path.name:34s} {size / 1e6:6.2f} MB  {packed / 1e6:6.2f} MB")
    print(f"  {'total':34s} {total / 1e6:6.2f} MB  {deflated / 1e6:6.2f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=6)
    parser.add_argument("--claims-per-source", type=int, default=50)
    parser.add_argument("--template", default="icc-otp")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (the best counts)")
    args = parser.parse_args(argv)
    languages = {"en": _english, "ar": _arabic, "zh": _chinese}
    with tempfile.TemporaryDirectory(prefix="bench-scripts-") as tmp:
        cases = {
            lang: _case(
                Path(tmp) / lang,
                lang,
                sentence,
                sources=args.sources,
                per_source=args.claims_per_source,
            )
            for lang, sentence in languages.items()
        }
        claims = args.sources * args.claims_per_source
        print(
            f"cases: {args.sources} sources, {claims} claims each; template "
            f"{args.template}; best of {args.repeat} runs, languages interleaved"
        )
        best = dict.fromkeys(languages, float("inf"))
        pages: dict[str, int] = {}
        sizes: dict[str, int] = {}
        for run in range(args.repeat):
            for lang, case in cases.items():
                start = time.perf_counter()
                result = render_dossier(
                    Case.open(case.root),
                    template=args.template,
                    output=Path(tmp) / f"{lang}-{run}.pdf",
                )
                best[lang] = min(best[lang], time.perf_counter() - start)
                pages[lang], sizes[lang] = result.pages, result.size
        for lang in languages:
            print(
                f"  {lang}: {best[lang]:6.2f} s, {pages[lang]:4d} pages, "
                f"{sizes[lang] / 1e6:5.2f} MB PDF, {best[lang] / best['en']:.2f}x English"
            )
    _wheel_cost()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
