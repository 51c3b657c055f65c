"""A digest that fails on a worker thread, for the tests of the bag writer's threads."""

from __future__ import annotations

import pytest

from evidence.formats import bagit as bagit_format


class FailingDigest:
    """A SHA-512 that fails on its second chunk (a stand-in for any failure on a thread)."""

    def __init__(self) -> None:
        self.chunks = 0

    def update(self, data: bytes, /) -> None:
        self.chunks += 1
        if self.chunks == 2:
            raise MemoryError("no room for the digest")

    def hexdigest(self) -> str:  # pragma: no cover - never reached
        return "0" * 128


def fail_sha512(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the bag writer's SHA-512 fail on the second chunk of every file."""
    real = bagit_format._hasher
    monkeypatch.setattr(
        bagit_format, "_hasher", lambda name: FailingDigest() if name == "sha512" else real(name)
    )
