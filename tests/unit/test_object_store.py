"""The object store's streamed writes: one pass, durable, writeback started on the way."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import os
from pathlib import Path

import blake3
import pytest

import evidence.store
from evidence.store import ObjectStore, _FullWrites

STEP = 1 << 20  # the writeback step for these tests (64 MiB in use)


@pytest.fixture(autouse=True)
def _small_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence.store, "WRITEBACK_STEP", STEP)


def test_a_long_stream_is_stored_whole_under_its_blake3_name(tmp_path: Path) -> None:
    data = os.urandom(3 * STEP + 12345)  # crosses writeback steps
    store = ObjectStore(tmp_path / "objects")
    store.root.mkdir()
    pair, existed = store.put_stream(io.BytesIO(data))
    assert not existed
    assert pair.blake3 == blake3.blake3(data).hexdigest()
    assert pair.sha256 == hashlib.sha256(data).hexdigest()
    stored = store.path(pair.blake3)
    assert stored.read_bytes() == data
    assert stored.stat().st_mode & 0o777 == 0o444
    assert [p.name for p in store.root.iterdir()] == [pair.blake3[:2]]  # no temporary left


def test_writeback_starts_once_a_step_has_piled_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence.store, "set_direct", lambda fd, on: False)  # refused
    block = os.urandom(STEP // 2 + 1)
    fd = os.open(tmp_path / "sink", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        sink = _FullWrites(fd)
        sink.write(block)
        assert sink.flushed == 0
        sink.write(block)
        assert sink.flushed == 2 * len(block)
        sink.write(block)
        assert sink.flushed == 2 * len(block)
    finally:
        os.close(fd)
    assert (tmp_path / "sink").read_bytes() == block * 3


@pytest.mark.skipif(not hasattr(os, "O_DIRECT"), reason="O_DIRECT is Linux's")
@pytest.mark.parametrize("refuse", [False, True], ids=["direct", "refused"])
def test_a_long_stream_goes_to_disk_direct_in_whole_blocks_and_its_tail_buffered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refuse: bool
) -> None:
    data = os.urandom((9 << 20) + 777)  # two whole 4 MiB stages, then a tail
    writes: list[tuple[bool, int]] = []
    real_write = os.write

    def write(fd: int, chunk: bytes | memoryview) -> int:
        direct = bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT)
        writes.append((direct, len(chunk)))
        if refuse and direct:  # a file system that takes the flag but not the write
            raise OSError(errno.EINVAL, "refused")
        return real_write(fd, chunk)

    monkeypatch.setattr(os, "write", write)
    store = ObjectStore(tmp_path / "objects")
    store.root.mkdir()
    pair, _ = store.put_stream(io.BytesIO(data))
    monkeypatch.undo()
    assert pair.blake3 == blake3.blake3(data).hexdigest()
    assert pair.sha256 == hashlib.sha256(data).hexdigest()
    assert store.path(pair.blake3).read_bytes() == data
    if refuse:
        assert [d for d, _ in writes].count(True) == 1  # tried once, then buffered
    else:
        direct = [n for d, n in writes if d]
        assert direct
        assert all(n % 4096 == 0 for n in direct)
        assert sum(direct) == 9 << 20
        assert writes[-1] == (False, 777)  # the tail, through the page cache
