"""The integrity annex: the seal, what it covers, which signatures and time-stamps exist,
the verdict of verification, and how anyone can check all of it with stock tools.

The checks are written for tools found on any Linux or macOS machine (``sha256sum``,
``b3sum``, ``openssl``, ``python3``, poppler's ``pdfdetach``), so that a court or an
archive can check the evidence years later without this software: the Merkle algorithm of
RFC 9162 §2.1 in words, the one-file verifier attached to the annex's page (a paperclip
annotation: the case data stays alone in the embedded files), and the exact commands for
objects, records, the custody log, signatures (``openssl pkeyutl -verify -rawin``) and
RFC 3161 time-stamp tokens (``openssl ts -verify``). The annex prints which signatures
and tokens exist; it does not judge them: ``evidence verify`` decides, and the annex
prints its verdict. It ends with the honest limit of all this.

Example:
    >>> RECORD_OFFSET
    174
"""

from __future__ import annotations

from typing import Final

from reportlab.platypus import Flowable, KeepTogether, Spacer

from evidence.render.annexes import kv_table, object_name
from evidence.render.canvas import Attachment, DossierCanvas
from evidence.render.context import PlannedPart, Writer
from evidence.render.coverage import find_unprintable, grouped
from evidence.render.flowables import SmallLinesCell, TextCell
from evidence.render.markup import esc, long_date
from evidence.render.paragraph import Paragraph
from evidence.render.sections import chunked_table, table_widths
from evidence.standalone import VERIFIER_NAME, verifier_bytes
from evidence.store import envelope_bytes

__all__ = ["EXTRACT", "RECORD_OFFSET", "build_integrity"]

RECORD_OFFSET: Final = len(envelope_bytes(b"{}")) - len(b"{}") - len(b"}\n")
"""Where a record's RFC 8785 bytes start in its file (the digests come first, fixed size)."""

EXTRACT: Final = (
    "mkdir case && cd case\n"
    "pdfdetach -list ../DOSSIER.pdf | sed -n 's|^[0-9]*: \\(.*\\)/[^/]*$|\\1|p' \\\n"
    "    | sort -u | xargs -r mkdir -p\n"
    "pdfdetach -saveall ../DOSSIER.pdf\n"
    f"mv {VERIFIER_NAME} .."
)
"""Extract the case data into case/ and the attached verifier beside it (the case folder is
a closed world: the verifier is not one of its files)."""


class _AttachedVerifier(Flowable):
    """A paperclip in the margin: the one-file verifier, attached to this page."""

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        canv = self.canv
        x, y = canv.absolutePosition(-16, -14)
        rect = (x, y, x + 12, y + 14)
        item = Attachment(
            VERIFIER_NAME,
            verifier_bytes(),
            "text/x-python",
            "the one-file verifier: python3 evidence-verify.py DOSSIER.pdf",
        )
        if isinstance(canv, DossierCanvas):
            canv.late(lambda c, _: c.attach(item, rect))


VERIFY_COMMANDS: Final = (
    f"python3 ../{VERIFIER_NAME} ../DOSSIER.pdf\n"
    f"python3 ../{VERIFIER_NAME} . --trusted-key ../SIGNER.pub.pem --tsa-ca ../TSA-CA.pem"
)
"""Run the attached verifier on the dossier, and on the extracted case with trust anchors."""


def _code(writer: Writer, text: str) -> Paragraph:
    """A block of commands: monospaced, line breaks kept, indented."""
    lines = [esc(line).replace("  ", "\u00a0 ") for line in text.splitlines()]
    return Paragraph("<br/>".join(lines), writer.styles.code)


def _seal_table(writer: Writer) -> Flowable:
    content = writer.content
    seal = content.seal
    mono = writer.styles.fonts.mono
    size = writer.template.type.mono

    def m(text: str) -> str:
        return f"<font face='{mono}' size='{size}'>{esc(text)}</font>"

    previous = "none: this is the first seal of the case"
    if seal.previous:
        previous = (
            f"seal {seal.previous.sequence:04d}, root "
            f"{m(seal.previous.root)}, file SHA-256 "
            f"{m(seal.previous.sha256)}"
        )
    rows = [
        (
            "Seal",
            f"<b>{seal.sequence:04d}</b> ({esc(content.seal_file.name)}), case {esc(seal.case_id)}",
        ),
        ("Sealed at", f"{esc(seal.sealed_at)} ({esc(long_date(seal.sealed_at))})"),
        ("Tree", f"{esc(seal.alg)} (RFC 9162 §2.1, SHA-256), {seal.size} leaves"),
        ("Merkle root", f"<b>{m(seal.root)}</b>"),
        ("Custody head", f"entry {seal.custody_seq}, SHA-256 {m(seal.custody_sha256)}"),
        ("Previous seal", previous),
        (
            "Signing key",
            (
                f"{esc(seal.signer.alg)}, fingerprint (SHA-256 "
                f"of the public key) {m(seal.signer.fingerprint)}"
            )
            if seal.signer
            else "none named: the seal is not signed",
        ),
        ("Seal file SHA-256", m(content.seal_file.sha256)),
        ("Seal file BLAKE3", m(content.seal_file.blake3)),
    ]
    return kv_table(writer, rows)


def _signatures(writer: Writer) -> list[Flowable]:
    content = writer.content
    seal_name = content.seal_file.name
    flow: list[Flowable] = []
    if content.signatures:
        for note in content.signatures:
            flow.append(
                writer.para(
                    f"Signature: {esc(note.name)} ({note.size} bytes, SHA-256 "
                    f"{writer.digest(note.sha256)}). "
                    "Check it with the signer's Ed25519 public key:",
                    numbered_para=False,
                )
            )
            flow.append(
                _code(
                    writer,
                    f"openssl pkeyutl -verify -pubin -inkey SIGNER.pub.pem "
                    f"-rawin \\\n    -in {seal_name} -sigfile {note.name}",
                )
            )
    else:
        flow.append(
            writer.para(
                f"Signature: none. No {esc(seal_name)}.sig file exists: this seal is not signed. "
                "A signature can be added to the case later without changing the seal; a later "
                "dossier of the same seal then carries it.",
                numbered_para=False,
            )
        )
    if content.timestamps:
        for note in content.timestamps:
            logged = content.logged(note.name)
            issued = ""
            if logged.get("tsa_name") or logged.get("gen_time"):
                issued = (
                    f" The custody log records it as issued by "
                    f"{esc(str(logged.get('tsa_name', '?')))} at "
                    f"{esc(str(logged.get('gen_time', '?')))}."
                )
            flow.append(
                writer.para(
                    f"Time-stamp: {esc(note.name)} ({note.size} bytes, SHA-256 "
                    f"{writer.digest(note.sha256)}), "
                    f"an RFC 3161 token over the SHA-256 of the seal file.{issued} "
                    "Check it with the time-stamping authority's CA certificate:",
                    numbered_para=False,
                )
            )
            chain = note.name.removesuffix(".tsr") + ".chain.pem"
            untrusted = (
                f" \\\n    -untrusted {chain}"
                if any(f.name == chain for f in content.embedded)
                else ""
            )
            flow.append(
                _code(
                    writer,
                    f"openssl ts -verify -in {note.name} \\\n"
                    f"    -data {seal_name} -CAfile TSA-CA.pem{untrusted}",
                )
            )
        flow.append(
            writer.para(
                f"(Add {writer.code('-token_in')} if the file holds a bare "
                "token rather than a reply.)",
                numbered_para=False,
            )
        )
    else:
        flow.append(
            writer.para(
                f"Time-stamp: none. No RFC 3161 token ({esc(seal_name)}.tsr) exists for this "
                "seal: the seal's date is the one the submitter's computer gave. A token from a "
                "time-stamping authority, which proves the seal existed at a given time, can be "
                "added later.",
                numbered_para=False,
            )
        )
    return flow


def _how_to(writer: Writer) -> list[Flowable]:
    content = writer.content
    source = next((s for s in content.sources), None)
    obj = object_name(source.body.object.blake3) if source else "objects/ab/ab…"
    record = content.revisions[0].label if content.revisions else "SRC-0001.1"
    flow: list[Flowable] = [
        writer.para(
            "<b>1. Extract the case data.</b> Every file of the case data is embedded "
            "in this PDF under its name in a case folder. With poppler's "
            f"{writer.code('pdfdetach')} (the "
            "folders must exist before the files are saved):",
            numbered_para=False,
        ),
        _code(writer, EXTRACT),
        writer.para(
            "<b>2. The captured items.</b> Each object's file name is its BLAKE3; "
            "its SHA-256 and BLAKE3 are printed in the exhibit register "
            f"({esc(writer.values['annex_register'])}):",
            numbered_para=False,
        ),
        _code(writer, f"sha256sum {obj}\nb3sum {obj}"),
        writer.para(
            "Or every file at once, with the lists embedded beside them:", numbered_para=False
        ),
        _code(writer, "sha256sum -c SHA256SUMS\nb3sum --check B3SUMS"),
        writer.para(
            "<b>3. The records.</b> A record's digests are those of its RFC 8785 "
            f"bytes, which start at byte {RECORD_OFFSET + 1} of its file and end two "
            "bytes before its end:",
            numbered_para=False,
        ),
        _code(
            writer, f"tail -c +{RECORD_OFFSET + 1} records/{record}.json | head -c -2 | sha256sum"
        ),
        writer.para(
            "<b>4. The Merkle root.</b> Each record is a leaf, in the order of the "
            f"seal's {writer.code('leaves')}. A leaf's hash is SHA-256(0x00 ‖ record "
            "bytes); two nodes combine as SHA-256(0x01 ‖ left ‖ right); the hash of a "
            "list of n &gt; 1 leaves combines the hash of its first k leaves with the "
            "hash of the rest, k being the largest power of two smaller than n (RFC "
            "9162 §2.1.1). The program attached to this page "
            f"({writer.code(VERIFIER_NAME)}: Python 3.11 or later, nothing else but "
            "openssl for signatures and time-stamps) recomputes it, and makes every "
            "check of this annex on the embedded data; save it with "
            f"{writer.code('pdfdetach -saveall')} (above) or from the PDF reader's "
            "attachments and run:",
            numbered_para=False,
        ),
        _AttachedVerifier(),
        _code(writer, VERIFY_COMMANDS),
        writer.para(
            f"<b>5. The custody log.</b> Each line's {writer.code('prev')} is the "
            "SHA-256 of the line before it without its line end; the seal names the "
            "log's last line before it. For line 2 (the third line names its digest):",
            numbered_para=False,
        ),
        _code(writer, "sed -n 2p custody.jsonl | tr -d '\\n' | sha256sum"),
        writer.para(
            "<b>6. Signatures and time-stamps</b>, where they exist (above), with "
            "openssl as shown. <b>7. Everything at once:</b> the attached "
            f"{writer.code(VERIFIER_NAME)} (step 4), or, with this software, "
            f"{writer.code('evidence verify DOSSIER.pdf')} runs every check above on the "
            "embedded data and compares it with what these pages print.",
            numbered_para=False,
        ),
    ]
    return flow


def _leaf_rows(writer: Writer) -> list[list[Flowable | TextCell]]:
    styles = writer.styles
    mono = styles.fonts.mono
    size = writer.template.type.mono
    rows: list[list[Flowable | TextCell]] = []
    for rev in writer.content.revisions:
        rows.append(
            [
                TextCell(str(rev.leaf), styles.cell),
                SmallLinesCell(rev.label, [rev.ern], styles.cell, small=styles.cell.fontSize - 1),
                TextCell(
                    [f"SHA-256 {rev.sha256}", f"BLAKE3\u00a0 {rev.blake3}"],
                    styles.cell,
                    font=mono,
                    size=size,
                ),
            ]
        )
    return rows


def _unprintable(writer: Writer) -> list[Flowable]:
    """The characters of the case that no shipped font covers, and where they are."""
    items = find_unprintable(writer.content)
    if not items:
        return []
    lines = "; ".join(grouped(items))
    return [
        Paragraph(
            f"<b>Characters this dossier could not print</b> (no font shipped with the tool has "
            f"them; each is printed as its code point in a marker, and the embedded case data "
            f"holds the exact text): {esc(lines)}.",
            writer.styles.small,
        )
    ]


def build_integrity(writer: Writer, part: PlannedPart) -> list[Flowable]:
    """The integrity annex."""
    styles = writer.styles
    content = writer.content
    verdict = content.verdict
    flow: list[Flowable] = [
        writer.para(
            "This annex says what the seal commits to and how anyone can check, with standard "
            "tools, that the evidence in this dossier is the evidence that was sealed.",
            numbered_para=False,
        ),
        writer.subheading("The seal", "integrity-seal"),
        _seal_table(writer),
        Spacer(1, 6),
        writer.subheading("Signatures and time-stamps", "integrity-signatures"),
        *_signatures(writer),
        writer.subheading("Verification", "integrity-verification"),
        writer.para(
            f"The case data embedded in this dossier was verified with {esc(content.tool)} "
            f"(evidence.verify.verify_case) when the dossier was produced. Verdict: "
            f"<b>{esc(verdict.summary())}</b>.",
            numbered_para=False,
        ),
    ]
    for note in verdict.notes:
        flow.append(Paragraph(f"Note: {esc(note)}", styles.small))
    for problem in verdict.problems:
        flow.append(Paragraph(f"Problem: {esc(problem)}", styles.small))
    flow.extend(_unprintable(writer))
    flow.append(
        writer.subheading("How to check the evidence with standard tools", "integrity-howto")
    )
    flow.extend(_how_to(writer))
    flow.append(
        writer.subheading("What the digests prove, and what they do not", "integrity-limits")
    )
    flow.append(
        writer.para(
            "The digests and the seal prove that the captured items, their texts and the records "
            "made from them are the same, bit for bit, as when they were recorded and sealed; a "
            "signature adds who sealed them, and a time-stamp token when. They do not prove that "
            "what a source says is true, that it was published where and when it says, or who "
            "wrote it. Those are questions of evidence, which the attribution and the status of "
            "each statement address, and which the submitter does not claim to have settled for "
            "any statement not marked as verified.",
            numbered_para=False,
        )
    )
    header = [
        Paragraph(f"<b>{h}</b>", styles.cell)
        for h in ("Leaf", "Record, exhibit", "Digests of the record's RFC 8785 bytes")
    ]
    flow.append(
        writer.subheading(
            f"The {content.seal.size} record revisions the seal covers", "integrity-leaves"
        )
    )
    flow.extend(
        chunked_table(header, _leaf_rows(writer), table_widths(writer, (7, 20, 73)), writer)
    )
    if content.omitted:
        flow.append(Spacer(1, 6))
        flow.append(
            KeepTogether(
                [
                    writer.para(
                        "Objects the records name that this dossier does not carry: "
                        + "; ".join(
                            f"{esc(o.name)} ({o.size:,} bytes, {esc(o.reason)})"
                            for o in content.omitted
                        )
                        + ".",
                        numbered_para=False,
                    )
                ]
            )
        )
    return flow
