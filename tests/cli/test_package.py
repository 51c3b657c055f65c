"""``evidence export`` and ``evidence import`` (and ``evidence verify`` of packages)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from evidence.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_verify_import_round_trip(
    sealed_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = len((sealed_case / "custody.jsonl").read_bytes().splitlines())
    code, out, err = _run(
        capsys, "export", str(sealed_case), "--bagit", str(tmp_path / "pkg"), "--actor", "analyst"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"exported case UKR-OKH-2024 to {tmp_path / 'pkg'}: ")
    assert "Payload-Oxum" in lines[0]
    assert lines[1].startswith("seal 0001 root ")
    assert lines[2].startswith(f"custody head {head} ")
    code, out, _ = _run(capsys, "verify", str(tmp_path / "pkg"))
    assert code == 0
    assert out.splitlines()[-1].startswith(f"verify {tmp_path / 'pkg'}: OK")
    code, out, _ = _run(capsys, "import", str(tmp_path / "pkg"), str(tmp_path / "restored"))
    assert code == 0
    assert out.splitlines()[-1] == (
        f"restored case UKR-OKH-2024 in {tmp_path / 'restored'} "
        f"(custody head {head}, now followed by a `verified` event)"
    )
    assert _run(capsys, "verify", str(tmp_path / "restored"))[0] == 0


def test_zip_export_prints_the_zips_sha256(
    sealed_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        capsys, "export", str(sealed_case), "--bagit", str(tmp_path / "submission"), "--zip"
    )
    assert code == 0
    archive = tmp_path / "submission.zip"
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert out.splitlines()[-1] == f"{digest}  submission.zip"  # as sha256sum prints it
    code, out, _ = _run(capsys, "verify", "--json", str(archive))
    report = json.loads(out)
    assert (code, report["ok"], report["findings"]) == (0, True, [])
    assert report["checked"]["payload files"] > 0


def test_an_unsealed_case_exports_with_a_note(
    new_case: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "export", str(tmp_path / "case"), "--bagit", str(tmp_path / "pkg"))
    assert code == 0
    assert err.strip() == (
        "note: the case has no seal; run `evidence seal` first for a fully sealed package"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "{case}"], "Missing option '--bagit'"),
        (["export", "{case}", "--bagit", "{case}"], "is a case folder"),
        (["export", "{tmp}/nowhere", "--bagit", "{tmp}/pkg"], "no such folder"),
        (["export", "{case}", "--bagit", "{case}/records/pkg"], "case's evidence (records)"),
        (["import", "{tmp}/nothing.zip", "{tmp}/restored"], "no such file or folder"),
        (["import", "{case}", "{tmp}/restored"], "not a BagIt package"),
    ],
    ids=[
        "no-bagit",
        "out-exists",
        "not-a-case",
        "out-in-records",
        "import-missing",
        "import-not-a-bag",
    ],
)
def test_commands_that_cannot_run_exit_2(
    sealed_case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    filled = [a.format(case=sealed_case, tmp=tmp_path) for a in args]
    code, out, err = _run(capsys, *filled)
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err
    assert not (tmp_path / "pkg").exists()
    assert not (tmp_path / "restored").exists()


def test_a_tampered_package_fails_verify_and_import(
    sealed_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "export", str(sealed_case), "--bagit", str(tmp_path / "pkg"))
    claims = tmp_path / "pkg" / "data" / "claims" / "SRC-0001.yaml"
    claims.chmod(0o644)
    claims.write_text(claims.read_text(encoding="utf-8").replace("40", "90"), encoding="utf-8")
    code, out, _ = _run(capsys, "verify", str(tmp_path / "pkg"))
    assert code == 1
    assert out.splitlines()[0].startswith("FAIL  bag-digest         data/claims/SRC-0001.yaml: ")
    code, out, err = _run(
        capsys, "import", "--json", str(tmp_path / "pkg"), str(tmp_path / "restored")
    )
    assert code == 1
    assert json.loads(out)["ok"] is False
    assert err.strip() == "nothing was imported: the package does not verify"
    assert not (tmp_path / "restored").exists()


def test_a_hostile_zip_is_refused_on_import(
    sealed_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "export", str(sealed_case), "--bagit", str(tmp_path / "pkg.zip"), "--zip")
    with zipfile.ZipFile(tmp_path / "pkg.zip", "a") as zf:
        zf.writestr("pkg/../../escaped.txt", "written by an attacker\n")
    code, out, _ = _run(capsys, "import", str(tmp_path / "pkg.zip"), str(tmp_path / "restored"))
    assert code == 1
    assert "refused: '..' in the path" in out
    assert not list(tmp_path.parent.rglob("escaped.txt"))
    assert not (tmp_path / "restored").exists()
