"""Ed25519 signatures over seal files (RFC 8032), checkable with stock openssl.

A seal is signed over the exact bytes of its file: ``seals/0001.json.sig`` holds the raw
64-byte Ed25519 signature (RFC 8032 §5.1.6) of ``seals/0001.json``, nothing else, so that
anyone can check it without this project::

    openssl pkeyutl -verify -pubin -inkey PREFIX.pub -rawin \\
        -in seals/0001.json -sigfile seals/0001.json.sig

Keys are files: ``PREFIX.key`` (the private key, PEM PKCS#8 per RFC 5958 and RFC 8410,
mode 0600, optionally encrypted with a passphrase) and ``PREFIX.pub`` (the public key,
PEM SubjectPublicKeyInfo). A key is named by its fingerprint, the SHA-256 of the public
key's DER SubjectPublicKeyInfo, which ``openssl pkey -pubin -in PREFIX.pub -outform DER |
sha256sum`` prints as well. The seal names the fingerprint of the key that signed it and,
since docs/decisions/0405, carries the public key itself (32 raw bytes as hex), so that a
signature is always checked, and trust is the separate question of whether that key is
pinned (``--trusted-key``).

This is the only module that touches asymmetric primitives (STYLE.md §2); signers take
``bytes`` only.

Example:
    >>> key = SigningKey.generate()
    >>> sig = key.sign(b'{"schema":"evidence/seal/1"}\\n')
    >>> key.public.verify(sig, b'{"schema":"evidence/seal/1"}\\n')
    True
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, NewType

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x25519

from evidence._fs import read_bytes, write_new_file
from evidence.errors import EvidenceError, InputError, UsageError

__all__ = [
    "SIGNATURE_ALG",
    "SIGNATURE_LENGTH",
    "Fingerprint",
    "KeyPair",
    "PublicKey",
    "SigningKey",
    "generate_key_files",
    "key_file_paths",
    "load_private_key",
    "load_public_key",
    "load_trusted_keys",
    "openssl_verify_command",
    "signature_path",
    "write_signature",
]

Fingerprint = NewType("Fingerprint", str)
"""SHA-256 (64 lower-case hex digits) of a public key's DER SubjectPublicKeyInfo."""

SIGNATURE_ALG: Final[Literal["ed25519"]] = "ed25519"
SIGNATURE_LENGTH: Final = 64
"""RFC 8032 §5.1.6: an Ed25519 signature is 64 bytes (R || S)."""
SIGNATURE_SUFFIX: Final = ".sig"
PRIVATE_SUFFIX: Final = ".key"
PUBLIC_SUFFIX: Final = ".pub"

_LOOSE_BITS: Final = stat.S_IRWXG | stat.S_IRWXO


def _key_kind(key: object) -> str:
    """A readable name for a key type that is not Ed25519 ("an RSA key")."""
    kinds: tuple[tuple[tuple[type, ...], str], ...] = (
        ((rsa.RSAPrivateKey, rsa.RSAPublicKey), "an RSA key"),
        ((ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey), "an elliptic-curve (ECDSA) key"),
        ((ed448.Ed448PrivateKey, ed448.Ed448PublicKey), "an Ed448 key"),
        ((x25519.X25519PrivateKey, x25519.X25519PublicKey), "an X25519 (key agreement) key"),
    )
    for classes, shown in kinds:
        if isinstance(key, classes):
            return shown
    # DSA is told by its class name: naming cryptography's DSA classes warns that DSA is
    # deprecated, on every run of every command that imports this module.
    if type(key).__name__ in ("DSAPrivateKey", "DSAPublicKey"):
        return "a DSA key"
    return f"a {type(key).__name__} key"


@dataclass(frozen=True, slots=True)
class PublicKey:
    """An Ed25519 public key and its fingerprint."""

    key: ed25519.Ed25519PublicKey
    fingerprint: Fingerprint
    source: str | None = None

    @classmethod
    def from_key(cls, key: ed25519.Ed25519PublicKey, *, source: str | None = None) -> PublicKey:
        der = key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(key, Fingerprint(hashlib.sha256(der).hexdigest()), source)

    def pem(self) -> bytes:
        """The PEM SubjectPublicKeyInfo, as written to ``PREFIX.pub``."""
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @classmethod
    def from_raw_hex(cls, text: str, *, source: str | None = None) -> PublicKey:
        """The key a seal embeds: the 32 raw bytes of RFC 8032 §5.1.5, as hex.

        Raises:
            InputError: not 64 hex digits of an Ed25519 public key.
        """
        try:
            raw = bytes.fromhex(text)
            key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        except ValueError as exc:
            raise InputError(
                "not an Ed25519 public key (64 hex digits expected)", path=source
            ) from exc
        return cls.from_key(key, source=source)

    def raw_hex(self) -> str:
        """The 32 raw bytes of the key (RFC 8032 §5.1.5) as hex, as a seal embeds them."""
        return self.key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        ).hex()

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True when ``signature`` is this key's Ed25519 signature of ``data``."""
        if len(signature) != SIGNATURE_LENGTH:
            return False
        try:
            self.key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class SigningKey:
    """An Ed25519 private key, ready to sign seal files.

    Attributes:
        public: the matching public key and its fingerprint.
        warnings: things the user should know about the key file (loose permissions, a
            passphrase given for a key that is not encrypted); the command line prints them.
    """

    private: ed25519.Ed25519PrivateKey
    public: PublicKey
    warnings: tuple[str, ...] = field(default=())

    @classmethod
    def generate(cls) -> SigningKey:
        """A fresh key from the operating system's random source."""
        private = ed25519.Ed25519PrivateKey.generate()
        return cls(private, PublicKey.from_key(private.public_key()))

    @property
    def fingerprint(self) -> Fingerprint:
        return self.public.fingerprint

    def sign(self, data: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of ``data`` (RFC 8032 §5.1.6)."""
        return self.private.sign(data)

    def signer(self) -> dict[str, str]:
        """What a seal says about the key that signs it: ``{"alg", "fingerprint",
        "public_key"}`` (the key itself, so that every signature can always be checked;
        whether the key is trusted is the verifier's question, docs/decisions/0405)."""
        return {
            "alg": SIGNATURE_ALG,
            "fingerprint": self.fingerprint,
            "public_key": self.public.raw_hex(),
        }

    def private_pem(self, passphrase: bytes | None) -> bytes:
        """PEM PKCS#8, encrypted with ``passphrase`` when one is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase
            else serialization.NoEncryption()
        )
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )


@dataclass(frozen=True, slots=True)
class KeyPair:
    """The files :func:`generate_key_files` wrote."""

    private_path: Path
    public_path: Path
    fingerprint: Fingerprint
    encrypted: bool


def key_file_paths(prefix: Path) -> tuple[Path, Path]:
    """The private and public key files of ``PREFIX`` (``PREFIX.key``, ``PREFIX.pub``);
    a prefix that already ends in either suffix names the same pair."""
    text = str(prefix)
    for suffix in (PRIVATE_SUFFIX, PUBLIC_SUFFIX):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return Path(text + PRIVATE_SUFFIX), Path(text + PUBLIC_SUFFIX)


def generate_key_files(prefix: Path, *, passphrase: bytes | None = None) -> KeyPair:
    """Write ``PREFIX.key`` (mode 0600) and ``PREFIX.pub`` for a new Ed25519 key.

    Neither file may exist already: a key is never overwritten, since seals signed with
    it would lose their only means of being re-signed or explained.

    Raises:
        UsageError: either file exists, or the folder does not.
    """
    private_path, public_path = key_file_paths(prefix)
    for path in (private_path, public_path):
        if path.exists() or path.is_symlink():
            raise UsageError(
                "exists already; a key is never overwritten",
                path=str(path),
                hint="Choose another PREFIX, or move the old key away first.",
            )
    folder = private_path.parent
    if not folder.is_dir():
        raise UsageError("no such folder for the key files", path=str(folder))
    key = SigningKey.generate()
    try:
        write_new_file(private_path, key.private_pem(passphrase), mode=0o600)
        write_new_file(public_path, key.public.pem(), mode=0o644)
    except EvidenceError:
        private_path.unlink(missing_ok=True)
        raise
    except OSError as exc:
        private_path.unlink(missing_ok=True)
        raise InputError(f"cannot write the key files: {exc.strerror}", path=str(folder)) from exc
    return KeyPair(private_path, public_path, key.fingerprint, bool(passphrase))


def _permission_warnings(path: Path) -> list[str]:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return []
    if mode & _LOOSE_BITS:
        return [
            f"{path}: the private key is readable by other users (mode "
            f"{stat.S_IMODE(mode):04o}); restrict it with `chmod 600 {path}`"
        ]
    return []


def load_private_key(path: Path, *, passphrase: bytes | None = None) -> SigningKey:
    """Read an Ed25519 private key (PEM PKCS#8, encrypted or not).

    A key file that other users can read is loaded, with a warning in
    :attr:`SigningKey.warnings`.

    Raises:
        InputError: the file is unreadable, not a PEM private key, not Ed25519, or the
            passphrase is wrong.
        UsageError: the key is encrypted and no passphrase was given.
    """
    data = read_bytes(path, what="private key file")
    where = str(path)
    warnings = _permission_warnings(path)
    if b"-----BEGIN PUBLIC KEY-----" in data:
        raise InputError("is a public key; signing needs the private key (PREFIX.key)", path=where)
    encrypted = b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in data
    if passphrase and not encrypted:
        warnings.append(f"{path}: a passphrase was given, but the key is not encrypted")
    try:
        loaded = serialization.load_pem_private_key(data, passphrase if encrypted else None)
    except TypeError as exc:
        raise UsageError(
            "the private key is encrypted; give its passphrase with --passphrase-env VAR",
            path=where,
        ) from exc
    except ValueError as exc:
        if encrypted:
            raise InputError(
                "wrong passphrase: the private key cannot be decrypted", path=where
            ) from exc
        raise InputError(
            "not a PEM private key (expected -----BEGIN PRIVATE KEY-----)", path=where
        ) from exc
    except UnsupportedAlgorithm as exc:
        raise InputError(f"unsupported key or encryption: {exc}", path=where) from exc
    if not isinstance(loaded, ed25519.Ed25519PrivateKey):
        raise InputError(
            f"is {_key_kind(loaded)}; evidence signs with Ed25519 only",
            path=where,
            hint="Make an Ed25519 key with `evidence keygen PREFIX`.",
        )
    return SigningKey(
        loaded, PublicKey.from_key(loaded.public_key(), source=where), tuple(warnings)
    )


def load_public_key(path: Path) -> PublicKey:
    """Read an Ed25519 public key (PEM SubjectPublicKeyInfo, as ``PREFIX.pub``).

    Raises:
        InputError: the file is unreadable, not a PEM public key, or not Ed25519.
    """
    data = read_bytes(path, what="public key file")
    where = str(path)
    if b"PRIVATE KEY-----" in data:
        raise InputError(
            "is a private key; give the public key (PREFIX.pub) instead",
            path=where,
            hint="Never hand a private key to a verifier.",
        )
    try:
        loaded = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(
            "not a PEM public key (expected -----BEGIN PUBLIC KEY-----)", path=where
        ) from exc
    if not isinstance(loaded, ed25519.Ed25519PublicKey):
        raise InputError(f"is {_key_kind(loaded)}; seals are signed with Ed25519 only", path=where)
    return PublicKey.from_key(loaded, source=where)


def load_trusted_keys(paths: Iterable[Path]) -> Mapping[Fingerprint, PublicKey]:
    """The trusted public keys by fingerprint.

    Raises:
        InputError: a key file cannot be used (see :func:`load_public_key`).
    """
    keys: dict[Fingerprint, PublicKey] = {}
    for path in paths:
        key = load_public_key(Path(path))
        keys.setdefault(key.fingerprint, key)
    return keys


def signature_path(seal_path: Path) -> Path:
    """``seals/0001.json.sig`` for ``seals/0001.json``."""
    return seal_path.with_name(seal_path.name + SIGNATURE_SUFFIX)


def write_signature(seal_path: Path, seal_bytes: bytes, key: SigningKey) -> Path:
    """Sign the bytes of a seal file and write the signature beside it (never rewritten).

    Raises:
        CaseError: the signature file exists already.
    """
    path = signature_path(seal_path)
    write_new_file(path, key.sign(seal_bytes))
    return path


def openssl_verify_command(seal_file: str, public_key: str = "PREFIX.pub") -> str:
    """The stock-tool command that checks a seal's signature."""
    return (
        f"openssl pkeyutl -verify -pubin -inkey {public_key} -rawin "
        f"-in {seal_file} -sigfile {seal_file}{SIGNATURE_SUFFIX}"
    )
