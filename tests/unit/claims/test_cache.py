"""What `check` and `seal` reuse of earlier compiles (docs/decisions/0045): a claims file
is taken from the case's summary only for the same bytes against the same sources, its
sources are still checked, a damaged summary is a miss, and the report is the one a
fresh compile gives. No per-file entries are written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evidence.claims.compile as compile_module
from evidence._yaml import load_yaml
from evidence.case import Case
from evidence.claims._cache import CaseSummary, FileStamps, read_stamped, stamp_of
from evidence.claims.compile import CompiledClaim, check_case_claims, compile_case_claims
from evidence.errors import EvidenceError, InputError
from evidence.ingest import add_source
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


def _check(root: Path) -> dict[str, object]:
    case = Case.open(root)
    report = Report()
    check_case_claims(case, case.state(), report)
    return report.to_dict()


def _summary_path(root: Path) -> Path:
    path, _ = CaseSummary._where(root)
    assert path is not None
    return path


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The claims files parsed (not taken from the summary), in order."""
    seen: list[str] = []
    real = load_yaml

    def counting(data: bytes, *, path: str) -> object:
        seen.append(path)
        return real(data, path=path)

    monkeypatch.setattr(compile_module, "load_yaml", counting)
    return seen


@pytest.fixture
def stamps_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every stamp, however recent (the tests write files and check in one second)."""
    monkeypatch.setattr(FileStamps, "RACY_NS", -(10**15))


def test_same_result_with_and_without_caches(
    sealed_case: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    for n in range(3):
        (sealed_case / "claims" / f"extra-{n}.yaml").write_text(EXTRA.format(n=n))
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", "off")
    without = _check(sealed_case)
    compiled_without = _compile(sealed_case)
    assert not cache_dir.exists()
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(cache_dir))
    cold = _check(sealed_case)
    assert len(CaseSummary.for_case(sealed_case).known) == 4
    parses.clear()
    warm = _check(sealed_case)
    assert parses == []  # every file came from the summary
    assert without == cold == warm
    assert without["ok"] is True
    assert _compile(sealed_case) == compiled_without  # every claim, compiled afresh
    assert [p.name for p in cache_dir.iterdir() if p.name.startswith("claims-")] == []


def test_only_the_edited_file_is_parsed_again(
    sealed_case: Path, cache_dir: Path, parses: list[str]
) -> None:
    for n in range(3):
        (sealed_case / "claims" / f"extra-{n}.yaml").write_text(EXTRA.format(n=n))
    _check(sealed_case)
    (sealed_case / "claims" / "extra-1.yaml").write_text(EXTRA.format(n="1b-longer"))
    parses.clear()
    report = _check(sealed_case)
    assert parses == ["claims/extra-1.yaml"]
    assert report["ok"] is True


def test_a_file_with_problems_is_not_kept(
    sealed_case: Path, cache_dir: Path, parses: list[str]
) -> None:
    (sealed_case / "claims" / "bad.yaml").write_text(
        "source: SRC-0001\nclaims:\n  - key: bad\n    statement: B.\n    quote: not there\n"
    )
    first = _check(sealed_case)
    parses.clear()
    second = _check(sealed_case)
    assert parses == ["claims/bad.yaml"]
    assert first == second
    assert second["ok"] is False


def test_a_torn_summary_is_a_miss(sealed_case: Path, cache_dir: Path, parses: list[str]) -> None:
    cold = _check(sealed_case)
    path = _summary_path(sealed_case)
    path.write_bytes(path.read_bytes()[:-10])
    parses.clear()
    assert _check(sealed_case) == cold
    assert parses == ["claims/SRC-0001.yaml"]


def test_a_touched_or_copied_file_is_taken_by_its_bytes(
    sealed_case: Path, cache_dir: Path, parses: list[str], stamps_kept: None
) -> None:
    """A new stamp with the same bytes (a checkout, a copy, a touch): the file is read
    and digested again, and taken from the summary; other bytes are compiled."""
    cold = _check(sealed_case)
    path = sealed_case / "claims" / "SRC-0001.yaml"
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data)  # a new inode and times, the same bytes
    parses.clear()
    assert _check(sealed_case) == cold
    assert parses == []
    assert CaseSummary.for_case(sealed_case).known  # still there
    before = FileStamps.for_case(sealed_case).known["claims/SRC-0001.yaml"]
    assert before[0][0] == os.stat(path).st_ino  # the new stamp is kept
    path.write_bytes(data.replace(b"statement: ", b"statement: Now ", 1))
    parses.clear()
    _check(sealed_case)
    assert parses == ["claims/SRC-0001.yaml"]


def test_a_source_revised_since_is_compiled_again(
    sealed_case: Path, cache_dir: Path, parses: list[str], tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("A note written for this test. The shelter stayed open all night.\n")
    overrides = {"title": "Test note", "publisher": "Test desk", "language": "en"}
    added = add_source(Case.open(sealed_case), note, overrides=overrides, actor="tester")
    source = added.record.id
    claims = sealed_case / "claims" / "note.yaml"
    claims.write_text(
        f"source: {source}\nclaims:\n  - key: note-1\n    statement: Open all night.\n",
        encoding="utf-8",
    )
    _check(sealed_case)
    rows = CaseSummary.for_case(sealed_case).known
    assert set(rows["claims/note.yaml"][1]) == {source}
    # The summary says it was compiled against another revision of the source.
    summary = CaseSummary.for_case(sealed_case)
    row = summary.known["claims/note.yaml"]
    summary.known["claims/note.yaml"] = (row[0], {source: "0" * 64}, *row[2:])
    summary.base = None  # written whole
    summary.store(sealed_case, dict(summary.known))
    parses.clear()
    assert _check(sealed_case)["ok"] is True
    assert parses == ["claims/note.yaml"]


def test_an_unusable_cache_folder_changes_nothing(
    sealed_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(blocker / "cache"))
    compiled, report = _compile(sealed_case)
    assert report["ok"] is True
    assert len(compiled) == 16
    assert _check(sealed_case)["ok"] is True


def test_reseal_with_cache_writes_nothing_into_the_case(sealed_case: Path, cache_dir: Path) -> None:
    (sealed_case / "claims" / "extra-0.yaml").write_text(EXTRA.format(n=0))
    before = {p.relative_to(sealed_case) for p in sealed_case.rglob("*")}
    result = seal_case(Case.open(sealed_case), actor="tester", now=FIXED_NOW)
    assert [s.id for s in result.added] == ["CLM-0017"]
    after = {p.relative_to(sealed_case) for p in sealed_case.rglob("*")}
    new = {p for p in after - before if p.parts[0] not in ("records", "seals")}
    assert new == set()
    assert "claims/extra-0.yaml" in CaseSummary.for_case(sealed_case).known
    assert not (cache_dir / "claims-v2").exists()  # no per-file entries (0045)


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
def test_a_damaged_source_still_stops_a_check_from_the_summary(
    sealed_case: Path,
    cache_dir: Path,
    parses: list[str],
    stamps_kept: None,
    damage: str,
    message: str,
) -> None:
    _check(sealed_case)
    _check(sealed_case)  # the files and sources are stamped now
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
        _check(sealed_case)
    assert parses == []  # taken from the summary; the source was read and checked anyway


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source record files read and checked by digest for a summarised file."""
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
    cold = _check(sealed_case)
    warm = _check(sealed_case)  # files stamped; sources checked once more and stamped
    parses.clear()
    checks.clear()
    assert _check(sealed_case) == cold == warm
    assert parses == []
    assert checks == []


def test_a_damaged_sealed_source_of_summarised_files_is_for_verify(
    sealed_case: Path,
    cache_dir: Path,
    parses: list[str],
    stamps_kept: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every claims file taken whole from the summary, its source covered by the latest
    # seal: the source is not looked at again by a seal (0027 as amended), the seal
    # commits to nothing new from it, and verify names the damage; with the caches off
    # the seal reads the source and stops.
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


@given(data=st.binary(max_size=200_000))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_read_stamped_gives_the_bytes_and_the_stamp_of_the_file(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "file"
    path.write_bytes(data)
    read, stamp = read_stamped(str(path), what="file")
    assert read == data
    assert stamp == stamp_of(path)


def test_read_stamped_says_why_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such claims file"):
        read_stamped(str(tmp_path / "gone.yaml"), what="claims file")
    with pytest.raises(InputError, match="is a directory, expected a claims file"):
        read_stamped(str(tmp_path), what="claims file")


def test_a_claims_file_that_cannot_be_read_is_reported_where_it_is(
    sealed_case: Path, cache_dir: Path
) -> None:
    (sealed_case / "claims" / "folder.yaml").mkdir()
    report = Report()
    case = Case.open(sealed_case)
    check_case_claims(case, case.state(), report)
    (problem,) = report.problems()
    assert problem.path == "claims/folder.yaml"
    assert "is a directory, expected a claims file" in problem.message


def test_a_duplicate_key_between_summarised_files_is_still_reported_by_check(
    sealed_case: Path, cache_dir: Path, parses: list[str], stamps_kept: None
) -> None:
    """Each file compiles without a problem of its own, so both get a summary row; the
    duplicate is between them, and a check that takes both from the summary reports it
    as a fresh compile does (the files holding the key are read again)."""
    for name in ("a-copy.yaml", "b-copy.yaml"):
        (sealed_case / "claims" / name).write_text(EXTRA.format(n=0))
    first = _check(sealed_case)
    parses.clear()
    second = _check(sealed_case)
    assert second == first
    assert second["ok"] is False
    assert "duplicate key 'extra-0'" in json.dumps(second)
    assert set(parses) == {"claims/a-copy.yaml", "claims/b-copy.yaml"}  # read for the message
    known = CaseSummary.for_case(sealed_case).known
    assert {"claims/a-copy.yaml", "claims/b-copy.yaml"} <= known.keys()
