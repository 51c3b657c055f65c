"""Writeback of a long copy: started on the way, and the copy stays in the page cache."""

from __future__ import annotations

import ctypes
import mmap
import os
import sys
from pathlib import Path

import pytest

import evidence._fs
from evidence._fs import start_writeback

SIZE = 4 << 20

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux page cache")


def _resident(fd: int, size: int) -> int:
    """How many pages of the file's first ``size`` bytes are in the page cache (mincore)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mincore.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p)
    pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    vector = ctypes.create_string_buffer(pages)
    with mmap.mmap(fd, size, access=mmap.ACCESS_WRITE) as view:
        address = ctypes.addressof(ctypes.c_char.from_buffer(view))
        try:
            assert libc.mincore(address, size, vector) == 0, ctypes.get_errno()
        finally:
            del address  # the buffer export must end before the map closes
    return sum(byte & 1 for byte in vector.raw)


@linux
def test_a_range_written_back_stays_in_the_page_cache(tmp_path: Path) -> None:
    data = os.urandom(SIZE)
    fd = os.open(tmp_path / "copy", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
        start_writeback(fd, 0, SIZE)
        os.fdatasync(fd)
        start_writeback(fd, 0, SIZE)  # clean pages now: posix_fadvise would drop them
        assert _resident(fd, SIZE) == SIZE // mmap.PAGESIZE
    finally:
        os.close(fd)
    assert (tmp_path / "copy").read_bytes() == data


@linux
def test_without_sync_file_range_writeback_still_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    advised: list[tuple[int, int, int]] = []
    monkeypatch.setattr(evidence._fs, "_sync_file_range", lambda: None)
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, o, n, a: advised.append((o, n, a)))
    fd = os.open(tmp_path / "copy", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.write(fd, b"x" * 8192)
        start_writeback(fd, 0, 8192)
        start_writeback(fd, 8192, 0)  # nothing to write: nothing asked
    finally:
        os.close(fd)
    assert advised == [(0, 8192, os.POSIX_FADV_DONTNEED)]
