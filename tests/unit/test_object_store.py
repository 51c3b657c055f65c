"""The object store's streamed writes: one pass, durable, writeback started on the way."""

from __future__ import annotations

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


def test_writeback_starts_once_a_step_has_piled_up(tmp_path: Path) -> None:
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
