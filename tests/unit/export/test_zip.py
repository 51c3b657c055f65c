"""The deterministic zip: same bag, same bytes; a layout any unzip and bagit.py accept."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import stat
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

from evidence.case import Case
from evidence.export import ZIP_EPOCH, export_case, write_zip

Validate = Callable[[Path], subprocess.CompletedProcess[str]]


def test_the_same_bag_gives_the_same_zip_bytes(bag: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy" / "bag"
    shutil.copytree(bag, copy)
    for path in copy.rglob("*"):  # other times and permissions on disk change nothing
        path.chmod(0o755 if path.is_dir() else 0o600)
    first = write_zip(bag, tmp_path / "one.zip", root="bag")
    second = write_zip(copy, tmp_path / "two.zip", root="bag")
    assert first == second
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    assert first == hashlib.sha256((tmp_path / "one.zip").read_bytes()).hexdigest()


def test_entries_are_sorted_stored_and_undated(bag_zip: Path) -> None:
    with zipfile.ZipFile(bag_zip) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert all(n.startswith("bag/") for n in names)
    assert "bag/bagit.txt" in names
    assert "bag/data/case.yaml" in names
    assert {i.date_time for i in infos} == {ZIP_EPOCH}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
    assert {i.external_attr >> 16 for i in infos} == {stat.S_IFREG | 0o644}
    assert {i.create_system for i in infos} == {3}
    assert all(not i.is_dir() and i.extra == b"" and i.comment == b"" for i in infos)


def test_two_exports_of_the_same_case_state_give_the_same_zip(
    sealed_case: Path, tmp_path: Path, now: dt.datetime
) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(sealed_case, twin)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = export_case(
        Case.open(sealed_case), tmp_path / "a" / "pkg.zip", as_zip=True, actor="tester", now=now
    )
    two = export_case(
        Case.open(twin), tmp_path / "b" / "pkg.zip", as_zip=True, actor="tester", now=now
    )
    assert one.zip_sha256 == two.zip_sha256
    assert one.path.read_bytes() == two.path.read_bytes()


def test_zip_export_names_the_zip_in_the_custody_log(sealed_case: Path, tmp_path: Path) -> None:
    result = export_case(Case.open(sealed_case), tmp_path / "pkg", as_zip=True, actor="tester")
    assert result.path == tmp_path / "pkg.zip"
    assert result.zip_sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    event = json.loads((sealed_case / "custody.jsonl").read_bytes().splitlines()[-1])
    assert event["details"]["format"] == "bagit-zip"
    assert event["details"]["zip_sha256"] == result.zip_sha256
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg.zip", "sealed"]


def test_the_unzipped_bag_validates_with_the_reference_tool(
    bag_zip: Path, tmp_path: Path, bagit_validate: Validate
) -> None:
    target = tmp_path / "unzipped"
    with zipfile.ZipFile(bag_zip) as zf:
        zf.extractall(target)
    result = bagit_validate(target / "bag")
    assert result.returncode == 0, result.stderr
