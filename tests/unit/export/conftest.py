"""Fixtures for package tests: a bag of the sealed example case, its zip, and the
Library of Congress validator (bagit-python's ``bagit.py``) run as a real peer."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.export import export_case

BAGIT_PY = Path(sys.executable).parent / "bagit.py"


def run_bagit_validate(bag: Path) -> subprocess.CompletedProcess[str]:
    """``bagit.py --validate BAG``: the reference validator, in its own process."""
    script = BAGIT_PY if BAGIT_PY.exists() else Path(shutil.which("bagit.py") or "bagit.py")
    return subprocess.run(
        [sys.executable, str(script), "--validate", str(bag)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def bagit_validate() -> Callable[[Path], subprocess.CompletedProcess[str]]:
    return run_bagit_validate


@pytest.fixture
def bag(sealed_case: Path, tmp_path: Path, now: dt.datetime) -> Path:
    """A bag folder of the sealed example case."""
    result = export_case(Case.open(sealed_case), tmp_path / "bag", actor="tester", now=now)
    return result.path


@pytest.fixture
def bag_zip(sealed_case: Path, tmp_path: Path, now: dt.datetime) -> Path:
    """The zip of a bag of the sealed example case."""
    result = export_case(
        Case.open(sealed_case), tmp_path / "bag.zip", as_zip=True, actor="tester", now=now
    )
    return result.path
