"""Integrity: the custody log, the Merkle tree, seals, signatures, time-stamps and proofs.

What a script needs:

- :func:`seal_case` compiles the claims, writes their records and seals every record
  revision under one Merkle root (RFC 9162 §2.1), signed (Ed25519) with a
  :class:`SigningKey` when given one;
- :func:`stamp_seal` has the latest seal time-stamped by an RFC 3161 authority;
- :func:`generate_key_files` writes an Ed25519 key pair, :func:`load_private_key` reads
  the signing key and :func:`load_trusted_keys` the public keys a verifier trusts;
- :func:`build_proof` and :func:`check_proof` make and check the inclusion proof of one
  record; :func:`disclose` writes a partial case that still verifies.

The modules underneath are :mod:`~evidence.integrity.custody` (the hash-chained log),
:mod:`~evidence.integrity.merkle`, :mod:`~evidence.integrity.sign`,
:mod:`~evidence.integrity.timestamp`, :mod:`~evidence.integrity.seal`,
:mod:`~evidence.integrity.proof` and :mod:`~evidence.integrity.disclose`. The custody log
and the Merkle tree sit below the case store (:mod:`evidence.case` appends to the log),
sealing above it; so that importing the log does not import sealing, the names here are
loaded when first used (PEP 562), and type checkers read the imports below.

Example:
    >>> # key = load_private_key(Path("me.key"))
    >>> # result = seal_case(Case.open("my-case"), key=key); print(result.seal.root)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence.integrity.disclose import DisclosureResult, disclose
    from evidence.integrity.proof import InclusionProof, build_proof, check_proof, load_proof
    from evidence.integrity.seal import ClaimsInvalid, SealResult, seal_case
    from evidence.integrity.sign import (
        SigningKey,
        generate_key_files,
        load_private_key,
        load_trusted_keys,
    )
    from evidence.integrity.timestamp import StampResult, stamp_seal

__all__ = [
    "ClaimsInvalid",
    "DisclosureResult",
    "InclusionProof",
    "SealResult",
    "SigningKey",
    "StampResult",
    "build_proof",
    "check_proof",
    "disclose",
    "generate_key_files",
    "load_private_key",
    "load_proof",
    "load_trusted_keys",
    "seal_case",
    "stamp_seal",
]

_HOMES: dict[str, str] = {
    "ClaimsInvalid": "seal",
    "DisclosureResult": "disclose",
    "InclusionProof": "proof",
    "SealResult": "seal",
    "SigningKey": "sign",
    "StampResult": "timestamp",
    "build_proof": "proof",
    "check_proof": "proof",
    "disclose": "disclose",
    "generate_key_files": "sign",
    "load_private_key": "sign",
    "load_proof": "proof",
    "load_trusted_keys": "sign",
    "seal_case": "seal",
    "stamp_seal": "timestamp",
}


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
