"""``evidence verify`` on seals' signatures and time-stamp tokens, whole and tampered.

(These tests exercise evidence/verify/attachments.py through ``verify_case``, with a real
TSA and signed cases; the one-file verifier must agree on each tampered copy, see
conftest.py.)
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.errors import InputError
from evidence.integrity.sign import SigningKey
from evidence.integrity.timestamp import _store, request_token
from evidence.report import Report
from evidence.verify import VerifyOptions, verify_case
from tests.support.cases import build_case
from tests.support.fixtures import KeyFiles, write_key_files
from tests.support.tsa import TestTSA, make_ca


def _strict(keys: KeyFiles, tsa: TestTSA) -> VerifyOptions:
    return VerifyOptions(
        trusted_keys=(keys.public,),
        tsa_ca=tsa.ca_pem,
        require_signature=True,
        require_timestamp=True,
    )


def _problems(report: Report) -> list[tuple[str, str, str | None]]:
    return [(f.check, f.status, f.path) for f in report.problems()]


def test_signed_and_stamped_case_verifies_strictly(
    stamped_case: Path, keys: KeyFiles, tsa: TestTSA
) -> None:
    report = verify_case(stamped_case, options=_strict(keys, tsa))
    assert report.ok, [str(f) for f in report.problems()]
    assert report.checked["signatures"] == 2
    assert report.checked["time-stamp tokens"] == 3
    assert report.passed["seal-signature"] == 2
    assert report.passed["timestamp-signature"] == 3
    assert report.passed["timestamp-nonce"] == 3
    times = [f for f in report.findings if f.check == "timestamp-time"]
    assert len(times) == 3
    assert all("time-stamped at" in f.message for f in times)


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[10] ^= 0x01
    path.write_bytes(bytes(data))


def _copy(src: str, dest: str) -> Callable[[Path], None]:
    def tamper(root: Path) -> None:
        seals = root / "seals"
        shutil.copyfile(seals / src, seals / dest)
        if src.endswith(".tsr"):
            shutil.copyfile(
                seals / src.replace(".tsr", ".chain.pem"),
                seals / dest.replace(".tsr", ".chain.pem"),
            )

    return tamper


def _truncate(name: str, size: int) -> Callable[[Path], None]:
    def tamper(root: Path) -> None:
        path = root / "seals" / name
        path.write_bytes(path.read_bytes()[:size])

    return tamper


TAMPERING: list[tuple[str, Callable[[Path], object], str, str, str]] = [
    (
        "signature-flipped",
        lambda r: _flip(r / "seals/0002.json.sig"),
        "seal-signature",
        "seals/0002.json.sig",
        "does not verify",
    ),
    (
        "signature-63-bytes",
        _truncate("0002.json.sig", 63),
        "seal-signature",
        "seals/0002.json.sig",
        "is 63 bytes",
    ),
    (
        "signature-moved-to-other-seal",
        _copy("0001.json.sig", "0002.json.sig"),
        "seal-signature",
        "seals/0002.json.sig",
        "belongs to another seal",
    ),
    (
        "signature-missing",
        lambda r: (r / "seals/0002.json.sig").unlink(),
        "seal-signature",
        "seals/0002.json",
        "is missing",
    ),
    (
        "token-truncated",
        _truncate("0002.json.1.tsr", 300),
        "timestamp-token",
        "seals/0002.json.1.tsr",
        "not an RFC 3161",
    ),
    (
        "token-of-other-seal",
        _copy("0001.json.1.tsr", "0002.json.1.tsr"),
        "timestamp-imprint",
        "seals/0002.json.1.tsr",
        "time-stamps other data",
    ),
    (
        "token-swapped",
        _copy("0002.json.2.tsr", "0002.json.1.tsr"),
        "timestamp-nonce",
        "seals/0002.json.1.tsr",
        "not the one asked for",
    ),
    (
        "token-not-logged",
        _copy("0002.json.1.tsr", "0002.json.3.tsr"),
        "timestamp-logged",
        "seals/0002.json.3.tsr",
        "no `timestamped` event",
    ),
    (
        "chain-garbage",
        lambda r: (r / "seals/0002.json.1.chain.pem").write_text("junk\n"),
        "timestamp-chain",
        "seals/0002.json.1.chain.pem",
        "not a PEM certificate",
    ),
    (
        "chain-without-token",
        _copy("0002.json.1.chain.pem", "0002.json.9.chain.pem"),
        "timestamp-chain",
        "seals/0002.json.9.chain.pem",
        "beside no time-stamp token",
    ),
    (
        "seal-changed",
        lambda r: (r / "seals/0002.json").write_bytes(
            (r / "seals/0002.json").read_bytes().replace(b'"sequence":2', b'"sequence":2 ')
        ),
        "seal-signature",
        "seals/0002.json.sig",
        "does not verify",
    ),
]


@pytest.mark.parametrize(
    ("tamper", "check", "path", "message"),
    [
        pytest.param(
            *t[1:],
            id=t[0],
        )
        for t in TAMPERING
    ],
)
def test_tampering_is_found(
    stamped_case: Path,
    keys: KeyFiles,
    tsa: TestTSA,
    tamper: Callable[[Path], object],
    check: str,
    path: str,
    message: str,
) -> None:
    tamper(stamped_case)
    report = verify_case(stamped_case, options=_strict(keys, tsa))
    assert not report.ok
    found = [f for f in report.problems() if f.check == check and f.path == path]
    assert found, _problems(report)
    assert any(message in f.message for f in found), [f.message for f in found]


def test_an_unknown_file_beside_a_seal_is_a_finding(
    stamped_case: Path, keys: KeyFiles, tsa: TestTSA
) -> None:
    """The case folder is a closed world (issue 10, item 5)."""
    (stamped_case / "seals/0002.json.notes").write_text("a note\n")
    report = verify_case(stamped_case, options=_strict(keys, tsa))
    assert not report.ok
    assert [(f.path, f.status) for f in report.findings if f.check == "seal-attachment"] == [
        ("seals/0002.json.notes", "FAIL")
    ]


OPTIONS: list[tuple[str, Callable[[KeyFiles, TestTSA, Path], VerifyOptions], bool, str, str]] = [
    ("no-trusted-key", lambda k, t, o: VerifyOptions(), True, "seal-signer", "not pinned"),
    (
        "require-signature-without-key",
        lambda k, t, o: VerifyOptions(require_signature=True),
        False,
        "seal-signer",
        "not pinned",
    ),
    (
        "unknown-key",
        lambda k, t, o: VerifyOptions(trusted_keys=(write_key_files(o).public,)),
        False,
        "seal-signer",
        "not among the trusted keys",
    ),
    (
        "unknown-key-latest",
        lambda k, t, o: VerifyOptions(trusted_keys=(write_key_files(o).public,)),
        False,
        "seal-trust",
        "not signed by a trusted key",
    ),
    (
        "no-tsa-ca",
        lambda k, t, o: VerifyOptions(trusted_keys=(k.public,)),
        True,
        "timestamp-signature",
        "not anchored to a trusted root",
    ),
    (
        "require-timestamp-without-ca",
        lambda k, t, o: VerifyOptions(trusted_keys=(k.public,), require_timestamp=True),
        False,
        "timestamp-token",
        "cannot be anchored",
    ),
    (
        "other-tsa-root",
        lambda k, t, o: VerifyOptions(tsa_ca=_other_root(o)),
        False,
        "timestamp-signature",
        "certificate",
    ),
]


def _other_root(folder: Path) -> Path:
    from cryptography.hazmat.primitives.serialization import Encoding

    cert, _ = make_ca("not the TSA's root")
    path = folder / "other-root.pem"
    path.write_bytes(cert.public_bytes(Encoding.PEM))
    return path


@pytest.mark.parametrize(
    ("options", "ok", "check", "message"), [o[1:] for o in OPTIONS], ids=[o[0] for o in OPTIONS]
)
def test_trust_options(
    stamped_case: Path,
    keys: KeyFiles,
    tsa: TestTSA,
    tmp_path: Path,
    options: Callable[[KeyFiles, TestTSA, Path], VerifyOptions],
    ok: bool,
    check: str,
    message: str,
) -> None:
    report = verify_case(stamped_case, options=options(keys, tsa, tmp_path))
    assert report.ok is ok, _problems(report)
    assert any(f.check == check and message in f.message for f in report.findings), [
        str(f) for f in report.findings
    ]


def test_unsigned_unstamped_case_under_requirements(
    tmp_path: Path, keys: KeyFiles, tsa: TestTSA
) -> None:
    root = build_case(tmp_path / "case").root
    assert verify_case(root).ok
    report = verify_case(root, options=_strict(keys, tsa))
    assert ("seal-signature", "FAIL", "seals/0001.json") in _problems(report)
    assert ("timestamp-token", "FAIL", "seals/0001.json") in _problems(report)


def test_a_time_stamp_before_the_seal_fails(tmp_path: Path, tsa: TestTSA) -> None:
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    case = build_case(tmp_path / "case", now=ahead)
    seal_file = case.seals_dir / "0001.json"
    # stamp_seal refuses this token; store it the way stamp_seal would, to test verify.
    reply = request_token(seal_file.read_bytes(), tsa.url("signer"))
    sealed = Case.open(case.root)
    from evidence.integrity.proof import load_seal

    seal = load_seal(sealed)
    _store(sealed, seal.path, seal.seal, seal.data, reply, "tester", None)
    report = verify_case(case.root, options=VerifyOptions(tsa_ca=tsa.ca_pem))
    assert [(f.check, f.path) for f in report.problems()] == [
        ("timestamp-time", "seals/0001.json.1.tsr"),
        ("timestamp-trust", "seals/0001.json"),
    ]
    assert "precedes the seal's sealed_at" in report.problems()[0].message
    relaxed = VerifyOptions(tsa_ca=tsa.ca_pem, clock_skew=3 * 3600)
    assert verify_case(case.root, options=relaxed).ok


@pytest.mark.parametrize("which", ["key", "ca"], ids=["bad-trusted-key", "bad-tsa-ca"])
def test_unusable_trust_anchor_files_stop_verification(
    stamped_case: Path, tmp_path: Path, which: str
) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not pem\n")
    options = VerifyOptions(trusted_keys=(bad,)) if which == "key" else VerifyOptions(tsa_ca=bad)
    with pytest.raises(InputError, match=r"bad\.pem"):
        verify_case(stamped_case, options=options)


def test_two_signed_seals_by_another_key_fail_by_fingerprint(tmp_path: Path) -> None:
    signer = SigningKey.generate()
    root = build_case(tmp_path / "case", key=signer).root
    other = write_key_files(tmp_path, "other")
    report = verify_case(root, options=VerifyOptions(trusted_keys=(other.public,)))
    [finding] = [f for f in report.problems() if f.check == "seal-signer"]
    assert signer.fingerprint in finding.message
    assert {f.check for f in report.problems()} == {"seal-signer", "seal-trust"}
