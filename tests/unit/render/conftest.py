"""Fixtures of the dossier tests: cases with Cyrillic and hostile text, rendered once per
session in each template, and the 1,000-claim case."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.render import render_dossier, template_names
from tests.unit.render.cases import big_case, cyrillic_case, hostile_case

TEMPLATES = tuple(template_names())


def _render_all(case: Case) -> dict[str, Path]:
    return {name: render_dossier(case, template=name, actor="tester").path for name in TEMPLATES}


@pytest.fixture(scope="session")
def cyrillic_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Ukrainian and Russian case, rendered in each template."""
    return _render_all(cyrillic_case(tmp_path_factory.mktemp("cyrillic") / "case"))


@pytest.fixture(scope="session")
def hostile_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The case full of markup and overlong words, rendered in each template."""
    return _render_all(hostile_case(tmp_path_factory.mktemp("hostile") / "case"))


@pytest.fixture(scope="session")
def big_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 1,000-claim case, rendered once (icc-otp)."""
    case = big_case(tmp_path_factory.mktemp("big") / "case")
    return render_dossier(case, template="icc-otp", actor="tester").path


@pytest.fixture
def demo_pdfs(sealed_case: Path) -> dict[str, Path]:
    """The example case's dossiers, as ``evidence demo`` rendered them."""
    found = {name: sealed_case / "out" / f"UKR-OKH-2024-seal-0001-{name}.pdf" for name in TEMPLATES}
    assert all(p.is_file() for p in found.values()), sorted((sealed_case / "out").iterdir())
    return found


@pytest.fixture
def writable_case(sealed_case: Path) -> Path:
    """The sealed example case, with its out/ emptied."""
    shutil.rmtree(sealed_case / "out")
    return sealed_case
