"""Benchmark of the dossier (issue 17, row 4): a 1,000-claim dossier against bare reportlab.

Usage::

    python benchmarks/bench_render.py                 # 20 reports x 50 claims, icc-otp
    python benchmarks/bench_render.py --sources 40 --claims-per-source 25 --template un-report
    python benchmarks/bench_render.py --rounds 5      # median of 5 rounds (default 3)

What is measured, on the same generated case (the team's own numbered sentences, see
tests/unit/render/cases.py), in interleaved rounds (the file system synced and settled
before each measurement), as pages per second:

- ``evidence render``: :func:`evidence.render.render_dossier` end to end: reading the
  seal's data, verifying it, laying out the pages with footnotes, page n of N and the
  contents, embedding the case data, writing the file and the custody event;
- the alternative the issue names, **bare reportlab laying out simple paragraphs and a
  table**: reportlab's own ``SimpleDocTemplate``, ``Paragraph`` and ``Table`` on its plain
  canvas, with the same page size, margins and body font (the same TrueType file, so
  both subset and embed a font), laying out the same words: every paragraph of the
  dossier (footnotes and headings included) as a plain paragraph, and every data table's
  cells as the rows of one plain table (one line of text a cell);
- for information, bare platypus with the dossier's own flowables (its bidi-aware
  paragraphs and measured tables, footnotes as ordinary paragraphs): what the dossier's
  own machinery (footnotes, deferred page numbers, embedding, verification) costs.

Printed: the median time and pages per second of each, and the ratio of page rates
measured in this run (the issue asks for at least 0.5 of the bare page rate). Nothing is
asserted.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus import Paragraph as PlainParagraph

from evidence.case import Case, tool_name
from evidence.render import load_template, render_dossier
from evidence.render.bundle import collect_bundle
from evidence.render.content import build_content, verdict_of
from evidence.render.context import Writer
from evidence.render.dossier import compose_story
from evidence.render.flowables import (
    ContentsLine,
    FootnoteArea,
    Heading,
    LongTable,
    NotedParagraph,
    TextCell,
)
from evidence.render.markup import esc
from evidence.render.styles import Styles
from evidence.render.template import Template
from evidence.verify.case import verify_case
from tests.unit.render.cases import big_case


def _texts(item: object) -> Iterator[str]:
    """The plain text of every paragraph in a flowable, in reading order."""
    if isinstance(item, PlainParagraph):
        yield item.getPlainText()
    elif isinstance(item, NotedParagraph):
        yield from _texts(item.para)
        for note in item.notes:
            yield from _texts(note)
    elif isinstance(item, Heading):
        yield from _texts(item.para)
    elif isinstance(item, ContentsLine):
        yield f"{item.number} {item.title}"
    elif isinstance(item, LongTable):
        for row in (item.header, *item.rows):
            yield from _texts(row)
    elif isinstance(item, (list, tuple)):
        for cell in item:
            yield from _texts(cell)
    elif isinstance(item, str):
        yield item
    elif isinstance(item, TextCell):  # a plain cell: the same words as its paragraph
        yield " ".join(item.lines)
    elif hasattr(item, "inner"):  # a measured table cell
        yield from _texts(item.inner)


def _cell_text(cell: object) -> str:
    return " ".join(" ".join(_texts(cell)).split())


def _simple_story(story: list[Flowable], styles: Styles) -> list[Flowable]:
    """Simple paragraphs and a table: the same words, in reportlab's stock flowables."""
    body = ParagraphStyle("bare-body", parent=styles.body)
    paragraphs: list[Flowable] = []
    rows: list[list[str]] = []
    widths: list[float] | None = None
    for item in story:
        if isinstance(item, LongTable):
            if widths is None:
                widths = item.widths
            table_rows: list[list[Any]] = [item.header, *item.rows]
            for row in table_rows:
                cells = [_cell_text(cell) for cell in row]
                if len(cells) > len(widths):  # every word is kept: extra cells join the last
                    cells[len(widths) - 1 :] = [" ".join(cells[len(widths) - 1 :])]
                rows.append(cells + [""] * (len(widths) - len(cells)))
            continue
        for text in _texts(item):
            if text.strip():
                paragraphs.append(PlainParagraph(esc(text), body))
    if widths is not None and rows:
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), styles.fonts.serif, 7),
                    ("GRID", (0, 0), (-1, -1), 0.25, (0.6, 0.6, 0.6)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        paragraphs.append(table)
    return paragraphs


def _bare_pdf(story: list[Flowable], template: Template, styles: Styles) -> bytes:
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
    doc.build(story)
    return buffer.getvalue()


def _same_flowables(story: list[Flowable], styles: Styles) -> list[Flowable]:
    """The dossier's flowables without the dossier's own machinery."""
    out: list[Flowable] = []
    for item in story:
        if isinstance(item, NotedParagraph):
            out.append(item.para)
            out.extend(item.notes)
        elif isinstance(item, Heading):
            out.append(item.para)
        elif isinstance(item, ContentsLine):
            out.append(PlainParagraph(esc(f"{item.number} {item.title}"), styles.contents))
        else:
            out.append(item)
    return out


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _settle() -> None:
    os.sync()
    time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--claims-per-source", type=int, default=50)
    parser.add_argument("--template", default="icc-otp")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument(
        "--same-flowables",
        action="store_true",
        help="also time bare platypus on the dossier's flowables",
    )
    args = parser.parse_args(argv)
    if args.rounds < 3:
        parser.error("--rounds: at least 3 (the figure is a median)")

    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        start = time.perf_counter()
        case = big_case(Path(tmp) / "case", sources=args.sources, per_source=args.claims_per_source)
        built = time.perf_counter() - start
        claims = args.sources * args.claims_per_source
        print(
            f"case: {args.sources} sources, {claims} claims (built and sealed in {built:.1f} s); "
            f"template {args.template}; median of {args.rounds} interleaved rounds; "
            f"load average {os.getloadavg()[0]:.2f}"
        )
        template = load_template(args.template)
        styles = Styles.for_template(template)
        # The stories are made outside the timing: each round lays out a fresh copy.
        bundle = collect_bundle(case)
        report = verify_case(case.root)
        content = build_content(bundle, case.meta, verdict_of(report), tool=tool_name())

        _, right, _, left = template.margins
        width = template.page_size[0] - left - right

        def dossier_story() -> list[Flowable]:
            writer = Writer.start(template, styles, content, FootnoteArea(width))
            return compose_story(writer)

        times: dict[str, list[float]] = {"render": [], "bare": [], "same": []}
        cpu: dict[str, list[float]] = {"render": [], "bare": [], "same": []}
        pages: dict[str, int] = {}
        for index in range(args.rounds):
            _settle()
            start = time.perf_counter()
            cpu_start = time.process_time()
            result = render_dossier(
                Case.open(case.root),
                template=args.template,
                output=Path(tmp) / f"dossier-{index}.pdf",
            )
            times["render"].append(time.perf_counter() - start)
            cpu["render"].append(time.process_time() - cpu_start)
            pages["render"] = result.pages

            simple = _simple_story(dossier_story(), styles)
            _settle()
            start = time.perf_counter()
            cpu_start = time.process_time()
            pdf = _bare_pdf(simple, template, styles)
            times["bare"].append(time.perf_counter() - start)
            cpu["bare"].append(time.process_time() - cpu_start)
            pages["bare"] = _pages(pdf)

            if args.same_flowables:
                same = _same_flowables(dossier_story(), styles)
                _settle()
                start = time.perf_counter()
                cpu_start = time.process_time()
                pdf = _bare_pdf(same, template, styles)
                times["same"].append(time.perf_counter() - start)
                cpu["same"].append(time.process_time() - cpu_start)
                pages["same"] = _pages(pdf)

    print(f"PDF {result.size / 1e6:.1f} MB, {result.embedded} embedded files")
    labels = {
        "render": "evidence render (end to end)",
        "bare": "bare reportlab, simple paragraphs + table",
        "same": "bare platypus, dossier's flowables",
    }
    rate: dict[str, float] = {}
    for key, label in labels.items():
        if not times[key]:
            continue
        seconds = statistics.median(times[key])
        rate[key] = pages[key] / seconds
        spread = ", ".join(f"{t:.2f}" for t in times[key])
        print(
            f"  {label:42s} {pages[key]:5d} pages  median {seconds:6.2f} s ({spread})  "
            f"{rate[key]:6.1f} pages/s; CPU median {statistics.median(cpu[key]):.2f} s"
        )
    ratios = [
        (pages["render"] / r) / (pages["bare"] / b)
        for r, b in zip(times["render"], times["bare"], strict=True)
    ]
    print(
        f"  render / bare reportlab: {rate['render'] / rate['bare']:.2f} of the page rate "
        f"(per round: {', '.join(f'{x:.2f}' for x in ratios)}; the issue asks for at least 0.50)"
    )
    cpu_rate = (pages["render"] / statistics.median(cpu["render"])) / (
        pages["bare"] / statistics.median(cpu["bare"])
    )
    print(f"  render / bare reportlab in CPU time (this process): {cpu_rate:.2f}")
    if "same" in rate:
        print(
            f"  render / platypus on the dossier's flowables: {rate['render'] / rate['same']:.2f}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
