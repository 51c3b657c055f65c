"""BLAKE3 and SHA-256 in one streaming pass: known digests, any chunking, bounded memory."""

from __future__ import annotations

import hashlib
import io
import threading
import tracemalloc
from pathlib import Path
from typing import BinaryIO, cast

import blake3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.digest import CHUNK_SIZE, copy_and_digest, digest_bytes, digest_file, is_hex64

# Published values: SHA-256 from FIPS 180-2 appendix B, BLAKE3 from the reference
# implementation's README and test vectors (input of length 0).
KNOWN = [
    (
        b"",
        "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ),
    (
        b"abc",
        "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    ),
]


@pytest.mark.parametrize(("data", "b3", "sha"), KNOWN, ids=["empty", "abc"])
def test_known_digests(data: bytes, b3: str, sha: str, tmp_path: Path) -> None:
    pair = digest_bytes(data)
    assert (pair.blake3, pair.sha256, pair.size) == (b3, sha, len(data))
    path = tmp_path / "f"
    path.write_bytes(data)
    assert digest_file(path) == pair
    assert copy_and_digest(io.BytesIO(data)) == pair


class _Trickle(io.RawIOBase):
    """A stream that hands out at most ``step`` bytes a read, as pipes and sockets do."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = memoryview(data)
        self._step = step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = self._step if size < 0 else min(size, self._step)
        chunk, self._data = bytes(self._data[:n]), self._data[n:]
        return chunk


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=20_000), chunk=st.integers(1, 5000), step=st.integers(1, 9000))
def test_streaming_equals_whole_and_sink_gets_every_byte(
    data: bytes, chunk: int, step: int
) -> None:
    sink = io.BytesIO()
    pair = copy_and_digest(cast(BinaryIO, _Trickle(data, step)), sink, chunk_size=chunk)
    assert pair == digest_bytes(data)
    assert pair.blake3 == blake3.blake3(data).hexdigest()
    assert pair.sha256 == hashlib.sha256(data).hexdigest()
    assert sink.getvalue() == data


class _Endless(io.RawIOBase):
    """``total`` bytes produced on the fly, never held at once."""

    def __init__(self, total: int) -> None:
        self._left = total
        self._block = bytes(range(256)) * (CHUNK_SIZE // 256)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = min(self._left, len(self._block) if size < 0 else size, len(self._block))
        self._left -= n
        return bytes(memoryview(self._block)[:n])  # a fresh object each time, as a file gives


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return len(data)


def test_memory_stays_bounded_whatever_the_size() -> None:
    total = 48 * CHUNK_SIZE
    tracemalloc.start()
    try:
        pair = copy_and_digest(cast(BinaryIO, _Endless(total)), cast(BinaryIO, _Discard()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pair.size == total
    assert peak < 12 * CHUNK_SIZE, f"peak {peak} bytes for a {total}-byte stream"


class _Broken(io.RawIOBase):
    def __init__(self) -> None:
        self.reads = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        if self.reads > 3:
            raise OSError(5, "Input/output error")
        return b"x" * 100


def test_a_read_error_propagates_and_leaves_no_thread_behind() -> None:
    before = threading.active_count()
    with pytest.raises(OSError, match="Input/output error"):
        copy_and_digest(cast(BinaryIO, _Broken()))
    assert threading.active_count() == before


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a" * 64, True),
        ("0123456789abcdef" * 4, True),
        ("A" * 64, False),
        ("a" * 63, False),
        ("a" * 65, False),
        ("g" * 64, False),
        (None, False),
        (b"a" * 64, False),
        (64, False),
    ],
    ids=["lower", "all-digits", "upper-case", "short", "long", "not-hex", "none", "bytes", "int"],
)
def test_is_hex64(value: object, expected: bool) -> None:
    assert is_hex64(value) is expected
