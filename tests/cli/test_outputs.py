"""Output paths the user names: never inside a case's evidence, never over a key, never
over an existing file without --force (issue 11, item 1).

Each refusal leaves the file as it was: same bytes, same mode, exit 2, one clear line.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from evidence._fs import new_output_path, replaced_output
from evidence.cli import main
from evidence.errors import UsageError

PROTECTED = [
    "records/CLM-0001.1.json",
    "seals/0001.json",
    "custody.jsonl",
    "case.yaml",
    "claims/SRC-0001.yaml",
    "objects",
    "records/NEW.json",
]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _object(case: Path) -> Path:
    return next(p for p in (case / "objects").rglob("*") if p.is_file())


def _commands(case: Path, target: Path) -> dict[str, list[str]]:
    return {
        "proof": ["proof", str(case), "CLM-0001", "-o", str(target)],
        "proof-force": ["proof", str(case), "CLM-0001", "-o", str(target), "--force"],
        "render": ["render", str(case), "-o", str(target), "--force"],
        "export-zip": ["export", str(case), "--bagit", str(target), "--zip", "--force"],
        "disclose": ["disclose", str(case), "--records", "CLM-0001", "-o", str(target)],
    }


@pytest.mark.parametrize("command", ["proof", "proof-force", "render", "export-zip", "disclose"])
@pytest.mark.parametrize("relative", PROTECTED)
def test_refuses_paths_in_the_evidence(
    sealed_case: Path, command: str, relative: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = sealed_case / relative
    before = target.read_bytes() if target.is_file() else None
    if target.is_file():
        target.chmod(0o444)
    code, _, err = _run(capsys, *_commands(sealed_case, target)[command])
    assert code == 2, err
    assert err.startswith("evidence: ")
    assert "internal error" not in err
    assert "case's evidence" in err or "exists" in err
    if before is not None:
        assert target.read_bytes() == before
        assert stat.S_IMODE(target.stat().st_mode) == 0o444
    else:
        assert not target.is_file() or relative == "objects"


def test_refuses_an_object_and_a_symlink_into_the_records(
    sealed_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    obj = _object(sealed_case)
    before = obj.read_bytes()
    code, _, err = _run(capsys, "proof", str(sealed_case), "CLM-0001", "-o", str(obj), "--force")
    assert code == 2
    assert "objects" in err
    assert obj.read_bytes() == before
    link = tmp_path / "innocent.json"
    link.symlink_to(sealed_case / "records" / "CLM-0001.1.json")
    code, _, err = _run(capsys, "proof", str(sealed_case), "CLM-0001", "-o", str(link), "--force")
    assert code == 2
    assert "records" in err, err


def test_refuses_a_key_even_with_force(
    sealed_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keygen", str(tmp_path / "signer")]) == 0
    key = tmp_path / "signer.key"
    before = key.read_bytes()
    for target in (key, tmp_path / "signer.pub"):
        code, _, err = _run(
            capsys, "proof", str(sealed_case), "CLM-0001", "-o", str(target), "--force"
        )
        assert code == 2
        assert "key file" in err, err
    assert key.read_bytes() == before
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_existing_file_needs_force(
    sealed_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "proof.json"
    target.write_text("mine\n")
    code, _, err = _run(capsys, "proof", str(sealed_case), "CLM-0001", "-o", str(target))
    assert code == 2
    assert "exists already" in err
    assert "--force" in err
    assert target.read_text() == "mine\n"
    code, _, err = _run(capsys, "proof", str(sealed_case), "CLM-0001", "-o", str(target), "--force")
    assert code == 0, err
    assert target.read_text().startswith("{")
    target.chmod(0o444)
    code, _, err = _run(capsys, "proof", str(sealed_case), "CLM-0001", "-o", str(target), "--force")
    assert code == 2
    assert "read-only" in err


def test_export_zip_force_replaces_atomically(
    sealed_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "case.zip"
    target.write_bytes(b"an older package")
    code, _, err = _run(capsys, "export", str(sealed_case), "--bagit", str(target), "--zip")
    assert code == 2
    assert "--force" in err
    code, _out, err = _run(
        capsys, "export", str(sealed_case), "--bagit", str(target), "--zip", "--force"
    )
    assert code == 0, err
    assert target.read_bytes()[:2] == b"PK"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    folder = tmp_path / "bag"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep")
    code, _, err = _run(capsys, "export", str(sealed_case), "--bagit", str(folder), "--force")
    assert code == 2
    assert "folder" in err
    assert (folder / "keep.txt").read_text() == "keep"


def test_keygen_and_capture_refuse_the_evidence(
    sealed_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "keygen", str(sealed_case / "records" / "signer"))
    assert code == 2
    assert "case's evidence" in err
    assert not list((sealed_case / "records").glob("signer*"))
    code, _, err = _run(
        capsys,
        "capture",
        str(sealed_case),
        "http://127.0.0.1:9/x",
        "--warc",
        str(sealed_case / "seals" / "new" / "x.warc.gz"),
    )
    assert code == 2
    assert "case's evidence" in err
    assert not (sealed_case / "seals" / "new").exists()


def test_helper_rules(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such folder"):
        new_output_path(tmp_path / "missing" / "x.json")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert new_output_path(empty, folder=True) == empty
    with pytest.raises(UsageError, match="folder"):
        new_output_path(empty)
    old = tmp_path / "old.bin"
    old.write_bytes(b"old")

    def write_half() -> None:
        with replaced_output(old) as staged:
            staged.write_bytes(b"half")
            raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError):
        write_half()
    assert old.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "old.bin"]


def test_real_process_refuses_a_sealed_record(sealed_case: Path) -> None:
    record = sealed_case / "records" / "CLM-0001.1.json"
    record.chmod(0o444)
    before = record.read_bytes()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "evidence",
            "proof",
            str(sealed_case),
            "CLM-0001",
            "-o",
            str(record),
            "--force",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "EVIDENCE_ACTOR": "t"},
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") <= 2
    assert "Traceback" not in done.stderr
    assert record.read_bytes() == before
    assert stat.S_IMODE(record.stat().st_mode) == 0o444
