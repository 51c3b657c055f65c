"""The annexes of a dossier: the exhibit register, the source texts, the custody log, the
chain-of-custody forms and the hash tables (the integrity annex is in integrity.py).

Digests are printed in full, in a monospaced face, where a reader is meant to compare them
with the output of ``sha256sum`` or ``b3sum``; tables that only point to a record print
the first sixteen hex digits and an ellipsis.

Example:
    >>> # flowables = ANNEX_BUILDERS["register"](writer, part)  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Final

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table

from evidence.render.content import SourceItem
from evidence.render.context import PlannedPart, Writer
from evidence.render.flowables import TextCell
from evidence.render.markup import attr, clip, esc, long_date, plain, safe_url, short_hex
from evidence.render.paragraph import Paragraph
from evidence.render.rtl import HIGHLIGHT, LABEL, PLAIN, RightToLeftText
from evidence.render.scripts import base_is_rtl, has_wide
from evidence.render.sections import chunked_table, fitted_widths, table_widths

__all__ = [
    "ANNEX_BUILDERS",
    "highlighted_text",
    "kv_table",
    "object_name",
    "segments_markup",
    "source_segments",
]

CELL_LIMIT: Final = 1200
"""Longer texts are shortened in table cells, which cannot break across pages."""
LINE_CHUNK: Final = 1500
"""A line of source text longer than this is set as several paragraphs (cut at a space):
reportlab lays out a paragraph again at every page break, so one huge paragraph costs
quadratic time."""


def object_name(blake3_hex: str) -> str:
    """The case path of an object: ``objects/ab/ab…``."""
    return f"objects/{blake3_hex[:2]}/{blake3_hex}"


def _mono(writer: Writer, text: str) -> str:
    face, size = writer.styles.fonts.mono, writer.template.type.mono
    return f"<font face='{face}' size='{size}'>{esc(text)}</font>"


def kv_table(writer: Writer, rows: Sequence[tuple[str, str]]) -> Table:
    styles = writer.styles
    data = [
        [Paragraph(f"<b>{esc(label)}</b>", styles.cell), Paragraph(value, styles.cell)]
        for label, value in rows
    ]
    table = Table(data, colWidths=table_widths(writer, (22, 78)), hAlign="LEFT")
    table.setStyle(styles.grid(header=False))
    return table


# -- the exhibit register -------------------------------------------------------------------


def _where(writer: Writer, blake3_hex: str) -> str:
    omitted = next((o for o in writer.content.omitted if o.blake3 == blake3_hex), None)
    if omitted is None:
        return f"embedded as {esc(object_name(blake3_hex))}"
    return f"<i>not embedded ({esc(omitted.reason)}); its digests are printed here</i>"


def _register_rows(writer: Writer, source: SourceItem) -> list[tuple[str, str]]:
    body = source.body
    content = writer.content
    rows = [
        ("Exhibit", f"<b>{esc(source.rev.ern)}</b> \u2014 record {esc(source.rev.label)}"),
        ("Title", esc(clip(body.title, CELL_LIMIT))),
    ]
    if body.publisher:
        rows.append(("Publisher", esc(body.publisher)))
    if body.authors:
        rows.append(("Authors", esc(", ".join(body.authors))))
    rows.append(
        ("Published", esc(long_date(body.published)) if body.published else "<i>not stated</i>")
    )
    capture = body.capture
    rows.append(
        (
            "Captured",
            f"{esc(body.captured_at)} by {esc(capture.collector)} "
            f"({esc(capture.method)}, {esc(capture.tool)})",
        )
    )
    url = safe_url(body.url)
    if url:
        shown = esc(clip(url, CELL_LIMIT))
        rows.append(("URL", f"<a href={attr(url)} color='#1b4f8a'>{shown}</a>"))
    elif body.url:
        rows.append(("URL", esc(clip(body.url, CELL_LIMIT))))
    else:
        rows.append(("URL", "<i>not recorded</i>"))
    rows.append(
        (
            "Item",
            f"{esc(body.object.filename or 'unnamed')}, {esc(body.media_type)}, "
            f"{body.object.size:,} bytes, language {esc(body.language)}",
        )
    )
    if body.canonical_url and body.canonical_url != body.url:
        rows.append(("Canonical URL", esc(body.canonical_url)))
    rows.append(("SHA-256", _mono(writer, body.object.sha256)))
    rows.append(("BLAKE3", _mono(writer, body.object.blake3)))
    rows.append(("File", _where(writer, body.object.blake3)))
    for item in body.attachments:
        ref = item.object
        rows.append(
            (
                f"Attachment: {item.role}",
                f"{esc(ref.filename or 'unnamed')}, {esc(item.media_type)}, "
                f"{ref.size:,} bytes; SHA-256 {_mono(writer, ref.sha256)}; "
                f"{_where(writer, ref.blake3)}",
            )
        )
    if body.text is not None:
        rows.append(
            (
                "Text",
                f"normalised text, {body.text.length:,} characters, embedded as "
                f"{esc(object_name(body.text.blake3))}",
            )
        )
        rows.append(("Text SHA-256", _mono(writer, body.text.sha256)))
    else:
        rows.append(("Text", "<i>none: the item is cited, not quoted</i>"))
    rows.append(("Record SHA-256", _mono(writer, source.rev.sha256)))
    claims = content.claims_of(source)
    if claims:
        first, last = claims[0].rev.ern, claims[-1].rev.ern
        span = esc(first) if len(claims) == 1 else f"{esc(first)} to {esc(last)}"
        rows.append(
            (
                "Claims",
                f"{len(claims)} ({span}), listed with their exhibit numbers "
                "in the table of claim exhibits below",
            )
        )
    return rows


def _claim_exhibits(writer: Writer) -> list[Flowable]:
    """Every claim's exhibit number, with the claim record, its status, its source's
    exhibit and what it states (the record digests are in the integrity annex)."""
    styles = writer.styles
    claims = sorted(writer.content.claims, key=lambda c: c.rev.ern)
    if not claims:
        return []
    header = [
        Paragraph(f"<b>{h}</b>", styles.cell)
        for h in ("Exhibit", "Claim record", "Status", "Source exhibit", "Statement")
    ]
    sources = [c.source.ern if c.source else c.body.source.id for c in claims]
    # Short cells that never wrap are plain strings (the table's font; no markup to parse).
    rows: list[list[Flowable | TextCell | str]] = [
        [
            plain(c.rev.ern),
            plain(c.rev.label),
            plain(c.body.status),
            plain(source),
            TextCell(clip(c.body.statement, 300), styles.cell),
        ]
        for c, source in zip(claims, sources, strict=True)
    ]
    columns = [
        ["Exhibit", *(c.rev.ern for c in claims)],
        ["Claim record", *(c.rev.label for c in claims)],
        ["Status", *(c.body.status for c in claims)],
        ["Source exhibit", *sources],
        ["Statement"],
    ]
    widths = fitted_widths(writer, columns, (None, None, None, None, 1.0))
    return [
        writer.subheading("Claim exhibits", "register-claims"),
        writer.para(
            "Each claim is an exhibit of its own, numbered in the order the claims "
            f"entered the case; {esc(writer.values['annex_integrity'])} gives the "
            "digests of every claim record.",
            numbered_para=False,
        ),
        *chunked_table(header, rows, widths, writer),
    ]


def _register(writer: Writer, part: PlannedPart) -> list[Flowable]:
    flow: list[Flowable] = []
    flow.append(
        writer.para(
            "Each exhibit is a source as it was captured. Its SHA-256 and BLAKE3 are digests of "
            f"the captured bytes: running {writer.code('sha256sum')} and {writer.code('b3sum')} "
            "on the embedded file named in the table gives the same values. "
            "The record digest is that of the exhibit's evidence record, which the seal covers.",
            numbered_para=False,
        )
    )
    if not writer.content.sources:
        flow.append(writer.para("The case holds no sources.", numbered_para=False))
    for source in writer.content.sources:
        flow.append(KeepTogether([kv_table(writer, _register_rows(writer, source)), Spacer(1, 8)]))
    flow.extend(_claim_exhibits(writer))
    return flow


# -- the source texts -----------------------------------------------------------------------


def _chunks(line: str, start: int) -> list[tuple[int, str]]:
    """Cut a long line at spaces into pieces of at most about :data:`LINE_CHUNK`."""
    out = []
    while len(line) > LINE_CHUNK:
        cut = line.rfind(" ", LINE_CHUNK // 2, LINE_CHUNK)
        cut = LINE_CHUNK if cut < 0 else cut + 1
        out.append((start, line[:cut]))
        line, start = line[cut:], start + cut
    out.append((start, line))
    return out


def _close(run: list[str], parts: list[str], highlight: str) -> None:
    """Set the highlighted pieces gathered so far as one highlighted span."""
    if run:
        parts.append(f"<span backColor='{highlight}'>{''.join(run)}</span>")
        run.clear()


Segments = list[tuple[str, int]]
"""A line of a source text as (text, kind) in logical order: PLAIN, HIGHLIGHT or LABEL."""


def source_segments(
    text: str, quotes: Sequence[tuple[int, int, str]]
) -> list[tuple[Segments, bool]]:
    """The text line by line (long lines cut into pieces), each as segments: plain text,
    quoted text, and the labels of the quotes that end there: ``[(segments,
    blank_line_before), …]``.

    ``quotes`` are (start, end, label) in code points of ``text``; quotes may overlap.
    """
    out: list[tuple[Segments, bool]] = []
    position = 0
    blank = False
    # Where each label goes: after the quote's last visible character. A quote ending in
    # spaces or on a blank line would otherwise put its label on a line that is not printed.
    marks = []
    for start, end, label in quotes:
        while end > start and text[end - 1].isspace():
            end -= 1
        marks.append((end, label))
    for line in text.split("\n"):
        line_start, line_end = position, position + len(line)
        position = line_end + 1
        if not line.strip():
            blank = bool(out)
            continue
        for chunk_start, chunk in _chunks(line, line_start):
            chunk_end = chunk_start + len(chunk)
            cuts = {chunk_start, chunk_end}
            for start, end, _ in quotes:
                for point in (start, end):
                    if chunk_start < point < chunk_end:
                        cuts.add(point)
            for point, _ in marks:
                if chunk_start < point < chunk_end:
                    cuts.add(point)
            segments: Segments = []
            for a, b in itertools.pairwise(sorted(cuts)):
                quoted = any(start <= a and b <= end for start, end, _ in quotes)
                segments.append((text[a:b], HIGHLIGHT if quoted else PLAIN))
                ending = [label for point, label in marks if point == b]
                if ending:
                    segments.append((f"\u2009[{', '.join(ending)}]", LABEL))
            out.append((segments, blank))
            blank = False
    return out


def segments_markup(segments: Segments, *, highlight: str, marker_font: str) -> str:
    """Paragraph markup of a left-to-right line: quotes highlighted, labels small and red."""
    parts: list[str] = []
    run: list[str] = []  # highlighted pieces not yet closed by a label or plain text
    for piece, kind in segments:
        if kind == HIGHLIGHT:
            run.append(esc(piece, bind=False, isolate=False))
            continue
        _close(run, parts, highlight)
        if kind == LABEL:
            parts.append(f"<font face='{marker_font}' size='7' color='#8b1a1a'>{esc(piece)}</font>")
        else:
            parts.append(esc(piece, bind=False, isolate=False))
    _close(run, parts, highlight)
    return "".join(parts)


def highlighted_text(
    text: str, quotes: Sequence[tuple[int, int, str]], *, highlight: str, marker_font: str
) -> list[tuple[str, bool]]:
    """The text as paragraph markup, line by line, with each quote highlighted and its
    label set after it: ``[(markup, blank_line_before), …]``.

    ``quotes`` are (start, end, label) in code points of ``text``; quotes may overlap.
    """
    return [
        (segments_markup(segments, highlight=highlight, marker_font=marker_font), blank)
        for segments, blank in source_segments(text, quotes)
    ]


def _source_line(writer: Writer, segments: Segments) -> Flowable:
    """One line of a source text: flush right in visual order when its base direction is
    right to left, broken between ideographs when it holds Chinese or Japanese."""
    styles = writer.styles
    highlight = writer.template.colours["highlight"]
    line = "".join(piece for piece, kind in segments if kind != LABEL)
    if base_is_rtl(line):
        return RightToLeftText(
            segments, styles.source_text, highlight=highlight, label_font=styles.fonts.bold
        )
    markup = segments_markup(segments, highlight=highlight, marker_font=styles.fonts.bold)
    if has_wide(line):
        return Paragraph(markup, styles.source_text_cjk)
    return Paragraph(markup, styles.source_text)


def _sources(writer: Writer, part: PlannedPart) -> list[Flowable]:
    styles = writer.styles
    content = writer.content
    flow: list[Flowable] = [
        writer.para(
            "The normalised text of each source follows in full, as embedded in this dossier. "
            "The passages that claims quote are highlighted, each followed by the claim's id in "
            "brackets (\u201cwithdrawn\u201d after the id of a withdrawn claim). Line breaks are "
            "those of the text.",
            numbered_para=False,
        )
    ]
    for source in content.sources:
        body = source.body
        flow.append(CondPageBreak(40 * mm))
        flow.append(
            writer.subheading(f"{source.rev.ern}: {clip(body.title, 300)}", f"text-{source.rev.id}")
        )
        meta = [
            x
            for x in (
                body.publisher,
                long_date(body.published) if body.published else None,
                f"language {body.language}",
            )
            if x
        ]
        url = f"<br/>{esc(clip(body.url, CELL_LIMIT))}" if body.url else ""
        # Each field escaped by itself: a right-to-left publisher and the date after it are
        # ordered as fields, not as one bidi paragraph (where the date would join the
        # publisher's right-to-left run).
        flow.append(
            Paragraph(" · ".join(esc(clip(x, CELL_LIMIT)) for x in meta) + url, styles.small)
        )
        if source.text is None:
            flow.append(
                Paragraph("<i>This source has no text: it is cited, not quoted.</i>", styles.small)
            )
            continue
        # Withdrawn claims' passages are marked too, labelled as withdrawn: a reader who
        # finds the passage sees that a claim drew on it and was withdrawn.
        quotes = [
            (
                c.body.quote.start,
                c.body.quote.end,
                c.rev.id if c.body.status != "withdrawn" else f"{c.rev.id} withdrawn",
            )
            for c in content.claims
            if c.body.quote is not None
            and c.body.source.id == source.rev.id
            and c.body.source.revision == source.rev.revision
        ]
        for segments, blank in source_segments(source.text, quotes):
            if blank:
                flow.append(Spacer(1, styles.source_text.fontSize * 0.6))
            flow.append(_source_line(writer, segments))
    return flow


# -- the custody log ----------------------------------------------------------------------


def _custody(writer: Writer, part: PlannedPart) -> list[Flowable]:
    styles = writer.styles
    content = writer.content
    seal = content.seal
    flow: list[Flowable] = [
        writer.para(
            "The chain-of-custody log, one entry per step, as embedded in this dossier "
            "(custody.jsonl) up to the seal. Each line names the SHA-256 of the line before it, so "
            "no line can be removed, changed or reordered without breaking the chain; the seal "
            f"names the last line before it (entry {seal.custody_seq}, SHA-256 "
            f"{_mono(writer, seal.custody_sha256)}). Digests are shortened here; the embedded "
            "file holds them in full.",
            numbered_para=False,
        )
    ]
    header = [
        Paragraph(f"<b>{h}</b>", styles.cell)
        for h in ("No.", "Time (UTC)", "Actor", "Action", "Record", "Details", "Line SHA-256")
    ]
    small = styles.cell
    rows = []
    texts: list[list[str]] = [
        ["No."],
        ["Time (UTC)"],
        ["Actor"],
        ["Action"],
        ["Record"],
        ["Details"],
        ["Line SHA-256"],
    ]
    for row in content.custody:
        date, time = _time_lines(row.at)
        cells = [
            str(row.seq),
            f"{date}\n{time}",
            row.actor,
            row.action,
            row.subject or "\u2014",
            clip(row.details, 600),
            short_hex(row.digest, 12),
        ]
        for column, text in zip(texts, cells, strict=True):
            column.extend(text.split("\n"))
        rows.append(
            [  # drawn as table strings where they fit (TextCell), else as paragraphs
                TextCell(cells[0], small),
                TextCell([date, time], small),
                TextCell(row.actor, small),
                TextCell(row.action, small),
                TextCell(cells[4], small),
                TextCell(cells[5], small),
                TextCell(cells[6], small, font=styles.fonts.mono, size=writer.template.type.mono),
            ]
        )
    widths = fitted_widths(
        writer,
        texts,
        (None, None, 1.0, None, None, 3.0, None),
        fonts=(None,) * 6 + (styles.fonts.mono,),
    )
    flow.extend(chunked_table(header, rows, widths, writer))
    return flow


def _time_lines(at: str) -> tuple[str, str]:
    """``2026-12-06T01:08:20.358660Z`` as a date and a time, set on two lines of a cell
    (a break a reader rejoins without doubt)."""
    date, _, time = at.rstrip("Z").partition("T")
    return date, time


# -- chain-of-custody forms -----------------------------------------------------------------


def _form(writer: Writer, source: SourceItem) -> list[Flowable]:
    styles = writer.styles
    body = source.body
    head = [
        ("Exhibit", f"<b>{esc(source.rev.ern)}</b> \u2014 record {esc(source.rev.label)}"),
        (
            "Description",
            esc(clip(body.title, CELL_LIMIT))
            + (f" ({esc(clip(body.publisher, 300))})" if body.publisher else ""),
        ),
        (
            "Item",
            f"{esc(body.object.filename or 'unnamed')}, {esc(body.media_type)}, "
            f"{body.object.size:,} bytes",
        ),
        ("SHA-256", _mono(writer, body.object.sha256)),
        ("BLAKE3", _mono(writer, body.object.blake3)),
        (
            "Collected",
            f"{esc(body.captured_at)} by {esc(body.capture.collector)} "
            f"({esc(body.capture.method)})",
        ),
    ]
    events = [
        row
        for row in writer.content.custody
        if (row.subject and row.subject.split(".")[0] == source.rev.id)
        or row.action in ("sealed", "signed", "timestamped")
    ]
    event_rows = [
        [
            Paragraph(str(e.seq), styles.cell),
            Paragraph(esc(e.at.replace("T", " ").rstrip("Z")), styles.cell),
            Paragraph(esc(e.actor), styles.cell),
            Paragraph(esc(e.action), styles.cell),
        ]
        for e in events
    ]
    columns = [
        ["No.", *(str(e.seq) for e in events)],
        ["Time (UTC)", *(e.at.replace("T", " ").rstrip("Z") for e in events)],
        ["By", *(e.actor for e in events)],
        ["Step", *(e.action for e in events)],
    ]
    events_table = Table(
        [
            [Paragraph(f"<b>{h}</b>", styles.cell) for h in ("No.", "Time (UTC)", "By", "Step")],
            *event_rows,
        ],
        colWidths=fitted_widths(writer, columns, (None, None, 1.0, 1.0)),
        repeatRows=1,
        hAlign="LEFT",
    )
    events_table.setStyle(styles.grid())
    transfers = Table(
        [
            [
                Paragraph(f"<b>{h}</b>", styles.cell)
                for h in (
                    "Date and time",
                    "Released by (name, signature)",
                    "Received by (name, signature)",
                    "Purpose, remarks",
                )
            ],
            *[["", "", "", ""] for _ in range(4)],
        ],
        colWidths=table_widths(writer, (18, 29, 29, 24)),
        rowHeights=[None] + [30] * 4,
        hAlign="LEFT",
    )
    transfers.setStyle(styles.grid())
    # A form is one page: it is kept whole, on the next page when it does not fit below
    # the previous one (a form longer than a page, with many steps, runs on).
    return [
        KeepTogether(
            [
                writer.subheading(f"Exhibit {source.rev.ern}", f"form-{source.rev.id}"),
                kv_table(writer, head),
                Spacer(1, 6),
                Paragraph("<b>Steps recorded in the chain-of-custody log</b>", styles.small),
                events_table,
                Spacer(1, 6),
                Paragraph("<b>Transfers</b> (to be completed at every hand-over)", styles.small),
                transfers,
            ]
        ),
        Spacer(1, 10),
    ]


def _custody_forms(writer: Writer, part: PlannedPart) -> list[Flowable]:
    flow: list[Flowable] = [
        writer.para(
            "One form per exhibit: what the exhibit is and its digests, the steps the "
            "chain-of-custody log records for it, and a table for each later hand-over, to be "
            "signed by the person who releases the exhibit and the person who receives it. "
            "Whoever receives the dossier can confirm that the exhibit is unchanged by comparing "
            "its SHA-256 with the one printed here.",
            numbered_para=False,
        )
    ]
    for source in writer.content.sources:
        flow.extend(_form(writer, source))
    return flow


# -- hash tables ----------------------------------------------------------------------------


_LISTING_TAIL: Final = 6
"""The last lines of a checksum list kept together, so that a page never holds only a few."""


def _listing(writer: Writer, lines: Sequence[tuple[str, str]]) -> list[Flowable]:
    """Lines of a checksum list (digest, name), one paragraph each, in the format of
    ``sha256sum``. A line too long for the width is broken after its digest, the name
    going on indented below it: a digest is never broken, and the break falls where a
    reader rejoins the line without doubt. The same lists are embedded as files, to copy
    from."""
    style = writer.styles.listing
    room = writer.area.width - style.leftIndent - style.firstLineIndent
    out: list[Flowable] = []
    for digest, name in lines:
        line = f"{digest}\u00a0 {name}"
        if stringWidth(line, style.fontName, style.fontSize) <= room:
            out.append(Paragraph(esc(line), style))
        else:
            out.append(Paragraph(f"{esc(digest)}<br/>{esc(name)}", style))
    # No lone lines at the top of a page: the last lines of a list go together.
    for kept in out[-_LISTING_TAIL:-1]:
        setattr(kept, "keepWithNext", 1)  # noqa: B010 (not in reportlab's stubs)
    return out


def _hashes(writer: Writer, part: PlannedPart) -> list[Flowable]:
    content = writer.content
    embedded = content.embedded
    flow: list[Flowable] = [
        writer.para(
            "SHA-256 of every case file embedded in this dossier. The same lists are embedded "
            "as SHA256SUMS and B3SUMS: after extracting the files (see "
            f"{esc(writer.values['annex_integrity'])}), run "
            f"{writer.code('sha256sum -c SHA256SUMS')} and {writer.code('b3sum --check B3SUMS')} "
            "in the extracted folder; each file should be reported OK.",
            numbered_para=False,
        )
    ]
    flow.extend(_listing(writer, [(f.sha256, f.name) for f in embedded]))
    flow.append(Spacer(1, 8))
    flow.append(
        writer.para(
            "BLAKE3 of the same files (the name of each object is its BLAKE3):", numbered_para=False
        )
    )
    flow.extend(_listing(writer, [(f.blake3, f.name) for f in embedded]))
    if content.omitted:
        flow.append(Spacer(1, 8))
        flow.append(
            writer.para(
                "Objects named by the records but not embedded (check them in the case folder or "
                "an archival package):",
                numbered_para=False,
            )
        )
        flow.extend(
            _listing(writer, [(o.sha256, f"{o.name}  ({o.reason})") for o in content.omitted])
        )
    flow.append(Spacer(1, 8))
    flow.append(
        writer.para(
            "SHA-256 of each record revision, taken over the record's RFC 8785 bytes (the "
            f"{writer.code('record')} member of its file), in the order of the seal's leaves:",
            numbered_para=False,
        )
    )
    flow.extend(_listing(writer, [(r.sha256, r.label) for r in content.revisions]))
    return flow


AnnexBuilder = Callable[[Writer, PlannedPart], list[Flowable]]

ANNEX_BUILDERS: Final[dict[str, AnnexBuilder]] = {
    "register": _register,
    "sources": _sources,
    "custody": _custody,
    "custody-forms": _custody_forms,
    "hashes": _hashes,
}
