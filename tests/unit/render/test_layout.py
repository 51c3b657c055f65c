"""The dossier's page layout, measured on the pages (pypdf's text positions), not by eye:
a signature shares its page with the declaration it signs, a form keeps to one page, a
heading is never the last thing on a page, a table's header row appears only at its start
or the top of a page, digests and custody cells are never broken, and a one-letter Cyrillic
word never ends a line."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import Destination

from evidence.render import load_template
from tests.unit.render.conftest import TEMPLATES
from tests.unit.render.pdf import (
    Line,
    footnote_share,
    norm,
    outline_pages,
    page_fill,
    page_lines,
    page_texts,
)


def _body(path: Path, template: str) -> list[list[Line]]:
    """The text runs of each page between the running header and footer."""
    spec = load_template(template)
    top, _, bottom, _ = spec.margins
    height = spec.page_size[1]
    return [
        [run for run in page if bottom - 2 < run.y < height - top + 2] for page in page_lines(path)
    ]


def _headings(path: Path) -> list[tuple[str, int, float]]:
    """Every outline entry: its title, 0-based page and top."""
    reader = PdfReader(path)
    found: list[tuple[str, int, float]] = []

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            elif isinstance(item, Destination):
                page = reader.get_destination_page_number(item)
                assert page is not None
                found.append((str(item.title), page, float(item.top or 0)))

    walk(list(reader.outline))
    return found


def _pdfs(demo: dict[str, Path], cyrillic: dict[str, Path]) -> list[tuple[str, Path]]:
    return [(name, demo[name]) for name in TEMPLATES] + [
        (name, cyrillic[name]) for name in TEMPLATES
    ]


def test_a_signature_shares_its_page_with_the_declaration(
    demo_pdfs: dict[str, Path], cyrillic_pdfs: dict[str, Path]
) -> None:
    for name, path in _pdfs(demo_pdfs, cyrillic_pdfs):
        pages = [norm(text) for text in page_texts(path)]
        signed = [i for i, text in enumerate(pages) if "Dated this" in text]
        assert len(signed) == 1, (path.name, signed)
        page = pages[signed[0]]
        assert re.search(r"declares? that the exhibits", page), (path.name, signed)
        if name == "transmittal":  # the letter closes once; the declaration is signed once
            assert sum(text.count("Yours faithfully") for text in pages) == 1, path.name


def test_a_chain_of_custody_form_keeps_to_one_page(
    demo_pdfs: dict[str, Path], cyrillic_pdfs: dict[str, Path]
) -> None:
    for path in (demo_pdfs["transmittal"], cyrillic_pdfs["transmittal"]):
        pages = [norm(text) for text in page_texts(path)]
        starts = [i for i, t in enumerate(pages) for _ in range(t.count("Steps recorded"))]
        ends = [i for i, t in enumerate(pages) for _ in range(t.count("Transfers (to be"))]
        assert starts, path.name
        assert starts == ends, (path.name, starts, ends)


def test_no_heading_is_left_at_the_foot_of_a_page(
    demo_pdfs: dict[str, Path], cyrillic_pdfs: dict[str, Path]
) -> None:
    for name, path in _pdfs(demo_pdfs, cyrillic_pdfs):
        body = _body(path, name)
        for title, page, top in _headings(path):
            below = {run.y for run in body[page] if run.y < top - 24}
            assert len(below) >= 2, (path.name, title, page + 1)


def _header_rows(path: Path, name: str, header: str) -> int:
    """Check one table's header rows on every page; return how many pages hold one."""
    seen = 0
    for number, runs in enumerate(_body(path, name), start=1):
        heads = [run for run in runs if run.text.startswith(header)]
        assert len(heads) <= 1, (path.name, number)
        if not heads:
            continue
        seen += 1
        if seen == 1:
            continue  # where the table starts
        above = [run for run in runs if run.y > heads[0].y + 2]
        assert not above, (path.name, number, header, above[:3])
    return seen


def test_a_table_header_row_appears_only_at_the_start_or_a_page_top(
    big_pdf: Path, demo_pdfs: dict[str, Path]
) -> None:
    for header in (
        "Statement (submitter's wording)",
        "Line SHA-256",
        "Digests of the record's RFC 8785 bytes",
    ):
        assert _header_rows(big_pdf, "icc-otp", header) > 1, header
    assert _header_rows(demo_pdfs["transmittal"], "transmittal", "Line SHA-256") > 0


def test_digests_are_printed_whole(demo_pdfs: dict[str, Path], sealed_case: Path) -> None:
    """Every SHA-256 and BLAKE3 of the hash tables, and the Merkle root, on one line each,
    as extracted (a reader can copy them; sha256sum -c can read the lines)."""
    path = demo_pdfs["transmittal"]
    reader = PdfReader(path)
    text = "\n".join(page_texts(path))
    for name in ("SHA256SUMS", "B3SUMS"):
        listing = reader.attachments[name][0].decode()
        for line in listing.splitlines():
            digest, _, file = line.partition("  ")
            assert digest in text, (name, file)
            assert re.search(re.escape(digest) + r"\s+" + re.escape(file), text), (name, file)
    seal = json.loads(next((sealed_case / "seals").glob("*.json")).read_text())
    for dress in TEMPLATES:
        assert seal["tree"]["root"] in "\n".join(page_texts(demo_pdfs[dress])), dress


def _annex_pages(path: Path, title: str) -> range:
    """The pages (0-based) of the annex whose outline title ends with ``title``."""
    outline = sorted(outline_pages(path).items(), key=lambda item: item[1])
    start = next(page for name, page in outline if name.endswith(title))
    end = next((page for _, page in outline if page > start), len(page_texts(path)))
    return range(start - 1, end)


def test_custody_cells_are_not_broken(demo_pdfs: dict[str, Path], sealed_case: Path) -> None:
    """In the custody log's own pages, every time, record and action is one run of text
    (a cell line), in every dress: "04:43:34.13147" / "2" or "CLM-0001." / "1" fail."""
    lines = (sealed_case / "custody.jsonl").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    sealed = next(i for i, entry in enumerate(entries) if entry["action"] == "sealed")
    for dress in TEMPLATES:
        path = demo_pdfs[dress]
        pages = page_lines(path)
        runs = {run.text for n in _annex_pages(path, "Chain-of-custody log") for run in pages[n]}
        for entry in entries[: sealed + 1]:  # the log up to the seal (renders come after)
            date, _, time = entry["at"].rstrip("Z").partition("T")
            assert time in runs, (dress, entry["seq"], time)
            assert date in runs, (dress, entry["seq"])
            assert entry["action"] in runs, (dress, entry["action"])
            subject = entry.get("subject")
            if isinstance(subject, dict):
                assert f"{subject['id']}.{subject['revision']}" in runs, (dress, subject)


def test_a_one_letter_cyrillic_word_never_ends_a_line(cyrillic_pdfs: dict[str, Path]) -> None:
    """(The source texts are printed character for character, as embedded: not there.)"""
    ending = re.compile(r"(?<![\w'\u2019\u02bc])[\u0400-\u04ff]$")
    for dress, path in cyrillic_pdfs.items():
        outline = outline_pages(path)
        annexes = sorted(p for t, p in outline.items() if t.startswith("Annex"))
        start = next(p for t, p in outline.items() if t.endswith("the quoted passages"))
        end = next((p for p in annexes if p > start), len(page_texts(path)) + 1)
        for number, text in enumerate(page_texts(path), start=1):
            if start <= number < end:
                continue
            for line in text.splitlines():
                assert not ending.search(line.rstrip()), (dress, line)


def test_a_source_is_described_in_one_footnote(demo_pdfs: dict[str, Path]) -> None:
    """The first footnote citing an exhibit names it; the others refer back; no footnote
    repeats a digest (the register prints them)."""
    pages = [norm(text) for text in page_texts(demo_pdfs["icc-otp"])]
    text = " ".join(pages)
    assert text.count("record SRC-0001.1,") == 1
    assert text.count("(see n. 1)") >= 2


def _facts_pages(path: Path) -> list[int]:
    outline = sorted(outline_pages(path).items(), key=lambda item: item[1])
    start = next(page for title, page in outline if title.endswith("Statement of facts"))
    end = next(page for _, page in outline if page > start)
    return list(range(start + 1, end))  # the section's first page starts below others


def test_footnotes_take_well_under_half_of_a_facts_page(big_pdf: Path) -> None:
    """A footnote cites the claim's exhibit and the source's characters, a line; the
    passage is in the source annex, the digests in the register. (With a quote in every
    note, the facts pages of the 300-claim case gave notes 0.35 of their text on average
    and up to 0.49 in icc-otp; with these notes 0.22 and 0.35.)"""
    shares = footnote_share(big_pdf, "icc-otp", _facts_pages(big_pdf))
    assert len(shares) > 20
    assert sum(shares) / len(shares) < 0.3, shares
    assert max(shares) < 0.4, shares
    assert min(shares) > 0.1, shares  # the measure sees the notes


def test_registry_conventions_on_the_covers(demo_pdfs: dict[str, Path]) -> None:
    icc = [norm(t) for t in page_texts(demo_pdfs["icc-otp"])]
    assert "Public, with four public annexes" in icc[0]
    assert "Place: ____" not in " ".join(icc)
    # Original, reference and date on lines of their own
    runs = [run.text for run in page_lines(demo_pdfs["icc-otp"])[0]]
    assert any(text.startswith("Original:") and "Reference" not in text for text in runs)
    un = [norm(t) for t in page_texts(demo_pdfs["un-report"])]
    assert "Commission of Inquiry on Ukraine" in un[0]
    assert "International Criminal Court" not in un[0]
    assert "ICC-01/22" not in un[0]
    # the symbol slot (top right of the masthead) is left for the Organization
    masthead = [run for run in page_lines(demo_pdfs["un-report"])[0] if run.x > 300]
    assert masthead
    assert all("EVD-DEMO" not in run.text for run in masthead[:1])
    letter = norm(page_texts(demo_pdfs["transmittal"])[0])
    assert "To: The competent prosecutor" in letter
    assert "to The" not in letter


def test_one_count_of_claims_everywhere(demo_pdfs: dict[str, Path], sealed_case: Path) -> None:
    total = len(list((sealed_case / "records").glob("CLM-*.1.json")))
    for dress in TEMPLATES:
        text = " ".join(norm(t) for t in page_texts(demo_pdfs[dress]))
        counts = {int(n) for n in re.findall(r"\b(\d+) claims\b", text)}
        assert counts == {total}, (dress, counts)


def test_requests_are_numbered_once(
    cyrillic_pdfs: dict[str, Path], demo_pdfs: dict[str, Path]
) -> None:
    for path in demo_pdfs.values():
        text = norm(" ".join(page_texts(path)))
        assert not re.search(r"\b\d+\. \(a\)", text), path.name


def test_a_withdrawn_claims_passage_is_marked_withdrawn(tmp_path: Path) -> None:
    from evidence.render import render_dossier
    from tests.unit.render.cases import Source, build_case

    text = "The first sentence of the report.\n\nA second sentence, later withdrawn.\n"
    claims = [
        {
            "key": "one",
            "statement": "The report has a first sentence.",
            "quote": "The first sentence of the report.",
            "attributed_to": [{"name": "A"}],
            "category": "statement",
            "status": "reported",
        },
        {
            "key": "two",
            "statement": "The report has a second sentence.",
            "quote": "A second sentence, later withdrawn.",
            "attributed_to": [{"name": "A"}],
            "category": "statement",
            "status": "withdrawn",
        },
    ]
    case = build_case(
        tmp_path / "case", [Source("r.txt", text, {"title": "R", "language": "en"}, claims)]
    )
    pdf = render_dossier(case, template="icc-otp", actor="tester").path
    whole = norm(" ".join(page_texts(pdf)))
    assert "[CLM-0001]" in whole
    assert "[CLM-0002 withdrawn]" in whole
    assert re.search(r"\b2 claims, one of them withdrawn\b", whole)


def test_a_heading_moves_with_a_paragraph_whose_footnotes_fill_the_foot() -> None:
    """The case of the issue: a heading near the foot of a page, then a paragraph that fits
    there only without its footnotes. Without keep_headings the heading stays behind."""
    import io

    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from evidence.render.flowables import FootnoteArea, Heading, NotedParagraph, keep_headings

    pages: dict[str, int] = {}

    class Probe(Heading):
        def draw(self) -> None:
            pages[self.key] = self.canv.getPageNumber()
            super().draw()

    class NotedProbe(NotedParagraph):
        def draw(self) -> None:
            pages["paragraph"] = self.canv.getPageNumber()
            super().draw()

    def layout(keep: bool) -> dict[str, int]:
        pages.clear()
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=(400, 400),
            leftMargin=20,
            rightMargin=20,
            topMargin=20,
            bottomMargin=20,
        )
        style = ParagraphStyle("s", fontSize=10, leading=12)
        area = FootnoteArea(doc.width)
        note = Paragraph("1 " + "A long footnote. " * 60, style)
        story = [
            Spacer(1, doc.height - 60),
            Probe(Paragraph("A. Heading", style), key="heading", outline="A", level=1),
            NotedProbe(Paragraph("One line.", style), [note], area),
        ]
        if keep:
            keep_headings(story)
        doc.build(story)
        return dict(pages)

    assert layout(keep=True) == {"heading": 2, "paragraph": 2}
    loose = layout(keep=False)
    assert loose["heading"] == 1  # the defect the rule prevents
    assert loose["paragraph"] == 2


NEARLY_EMPTY = 0.15
"""A page whose lines of text cover less than this share of the text frame's height is
nearly empty (a page of text is about 0.7; one table row about 0.03)."""


def _may_be_short(path: Path) -> set[int]:
    """The pages a part may end on with little on them (1-based): the last page of the
    signed document (the declaration and its signature, kept together, before the first
    annex) and the document's last page."""
    outline = outline_pages(path)
    first_annex = min(page for title, page in outline.items() if title.startswith("Annex"))
    return {first_annex - 1, len(page_texts(path))}


def test_no_page_is_nearly_empty(
    demo_pdfs: dict[str, Path], cyrillic_pdfs: dict[str, Path], big_pdf: Path
) -> None:
    """The last rows of a table or lines of an annex never sit alone on a page: a later
    annex follows on the page where the one before it ends in its top part (and a table's
    split leaves at least three rows on each side). Only the signature page and the last
    page may be short."""
    pdfs = [*_pdfs(demo_pdfs, cyrillic_pdfs), ("icc-otp", big_pdf)]
    for name, path in pdfs:
        fills = page_fill(path, name)
        short = [
            (number, round(fill, 2))
            for number, fill in enumerate(fills, start=1)
            if fill < NEARLY_EMPTY and number not in _may_be_short(path)
        ]
        assert not short, (name, path.parent.name, short)


def test_the_fill_measure_sees_a_nearly_empty_page(tmp_path: Path) -> None:
    """The measure itself: a page with two lines is nearly empty, a page of text is not."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    spec = load_template("icc-otp")
    top, _, _, left = spec.margins
    path = tmp_path / "pages.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    for lines in (2, 40):
        y = A4[1] - top - 12
        for _ in range(lines):
            canvas.setFont("Times-Roman", 12)
            canvas.drawString(left, y, "A line of text in the body of the page.")
            y -= 18
        canvas.showPage()
    canvas.save()
    few, full = page_fill(path, "icc-otp")
    assert few < NEARLY_EMPTY < full


def test_the_un_cover_prints_the_submitter_on_one_line(demo_pdfs: dict[str, Path]) -> None:
    """The submitter's name has the masthead's line but the symbol slot (it was cut into a
    narrow column: "Example Documentation Project (demonstration" / "only)")."""
    runs = page_lines(demo_pdfs["un-report"])[0]
    name = "Example Documentation Project (demonstration only)"
    top = max(runs, key=lambda run: run.y)
    assert top.text == name, [run.text for run in runs[:4]]
    assert not any(run.text == "only)" for run in runs)
