"""A real server on 127.0.0.1 over a copy of the sealed example case, with two more
sources written by the team: a Ukrainian report and a hostile page (scripts, event
handlers, ``javascript:`` links, bidi overrides) that must display as text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("starlette")

from evidence.case import Case
from evidence.ingest.add import add_source
from evidence.serve import ServeConfig
from evidence.serve.server import Server, bind
from tests.support.cases import copy_case

DATA = Path(__file__).parent / "data"
TOKEN = "test-token-" + "x" * 32


@dataclass
class Served:
    """A running server and its case."""

    server: Server
    root: Path

    @property
    def base(self) -> str:
        return self.server.base

    @property
    def host(self) -> str:
        return self.base.removeprefix("http://")

    def url(self, path: str = "/") -> str:
        return self.server.url(path)


def add_team_sources(root: Path) -> None:
    """SRC-0002 (Ukrainian) and SRC-0003 (hostile) beside the example's SRC-0001."""
    case = Case.open(root)
    add_source(
        case,
        DATA / "ukrainian-report.txt",
        actor="tester",
        overrides={
            "title": "Удар по Києву 8 липня",
            "publisher": "Тестова редакція",
            "language": "uk",
            "published": "2024-07-08",
        },
    )
    add_source(
        case,
        DATA / "hostile-article.txt",
        actor="tester",
        overrides={
            "title": '<script>window.__pwned="title"</script> evil',
            "publisher": '<img src=x onerror="window.__pwned=3">',
            "language": "en",
        },
    )
    (case.claims_dir / "SRC-0003.yaml").write_text(
        "source: SRC-0003\nclaims:\n"
        "  - key: hostile-shelling\n"
        "    statement: 'The shelling continued <script>window.__pwned=\"claim\"</script>'\n"
        "    quote: 'Officials said <script>window.__pwned = \"script\"</script> that'\n"
        "    attributed_to: [{name: '<b onmouseover=\"window.__pwned=4\">Official</b>'}]\n"
        "    category: statement\n"
        "    note: '<a href=\"javascript:window.__pwned=5\">note</a>'\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="session")
def _team_template(_demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("team") / "case"
    copy_case(_demo_template, root)
    add_team_sources(root)
    return root


@pytest.fixture
def team_case(_team_template: Path, tmp_path: Path) -> Path:
    """A fresh, writable copy of the example case with the team's two sources."""
    return copy_case(_team_template, tmp_path / "case")


def _serve(root: Path) -> Server:
    sock = bind("127.0.0.1", 0)
    config = ServeConfig(root, token=TOKEN, port=sock.getsockname()[1], actor="tester")
    server = Server(config, sock)
    server.start()
    return server


@pytest.fixture
def served(team_case: Path) -> Iterator[Served]:
    """A server over a fresh copy, for tests that write."""
    server = _serve(team_case)
    try:
        yield Served(server, team_case)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def served_shared(
    _team_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """One server for a module's tests that only read (or are refused)."""
    root = copy_case(_team_template, tmp_path_factory.mktemp("shared") / "case")
    server = _serve(root)
    try:
        yield Served(server, root)
    finally:
        server.stop()
