"""What a verification may rely on, given by the person who runs it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evidence.integrity.timestamp import DEFAULT_CLOCK_SKEW

__all__ = ["VerifyOptions"]


@dataclass(frozen=True)
class VerifyOptions:
    """Trust anchors and requirements for a verification.

    Attributes:
        trusted_keys: Ed25519 public keys (PEM files) whose seal signatures are trusted.
        tsa_ca: CA certificates (PEM) that time-stamp tokens must chain to.
        require_signature: fail when a seal is not signed by a trusted key.
        require_timestamp: fail when a seal carries no time-stamp token that checks.
        clock_skew: seconds a token's genTime may precede the seal's ``sealed_at``.
        expect_root: a Merkle root (hex) the verifier holds from before (a dossier's
            cover, an earlier report): some seal of the chain must have it, so the case
            was not rolled back behind it nor replaced.
        min_seal: the lowest latest-seal sequence the verifier accepts (as TUF clients
            refuse metadata versions older than one they have seen).
    """

    trusted_keys: tuple[Path, ...] = ()
    tsa_ca: Path | None = None
    require_signature: bool = False
    require_timestamp: bool = False
    clock_skew: float = DEFAULT_CLOCK_SKEW
    expect_root: str | None = None
    min_seal: int | None = None
