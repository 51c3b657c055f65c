"""The integrity commands end to end, each result checked with openssl and with verify."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.cli import main
from evidence.integrity.sign import load_private_key
from tests.support.cases import build_case
from tests.support.tsa import TestTSA, free_port, have_openssl

pytestmark = pytest.mark.skipif(not have_openssl(), reason="needs the openssl command")


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestTSA]:
    with TestTSA(tmp_path_factory.mktemp("tsa"), slow_seconds=3.0) as authority:
        yield authority


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    """A case with one seal; its claims file changed so that the next seal has work."""
    case = build_case(tmp_path / "case")
    claims = case.claims_dir / "SRC-0001.yaml"
    claims.write_text(claims.read_text().replace("status: reported", "status: corroborated", 1))
    return case.root


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def openssl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *map(str, args)], capture_output=True, text=True)


def test_keygen_seal_stamp_verify_with_stock_tools(
    capsys: pytest.CaptureFixture[str],
    tsa: TestTSA,
    case_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KEY_PASSPHRASE", "a long passphrase")
    prefix = tmp_path / "analyst"
    code, out, _ = run(capsys, "keygen", prefix, "--passphrase-env", "KEY_PASSPHRASE")
    assert code == 0
    assert "mode 0600, encrypted" in out
    code, out, err = run(
        capsys,
        "seal",
        case_dir,
        "--key",
        f"{prefix}.key",
        "--passphrase-env",
        "KEY_PASSPHRASE",
        "--tsa",
        tsa.url("signer"),
        "--tsa",
        tsa.url("chain"),
    )
    assert code == 0, err
    assert "sealed 18 record revision(s) in seals/0002.json" in out
    assert "signed with key" in out
    assert out.count("time-stamped seals/0002.json") == 2
    seal = case_dir / "seals" / "0002.json"
    # The signature, with openssl alone.
    checked = openssl(
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        f"{prefix}.pub",
        "-rawin",
        "-in",
        seal,
        "-sigfile",
        f"{seal}.sig",
    )
    assert checked.returncode == 0, checked.stderr
    assert "Signature Verified Successfully" in checked.stdout
    # Each time-stamp token, with openssl alone.
    for n in (1, 2):
        checked = openssl(
            "ts",
            "-verify",
            "-data",
            seal,
            "-in",
            f"{seal}.{n}.tsr",
            "-CAfile",
            tsa.ca_pem,
            "-untrusted",
            f"{seal}.{n}.chain.pem",
        )
        assert checked.returncode == 0, checked.stderr
        assert "Verification: OK" in checked.stdout
    # And with the project's own verifier.
    code, out, err = run(
        capsys,
        "verify",
        case_dir,
        "--trusted-key",
        f"{prefix}.pub",
        "--tsa-ca",
        tsa.ca_pem,
        "--json",
    )
    report = json.loads(out)
    assert code == 0, out
    assert report["ok"] is True
    assert report["checked"]["signatures"] == 1
    assert report["checked"]["time-stamp tokens"] == 2
    # Seal 1 was made before the key: requiring signatures everywhere fails on it.
    code, out, _ = run(
        capsys, "verify", case_dir, "--trusted-key", f"{prefix}.pub", "--require-signature"
    )
    assert code == 1
    assert "seals/0001.json: the seal is not signed" in out


def test_a_tsa_that_is_down_leaves_the_seal_and_stamp_retries(
    capsys: pytest.CaptureFixture[str], tsa: TestTSA, case_dir: Path
) -> None:
    down = f"http://127.0.0.1:{free_port()}/tsr"
    code, out, err = run(capsys, "seal", case_dir, "--tsa", down, "--tsa-timeout", "2")
    assert code == 3  # done in part: sealed, not time-stamped (decision 0011)
    assert "sealed 18 record revision(s) in seals/0002.json" in out
    assert "cannot reach the TSA" in err
    assert f"evidence stamp {case_dir} --tsa {down}" in err
    assert "Traceback" not in err
    assert run(capsys, "verify", case_dir)[0] == 0
    code, out, err = run(capsys, "stamp", case_dir, "--tsa", tsa.url("signer"))
    assert code == 0, err
    assert "seals/0002.json.1.tsr" in out
    code, out, _ = run(capsys, "verify", case_dir, "--tsa-ca", tsa.ca_pem, "--require-timestamp")
    assert code == 1  # seal 1 has no token
    assert "seals/0001.json: the seal has no time-stamp token" in out
    assert run(capsys, "stamp", case_dir, "--tsa", tsa.url("signer"), "--seal", "1")[0] == 0
    assert run(capsys, "verify", case_dir, "--tsa-ca", tsa.ca_pem, "--require-timestamp")[0] == 0


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("garbage", "not a time-stamp reply"),
        ("slow", "no complete answer in time"),
        ("other", "token is for other data"),
    ],
    ids=["garbage", "slow", "token-for-other-data"],
)
def test_bad_authorities_on_stamp(
    capsys: pytest.CaptureFixture[str], tsa: TestTSA, tmp_path: Path, mode: str, message: str
) -> None:
    root = build_case(tmp_path / "case").root
    before = sorted(p.name for p in (root / "seals").iterdir())
    code, _, err = run(capsys, "stamp", root, "--tsa", tsa.url(mode), "--tsa-timeout", "1")
    assert code == 2
    assert message in err
    assert sorted(p.name for p in (root / "seals").iterdir()) == before


KEY_PROBLEMS = [
    ("wrong-passphrase", "right", "wrong", "wrong passphrase"),
    ("missing-passphrase", "right", None, "give its passphrase with --passphrase-env"),
]


@pytest.mark.parametrize(
    ("made_with", "given", "message"),
    [k[1:] for k in KEY_PROBLEMS],
    ids=[k[0] for k in KEY_PROBLEMS],
)
def test_key_problems_stop_before_anything_is_written(
    capsys: pytest.CaptureFixture[str],
    case_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    made_with: str,
    given: str | None,
    message: str,
) -> None:
    monkeypatch.setenv("MADE", made_with)
    assert run(capsys, "keygen", tmp_path / "k", "--passphrase-env", "MADE")[0] == 0
    log = (case_dir / "custody.jsonl").read_bytes()
    args: list[str | Path] = ["seal", case_dir, "--key", tmp_path / "k.key"]
    if given is not None:
        monkeypatch.setenv("GIVEN", given)
        args += ["--passphrase-env", "GIVEN"]
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert not (case_dir / "seals" / "0002.json").exists()
    assert (case_dir / "custody.jsonl").read_bytes() == log


def test_not_an_ed25519_key(
    capsys: pytest.CaptureFixture[str], case_dir: Path, tmp_path: Path
) -> None:
    key = tmp_path / "rsa.key"
    made = openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", key)
    assert made.returncode == 0, made.stderr
    key.chmod(0o600)
    code, _, err = run(capsys, "seal", case_dir, "--key", key)
    assert code == 2
    assert "is an RSA key; evidence signs with Ed25519 only" in err


def test_loose_key_permissions_warn(
    capsys: pytest.CaptureFixture[str], case_dir: Path, tmp_path: Path
) -> None:
    assert run(capsys, "keygen", tmp_path / "k")[0] == 0
    (tmp_path / "k.key").chmod(0o644)
    code, _, err = run(capsys, "seal", case_dir, "--key", tmp_path / "k.key")
    assert code == 0
    assert "warning:" in err
    assert "readable by other users" in err


@pytest.mark.parametrize(
    "args",
    [["--passphrase-env", "X"], ["--tsa", "ftp://tsa.example/"]],
    ids=["passphrase-without-key", "tsa-not-http"],
)
def test_seal_usage_errors(
    capsys: pytest.CaptureFixture[str], case_dir: Path, args: list[str]
) -> None:
    code, _, err = run(capsys, "seal", case_dir, *args)
    assert code == 2
    assert err.startswith("evidence: ")
    assert not (case_dir / "seals" / "0002.json").exists()


def test_keygen_never_overwrites(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "keygen", tmp_path / "k")[0] == 0
    before = (tmp_path / "k.key").read_bytes()
    code, _, err = run(capsys, "keygen", tmp_path / "k")
    assert code == 2
    assert "never overwritten" in err
    assert (tmp_path / "k.key").read_bytes() == before


def test_keygen_missing_passphrase_variable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    os.environ.pop("NOT_SET_ANYWHERE", None)
    code, _, err = run(capsys, "keygen", tmp_path / "k", "--passphrase-env", "NOT_SET_ANYWHERE")
    assert code == 2
    assert "not set" in err
    assert not (tmp_path / "k.key").exists()


def test_proof_and_verify_proof(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = build_case(tmp_path / "case").root
    code, out, _ = run(capsys, "proof", root, "CLM-0004")
    assert code == 0
    proof = json.loads(out)
    assert proof["leaf_index"] == 4
    assert proof["seal"]["file"] == "seals/0001.json"
    path = tmp_path / "proof.json"
    path.write_text(out)
    code, out, _ = run(capsys, "verify-proof", path, "--seal", root / "seals" / "0001.json")
    assert code == 0, out
    assert "OK" in out
    code, out, _ = run(capsys, "verify-proof", path)
    assert code == 1  # consistent, not anchored (issue 10, item 8)
    assert "not anchored" in out
    code, out, _ = run(capsys, "verify-proof", path, "--root", proof["root"])
    assert code == 0, out
    code, out, _ = run(capsys, "verify-proof", path, "--root", "ab" * 32)
    assert code == 1
    assert "proof-anchor" in out
    code, _, err = run(capsys, "verify-proof", path, "--root", "xyz")
    assert code == 2
    assert "64 hexadecimal digits" in err
    proof["audit_path"][1] = "0" * 64
    path.write_text(json.dumps(proof))
    code, out, _ = run(
        capsys, "verify-proof", path, "--seal", root / "seals" / "0001.json", "--json"
    )
    assert code == 1
    assert json.loads(out)["findings"][0]["check"] == "proof-inclusion"
    path.write_text("{ not json")
    code, _, err = run(capsys, "verify-proof", path)
    assert code == 2
    assert "not valid JSON" in err
    code, _, err = run(capsys, "proof", root, "CLM-0404")
    assert code == 2
    assert "does not cover CLM-0404" in err
    code, _, err = run(capsys, "verify-proof", tmp_path / "proof.json", "--trusted-key", "x.pub")
    assert code == 2


def test_disclose_then_verify_the_partial_case(
    capsys: pytest.CaptureFixture[str], tsa: TestTSA, tmp_path: Path
) -> None:
    assert run(capsys, "keygen", tmp_path / "k")[0] == 0
    root = build_case(tmp_path / "case", key=load_private_key(tmp_path / "k.key")).root
    assert run(capsys, "stamp", root, "--tsa", tsa.url("chain-sorted"))[0] == 0
    out_dir = tmp_path / "public"
    code, out, err = run(capsys, "disclose", root, "--records", "SRC-0001,CLM-0003", "-o", out_dir)
    assert code == 0, err
    assert "withheld: 15 record(s)" in out
    code, out, _ = run(
        capsys,
        "verify",
        out_dir,
        "--trusted-key",
        tmp_path / "k.pub",
        "--tsa-ca",
        tsa.ca_pem,
        "--require-signature",
        "--require-timestamp",
    )
    assert code == 0, out
    assert "15 of 17 records withheld" in out
    code, _, err = run(capsys, "disclose", root, "--records", "CLM-0077", "-o", tmp_path / "other")
    assert code == 2
    assert "no record CLM-0077" in err
    assert not (tmp_path / "other").exists()


@pytest.mark.parametrize("option", ["--trusted-key", "--tsa-ca"], ids=["key", "ca"])
def test_verify_with_an_unusable_trust_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str
) -> None:
    root = build_case(tmp_path / "case").root
    bad = tmp_path / "nonsense.pem"
    bad.write_text("nonsense\n")
    code, _, err = run(capsys, "verify", root, option, bad)
    assert code == 2
    assert "nonsense.pem" in err
