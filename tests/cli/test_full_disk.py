"""A full disk never poisons the case (issue 11, item 2).

On a real 3 MiB tmpfs (mounted when the tests run as root; skipped otherwise): a write
that finds no space gives one line ("disk full: … nothing was written"), exit 2, and
leaves the case exactly as it was, with no temporary file. An object file whose bytes
are not those of its name is never trusted: the next ``add`` of the bytes replaces it
and says so in the custody log.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.cli import main
from tests.support.tmpfs import small_tmpfs


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def _hidden(root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in root.rglob(".*") if p.name != ".lock"]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path, "3m") as mount:
        yield mount


def _fill(mount: Path, leave: int) -> None:
    """Fill the file system until about ``leave`` bytes are free."""
    stat = os.statvfs(mount)
    free = stat.f_bavail * stat.f_frsize
    with open(mount / "filler", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))


def _one_line(err: str) -> None:
    assert err.startswith("evidence: disk full"), err
    assert "nothing was written" in err
    assert "internal error" not in err
    assert len(err.splitlines()) == 1


def test_add_on_a_full_disk(
    tmpfs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmpfs / "case"
    assert main(["init", str(case), "--actor", "tester"]) == 0
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(4_000_000))
    capsys.readouterr()
    before = _tree(case)
    assert main(["add", str(case), str(big)]) == 2
    _one_line(capsys.readouterr().err)
    assert _tree(case) == before
    assert _hidden(case) == []
    fits = tmp_path / "fits.bin"
    fits.write_bytes(os.urandom(1_000_000))
    assert main(["add", str(case), str(fits)]) == 0
    assert main(["verify", str(case)]) == 0


def test_seal_export_render_on_a_full_disk(
    tmpfs: Path, sealed_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmpfs / "case"
    shutil.copytree(sealed_case, case)
    bag = tmp_path / "bag"
    assert main(["export", str(sealed_case), "--bagit", str(bag), "--actor", "tester"]) == 0
    text = (case / "claims" / "SRC-0001.yaml").read_text(encoding="utf-8")
    (case / "claims" / "more.yaml").write_text(text.replace("- key: ", "- key: more-"))
    _fill(tmpfs, 8 * 1024)
    before = _tree(case)
    capsys.readouterr()
    for argv in (
        ["seal", str(case)],
        ["export", str(case), "--bagit", str(tmpfs / "case.zip"), "--zip"],
        ["export", str(case), "--bagit", str(case / "out" / "bag")],
        ["render", str(case), "-o", str(tmpfs / "dossier.pdf")],
        ["import", str(bag), str(tmpfs / "restored")],
    ):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, (argv, err)
        _one_line(err)
        assert _tree(case) == before, argv
        assert _hidden(case) == [], argv
        assert sorted(p.name for p in tmpfs.iterdir()) == ["case", "filler"], argv
    (tmpfs / "filler").unlink()
    assert main(["verify", str(case)]) == 0


def test_a_damaged_object_is_replaced_and_logged(
    new_case_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = os.urandom(300_000)
    src = tmp_path / "photo.bin"
    src.write_bytes(data)
    from evidence.digest import digest_bytes

    name = digest_bytes(data).blake3
    obj = new_case_dir / "objects" / name[:2] / name
    obj.parent.mkdir()
    obj.write_bytes(data[:262_144])  # what a full disk once left under the whole name
    obj.chmod(0o444)
    assert main(["add", str(new_case_dir), str(src)]) == 0
    assert obj.read_bytes() == data
    last = json.loads((new_case_dir / "custody.jsonl").read_text().splitlines()[-1])
    assert last["details"]["objects_repaired"] == [name]
    assert last["details"]["object_existed"] is False
    assert main(["verify", str(new_case_dir)]) == 0


@pytest.fixture
def new_case_dir(tmp_path: Path) -> Path:
    case = tmp_path / "case"
    assert main(["init", str(case), "--actor", "tester"]) == 0
    return case
