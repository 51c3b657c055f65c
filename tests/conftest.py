"""Shared fixtures: a fixed clock, a fresh case, the sealed example case."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.demo import build_demo

FIXED_NOW = dt.datetime(2026, 11, 29, 10, 12, 3, 123456, tzinfo=dt.UTC)
DATA = Path(__file__).parent / "data"
SEED = DATA / "censor-net-2024-07-08-umerov-air-defence.txt"


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C heard, however the run was started: a shell starts a background job
    (``bash .ci/run &``) with SIGINT ignored, Python keeps it so, and so would every
    command a test starts. The tests that press Ctrl-C would then fail for that alone."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def _claims_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The compiled-claims cache of the run, in its own folder (never the user's)."""
    before = os.environ.get("EVIDENCE_CACHE_DIR")
    os.environ["EVIDENCE_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        os.environ.pop("EVIDENCE_CACHE_DIR", None)
    else:
        os.environ["EVIDENCE_CACHE_DIR"] = before


@pytest.fixture
def now() -> dt.datetime:
    return FIXED_NOW


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def seed_article() -> Path:
    """The project's seed article (Censor.NET, 8 July 2024), as handed to the project."""
    return SEED


@pytest.fixture
def new_case(tmp_path: Path) -> Case:
    """An empty case folder."""
    return Case.init(
        tmp_path / "case",
        case_id="TEST-1",
        title="Test case",
        ern_prefix="TST",
        actor="tester",
        now=FIXED_NOW,
    )


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "case"
    result = build_demo(root, actor="tester", now=FIXED_NOW)
    assert result.report.ok, [str(f) for f in result.report.findings]
    return root


@pytest.fixture
def sealed_case(_demo_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the sealed example case (the seed article and its claims)."""
    dest = tmp_path / "sealed"
    shutil.copytree(_demo_template, dest)
    for path in dest.rglob("*"):  # copies keep the read-only bits; tests may tamper
        if path.is_file():
            path.chmod(0o644)
    return dest
