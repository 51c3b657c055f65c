"""The state of one dossier being written: numbering, footnotes, headings, wording.

Sections and annexes are numbered in the template's schemes (I, II … or 1, 2 …; annexes
A, B … or I, II …); body paragraphs are numbered consecutively across the sections, and
footnotes consecutively across the dossier. Which sections appear is decided before the
first page (a section with nothing to say, such as requests a case does not make, is left
out and takes no number), so the table of contents and every "see Annex D" are known
before layout.

Example:
    >>> # w = Writer.start(template, styles, content, area); w.para("text")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Spacer

from evidence.conventions import addressee_misfit, without_icc_numbers
from evidence.render.content import DossierContent
from evidence.render.flowables import FootnoteArea, Gap, Heading, NotedParagraph
from evidence.render.markup import (
    clip,
    esc,
    fill,
    language_name,
    long_date,
    numbered,
    numeric_date,
    ordinal_date,
    plural,
)
from evidence.render.paragraph import Paragraph
from evidence.render.styles import Styles
from evidence.render.template import Annex, Section, Template

__all__ = ["ANNEX_RUN_ON", "PlannedPart", "Writer", "claims_phrase", "placeholder_values"]

ANNEX_RUN_ON: Final = 0.4
"""An annex follows on the page where the one before it ends when that one takes at most
this share of the page's height; else it starts on a new page."""


@dataclass(frozen=True, slots=True)
class PlannedPart:
    """A section or annex that will appear: its kind, number label, title and anchor key."""

    kind: str
    number: str
    title: str
    key: str
    annex: bool


def _classification(word: str) -> str:
    return word.capitalize()


def claims_phrase(content: DossierContent) -> str:
    """How many claims the case holds, withdrawn ones said apart: the one count every
    part of a dossier prints (``24 claims, one of them withdrawn``)."""
    total = len(content.claims)
    withdrawn = total - len(content.live_claims)
    text = plural(total, "claim")
    if withdrawn:
        text += ", one of them withdrawn" if withdrawn == 1 else f", {withdrawn} of them withdrawn"
    return text


def _addressee(template: Template, addressee: str | None) -> str:
    """The case's addressee when it is of the dress's kind, else the dress's own (``evidence
    check`` warns about the misfit)."""
    if addressee and addressee_misfit(addressee, template.name) is None:
        return addressee
    return template.default_addressee or addressee or ""


def placeholder_values(
    template: Template, content: DossierContent, annexes: Sequence[PlannedPart]
) -> dict[str, str]:
    """The values of every ``{placeholder}`` a template may use (see template.py)."""
    meta = content.meta
    sub = meta.submitter
    organisation = sub.organisation or sub.name or "The submitter"
    values = {
        "title": meta.title,
        "reference": meta.reference or meta.id,
        "case_id": meta.id,
        "organisation": organisation,
        "submitter": sub.name or organisation,
        "role": sub.role or "",
        "addressee": _addressee(template, meta.addressee),
        "situation": (
            without_icc_numbers(meta.situation or "")
            if template.cover_kind == "un"
            else meta.situation or ""
        ),
        "date": long_date(content.date),
        "date_numeric": numeric_date(content.date),
        "date_long": ordinal_date(content.date),
        "sealed_at": content.seal.sealed_at,
        "seal": f"{content.seal.sequence:04d}",
        "root": content.seal.root,
        "sources": plural(len(content.sources), "source"),
        "claims": claims_phrase(content),
        "records": plural(content.seal.size, "evidence record"),
        "classification": _classification(meta.classification),
        "language": language_name(meta.language),
        "document_type": template.document_type,
    }
    for kind in ("register", "sources", "custody", "integrity", "custody-forms", "hashes"):
        part = next((a for a in annexes if a.kind == kind), None)
        values[f"annex_{kind}"] = part.number if part else "an annex"
    return values


@dataclass
class Writer:
    """Numbering, footnotes and headings of one dossier."""

    template: Template
    styles: Styles
    content: DossierContent
    area: FootnoteArea
    sections: list[PlannedPart] = field(default_factory=list)
    annexes: list[PlannedPart] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    paragraph_no: int = 0
    footnote_no: int = 0
    subsection_no: int = 0
    cited: dict[str, int] = field(default_factory=dict)  # exhibit label -> first footnote

    @classmethod
    def start(
        cls, template: Template, styles: Styles, content: DossierContent, area: FootnoteArea
    ) -> Writer:
        """Plan the sections and annexes that will appear, and fill the placeholders."""
        writer = cls(template, styles, content, area)
        number = 0
        for section in template.sections:
            if not writer._present(section):
                continue
            label = ""
            if section.kind != "contents":
                number += 1
                label = numbered(number, template.numbering.sections)
            writer.sections.append(
                PlannedPart(section.kind, label, section.title, f"section-{section.kind}", False)
            )
        for index, annex in enumerate(template.annexes, start=1):
            label = template.annex_label.format(number=numbered(index, template.numbering.annexes))
            writer.annexes.append(
                PlannedPart(annex.kind, label, annex.title, f"annex-{annex.kind}", True)
            )
        writer.values = placeholder_values(template, content, writer.annexes)
        return writer

    def _present(self, section: Section) -> bool:
        meta = self.content.meta
        return {
            "introduction": bool(self.template.text.get("introduction")),
            "summary": bool(meta.summary),
            "legal": bool(meta.legal_characterisation),
            "requests": bool(meta.requests),
        }.get(section.kind, True)

    def code(self, text: str) -> str:
        """``text`` in the monospaced face, as markup (commands, file names, fields)."""
        return f"<font face='{self.styles.fonts.mono}'>{esc(text)}</font>"

    def digest(self, hex_digest: str, *, width: float | None = None) -> str:
        """A digest in the monospaced face, as markup, at a size at which it fits on one
        line of ``width`` (default: the body text's), so that it is never broken and can
        be read or copied whole."""
        room = width if width is not None else self.area.width - self.styles.numbered.leftIndent
        mono = self.styles.fonts.mono
        size = self.styles.body.fontSize
        while size > 5 and stringWidth(hex_digest, mono, size) > room * 0.98:
            size -= 0.5
        return f"<font face='{mono}' size='{size:g}'>{esc(hex_digest)}</font>"

    def fill(self, template_text: str) -> str:
        """A template string with its placeholders filled, as paragraph markup."""
        return fill(template_text, self.values)

    # -- headings ---------------------------------------------------------------------------

    def _case(self, title: str) -> str:
        return title.upper() if self.template.heading_case == "upper" else title

    def heading(self, part: PlannedPart) -> list[Flowable]:
        """A section heading: ``IV.  STATEMENT OF FACTS``."""
        self.subsection_no = 0
        title = self._case(part.title)
        title = clip(title, 300)
        text = f"{esc(part.number)}.\u2002{esc(title)}" if part.number else esc(title)
        outline = f"{part.number}. {part.title}" if part.number else part.title
        return [
            Heading(Paragraph(text, self.styles.heading), key=part.key, outline=outline, level=0)
        ]

    def subheading(self, title: str, key: str) -> Heading:
        """A subsection heading: ``A.  Reported statements``."""
        self.subsection_no += 1
        label = numbered(self.subsection_no, self.template.numbering.subsections)
        title = clip(title, 300)
        return Heading(
            Paragraph(f"{esc(label)}.\u2002{esc(title)}", self.styles.subheading),
            key=key,
            outline=f"{label}. {title}",
            level=1,
        )

    def annex_heading(self, part: PlannedPart, *, first: bool) -> list[Flowable]:
        """An annex's label and title. The first annex starts on a new page (the signed
        document ends before it). A later one does too when the template says so, unless
        the annex before it ended in the top part of its page (:data:`ANNEX_RUN_ON`): then it
        follows on that page, so that no page holds only the last rows or lines of an annex
        (docs/decisions/0309-annex-run-on.md)."""
        flow: list[Flowable] = []
        if first:
            flow.append(PageBreak())
        elif self.template.annex_new_page:
            top, _, bottom, _ = self.template.margins
            frame = self.template.page_size[1] - top - bottom
            flow.append(CondPageBreak(frame * (1 - ANNEX_RUN_ON)))
            flow.append(Gap(24))
        else:
            flow.append(Spacer(1, 12))
        flow.append(
            Heading(
                Paragraph(esc(part.number), self.styles.annex_label),
                key=part.key,
                outline=f"{part.number}: {part.title}",
                level=0,
            )
        )
        flow.append(Paragraph(esc(part.title), self.styles.annex_title))
        self.subsection_no = 0
        return flow

    # -- paragraphs and footnotes -----------------------------------------------------------

    def footnote(self, markup: str) -> tuple[str, Paragraph]:
        """A footnote: the mark to put in the text, and the note's paragraph."""
        self.footnote_no += 1
        number = self.footnote_no
        mark = f"<super>{number}</super>"
        note = Paragraph(f"<super>{number}</super>\u2002{markup}", self.styles.note)
        return mark, note

    def para(
        self,
        markup: str,
        notes: Sequence[Paragraph] = (),
        *,
        numbered_para: bool = True,
        bullet: str | None = None,
    ) -> Flowable:
        """A body paragraph, numbered when the template numbers paragraphs; with
        ``bullet``, an item of a list (``(a)``) hanging in the numbers' indent instead."""
        if bullet is not None:
            para = Paragraph(markup, self.styles.numbered, bulletText=bullet)
        elif numbered_para and self.template.numbering.paragraphs:
            self.paragraph_no += 1
            para = Paragraph(markup, self.styles.numbered, bulletText=f"{self.paragraph_no}.")
        else:
            para = Paragraph(markup, self.styles.body if numbered_para else self.styles.plain)
        if notes:
            return NotedParagraph(para, notes, self.area)
        return para

    def part(self, kind: str) -> PlannedPart | None:
        """The planned annex of a kind."""
        return next((a for a in self.annexes if a.kind == kind), None)

    def annex_of(self, annex: Annex) -> PlannedPart:
        """The planned part of a template annex."""
        return next(a for a in self.annexes if a.kind == annex.kind)

    @property
    def date_long(self) -> str:
        """The dossier's date, ``29 November 2026``."""
        return long_date(self.content.date)
