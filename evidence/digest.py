"""Digests: BLAKE3 (primary) and SHA-256 (what every court and archive can check).

Both are taken in one pass over the data. For files, :func:`copy_and_digest` streams in
chunks with bounded memory, hashes SHA-256 on the calling thread and BLAKE3 on a helper
thread (both release the GIL on large buffers), and can write the same bytes to a second
file on the way, so that storing an exhibit reads it exactly once.

Example:
    >>> pair = digest_bytes(b"abc")
    >>> pair.sha256[:16]
    'ba7816bf8f01cfea'
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from dataclasses import dataclass
from typing import BinaryIO, Final, NewType

import blake3

__all__ = [
    "CHUNK_SIZE",
    "Blake3Hex",
    "DigestPair",
    "Sha256Hex",
    "blake3_of",
    "copy_and_digest",
    "digest_bytes",
    "digest_file",
    "is_hex64",
]

Blake3Hex = NewType("Blake3Hex", str)
Sha256Hex = NewType("Sha256Hex", str)

CHUNK_SIZE: Final = 1 << 20
_HEX = frozenset("0123456789abcdef")


def is_hex64(value: object) -> bool:
    """True for a 64-character lower-case hexadecimal string (a 256-bit digest)."""
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


@dataclass(frozen=True, slots=True)
class DigestPair:
    """The BLAKE3 and SHA-256 digests of some bytes, and their length."""

    blake3: Blake3Hex
    sha256: Sha256Hex
    size: int


def blake3_of(data: bytes) -> Blake3Hex:
    """The BLAKE3 (hex) of bytes held in memory, for a check that needs no SHA-256."""
    return Blake3Hex(blake3.blake3(data).hexdigest())


def digest_bytes(data: bytes) -> DigestPair:
    """Digest bytes held in memory."""
    return DigestPair(
        Blake3Hex(blake3.blake3(data).hexdigest()),
        Sha256Hex(hashlib.sha256(data).hexdigest()),
        len(data),
    )


class _Blake3Thread(threading.Thread):
    """Feeds chunks to a BLAKE3 hasher on its own thread, in order."""

    def __init__(self) -> None:
        super().__init__(name="blake3", daemon=True)
        self.hasher = blake3.blake3()
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)

    def run(self) -> None:
        update = self.hasher.update
        get = self.chunks.get
        while (chunk := get()) is not None:
            update(chunk)


def copy_and_digest(
    source: BinaryIO, sink: BinaryIO | None = None, *, chunk_size: int = CHUNK_SIZE
) -> DigestPair:
    """Read ``source`` to its end once, digesting it and writing it to ``sink`` if given.

    Memory is bounded by a few chunks whatever the size of the input.
    """
    worker = _Blake3Thread()
    worker.start()
    sha = hashlib.sha256()
    size = 0
    read = source.read
    try:
        while chunk := read(chunk_size):
            # Each chunk is a fresh bytes object: the BLAKE3 thread may still hash it
            # while SHA-256 and the write run here. The queue bound keeps memory bounded.
            worker.chunks.put(chunk)
            sha.update(chunk)
            if sink is not None:
                sink.write(chunk)
            size += len(chunk)
    finally:
        worker.chunks.put(None)
        worker.join()
    return DigestPair(Blake3Hex(worker.hasher.hexdigest()), Sha256Hex(sha.hexdigest()), size)


_SMALL_FILE = 4 * CHUNK_SIZE


def digest_file(path: str | os.PathLike[str]) -> DigestPair:
    """Digest a file in one streaming pass (a small file in one read, without a thread)."""
    with open(path, "rb", buffering=0) as fh:
        if os.fstat(fh.fileno()).st_size <= _SMALL_FILE:
            data = fh.readall()
            if len(data) <= _SMALL_FILE:
                return digest_bytes(data)
            fh.seek(0)
        return copy_and_digest(fh)
