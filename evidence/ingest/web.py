"""Web material for ``evidence add``: HTML pages, PDFs, WARC files and WACZ packages.

:func:`prepare_web` reads a file and extracts what it says **before anything is
written**, so that a file that must be refused (a lying charset, a truncated WARC, a page
without article text) leaves nothing behind. It also computes the digests of the bytes
that will become the source's object, so the caller can tell at once whether the case
holds them already. The caller (``add``) then stores the object with
:func:`store_web_object`, the archive a WARC response came from with
:func:`store_archive`, and the text.

What becomes the object, and what the text:

==================  ==============================  =====================================
file                object                          text
==================  ==============================  =====================================
HTML page           the raw HTML bytes              main text (trafilatura)
PDF                 the PDF                         its text layer (pypdf), or none
WARC / WACZ         the response's WARC record      text of the response's payload
                    (the file: attachment archive)  (HTML, PDF or plain text)
==================  ==============================  =====================================

Example:
    >>> import io, pathlib, tempfile
    >>> page = pathlib.Path(tempfile.mkdtemp()) / "p.html"
    >>> _ = page.write_bytes(b'<html><body><article><p>Repair crews cleared the debris '
    ...                      b'on Wednesday.</p></article></body></html>')
    >>> with open(page, "rb") as fh:
    ...     prepared = prepare_web(page, fh, "text/html", shown="p.html")
    >>> prepared.text
    'Repair crews cleared the debris on Wednesday.'
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final

from evidence._fs import Batch
from evidence._time import format_time, parse_time
from evidence.case import Case
from evidence.digest import DigestPair, copy_and_digest, digest_bytes
from evidence.errors import InputError
from evidence.ingest.extraction import Extraction
from evidence.ingest.html import charset_of_content_type, extract_html
from evidence.ingest.mediatype import sniff
from evidence.ingest.pdf import extract_pdf
from evidence.ingest.text import decode_text, normalise_text
from evidence.ingest.warc import WarcCapture, open_archive, record_reader
from evidence.model import Attachment, ObjectRef, WarcRef

__all__ = [
    "ARCHIVE_TYPES",
    "HTML_TYPES",
    "WEB_TYPES",
    "Collection",
    "Prepared",
    "prepare_web",
    "store_archive",
    "store_web_object",
    "whole_file_digest",
]

HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
ARCHIVE_TYPES: Final = frozenset({"application/warc", "application/wacz"})
WEB_TYPES: Final = HTML_TYPES | ARCHIVE_TYPES | {"application/pdf"}
"""Media types :func:`prepare_web` reads; other files are kept as they are."""

MAX_HTML_BYTES: Final = 64 * 1024 * 1024
_SUFFIXES: Final = re.compile(r"(\.warc(\.gz)?|\.wacz)$", re.IGNORECASE)


@dataclass(frozen=True)
class Collection:
    """How a file was collected, when the caller knows better than the file's type.

    ``evidence capture`` says ``capture-command``, the user agent it sent and what it
    knows of the clock; ``add`` says nothing and the method follows from the file.
    """

    method: str | None = None
    user_agent: str | None = None
    clock: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A web file read and understood, nothing written yet.

    Attributes:
        media_type: the media type of the source's object (``application/warc`` for a
            response taken from a WARC or WACZ).
        digest: digests of the object's bytes.
        filename: the object's file name.
        extraction: the text (or None), metadata, notes and warnings.
        method: ``imported-archive`` for archives, else None (the caller's default).
        captured_at: the collection time the capture gives (WARC-Date), else None.
        capture: further fields of the record's ``capture`` (final URL, HTTP answer,
            redirects, WARC record, clock note).
        archive: the WARC response taken, when the file is an archive.
        data: the object's bytes when they were read whole (HTML).
        checks: integrity checks the file passed on the way in (WARC record digests,
            a WACZ package's manifest), for the custody log.
    """

    media_type: str
    digest: DigestPair
    filename: str
    extraction: Extraction
    method: str | None = None
    captured_at: _dt.datetime | None = None
    capture: dict[str, Any] = field(default_factory=dict)
    archive: WarcCapture | None = None
    data: bytes | None = None
    checks: tuple[str, ...] = ()

    @property
    def text(self) -> str | None:
        """The normalised text, or None."""
        return self.extraction.text

    @property
    def meta(self) -> dict[str, Any]:
        """Metadata found in the file."""
        return self.extraction.meta

    @property
    def notes(self) -> tuple[str, ...]:
        """Transformations made, for the record."""
        return self.extraction.notes

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the user must be told."""
        return self.extraction.warnings


def _read_all(fh: BinaryIO, *, limit: int, shown: str) -> bytes:
    data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(
            f"larger than {limit} bytes: too large to read as a web page",
            path=shown,
            hint="Keep it as a source without text with --no-text.",
        )
    return data


def _digest_stream(fh: BinaryIO) -> DigestPair:
    fh.seek(0)
    pair = copy_and_digest(fh)
    fh.seek(0)
    return pair


def whole_file_digest(fh: BinaryIO, media_type: str) -> DigestPair | None:
    """The digests of a file whose object is the whole file (a page, a PDF), read in one
    streaming pass; None for an archive, whose object is one of its records."""
    if media_type in ARCHIVE_TYPES:
        return None
    return _digest_stream(fh)


def prepare_web(
    path: Path,
    fh: BinaryIO,
    media_type: str,
    *,
    shown: str,
    url: str | None = None,
    encoding: str | None = None,
    warc_record: str | None = None,
    now: _dt.datetime | None = None,
) -> Prepared:
    """Read a web file and extract its text and metadata; write nothing.

    Args:
        path: the file.
        fh: the file, open for binary reading and seekable.
        media_type: its media type (one of :data:`WEB_TYPES`).
        shown: how the user names the file, for messages.
        url: the page's URL (for an archive: the response to take).
        encoding: the user's ``--encoding``, for HTML and text payloads.
        warc_record: a WARC-Record-ID, to choose among captures of one URL.
        now: the time of adding (a publication date after it is impossible).

    Raises:
        InputError: the file cannot be read, decoded or understood (see each reader).
    """
    if media_type in HTML_TYPES:
        data = _read_all(fh, limit=MAX_HTML_BYTES, shown=shown)
        found = extract_html(data, path=shown, url=url, encoding=encoding, now=now)
        meta = dict(found.meta)
        if url is None and meta.get("canonical_url"):
            meta["url"] = meta["canonical_url"]
        return Prepared(
            media_type,
            digest_bytes(data),
            path.name,
            Extraction(found.text, meta, found.notes, found.warnings),
            data=data,
        )
    if media_type == "application/pdf":
        digest = _digest_stream(fh)
        found = extract_pdf(fh, path=shown)
        return Prepared(media_type, digest, path.name, found)
    if media_type in ARCHIVE_TYPES:
        return _prepare_archive(
            path,
            media_type,
            shown=shown,
            url=url,
            encoding=encoding,
            warc_record=warc_record,
            now=now,
        )
    raise InputError(f"not a web page, PDF or web archive ({media_type})", path=shown)


def _prepare_archive(
    path: Path,
    media_type: str,
    *,
    shown: str,
    url: str | None,
    encoding: str | None,
    warc_record: str | None,
    now: _dt.datetime | None,
) -> Prepared:
    capture = open_archive(path, media_type, url=url, record_id=warc_record, name=shown)
    response = capture.response
    found = _extract_payload(capture, shown=shown, encoding=encoding, now=now)
    try:
        captured_at = parse_time(response.date)
    except ValueError as exc:
        raise InputError(
            f"the record's WARC-Date {response.date!r} is not an RFC 3339 time", path=shown
        ) from exc
    with record_reader(capture) as reader:
        digest = copy_and_digest(reader)
    if digest.size != response.size:
        raise InputError("the WARC record could not be read whole", path=shown)
    stem = _SUFFIXES.sub("", path.name) or "capture"
    filename = f"{stem}-record-{response.offset}.warc" + (".gz" if capture.compressed else "")
    notes = [
        *response.notes,
        f"the source object is the WARC record {response.record_id} at offset "
        f"{response.offset} of {capture.location}"
        + (
            "" if capture.whole_file else "; the whole file is kept as an attachment (role archive)"
        ),
        *found.notes,
    ]
    meta = dict(found.meta)
    meta["url"] = capture.requested_url
    fields: dict[str, Any] = {
        "final_url": response.target_uri,
        "http": response.http,
        "redirects": capture.redirects,
        "warc": WarcRef(
            response.record_id,
            response.target_uri,
            response.date,
            capture.location,
            response.offset,
            capture.software,
        ),
        "clock": _clock_note(response.date, response.header("Date"), capture.software),
    }
    return Prepared(
        "application/warc",
        digest,
        filename,
        Extraction(found.text, meta, tuple(notes), found.warnings),
        method="imported-archive",
        captured_at=captured_at,
        capture=fields,
        archive=capture,
        checks=(*capture.checks, *response.checks),
    )


def _extract_payload(
    capture: WarcCapture, *, shown: str, encoding: str | None, now: _dt.datetime | None
) -> Extraction:
    """The text of a response's payload, by its Content-Type (or its bytes)."""
    response = capture.response
    label = f"{shown} ({response.target_uri})"
    content_type = response.header("Content-Type")
    payload = response.payload
    if payload is None:
        return Extraction(
            None,
            {},
            (f"the payload ({response.payload_size} bytes) is too large to read for text",),
            (
                f"the response's payload is {response.payload_size} bytes: kept without text "
                "(cite, not quote)",
            ),
        )
    kind = (content_type or "").split(";")[0].strip().lower()
    if not kind:
        kind = sniff(payload[:8192], Path(response.target_uri.split("?")[0]).name)
    if kind in HTML_TYPES:
        return extract_html(
            payload,
            path=label,
            url=response.target_uri,
            transport_charset=charset_of_content_type(content_type),
            encoding=encoding,
            now=now,
        )
    if kind == "application/pdf":
        return extract_pdf(io.BytesIO(payload), path=label)
    if kind in ("text/plain", "text/markdown"):
        charset = encoding or charset_of_content_type(content_type)
        text, notes = decode_text(payload, path=label, encoding=charset)
        if text.strip():
            return Extraction(
                normalise_text(text), {}, (*notes, "normalised to Unicode NFC with LF line ends")
            )
    return Extraction(
        None,
        {},
        (f"the response is {kind or 'empty'}: kept without text",),
        (f"the response is {kind or 'empty'}, not a page: kept without text (cite, not quote)",),
    )


def _clock_note(warc_date: str, http_date: str | None, software: str | None) -> str:
    """Berkeley Protocol: where the collection time comes from, and a second clock."""
    note = (
        f"collection time from the response record's WARC-Date, written by "
        f"{software or 'the capturing tool'}"
    )
    if http_date:
        try:
            server = email.utils.parsedate_to_datetime(http_date)
            skew = (parse_time(warc_date) - server.astimezone(_dt.UTC)).total_seconds()
        except (TypeError, ValueError):
            return f"{note}; the server's Date header {http_date!r} is not an HTTP date"
        # HTTP dates have whole seconds: a skew under 1 s is agreement.
        note += (
            f"; the server's Date header says {format_time(server)} "
            f"(WARC-Date {skew:+.1f} s from it)"
        )
    return note


def store_web_object(
    case: Case, prepared: Prepared, fh: BinaryIO, *, batch: Batch | None = None
) -> bool:
    """Store the source's object; return whether the store held it already.

    Raises:
        InputError: the bytes changed since :func:`prepare_web` read them.
    """
    if prepared.data is not None:
        pair, existed = case.objects.put_bytes(prepared.data, batch=batch)
    elif prepared.archive is not None:
        with record_reader(prepared.archive) as reader:
            pair, existed = case.objects.put_stream(reader)
    else:
        fh.seek(0)
        pair, existed = case.objects.put_stream(fh)
    if pair.blake3 != prepared.digest.blake3:
        raise InputError(
            "the file changed while it was being added",
            path=prepared.filename,
            hint="Add it again once nothing writes to it.",
        )
    return existed


def store_archive(case: Case, prepared: Prepared, path: Path) -> Attachment | None:
    """Keep the whole archive a response came from, as an attachment (role ``archive``).

    Returns None when there is no archive or the record is the whole file.
    """
    capture = prepared.archive
    if capture is None or capture.whole_file:
        return None
    try:
        fh = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    with fh:
        media_type = sniff(os.pread(fh.fileno(), 8192, 0), path.name)
        pair, _ = case.objects.put_stream(fh)
    return Attachment(
        "archive", media_type, ObjectRef(pair.blake3, pair.sha256, pair.size, path.name)
    )
