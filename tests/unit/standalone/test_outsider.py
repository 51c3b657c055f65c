"""The one-file verifier as an outsider runs it: a fresh virtual environment without
`evidence` (or any other package), once with and once without `openssl` on the PATH, on
every kind of thing `evidence verify` checks. Its verdict must be that of `evidence verify`
(same exit code; its failed checks among those `evidence verify` names)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from evidence.cli import main
from evidence.standalone import VERIFIER_NAME, verifier_bytes
from tests.support.fixtures import KeyFiles
from tests.support.standalone import problem_checks
from tests.support.tsa import TestTSA

SCRIPT = Path(__file__).parents[3] / "evidence" / "standalone" / VERIFIER_NAME


@pytest.fixture(scope="session")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh virtual environment with nothing installed in it."""
    venv = tmp_path_factory.mktemp("stranger") / "venv"
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    for name in ("evidence", "blake3", "cryptography"):
        probe = subprocess.run(
            [str(python), "-c", f"import {name}"], capture_output=True, cwd=venv, check=False
        )
        assert probe.returncode != 0, f"{name} is importable in the fresh environment"
    return python


@pytest.fixture(scope="session")
def no_openssl(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A PATH with the usual tools but no openssl."""
    folder = tmp_path_factory.mktemp("bin")
    for tool in ("b3sum", "pdfdetach"):
        found = subprocess.run(["which", tool], capture_output=True, text=True, check=False)
        if found.returncode == 0:
            (folder / tool).symlink_to(found.stdout.strip())
    return str(folder)


@dataclass(frozen=True)
class Run:
    code: int
    findings: list[dict[str, object]]
    out: str


def outsider(
    python: Path, *args: str, path_env: str = "/usr/bin:/bin", cwd: Path | None = None
) -> Run:
    done = subprocess.run(
        [str(python), str(SCRIPT), *args, "--json"],
        capture_output=True,
        text=True,
        env={"PATH": path_env},
        cwd=cwd,
        check=False,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    return Run(done.returncode, report["findings"], done.stdout)


def ours(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, set[str]]:
    capsys.readouterr()
    code = main([*args, "--json"])
    report = json.loads(capsys.readouterr().out)
    return code, {f["check"] for f in report["findings"] if f["status"] in ("FAIL", "ERROR")}


@pytest.fixture
def things(
    sealed_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> dict[str, list[str]]:
    """Every kind of input, from the sealed example case: how to verify it."""
    assert main(["export", str(sealed_case), "--bagit", str(tmp_path / "bag")]) == 0
    assert main(["export", str(sealed_case), "--bagit", str(tmp_path / "bag.zip"), "--zip"]) == 0
    assert (
        main(
            [
                "disclose",
                str(sealed_case),
                "--records",
                "CLM-0003,SRC-0001",
                "-o",
                str(tmp_path / "partial"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["proof", str(sealed_case), "CLM-0003"]) == 0
    (tmp_path / "proof.json").write_text(capsys.readouterr().out, encoding="utf-8")
    root = json.loads((tmp_path / "proof.json").read_text())["root"]
    dossier = sorted((sealed_case / "out").glob("*.pdf"))[0]
    return {
        "case": [str(sealed_case)],
        "bag": [str(tmp_path / "bag")],
        "zip": [str(tmp_path / "bag.zip")],
        "partial": [str(tmp_path / "partial")],
        "proof": [str(tmp_path / "proof.json")],
        "proof-anchored": [str(tmp_path / "proof.json"), "--root", root],
        "dossier": [str(dossier)],
    }


def _verify_args(args: list[str]) -> list[str]:
    return ["verify-proof", *args] if args[0].endswith(".json") else ["verify", *args]


def test_the_outsider_agrees_on_every_kind_of_input(
    stranger: Path,
    no_openssl: str,
    things: dict[str, list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    for kind, args in things.items():
        code, theirs = ours(capsys, *_verify_args(args))
        assert code == (1 if kind == "proof" else 0), (kind, theirs)
        for path_env in ("/usr/bin:/bin", no_openssl):
            run = outsider(stranger, *args, path_env=path_env)
            assert run.code == code, (kind, path_env, run.out)
            assert problem_checks(run.findings) <= theirs, (kind, run.out)


def test_the_shipped_copies_are_the_verifier(things: dict[str, list[str]]) -> None:
    bag, partial = Path(things["bag"][0]), Path(things["partial"][0])
    assert (bag / VERIFIER_NAME).read_bytes() == verifier_bytes()
    assert f"  {VERIFIER_NAME}\n" in (bag / "tagmanifest-sha256.txt").read_text()
    assert (partial / VERIFIER_NAME).read_bytes() == verifier_bytes()
    with zipfile.ZipFile(things["zip"][0]) as zf:
        assert zf.read(f"bag/{VERIFIER_NAME}") == verifier_bytes()


def test_a_tampered_bag_and_partial_case_fail_for_both(
    stranger: Path, things: dict[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    bag, partial = Path(things["bag"][0]), Path(things["partial"][0])
    record = bag / "data" / "records" / "CLM-0003.1.json"
    record.chmod(0o644)
    record.write_bytes(record.read_bytes().replace(b"rush hour", b"rush-hour"))
    shown = partial / "records" / "CLM-0003.1.json"
    shown.chmod(0o644)
    shown.write_bytes(shown.read_bytes().replace(b"rush hour", b"rush-hour"))
    for args in (things["bag"], things["partial"]):
        code, theirs = ours(capsys, "verify", *args)
        run = outsider(stranger, *args)
        assert (code, run.code) == (1, 1), run.out
        assert problem_checks(run.findings) <= theirs


def test_a_signed_and_stamped_case_with_two_seals(
    stranger: Path,
    no_openssl: str,
    stamped_case: Path,
    keys: KeyFiles,
    tsa: TestTSA,
    capsys: pytest.CaptureFixture[str],
) -> None:
    trust = ["--trusted-key", str(keys.public), "--tsa-ca", str(tsa.ca_pem)]
    assert ours(capsys, "verify", str(stamped_case), *trust) == (0, set())
    assert outsider(stranger, str(stamped_case), *trust).code == 0
    untrusted = outsider(stranger, str(stamped_case))
    assert untrusted.code == ours(capsys, "verify", str(stamped_case))[0] == 0
    assert {f["check"] for f in untrusted.findings} >= {"seal-signer", "timestamp-signature"}
    # Without openssl nothing signed can be checked, and that is never a pass.
    blind = outsider(stranger, str(stamped_case), *trust, path_env=no_openssl)
    assert blind.code == 1
    assert {(f["check"], f["message"]) for f in blind.findings if f["status"] == "ERROR"} == {
        ("seal-signature", "not checked: openssl missing"),
        ("timestamp-token", "not checked: openssl missing"),
    }
    # A changed signature byte: both fail, with the check of `evidence verify`.
    sig = stamped_case / "seals" / "0002.json.sig"
    sig.chmod(0o644)
    data = bytearray(sig.read_bytes())
    data[10] ^= 1
    sig.write_bytes(bytes(data))
    code, theirs = ours(capsys, "verify", str(stamped_case), *trust)
    run = outsider(stranger, str(stamped_case), *trust)
    assert (code, run.code) == (1, 1)
    assert "seal-signature" in problem_checks(run.findings) <= theirs
