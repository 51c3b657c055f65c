"""A real HTTP/1.1 server on 127.0.0.1 for the capture tests (no mocked HTTP).

Each route answers the way a real server would: pages, redirect chains and loops, a 404,
an answer that comes too late, an answer that trickles, a PNG and a PDF, a body larger
than any sane limit (announced, or streamed without a length), a chunked page, a gzip
page the server compresses though the client asked for identity. Every request is
recorded (path and headers) so tests can check what the capture sent.

Usage::

    with WebServer({"/a": Route(body=b"<html>…")}) as server:
        url = server.url("/a")
"""

from __future__ import annotations

import gzip
import io
import struct
import threading
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "Route",
    "Seen",
    "WebServer",
    "announced",
    "chunked",
    "endless",
    "gzipped",
    "pdf_bytes",
    "png_bytes",
    "trickle",
]

Body = bytes | Callable[["_Handler", threading.Event], None]


@dataclass(frozen=True)
class Route:
    """An answer: status, headers, body (bytes, or a function that writes it), delay."""

    status: int = 200
    headers: Mapping[str, str] = field(
        default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"}
    )
    body: Body = b""
    delay: float = 0.0
    length: bool = True  # send Content-Length for a bytes body


@dataclass(frozen=True)
class Seen:
    """A request the server received."""

    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:  # the name http.server calls
        self.server.seen.append(Seen(self.path, dict(self.headers.items())))
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            route = Route(404, body=b"<html><body><h1>Not found</h1></body></html>")
        if route.delay and self.server.stopping.wait(route.delay):
            return
        try:
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if isinstance(route.body, bytes):
                if route.length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(route.body)
            else:
                self.send_header("Connection", "close")
                self.end_headers()
                route.body(self, self.server.stopping)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a size limit, a timeout): that is what is tested
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    routes: Mapping[str, Route]
    seen: list[Seen]
    stopping: threading.Event


class WebServer:
    """Serve ``routes`` on 127.0.0.1 (an ephemeral port) in a background thread."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.routes = dict(routes)
        self._server.seen = []
        self._server.stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, kwargs={"poll_interval": 0.05}
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def seen(self) -> list[Seen]:
        return self._server.seen

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> WebServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# -- bodies that are written over time ----------------------------------------------------


def chunked(parts: list[bytes]) -> Body:
    """A body sent with the chunked transfer coding (RFC 9112 §7.1)."""

    def write(handler: _Handler, _stop: threading.Event) -> None:
        for part in parts:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        handler.wfile.write(b"0\r\n\r\n")

    return write


def endless(chunk_size: int = 1 << 16, limit: int = 256 << 20) -> Body:
    """A chunked body that goes on until the client hangs up (or ``limit`` bytes)."""

    def write(handler: _Handler, stop: threading.Event) -> None:
        block = b"x" * chunk_size
        sent = 0
        while sent < limit and not stop.is_set():
            handler.wfile.write(b"%x\r\n%s\r\n" % (chunk_size, block))
            sent += chunk_size
        handler.wfile.write(b"0\r\n\r\n")

    return write


def trickle(data: bytes, pause: float) -> Body:
    """A body of known length sent one byte per ``pause`` seconds."""

    def write(handler: _Handler, stop: threading.Event) -> None:
        for byte in data:
            if stop.wait(pause):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    return write


def announced(size: int) -> Body:
    """Announce ``size`` bytes, send a little, then stop (the client must refuse first)."""

    def write(handler: _Handler, _stop: threading.Event) -> None:
        handler.wfile.write(b"x" * 1024)

    return write


def gzipped(data: bytes) -> bytes:
    """``data`` compressed as a server with Content-Encoding: gzip would send it."""
    return gzip.compress(data, mtime=0)


# -- files the tests serve and attach: made here, by the team, not copied -----------------


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (grey pixels): a "screenshot" for the tests."""

    def part(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + part(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + part(b"IDAT", zlib.compress(rows))
        + part(b"IEND", b"")
    )


def pdf_bytes(
    pages: list[list[str]],
    *,
    title: str | None = None,
    author: str | None = None,
    lang: str | None = None,
    user_password: str | None = None,
    owner_password: str | None = None,
    image_only: bool = False,
) -> bytes:
    """A PDF made with reportlab (deterministic): each page its lines of text, or only a
    drawn rectangle when ``image_only``; optionally encrypted."""
    from reportlab.lib.pdfencrypt import StandardEncryption  # type: ignore[import-untyped, unused-ignore]
    from reportlab.pdfgen import canvas  # type: ignore[import-untyped, unused-ignore]

    encrypt = None
    if user_password is not None or owner_password is not None:
        encrypt = StandardEncryption(user_password or "", owner_password or "owner", canCopy=0)
    buf = io.BytesIO()
    page = canvas.Canvas(buf, invariant=1, encrypt=encrypt, lang=lang)
    if title:
        page.setTitle(title)
    if author:
        page.setAuthor(author)
    for lines in pages:
        if image_only:
            page.rect(72, 500, 400, 200, fill=1)
        else:
            y = 760
            for line in lines:
                page.drawString(72, y, line)
                y -= 18
        page.showPage()
    page.save()
    return buf.getvalue()
