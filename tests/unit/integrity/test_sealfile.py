"""The next seal file spliced from the previous one's leaves bytes (docs/decisions/0026)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import blake3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.canonical import canonical_bytes
from evidence.case import Case, Entries
from evidence.digest import Blake3Hex, Sha256Hex
from evidence.errors import CaseError
from evidence.integrity import _sealfile
from evidence.integrity import seal as seal_module
from evidence.integrity._frontier import Frontier, FrontierCache
from evidence.integrity._sealfile import (
    LeavesMemo,
    _read_light,
    leaves_match,
    read_latest,
    seal_file_bytes,
)
from evidence.integrity.seal import _LeafJob, _sealed_prefix, seal_case
from evidence.model import RecordId, Seal, SealLeaf, SealLink, Signer, Subject
from evidence.progress import Progress
from evidence.verify import verify_case
from tests.conftest import FIXED_NOW

_HEX = st.text("0123456789abcdef", min_size=64, max_size=64)
_LEAF = st.builds(
    SealLeaf,
    st.builds(
        lambda kind, n: RecordId(f"{kind}-{n:04d}"),
        st.sampled_from(["SRC", "CLM"]),
        st.integers(1, 200_000),
    ),
    st.integers(1, 1000),
    _HEX.map(Blake3Hex),
    _HEX.map(Sha256Hex),
)


def _seal(leaves: list[SealLeaf], sequence: int, case_id: str, signed: bool) -> Seal:
    return Seal(
        case_id=case_id,
        sequence=sequence,
        sealed_at="2026-01-02T03:04:05.678901Z",
        size=len(leaves),
        root=Sha256Hex("ab" * 32),
        leaves=tuple(leaves),
        custody_seq=7,
        custody_sha256=Sha256Hex("cd" * 32),
        previous=None if sequence == 1 else SealLink(sequence - 1, Sha256Hex("ef" * 32), "01" * 32),  # type: ignore[arg-type]
        signer=Signer("ed25519", "12" * 32, "34" * 32) if signed else None,  # type: ignore[arg-type]
    )


def _subjects(leaves: list[SealLeaf]) -> Entries:
    entries = Entries()
    for leaf in leaves:
        entries.append(Subject(leaf.id, leaf.revision, leaf.blake3))
    return entries


@settings(max_examples=60, deadline=None)
@given(
    leaves=st.lists(_LEAF, max_size=40),
    cut=st.integers(0, 40),
    # Any case id, quotes and "leaves" in it too: the splice finds the structural member.
    case_id=st.text(min_size=1, max_size=20) | st.just('x","leaves":["'),
    signed=st.booleans(),
)
def test_the_spliced_seal_is_the_canonical_seal(
    leaves: list[SealLeaf], cut: int, case_id: str, signed: bool
) -> None:
    cut = min(cut, len(leaves))
    previous = canonical_bytes(_seal(leaves[:cut], 1, case_id, signed).to_dict()) + b"\n"
    light = _read_light(previous, Sha256Hex(hashlib.sha256(previous).hexdigest()), "0001.json")
    assert light is not None
    assert (light.sequence, light.size) == (1, cut)
    before = light.leaves_bytes()
    assert before is not None
    assert leaves_match(before, _subjects(leaves), cut)
    whole = _seal(leaves, 2, case_id, signed)
    spliced = seal_file_bytes(_seal(leaves[cut:], 2, case_id, signed), before, len(leaves))
    assert spliced == canonical_bytes(whole.to_dict()) + b"\n"
    # a first seal: every leaf's bytes made directly
    assert seal_file_bytes(whole, b"", len(leaves)) == canonical_bytes(whole.to_dict()) + b"\n"


def _leaf(n: int) -> SealLeaf:
    return SealLeaf(
        RecordId(f"CLM-{n:04d}"),
        1,
        Blake3Hex(hashlib.sha256(b"b%d" % n).hexdigest()),
        Sha256Hex(hashlib.sha256(b"s%d" % n).hexdigest()),
    )


_THREE = [_leaf(1), _leaf(2), _leaf(3)]
_GOOD = b",".join(canonical_bytes(leaf.to_dict()) for leaf in _THREE)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b.replace(b',"sha256":"' + _THREE[1].sha256.encode() + b'"', b"", 1),
        lambda b: b.replace(_THREE[1].sha256.encode(), b"x" * 64, 1),
        lambda b: b.replace(_THREE[0].blake3.encode(), _THREE[1].blake3.encode(), 1),
        lambda b: b.replace(b'"revision":1', b'"revision":2', 1),
        lambda b: b.replace(b"CLM-0002", b"CLM-0009", 1),
        lambda b: b.replace(b",{", b", {", 1),
        lambda b: b + b"," + canonical_bytes(_leaf(4).to_dict()),
        lambda b: b[: b.rindex(b",{")],
        lambda b: b.replace(b'"}', b'","x":1}', 1),
    ],
    ids=[
        "no-sha256",
        "bad-sha256",
        "other-blake3",
        "other-revision",
        "other-id",
        "not-canonical",
        "one-more",
        "one-less",
        "extra-member",
    ],
)
def test_leaves_that_are_not_the_logs_are_a_miss(tamper: object) -> None:
    assert leaves_match(_GOOD, _subjects(_THREE), 3)
    assert callable(tamper)
    assert not leaves_match(tamper(_GOOD), _subjects(_THREE), 3)


LATER = FIXED_NOW + dt.timedelta(hours=1)


def _add_claim(root: Path, n: int) -> None:
    (root / "claims" / f"extra-{n}.yaml").write_text(
        f"source: SRC-0001\nclaims:\n  - key: extra-{n}\n    statement: Extra claim {n}.\n",
        encoding="utf-8",
    )


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The ranges of log entries whose leaves the next seal computes (reading the record
    files it did not write itself)."""
    seen: list[tuple[int, int]] = []
    run, leaves = _LeafJob.run, seal_module._leaves

    def spy(self: _LeafJob, bounds: tuple[int, int]) -> object:
        seen.append(bounds)
        return run(self, bounds)

    def spy_leaves(
        job: _LeafJob,
        progress: Progress | None,
        workers: int,
        *,
        reused: Frontier,
        fork: bool = True,
    ) -> object:
        seen.append((reused.size, len(job.state.entries)))
        return leaves(job, progress, workers, reused=reused, fork=fork)

    monkeypatch.setattr(_LeafJob, "run", spy)
    monkeypatch.setattr(seal_module, "_leaves", spy_leaves)
    return seen


def test_a_reseal_reads_only_the_new_records(
    sealed_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_claim(sealed_case, 0)
    seal_case(Case.open(sealed_case), actor="tester", now=LATER)  # keeps its frontier
    size = read_latest(Case.open(sealed_case), Case.open(sealed_case).state())
    assert size is not None
    reads = _reads(monkeypatch)
    _add_claim(sealed_case, 1)
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER + dt.timedelta(hours=1))
    assert reads == [(size.size, size.size + 1)]
    assert result.seal is not None
    assert result.seal.size == result.size == size.size + 1
    assert verify_case(sealed_case).ok


def test_a_seal_file_the_log_does_not_name_is_not_spliced(
    sealed_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_claim(sealed_case, 0)
    seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    path = sealed_case / "seals" / "0002.json"
    data = path.read_bytes()
    # A leaf's SHA-256 changed in the file: still a valid seal, but not the one sealed.
    first = data.index(b'"sha256":"', data.index(b'"leaves":[')) + len(b'"sha256":"')
    forged = data[:first] + (b"0" if data[first : first + 1] != b"0" else b"1") + data[first + 1 :]
    path.chmod(0o644)
    path.write_bytes(forged)
    case = Case.open(sealed_case)
    latest = read_latest(case, case.state())
    assert latest is not None
    assert latest.leaves is None
    reads = _reads(monkeypatch)
    _add_claim(sealed_case, 1)
    seal_case(Case.open(sealed_case), actor="tester", now=LATER + dt.timedelta(hours=1))
    assert reads[0][0] == 0  # every record read again
    assert not verify_case(sealed_case).ok  # and verify names the forged seal


def test_a_log_that_disagrees_with_the_seals_leaves_is_a_miss(
    sealed_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_claim(sealed_case, 0)
    seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    case = Case.open(sealed_case)
    state = case.state()
    latest = read_latest(case, state)
    assert latest is not None
    assert latest.leaves_bytes() is not None
    entry = state.entries[0]
    state.entries.blake3[0] = Blake3Hex("0" * 64)
    frontiers = FrontierCache.default()
    assert frontiers is not None
    job = _LeafJob(case, state, {})
    assert _sealed_prefix(job, latest, frontiers)[0] == b""
    state.entries.blake3[0] = entry.blake3
    assert _sealed_prefix(job, latest, frontiers)[0] == latest.leaves_bytes()
    assert _sealfile.leaves_match(latest.leaves_bytes() or b"", state.entries, latest.size)


def test_a_seal_made_with_the_caches_off_is_caught_up(
    sealed_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_claim(sealed_case, 0)
    first = seal_case(Case.open(sealed_case), actor="tester", now=LATER)  # keeps its frontier
    with monkeypatch.context() as patch:
        patch.setenv("EVIDENCE_CACHE_DIR", "off")
        _add_claim(sealed_case, 1)
        second = seal_case(Case.open(sealed_case), actor="tester", now=LATER)  # keeps none
    other = tmp_path / "other"
    shutil.copytree(sealed_case, other)
    reads = _reads(monkeypatch)
    for root, cache in ((sealed_case, None), (other, "off")):
        with monkeypatch.context() as patch:
            if cache is not None:
                patch.setenv("EVIDENCE_CACHE_DIR", cache)
            _add_claim(root, 2)
            seal_case(Case.open(root), actor="tester", now=LATER + dt.timedelta(hours=1))
    # The records of the seal made with the caches off, then the new one; the copy
    # with the caches off reads every record.
    assert reads[:2] == [(first.size, second.size), (second.size, second.size + 1)]
    assert reads[2][0] == 0
    name = "seals/0004.json"
    assert (sealed_case / name).read_bytes() == (other / name).read_bytes()
    assert verify_case(sealed_case).ok


def _memo_entry(case_root: Path) -> Path:
    """The leaves memo entry of the case's latest seal file."""
    memo = LeavesMemo.default()
    assert memo is not None
    files = sorted((case_root / "seals").glob("*.json"))
    return memo._path(hashlib.sha256(files[-1].read_bytes()).hexdigest())


def _compared(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the leaves the next seal compares byte for byte."""
    sizes: list[int] = []
    match = _sealfile.leaves_match

    def spy(leaves: bytes, entries: Entries, size: int) -> bool:
        sizes.append(size)
        return match(leaves, entries, size)

    monkeypatch.setattr(_sealfile, "leaves_match", spy)
    monkeypatch.setattr(seal_module, "leaves_match", spy)
    return sizes


def _reseal_both(sealed_case: Path, other: Path, n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same edit sealed in ``sealed_case`` (caches on) and ``other`` (caches off);
    the two seal files must be the same bytes."""
    for root, cache in ((sealed_case, None), (other, "off")):
        with monkeypatch.context() as patch:
            if cache is not None:
                patch.setenv("EVIDENCE_CACHE_DIR", cache)
            _add_claim(root, n)
            seal_case(Case.open(root), actor="tester", now=LATER + dt.timedelta(hours=n))
    name = sorted(p.name for p in (sealed_case / "seals").glob("*.json"))[-1]
    assert (sealed_case / "seals" / name).read_bytes() == (other / "seals" / name).read_bytes()


@pytest.mark.parametrize("forge", ["none", "flipped", "other size", "other entries", "torn"])
def test_the_leaves_memo_is_used_only_for_the_entries_it_names(
    sealed_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forge: str
) -> None:
    _add_claim(sealed_case, 0)
    seal_case(Case.open(sealed_case), actor="tester", now=LATER)  # keeps a memo entry
    entry = _memo_entry(sealed_case)
    data = entry.read_bytes()
    size = int(data.split(b"\n")[1].split(b" ")[0])
    case = Case.open(sealed_case)
    entries = case.state().entries
    if forge == "flipped":  # damaged: the checksum disagrees
        entry.write_bytes(data[:-1] + (b"0" if data[-1:] != b"0" else b"1"))
    elif forge in ("other size", "other entries"):  # forged, with a fixed-up checksum
        changed = Entries(list(entries.ids), list(entries.revisions), list(entries.blake3))
        changed.blake3[0] = Blake3Hex("0" * 64)
        payload = (
            f"{size - 1} {_sealfile.entries_fingerprint(entries, size - 1)}"
            if forge == "other size"
            else f"{size} {_sealfile.entries_fingerprint(changed, size)}"
        ).encode()
        entry.write_bytes(blake3.blake3(payload).hexdigest().encode() + b"\n" + payload)
    elif forge == "torn":
        entry.write_bytes(data[: len(data) // 2])
    other = tmp_path / "other"
    shutil.copytree(sealed_case, other)
    compared = _compared(monkeypatch)
    _reseal_both(sealed_case, other, 1, monkeypatch)
    # Used: no comparison in the cached run. Otherwise the leaves are compared (and the
    # copy with the caches off never gets that far: it keeps no frontier).
    assert compared == ([] if forge == "none" else [size])
    assert verify_case(sealed_case).ok


def test_a_log_that_disagrees_with_a_remembered_seal_is_a_miss(
    sealed_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_claim(sealed_case, 0)
    seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert _memo_entry(sealed_case).is_file()
    case = Case.open(sealed_case)
    state = case.state()
    latest = read_latest(case, state)
    assert latest is not None
    frontiers = FrontierCache.default()
    assert frontiers is not None
    job = _LeafJob(case, state, {})
    assert _sealed_prefix(job, latest, frontiers)[0] == latest.leaves_bytes()
    compared = _compared(monkeypatch)
    state.entries.revisions[1] += 1  # the log names another revision than the seal holds
    assert _sealed_prefix(job, latest, frontiers)[0] == b""
    assert compared == [latest.size]  # the memo did not stand for the comparison


def test_a_seal_file_is_written_once_with_its_sha256(tmp_path: Path) -> None:
    data = b'{"leaves":[' + b"0" * (3 << 20) + b"]}\n"  # large: hashed on its own thread
    path = tmp_path / "0001.json"
    pending = _sealfile.PendingSeal(path, data)
    pending.place()
    assert pending.sha256 == hashlib.sha256(data).hexdigest()
    assert path.read_bytes() == data
    assert not path.stat().st_mode & 0o222  # read-only
    with pytest.raises(CaseError, match="never rewritten"):
        _sealfile.PendingSeal(path, b"other").place()
    assert path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["0001.json"]  # no temporary left


def test_a_seal_keeps_the_memo_entry_a_plain_store_makes(
    sealed_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprint taken beside the seal file's write gives the entry that storing
    with the entries alone gives (and the next seal compares no leaves)."""
    case = Case.open(sealed_case)
    _add_claim(sealed_case, 1)
    result = seal_case(case, actor="tester", now=LATER)
    entry = _memo_entry(sealed_case)
    kept = entry.read_bytes()
    entry.unlink()
    memo = LeavesMemo.default()
    assert memo is not None
    sha256 = hashlib.sha256(result.seal_bytes).hexdigest()
    memo.store(sha256, case.state().entries, result.size)
    assert entry.read_bytes() == kept
    compared = _compared(monkeypatch)
    _add_claim(sealed_case, 2)
    seal_case(case, actor="tester", now=LATER + dt.timedelta(hours=1))
    assert compared == []
