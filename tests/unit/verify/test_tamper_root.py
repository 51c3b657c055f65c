"""The TSA root stored at stamp time (issue 13 item 4, docs/decisions/0411).

A copy of the signed, time-stamped case gets a fourth token, asked with
``evidence stamp DIR --tsa URL --tsa-ca tsa-root.pem``, so ``seals/0002.json.3.root.pem``
and a ``timestamped`` event with ``root_sha256``. Each tamper class changes that copy as
an attacker would and runs the README's verify command (docs/tamper-classes.md, rows
167-171); the one-file verifier must agree on every copy (tests/unit/verify/conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from evidence.cli import main
from evidence.digest import digest_bytes
from tests.support.cases import copy_case
from tests.support.fixtures import KeyFiles
from tests.support.standalone import run_here
from tests.support.tsa import TestTSA, make_ca

ROOT = "seals/0002.json.3.root.pem"


@pytest.fixture(scope="module")
def _rooted_template(
    _stamped_template: Path, tsa: TestTSA, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    root = copy_case(_stamped_template, tmp_path_factory.mktemp("rooted") / "case")
    code = main(["stamp", str(root), "--tsa", tsa.url("signer"), "--tsa-ca", str(tsa.ca_pem)])
    assert code == 0
    return root


@pytest.fixture
def stamped_case(_rooted_template: Path, tmp_path: Path) -> Path:
    """The stamped case with a root stored beside its fourth token (same name, so the
    agreement fixture of conftest.py checks every test here)."""
    return copy_case(_rooted_template, tmp_path / "case")


def _verify(
    root: Path, keys: KeyFiles, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, list[dict[str, Any]]]:
    capsys.readouterr()
    code = main(["verify", str(root), "--json", "--trusted-key", str(keys.public), *extra])
    return code, json.loads(capsys.readouterr().out)["findings"]


def _events(root: Path) -> list[dict[str, Any]]:
    lines = (root / "custody.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _other_ca_pem(folder: Path) -> Path:
    cert, _ = make_ca("another root CA")
    path = folder / "other-root.pem"
    path.write_bytes(cert.public_bytes(Encoding.PEM))
    return path


def test_stamp_stores_the_root_and_logs_its_digest(stamped_case: Path, tsa: TestTSA) -> None:
    stored = (stamped_case / ROOT).read_bytes()
    assert stored == tsa.ca_cert.public_bytes(Encoding.PEM)
    event = _events(stamped_case)[-1]
    assert event["action"] == "timestamped"
    assert event["details"]["root"] == ROOT
    assert event["details"]["root_sha256"] == digest_bytes(stored).sha256


def test_verify_reports_the_stored_root_as_information(
    stamped_case: Path, keys: KeyFiles, tsa: TestTSA, capsys: pytest.CaptureFixture[str]
) -> None:
    code, findings = _verify(stamped_case, keys, capsys, "--tsa-ca", str(tsa.ca_pem))
    assert code == 0
    mine = [(f["status"], f["message"]) for f in findings if f["check"] == "timestamp-root"]
    assert len(mine) == 1  # PASS findings are counted, not listed
    assert mine[0][0] == "INFO"
    assert "the one given with --tsa-ca" in mine[0][1]
    # Without --tsa-ca the stored root does not anchor anything: information only.
    code, findings = _verify(stamped_case, keys, capsys)
    assert code == 0
    info = [f for f in findings if f["check"] == "timestamp-root" and f["status"] == "INFO"]
    assert "not a trust decision" in info[0]["message"]
    assert "SHA256 Fingerprint=" in info[0]["message"]
    assert all(f["status"] == "INFO" for f in findings if f["check"] == "timestamp-signature")


def test_another_tsa_ca_is_not_overruled_by_the_stored_root(
    stamped_case: Path, keys: KeyFiles, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = _other_ca_pem(tmp_path)
    code, findings = _verify(stamped_case, keys, capsys, "--tsa-ca", str(other))
    assert code == 1
    assert any(f["check"] == "timestamp-trust" and f["status"] == "FAIL" for f in findings)
    info = [f["message"] for f in findings if f["check"] == "timestamp-root"]
    assert any("not among --tsa-ca" in message for message in info)


def test_the_one_file_verifier_says_it_chains_to_the_stored_root(stamped_case: Path) -> None:
    code, report = run_here(str(stamped_case))
    assert code == 0
    info = [f["message"] for f in report["findings"] if f["check"] == "timestamp-root"]
    assert len(info) == 1
    assert "chains to the root stored at stamp time" in info[0]
    assert "not a trust decision" in info[0]


def test_stamp_refuses_a_token_that_does_not_chain_to_the_root(
    stamped_case: Path, tsa: TestTSA, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.name for p in (stamped_case / "seals").iterdir())
    log = (stamped_case / "custody.jsonl").read_bytes()
    capsys.readouterr()
    code = main(
        [
            "stamp",
            str(stamped_case),
            "--tsa",
            tsa.url("signer"),
            "--tsa-ca",
            str(_other_ca_pem(tmp_path)),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "does not chain to the root given with --tsa-ca" in err
    assert "nothing of it was stored" in err
    assert sorted(p.name for p in (stamped_case / "seals").iterdir()) == before
    assert (stamped_case / "custody.jsonl").read_bytes() == log


def test_stamp_refuses_an_unreadable_root_file_before_asking(
    stamped_case: Path, tsa: TestTSA, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "root.pem"
    bad.write_text("not a certificate\n", encoding="utf-8")
    log = (stamped_case / "custody.jsonl").read_bytes()
    capsys.readouterr()
    code = main(["stamp", str(stamped_case), "--tsa", tsa.url("signer"), "--tsa-ca", str(bad)])
    assert code == 2
    assert "not a PEM certificate file" in capsys.readouterr().err
    assert (stamped_case / "custody.jsonl").read_bytes() == log


def test_seal_with_tsa_ca_stores_the_root(
    stamped_case: Path, keys: KeyFiles, tsa: TestTSA, capsys: pytest.CaptureFixture[str]
) -> None:
    claims = stamped_case / "claims" / "SRC-0001.yaml"
    claims.write_text(
        claims.read_text("utf-8").replace("More than 40", "More than 90", 1), encoding="utf-8"
    )
    capsys.readouterr()
    code = main(
        [
            "seal",
            str(stamped_case),
            "--key",
            str(keys.private),
            "--tsa",
            tsa.url("chain-sorted"),
            "--tsa-ca",
            str(tsa.ca_pem),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "seals/0003.json.1.root.pem" in out
    assert (stamped_case / "seals/0003.json.1.root.pem").read_bytes() == tsa.ca_pem.read_bytes()
    code, _ = _verify(stamped_case, keys, capsys, "--tsa-ca", str(tsa.ca_pem))
    assert code == 0


def test_seal_refuses_tsa_ca_without_tsa(
    stamped_case: Path, tsa: TestTSA, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["seal", str(stamped_case), "--tsa-ca", str(tsa.ca_pem)])
    assert code == 2
    assert "give --tsa URL" in capsys.readouterr().err


# -- tamper classes (docs/tamper-classes.md) ----------------------------------------------


def _replace(root: Path) -> None:
    cert, _ = make_ca("evidence test root CA")  # same name, another key
    (root / ROOT).write_bytes(cert.public_bytes(Encoding.PEM))


def _unlogged(root: Path) -> None:
    (root / "seals/0002.json.1.root.pem").write_bytes((root / ROOT).read_bytes())


def _orphan(root: Path) -> None:
    (root / "seals/0002.json.9.root.pem").write_bytes((root / ROOT).read_bytes())


def _removed(root: Path) -> None:
    (root / ROOT).unlink()


def _garbled(root: Path) -> None:
    (root / ROOT).write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")


CLASSES: list[tuple[str, Callable[[Path], None], str]] = [
    ("tsa-root-replaced", _replace, ROOT),
    ("tsa-root-unlogged", _unlogged, "seals/0002.json.1.root.pem"),
    ("tsa-root-beside-no-token", _orphan, "seals/0002.json.9.root.pem"),
    ("tsa-root-removed", _removed, ROOT),
    ("tsa-root-garbled", _garbled, ROOT),
]


@pytest.mark.parametrize(("name", "tamper", "path"), CLASSES, ids=[c[0] for c in CLASSES])
@pytest.mark.parametrize("anchored", [True, False], ids=["tsa-ca", "no-tsa-ca"])
def test_a_tampered_root_file_is_named(
    stamped_case: Path,
    keys: KeyFiles,
    tsa: TestTSA,
    capsys: pytest.CaptureFixture[str],
    name: str,
    tamper: Callable[[Path], None],
    path: str,
    anchored: bool,
) -> None:
    del name
    tamper(stamped_case)
    extra = ("--tsa-ca", str(tsa.ca_pem)) if anchored else ()
    code, findings = _verify(stamped_case, keys, capsys, *extra)
    assert code == 1
    found = {(f["check"], f["path"]) for f in findings if f["status"] in ("FAIL", "ERROR")}
    assert ("timestamp-root", path) in found, sorted(found)


def test_the_tamper_table_lists_the_root_classes() -> None:
    table = (Path(__file__).parents[3] / "docs" / "tamper-classes.md").read_text("utf-8")
    for name, _, path in CLASSES:
        assert f"| `{name}` | `timestamp-root` | `{path}` |" in table, name


def test_a_dossier_embeds_the_stored_root(
    stamped_case: Path, keys: KeyFiles, tsa: TestTSA, capsys: pytest.CaptureFixture[str]
) -> None:
    from evidence.case import Case
    from evidence.render import render_dossier

    pdf = render_dossier(Case.open(stamped_case), template="icc-otp", actor="tester").path
    code, findings = _verify(pdf, keys, capsys, "--tsa-ca", str(tsa.ca_pem))
    assert code == 0, [f for f in findings if f["status"] != "INFO"]
    info = [f for f in findings if f["check"] == "timestamp-root"]
    assert [f["path"] for f in info] == [ROOT]
    assert "the one given with --tsa-ca" in info[0]["message"]
