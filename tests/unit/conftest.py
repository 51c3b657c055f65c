"""Fixtures of the integrity and verify tests: a real TSA, keys, signed and stamped cases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cases import copy_case
from tests.support.fixtures import KeyFiles, build_stamped_case, write_key_files
from tests.support.tsa import TestTSA, have_openssl


@pytest.fixture(scope="session")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestTSA]:
    """A real RFC 3161 authority (``openssl ts -reply``) over HTTP on 127.0.0.1."""
    if not have_openssl():
        pytest.skip("the openssl command is not installed")
    with TestTSA(tmp_path_factory.mktemp("tsa"), slow_seconds=3.0) as authority:
        yield authority


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyFiles:
    """The signing key of the stamped case, as files."""
    return write_key_files(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def _stamped_template(
    tmp_path_factory: pytest.TempPathFactory, keys: KeyFiles, tsa: TestTSA
) -> Path:
    return build_stamped_case(tmp_path_factory.mktemp("stamped") / "case", keys.key, tsa)


@pytest.fixture
def stamped_case(_stamped_template: Path, tmp_path: Path) -> Path:
    """A fresh, writable copy of a case with two signed seals and three time-stamps."""
    return copy_case(_stamped_template, tmp_path / "case")
