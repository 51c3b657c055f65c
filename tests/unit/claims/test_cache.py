"""The compiled-claims cache: used only for the same bytes against the same sources,
never trusted when damaged, and the same result with it as without it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import blake3
import pytest

import evidence.claims.compile as compile_module
from evidence._yaml import load_yaml
from evidence.case import Case
from evidence.claims._cache import CachedFile, ClaimsCache, FileStamps
from evidence.claims.compile import CompiledClaim, compile_case_claims
from evidence.errors import EvidenceError
from evidence.integrity.seal import seal_case
from evidence.report import Report
from evidence.store import RecordStore
from evidence.verify import verify_case
from tests.conftest import FIXED_NOW

EXTRA = (
    "source: SRC-0001\nclaims:\n  - key: extra-{n}\n    statement: Extra claim {n}.\n"
    "    category: other\n"
)


def _compile(root: Path) -> tuple[list[CompiledClaim], dict[str, object]]:
    case = Case.open(root)
    report = Report()
    compiled = compile_case_claims(case, case.state(), report)
    return compiled, report.to_dict()


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.json"))


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The claims files parsed (not taken from the cache), in order."""
    seen: list[str] = []
    real = load_yaml

    def counting(data: bytes, *, path: str) -> object:
        seen.append(path)
        return real(data, path=path)

    monkeypatch.setattr(compile_module, "load_yaml", counting)
    monkeypatch.setenv("EVIDENCE_WORKERS", "1")  # ignored by the library, which parses here
    return seen


def test_same_result_with_and_without_cache(
    sealed_case: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    for n in range(3):
        (sealed_case / "claims" / f"extra-{n}.yaml").write_text(EXTRA.format(n=n))
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", "off")
    without = _compile(sealed_case)
    assert not cache_dir.exists()
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(cache_dir))
    cold = _compile(sealed_case)
    assert len(_entries(cache_dir)) == 4
    parses.clear()
    warm = _compile(sealed_case)
    assert parses == []  # every file came from the cache
    assert without == cold == warm


def test_only_the_edited_file_is_parsed_again(
    sealed_case: Path, cache_dir: Path, parses: list[str]
) -> None:
    for n in range(3):
        (sealed_case / "claims" / f"extra-{n}.yaml").write_text(EXTRA.format(n=n))
    _compile(sealed_case)
    (sealed_case / "claims" / "extra-1.yaml").write_text(EXTRA.format(n="1b"))
    parses.clear()
    compiled, report = _compile(sealed_case)
    assert parses == ["claims/extra-1.yaml"]
    assert "extra-1b" in {c.key for c in compiled}
    assert report["ok"] is True


def test_a_file_with_problems_is_not_kept(
    sealed_case: Path, cache_dir: Path, parses: list[str]
) -> None:
    (sealed_case / "claims" / "bad.yaml").write_text(
        "source: SRC-0001\nclaims:\n  - key: bad\n    statement: B.\n    quote: not there\n"
    )
    first = _compile(sealed_case)
    parses.clear()
    second = _compile(sealed_case)
    assert parses == ["claims/bad.yaml"]
    assert first == second
    assert second[1]["ok"] is False


def test_a_damaged_entry_is_a_miss(sealed_case: Path, cache_dir: Path, parses: list[str]) -> None:
    cold = _compile(sealed_case)
    (entry,) = _entries(cache_dir)
    data = entry.read_bytes()
    # A changed body with its checksum fixed up still fails: the body's BLAKE3 is checked.
    forged = data.replace(b"Ukraine", b"Ukrainf", 1)
    assert forged != data
    payload = forged.partition(b"\n")[2]
    entry.write_bytes(blake3.blake3(payload).hexdigest().encode() + b"\n" + payload)
    parses.clear()
    assert _compile(sealed_case) == cold
    assert parses == ["claims/SRC-0001.yaml"]
    entry.write_bytes(data[:-10])  # torn
    parses.clear()
    assert _compile(sealed_case) == cold
    assert parses == ["claims/SRC-0001.yaml"]


def test_an_entry_against_another_source_revision_is_not_used(tmp_path: Path) -> None:
    cache = ClaimsCache(tmp_path / "c")
    entry = CachedFile(
        {"SRC-0001": "a" * 64},
        [("k", False, "/claims/0", 3)],
        [
            (
                "k",
                "reported",
                b'{"key":"k"}',
                blake3.blake3(b'{"key":"k"}').hexdigest(),
                3,
            )
        ],
        {"SRC-0001": None},
    )
    cache.store("f" * 64, entry)
    assert cache.load("f" * 64, {"SRC-0001": "a" * 64}.get) == entry
    assert cache.load("f" * 64, {"SRC-0001": "b" * 64}.get) is None
    assert cache.load("f" * 64, lambda _: None) is None
    assert cache.load("e" * 64, {"SRC-0001": "a" * 64}.get) is None


def test_an_unusable_cache_folder_changes_nothing(
    sealed_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setenv("EVIDENCE_WORKERS", "1")
    compiled, report = _compile(sealed_case)
    assert report["ok"] is True
    assert len(compiled) == 16


def test_reseal_with_cache_writes_nothing_into_the_case(sealed_case: Path, cache_dir: Path) -> None:
    (sealed_case / "claims" / "extra-0.yaml").write_text(EXTRA.format(n=0))
    before = {p.relative_to(sealed_case) for p in sealed_case.rglob("*")}
    result = seal_case(Case.open(sealed_case), actor="tester", now=FIXED_NOW)
    assert [s.id for s in result.added] == ["CLM-0017"]
    after = {p.relative_to(sealed_case) for p in sealed_case.rglob("*")}
    new = {p for p in after - before if p.parts[0] not in ("records", "seals")}
    assert new == set()
    assert _entries(cache_dir)


def _text_object(root: Path) -> Path:
    record = json.loads((root / "records" / "SRC-0001.1.json").read_bytes())
    digest: str = record["record"]["body"]["text"]["blake3"]
    return root / "objects" / digest[:2] / digest


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncated", r"SRC-0001\.1\.json is not in the record file form"),
        ("flipped", r"SRC-0001\.1\.json does not match the digest recorded for it"),
        ("missing", r"no such record file"),
        ("text", r"does not match its digest"),
    ],
)
def test_a_damaged_source_still_stops_a_reseal_from_the_cache(
    sealed_case: Path, cache_dir: Path, parses: list[str], damage: str, message: str
) -> None:
    _compile(sealed_case)  # the cache now holds the file
    record = sealed_case / "records" / "SRC-0001.1.json"
    data = record.read_bytes()
    if damage == "truncated":
        record.write_bytes(data[:-40])
    elif damage == "flipped":
        record.write_bytes(data.replace(b'"kind":"source"', b'"kind":"sourcE"', 1))
    elif damage == "missing":
        record.unlink()
    else:
        text = _text_object(sealed_case)
        text.chmod(0o644)
        text.write_bytes(text.read_bytes().replace(b"Okhmatdyt", b"Okhmatdit", 1))
    parses.clear()
    with pytest.raises(EvidenceError, match=message):
        seal_case(Case.open(sealed_case), actor="tester", now=FIXED_NOW)
    assert parses == []  # the entry was found; the source was read and checked anyway


def _edit(root: Path) -> None:
    """A new first statement in SRC-0001.yaml (a new size too, so the stamp differs
    even within one clock tick)."""
    path = root / "claims" / "SRC-0001.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("statement: ") + len("statement: ")
    path.write_text(text[:start] + "Edited, longer: " + text[start:], encoding="utf-8")


@pytest.fixture
def stamps_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every stamp, however recent (the tests write files and seal in one second)."""
    monkeypatch.setattr(FileStamps, "RACY_NS", -(10**15))


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source record files read and checked by digest on a cache hit."""
    seen: list[str] = []
    real = RecordStore.check

    def counting(self: RecordStore, record_id: str, revision: int, *, blake3: str) -> bytes:
        seen.append(f"{record_id}.{revision}")
        return real(self, record_id, revision, blake3=blake3)

    monkeypatch.setattr(RecordStore, "check", counting)
    return seen


def test_unchanged_files_are_not_read_again(
    sealed_case: Path, cache_dir: Path, parses: list[str], checks: list[str], stamps_kept: None
) -> None:
    cold = _compile(sealed_case)
    warm = _compile(sealed_case)  # files stamped; sources checked once more and stamped
    parses.clear()
    checks.clear()
    assert _compile(sealed_case) == cold == warm
    assert parses == []
    assert checks == []
    _edit(sealed_case)
    edited = _compile(sealed_case)
    assert parses == ["claims/SRC-0001.yaml"]
    assert edited != cold


def test_a_damaged_source_stops_a_reseal_whatever_the_stamps(
    sealed_case: Path, cache_dir: Path, parses: list[str], stamps_kept: None
) -> None:
    _compile(sealed_case)
    _compile(sealed_case)
    record = sealed_case / "records" / "SRC-0001.1.json"
    record.write_bytes(record.read_bytes()[:-40])  # a new size and ctime: read again
    shutil.rmtree(cache_dir / "summary-v2")  # each file from its entry (0027: see below)
    parses.clear()
    with pytest.raises(EvidenceError, match=r"SRC-0001\.1\.json is not in the record file form"):
        seal_case(Case.open(sealed_case), actor="tester", now=FIXED_NOW)
    assert parses == []


def test_a_damaged_sealed_source_of_summarised_files_is_for_verify(
    sealed_case: Path,
    cache_dir: Path,
    parses: list[str],
    stamps_kept: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every claims file taken whole from the summary, its source covered by the latest
    # seal: the source is not looked at again (0027 as amended), the seal commits to
    # nothing new from it, and verify names the damage; with the caches off the seal
    # reads the source and stops.
    (sealed_case / "claims" / "extra-0.yaml").write_text(EXTRA.format(n=0))
    seal_case(Case.open(sealed_case), actor="tester", now=FIXED_NOW)  # keeps the summary
    record = sealed_case / "records" / "SRC-0001.1.json"
    record.write_bytes(record.read_bytes()[:-40])
    other = tmp_path / "other"
    shutil.copytree(sealed_case, other)
    result = seal_case(Case.open(sealed_case), actor="tester", now=FIXED_NOW)
    assert result.path is None  # nothing new to seal
    assert any("SRC-0001.1.json" in (f.path or "") for f in verify_case(sealed_case).problems())
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", "off")
    with pytest.raises(EvidenceError, match=r"SRC-0001\.1\.json is not in the record"):
        seal_case(Case.open(other), actor="tester", now=FIXED_NOW)


def test_recent_stamps_are_not_kept(sealed_case: Path, cache_dir: Path) -> None:
    (sealed_case / "claims" / "extra-0.yaml").write_text(EXTRA.format(n=0))
    _compile(sealed_case)
    stamps = FileStamps.for_case(sealed_case)
    assert "claims/extra-0.yaml" not in stamps.known  # written a moment ago: racy
