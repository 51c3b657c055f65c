"""Every class of bad input in docs/bad-inputs.md (issue 11): the message, the exit code,
no traceback, and nothing written by a command that could not run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.bad_inputs import Place, Row, load_rows, normalise, prepare, run_row, tree

ROWS = load_rows()


def test_the_table_is_complete() -> None:
    assert len(ROWS) >= 120
    assert [row.number for row in ROWS] == list(range(1, len(ROWS) + 1))
    assert len({row.name for row in ROWS}) == len(ROWS)
    assert all(row.message and row.exit_code in (1, 2) for row in ROWS)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files the rows name (an empty case, a key pair …), made once and copied."""
    scratch = tmp_path_factory.mktemp("inputs") / "scratch"
    scratch.mkdir()
    prepare(scratch / "unused-case", scratch)
    return scratch


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.number:03d}" for r in ROWS])
def test_bad_input(row: Row, sealed_case: Path, tmp_path: Path, inputs: Path) -> None:
    scratch = tmp_path / "scratch"
    shutil.copytree(inputs, scratch, symlinks=True)
    place = Place(sealed_case, scratch / "newcase", scratch)
    code, out, err, before = run_row(row, place)
    assert code == row.exit_code, (out, err)
    assert row.message in normalise(out + err), (out, err)
    assert "Traceback" not in out + err
    assert "internal error" not in err
    if row.exit_code == 2:
        first = err.splitlines()[0] if err else ""
        assert first.startswith(("evidence: ", "Usage: ")), err
    if "--json" in row.command:
        doc = json.loads(out)
        assert doc["ok"] is False
        assert doc["error"]["exit_code"] == row.exit_code
    if code == 2:  # the command could not run: it wrote nothing in the case
        assert tree(sealed_case) == before
