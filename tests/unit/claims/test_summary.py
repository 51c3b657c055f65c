"""The case's claims summary (docs/decisions/0027): a re-seal takes a claims file whose
claims are all sealed as they are from one summary, without compiling it, and a
damaged, stale or forged summary is a miss, never a wrong seal."""

from __future__ import annotations

import datetime as dt
import marshal
import os
import shutil
from pathlib import Path
from typing import Any

import blake3
import pytest

import evidence.claims.compile as compile_module
from evidence._yaml import load_yaml
from evidence.case import Case
from evidence.claims._cache import CaseSummary, FileStamps
from evidence.errors import EvidenceError
from evidence.ingest import add_source
from evidence.integrity import seal as seal_module
from evidence.integrity.seal import ClaimsInvalid, SealResult, seal_case
from evidence.verify import verify_case
from tests.conftest import FIXED_NOW

EXTRA = "source: SRC-0001\nclaims:\n  - key: extra-{n}\n    statement: Extra claim {n}.\n"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(folder))
    monkeypatch.setattr(FileStamps, "RACY_NS", -(10**15))  # keep every stamp
    return folder


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The claims files parsed, and the BLAKE3 of each claims file compiled (not taken
    from the summary), in order."""
    seen: dict[str, list[str]] = {"parsed": [], "compiled": []}
    real_compile = compile_module._compile_file

    def parsing(data: bytes, *, path: str) -> object:
        seen["parsed"].append(path)
        return load_yaml(data, path=path)

    def compiling(sources: Any, path: Path, report: Any, summarise: bool) -> Any:
        if summarise:  # caches on (a copy sealed with caches off compiles every file)
            seen["compiled"].append(blake3.blake3(path.read_bytes()).hexdigest())
        return real_compile(sources, path, report, summarise)

    monkeypatch.setattr(compile_module, "load_yaml", parsing)
    monkeypatch.setattr(compile_module, "_compile_file", compiling)
    return seen


def _seal(root: Path, hours: int) -> SealResult:
    return seal_case(Case.open(root), actor="tester", now=FIXED_NOW + dt.timedelta(hours=hours))


def _warm(root: Path, work: dict[str, list[str]]) -> None:
    """Seal a new claims file twice over, so the cache, stamps and summary are all kept."""
    (root / "claims" / "extra-0.yaml").write_text(EXTRA.format(n=0), encoding="utf-8")
    _seal(root, 1)
    (root / "claims" / "extra-1.yaml").write_text(EXTRA.format(n=1), encoding="utf-8")
    _seal(root, 2)
    work["parsed"].clear()
    work["compiled"].clear()


def _summary_path(root: Path) -> Path:
    path, _ = CaseSummary._where(root)
    assert path is not None
    return path


def _rewrite(root: Path, change: object) -> None:
    """Change the summary's content and put a matching checksum on it (a forgery)."""
    path = _summary_path(root)
    raw = marshal.loads(path.read_bytes().partition(b"\n")[2])
    assert callable(change)
    change(raw)
    payload = marshal.dumps(raw)
    path.write_bytes(blake3.blake3(payload).hexdigest().encode() + b"\n" + payload)


def _forge_row(rows: dict[str, Any], rel: str, at: int, value: object) -> None:
    """Put ``value`` as the ``at``-th member of the summary row of ``rel``."""
    row = list(rows[rel])
    row[at] = value
    rows[rel] = tuple(row)


def _first_body_zero(rows: dict[str, Any], rel: str) -> None:
    """Say that the first claim of ``rel`` has a body digest of zeros."""
    _forge_row(rows, rel, 4, "0" * 64 + rows[rel][4][64:])


def _same_as_without_caches(root: Path, other: Path, hours: int) -> None:
    """The next seal of ``root`` is byte for byte the one ``other`` (a copy made before
    the change, given the same change) gets with every cache off."""
    _seal(root, hours)
    previous = os.environ["EVIDENCE_CACHE_DIR"]
    os.environ["EVIDENCE_CACHE_DIR"] = "off"
    try:
        _seal(other, hours)
    finally:
        os.environ["EVIDENCE_CACHE_DIR"] = previous
    for path in sorted((root / "seals").iterdir()):
        assert path.read_bytes() == (other / "seals" / path.name).read_bytes()
    assert verify_case(root).ok


def test_a_reseal_compiles_no_unchanged_file(
    sealed_case: Path, cache_dir: Path, work: dict[str, list[str]], tmp_path: Path
) -> None:
    _warm(sealed_case, work)
    other = tmp_path / "other"
    shutil.copytree(sealed_case, other)
    for root in (sealed_case, other):
        (root / "claims" / "extra-2.yaml").write_text(EXTRA.format(n=2), encoding="utf-8")
    _same_as_without_caches(sealed_case, other, 3)
    # The new file once (cache on) and every file once (cache off, in the copy).
    assert work["parsed"].count("claims/extra-2.yaml") == 2
    assert len(work["compiled"]) == 1  # only the new file was compiled
    summary = CaseSummary.for_case(sealed_case)
    assert "claims/extra-2.yaml" in summary.known


@pytest.mark.parametrize(
    "forge",
    [
        "damaged",
        "body-digest",
        "unhashable-key",
        "short-bodies",
        "row-shape",
        "file-digest",
        "source-revision",
        "other-case",
        "other-compiler",
    ],
)
def test_a_damaged_or_forged_summary_is_a_miss(
    sealed_case: Path,
    cache_dir: Path,
    work: dict[str, list[str]],
    tmp_path: Path,
    forge: str,
) -> None:
    _warm(sealed_case, work)
    other = tmp_path / "other"
    shutil.copytree(sealed_case, other)
    rel = "claims/extra-0.yaml"
    if forge == "damaged":
        path = _summary_path(sealed_case)
        data = bytearray(path.read_bytes())
        data[-5] ^= 1
        path.write_bytes(bytes(data))
    elif forge == "body-digest":  # its claims are said to differ from what is sealed
        _rewrite(sealed_case, lambda raw: _first_body_zero(raw["files"], rel))
    elif forge == "unhashable-key":  # a claim of another shape
        _rewrite(sealed_case, lambda raw: raw["files"][rel][3].__setitem__(0, ["extra-0"]))
    elif forge == "short-bodies":  # body digests that are not 64 characters a key
        _rewrite(
            sealed_case, lambda raw: _forge_row(raw["files"], rel, 4, raw["files"][rel][4][1:])
        )
    elif forge == "row-shape":  # a count of proposed claims that is not a number
        _rewrite(sealed_case, lambda raw: _forge_row(raw["files"], rel, 5, "0"))
    elif forge == "file-digest":  # said to be made from other bytes
        _rewrite(
            sealed_case,
            lambda raw: raw["files"].__setitem__(rel, ("0" * 64, *raw["files"][rel][1:])),
        )
    elif forge == "source-revision":  # said to be compiled against another revision
        _rewrite(sealed_case, lambda raw: raw["files"][rel][1].__setitem__("SRC-0001", "0" * 64))
    elif forge == "other-case":
        _rewrite(sealed_case, lambda raw: raw.__setitem__("case", str(other)))
    else:
        _rewrite(sealed_case, lambda raw: raw.__setitem__("compiler", "0" * 64))
    forged = blake3.blake3((sealed_case / rel).read_bytes()).hexdigest()
    summary = CaseSummary.for_case(sealed_case)
    if forge in ("damaged", "other-case", "other-compiler", "short-bodies", "row-shape"):
        assert summary.known == {}
    for root in (sealed_case, other):
        (root / "claims" / "extra-2.yaml").write_text(EXTRA.format(n=2), encoding="utf-8")
    _same_as_without_caches(sealed_case, other, 3)
    assert forged in work["compiled"]  # the summary did not vouch for it: compiled
    assert work["parsed"].count("claims/extra-2.yaml") == 2


def test_a_claims_file_changed_with_the_same_size_and_time_is_read_again(
    sealed_case: Path, cache_dir: Path, work: dict[str, list[str]], tmp_path: Path
) -> None:
    _warm(sealed_case, work)
    other = tmp_path / "other"
    shutil.copytree(sealed_case, other)
    for root in (sealed_case, other):
        path = root / "claims" / "extra-0.yaml"
        before = path.stat()
        text = path.read_text(encoding="utf-8").replace("Extra claim 0.", "Extra claim X.")
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # only ctime tells
        assert path.stat().st_size == before.st_size
    _same_as_without_caches(sealed_case, other, 3)
    assert "claims/extra-0.yaml" in work["parsed"]
    sealed = Case.open(sealed_case).state()
    record_id = sealed.claim_keys["extra-0"]
    assert sealed.latest[record_id].revision == 2  # the edit was sealed


def test_a_source_record_damaged_since_stops_the_reseal(
    sealed_case: Path, cache_dir: Path, work: dict[str, list[str]]
) -> None:
    _warm(sealed_case, work)
    record = sealed_case / "records" / "SRC-0001.1.json"
    record.chmod(0o644)
    record.write_bytes(record.read_bytes().replace(b'"kind":"source"', b'"kind":"sourcE"', 1))
    (sealed_case / "claims" / "extra-2.yaml").write_text(EXTRA.format(n=2), encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"SRC-0001\.1\.json does not match the digest"):
        _seal(sealed_case, 3)
    # The summary was used for the other files (their source is sealed: 0027 as
    # amended); the new file citing the damaged source was compiled and stopped.
    new = blake3.blake3((sealed_case / "claims" / "extra-2.yaml").read_bytes()).hexdigest()
    assert work["compiled"] == [new]


def test_a_source_the_latest_seal_does_not_cover_is_checked_for_a_summarised_file(
    sealed_case: Path,
    cache_dir: Path,
    work: dict[str, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A seal that stopped after logging its claims (its seal file could not be
    written) leaves a summarised file whose claims are logged but whose source no seal
    covers: that source is still read and checked, and its damage stops the seal."""
    _warm(sealed_case, work)
    note = tmp_path / "note.txt"
    note.write_text("A note written for this test. The shelter stayed open all night.\n")
    overrides = {"title": "Test note", "publisher": "Test desk", "language": "en"}
    added = add_source(Case.open(sealed_case), note, overrides=overrides, actor="tester")
    source = added.record.id
    (sealed_case / "claims" / "extra-5.yaml").write_text(
        f"source: {source}\nclaims:\n  - key: extra-5\n    statement: Open all night.\n",
        encoding="utf-8",
    )

    def unwritable(path: Path, data: bytes) -> str:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(seal_module, "PendingSeal", unwritable)
        with pytest.raises(OSError, match="No space left"):
            _seal(sealed_case, 3)
    record = sealed_case / "records" / f"{source}.1.json"
    record.chmod(0o644)
    record.write_bytes(record.read_bytes().replace(b'"kind":"source"', b'"kind":"sourcE"', 1))
    work["compiled"].clear()
    with pytest.raises(EvidenceError, match=rf"{source}\.1\.json does not match the digest"):
        _seal(sealed_case, 4)
    assert work["compiled"] == []  # the file was taken from the summary


def test_a_duplicate_key_in_a_new_file_is_reported_where_it_is(
    sealed_case: Path, cache_dir: Path, work: dict[str, list[str]]
) -> None:
    _warm(sealed_case, work)
    (sealed_case / "claims" / "extra-2.yaml").write_text(EXTRA.format(n=0), encoding="utf-8")
    first = r"duplicate key 'extra-0' \(first used at claims/extra-0"
    with pytest.raises(EvidenceError, match=first):
        _seal(sealed_case, 3)


@pytest.mark.parametrize("name", ["a-copy.yaml", "z-copy.yaml"])
def test_a_duplicate_key_between_summarised_files_is_reported_as_a_compile_would(
    sealed_case: Path, cache_dir: Path, work: dict[str, list[str]], name: str
) -> None:
    """A copy of a sealed claims file (same key, same body): the failed seal keeps a
    summary row for each file, so the next attempt takes both from the summary, and the
    duplicate is still found and reported in file order (the summary keeps no key uses:
    the files holding the key are read again)."""
    _warm(sealed_case, work)
    copy = sealed_case / "claims" / name
    copy.write_bytes((sealed_case / "claims" / "extra-0.yaml").read_bytes())
    first, then = ("a-copy", "extra-0") if name.startswith("a") else ("extra-0", "z-copy")
    for hours in (3, 4):
        work["compiled"].clear()
        with pytest.raises(ClaimsInvalid) as raised:
            _seal(sealed_case, hours)
        assert len(work["compiled"]) == (1 if hours == 3 else 0)  # then both summarised
        (problem,) = raised.value.report.problems()
        assert problem.path == f"claims/{then}.yaml"
        assert f"duplicate key 'extra-0' (first used at claims/{first}.yaml" in problem.message
    assert f"claims/{name}" in CaseSummary.for_case(sealed_case).known


def test_a_fresh_compile_stamps_the_sources_it_read(
    sealed_case: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = compile_module._Sources.check

    def counting(self: compile_module._Sources, source_id: str, text: str | None) -> None:
        if not self.unchanged(f"records/{source_id}.1.json", self.state.latest[source_id].blake3):
            checked.append(source_id)
        real(self, source_id, text)

    (sealed_case / "claims" / "extra-0.yaml").write_text(EXTRA.format(n=0), encoding="utf-8")
    _seal(sealed_case, 1)  # compiled afresh: the source record and text were read
    stamps = FileStamps.for_case(sealed_case)
    assert any(rel.startswith("records/SRC-0001.") for rel in stamps.known)
    assert any(rel.startswith("objects/") for rel in stamps.known)
    monkeypatch.setattr(compile_module._Sources, "check", counting)
    (sealed_case / "claims" / "extra-1.yaml").write_text(EXTRA.format(n=1), encoding="utf-8")
    _seal(sealed_case, 2)
    assert checked == []  # known by their stamps: not read again


def _delta(path: Path) -> Path:
    return path.with_name(path.name + ".delta")


def _rewrite_delta(path: Path, change: object) -> None:
    """Change a delta file's content and put a matching checksum on it (a forgery)."""
    raw = marshal.loads(_delta(path).read_bytes().partition(b"\n")[2])
    assert callable(change)
    change(raw)
    payload = marshal.dumps(raw)
    _delta(path).write_bytes(blake3.blake3(payload).hexdigest().encode() + b"\n" + payload)


@pytest.mark.parametrize("forge", ["none", "damaged", "other-base", "body-digest", "stamps"])
def test_a_delta_is_used_only_on_its_base_and_each_row_checked(
    sealed_case: Path,
    cache_dir: Path,
    work: dict[str, list[str]],
    tmp_path: Path,
    forge: str,
) -> None:
    _warm(sealed_case, work)  # the second seal wrote its changes as deltas
    path = _summary_path(sealed_case)
    assert _delta(path).is_file()
    rel = "claims/extra-1.yaml"  # a row the delta holds, not the base
    assert rel not in marshal.loads(path.read_bytes().partition(b"\n")[2])["files"]
    assert rel in CaseSummary.for_case(sealed_case).known
    other = tmp_path / "other"
    shutil.copytree(sealed_case, other)
    if forge == "damaged":
        data = bytearray(_delta(path).read_bytes())
        data[-3] ^= 1
        _delta(path).write_bytes(bytes(data))
    elif forge == "other-base":  # a delta left beside another base
        _rewrite_delta(path, lambda raw: raw.__setitem__("base", b"0" * 64))
    elif forge == "body-digest":  # its claims are said to differ from what is sealed
        _rewrite_delta(path, lambda raw: _first_body_zero(raw["rows"], rel))
    elif forge == "stamps":  # every stamp the delta holds said to be another file's
        stamps = FileStamps.for_case(sealed_case)
        assert stamps.path is not None
        assert _delta(stamps.path).is_file()
        _rewrite_delta(
            stamps.path,
            lambda raw: raw.__setitem__(
                "rows", {k: ((0, 0, 0, 0), v[1]) for k, v in raw["rows"].items()}
            ),
        )
    known = CaseSummary.for_case(sealed_case).known
    assert (rel in known) == (forge in ("none", "body-digest", "stamps"))
    assert "claims/extra-0.yaml" in known  # the base's rows stand
    for root in (sealed_case, other):
        (root / "claims" / "extra-2.yaml").write_text(EXTRA.format(n=2), encoding="utf-8")
    _same_as_without_caches(sealed_case, other, 3)
    compiled = blake3.blake3((sealed_case / rel).read_bytes()).hexdigest() in work["compiled"]
    # A row the summary cannot vouch for is compiled; a file whose stamp is not the one
    # kept is read and digested, and taken from its row when its bytes are the same.
    assert compiled == (forge not in ("none", "stamps"))
