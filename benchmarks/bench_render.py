"""Benchmark of the dossier (issue 3): a 1,000-claim dossier against bare reportlab platypus.

Usage::

    python benchmarks/bench_render.py                 # 20 reports x 50 claims, icc-otp
    python benchmarks/bench_render.py --sources 40 --claims-per-source 25 --template un-report
    python benchmarks/bench_render.py --repeat 5      # best of 5 runs (default 3)

What is measured, on the same generated case (the team's own numbered sentences, see
tests/unit/render/cases.py):

- ``evidence render``: :func:`evidence.render.render_dossier` end to end: reading the
  seal's data, verifying it, laying out the pages with footnotes, page n of N and the
  contents, embedding the case data, writing the file and the custody event;
- its layout alone (:func:`evidence.render.build_pdf`, from the arranged content);
- bare platypus: the same paragraphs and tables (the dossier's own flowables, with
  footnotes set as ordinary paragraphs and headings as plain paragraphs) laid out by
  ``SimpleDocTemplate`` on reportlab's plain canvas: no footnote area, no deferred page
  numbers, no embedded files, no verification.

The issue asks for at least half the pages per second of bare platypus. Figures are
printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from evidence.case import Case, tool_name
from evidence.render import build_pdf, load_template, render_dossier
from evidence.render.bundle import collect_bundle
from evidence.render.content import build_content, verdict_of
from evidence.render.context import Writer
from evidence.render.dossier import compose_story
from evidence.render.flowables import (
    ContentsLine,
    FootnoteArea,
    Heading,
    NotedParagraph,
)
from evidence.render.markup import esc
from evidence.render.styles import Styles
from evidence.verify.case import verify_case
from tests.unit.render.cases import big_case


def _bare(story: list[Flowable], styles: Styles) -> list[Flowable]:
    """The dossier's flowables without the dossier's own machinery."""
    out: list[Flowable] = []
    for item in story:
        if isinstance(item, NotedParagraph):
            out.append(item.para)
            out.extend(item.notes)
        elif isinstance(item, Heading):
            out.append(item.para)
        elif isinstance(item, ContentsLine):
            out.append(Paragraph(esc(f"{item.number} {item.title}"), styles.contents))
        else:
            out.append(item)
    return out


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--claims-per-source", type=int, default=50)
    parser.add_argument("--template", default="icc-otp")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (the best counts)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        start = time.perf_counter()
        case = big_case(Path(tmp) / "case", sources=args.sources, per_source=args.claims_per_source)
        built = time.perf_counter() - start
        claims = args.sources * args.claims_per_source
        print(
            f"case: {args.sources} sources, {claims} claims (built and sealed in "
            f"{built:.1f} s); best of {args.repeat} runs each, interleaved"
        )

        template = load_template(args.template)
        styles = Styles.for_template(template)
        full = layout = bare = float("inf")
        for run in range(args.repeat):
            start = time.perf_counter()
            result = render_dossier(
                Case.open(case.root),
                template=args.template,
                output=Path(tmp) / f"dossier-{run}.pdf",
            )
            full = min(full, time.perf_counter() - start)

            bundle = collect_bundle(case)
            report = verify_case(case.root)
            content = build_content(bundle, case.meta, verdict_of(report), tool=tool_name())
            start = time.perf_counter()
            _, layout_pages = build_pdf(content, template, bundle)
            layout = min(layout, time.perf_counter() - start)

            start = time.perf_counter()
            top, right, bottom, left = template.margins
            buffer = io.BytesIO()
            doc = SimpleDocTemplate(
                buffer,
                pagesize=template.page_size,
                topMargin=top,
                rightMargin=right,
                bottomMargin=bottom,
                leftMargin=left,
                initialFontName=styles.fonts.serif,
            )
            writer = Writer.start(template, styles, content, FootnoteArea(doc.width))
            doc.build(_bare(compose_story(writer), styles))
            bare = min(bare, time.perf_counter() - start)
            bare_pages = _pages(buffer.getvalue())

    rows = [
        ("evidence render (end to end)", result.pages, full),
        ("dossier layout (build_pdf)", layout_pages, layout),
        ("bare platypus, same flowables", bare_pages, bare),
    ]
    print(
        f"template {args.template}; PDF {result.size / 1e6:.1f} MB, "
        f"{result.embedded} embedded files"
    )
    for label, pages, seconds in rows:
        print(f"  {label:32s} {pages:5d} pages  {seconds:7.2f} s  {pages / seconds:6.1f} pages/s")
    ratio = (result.pages / full) / (bare_pages / bare)
    print(
        f"  render / bare platypus: {ratio:.2f} of the pages per second "
        f"(the issue asks for at least 0.50)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
