"""``evidence capture``: fetch a page over HTTP(S) into a WARC file, then add it.

What the Berkeley Protocol on Digital Open Source Investigations asks of a web capture,
and where this module puts it:

- **the URL, and the final URL after redirects**: each redirect is fetched as its own
  request and kept in the WARC; the source record lists them (``capture.redirects``)
  and the URL answered last (``capture.final_url``);
- **the HTML source and a hash at the point of collection**: the request and the
  response, as they passed on the wire (the body byte for byte, chunked framing
  included), are written as WARC records (ISO 28500, with warcio) and the WARC is added
  at once: the response record becomes the source's object, hashed with BLAKE3 and
  SHA-256, and the whole WARC is kept as an attachment;
- **who, when, how, with what tool**: the collector, the collection time (the
  ``WARC-Date`` of the response, from this computer's clock, in UTC) with a note on
  that clock (whether the kernel reports it synchronised, and how far it is from the
  server's ``Date`` header), the method ``capture-command``, the tool and version, and
  the ``User-Agent`` that was sent.

Bounds keep a capture honest and safe: a stated user agent, a timeout for each request
(from connecting to the last byte, enforced by a watchdog even against a server that
trickles), a cap on the body size (refused before reading when ``Content-Length``
says so, else as soon as the cap is passed), and at most 10 redirects. A failure
writes nothing. An answer that cannot be added (a 404, a page with no article text) is
kept in the WARC file and the message says where, so the capture is not lost.

Example:
    >>> note = clock_note(_dt.datetime(2024, 7, 10, 7, 0, 1, tzinfo=_dt.UTC),
    ...                   "Wed, 10 Jul 2024 07:00:00 GMT", kernel="synchronised")
    >>> note.endswith("(this clock +1.0 s from it)")
    True
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as _dt
import email.utils
import http.client
import io
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

from evidence import __version__
from evidence._fs import write_new_file
from evidence._time import format_time, utc_now
from evidence.case import Case, default_actor
from evidence.errors import EvidenceError, InputError, UsageError
from evidence.ingest.add import AddResult, add_source
from evidence.ingest.attach import AttachSpec
from evidence.ingest.warc import iri_to_uri
from evidence.ingest.web import Collection

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "USER_AGENT",
    "CaptureError",
    "CaptureResult",
    "Exchange",
    "Fetch",
    "capture_url",
    "clock_note",
    "fetch",
    "warc_bytes",
]

USER_AGENT: Final = (
    f"Mozilla/5.0 (compatible; evidence/{__version__}; open-source evidence "
    "capture for human-rights documentation)"
)
"""The stated user agent: it says what fetched the page, and that it is not a browser."""
DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_MAX_BYTES: Final = 50 * 1024 * 1024
MAX_REDIRECTS: Final = 10

_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_CHUNK: Final = 1 << 16
_ACCEPT: Final = "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5"
_TIME_ERROR: Final = 5  # adjtimex(2): the kernel's clock is not synchronised
_CONTROL: Final = re.compile(r"[\x00-\x20\x7f]")
_HEADER_VALUE: Final = re.compile(r"^[\x20-\x7e]+$")


class CaptureError(InputError):
    """A page could not be captured: no answer, too slow, too large, not HTTP, refused."""


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as they passed on the wire."""

    url: str
    started: _dt.datetime
    status: int
    reason: str
    location: str | None
    date_header: str | None
    request: bytes
    response: bytes
    body_size: int
    remote_ip: str | None
    seconds: float


@dataclass(frozen=True)
class Fetch:
    """A fetch: the URL asked for, every exchange in order (redirects first)."""

    url: str
    user_agent: str
    exchanges: tuple[Exchange, ...]

    @property
    def final(self) -> Exchange:
        """The last answer (not a redirect, unless the redirect limit was hit)."""
        return self.exchanges[-1]


@dataclass(frozen=True)
class CaptureResult:
    """What ``capture`` did: the fetch, the WARC file written, and the source added."""

    fetch: Fetch
    warc_path: Path
    added: AddResult


# -- the wire -----------------------------------------------------------------------------


class _Tee:
    """A file of the socket that copies every byte the HTTP parser consumes."""

    def __init__(self, fp: Any, sink: bytearray) -> None:
        self._fp = fp
        self._sink = sink

    def read(self, n: int | None = -1) -> bytes:
        data: bytes = self._fp.read(n)
        self._sink += data
        return data

    def read1(self, n: int = -1) -> bytes:
        data: bytes = self._fp.read1(n)
        self._sink += data
        return data

    def readinto(self, buffer: Any) -> int:
        count: int = self._fp.readinto(buffer)
        if count:
            self._sink += memoryview(buffer)[:count]
        return count

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self._fp.readline(limit)
        self._sink += line
        return line

    def peek(self, n: int = 0) -> bytes:
        data: bytes = self._fp.peek(n)
        return data

    def close(self) -> None:
        self._fp.close()

    def flush(self) -> None:
        self._fp.flush()

    @property
    def closed(self) -> bool:
        return bool(self._fp.closed)


def _connection(
    scheme: str,
    host: str,
    port: int | None,
    timeout: float,
    request: bytearray,
    response: bytearray,
) -> http.client.HTTPConnection:
    base: type[http.client.HTTPConnection] = (
        http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    )

    class _Response(http.client.HTTPResponse):
        def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
            super().__init__(sock, *args, **kwargs)
            self.fp = _Tee(self.fp, response)  # type: ignore[assignment]

    class _Recording(base):  # type: ignore[valid-type, misc]
        response_class = _Response

        def send(self, data: Any) -> None:
            if isinstance(data, bytes | bytearray):
                request.extend(data)
            super().send(data)

    conn: http.client.HTTPConnection = _Recording(host, port, timeout=timeout)
    return conn


@dataclass
class _Watchdog:
    """Shuts the connection's socket when the time for one request is up."""

    sock: socket.socket | None = None
    fired: bool = False

    def fire(self) -> None:
        self.fired = True
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _split(url: str) -> tuple[str, str, int | None, str]:
    if _CONTROL.search(url):
        raise UsageError(f"not a valid URL: {url!r} (spaces or control characters)")
    try:
        parts = urlsplit(iri_to_uri(url))
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"not a valid URL: {url!r} ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"only http:// and https:// URLs can be captured, not {url!r}")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return parts.scheme, parts.hostname, port, target


def _exchange(
    url: str, *, user_agent: str, timeout: float, max_bytes: int, clock: Callable[[], _dt.datetime]
) -> Exchange:
    scheme, host, port, target = _split(url)
    request, response = bytearray(), bytearray()
    conn = _connection(scheme, host, port, timeout, request, response)
    watchdog = _Watchdog()
    timer = threading.Timer(timeout, watchdog.fire)
    started = clock()
    begun = time.monotonic()
    timer.start()
    try:
        conn.connect()
        # The socket outlives the connection object once the answer has begun (the
        # response holds it): the watchdog keeps its own reference.
        watchdog.sock = conn.sock
        remote = conn.sock.getpeername()[0] if conn.sock is not None else None
        conn.request(
            "GET",
            target,
            headers={
                "User-Agent": user_agent,
                "Accept": _ACCEPT,
                "Accept-Encoding": "identity",
                "Connection": "close",
            },
        )
        answer = conn.getresponse()
        declared = answer.getheader("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > max_bytes:
            raise CaptureError(
                f"{url}: the server announces {int(declared)} bytes, more than the limit of "
                f"{max_bytes}",
                hint="Nothing was written. Raise the limit with --max-bytes "
                "if the page is really that large.",
            )
        size = 0
        while chunk := answer.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise CaptureError(
                    f"{url}: the body is larger than the limit of {max_bytes} bytes",
                    hint="Nothing was written. Raise the limit with --max-bytes if the page "
                    "is really that large.",
                )
        if watchdog.fired:
            raise TimeoutError
    except CaptureError:
        raise
    except TimeoutError as exc:
        raise _timed_out(url, timeout) from exc
    except OSError as exc:
        if watchdog.fired:
            raise _timed_out(url, timeout) from exc
        raise _network_error(url, host, port, exc) from exc
    except http.client.HTTPException as exc:
        if watchdog.fired:
            raise _timed_out(url, timeout) from exc
        raise CaptureError(
            f"{url}: not a valid HTTP answer ({type(exc).__name__}: {exc})",
            hint="Nothing was written.",
        ) from exc
    finally:
        timer.cancel()
        conn.close()
    return Exchange(
        url=url,
        started=started,
        status=answer.status,
        reason=answer.reason or "",
        location=answer.getheader("Location"),
        date_header=answer.getheader("Date"),
        request=bytes(request),
        response=bytes(response),
        body_size=size,
        remote_ip=remote,
        seconds=time.monotonic() - begun,
    )


def _timed_out(url: str, timeout: float) -> CaptureError:
    return CaptureError(
        f"{url}: no complete answer within {timeout:g} s",
        hint="Nothing was written. The server is slow or not answering; try "
        "again, or allow more time with --timeout.",
    )


def _network_error(url: str, host: str, port: int | None, exc: OSError) -> CaptureError:
    where = f"{host}:{port}" if port else host
    if isinstance(exc, socket.gaierror):
        message = f"cannot resolve the host name {host}"
    elif isinstance(exc, ConnectionRefusedError):
        message = f"{where} refused the connection"
    elif isinstance(exc, ssl.SSLCertVerificationError):
        message = f"the TLS certificate of {host} does not verify ({exc.verify_message})"
    elif isinstance(exc, ssl.SSLError):
        message = f"TLS failed with {host} ({exc.reason or exc})"
    else:
        message = f"cannot fetch {url}: {exc.strerror or exc}"
    return CaptureError(message, hint="Nothing was written.")


def fetch(
    url: str,
    *,
    user_agent: str = USER_AGENT,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    clock: Callable[[], _dt.datetime] = utc_now,
) -> Fetch:
    """GET ``url``, following redirects (each one its own exchange); write nothing.

    Args:
        url: an http:// or https:// URL.
        user_agent: the ``User-Agent`` to send (and record).
        timeout: seconds for each request, from connecting to the last byte.
        max_bytes: the largest body accepted.
        max_redirects: how many redirects to follow.
        clock: the time source that dates each exchange.

    Raises:
        UsageError: not an http(s) URL.
        CaptureError: no answer, too slow, too large, not HTTP, a redirect loop, or too
            many redirects.
    """
    if timeout <= 0 or max_bytes <= 0 or max_redirects < 0:
        raise UsageError("--timeout and --max-bytes must be positive, --max-redirects >= 0")
    if not _HEADER_VALUE.match(user_agent):
        raise UsageError("--user-agent must be printable ASCII (an HTTP header value)")
    _split(url)
    exchanges: list[Exchange] = []
    seen: set[str] = set()
    current = iri_to_uri(url)
    while True:
        seen.add(current)
        exchange = _exchange(
            current, user_agent=user_agent, timeout=timeout, max_bytes=max_bytes, clock=clock
        )
        exchanges.append(exchange)
        if exchange.status not in _REDIRECTS or not exchange.location:
            return Fetch(iri_to_uri(url), user_agent, tuple(exchanges))
        if len(exchanges) > max_redirects:
            raise CaptureError(
                f"{url}: more than {max_redirects} redirects", hint="Nothing was written."
            )
        following = iri_to_uri(urljoin(current, exchange.location.strip()))
        if following in seen:
            raise CaptureError(
                f"{url}: the redirects loop (back to {following})", hint="Nothing was written."
            )
        try:
            _split(following)
        except UsageError as exc:
            raise CaptureError(
                f"{current} redirects to {following}, which cannot be fetched over HTTP(S)",
                hint="Nothing was written.",
            ) from exc
        current = following


# -- the WARC -----------------------------------------------------------------------------


def _warc_date(moment: _dt.datetime) -> str:
    return format_time(moment)


def warc_bytes(result: Fetch, *, collector: str, filename: str) -> bytes:
    """The fetch as a gzip-compressed WARC/1.1 file: a warcinfo record, then each
    response and its request (ISO 28500; one gzip member per record)."""
    from importlib.metadata import version

    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            filename,
            {
                "software": f"evidence {__version__} (warcio {version('warcio')})",
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                "warc-format/warc-1.1/",
                "operator": collector,
                "http-header-user-agent": result.user_agent,
                "description": "captured with evidence capture",
            },
        )
    )
    for exchange in result.exchanges:
        extra = {"WARC-Date": _warc_date(exchange.started)}
        if exchange.remote_ip:
            extra["WARC-IP-Address"] = exchange.remote_ip
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.response),
            length=len(exchange.response),
            warc_headers_dict=extra,
        )
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(exchange.request),
            length=len(exchange.request),
            warc_headers_dict=dict(extra),
        )
        writer.write_request_response_pair(request, response)
    return out.getvalue()


def _kernel_clock() -> str | None:
    """Whether the kernel reports its clock synchronised (Linux adjtimex(2), read-only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        timex = ctypes.create_string_buffer(512)  # struct timex, modes 0: read, change nothing
        state = int(libc.adjtimex(timex))
    except (OSError, AttributeError):
        return None
    if state < 0:
        return None
    return "not synchronised" if state == _TIME_ERROR else "synchronised"


def clock_note(started: _dt.datetime, date_header: str | None, *, kernel: str | None = None) -> str:
    """The Berkeley Protocol's note on the collection clock: whose clock, whether it was
    synchronised, and how far it was from the server's ``Date`` header (RFC 9110 §6.6.1)."""
    note = "this computer's clock, in UTC, when the request was sent"
    if kernel is not None:
        note += f"; the kernel reports the clock {kernel} with a time source"
    else:
        note += "; whether it was synchronised is not known"
    if date_header:
        try:
            server = email.utils.parsedate_to_datetime(date_header).astimezone(_dt.UTC)
        except (TypeError, ValueError):
            return note + f"; the server's Date header {date_header!r} is not an HTTP date"
        skew = (started - server).total_seconds()
        # The Date header has whole seconds and is set after the request arrived.
        note += (
            f"; the server's Date header says {format_time(server)} (this clock "
            f"{skew:+.1f} s from it)"
        )
    return note


def _default_warc_path(case: Case, result: Fetch) -> Path:
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", urlsplit(result.url).hostname or "page")[:60]
    stamp = result.exchanges[0].started.astimezone(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = case.out_dir / "captures"
    candidate = folder / f"{stamp}-{host}.warc.gz"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stamp}-{host}-{number}.warc.gz"
        number += 1
    return candidate


def capture_url(
    case: Case,
    url: str,
    *,
    warc_path: Path | None = None,
    user_agent: str = USER_AGENT,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    overrides: Mapping[str, Any] | None = None,
    encoding: str | None = None,
    attachments: Sequence[AttachSpec] = (),
    actor: str | None = None,
    now: _dt.datetime | None = None,
    clock: Callable[[], _dt.datetime] = utc_now,
) -> CaptureResult:
    """Fetch ``url`` into a WARC file and add it to the case as a source.

    Args:
        case: the open case.
        url: the page.
        warc_path: where to write the WARC (default: ``out/captures/<time>-<host>.warc.gz``
            in the case folder); an existing file is never overwritten.
        user_agent, timeout, max_bytes, max_redirects: see :func:`fetch`.
        overrides: metadata that wins over the page's (title, publisher, authors,
            published, language).
        encoding: the page's encoding, when its declaration is wrong.
        attachments: related files to keep with the source (a screenshot …).
        actor: the collector (default: EVIDENCE_ACTOR or the OS user).
        now: when the source is recorded (default: now).
        clock: the time source that dates the capture.

    Raises:
        UsageError: not an http(s) URL, or bad limits.
        CaptureError: the page could not be fetched (nothing written), or its answer is
            not a page that can be added (the WARC is kept, the message says where).
        InputError: the page cannot be added (the WARC is kept; the message says where).
    """
    who = default_actor(actor)
    result = fetch(
        url,
        user_agent=user_agent,
        timeout=timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        clock=clock,
    )
    url = result.url  # as a URI (RFC 3986): what the WARC names
    dest = warc_path or _default_warc_path(case, result)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_new_file(dest, warc_bytes(result, collector=who, filename=dest.name))
    except EvidenceError as exc:
        raise CaptureError(
            f"{dest} exists already; give another --warc path", hint="Nothing was written."
        ) from exc
    final = result.final
    kept = f"The capture is kept in {dest}."
    if not 200 <= final.status < 300:
        raise CaptureError(
            f"{final.url} answered {final.status} {final.reason}: no page to add",
            hint=f"{kept} To keep that answer as a source (for example to document that "
            f"the page is gone), add it with `evidence add {case.root} {dest} --no-text`.",
        )
    collection = Collection(
        "capture-command",
        user_agent,
        clock_note(final.started, final.date_header, kernel=_kernel_clock()),
    )
    try:
        added = add_source(
            case,
            dest,
            overrides={**(overrides or {}), "url": url},
            encoding=encoding,
            actor=who,
            now=now,
            attachments=attachments,
            collection=collection,
        )
    except InputError as exc:
        raise type(exc)(
            exc.message,
            path=exc.path,
            line=exc.line,
            pointer=exc.pointer,
            hint=f"{exc.hint or ''} {kept}".strip(),
        ) from exc
    return CaptureResult(result, dest, added)
