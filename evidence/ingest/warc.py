"""Web archives as sources: WARC files (ISO 28500:2017, ``.warc``, ``.warc.gz``) and WACZ
packages, read with warcio.

From an archive the source takes one HTTP response: the one for ``--url``, or the only
HTML page when there is one. Its **WARC record's bytes** become the source's object
(for ``.warc.gz``, the record's gzip member: itself a valid one-record ``.warc.gz``),
so the object is the capture exactly as the archive holds it, checkable with any WARC
tool. The capture time is the record's ``WARC-Date``; the HTTP status, reason and
headers, the target URI and the record id go into the source record. A response that
redirects (3xx with ``Location``) is followed inside the archive, as a replay tool would,
and each redirect is recorded.

The archive is read as a stream: one pass to index it (only the records' headers are
kept), then the chosen record is read again from its offset, so a 100 MB archive costs
a few megabytes of memory. On the way the file is checked, and refused with a clear
message when it is not sound: a truncated ``.warc.gz`` (a record cut short, a gzip
member without its end, bytes after the last complete record), a record whose
``WARC-Block-Digest`` or ``WARC-Payload-Digest`` does not match its bytes, no response
for the URL, several and no way to choose.

A WACZ package (Webrecorder's WACZ 1.1: a ZIP of ``archive/*.warc.gz``, indexes and
``datapackage.json``) is first checked against its own manifest: every file listed in
``datapackage.json`` must be present with the size and SHA-256 it gives, and
``datapackage-digest.json``, when present, must match ``datapackage.json``. A mismatch
means the package changed after it was made, and is reported.

Example:
    >>> url_key("HTTP://Example.org:80/a#top")
    'http://example.org/a'
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final, cast
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from evidence.errors import InputError
from evidence.model import HttpResponse, Redirect

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "WarcCapture",
    "WarcResponse",
    "iri_to_uri",
    "open_archive",
    "open_wacz",
    "open_warc",
    "record_reader",
    "url_key",
]

MAX_PAYLOAD_BYTES: Final = 64 * 1024 * 1024
"""A response payload larger than this is kept, but not read for text."""

_CHUNK: Final = 1 << 16
_MAX_REDIRECTS: Final = 20
_LISTED: Final = 5
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}

Opener = Callable[[], BinaryIO]


_URI_SAFE: Final = "/%:@!$&'()*+,;=-._~?[]"


def iri_to_uri(url: str) -> str:
    """An IRI as a URI (RFC 3987 §3.1): host in IDNA, other non-ASCII characters
    percent-encoded as UTF-8; existing escapes and reserved characters are kept."""
    url = url.strip().strip("<>")
    if url.isascii():
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        ascii_host = quote(host, safe="")
    netloc = parts.netloc.rsplit("@", 1)
    userinfo = quote(netloc[0], safe=_URI_SAFE) + "@" if len(netloc) == 2 else ""
    port = f":{parts.port}" if parts.port is not None else ""
    return urlunsplit(
        (
            parts.scheme,
            userinfo + ascii_host + port,
            quote(parts.path, safe=_URI_SAFE),
            quote(parts.query, safe=_URI_SAFE),
            quote(parts.fragment, safe=_URI_SAFE),
        )
    )


def url_key(url: str) -> str:
    """A URL in the form used to match WARC target URIs: an IRI made a URI, scheme and
    host lower-cased, default port and fragment dropped, an empty path made ``/``."""
    try:
        url = iri_to_uri(url)
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


@dataclass(frozen=True, slots=True)
class _Entry:
    """One record as indexed: its kind, where it is, and what its headers say."""

    member: str | None
    type: str
    target: str | None
    offset: int
    size: int
    date: str | None
    record_id: str | None
    status: int | None
    content_type: str | None
    location: str | None


@dataclass(frozen=True)
class WarcResponse:
    """The response chosen and read: its record, HTTP answer and decoded payload.

    ``payload`` is None when it is larger than :data:`MAX_PAYLOAD_BYTES`.
    """

    record_id: str
    target_uri: str
    date: str
    member: str | None
    offset: int
    size: int
    http: HttpResponse
    payload: bytes | None
    payload_size: int
    notes: tuple[str, ...]
    checks: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        """The first HTTP header field of that name (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for n, v in self.http.headers if n.lower() == wanted), None)


@dataclass(frozen=True)
class WarcCapture:
    """What ``add`` takes from an archive: the response, its redirects, where its bytes are."""

    name: str
    filename: str
    requested_url: str
    response: WarcResponse
    redirects: tuple[Redirect, ...]
    software: str | None
    compressed: bool
    opener: Opener
    checks: tuple[str, ...]
    whole_file: bool

    @property
    def location(self) -> str:
        """The WARC file the record is in, by file name: ``x.warc.gz``, or
        ``package.wacz!/archive/x.warc.gz``."""
        member = self.response.member
        return f"{self.filename}!/{member}" if member else self.filename


# -- opening ------------------------------------------------------------------------------


class _ZipMember(io.RawIOBase):
    """A member of a ZIP file that closes the ZIP file with it (seekable, streaming)."""

    def __init__(self, path: Path, member: str) -> None:
        super().__init__()
        self._zip = zipfile.ZipFile(path)
        self._fh = self._zip.open(member)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._fh.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        return self._fh.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()

    def close(self) -> None:
        if not self.closed:
            self._fh.close()
            self._zip.close()
        super().close()


def _file_opener(path: Path) -> Opener:
    def opener() -> BinaryIO:
        try:
            return open(path, "rb")  # the caller closes it
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from exc

    return opener


def _member_opener(path: Path, member: str) -> Opener:
    def opener() -> BinaryIO:
        return _ZipMember(path, member)  # type: ignore[return-value]

    return opener


@dataclass
class _Limited:
    """Reads ``size`` bytes of a stream from its current position, then reports the end."""

    fh: BinaryIO
    size: int

    def read(self, n: int = -1) -> bytes:
        if self.size <= 0:
            return b""
        data = self.fh.read(self.size if n < 0 else min(n, self.size))
        self.size -= len(data)
        return data


@contextlib.contextmanager
def record_reader(capture: WarcCapture) -> Iterator[BinaryIO]:
    """The bytes of the chosen record, as a stream (for storing them without loading them)."""
    with capture.opener() as fh:
        fh.seek(capture.response.offset)
        yield cast(BinaryIO, _Limited(fh, capture.response.size))


# -- indexing -----------------------------------------------------------------------------


def _damaged(name: str, what: str) -> InputError:
    return InputError(
        f"the WARC is damaged or truncated: {what}",
        path=name,
        hint="Nothing was added. Get a complete copy of the archive (compare its size and "
        "SHA-256 with the original), then add it again.",
    )


def _header_status(http: Any) -> tuple[int | None, str]:
    if http is None:
        return None, ""
    code, _, reason = (http.statusline or "").partition(" ")
    return (int(code) if code.isdigit() else None), reason.strip()


def _gzip_member_complete(opener: Opener, offset: int, size: int) -> bool:
    """True when the gzip member at ``offset`` decompresses to its end (CRC and length
    checked by zlib) and nothing follows it within ``size``."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with opener() as fh:
        fh.seek(offset)
        left = size
        try:
            while left > 0:
                chunk = fh.read(min(_CHUNK, left))
                if not chunk:
                    return False
                left -= len(chunk)
                inflater.decompress(chunk)
                while inflater.unconsumed_tail:
                    inflater.decompress(inflater.unconsumed_tail)
        except zlib.error:
            return False
    return inflater.eof and not inflater.unused_data


def _index(
    opener: Opener, file_size: int, *, name: str, member: str | None
) -> tuple[list[_Entry], str | None, bool]:
    """Index every record of one WARC stream; check it is complete. Streams the file once."""
    from warcio.archiveiterator import ArchiveIterator

    entries: list[_Entry] = []
    software = None
    gaps: list[int] = []
    with opener() as fh, contextlib.redirect_stderr(io.StringIO()) as said:
        iterator = ArchiveIterator(fh, arc2warc=False)
        compressed = False
        try:
            for record in iterator:
                compressed = iterator.reader.decompressor is not None
                entry, info = _entry(record, member)
                while record.raw_stream.read(_CHUNK):
                    pass
                if getattr(record.raw_stream, "limit", 0) > 0:
                    raise _damaged(
                        name,
                        f"the {entry.type} record at offset "
                        f"{iterator.get_record_offset()} ends before its "
                        "Content-Length",
                    )
                offset, length = iterator.get_record_offset(), iterator.get_record_length()
                entries.append(_replace_place(entry, offset, length))
                if info is not None and software is None:
                    software = info
        except InputError:
            raise
        except Exception as exc:  # warcio raises several kinds on damaged input
            where = f" after offset {entries[-1].offset}" if entries else ""
            raise _damaged(name, f"cannot read a record{where} ({exc})") from exc
        if said.getvalue().strip():
            raise _damaged(name, " ".join(said.getvalue().split())[:200])
    if not entries:
        raise InputError("not a WARC file: no WARC record found", path=name)
    _check_layout(entries, gaps, file_size, compressed=compressed, name=name)
    if not compressed:
        _check_blank_gaps(opener, entries, file_size, name=name)
    if compressed:
        last = entries[-1]
        if not _gzip_member_complete(opener, last.offset, last.size):
            raise _damaged(name, f"the last gzip member (offset {last.offset}) is cut short")
    else:
        entries = [
            _replace_place(e, e.offset, e.size + gap) for e, gap in zip(entries, gaps, strict=True)
        ]
    return entries, software, compressed


def _replace_place(entry: _Entry, offset: int, size: int) -> _Entry:
    return _Entry(
        entry.member,
        entry.type,
        entry.target,
        offset,
        size,
        entry.date,
        entry.record_id,
        entry.status,
        entry.content_type,
        entry.location,
    )


def _check_layout(
    entries: list[_Entry], gaps: list[int], file_size: int, *, compressed: bool, name: str
) -> None:
    """Records follow each other without holes, and the last one ends the file.

    In a ``.warc.gz`` each record is one gzip member and they are contiguous; in a
    ``.warc`` each record is followed by the two CRLFs that end it (ISO 28500 §4). A file
    cut exactly at a record boundary is a valid, shorter WARC and cannot be told apart.
    """
    for before, after in zip(entries, [*entries[1:], None], strict=True):
        end = before.offset + before.size
        following = after.offset if after is not None else file_size
        gap = following - end
        if compressed and gap != 0:
            raise _damaged(
                name,
                f"{gap} byte(s) after the record at offset {before.offset} "
                "are not a complete gzip member",
            )
        if not compressed:
            if gap < 4:
                raise _damaged(
                    name,
                    f"the record at offset {before.offset} is not followed "
                    "by the blank lines that end a WARC record",
                )
            gaps.append(min(gap, 4))


def _check_blank_gaps(opener: Opener, entries: list[_Entry], file_size: int, *, name: str) -> None:
    """What lies between records of a ``.warc`` beyond the usual CRLF CRLF must be blank
    lines too: anything else is a record warcio could not read (a truncated header)."""
    ends = [
        (e.offset + e.size, after)
        for e, after in zip(entries, [*(x.offset for x in entries[1:]), file_size], strict=True)
    ]
    wide = [(end, after) for end, after in ends if after - end > 4]
    if not wide:
        return
    with opener() as fh:
        for end, after in wide:
            if after - end > _CHUNK:
                raise _damaged(name, f"{after - end} bytes at offset {end} are not a WARC record")
            fh.seek(end)
            if fh.read(after - end).strip(b"\r\n"):
                raise _damaged(name, f"the bytes at offset {end} are not a complete WARC record")


def _entry(record: Any, member: str | None) -> tuple[_Entry, str | None]:
    headers = record.rec_headers
    kind = (headers.get_header("WARC-Type") or record.rec_type or "").lower()
    status, _ = _header_status(record.http_headers if kind in ("response", "revisit") else None)
    http = record.http_headers if kind in ("response", "revisit") else None
    target = headers.get_header("WARC-Target-URI")
    software = None
    if kind == "warcinfo":
        software = _warcinfo_software(record)
    return _Entry(
        member=member,
        type=kind,
        target=target.strip().strip("<>") if target else None,
        offset=0,
        size=0,
        date=headers.get_header("WARC-Date"),
        record_id=headers.get_header("WARC-Record-ID"),
        status=status,
        content_type=http.get_header("Content-Type") if http is not None else None,
        location=http.get_header("Location") if http is not None else None,
    ), software


def _warcinfo_software(record: Any) -> str | None:
    """The ``software`` field of a warcinfo record (its block is ``application/warc-fields``)."""
    block: bytes = record.raw_stream.read(_CHUNK)
    for line in block.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "software" and value.strip():
            return value.strip()
    return None


# -- choosing -----------------------------------------------------------------------------


def _is_html(entry: _Entry) -> bool:
    kind = (entry.content_type or "").split(";")[0].strip().lower()
    return kind in ("text/html", "application/xhtml+xml")


def _listing(urls: Sequence[str]) -> str:
    shown = ", ".join(urls[:_LISTED])
    return shown + (f" (and {len(urls) - _LISTED} more)" if len(urls) > _LISTED else "")


def _choose(
    entries: Sequence[_Entry],
    *,
    url: str | None,
    record_id: str | None,
    pages: Sequence[str],
    name: str,
) -> _Entry:
    responses = [e for e in entries if e.type == "response" and e.target]
    if record_id is not None:
        wanted = record_id.strip().strip("<>")
        found = [e for e in responses if (e.record_id or "").strip("<>") == wanted]
        if not found:
            raise InputError(f"no response record {record_id} in the WARC", path=name)
        return found[0]
    if url is None:
        html = [
            e for e in responses if _is_html(e) and e.status is not None and 200 <= e.status < 300
        ]
        if len(html) == 1:
            return html[0]
        if len(pages) == 1:
            url = pages[0]
        elif len(responses) == 1:
            return responses[0]
        else:
            listed = sorted({e.target for e in (html or responses) if e.target})
            raise InputError(
                f"the WARC holds {len(html) or len(responses)} "
                f"{'HTML pages' if html else 'responses'}; say which with --url: "
                f"{_listing(listed)}",
                path=name,
            )
    found = _responses_for(responses, url)
    if not found:
        revisits = [
            e
            for e in entries
            if e.type == "revisit" and e.target and url_key(e.target) == url_key(url)
        ]
        if revisits:
            raise InputError(
                f"the WARC holds only a revisit record for {url}: its payload is in "
                "another capture",
                path=name,
                hint="Add the archive that holds the original response.",
            )
        listed = sorted({e.target for e in responses if e.target})
        raise InputError(
            f"no response for {url} in the WARC"
            + (
                f"; it holds responses for: {_listing(listed)}"
                if listed
                else " (it holds no HTTP responses)"
            ),
            path=name,
        )
    if len(found) > 1:
        raise InputError(
            f"the WARC holds {len(found)} responses for {url}, captured at "
            f"{', '.join(e.date or '?' for e in found)}",
            path=name,
            hint="Say which with --warc-record, giving its WARC-Record-ID: "
            + ", ".join(e.record_id or "?" for e in found[:_LISTED]),
        )
    return found[0]


def _responses_for(responses: Sequence[_Entry], url: str) -> list[_Entry]:
    key = url_key(url)
    return [e for e in responses if e.target and url_key(e.target) == key]


def _follow(
    entries: Sequence[_Entry], first: _Entry, *, name: str
) -> tuple[_Entry, tuple[Redirect, ...]]:
    """Follow 3xx answers inside the archive, as a replay tool would."""
    responses = [e for e in entries if e.type == "response" and e.target]
    hops: list[Redirect] = []
    seen = {url_key(first.target or "")}
    entry = first
    while entry.status is not None and 300 <= entry.status < 400 and entry.location:
        if len(hops) >= _MAX_REDIRECTS:
            raise InputError(f"more than {_MAX_REDIRECTS} redirects from {first.target}", path=name)
        target = urljoin(entry.target or "", entry.location.strip())
        hops.append(Redirect(entry.target or "", entry.status, entry.location.strip()))
        if url_key(target) in seen:
            raise InputError(f"{first.target} redirects in a loop (back to {target})", path=name)
        seen.add(url_key(target))
        found = _responses_for(responses, target)
        if not found:
            raise InputError(
                f"{entry.target} redirects ({entry.status}) to {target}, which the WARC "
                "does not hold",
                path=name,
                hint="The archive is incomplete for this page; capture the final URL.",
            )
        # Of several captures of the target, the first one made after the redirect.
        later = [e for e in found if (e.date or "") >= (entry.date or "")]
        entry = (later or found)[0]
    return entry, tuple(hops)


# -- reading the chosen record ------------------------------------------------------------


def _read_response(opener: Opener, entry: _Entry, *, name: str) -> WarcResponse:
    """Read the chosen record again from its offset: HTTP answer, payload, digests."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.bufferedreaders import BufferedReader

    notes: list[str] = []
    with opener() as fh, contextlib.redirect_stderr(io.StringIO()):
        fh.seek(entry.offset)
        try:
            record = next(iter(ArchiveIterator(fh, arc2warc=False, check_digests=True)))
            http = record.http_headers
            status, reason = _header_status(http)
            if http is None or status is None:
                raise InputError(f"the record for {entry.target} holds no HTTP response", path=name)
            headers = tuple((str(n), str(v)) for n, v in http.headers)
            coding = (http.get_header("Content-Encoding") or "").strip().lower()
            if coding and coding != "identity":
                if coding not in BufferedReader.get_supported_decompressors():
                    raise InputError(
                        f"the response for {entry.target} is compressed with "
                        f"Content-Encoding {coding}, which cannot be decoded here",
                        path=name,
                        hint="Keep it as a source without text with --no-text.",
                    )
                notes.append(f"decoded the HTTP Content-Encoding {coding}")
            if (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
                notes.append("undid the HTTP chunked transfer coding")
            stream = record.content_stream()
            kept = bytearray()
            size = 0
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size <= MAX_PAYLOAD_BYTES:
                    kept += chunk
            while record.raw_stream.read(_CHUNK):
                pass
        except InputError:
            raise
        except Exception as exc:  # a foreign failure while decoding the record
            raise _damaged(
                name, f"cannot read the record at offset {entry.offset} ({exc})"
            ) from exc
    checker = getattr(record, "digest_checker", None)
    if checker is not None and checker.passed is False:
        raise InputError(
            f"the record for {entry.target} does not match its own digest "
            f"({'; '.join(checker.problems)})",
            path=name,
            hint="The record was changed or damaged after it was written; nothing was added.",
        )
    checks = (
        ("the record's WARC-Block-Digest / WARC-Payload-Digest match its bytes",)
        if checker is not None and checker.passed
        else ()
    )
    return WarcResponse(
        record_id=entry.record_id or "",
        target_uri=entry.target or "",
        date=entry.date or "",
        member=entry.member,
        offset=entry.offset,
        size=entry.size,
        http=HttpResponse(status, reason, headers),
        payload=bytes(kept) if size <= MAX_PAYLOAD_BYTES else None,
        payload_size=size,
        notes=tuple(notes),
        checks=checks,
    )


def _capture(
    entries: Sequence[_Entry],
    *,
    name: str,
    filename: str,
    url: str | None,
    record_id: str | None,
    pages: Sequence[str],
    software: str | None,
    compressed_by_member: dict[str | None, bool],
    openers: dict[str | None, Opener],
    file_size: int | None,
    checks: Sequence[str],
) -> WarcCapture:
    chosen = _choose(entries, url=url, record_id=record_id, pages=pages, name=name)
    requested = chosen.target or url or ""
    final, redirects = _follow(entries, chosen, name=name)
    if not final.date:
        raise InputError(f"the record for {final.target} has no WARC-Date", path=name)
    member_opener = openers[final.member]
    response = _read_response(member_opener, final, name=name)
    if not 200 <= response.http.status < 300:
        raise InputError(
            f"the response for {final.target} is {response.http.status} "
            f"{response.http.reason}: no page to extract",
            path=name,
            hint="To keep the archive as a source anyway (for example to document that "
            "the page was gone), add it with --no-text.",
        )
    whole = final.member is None and final.offset == 0 and file_size == final.size
    return WarcCapture(
        name=name,
        filename=filename,
        requested_url=url or requested,
        response=response,
        redirects=redirects,
        software=software,
        compressed=compressed_by_member[final.member],
        opener=member_opener,
        checks=tuple(checks),
        whole_file=whole,
    )


def open_warc(
    path: str | os.PathLike[str],
    *,
    url: str | None = None,
    record_id: str | None = None,
    name: str | None = None,
) -> WarcCapture:
    """Index a WARC file and read the response for ``url`` (or its only HTML page).

    Args:
        path: the ``.warc`` or ``.warc.gz`` file.
        url: the page wanted (its redirects are followed inside the archive).
        record_id: a WARC-Record-ID, to choose among several captures of one URL.
        name: how the user names the file, for messages.

    Raises:
        InputError: the file is not a sound WARC, or holds no (single) response to take.
    """
    src = Path(path)
    shown = name or str(path)
    opener = _file_opener(src)
    try:
        file_size = src.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=shown) from exc
    entries, software, compressed = _index(opener, file_size, name=shown, member=None)
    return _capture(
        entries,
        name=shown,
        filename=src.name,
        url=url,
        record_id=record_id,
        pages=(),
        software=software,
        compressed_by_member={None: compressed},
        openers={None: opener},
        file_size=file_size,
        checks=(),
    )


# -- WACZ ---------------------------------------------------------------------------------


def _sha256_of_member(archive: zipfile.ZipFile, member: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(member) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _expected_sha256(value: Any, *, what: str, name: str) -> str:
    text = str(value or "")
    algorithm, sep, hexdigest = text.partition(":")
    if not sep or algorithm.lower() != "sha256" or len(hexdigest) != 64:
        raise InputError(
            f"datapackage.json gives {what} the digest {text!r}; expected 'sha256:<64 hex digits>'",
            path=name,
        )
    return hexdigest.lower()


def _check_package(archive: zipfile.ZipFile, *, name: str) -> tuple[list[str], list[str]]:
    """Check datapackage.json against the files; return the WARC members and notes."""
    from evidence.canonical import loads_json

    members = set(archive.namelist())
    if "datapackage.json" not in members:
        raise InputError("not a WACZ package: no datapackage.json", path=name)
    raw = archive.read("datapackage.json")
    notes = []
    if "datapackage-digest.json" in members:
        digest_doc = loads_json(
            archive.read("datapackage-digest.json"), path=f"{name}!/datapackage-digest.json"
        )
        if not isinstance(digest_doc, dict):
            raise InputError("datapackage-digest.json is not a JSON object", path=name)
        want = _expected_sha256(digest_doc.get("hash"), what="datapackage.json", name=name)
        got = hashlib.sha256(raw).hexdigest()
        if want != got:
            raise InputError(
                f"datapackage-digest.json says sha256 {want} for datapackage.json, the "
                f"file gives {got}",
                path=name,
                hint="The package's manifest was changed after the package was made; "
                "nothing was added.",
            )
        notes.append("datapackage-digest.json matches datapackage.json (sha256)")
    doc = loads_json(raw, path=f"{name}!/datapackage.json")
    resources = doc.get("resources") if isinstance(doc, dict) else None
    if not isinstance(resources, list) or not resources:
        raise InputError("datapackage.json lists no resources", path=name)
    problems: list[str] = []
    warcs: list[str] = []
    for item in resources:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise InputError("datapackage.json: a resource without a path", path=name)
        member = item["path"]
        if member not in members:
            problems.append(f"{member} is listed but missing")
            continue
        want = _expected_sha256(item.get("hash"), what=member, name=name)
        got, size = _sha256_of_member(archive, member)
        if got != want:
            problems.append(f"{member}: datapackage.json says sha256 {want}, the file gives {got}")
        elif isinstance(item.get("bytes"), int) and item["bytes"] != size:
            problems.append(
                f"{member}: datapackage.json says {item['bytes']} bytes, the file has {size}"
            )
        if member.startswith("archive/") and member.endswith((".warc", ".warc.gz")):
            warcs.append(member)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(
            f"the package does not match its own datapackage.json: {problems[0]}{more}",
            path=name,
            hint="A file of the package was changed, added or lost after the package was "
            "made; nothing was added.",
        )
    if not warcs:
        raise InputError("the WACZ package lists no WARC files under archive/", path=name)
    notes.append(f"the WACZ package matches its datapackage.json ({len(resources)} files, sha256)")
    return warcs, notes


def _pages(archive: zipfile.ZipFile) -> list[str]:
    """The page URLs of ``pages/pages.jsonl`` (its first line is a header)."""
    try:
        raw = archive.read("pages/pages.jsonl")
    except KeyError:
        return []
    urls = []
    for line in raw.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            urls.append(item["url"])
    return urls


def open_wacz(
    path: str | os.PathLike[str],
    *,
    url: str | None = None,
    record_id: str | None = None,
    name: str | None = None,
) -> WarcCapture:
    """Check a WACZ package against its datapackage.json, then read a response from it.

    Raises:
        InputError: not a ZIP or not a WACZ, a digest mismatch, or no response to take.
    """
    src = Path(path)
    shown = name or str(path)
    try:
        with zipfile.ZipFile(src) as archive:
            warcs, checks = _check_package(archive, name=shown)
            pages = _pages(archive)
            sizes = {member: archive.getinfo(member).file_size for member in warcs}
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"not a ZIP file ({exc})",
            path=shown,
            hint="A WACZ package is a ZIP file; this one is damaged.",
        ) from exc
    entries: list[_Entry] = []
    compressed: dict[str | None, bool] = {}
    openers: dict[str | None, Opener] = {}
    software = None
    for member in warcs:
        opener = _member_opener(src, member)
        found, info, gz = _index(opener, sizes[member], name=f"{shown}!/{member}", member=member)
        entries.extend(found)
        compressed[member] = gz
        openers[member] = opener
        software = software or info
    return _capture(
        entries,
        name=shown,
        filename=src.name,
        url=url,
        record_id=record_id,
        pages=pages,
        software=software,
        compressed_by_member=compressed,
        openers=openers,
        file_size=None,
        checks=checks,
    )


def open_archive(
    path: str | os.PathLike[str],
    media_type: str,
    *,
    url: str | None = None,
    record_id: str | None = None,
    name: str | None = None,
) -> WarcCapture:
    """:func:`open_wacz` for ``application/wacz``, else :func:`open_warc`."""
    if media_type == "application/wacz":
        return open_wacz(path, url=url, record_id=record_id, name=name)
    return open_warc(path, url=url, record_id=record_id, name=name)
