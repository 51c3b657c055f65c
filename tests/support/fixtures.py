"""Building blocks of the integrity fixtures, shared by the unit and command-line tests.

Each test folder wraps these in its own pytest fixtures (a fixture imported into a test
module would shadow itself); the expensive parts are built once per session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evidence.integrity.sign import SigningKey
from evidence.integrity.timestamp import stamp_seal
from tests.support.cases import add_claims, build_case
from tests.support.tsa import TestTSA

__all__ = ["KeyFiles", "build_stamped_case", "write_key_files"]


@dataclass(frozen=True)
class KeyFiles:
    """A signing key and its files (private unencrypted, mode 0600; public)."""

    key: SigningKey
    private: Path
    public: Path


def write_key_files(folder: Path, name: str = "signer") -> KeyFiles:
    """A fresh key written as ``<name>.key`` and ``<name>.pub``."""
    key = SigningKey.generate()
    private = folder / f"{name}.key"
    public = folder / f"{name}.pub"
    private.write_bytes(key.private_pem(None))
    private.chmod(0o600)
    public.write_bytes(key.public.pem())
    return KeyFiles(key, private, public)


def build_stamped_case(root: Path, key: SigningKey, tsa: TestTSA) -> Path:
    """Two signed seals; seal 1 stamped once (signer only), seal 2 twice (both shapes).

    ``0002.json.2.tsr`` comes from the authority whose first answer is not DER, so it was
    asked again without certificates (the chain file holds them).
    """
    case = build_case(root, key=key)
    add_claims(case, "again", key=key)
    first = stamp_seal(case, tsa_urls=[tsa.url("signer")], sequence=1, actor="tester")
    second = stamp_seal(case, tsa_urls=[tsa.url("signer"), tsa.url("chain")], actor="tester")
    assert not first.failures, first.failures
    assert not second.failures, second.failures
    assert second.stamped[1].refetched
    return root
