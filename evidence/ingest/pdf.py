"""PDF articles and press releases: the PDF is the object, its text layer is the text.

The text is read page by page with pypdf, a maintained pure-Python reader (ISO 32000),
pages joined by a blank line, then normalised like every text (NFC, ``\\n``). What a PDF
cannot give is said, not papered over:

- encrypted with a user password: no text can be read without it; the PDF is still kept
  as the object, and the user is told that no text could be extracted. A PDF encrypted
  with an owner password only (the common "no copying" flag) opens with the empty user
  password, and the record notes that it was decrypted so;
- image-only (a scan): there is no text layer and no OCR is done; the PDF is kept, the
  user is told;
- damaged (truncated, not a PDF): refused with pypdf's reason; ``--no-text`` keeps it
  as a source without text.

The document's title and author come from its information dictionary, and its language
from the catalogue's ``/Lang``. Its ``CreationDate`` is when the file was made, not
what the article says, so it is not taken as the publication date.

Example:
    >>> import io
    >>> from reportlab.pdfgen import canvas
    >>> buf = io.BytesIO()
    >>> page = canvas.Canvas(buf, invariant=1)
    >>> page.drawString(72, 720, "Engineers inspected the damaged hospital wing.")
    >>> page.save()
    >>> extract_pdf(io.BytesIO(buf.getvalue()), path="release.pdf").text
    'Engineers inspected the damaged hospital wing.\\n'
"""

from __future__ import annotations

import re
from typing import Any, BinaryIO, Final

from evidence.errors import InputError
from evidence.ingest.extraction import Extraction
from evidence.ingest.html import MIN_ARTICLE_CHARS, MIN_ARTICLE_WORDS
from evidence.ingest.text import normalise_text

__all__ = ["extract_pdf"]

_LANGUAGE: Final = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_NO_TEXT: Final = "no text could be extracted"
# What PDF producers write when nobody gave a title: not the document's title.
_PLACEHOLDER_TITLE: Final = re.compile(
    r"^(untitled( document)?|microsoft word - .*)$", re.IGNORECASE
)


def _info_text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _metadata(reader: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    try:
        info = reader.metadata
        root = reader.trailer["/Root"]
        lang = _info_text(root.get("/Lang"))
    except Exception:  # a damaged info dictionary is no reason to refuse
        return meta
    if info is not None:
        title = _info_text(info.get("/Title"))
        author = _info_text(info.get("/Author"))
        if title and not _PLACEHOLDER_TITLE.match(title):
            meta["title"] = title
        if author:
            meta["authors"] = [author]
    if lang and _LANGUAGE.match(lang):
        meta["language"] = lang
    return meta


def _open(fh: BinaryIO, *, path: str) -> Any:
    from pypdf import PdfReader

    try:
        return PdfReader(fh, strict=False)
    except Exception as exc:  # pypdf raises several kinds; all mean "cannot read it"
        raise InputError(
            f"not a readable PDF: {exc}",
            path=path,
            hint="The file may be truncated or damaged. To keep it as a source without "
            "text, add it with --no-text.",
        ) from exc


def extract_pdf(fh: BinaryIO, *, path: str) -> Extraction:
    """Read a PDF's text layer and information dictionary.

    Args:
        fh: the PDF, open for binary reading and seekable.
        path: how the user names the file, for messages.

    Returns:
        The extraction; its ``text`` is None (and a warning says why) when the PDF is
        encrypted with a user password or has no text layer.

    Raises:
        InputError: the file is not a PDF pypdf can read.
    """
    import pypdf

    notes: list[str] = []
    reader = _open(fh, path=path)
    try:
        encrypted = reader.is_encrypted
        if encrypted and not reader.decrypt(""):
            return Extraction(
                None,
                {},
                (f"encrypted with a user password: {_NO_TEXT}",),
                (
                    f"the PDF is encrypted with a password: {_NO_TEXT}; it is kept as "
                    "the source's object (cite, not quote)",
                ),
            )
        if encrypted:
            notes.append(
                "decrypted with the empty user password (the PDF is "
                "restricted by an owner password only)"
            )
        meta = _metadata(reader)
        pages = list(reader.pages)
    except Exception as exc:  # a structure pypdf cannot walk
        raise InputError(
            f"not a readable PDF: {exc}",
            path=path,
            hint="To keep it as a source without text, add it with --no-text.",
        ) from exc
    texts: list[str] = []
    failed: list[int] = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append((page.extract_text() or "").rstrip("\n"))
        except Exception:  # one bad page must not lose the others
            texts.append("")
            failed.append(number)
    warnings: list[str] = []
    if failed:
        warnings.append(f"no text could be read from page(s) {', '.join(map(str, failed))}")
        notes.append(f"page(s) {', '.join(map(str, failed))} gave no text (pypdf failed)")
    text = normalise_text("\n\n".join(texts).strip("\n") + "\n")
    words = text.split()
    if len(words) < MIN_ARTICLE_WORDS or len("".join(words)) < MIN_ARTICLE_CHARS:
        why = "no text layer (a scanned or image-only PDF; no OCR is done)"
        return Extraction(
            None,
            meta,
            (*notes, f"{why}: {_NO_TEXT}"),
            (
                *warnings,
                f"the PDF has {why}: {_NO_TEXT}; it is kept as the source's "
                "object (cite, not quote)",
            ),
        )
    notes.append(
        f"text extracted with pypdf {pypdf.__version__} from {len(pages)} page(s), "
        "pages separated by a blank line"
    )
    notes.append("normalised to Unicode NFC with LF line ends")
    return Extraction(text, meta, tuple(notes), tuple(warnings))
