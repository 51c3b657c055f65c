"""The integrity annex's instructions work: a signed and time-stamped case's dossier,
checked with stock tools only (poppler's pdfdetach, sha256sum, b3sum, openssl, python3)
exactly as the annex prints them, and with ``verify_dossier``."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.render import render_dossier
from evidence.render.integrity import EXTRACT, RECORD_OFFSET, VERIFY_COMMANDS
from evidence.standalone import verifier_bytes
from evidence.verify import verify_case
from evidence.verify.dossier import verify_dossier
from evidence.verify.options import VerifyOptions
from tests.support import tsa as tsa_support
from tests.support.fixtures import KeyFiles, build_stamped_case, write_key_files
from tests.support.standalone import run_stranger
from tests.unit.render.pdf import norm, page_texts, squeeze, tool


@dataclass(frozen=True)
class Stamped:
    pdf: Path
    keys: KeyFiles
    tsa_root: Path


@pytest.fixture(scope="session")
def stamped(tmp_path_factory: pytest.TempPathFactory) -> Stamped:
    """A case with two signed seals and three RFC 3161 tokens (a real openssl TSA on
    127.0.0.1), and its dossier."""
    if not tsa_support.have_openssl():
        pytest.skip("the openssl command is not installed")
    keys = write_key_files(tmp_path_factory.mktemp("keys"))
    with tsa_support.TestTSA(tmp_path_factory.mktemp("tsa"), slow_seconds=3.0) as tsa:
        root = build_stamped_case(tmp_path_factory.mktemp("stamped") / "case", keys.key, tsa)
        tsa_root = tsa.ca_pem
    pdf = render_dossier(Case.open(root), template="transmittal", actor="tester").path
    return Stamped(pdf, keys, tsa_root)


def _run(command: str, cwd: Path) -> str:
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def test_a_signed_and_stamped_dossier_verifies(stamped: Stamped) -> None:
    options = VerifyOptions(
        trusted_keys=(stamped.keys.public,), tsa_ca=stamped.tsa_root, require_signature=True
    )
    report = verify_dossier(stamped.pdf, options=options, progress=None)
    assert report.ok, [str(f) for f in report.findings]
    assert report.passed["seal-signature"] == 2
    assert report.passed["timestamp-imprint"] == 3


def test_the_annex_names_each_signature_and_token(stamped: Stamped) -> None:
    whole = norm(" ".join(page_texts(stamped.pdf)))
    for name in ("seals/0002.json.sig", "seals/0002.json.1.tsr", "seals/0002.json.2.tsr"):
        assert f"Signature: {name}" in whole or f"Time-stamp: {name}" in whole, name
    assert "openssl pkeyutl -verify -pubin -inkey SIGNER.pub.pem -rawin" in whole
    assert "-untrusted seals/0002.json.1.chain.pem" in whole
    assert "signed, time-stamped" in whole  # the cover's seal panel


def test_stock_tools_check_what_the_annex_says(stamped: Stamped, tmp_path: Path) -> None:
    if tool("pdfdetach") is None:
        pytest.skip("poppler's pdfdetach is not installed")
    printed = squeeze(" ".join(page_texts(stamped.pdf)))
    assert squeeze(EXTRACT.replace("DOSSIER", "DOSSIER")) in printed.replace("\u00a0", "")
    assert squeeze(VERIFY_COMMANDS) in printed.replace("\u00a0", "")

    work = tmp_path / "work"
    work.mkdir()
    (work / "DOSSIER.pdf").write_bytes(stamped.pdf.read_bytes())
    _run(EXTRACT, work)
    case = work / "case"
    assert verify_case(case).ok  # the extracted files are a case folder

    checked = _run("sha256sum -c SHA256SUMS", case).splitlines()
    assert checked
    assert all(line.endswith(": OK") for line in checked)
    if tool("b3sum"):
        assert all(
            line.endswith(": OK") for line in _run("b3sum --check B3SUMS", case).splitlines()
        )

    # The verifier attached to the annex page, as printed, by Python with no site-packages.
    assert (work / "evidence-verify.py").read_bytes() == verifier_bytes()
    (work / "SIGNER.pub.pem").write_bytes(stamped.keys.public.read_bytes())
    (work / "TSA-CA.pem").write_bytes(stamped.tsa_root.read_bytes())
    for command in VERIFY_COMMANDS.splitlines():
        done = run_stranger(*command.split()[2:], cwd=case)
        assert done.returncode == 0, done.stdout + done.stderr
        assert ": OK" in done.stdout

    seal = json.loads((case / "seals" / "0002.json").read_bytes())
    leaf = seal["leaves"][0]
    record = f"records/{leaf['id']}.{leaf['revision']}.json"
    got = _run(f"tail -c +{RECORD_OFFSET + 1} {record} | head -c -2 | sha256sum", case)
    assert got.split()[0] == leaf["sha256"]

    source = json.loads((case / record).read_bytes()[RECORD_OFFSET:-2])["body"]["object"]
    obj = f"objects/{source['blake3'][:2]}/{source['blake3']}"
    assert _run(f"sha256sum {obj}", case).split()[0] == source["sha256"]
    if tool("b3sum"):
        assert _run(f"b3sum {obj}", case).split()[0] == source["blake3"]

    prev = json.loads((case / "custody.jsonl").read_text().splitlines()[2])["prev"]
    assert _run("sed -n 2p custody.jsonl | tr -d '\\n' | sha256sum", case).split()[0] == prev

    verified = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(stamped.keys.public),
            "-rawin",
            "-in",
            "seals/0002.json",
            "-sigfile",
            "seals/0002.json.sig",
        ],
        cwd=case,
        capture_output=True,
        text=True,
    )
    assert "Signature Verified Successfully" in verified.stdout
    stamp = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-in",
            "seals/0002.json.1.tsr",
            "-data",
            "seals/0002.json",
            "-CAfile",
            str(stamped.tsa_root),
            "-untrusted",
            "seals/0002.json.1.chain.pem",
        ],
        cwd=case,
        capture_output=True,
        text=True,
    )
    assert "Verification: OK" in stamp.stdout, stamp.stderr
