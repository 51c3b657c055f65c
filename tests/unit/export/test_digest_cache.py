"""Digests an export computed of a large object, kept by BLAKE3 for the next export
(decision 0507); and an export stopped by a digest that failed on its thread."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import blake3
import pytest

from evidence.case import Case
from evidence.errors import InputError
from evidence.export import export_case
from evidence.export._digests import DigestCache
from evidence.ingest.add import add_source
from evidence.report import Report
from evidence.verify.options import VerifyOptions
from evidence.verify.package import verify_bag, verify_package
from tests.support.hashing import fail_sha512

Validate = Callable[[Path], subprocess.CompletedProcess[str]]


def _manifest(bag: Path, algorithm: str) -> dict[str, str]:
    text = (bag / f"manifest-{algorithm}.txt").read_text()
    return {path: digest for digest, path in (line.split("  ", 1) for line in text.splitlines())}


@pytest.fixture
def exhibit(sealed_case: Path, tmp_path: Path, now: dt.datetime) -> Path:
    """The stored object of a 9 MiB exhibit added to the sealed example case."""
    source = tmp_path / "exhibit.bin"
    source.write_bytes(os.urandom(9 << 20))  # large: its record's SHA-256 is taken
    added = add_source(Case.open(sealed_case), source, actor="tester", now=now)
    return Case.open(sealed_case).objects.path(added.record.body.object.blake3)  # type: ignore[union-attr]


@pytest.fixture
def cache() -> DigestCache:
    found = DigestCache.default()  # the test session's own cache folder (tests/conftest.py)
    assert found is not None
    return found


def test_an_export_keeps_the_sha512_it_computed_and_the_next_takes_it(
    sealed_case: Path,
    exhibit: Path,
    cache: DigestCache,
    tmp_path: Path,
    now: dt.datetime,
    bagit_validate: Validate,
) -> None:
    data = exhibit.read_bytes()
    rel = f"data/{exhibit.relative_to(sealed_case).as_posix()}"
    assert cache.load(exhibit.name) == {}
    first = export_case(Case.open(sealed_case), tmp_path / "first", actor="tester", now=now).path
    assert cache.load(exhibit.name) == {"sha512": hashlib.sha512(data).hexdigest()}
    second = export_case(Case.open(sealed_case), tmp_path / "second", actor="tester", now=now).path
    for bag in (first, second):
        assert _manifest(bag, "sha512")[rel] == hashlib.sha512(data).hexdigest()
        assert _manifest(bag, "sha256")[rel] == hashlib.sha256(data).hexdigest()
        assert bagit_validate(bag).returncode == 0


def test_a_forged_entry_gives_a_bag_every_validator_rejects(
    sealed_case: Path,
    exhibit: Path,
    cache: DigestCache,
    tmp_path: Path,
    now: dt.datetime,
    bagit_validate: Validate,
) -> None:
    forged = "0f" * 64
    cache.store(exhibit.name, {"sha512": forged})
    bag = export_case(Case.open(sealed_case), tmp_path / "bag", actor="tester", now=now).path
    rel = f"data/{exhibit.relative_to(sealed_case).as_posix()}"
    assert _manifest(bag, "sha512")[rel] == forged  # taken: the bytes had its BLAKE3
    assert bagit_validate(bag).returncode != 0  # ... and no validator accepts the bag
    report = Report()
    verify_bag(bag, report, case=False)
    failed = [(f.check, f.path) for f in report.problems()]
    assert failed == [("bag-digest", rel)]


def test_a_damaged_object_never_takes_a_kept_digest(
    sealed_case: Path,
    exhibit: Path,
    cache: DigestCache,
    tmp_path: Path,
    now: dt.datetime,
    bagit_validate: Validate,
) -> None:
    export_case(Case.open(sealed_case), tmp_path / "first", actor="tester", now=now)
    assert cache.load(exhibit.name)
    exhibit.chmod(0o644)
    damaged = bytearray(exhibit.read_bytes())
    damaged[7 << 20] ^= 0x01
    exhibit.write_bytes(bytes(damaged))
    bag = export_case(Case.open(sealed_case), tmp_path / "second", actor="tester", now=now).path
    rel = f"data/{exhibit.relative_to(sealed_case).as_posix()}"
    assert _manifest(bag, "sha512")[rel] == hashlib.sha512(damaged).hexdigest()
    assert _manifest(bag, "sha256")[rel] == hashlib.sha256(damaged).hexdigest()
    assert bagit_validate(bag).returncode == 0  # the bag lists what it holds ...
    assert not verify_package(bag, options=VerifyOptions(), progress=None).ok  # ... the case not
    # the damaged bytes' digests are kept under their own BLAKE3, never under the name
    assert cache.load(blake3.blake3(damaged).hexdigest())["sha512"] == (
        hashlib.sha512(damaged).hexdigest()
    )
    assert cache.load(exhibit.name)["sha512"] != hashlib.sha512(damaged).hexdigest()


def test_a_torn_foreign_or_malformed_entry_is_a_miss(cache: DigestCache) -> None:
    name = "ab" * 32
    cache.store(name, {"sha512": "12" * 64, "md5": "34" * 16})
    entry = cache.folder / name[:2] / name
    assert cache.load(name) == {"sha512": "12" * 64}  # only manifest algorithms are kept
    whole = entry.read_bytes()
    entry.write_bytes(whole[:-3])  # torn
    assert cache.load(name) == {}
    other = "cd" * 32
    (cache.folder / other[:2]).mkdir(exist_ok=True)
    (cache.folder / other[:2] / other).write_bytes(whole)  # another object's entry
    assert cache.load(other) == {}
    cache.store(name, {"sha512": "XY" * 64})  # not a digest
    assert cache.load(name) == {}
    assert cache.load("../" + name) == {}


def test_caches_off_keep_nothing(
    sealed_case: Path,
    exhibit: Path,
    tmp_path: Path,
    now: dt.datetime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", "off")
    assert DigestCache.default() is None
    bag = export_case(Case.open(sealed_case), tmp_path / "bag", actor="tester", now=now).path
    rel = f"data/{exhibit.relative_to(sealed_case).as_posix()}"
    assert _manifest(bag, "sha512")[rel] == hashlib.sha512(exhibit.read_bytes()).hexdigest()


def test_a_digest_failing_on_its_thread_stops_the_export_and_leaves_no_bag(
    sealed_case: Path,
    exhibit: Path,
    tmp_path: Path,
    now: dt.datetime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fail_sha512(monkeypatch)
    custody = (sealed_case / "custody.jsonl").read_bytes()
    out = tmp_path / "exports"
    out.mkdir()
    with pytest.raises(InputError) as caught:
        export_case(Case.open(sealed_case), out / "bag", actor="tester", now=now)
    assert "sha512 digest failed" in caught.value.message
    assert caught.value.path == str(exhibit)
    assert list(out.iterdir()) == []  # no bag, no temporary folder
    assert (sealed_case / "custody.jsonl").read_bytes() == custody
