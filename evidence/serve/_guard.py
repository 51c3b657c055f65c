"""The server's gate: Host check, access token, CSRF token and security headers.

Every request passes :class:`Guard` before any route sees it:

- the ``Host`` header must name the address the server is bound to (a page served
  from another name, as in DNS rebinding, is refused);
- the random access token must come with it, in the URL (``?token=``, as printed by
  ``evidence serve``) or in the cookie set on the first visit; the page then
  redirects to the same address without the token, so it stays out of history;
- every response carries a strict Content-Security-Policy (scripts only from the
  server's own files, nothing inline), ``nosniff``, no framing, no cross-site referrer,
  no cache.

POST forms carry a CSRF token derived from the access token (:func:`csrf_token`);
:func:`check_csrf` compares it, and the ``Origin`` when the browser sends one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from http.cookies import SimpleCookie
from typing import Final
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSP", "Guard", "check_csrf", "cookie_name", "csrf_token"]

CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)

_HEADERS: Final = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),  # no-referrer would make Chromium send "Origin: null"
    ("cache-control", "no-store"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
)


def cookie_name(port: int) -> str:
    """One cookie a port, so two servers on one machine do not share a token."""
    return f"evidence-token-{port}"


def csrf_token(token: str) -> str:
    """The CSRF token of a session: an HMAC of the access token, so it need not be stored."""
    return hmac.new(token.encode(), b"evidence-serve csrf", hashlib.sha256).hexdigest()


def check_csrf(token: str, given: str | None, origin: str | None, hosts: Iterable[str]) -> bool:
    """Whether a POST carries the session's CSRF token (and, if sent, an allowed Origin)."""
    if origin is not None and origin not in {f"http://{host}" for host in hosts}:
        return False
    return given is not None and hmac.compare_digest(given, csrf_token(token))


def _plain(status: int, text: str) -> tuple[Message, Message]:
    body = text.encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *((k.encode(), v.encode()) for k, v in _HEADERS),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class Guard:
    """ASGI middleware that refuses requests without the token or from a foreign Host."""

    def __init__(self, app: ASGIApp, *, token: str, hosts: Iterable[str], port: int) -> None:
        self.app = app
        self.token = token
        self.hosts = frozenset(hosts)
        self.cookie = cookie_name(port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, send)
            return
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        if headers.get("host", "") not in self.hosts:
            await self._refuse(
                send,
                403,
                "refused: this server answers only to "
                f"{', '.join(sorted(self.hosts))} (Host header)\n",
            )
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = dict(query).get("token")
        if given is not None and hmac.compare_digest(given, self.token):
            if scope["method"] == "GET":
                await self._enter(scope, send, [(k, v) for k, v in query if k != "token"])
                return
        elif not self._has_cookie(headers.get("cookie", "")):
            await self._refuse(
                send,
                403,
                "refused: open the address with the token that `evidence serve` printed\n",
            )
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for key, value in _HEADERS:
                    out[key] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _has_cookie(self, header: str) -> bool:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(header)
        except Exception:  # a malformed cookie header is no token
            return False
        morsel = jar.get(self.cookie)
        return morsel is not None and hmac.compare_digest(morsel.value, self.token)

    async def _enter(self, scope: Scope, send: Send, rest: list[tuple[str, str]]) -> None:
        """Set the token cookie and redirect to the same address without the token."""
        location = scope.get("path", "/") + (f"?{urlencode(rest)}" if rest else "")
        start, body = _plain(303, "see other\n")
        start["headers"] += [
            (b"location", location.encode("latin-1")),
            (
                b"set-cookie",
                f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode(),
            ),
        ]
        await send(start)
        await send(body)

    @staticmethod
    async def _refuse(send: Send, status: int, text: str) -> None:
        start, body = _plain(status, text)
        await send(start)
        await send(body)
