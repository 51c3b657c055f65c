"""Ed25519 keys and seal signatures, checked with the real openssl."""

from __future__ import annotations

import hashlib
import inspect
import shutil
import stat
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.errors import EvidenceError, InputError, UsageError
from evidence.integrity import sign, timestamp
from evidence.integrity.sign import (
    SigningKey,
    generate_key_files,
    load_private_key,
    load_public_key,
    load_trusted_keys,
    openssl_verify_command,
)
from tests.support.cases import build_case

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def test_keygen_writes_private_0600_and_public(tmp_path: Path) -> None:
    pair = generate_key_files(tmp_path / "analyst")
    assert pair.private_path.name == "analyst.key"
    assert pair.public_path.name == "analyst.pub"
    assert stat.S_IMODE(pair.private_path.stat().st_mode) == 0o600
    assert pair.private_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert pair.public_path.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert not pair.encrypted
    key = load_private_key(pair.private_path)
    assert key.fingerprint == pair.fingerprint == load_public_key(pair.public_path).fingerprint
    assert key.warnings == ()


def test_keygen_with_passphrase_encrypts(tmp_path: Path) -> None:
    pair = generate_key_files(tmp_path / "k", passphrase=b"correct horse")
    assert pair.encrypted
    assert b"ENCRYPTED PRIVATE KEY" in pair.private_path.read_bytes()
    assert load_private_key(pair.private_path, passphrase=b"correct horse").fingerprint == (
        pair.fingerprint
    )


@needs_openssl
def test_fingerprint_is_sha256_of_der_as_openssl_computes_it(tmp_path: Path) -> None:
    pair = generate_key_files(tmp_path / "k")
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", str(pair.public_path), "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    assert hashlib.sha256(der).hexdigest() == pair.fingerprint


@pytest.mark.parametrize("taken", ["k.key", "k.pub"], ids=["private-exists", "public-exists"])
def test_keygen_never_overwrites(tmp_path: Path, taken: str) -> None:
    (tmp_path / taken).write_bytes(b"precious")
    with pytest.raises(UsageError, match="never overwritten"):
        generate_key_files(tmp_path / "k")
    assert (tmp_path / taken).read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == [taken]


def test_keygen_into_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such folder"):
        generate_key_files(tmp_path / "nope" / "k")


PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _pem_private(key: PrivateKey, passphrase: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def _public_pem(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


ED = ed25519.Ed25519PrivateKey.generate()
RSA = rsa.generate_private_key(public_exponent=65537, key_size=1024)
EC = ec.generate_private_key(ec.SECP256R1())

BAD_PRIVATE: list[tuple[str, bytes, bytes | None, type[EvidenceError], str]] = [
    ("wrong-passphrase", _pem_private(ED, b"right"), b"wrong", InputError, "wrong passphrase"),
    ("encrypted-no-passphrase", _pem_private(ED, b"right"), None, UsageError, "--passphrase-env"),
    ("rsa-key", _pem_private(RSA), None, InputError, "RSA key; evidence signs with Ed25519"),
    ("ec-key", _pem_private(EC), None, InputError, "elliptic-curve"),
    ("public-key", _public_pem(ED), None, InputError, "is a public key"),
    ("garbage", b"not a key at all\n", None, InputError, "not a PEM private key"),
    ("empty", b"", None, InputError, "not a PEM private key"),
]


@pytest.mark.parametrize(
    ("data", "passphrase", "error", "message"),
    [b[1:] for b in BAD_PRIVATE],
    ids=[b[0] for b in BAD_PRIVATE],
)
def test_bad_private_keys(
    tmp_path: Path, data: bytes, passphrase: bytes | None, error: type[EvidenceError], message: str
) -> None:
    path = tmp_path / "x.key"
    path.write_bytes(data)
    path.chmod(0o600)
    with pytest.raises(error, match=message) as info:
        load_private_key(path, passphrase=passphrase)
    assert str(path) in str(info.value)


def test_missing_private_key(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such private key file"):
        load_private_key(tmp_path / "absent.key")


def test_loose_permissions_warn(tmp_path: Path) -> None:
    path = tmp_path / "loose.key"
    path.write_bytes(_pem_private(ED))
    path.chmod(0o644)
    key = load_private_key(path)
    assert len(key.warnings) == 1
    assert "readable by other users (mode 0644)" in key.warnings[0]
    assert f"chmod 600 {path}" in key.warnings[0]


def test_passphrase_for_unencrypted_key_warns(tmp_path: Path) -> None:
    path = tmp_path / "plain.key"
    path.write_bytes(_pem_private(ED))
    path.chmod(0o600)
    assert "not encrypted" in load_private_key(path, passphrase=b"x").warnings[0]


BAD_PUBLIC = [
    ("private-key", _pem_private(ED), "is a private key"),
    ("rsa-public", _public_pem(RSA), "RSA key; seals are signed with Ed25519"),
    (
        "garbage",
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "not a PEM public key",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"), [b[1:] for b in BAD_PUBLIC], ids=[b[0] for b in BAD_PUBLIC]
)
def test_bad_public_keys(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "x.pub"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        load_public_key(path)
    with pytest.raises(InputError, match=message):
        load_trusted_keys([path])


def test_trusted_keys_by_fingerprint(tmp_path: Path) -> None:
    one, two = generate_key_files(tmp_path / "a"), generate_key_files(tmp_path / "b")
    keys = load_trusted_keys([one.public_path, two.public_path, one.public_path])
    assert set(keys) == {one.fingerprint, two.fingerprint}


@given(data=st.binary(max_size=512), flip=st.integers(min_value=0))
@settings(max_examples=60, deadline=None)
def test_sign_verify_round_trip_and_any_changed_bit_fails(data: bytes, flip: int) -> None:
    key = SigningKey.generate()
    signature = key.sign(data)
    assert len(signature) == sign.SIGNATURE_LENGTH
    assert key.public.verify(signature, data)
    if data:
        position = flip % (len(data) * 8)
        changed = bytearray(data)
        changed[position // 8] ^= 1 << (position % 8)
        assert not key.public.verify(signature, bytes(changed))
    assert not key.public.verify(signature[:-1], data)
    assert not SigningKey.generate().public.verify(signature, data)


@needs_openssl
def test_seal_signature_checks_with_stock_openssl(tmp_path: Path) -> None:
    pair = generate_key_files(tmp_path / "k")
    case = build_case(tmp_path / "case", key=load_private_key(pair.private_path))
    seal_file = case.seals_dir / "0001.json"
    signature = seal_file.with_name("0001.json.sig")
    assert len(signature.read_bytes()) == 64
    assert f'"fingerprint":"{pair.fingerprint}"' in seal_file.read_text()
    command = openssl_verify_command(str(seal_file), str(pair.public_path))
    out = subprocess.run(command.split(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "Signature Verified Successfully" in out.stdout
    # The same command fails on a changed seal: openssl is really checking.
    tampered = tmp_path / "0001.json"
    tampered.write_bytes(seal_file.read_bytes().replace(b'"sequence":1', b'"sequence":7'))
    tampered.with_name("0001.json.sig").write_bytes(signature.read_bytes())
    out = subprocess.run(
        openssl_verify_command(str(tampered), str(pair.public_path)).split(),
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0
    assert "Signature Verification Failure" in out.stdout


def test_seal_custody_names_signed_event(tmp_path: Path) -> None:
    key = SigningKey.generate()
    case = build_case(tmp_path / "case", key=key)
    actions = [line.data["action"] for line in case.custody.lines()]
    assert actions[-2:] == ["sealed", "signed"]
    signed = list(case.custody.lines())[-1].data["details"]
    assert signed["fingerprint"] == key.fingerprint
    assert signed["file"] == "seals/0001.json.sig"
    assert (
        signed["seal_sha256"]
        == hashlib.sha256((case.seals_dir / "0001.json").read_bytes()).hexdigest()
    )


@pytest.mark.parametrize("module", [sign, timestamp], ids=["sign", "timestamp"])
def test_every_exception_class_is_an_evidence_error(module: ModuleType) -> None:
    classes = [
        value
        for _, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, BaseException) and value.__module__ == module.__name__
    ]
    assert classes or module is sign
    for cls in classes:
        assert issubclass(cls, EvidenceError), cls
