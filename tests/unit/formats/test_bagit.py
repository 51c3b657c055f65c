"""The BagIt format module: the one-pass digests under the package writer and verifier."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import blake3
import pytest

from evidence.formats.bagit import (
    FileDigests,
    KnownDigests,
    hash_files,
    manifest_bytes,
    parse_manifest,
)
from tests.support.hashing import fail_sha512


def test_hash_files_matches_hashlib_and_copies_exactly(tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_bytes(b"Shelter log kept by the team, 8 July.\n")
    large = tmp_path / "large.bin"
    large.write_bytes(os.urandom(9 << 20))  # above the threshold: hashed on two threads
    missing = tmp_path / "missing.bin"
    link = tmp_path / "link.bin"
    link.symlink_to(small)
    copies = [tmp_path / f"copy-{n}" for n in range(4)]
    results = hash_files([small, large, missing, link], ("sha256", "sha512"), copies=copies)
    for source, copy, result in zip((small, large), copies[:2], results[:2], strict=True):
        assert isinstance(result, FileDigests)
        data = source.read_bytes()
        assert result.size == len(data)
        assert result.hexdigests == {
            a: hashlib.new(a, data).hexdigest() for a in ("sha256", "sha512")
        }
        assert copy.read_bytes() == data
        assert copy.stat().st_mode & 0o777 == 0o444
    assert isinstance(results[2], FileNotFoundError)
    assert isinstance(results[3], OSError)  # a link is never followed
    assert not copies[3].exists()


@pytest.mark.parametrize("size", [100, 9 << 20], ids=["small", "large"])
def test_a_known_digest_is_taken_only_for_the_bytes_its_blake3_names(
    tmp_path: Path, size: int
) -> None:
    source = tmp_path / "exhibit.bin"
    data = os.urandom(size)
    source.write_bytes(data)
    real = hashlib.sha256(data).hexdigest()
    recorded = "ab" * 32  # what a record says; differs from the real digest on purpose
    right = KnownDigests(blake3.blake3(data).hexdigest(), {"sha256": recorded})
    wrong = KnownDigests("cd" * 32, {"sha256": recorded})  # a damaged object
    copies = [tmp_path / "copy-right", tmp_path / "copy-wrong"]
    results = hash_files(
        [source, source], ("sha256", "sha512"), copies=copies, known=[right, wrong]
    )
    taken, computed = results
    assert isinstance(taken, FileDigests)
    assert isinstance(computed, FileDigests)
    assert taken.hexdigests == {"sha256": recorded, "sha512": hashlib.sha512(data).hexdigest()}
    assert computed.hexdigests == {"sha256": real, "sha512": hashlib.sha512(data).hexdigest()}
    assert taken.size == computed.size == size
    assert copies[0].read_bytes() == copies[1].read_bytes() == data


def test_manifests_round_trip_through_the_parser() -> None:
    digests = {"a b.txt": {"sha256": "1" * 64}, "50% of it.txt": {"sha256": "2" * 64}}
    text = manifest_bytes(digests, "sha256", "data/").decode()
    entries, problems = parse_manifest(text, "sha256", tag=False)
    assert problems == []
    assert entries == {f"data/{k}": v["sha256"] for k, v in digests.items()}
    _, wrong_side = parse_manifest(text, "sha256", tag=True)
    assert [p.line for p in wrong_side] == [1, 2]
    _, unsafe = parse_manifest(f"{'3' * 64}  data/../x\n", "sha256", tag=False)
    assert [p.unsafe for p in unsafe] == [True]


def test_a_known_digest_says_what_was_checked_and_taken(tmp_path: Path) -> None:
    source = tmp_path / "exhibit.bin"
    data = os.urandom(9 << 20)
    source.write_bytes(data)
    name = blake3.blake3(data).hexdigest()
    right = KnownDigests(name, {"sha256": "ab" * 32, "sha512": "cd" * 64})
    wrong = KnownDigests("ef" * 32, {"sha256": "ab" * 32, "sha512": "cd" * 64})
    taken, computed, plain = hash_files(
        [source] * 3, ("sha256", "sha512"), known=[right, wrong, None]
    )
    assert isinstance(taken, FileDigests)
    assert (taken.blake3, taken.taken) == (name, frozenset({"sha256", "sha512"}))
    assert taken.hexdigests == {"sha256": "ab" * 32, "sha512": "cd" * 64}
    assert isinstance(computed, FileDigests)
    assert (computed.blake3, computed.taken) == (name, frozenset())
    assert computed.hexdigests["sha512"] == hashlib.sha512(data).hexdigest()
    assert isinstance(plain, FileDigests)
    assert (plain.blake3, plain.taken) == (None, frozenset())


def test_a_digest_failing_on_its_thread_fails_that_file_and_never_hangs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_sha512(monkeypatch)
    large = tmp_path / "large.bin"
    large.write_bytes(os.urandom(17 << 20))  # more chunks than the thread's queue holds
    small = tmp_path / "small.txt"
    small.write_bytes(b"Shelter log kept by the team, 8 July.\n")
    failed, fine = hash_files([large, small], ("sha256", "sha512"), copies=None)
    assert isinstance(failed, OSError)
    assert "sha512 digest failed: no room for the digest" in str(failed)
    assert isinstance(fine, FileDigests)  # one chunk: its (stand-in) SHA-512 never failed
    assert fine.size == len(small.read_bytes())
    assert fine.hexdigests["sha256"] == hashlib.sha256(small.read_bytes()).hexdigest()
