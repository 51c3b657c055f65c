"""Web pages as sources: the raw HTML is the object, the article's main text is the text.

Two steps, each of which can refuse with a clear message before anything is written:

1. **Decoding.** The character encoding is taken as browsers take it (WHATWG HTML
   §13.2.3.1, "Determining the character encoding"): a byte order mark first, then the
   HTTP ``Content-Type`` charset (for pages from a WARC or a capture), then the
   ``<meta charset>`` or ``<meta http-equiv="Content-Type">`` declaration. Labels are
   read as the WHATWG Encoding Standard reads them (``iso-8859-1`` and ``ascii`` mean
   windows-1252). The bytes are then decoded strictly. A declaration that lies is
   refused, not guessed around: a page that says UTF-8 and is not, or that names a
   legacy encoding while its bytes are UTF-8, is an error naming the declaration, the
   byte and the line; ``--encoding`` says the truth, and the choice is recorded.
2. **Extraction.** The main text and the page's metadata (title, authors, publication
   date, site name, canonical URL) come from trafilatura, a maintained extractor that
   leaves navigation, menus, comments and related-article lists out; the language comes
   from ``<html lang>``. The extractor is asked to favour precision over recall: text
   that may be boilerplate is left out, because what claims quote must be the article's
   own words. The publication date is read from the markup only (htmldate
   without its "extensive" guess from the running text), so a date mentioned in the
   article is never taken for the day it was published. A page whose main text is
   empty or a few words of menu is refused: there is no article to quote.

Example:
    >>> page = (b'<html lang="en"><head><meta charset="utf-8"><title>T</title></head>'
    ...         b'<body><article><p>Crews cleared the debris on Wednesday morning.</p>'
    ...         b'</article></body></html>')
    >>> found = extract_html(page, path="page.html")
    >>> found.text, found.meta["language"]
    ('Crews cleared the debris on Wednesday morning.', 'en')
"""

from __future__ import annotations

import codecs
import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any, Final

from evidence.errors import InputError
from evidence.ingest.extraction import Extraction
from evidence.ingest.text import normalise_text

__all__ = ["MIN_ARTICLE_CHARS", "MIN_ARTICLE_WORDS", "decode_html", "extract_html"]

MIN_ARTICLE_WORDS: Final = 4
"""Fewer words than this in the main text means the page has no article to quote."""
MIN_ARTICLE_CHARS: Final = 25

_PRESCAN_BYTES: Final = 4096

# WHATWG Encoding Standard: labels browsers read as windows-1252, and as UTF-8.
_AS_WINDOWS_1252: Final = frozenset(
    {
        "ascii",
        "us-ascii",
        "iso-8859-1",
        "iso8859-1",
        "iso_8859-1",
        "latin1",
        "latin-1",
        "l1",
        "cp819",
        "ibm819",
        "iso-ir-100",
        "csisolatin1",
        "x-cp1252",
        "cp1252",
        "windows-1252",
        "ansi_x3.4-1968",
        "iso_8859-1:1987",
    }
)
_AS_UTF8: Final = frozenset(
    {"utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "unicode20utf8"}
)

_META_CHARSET: Final = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE
)
_XML_DECL: Final = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""",
    re.IGNORECASE,
)
_HTML_LANG: Final = re.compile(
    r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*)""", re.IGNORECASE
)
_LANGUAGE: Final = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_COMMENT: Final = re.compile(rb"<!--.*?-->", re.DOTALL)
_CHARSET_PARAM: Final = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class _Declared:
    """A charset declaration: its label, the codec it names, and where it was found."""

    label: str
    codec: str
    where: str


def charset_of_content_type(value: str | None) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` value (RFC 9110 §8.3), if any."""
    if not value:
        return None
    match = _CHARSET_PARAM.search(value)
    return match.group(1) if match else None


def _codec(label: str) -> str | None:
    """The Python codec for a charset label, read as the WHATWG Encoding Standard does."""
    key = label.strip().lower()
    if key in _AS_UTF8:
        return "utf-8"
    if key in _AS_WINDOWS_1252:
        return "cp1252"
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _meta_declaration(data: bytes, *, path: str) -> _Declared | None:
    head = _COMMENT.sub(lambda m: b" " * len(m.group(0)), data[:_PRESCAN_BYTES])
    xml = _XML_DECL.match(head)
    match = xml or _META_CHARSET.search(head)
    if match is None:
        return None
    label = match.group(1).decode("ascii")
    where = (
        "its XML declaration" if xml else "its <meta> tag"
    ) + f" (line {_line_of(data, match.start())})"
    codec = _codec(label)
    if codec is None:
        raise InputError(
            f"declares charset {label!r} in {where}, which is not a known encoding",
            path=path,
            hint="Say the real encoding with --encoding, e.g. --encoding utf-8.",
        )
    if codec.startswith("utf-16") and not xml:
        # WHATWG: a <meta> that says UTF-16 in bytes that are not UTF-16 means UTF-8.
        codec = "utf-8"
    return _Declared(label, codec, where)


def _is_utf8_beyond_ascii(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(
    data: bytes,
    *,
    path: str,
    transport: str | None = None,
    encoding: str | None = None,
) -> tuple[str, list[str]]:
    """Decode an HTML page strictly; return its text and the transformations made.

    Args:
        data: the raw bytes of the page.
        path: how the user names the file, for messages.
        transport: the ``charset`` of the HTTP ``Content-Type`` header, when the page came
            over HTTP (it wins over the page's own declaration, as in browsers).
        encoding: the user's ``--encoding``, which wins over everything.

    Raises:
        InputError: the declared encoding is unknown or does not fit the bytes, or no
            encoding is declared and the bytes are not UTF-8.
    """
    notes: list[str] = []
    if encoding is not None:
        codec = _codec(encoding)
        if codec is None:
            raise InputError(f"unknown text encoding {encoding!r}", path=path)
        return _decode(data, _Declared(encoding, codec, "--encoding"), path=path, forced=True), [
            f"decoded from {codec}, as the user said (--encoding)"
        ]
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            text = _decode(
                data[len(bom) :],
                _Declared(codec, codec, "its byte order mark"),
                path=path,
                forced=True,
            )
            return text, [f"decoded from {codec} (byte order mark, removed)"]
    meta = _meta_declaration(data, path=path)
    declared = meta
    if transport is not None:
        codec = _codec(transport)
        if codec is None:
            raise InputError(
                f"the HTTP Content-Type names charset {transport!r}, which is not a known encoding",
                path=path,
                hint="Say the real encoding with --encoding, e.g. --encoding utf-8.",
            )
        declared = _Declared(transport, codec, "the HTTP Content-Type header")
        if meta is not None and meta.codec != codec:
            notes.append(
                f"the HTTP header says {codec}, the page's own declaration "
                f"{meta.codec}: read as {codec}, as browsers do"
            )
    if declared is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"declares no charset and is not UTF-8: byte {exc.start} "
                f"(line {_line_of(data, exc.start)}) is not valid UTF-8",
                path=path,
                hint="Say the page's encoding with --encoding, for example "
                "--encoding windows-1251; the raw bytes are kept either way.",
            ) from exc
        notes.append("decoded as UTF-8 (no charset declared)")
        return text, notes
    text = _decode(data, declared, path=path, forced=False)
    notes.append(f"decoded from {declared.codec} (declared in {declared.where})")
    return text, notes


def _decode(data: bytes, declared: _Declared, *, path: str, forced: bool) -> str:
    if not forced and declared.codec != "utf-8" and _is_utf8_beyond_ascii(data):
        raise InputError(
            f"declares charset {declared.label} in {declared.where}, but its bytes are "
            "UTF-8: the declaration does not fit the page",
            path=path,
            hint="If the page is UTF-8, say so with --encoding utf-8 (the choice is "
            "recorded); the raw bytes are kept either way.",
        )
    try:
        return data.decode(declared.codec)
    except UnicodeDecodeError as exc:
        at = f"byte {exc.start} (line {_line_of(data, exc.start)}) is not valid {declared.codec}"
        raise InputError(
            f"{at} (--encoding)"
            if declared.where == "--encoding"
            else f"declares charset {declared.label} in {declared.where}, but {at}: the "
            "declaration does not fit the page",
            path=path,
            hint="The declared encoding does not fit the bytes. Say the real encoding "
            "with --encoding, for example --encoding windows-1251; the raw bytes are "
            "kept either way.",
        ) from exc


def _language(text: str) -> str | None:
    match = _HTML_LANG.search(text[: _PRESCAN_BYTES * 4])
    if match is None:
        return None
    tag = match.group(1).replace("_", "-")
    return tag if _LANGUAGE.match(tag) else None


def _authors(value: str | None) -> list[str]:
    if not value:
        return []
    return [name.strip() for name in value.split(";") if name.strip()]


def _run_trafilatura(text: str, *, url: str | None, today: str, path: str) -> Any:
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            text,
            url=url,
            with_metadata=True,
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=False,
            deduplicate=False,
            date_extraction_params={
                "original_date": True,
                "extensive_search": False,
                "max_date": today,
            },
        )
    except Exception as exc:  # a foreign library's failure, wrapped at the boundary
        raise InputError(
            f"the HTML could not be parsed: {type(exc).__name__}: {exc}", path=path
        ) from exc


def extract_html(
    data: bytes,
    *,
    path: str,
    url: str | None = None,
    transport_charset: str | None = None,
    encoding: str | None = None,
    now: _dt.datetime | None = None,
) -> Extraction:
    """Decode a page and extract its main text and metadata.

    Args:
        data: the raw bytes of the page.
        path: how the user names the file, for messages.
        url: where the page was fetched from, if known (helps resolve relative links).
        transport_charset: the charset of the HTTP ``Content-Type``, if the page came
            over HTTP.
        encoding: the user's ``--encoding``.
        now: the day after which a publication date is impossible (default: today).

    Raises:
        InputError: the page cannot be decoded (see :func:`decode_html`), is not text
            (holds NUL bytes), or has no article text.
    """
    import trafilatura

    text, notes = decode_html(data, path=path, transport=transport_charset, encoding=encoding)
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(
            f"not an HTML document: a NUL character at line {text.count(chr(10), 0, nul) + 1}",
            path=path,
            hint="The file looks binary; check that it is the saved page.",
        )
    today = (now or _dt.datetime.now(_dt.UTC)).date().isoformat()
    doc = _run_trafilatura(text, url=url, today=today, path=path)
    found = normalise_text(doc.text) if doc is not None and doc.text else ""
    words = found.split()
    if len(words) < MIN_ARTICLE_WORDS or len("".join(words)) < MIN_ARTICLE_CHARS:
        shown = " ".join(words)
        raise InputError(
            "no article text in the page" + (f" (only «{shown[:60]}»)" if shown else ""),
            path=path,
            hint="The extractor found no main text: the page may be an index, a login or "
            "consent wall, or build its text with JavaScript. Save the rendered page, or "
            "keep this file as a source without text with --no-text.",
        )
    meta: dict[str, Any] = {
        "title": doc.title or None,
        "authors": _authors(doc.author),
        "published": doc.date or None,
        "publisher": doc.sitename or None,
        "canonical_url": doc.url or None,
        "language": _language(text),
    }
    notes.append(
        f"extracted the main text with trafilatura {trafilatura.__version__} "
        "(favouring precision); navigation, menus, comments and related links left "
        "out"
    )
    notes.append(
        "metadata (title, authors, date, site name, canonical URL) read from the "
        "page's markup; the date from markup only, never from the running text"
    )
    notes.append("normalised to Unicode NFC with LF line ends")
    return Extraction(found, {k: v for k, v in meta.items() if v not in (None, [])}, tuple(notes))
