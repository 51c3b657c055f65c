"""The body of a dossier: contents, introduction, summary, methodology, facts, the claims
table, legal characterisation, requests and the declaration.

What each section says is generated from what the case holds; the template orders, names
and words them. Two rules shape the facts: every statement is footnoted to its exhibit
(exhibit number, record, short digest) with the quotation it rests on; and what is
attributed is kept visibly apart from what is verified (separate subsections, the
attribution written before the statement, and the status in its own column of the claims
table).

Example:
    >>> # flowables = SECTION_BUILDERS["facts"](writer)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Spacer,
    Table,
)

from evidence.model import AttributionLink, ClaimBody, Fact
from evidence.render.content import ClaimItem
from evidence.render.context import PlannedPart, Writer
from evidence.render.corroboration import corroboration
from evidence.render.flowables import (
    ContentsLine,
    Lines,
    LinesCell,
    LongTable,
    SmallLinesCell,
    TextCell,
)
from evidence.render.markup import clip, esc, long_date, plural
from evidence.render.paragraph import Paragraph

__all__ = [
    "SECTION_BUILDERS",
    "attribution_text",
    "claim_footnote",
    "facts_text",
    "fitted_widths",
    "status_label",
]

_STATUS: Final = {
    "verified": "Verified by the submitter",
    "corroborated": "Corroborated",
    "reported": "Reported (attributed, not verified)",
    "contested": "Contested",
    "withdrawn": "Withdrawn",
}
_GROUPS: Final = (
    ("verified", "Facts verified by the submitter"),
    ("corroborated", "Statements corroborated by more than one source"),
    ("reported", "Statements reported by the sources (attributed, not verified)"),
    ("contested", "Contested statements"),
)
_QUALIFIERS: Final = {
    "approx": "about",
    "at-least": "at least",
    "more-than": "more than",
    "at-most": "at most",
    "less-than": "less than",
    "exact": "exactly",
    "range": "between",
}


def status_label(status: str) -> str:
    """How a status reads in the dossier."""
    return _STATUS.get(status, status)


def _person(name: str, role: str | None, quote: Callable[[str], str]) -> str:
    text = quote(clip(name, 300))
    return text + (f" ({quote(clip(role, 300))})" if role else "")


def _link(link: AttributionLink, quote: Callable[[str], str]) -> str:
    if link.with_:  # joint speakers: "A (role) and B (role), jointly (channel)"
        people = [_person(p.name, p.role, quote) for p in link.speakers]
        text = ", ".join(people[:-1]) + " and " + people[-1] + ", jointly"
        if link.channel:
            text += f" ({quote(clip(link.channel, 300))})"
        return text
    details = [x for x in (link.role, link.channel) if x]
    text = quote(clip(link.name, 300))
    if details:
        text += f" ({quote(clip('; '.join(details), 300))})"
    return text


def attribution_text(chain: Sequence[AttributionLink], *, quote: Callable[[str], str] = esc) -> str:
    """``Rustem Umerov (Minister of Defence of Ukraine; Facebook post), as reported by
    Censor.NET (news outlet; online article)``, as markup: the speaker first, then each
    link through which the statement became known. A link with co-speakers names everyone
    who made the statement together: ``Vitali Klitschko (Mayor of Kyiv) and Serhii Popko
    (Head of the City Military Administration), jointly (briefing), as reported by …``.
    ``quote=str``: the same words as plain text."""
    if not chain:
        return "the source"
    text = _link(chain[0], quote)
    for link in chain[1:]:
        text += f", as reported by {_link(link, quote)}"
    return text


def _fact(name: str, fact: Fact) -> str:
    label = name.replace("_", " ")
    if fact.qualifier == "range" and fact.max is not None:
        value = f"between {fact.value:g} and {fact.max:g}"
    else:
        value = f"{_QUALIFIERS.get(fact.qualifier, fact.qualifier)} {fact.value:g}"
    if fact.unit:
        value += f" {fact.unit}"
    if fact.text:
        value += f" (“{fact.text}”)"
    if fact.as_of:
        value += f", as of {fact.as_of.replace('T', ' ')}"
    return f"{label}: {value}"


def facts_text(body: ClaimBody, *, quote: Callable[[str], str] = esc) -> str:
    """The typed figures, date and places of a claim, as markup (``quote=str``: the same
    words as plain text)."""
    parts = [quote(_fact(name, fact)) for name, fact in sorted(body.facts.items())]
    if body.date:
        parts.append(f"date: {quote(long_date(body.date))}")
    if body.places:
        parts.append(f"places: {quote(clip(', '.join(body.places), 300))}")
    return "; ".join(parts)


def claim_footnote(writer: Writer, claim: ClaimItem) -> str:
    """The footnote of a statement: the claim's exhibit, and where in which source exhibit
    it rests: ``TST-R-0012 (claim CLM-0011.1): TST-R-0001 (see n. 1), characters
    1036-1137``. The first footnote citing a source names it (title, publisher, date,
    record); later ones refer back to it. The passage itself is printed, highlighted under
    the claim's id, in the source-text annex, and the digests in the exhibit register and
    the integrity annex: a footnote repeats neither, so that notes stay a line each."""
    source = writer.content.source_item(claim)
    pinned = claim.source
    cite = f"<b>{esc(claim.rev.ern)}</b> (claim {esc(claim.rev.label)})"
    where = []
    if source is not None and pinned is not None:
        number = writer.footnote_no + 1  # the number this footnote will have
        first = writer.cited.setdefault(pinned.label, number)
        exhibit = esc(pinned.ern)
        if first == number:
            body = source.body
            details = ", ".join(esc(x) for x in (body.publisher, long_date(body.published)) if x)
            exhibit += f", “{esc(clip(body.title, 300))}”" + (f" ({details})" if details else "")
            exhibit += f", record {esc(pinned.label)}"
        else:
            exhibit += f" (see n. {first})"
        where.append(exhibit)
    quote = claim.body.quote
    if quote is not None:
        where.append(f"characters {quote.start}\u2013{quote.end}")
    else:
        where.append("cited, not quoted (the source has no text)")
    return f"{cite}: {', '.join(where)}."


# -- sections ----------------------------------------------------------------------------


def _contents(writer: Writer, part: PlannedPart) -> list[Flowable]:
    styles = writer.styles
    t = writer.template.type
    flow: list[Flowable] = writer.heading(part)
    indent = writer.template.body_indent or t.body * 2.6
    for item in [*writer.sections, *writer.annexes]:
        if item.kind == "contents":
            continue
        number = "" if item.annex else f"{item.number}."
        title = f"{item.number}: {item.title}" if item.annex else item.title
        flow.append(
            ContentsLine(
                number,
                title,
                item.key,
                font=styles.fonts.serif,
                size=t.body,
                leading=t.body * 1.6,
                indent=indent,
            )
        )
    return flow


def _introduction(writer: Writer, part: PlannedPart) -> list[Flowable]:
    flow = writer.heading(part)
    for text in writer.template.text.get("introduction", []):
        flow.append(writer.para(writer.fill(text)))
    return flow


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _summary(writer: Writer, part: PlannedPart) -> list[Flowable]:
    flow = writer.heading(part)
    for text in _paragraphs(writer.content.meta.summary or ""):
        flow.append(writer.para(esc(text)))
    return flow


def _sources_sentence(writer: Writer) -> str:
    content = writer.content
    sources = content.sources
    if not sources:
        return "The case holds no sources."
    times = sorted(s.body.captured_at for s in sources)
    collectors = sorted({s.body.capture.collector for s in sources})
    methods = sorted({s.body.capture.method for s in sources})
    span = (
        f"on {long_date(times[0])}"
        if long_date(times[0]) == long_date(times[-1])
        else f"between {long_date(times[0])} and {long_date(times[-1])}"
    )
    text = (
        f"The case holds {plural(len(sources), 'source')}, collected {esc(span)} by "
        f"{esc(', '.join(collectors))} (method: {esc(', '.join(methods))})."
    )
    if len(sources) <= 6:
        listed = "; ".join(
            f"{esc(s.rev.ern)}: “{esc(s.body.title)}”"
            + (f", {esc(s.body.publisher)}" if s.body.publisher else "")
            + (f", {esc(long_date(s.body.published))}" if s.body.published else "")
            for s in sources
        )
        text += f" {'It is' if len(sources) == 1 else 'They are'}: {listed}."
    return text


def _methodology(writer: Writer, part: PlannedPart) -> list[Flowable]:
    content = writer.content
    seal = content.seal
    flow = writer.heading(part)
    flow.append(writer.para(_sources_sentence(writer)))
    transformations = sorted({t for s in content.sources for t in s.body.capture.transformations})
    text = (
        "Each captured item is kept byte for byte, as it was received, and is identified "
        "by two digests of its bytes, SHA-256 and BLAKE3. Where an item holds text, the "
        "text was extracted, normalised to Unicode NFC with line feeds as line ends, and "
        "kept in the same way; quotations and their positions refer to that text."
    )
    if transformations:
        text += (
            " The changes made in extracting the text are recorded with each source: "
            + esc("; ".join(transformations))
            + "."
        )
    flow.append(writer.para(text))
    analysts = sorted({c.record.created_by for c in content.claims})
    counts = ", ".join(f"{n} {status}" for status, n in content.status_counts().items())
    flow.append(
        writer.para(
            f"The case holds {esc(writer.values['claims'])} drawn from the sources"
            + (f" by {esc(', '.join(analysts))}" if analysts else "")
            + ". Each claim states in neutral words what a source says; quotes the source's text "
            "exactly, located by a W3C Web Annotation TextQuoteSelector and TextPositionSelector; "
            "names who made the statement, in what role, through which channel, and as reported "
            "by whom; and carries a status" + (f" ({esc(counts)})" if counts else "") + "."
        )
    )
    flow.append(
        writer.para(
            "A status says how far the submitter relies on a statement. <i>Reported</i>: the "
            "statement is attributed to the person or outlet named, and the submitter has not "
            "verified it. <i>Corroborated</i>: more than one independent source reports it. "
            "<i>Contested</i>: sources dispute it. <i>Verified</i>: the submitter has established "
            "it. <i>Withdrawn</i>: kept in the record, not relied on. Only verified statements are "
            "put forward as facts."
        )
    )
    signed = "signed (Ed25519)" if content.signatures else "not signed"
    stamped = (
        f"time-stamped ({plural(len(content.timestamps), 'RFC 3161 token')})"
        if content.timestamps
        else "not time-stamped"
    )
    previous = ""
    if seal.previous:
        previous = (
            f" It extends seal {seal.previous.sequence:04d} (root "
            f"{esc(seal.previous.root)[:16]}…), which it names, so that the seals "
            "form a chain in which the case can only have grown."
        )
    flow.append(
        writer.para(
            f"On {esc(long_date(seal.sealed_at))} at {esc(seal.sealed_at[11:19])} UTC, the "
            f"case's {plural(seal.size, 'record revision')} {'was' if seal.size == 1 else 'were'} "
            f"sealed together (seal {seal.sequence:04d}): a Merkle tree built as in RFC 9162 §2.1 "
            f"with SHA-256 over the records, in the order they entered the case, has the "
            f"root<br/>{writer.digest(seal.root)}<br/>"
            f"{previous.strip()} The seal is {signed} and {stamped}."
        )
    )
    actors = sorted({row.actor for row in content.custody})
    flow.append(
        writer.para(
            f"Every step, from the creation of the case to the seal, is an entry of a "
            f"chain-of-custody log in which each entry names the SHA-256 of the one before "
            f"({plural(len(content.custody), 'entry', 'entries')}, by {esc(', '.join(actors))}); "
            f"{esc(writer.values['annex_custody'])} reproduces it."
        )
    )
    flow.append(
        writer.para(
            f"Before this dossier was produced, the case data it carries was verified with "
            f"{esc(content.tool)}: {esc(content.verdict.summary())}. That data is embedded in "
            f"this PDF file; {esc(writer.values['annex_integrity'])} explains how anyone can "
            "check it with standard tools, without this software."
        )
    )
    flow.append(
        writer.para(
            "The digests prove that the captured items and the records are unchanged since they "
            "were recorded. They do not prove that what the sources say is true, nor who wrote "
            "them: that is what the attribution and the status of each statement address."
        )
    )
    return flow


def _fact_paragraph(writer: Writer, claim: ClaimItem) -> Flowable:
    body = claim.body
    mark, note = writer.footnote(claim_footnote(writer, claim))
    statement = esc(body.statement.strip())
    if body.status == "verified":
        text = f"{statement}{mark}"
    else:
        label = "Reported" if body.status == "reported" else body.status.capitalize()
        text = f"<i>{label}</i> \u2014 {attribution_text(body.attribution)}: {statement}{mark}"
    return writer.para(text, [note])


def _facts(writer: Writer, part: PlannedPart) -> list[Flowable]:
    content = writer.content
    flow = writer.heading(part)
    claims = content.live_claims
    if not claims:
        flow.append(writer.para("The case holds no claims."))
        return flow
    texts = writer.part("sources")
    where = (
        f"; {esc(texts.number)} prints each source's text with these passages highlighted"
        if texts is not None
        else ""
    )
    flow.append(
        writer.para(
            "The paragraphs below set out what the sources say, one statement each, grouped by "
            "how far the submitter relies on them. Statements that are not verified are preceded "
            "by the person who made them and the channel through which they became known; each "
            "is footnoted to its own exhibit and to the passage of the source exhibit it rests "
            f"on (by character positions){where}."
        )
    )
    for status, title in _GROUPS:
        group = [c for c in claims if c.body.status == status]
        if not group:
            continue
        flow.append(writer.subheading(title, f"facts-{status}"))
        for claim in group:
            flow.append(_fact_paragraph(writer, claim))
    return flow


def claim_rows(writer: Writer, claims: Sequence[ClaimItem]) -> list[list[Flowable | TextCell]]:
    """Rows of the claims table."""
    styles = writer.styles
    small = styles.cell.fontSize - 1
    notes = corroboration(writer.content)
    rows: list[list[Flowable | TextCell]] = []
    for claim in claims:
        body = claim.body
        withdrawn = body.status == "withdrawn"
        statement = esc(clip(body.statement.strip(), 1000))
        if withdrawn:
            statement = f"<strike>{statement}</strike>"
        figures = facts_text(body)
        cell = statement + (f"<br/><font size='{small}'>{figures}</font>" if figures else "")
        if body.note:
            cell += f"<br/><font size='{small}'><i>Note: {esc(clip(body.note, 500))}</i></font>"
        pinned = claim.source
        exhibit = TextCell(
            [pinned.ern, pinned.label] if pinned else f"{body.source.id}.{body.source.revision}",
            styles.cell,
        )
        status = status_label(body.status)
        status_cell = (
            f"<b>{esc(status)}</b>" if body.status == "verified" else f"<i>{esc(status)}</i>"
        )
        note = notes.get(claim.rev.id)
        others = ""
        if note is not None:
            others = esc(", ".join(note.supporting)) if note.supporting else "\u2014"
            if note.conflicting:
                others += (
                    f"<br/><font size='{small}'>conflicting: "
                    f"{esc(', '.join(note.conflicting))}</font>"
                )
            if note.flag:
                status_cell += (
                    f"<br/><font size='{small}' color='#8b1a1a'>Not borne out: "
                    f"{esc(note.flag)}</font>"
                )
        rows.append(
            [
                SmallLinesCell(
                    claim.rev.id,
                    [f"rev. {claim.rev.revision}", claim.rev.ern],
                    styles.cell,
                    small=small,
                ),
                # a statement alone is plain text: table strings when it needs no paragraph
                TextCell(clip(body.statement.strip(), 1000), styles.cell)
                if cell == statement and not withdrawn
                else _statement_cell(writer, body, cell, figures),
                _attribution_cell(body.attribution, styles.cell),
                TextCell(
                    status,
                    styles.cell,
                    font=styles.fonts.bold if body.status == "verified" else styles.fonts.italic,
                )
                if note is None or not note.flag
                else LinesCell(  # a status with a remark in a smaller size and red
                    [
                        Lines(
                            status,
                            styles.fonts.bold if body.status == "verified" else styles.fonts.italic,
                            styles.cell.fontSize,
                        ),
                        Lines(f"Not borne out: {note.flag}", styles.cell.fontName, small, _FLAG),
                    ],
                    status_cell,
                    styles.cell,
                ),
                exhibit,
                # without conflicting claims, plain text: a table string when it fits
                Paragraph(others, styles.cell)
                if note is None or note.conflicting
                else TextCell(", ".join(note.supporting) or "\u2014", styles.cell),
            ]
        )
    return rows


_FLAG: Final = HexColor("#8b1a1a")
"""The colour of a status the corroboration ledger does not bear out."""


def _statement_cell(writer: Writer, body: ClaimBody, markup: str, figures: str) -> Flowable:
    """A statement with its figures (and note) in a smaller size under it: the cell draws
    its lines itself when they are plain text (:class:`LinesCell`), else the paragraph of
    ``markup``."""
    styles = writer.styles
    style = styles.cell
    small = style.fontSize - 1
    if body.status == "withdrawn" or esc(facts_text(body, quote=str)) != figures:
        return Paragraph(markup, style)
    parts = [
        Lines(clip(body.statement.strip(), 1000), style.fontName, style.fontSize),
        Lines(facts_text(body, quote=str), style.fontName, small),
    ]
    if not figures:
        parts.pop()
    if body.note:
        parts.append(Lines(f"Note: {clip(body.note, 500)}", styles.fonts.italic, small))
    return LinesCell(parts, markup, style)


def _attribution_cell(
    chain: Sequence[AttributionLink], style: ParagraphStyle
) -> Flowable | TextCell:
    """An attribution as plain text (a table string when it fits, 0318) when its markup is
    that text escaped as a whole (ASCII), else the paragraph of its markup."""
    markup = attribution_text(chain)
    words = attribution_text(chain, quote=str)
    if words.isascii() and esc(words) == markup:
        return TextCell(words, style)
    return Paragraph(markup, style)


def chunked_table(
    header: Sequence[Flowable | TextCell],
    rows: Sequence[Sequence[Flowable | TextCell | str]],
    widths: list[float],
    writer: Writer,
    *,
    zebra: bool = True,
) -> list[Flowable]:
    """A long table whose header row appears at its start and at the top of each page it
    continues on (:class:`~evidence.render.flowables.LongTable`)."""
    return [
        LongTable(
            header, rows, widths, writer.styles.grid(), zebra=writer.styles.zebra if zebra else ()
        )
    ]


def table_widths(writer: Writer, fractions: Sequence[float]) -> list[float]:
    """Column widths that fill the text width in the given proportions."""
    width = writer.area.width
    total = sum(fractions)
    return [width * f / total for f in fractions]


CELL_PADDING: Final = 6.5
"""A data table cell's left and right padding (see Styles.grid), and a little air."""


def fitted_widths(
    writer: Writer,
    columns: Sequence[Sequence[str]],
    fractions: Sequence[float | None],
    *,
    fonts: Sequence[str | None] = (),
) -> list[float]:
    """Column widths sized to their content: a column whose fraction is ``None`` is as
    wide as its widest text (its lines never wrap); the others share what remains in the
    given proportions, each at least as wide as its longest word.

    ``columns`` holds each column's plain texts (header included), one per line of a cell.
    """
    cell = writer.styles.cell
    faces = list(fonts) + [None] * (len(columns) - len(fonts))

    def widest(texts: Sequence[str], face: str | None, *, words: bool) -> float:
        font = face or cell.fontName
        pieces = [w for t in texts for w in (t.split() if words else [t])] or [""]
        size = writer.template.type.mono if face == writer.styles.fonts.mono else cell.fontSize
        return max(stringWidth(p, font, size) for p in pieces) + CELL_PADDING

    total = writer.area.width
    widths: list[float] = [0.0] * len(columns)
    for i, (texts, fraction) in enumerate(zip(columns, fractions, strict=True)):
        if fraction is None:
            widths[i] = widest(texts, faces[i], words=False)
    remaining = total - sum(widths)
    flexible = [i for i, f in enumerate(fractions) if f is not None]
    share = sum(f for f in fractions if f is not None) or 1.0
    floors = {i: widest(columns[i], faces[i], words=True) for i in flexible}
    for i in flexible:
        fraction = fractions[i]
        assert fraction is not None
        widths[i] = max(floors[i], remaining * fraction / share)
    excess = sum(widths) - total
    if excess > 0:  # the floors took more than their share: take it from the widest
        for i in sorted(flexible, key=lambda j: widths[j] - floors[j], reverse=True):
            give = min(excess, max(0.0, widths[i] - floors[i]))
            widths[i] -= give
            excess -= give
    if sum(widths) > total:  # a flexible column's longest word is wider than its room
        fixed = sum(w for i, w in enumerate(widths) if i not in flexible)
        if fixed < total * 0.8:  # the columns sized to content keep their width: they
            room = total - fixed  # hold digests, times and ids, which must not break
            for i in flexible:
                fraction = fractions[i]
                assert fraction is not None
                widths[i] = room * fraction / share
            return widths
        return [total * w / sum(widths) for w in widths]  # back to proportions
    return widths


def _claims(writer: Writer, part: PlannedPart) -> list[Flowable]:
    styles = writer.styles
    flow = writer.heading(part)
    flow.append(
        writer.para(
            "The table lists every claim: what was said (in the submitter's neutral wording), "
            "by whom, through which channel, and its status. An attribution records who made a "
            "statement; it does not make it a fact: only statements marked <b>Verified by the "
            "submitter</b> are put forward as facts, and withdrawn claims are struck through and "
            "not relied on. The last column is the case's corroboration ledger: the claims of "
            "other sources and other origins (two outlets quoting one person are one origin) "
            "that agree with the claim, and those whose figures conflict; a status the ledger "
            "does not bear out is flagged."
        )
    )
    header = [
        Paragraph(f"<b>{h}</b>", styles.cell)
        for h in (
            "Claim, exhibit",
            "Statement (submitter's wording), figures, date, places",
            "Said by, channel, reported by",
            "Status",
            "Source exhibit",
            "Other sources that support it",
        )
    ]
    rows = claim_rows(writer, writer.content.claims)
    if not rows:
        flow.append(writer.para("The case holds no claims.", numbered_para=False))
        return flow
    claims = writer.content.claims
    columns: list[list[str]] = [
        ["CLM-0000", *(c.rev.ern for c in claims)],
        ["Statement"],
        ["Said by"],
        ["Corroborated"],
        [
            "exhibit",
            *((c.source.ern if c.source else c.body.source.id) for c in claims),
            *((c.source.label if c.source else "") for c in claims),
        ],
        ["Other sources", *(ern for c in claims for ern in [c.rev.ern])],
    ]
    widths = fitted_widths(writer, columns, (None, 3.2, 2.0, 1.3, None, None))
    flow.extend(chunked_table(header, rows, widths, writer))
    flow.append(Spacer(1, 6))
    return flow


def _legal(writer: Writer, part: PlannedPart) -> list[Flowable]:
    flow = writer.heading(part)
    for text in _paragraphs(writer.content.meta.legal_characterisation or ""):
        flow.append(writer.para(esc(text)))
    return flow


def _requests(writer: Writer, part: PlannedPart) -> list[Flowable]:
    flow = writer.heading(part)
    addressee = writer.values["addressee"] or "addressee"
    article = "" if addressee.lower().startswith("the ") else "the "
    flow.append(
        writer.para(
            f"{esc(writer.values['organisation'])} respectfully requests "
            f"that {article}{esc(addressee)}:"
        )
    )
    for index, text in enumerate(writer.content.meta.requests):
        letter = chr(ord("a") + index % 26)
        flow.append(writer.para(esc(text), bullet=f"({letter})"))
    return flow


def signature_block(
    writer: Writer, *, letter: bool = False, closing: bool = True
) -> list[Flowable]:
    """Closing, a line to sign on, the signatory, and (in a filing) the date and place.

    In a letter (the transmittal's cover) the letter closes with the closing and the
    signatory's name, and the one line to sign on is the declaration's (``closing=False``
    there): a document is signed once.
    """
    styles = writer.styles
    values = writer.values
    meta = writer.content.meta
    lines = [f"<b>{esc(values['submitter'])}</b>"]
    if meta.submitter.role:
        lines.append(esc(meta.submitter.role))
    if meta.submitter.organisation and meta.submitter.organisation != values["submitter"]:
        lines.append(esc(meta.submitter.organisation))
    if meta.submitter.email and not letter:
        lines.append(esc(meta.submitter.email))
    block: list[Flowable] = []
    if closing:
        block.append(Paragraph(esc(writer.template.text["closing"]), styles.plain))
    if letter:
        return [*block, Spacer(1, 4 * mm), Paragraph("<br/>".join(lines), styles.plain)]
    block += [
        Spacer(1, 16 * mm),
        Table(
            [[""]],
            colWidths=[70 * mm],
            rowHeights=[1],
            style=styles.table([("LINEABOVE", (0, 0), (-1, -1), 0.6, styles.rule)]),
            hAlign="LEFT",
        ),
        Paragraph("<br/>".join(lines), styles.plain),
        Paragraph(f"Dated this {esc(values['date_long'])}", styles.plain),
    ]
    if meta.submitter.address:
        block.append(Paragraph(f"Place: {esc(meta.submitter.address)}", styles.plain))
    return block


def _declaration(writer: Writer, part: PlannedPart) -> list[Flowable]:
    """The declaration's heading, the declaration, its closing and the signature, kept
    together on one page (the heading inside, so that it moves with them and only when
    they do not fit)."""
    heading = writer.heading(part)
    text = writer.content.meta.declaration or writer.template.text["declaration"]
    declaration = writer.para(
        writer.fill(text) if writer.content.meta.declaration is None else esc(text),
        numbered_para=False,
    )
    letter = writer.template.cover_kind == "letter"
    return [KeepTogether([*heading, declaration, *signature_block(writer, closing=not letter)])]


SectionBuilder = Callable[[Writer, PlannedPart], list[Flowable]]

SECTION_BUILDERS: Final[dict[str, SectionBuilder]] = {
    "contents": _contents,
    "introduction": _introduction,
    "summary": _summary,
    "methodology": _methodology,
    "facts": _facts,
    "claims": _claims,
    "legal": _legal,
    "requests": _requests,
    "declaration": _declaration,
}
