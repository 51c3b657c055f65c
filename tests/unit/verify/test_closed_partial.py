"""The closed world of a partial case: only what ``evidence disclose`` writes.

A partial case may hold README.txt, disclosure.json, evidence-verify.py, case.yaml,
custody.jsonl and the disclosed records, objects and seals; a link anywhere or any other
file is a finding, named alike by ``verify_partial_case`` and the one-file verifier
(docs/tamper-classes.md, the ``partial-*`` rows).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from evidence.case import Case
from evidence.integrity.disclose import disclose
from evidence.verify.partial import verify_partial_case
from tests.support.cases import writable
from tests.support.standalone import problem_checks, run_here


@pytest.fixture
def partial(stamped_case: Path, tmp_path: Path) -> Path:
    out = tmp_path / "public"
    disclose(Case.open(stamped_case), ["SRC-0001", "CLM-0003"], out, actor="press officer")
    writable(out)
    return out


def _first_object(root: Path) -> Path:
    return min(p for p in (root / "objects").rglob("*") if p.is_file())


def _stray_file(root: Path) -> None:
    (root / "notes.txt").write_text("seen by the press officer\n", encoding="utf-8")


def _seal_backup(root: Path) -> None:
    shutil.copyfile(root / "seals" / "0002.json", root / "seals" / "0002.json.bak")


def _backup_of_a_seal_not_disclosed(root: Path) -> None:
    shutil.copyfile(root / "seals" / "0002.json", root / "seals" / "0009.json.bak")


def _object_linked(root: Path) -> None:
    obj = _first_object(root)
    outside = root.parent / "identical-copy"
    shutil.copyfile(obj, outside)
    obj.unlink()
    obj.symlink_to(outside)


def _objects_folder_linked(root: Path) -> None:
    outside = root.parent / "objects-elsewhere"
    (root / "objects").rename(outside)
    (root / "objects").symlink_to(outside, target_is_directory=True)


def _stray_folder(root: Path) -> None:
    (root / "claims").mkdir()


class Tamper(NamedTuple):
    id: str
    change: Callable[[Path], None]
    check: str
    path: str | Callable[[Path], str]


CLASSES = [
    Tamper("partial-stray-file", _stray_file, "case-unknown-file", "notes.txt"),
    Tamper("partial-seal-backup", _seal_backup, "seal-attachment", "seals/0002.json.bak"),
    Tamper(
        "partial-backup-of-a-seal-not-there",
        _backup_of_a_seal_not_disclosed,
        "case-unknown-file",
        "seals/0009.json.bak",
    ),
    Tamper(
        "partial-object-linked",
        _object_linked,
        "case-symlink",
        lambda r: _first_object(r).relative_to(r).as_posix(),
    ),
    Tamper("partial-objects-folder-linked", _objects_folder_linked, "case-symlink", "objects"),
    Tamper("partial-stray-folder", _stray_folder, "case-unknown-file", "claims"),
]


@pytest.mark.parametrize("case", CLASSES, ids=[c.id for c in CLASSES])
def test_a_partial_case_is_a_closed_world(partial: Path, case: Tamper) -> None:
    path = case.path(partial) if callable(case.path) else case.path
    case.change(partial)
    report = verify_partial_case(partial)
    assert not report.ok
    assert (case.check, "FAIL", path) in {(f.check, f.status, f.path) for f in report.problems()}
    code, mine = run_here(str(partial))
    assert code == 1
    assert (case.check, path) in {
        (f["check"], f["path"]) for f in mine["findings"] if f["status"] == "FAIL"
    }
    assert problem_checks(mine["findings"]) <= {f.check for f in report.problems()}


def test_the_untouched_partial_case_is_ok_with_both_verifiers(partial: Path) -> None:
    report = verify_partial_case(partial)
    assert report.ok, [str(f) for f in report.problems()]
    code, mine = run_here(str(partial))
    assert code == 0, [f for f in mine["findings"] if f["status"] in ("FAIL", "ERROR")]


def test_the_command_line_exits_1_and_names_the_stray_file(partial: Path) -> None:
    _stray_file(partial)
    evidence = Path(sys.executable).parent / "evidence"
    done = subprocess.run(
        [str(evidence), "verify", str(partial), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["findings"]
    assert {"check": "case-unknown-file", "path": "notes.txt"}.items() <= next(
        f for f in found if f["check"] == "case-unknown-file"
    ).items()


def test_the_tamper_table_lists_every_class() -> None:
    table = (Path(__file__).parents[3] / "docs" / "tamper-classes.md").read_text("utf-8")
    for case in CLASSES:
        assert f"| `{case.id}` | `{case.check}` |" in table, case.id
