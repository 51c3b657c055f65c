"""Running the application: a socket on 127.0.0.1, a token, uvicorn."""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
from collections.abc import Callable

import uvicorn

from evidence.serve.app import ServeConfig, create_app

__all__ = ["Server", "bind", "new_token", "run"]


def new_token() -> str:
    """A random access token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


class Server:
    """A server for one case on a bound socket; :meth:`url` is the address to open."""

    def __init__(self, config: ServeConfig, sock: socket.socket) -> None:
        self.config = config
        self.socket = sock
        self.app = create_app(config)
        self._uvicorn = uvicorn.Server(
            uvicorn.Config(
                self.app,
                log_level="warning",
                access_log=False,
                lifespan="off",
                server_header=False,
                date_header=False,
            )
        )
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        host = self.config.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.config.port}"

    def url(self, path: str = "/") -> str:
        """The address with the token, as printed for the user."""
        return f"{self.base}{path}?token={self.config.token}"

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C). The case state and the sources table are read
        in the background meanwhile, so that the first pages of a large case come fast."""
        threading.Thread(target=self._warm, daemon=True, name="evidence-serve-warm").start()
        self._uvicorn.run(sockets=[self.socket])

    def _warm(self) -> None:
        index = self.app.state.index
        with contextlib.suppress(Exception):  # a page will show the problem, with context
            index.overview()
            index.sources()

    def start(self, ready: Callable[[], None] | None = None) -> None:
        """Serve in a background thread (tests, benchmarks); returns once it accepts."""
        self._thread = threading.Thread(target=self.run, daemon=True, name="evidence-serve")
        self._thread.start()
        while not self._uvicorn.started:
            if not self._thread.is_alive():
                raise RuntimeError("the server stopped while starting")
            threading.Event().wait(0.01)
        if ready is not None:
            ready()

    def stop(self) -> None:
        self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.socket.close()


def run(config: ServeConfig, sock: socket.socket) -> None:
    """Serve ``config``'s case on ``sock`` until interrupted."""
    Server(config, sock).run()
