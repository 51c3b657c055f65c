"""The first page of a dossier in its three dresses: an ICC filing cover, a UN document
masthead, and a cover letter.

All three print, on the first page: the submitter's own reference (never a number an
institution assigns), the date (of the seal), the classification, and a panel with the
seal's number, its Merkle root in full and a QR code carrying it.

Example:
    >>> qr_payload("UKR-OKH-2024", 1, "ab" * 32)[:40]
    'evidence seal UKR-OKH-2024/0001 rfc9162-'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Spacer, Table

from evidence.render.context import Writer
from evidence.render.flowables import PageMark, qr_drawing
from evidence.render.markup import clip, esc
from evidence.render.paragraph import Paragraph
from evidence.render.sections import signature_block
from evidence.render.styles import LEFT, RIGHT

__all__ = ["COVER_BUILDERS", "COVER_END", "annex_count", "qr_payload", "sentence_start"]

COVER_END: Final = "cover-end"

UN_SYMBOL_SLOT: Final = 0.3
"""The share of the UN cover's width left blank, top right, for the document symbol."""
"""The page map's key for the page that ends the cover's seal panel."""


def qr_payload(case_id: str, sequence: int, root: str) -> str:
    """What the cover's QR code carries: the case, the seal and its root."""
    return f"evidence seal {case_id}/{sequence:04d} rfc9162-sha256:{root}"


def _style(writer: Writer, name: str, **kw: Any) -> ParagraphStyle:
    return ParagraphStyle(name, parent=writer.styles.cover, **kw)


def seal_panel(writer: Writer) -> Table:
    """QR code, seal number and date, and the root in full."""
    content = writer.content
    seal = content.seal
    styles = writer.styles
    size = writer.template.qr_size
    qr = qr_drawing(
        qr_payload(seal.case_id, seal.sequence, seal.root), size, font=styles.fonts.serif
    )
    small = _style(
        writer, "panel", fontSize=styles.cell.fontSize, leading=styles.cell.leading, alignment=LEFT
    )
    mono = _style(
        writer,
        "panel_mono",
        fontName=styles.fonts.mono,
        fontSize=writer.template.type.mono + 0.5,
        leading=(writer.template.type.mono + 0.5) * 1.3,
        alignment=LEFT,
    )
    signed = "signed" if content.signatures else "not signed"
    stamped = "time-stamped" if content.timestamps else "no time-stamp"
    integrity = writer.values["annex_integrity"]
    text = [
        Paragraph(
            f"<b>Seal {seal.sequence:04d}</b> of case {esc(seal.case_id)}, "
            f"{esc(writer.values['date'])}, {seal.size} records ({signed}, {stamped})",
            small,
        ),
        Paragraph("Merkle root (RFC 9162, SHA-256):", small),
        Paragraph(esc(seal.root), mono),
        Paragraph(
            f"The case data is embedded in this PDF; {esc(integrity)} explains how to check it.",
            small,
        ),
    ]
    width = writer.area.width
    table = Table([[qr, text]], colWidths=[size + 6, width - size - 6], hAlign="LEFT")
    table.setStyle(
        styles.table(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, styles.rule),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


_NUMBER_WORDS: Final = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def annex_count(writer: Writer) -> str:
    """``Public, with four public annexes``: the classification and the annexes, as a
    registry's cover states them."""
    count = len(writer.annexes)
    word = _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else str(count)
    level = writer.values["classification"]
    noun = "annex" if count == 1 else "annexes"
    return f"{level}, with {word} {level.lower()} {noun}"


def sentence_start(text: str) -> str:
    """``text`` with its first letter capitalised (an addressee at the start of a line)."""
    return text[:1].upper() + text[1:]


def _submitter_lines(writer: Writer) -> list[str]:
    sub = writer.content.meta.submitter
    lines = [esc(x) for x in (sub.name, sub.role, sub.organisation) if x]
    lines += [esc(x) for x in (sub.address, sub.email, sub.phone) if x]
    return lines or [esc(writer.values["organisation"])]


def _icc(writer: Writer) -> list[Flowable]:
    v = writer.values
    t = writer.template.type
    caps = _style(
        writer,
        "caps",
        fontName=writer.styles.fonts.bold,
        fontSize=t.body + 1,
        leading=(t.body + 1) * 1.3,
    )
    right = _style(writer, "right", alignment=RIGHT, fontSize=t.body - 1)
    flow: list[Flowable] = [
        Paragraph(
            f"Original: <b>{esc(v['language'])}</b><br/>Submitter's reference: "
            f"<b>{esc(v['reference'])}</b><br/>Date: <b>{esc(v['date'])}</b>",
            right,
        ),
        Spacer(1, 18 * mm),
    ]
    if v["addressee"]:
        flow += [Paragraph(esc(v["addressee"].upper()), caps), Spacer(1, 10 * mm)]
    if v["situation"]:
        flow += [Paragraph(esc(v["situation"].upper()), caps), Spacer(1, 10 * mm)]
    flow += [
        Paragraph(esc(annex_count(writer)), caps),
        Spacer(1, 10 * mm),
        Paragraph(esc(v["document_type"]), writer.styles.title),
        Paragraph(
            esc(clip(v["title"], 600)),
            _style(
                writer,
                "subtitle",
                fontName=writer.styles.fonts.bold,
                fontSize=t.body + 1,
                leading=(t.body + 1) * 1.35,
            ),
        ),
        Spacer(1, 10 * mm),
        Paragraph(f"<b>Source:</b> {esc(v['organisation'])}", writer.styles.cover),
        Spacer(1, 14 * mm),
    ]
    submitted = Table(
        [
            [
                Paragraph("<b>Submitted to</b>", writer.styles.cell),
                Paragraph("<b>Submitted by</b>", writer.styles.cell),
            ],
            [
                Paragraph(esc(v["addressee"] or "\u2014"), writer.styles.cell),
                Paragraph("<br/>".join(_submitter_lines(writer)), writer.styles.cell),
            ],
        ],
        colWidths=[writer.area.width / 2] * 2,
        hAlign="LEFT",
    )
    submitted.setStyle(
        writer.styles.table(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, writer.styles.rule),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    flow += [submitted, Spacer(1, 8 * mm), seal_panel(writer), PageMark(COVER_END), PageBreak()]
    return flow


def _un(writer: Writer) -> list[Flowable]:
    v = writer.values
    styles = writer.styles
    t = writer.template.type
    width = writer.area.width
    left = _style(writer, "un_left", alignment=LEFT)
    right = _style(writer, "un_right", alignment=RIGHT)
    # The symbol slot (top right) is the Organization's: it assigns the document symbol
    # (UN_SYMBOL_SLOT of the width holds one such as A/HRC/56/NGO/12 at the title size).
    # The submitter's name has the rest of the line, in a size at which it fits on it
    # (down to the body size; a longer name wraps).
    name_width = width * (1 - UN_SYMBOL_SLOT)
    name_size = t.heading + 1
    needed = stringWidth(v["organisation"], styles.fonts.bold, name_size)
    if needed > name_width:
        name_size = max(t.body, math.floor(name_size * name_width / needed * 2) / 2)
    org = _style(
        writer,
        "un_org",
        alignment=LEFT,
        fontName=styles.fonts.bold,
        fontSize=name_size,
        leading=name_size * 1.25,
    )
    symbol = _style(
        writer,
        "un_symbol",
        alignment=RIGHT,
        fontName=styles.fonts.bold,
        fontSize=t.title,
        leading=t.title * 1.2,
    )
    distribution = "General" if v["classification"] == "Public" else "Restricted"
    addressed = [f"<b>{esc(v['addressee'])}</b>"] if v["addressee"] else []
    if v["situation"]:
        addressed.append(f"<i>{esc(v['situation'])}</i>")
    # The submitter's own reference goes with the date, as a reference of the sender.
    masthead = Table(
        [
            [Paragraph(esc(v["organisation"]), org), Paragraph("&nbsp;", symbol)],
            [
                Paragraph("<br/>".join(addressed), left),
                Paragraph(
                    f"Distr.: {distribution}<br/>{esc(v['date'])}<br/><br/>"
                    f"Original: {esc(v['language'])}<br/>"
                    f"Submitter's reference:<br/>{esc(v['reference'])}",
                    right,
                ),
            ],
        ],
        colWidths=[name_width, width * UN_SYMBOL_SLOT],
        hAlign="LEFT",
    )
    masthead.setStyle(
        styles.table(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, styles.rule),
                ("LINEBELOW", (0, -1), (-1, -1), 2.2, styles.rule),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("VALIGN", (0, 1), (-1, 1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 6),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 10),
            ]
        )
    )
    title = _style(
        writer,
        "un_title",
        alignment=LEFT,
        fontName=styles.fonts.bold,
        fontSize=t.title,
        leading=t.title * 1.2,
        leftIndent=writer.template.body_indent,
    )
    kind = _style(
        writer,
        "un_kind",
        alignment=LEFT,
        fontName=styles.fonts.bold,
        leftIndent=writer.template.body_indent,
    )
    byline = _style(writer, "un_by", alignment=LEFT, leftIndent=writer.template.body_indent)
    flow: list[Flowable] = [
        masthead,
        Spacer(1, 8 * mm),
        Paragraph(esc(v["document_type"]), kind),
        Spacer(1, 3 * mm),
        Paragraph(esc(clip(v["title"], 600)), title),
        Spacer(1, 3 * mm),
        Paragraph(f"Submitted by {esc(v['organisation'])}", byline),
        Spacer(1, 8 * mm),
    ]
    summary = writer.content.meta.summary
    if summary:
        heading = _style(writer, "un_summary_head", fontName=styles.fonts.bold)
        body = ParagraphStyle(
            "un_summary", parent=styles.body, leftIndent=0, spaceAfter=t.body * 0.5
        )
        inner: list[Flowable] = [Paragraph("Summary", heading), Spacer(1, 4)]
        inner += [Paragraph(esc(p.strip()), body) for p in summary.split("\n\n") if p.strip()]
        # The box may run over a page break (a long summary): its one row can split.
        box = Table(
            [[inner]],
            colWidths=[width - writer.template.body_indent],
            hAlign="RIGHT",
            splitInRow=24,
        )
        box.setStyle(
            styles.table(
                [
                    ("BOX", (0, 0), (-1, -1), 0.8, styles.rule),
                    ("LEFTPADDING", (0, 0), (-1, -1), 10),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                    ("TOPPADDING", (0, 0), (-1, -1), 8),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        flow += [box, Spacer(1, 8 * mm)]
    flow += [seal_panel(writer), PageMark(COVER_END), PageBreak()]
    return flow


def _letter(writer: Writer) -> list[Flowable]:
    v = writer.values
    styles = writer.styles
    t = writer.template.type
    width = writer.area.width
    sub = writer.content.meta.submitter
    head = _style(
        writer,
        "lh",
        alignment=LEFT,
        fontName=styles.fonts.bold,
        fontSize=t.title + 2,
        leading=(t.title + 2) * 1.2,
        textColor=styles.accent,
    )
    small = _style(writer, "lh_small", alignment=LEFT, fontSize=t.table, leading=t.table * 1.3)
    contact = " · ".join(esc(x) for x in (sub.address, sub.email, sub.phone) if x)
    letterhead = Table(
        [[Paragraph(esc(v["organisation"]), head)], [Paragraph(contact or "&nbsp;", small)]],
        colWidths=[width],
        hAlign="LEFT",
    )
    letterhead.setStyle(
        styles.table(
            [
                ("LINEBELOW", (0, -1), (-1, -1), 1.5, styles.accent),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    body = ParagraphStyle("letter", parent=styles.body, leftIndent=0)
    left = _style(writer, "letter_left", alignment=LEFT)
    right = _style(writer, "letter_right", alignment=RIGHT)
    flow: list[Flowable] = [
        letterhead,
        Spacer(1, 8 * mm),
        Paragraph(
            f"{esc(v['date'])}<br/>Our reference: <b>{esc(v['reference'])}</b><br/>"
            f"{esc(v['classification'])}",
            right,
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            f"To: <b>{esc(sentence_start(v['addressee'] or 'the addressee'))}</b>"
            + (f"<br/>{esc(v['situation'])}" if v["situation"] else ""),
            left,
        ),
        Spacer(1, 6 * mm),
        Paragraph(f"<b>{writer.fill(writer.template.text.get('subject', '{title}'))}</b>", left),
        Spacer(1, 4 * mm),
        seal_panel(writer),
        PageMark(COVER_END),
        Spacer(1, 5 * mm),
    ]
    salutation = writer.template.text.get("salutation")
    if salutation:
        flow.append(Paragraph(esc(salutation), left))
        flow.append(Spacer(1, 3 * mm))
    for text in writer.template.text.get("letter", []):
        flow.append(Paragraph(writer.fill(text), body))
    enclosures = [f"{esc(a.number)}: {esc(a.title)}" for a in writer.annexes]
    flow.append(
        Paragraph(
            "<b>Enclosed:</b> the dossier, with "
            + "; ".join(enclosures)
            + f"; and, embedded in this PDF file, the case data ({len(writer.content.embedded)} "
            "files, with their checksum lists and a manifest).",
            body,
        )
    )
    flow.extend(signature_block(writer, letter=True))
    flow.append(PageBreak())
    return flow


COVER_BUILDERS: Final[dict[str, Callable[[Writer], list[Flowable]]]] = {
    "icc": _icc,
    "un": _un,
    "letter": _letter,
}
