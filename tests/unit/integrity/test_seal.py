"""``seal``: claims become records, revisions and withdrawals; seals chain; nothing rewritten."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence._fs import JOURNAL_PATTERN
from evidence.canonical import canonical_bytes
from evidence.case import Case
from evidence.claims.anchor import find_quote
from evidence.digest import digest_bytes
from evidence.errors import CaseError
from evidence.ingest.add import add_source
from evidence.integrity import seal as seal_module
from evidence.integrity._frontier import Frontier, FrontierCache
from evidence.integrity.merkle import (
    consistency_proof,
    leaf_hash,
    tree_root,
    verify_consistency,
)
from evidence.integrity.seal import ClaimsInvalid, seal_case
from evidence.model import (
    CLAIM_SCHEMA,
    AttributionLink,
    ClaimBody,
    Record,
    RecordId,
    SealLeaf,
    SourceRef,
    Subject,
    Supersedes,
)
from evidence.store import envelope_bytes, record_slice
from evidence.verify import verify_case
from tests.conftest import FIXED_NOW

LATER = FIXED_NOW + dt.timedelta(hours=1)
EVIDENCE_DIRS = ("records", "objects", "seals")

Snapshot = dict[str, tuple[bytes, int, int]]


def _snapshot(root: Path, dirs: tuple[str, ...] = EVIDENCE_DIRS) -> Snapshot:
    out: Snapshot = {}
    for name in dirs:
        for path in sorted((root / name).rglob("*")):
            if path.is_file():
                info = path.stat()
                out[str(path.relative_to(root))] = (
                    path.read_bytes(),
                    info.st_mtime_ns,
                    info.st_ino,
                )
    return out


def _record(root: Path, record_id: str, revision: int) -> dict[str, Any]:
    data = (root / "records" / f"{record_id}.{revision}.json").read_bytes()
    record_bytes = record_slice(data)
    assert record_bytes is not None
    doc: dict[str, Any] = json.loads(record_bytes)
    return doc


def _seal(root: Path, sequence: int) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((root / "seals" / f"{sequence:04d}.json").read_bytes())
    return doc


def _claims_file(root: Path) -> Path:
    return root / "claims" / "SRC-0001.yaml"


def _edit_claims(root: Path, old: str, new: str) -> None:
    path = _claims_file(root)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _custody(root: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (root / "custody.jsonl").read_bytes().splitlines()]


def _ok(root: Path) -> None:
    report = verify_case(root)
    assert report.ok, [str(f) for f in report.problems()]


def test_the_first_seal(sealed_case: Path) -> None:
    seal = _seal(sealed_case, 1)
    entered = [
        (e["subject"]["id"], e["subject"]["revision"])
        for e in _custody(sealed_case)
        if e["action"] in ("collected", "claim-recorded", "superseded")
    ]
    assert [(leaf["id"], leaf["revision"]) for leaf in seal["leaves"]] == entered
    assert entered[0] == ("SRC-0001", 1)
    assert [f"CLM-{n:04d}" for n in range(1, 17)] == [i for i, _ in entered[1:]]
    # Recompute the root from the record files, independently of the tool.
    hashes = [
        leaf_hash(record_slice((sealed_case / "records" / f"{i}.{r}.json").read_bytes()) or b"")
        for i, r in entered
    ]
    assert seal["tree"] == {"alg": "rfc9162-sha256", "size": 17, "root": tree_root(hashes).hex()}
    for leaf in seal["leaves"]:
        pair = digest_bytes(
            record_slice(
                (sealed_case / "records" / f"{leaf['id']}.{leaf['revision']}.json").read_bytes()
            )
            or b""
        )
        assert (leaf["blake3"], leaf["sha256"]) == (pair.blake3, pair.sha256)
    assert seal["previous"] is None
    assert seal["sequence"] == 1
    assert seal["sealed_at"] == "2026-11-29T10:12:03.123456Z"
    # The custody head is the event just before `sealed`.
    lines = (sealed_case / "custody.jsonl").read_bytes().splitlines()
    sealed_at = next(i for i, line in enumerate(lines) if json.loads(line)["action"] == "sealed")
    assert seal["custody"] == {
        "seq": sealed_at,
        "sha256": hashlib.sha256(lines[sealed_at - 1]).hexdigest(),
    }
    sealed_event = json.loads(lines[sealed_at])
    seal_bytes = (sealed_case / "seals" / "0001.json").read_bytes()
    assert sealed_event["details"]["sha256"] == hashlib.sha256(seal_bytes).hexdigest()
    assert seal_bytes == canonical_bytes(seal) + b"\n"


def test_no_change_no_new_seal(sealed_case: Path) -> None:
    before = _snapshot(sealed_case, (*EVIDENCE_DIRS, "claims"))
    custody = (sealed_case / "custody.jsonl").read_bytes()
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert result.seal is None
    assert result.path is None
    assert result.unchanged == 16
    assert result.added == []
    assert _snapshot(sealed_case, (*EVIDENCE_DIRS, "claims")) == before
    assert (sealed_case / "custody.jsonl").read_bytes() == custody


def test_a_changed_claim_gets_a_new_revision(sealed_case: Path) -> None:
    old = _record(sealed_case, "CLM-0003", 1)
    _edit_claims(
        sealed_case,
        "The missile attack was carried out during the morning rush hour.",
        "The missile attack was carried out during the morning rush hour, "
        "when people were going to work.",
    )
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert [(s.id, s.revision) for s in result.added] == [("CLM-0003", 2)]
    new = _record(sealed_case, "CLM-0003", 2)
    old_bytes = record_slice((sealed_case / "records" / "CLM-0003.1.json").read_bytes())
    assert new["supersedes"] == {"revision": 1, "blake3": digest_bytes(old_bytes or b"").blake3}
    assert new["body"]["key"] == old["body"]["key"] == "attack-during-rush-hour"
    assert new["body"]["statement"].endswith("when people were going to work.")
    assert new["created_at"] == "2026-11-29T11:12:03.123456Z"
    event = _custody(sealed_case)[-2]
    assert event["action"] == "superseded"
    assert event["subject"]["id"] == "CLM-0003"
    assert event["subject"]["revision"] == 2
    seal = _seal(sealed_case, 2)
    assert seal["tree"]["size"] == 18
    assert (seal["leaves"][-1]["id"], seal["leaves"][-1]["revision"]) == ("CLM-0003", 2)
    _ok(sealed_case)


def test_a_removed_claim_is_withdrawn_once(sealed_case: Path) -> None:
    path = _claims_file(sealed_case)
    text = path.read_text(encoding="utf-8")
    start = text.index("  - key: kryvyi-rih-shelled")
    end = text.index("  - key:", start + 10)
    removed = text[start:end]
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    before = _record(sealed_case, "CLM-0012", 1)
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert result.withdrawn == ["CLM-0012"]
    withdrawn = _record(sealed_case, "CLM-0012", 2)
    assert withdrawn["body"]["status"] == "withdrawn"
    assert {k: v for k, v in withdrawn["body"].items() if k != "status"} == {
        k: v for k, v in before["body"].items() if k != "status"
    }
    assert withdrawn["supersedes"]["revision"] == 1
    _ok(sealed_case)
    # Sealing again withdraws nothing more.
    again = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert again.seal is None
    assert again.withdrawn == []
    assert not (sealed_case / "records" / "CLM-0012.3.json").exists()
    # Putting the claim back revives the same id with a new revision.
    path.write_text(path.read_text(encoding="utf-8") + removed, encoding="utf-8")
    back = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert [(s.id, s.revision) for s in back.added] == [("CLM-0012", 3)]
    assert _record(sealed_case, "CLM-0012", 3)["body"]["status"] == "reported"
    _ok(sealed_case)


def test_a_key_keeps_its_id_whatever_file_or_order(sealed_case: Path) -> None:
    path = _claims_file(sealed_case)
    text = path.read_text(encoding="utf-8")
    header, _, body = text.partition("claims:\n")
    claims = ["  - key:" + part for part in body.split("  - key:")[1:]]
    # Split the claims over two files, in reverse order, under other names.
    half = len(claims) // 2
    path.unlink()
    (sealed_case / "claims" / "b-first-half.yaml").write_text(
        header + "claims:\n" + "".join(reversed(claims[:half])), encoding="utf-8"
    )
    (sealed_case / "claims" / "a-second-half.yaml").write_text(
        header + "claims:\n" + "".join(claims[half:]), encoding="utf-8"
    )
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert result.seal is None
    assert result.added == []
    assert result.withdrawn == []
    # A new claim takes the next number; the old keys keep theirs.
    (sealed_case / "claims" / "new.yaml").write_text(
        "source: SRC-0001\nclaims:\n  - key: dnipro-main-impact\n"
        "    statement: Dnipro was among the cities mainly hit.\n"
        "    quote: with the main impact on Kyiv and Dnipro\n",
        encoding="utf-8",
    )
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert [(s.id, s.revision) for s in result.added] == [("CLM-0017", 1)]
    assert Case.open(sealed_case).state().claim_keys["attack-during-rush-hour"] == "CLM-0003"


def test_seals_chain_and_only_grow(sealed_case: Path, tmp_path: Path) -> None:
    article = tmp_path / "second.txt"
    article.write_text(
        "date 2024-07-09 A second, team-written article about repairs.\n", encoding="utf-8"
    )
    add_source(Case.open(sealed_case), article, actor="tester", now=LATER)
    second = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert second.seal is not None
    assert second.seal.sequence == 2
    _edit_claims(sealed_case, "status: reported", "status: corroborated")
    third = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert third.seal is not None
    assert third.seal.sequence == 3
    seals = [_seal(sealed_case, n) for n in (1, 2, 3)]
    for before, after in itertools.pairwise(seals):
        file_bytes = (sealed_case / "seals" / f"{before['sequence']:04d}.json").read_bytes()
        assert after["previous"] == {
            "sequence": before["sequence"],
            "root": before["tree"]["root"],
            "sha256": hashlib.sha256(file_bytes).hexdigest(),
        }
        assert after["leaves"][: len(before["leaves"])] == before["leaves"]
        hashes = [
            leaf_hash(
                record_slice(
                    (sealed_case / "records" / f"{leaf['id']}.{leaf['revision']}.json").read_bytes()
                )
                or b""
            )
            for leaf in after["leaves"]
        ]
        old = before["tree"]["size"]
        assert verify_consistency(
            old,
            len(hashes),
            bytes.fromhex(before["tree"]["root"]),
            bytes.fromhex(after["tree"]["root"]),
            consistency_proof(hashes, old),
        )
    _ok(sealed_case)


def test_nothing_sealed_is_ever_rewritten(sealed_case: Path, tmp_path: Path) -> None:
    before = _snapshot(sealed_case)
    custody = (sealed_case / "custody.jsonl").read_bytes()
    _edit_claims(sealed_case, "status: reported", "status: verified")
    seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    article = tmp_path / "again.txt"
    article.write_text("Another short article.\n", encoding="utf-8")
    add_source(Case.open(sealed_case), article, actor="tester", now=LATER)
    add_source(Case.open(sealed_case), article, actor="tester", now=LATER)
    path = _claims_file(sealed_case)
    path.write_text("source: SRC-0001\nclaims: []\n", encoding="utf-8")
    seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    verify_case(sealed_case)
    after = _snapshot(sealed_case)
    for name, (data, mtime, inode) in before.items():
        assert name in after, f"{name} disappeared"
        assert after[name] == (data, mtime, inode), f"{name} was rewritten"
    assert (sealed_case / "custody.jsonl").read_bytes().startswith(custody)
    assert len(after) > len(before)
    _ok(sealed_case)


def test_invalid_claims_seal_nothing(sealed_case: Path) -> None:
    (sealed_case / "claims" / "bad.yaml").write_text(
        "source: SRC-0001\nclaims:\n  - key: new-one\n    statement: A.\n"
        "    quote: words not in the article\n  - key: another\n    statement: B.\n"
        "    source: SRC-0404\n",
        encoding="utf-8",
    )
    _edit_claims(sealed_case, "status: reported", "status: verified")  # a valid change too
    before = _snapshot(sealed_case)
    custody = (sealed_case / "custody.jsonl").read_bytes()
    with pytest.raises(ClaimsInvalid) as info:
        seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert info.value.path == "claims/bad.yaml"
    assert info.value.line == 3
    assert "and 1 more" in str(info.value)
    assert len(info.value.report.problems()) == 2
    assert _snapshot(sealed_case) == before
    assert (sealed_case / "custody.jsonl").read_bytes() == custody


def test_a_changed_record_stops_a_seal_that_reads_every_record(
    sealed_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", "off")  # no frontier: every record is read
    path = sealed_case / "records" / "CLM-0005.1.json"
    path.write_bytes(path.read_bytes().replace(b"Okhmatdyt", b"Okhmatdit", 1))
    _edit_claims(sealed_case, "status: reported", "status: verified")
    seals = sorted(p.name for p in (sealed_case / "seals").iterdir())
    with pytest.raises(CaseError, match=r"CLM-0005\.1\.json changed since it was recorded"):
        seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert sorted(p.name for p in (sealed_case / "seals").iterdir()) == seals


def _revised_record(case_root: Path, tmp_path: Path) -> str:
    """The record file an edit of SRC-0001.yaml's first `reported` status supersedes."""
    probe = tmp_path / "probe"
    shutil.copytree(case_root, probe)
    _edit_claims(probe, "status: reported", "status: verified")
    result = seal_case(Case.open(probe), actor="tester", now=LATER)
    revised = [s for s in result.added if s.revision > 1]
    assert revised
    return f"{revised[0].id}.{revised[0].revision - 1}.json"


def _seal_with_new_claim(root: Path, n: int, now: dt.datetime) -> None:
    (root / "claims" / f"extra-{n}.yaml").write_text(
        f"source: SRC-0001\nclaims:\n  - key: extra-{n}\n    statement: Extra claim {n}.\n",
        encoding="utf-8",
    )
    assert seal_case(Case.open(root), actor="tester", now=now).seal is not None


def _two_new_sources(root: Path, tmp_path: Path) -> None:
    """SRC-0002 (cited by a new claims file) and SRC-0003 (cited by none), not sealed."""
    for n, text in ((2, "Officials said the shelter held."), (3, "Nothing was said.")):
        article = tmp_path / f"article-{n}.txt"
        article.write_text(text + "\n", encoding="utf-8")
        add_source(Case.open(root), article, actor="tester", now=LATER)
    (root / "claims" / "extra.yaml").write_text(
        "source: SRC-0002\nclaims:\n  - key: shelter\n    statement: The shelter held.\n"
        "    quote: the shelter held\n",
        encoding="utf-8",
    )


def test_a_seal_reads_only_the_records_its_compile_did_not_check(
    sealed_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The source records the compile read and checked against the log give their
    leaves from those bytes; the others are read (and checked) for the leaves."""
    _two_new_sources(sealed_case, tmp_path)
    read: list[tuple[str, int]] = []
    original = seal_module._LeafJob.read

    def spy(self: seal_module._LeafJob, subject: Subject) -> object:
        read.append((subject.id, subject.revision))
        return original(self, subject)

    monkeypatch.setattr(seal_module._LeafJob, "read", spy)
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert result.seal is not None
    assert read == [("SRC-0003", 1)]
    _ok(sealed_case)


def test_records_to_read_in_workers_are_read_after_the_sync(
    sealed_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No worker process is forked beside the sync thread: a tree that needs workers is
    left for after the sync, and still made before the log names anything."""
    _two_new_sources(sealed_case, tmp_path)
    monkeypatch.setattr(seal_module, "_FORK_FROM", 1)
    calls: list[tuple[bool, bool]] = []
    leaves = seal_module._leaves

    def spy(*args: Any, fork: bool = True, **kwargs: Any) -> Any:
        made = leaves(*args, fork=fork, **kwargs)
        calls.append((fork, made is None))
        return made

    monkeypatch.setattr(seal_module, "_leaves", spy)
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER, workers=2)
    assert calls == [(False, True), (True, False)]
    assert result.seal is not None
    _ok(sealed_case)


@pytest.mark.parametrize("damaged", ["SRC-0002", "SRC-0003"], ids=["cited", "not-cited"])
def test_a_damaged_unsealed_source_stops_the_seal(
    sealed_case: Path, tmp_path: Path, damaged: str
) -> None:
    _two_new_sources(sealed_case, tmp_path)
    path = sealed_case / "records" / f"{damaged}.1.json"
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b'"publisher":', b'"publisheR":', 1))
    before = _snapshot(sealed_case)
    log = (sealed_case / "custody.jsonl").read_bytes()
    with pytest.raises(CaseError, match=rf"{damaged}\.1\.json"):
        seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    # stopped before the log named anything: no record file, no event, no marker
    assert _snapshot(sealed_case) == before
    assert (sealed_case / "custody.jsonl").read_bytes() == log
    assert not [p for p in sealed_case.iterdir() if JOURNAL_PATTERN.fullmatch(p.name)]


def test_a_changed_superseded_record_stops_the_seal(sealed_case: Path, tmp_path: Path) -> None:
    name = _revised_record(sealed_case, tmp_path)
    _seal_with_new_claim(sealed_case, 0, LATER)  # its frontier is kept: old leaves reused
    path = sealed_case / "records" / name
    path.write_bytes(path.read_bytes().replace(b'"key":"', b'"key":"x', 1))
    _edit_claims(sealed_case, "status: reported", "status: verified")
    with pytest.raises(CaseError, match=rf"{re.escape(name)} changed since it was recorded"):
        seal_case(Case.open(sealed_case), actor="tester", now=LATER + dt.timedelta(hours=1))


def _root_of_files(root: Path, leaves: list[dict[str, Any]]) -> str:
    hashes = []
    for leaf in leaves:
        data = (root / "records" / f"{leaf['id']}.{leaf['revision']}.json").read_bytes()
        hashes.append(leaf_hash(record_slice(data) or b""))
    return tree_root(hashes).hex()


def test_a_seal_reusing_the_frontier_commits_to_the_recorded_bytes(sealed_case: Path) -> None:
    """A sealed record changed on disk is not read again by the next seal (the previous
    seal already committed to it): the new seal commits to the bytes the custody log
    recorded, and verify names the changed file (docs/decisions/0021)."""
    _seal_with_new_claim(sealed_case, 0, LATER)
    path = sealed_case / "records" / "CLM-0005.1.json"
    original = path.read_bytes()
    path.write_bytes(original.replace(b"Okhmatdyt", b"Okhmatdit", 1))
    _seal_with_new_claim(sealed_case, 1, LATER + dt.timedelta(hours=1))
    report = verify_case(sealed_case)
    assert not report.ok
    assert any("CLM-0005.1.json" in str(f) for f in report.problems())
    path.write_bytes(original)  # the recorded bytes back: both seals hold
    seal = _seal(sealed_case, 3)
    assert seal["tree"]["root"] == _root_of_files(sealed_case, seal["leaves"])
    _ok(sealed_case)


def test_a_forged_frontier_is_a_miss(sealed_case: Path) -> None:
    _seal_with_new_claim(sealed_case, 0, LATER)
    cache = Path(os.environ["EVIDENCE_CACHE_DIR"]) / "frontier-v1"
    seal = _seal(sealed_case, 2)
    kept = FrontierCache(cache)._path(seal["tree"]["root"], seal["tree"]["size"])
    assert kept.is_file()
    for entry in [p for p in cache.rglob("*") if p.is_file()]:  # this seal's, and earlier
        data = entry.read_bytes()
        entry.write_bytes(data[:-32] + hashlib.sha256(b"forged").digest())
    assert FrontierCache(cache).load(seal["tree"]["root"], seal["tree"]["size"]) is None
    path = sealed_case / "records" / "CLM-0005.1.json"
    path.write_bytes(path.read_bytes().replace(b"Okhmatdyt", b"Okhmatdit", 1))
    # The forged frontier is not used, so every record is read and the change is found.
    with pytest.raises(CaseError, match=r"CLM-0005\.1\.json changed since it was recorded"):
        _seal_with_new_claim(sealed_case, 1, LATER + dt.timedelta(hours=1))


def test_the_same_seal_with_and_without_the_frontier(
    sealed_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    shutil.copytree(sealed_case, other)
    for n, moment in enumerate((LATER, LATER + dt.timedelta(hours=1))):
        _seal_with_new_claim(sealed_case, n, moment)
        with monkeypatch.context() as patch:
            patch.setenv("EVIDENCE_CACHE_DIR", "off")
            _seal_with_new_claim(other, n, moment)
        for sequence in (2, 3)[: n + 1]:
            name = f"seals/{sequence:04d}.json"
            assert (sealed_case / name).read_bytes() == (other / name).read_bytes()
    _ok(sealed_case)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 5, 8, 13, 64, 100])
def test_a_frontier_folds_to_the_tree_root(size: int) -> None:
    hashes = [leaf_hash(n.to_bytes(4, "big")) for n in range(size)]
    frontier = Frontier.of(hashes[: size // 2])
    frontier.extend(hashes[size // 2 :])
    assert frontier.size == size
    assert frontier.well_formed()
    assert frontier.root() == tree_root(hashes)


def test_an_empty_case_can_be_sealed(new_case: Case) -> None:
    result = seal_case(new_case, actor="tester", now=FIXED_NOW)
    assert result.seal is not None
    assert result.seal.size == 0
    assert result.seal.root == hashlib.sha256(b"").hexdigest()
    _ok(new_case.root)


# -- what an interrupted run leaves behind --------------------------------------------------


def _hand_written_claim(root: Path, key: str, statement: str, quote: str, number: int) -> bytes:
    """The record file a seal would have written, made by hand, with no custody event."""
    case = Case.open(root)
    source = case.state().latest["SRC-0001"]
    text_ref = _record(root, "SRC-0001", 1)["body"]["text"]["blake3"]
    text = case.objects.read(text_ref).decode("utf-8")
    body = ClaimBody(
        key=key,
        statement=statement,
        source=SourceRef(RecordId("SRC-0001"), 1, source.blake3),
        quote=find_quote(text, quote),
        attribution=(AttributionLink("Censor.NET", "news outlet", "online article"),),
        category="location",
        facts={},
        date="2024-07-08",
        places=("Kyiv",),
        status="reported",
        note=None,
    )
    record = Record(
        CLAIM_SCHEMA,
        RecordId(f"CLM-{number:04d}"),
        1,
        "claim",
        "2026-11-29T11:12:03.123456Z",
        "tester",
        None,
        body,
    )
    data = envelope_bytes(canonical_bytes(record.to_dict()))
    (root / "records" / record.filename).write_bytes(data)
    (root / "records" / record.filename).chmod(0o444)
    return data


def _kyiv_claim_record(root: Path) -> bytes:
    """CLM-0017, the record of CLAIM_YAML's claim, as an interrupted run would leave it."""
    return _hand_written_claim(
        root,
        "main-impact-kyiv",
        "Kyiv was among the cities that bore the main impact.",
        "with the main impact on Kyiv and Dnipro",
        17,
    )


CLAIM_YAML = """\
  - key: main-impact-kyiv
    statement: Kyiv was among the cities that bore the main impact.
    quote: with the main impact on Kyiv and Dnipro
    attributed_to:
      - {name: Censor.NET, role: news outlet, channel: online article}
    category: location
    date: 2024-07-08
    places: [Kyiv]
"""


def test_a_record_left_by_an_interrupted_run_is_adopted(sealed_case: Path) -> None:
    data = _kyiv_claim_record(sealed_case)
    with _claims_file(sealed_case).open("a", encoding="utf-8") as fh:
        fh.write(CLAIM_YAML)
    # verify sees the file the custody log does not name.
    assert ("record-unaccounted", "records/CLM-0017.1.json") in {
        (f.check, f.path) for f in verify_case(sealed_case).problems()
    }
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert result.recovered == 1
    assert (sealed_case / "records" / "CLM-0017.1.json").read_bytes() == data
    adopted = [
        e for e in _custody(sealed_case) if e["subject"] and e["subject"]["id"] == "CLM-0017"
    ]
    assert len(adopted) == 1
    assert adopted[0]["details"]["recovered"] is True
    assert adopted[0]["action"] == "claim-recorded"
    assert result.added == []  # the YAML says what the adopted record says
    assert result.seal is not None
    assert (result.seal.leaves[-1].id, result.seal.leaves[-1].revision) == ("CLM-0017", 1)
    _ok(sealed_case)


_SEAL_KILLED_BEFORE_THE_LOG = """
    import os, sys
    from pathlib import Path
    from evidence import _fs
    from evidence.case import Case
    from evidence.integrity.seal import seal_case

    commit = _fs.Batch.commit

    def commit_then_die(self, during=None):
        commit(self, during)  # the files are durable under their final names
        os._exit(9)  # before the custody log names them

    _fs.Batch.commit = commit_then_die
    seal_case(Case.open(Path(sys.argv[1])), actor="tester")
"""


def _kill_a_seal_before_its_log(root: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_SEAL_KILLED_BEFORE_THE_LOG), str(root)],
        cwd=Path(__file__).parents[3],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 9, result.stderr


def test_a_seal_killed_before_its_log_is_undone_by_the_next_writer(sealed_case: Path) -> None:
    """A seal writes its record files under their final names after a marker (decision
    0040): killed after the files but before the log, it leaves them and the marker;
    verify reports both, and the next seal removes them and writes them anew."""
    with _claims_file(sealed_case).open("a", encoding="utf-8") as fh:
        fh.write(CLAIM_YAML)
    log_before = (sealed_case / "custody.jsonl").read_bytes()
    _kill_a_seal_before_its_log(sealed_case)
    assert (sealed_case / "custody.jsonl").read_bytes() == log_before
    left = (sealed_case / "records" / "CLM-0017.1.json").read_bytes()
    markers = [p.name for p in sealed_case.iterdir() if JOURNAL_PATTERN.fullmatch(p.name)]
    assert len(markers) == 1
    found = {(f.check, f.path) for f in verify_case(sealed_case).problems()}
    assert ("record-unaccounted", "records/CLM-0017.1.json") in found
    assert ("case-leftover", markers[0]) in found

    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert result.recovered == 0  # removed and written again, not adopted
    assert [(s.id, s.revision) for s in result.added] == [("CLM-0017", 1)]
    assert not [p for p in sealed_case.iterdir() if JOURNAL_PATTERN.fullmatch(p.name)]
    events = [e for e in _custody(sealed_case) if e["subject"] and e["subject"]["id"] == "CLM-0017"]
    assert len(events) == 1
    assert "recovered" not in events[0]["details"]
    # the same claim, written again at another time: another record, sealed this time
    assert (sealed_case / "records" / "CLM-0017.1.json").read_bytes() != left
    _ok(sealed_case)


def test_a_planted_marker_never_removes_a_record_the_log_names(sealed_case: Path) -> None:
    """The marker only ever removes record files the custody log does not name."""
    before = _snapshot(sealed_case, ("records", "seals"))
    (sealed_case / ".unlogged-records.4242-0.tmp").write_bytes(b"planted")
    assert "case-leftover" in {f.check for f in verify_case(sealed_case).problems()}
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert result.seal is None  # nothing new
    assert _snapshot(sealed_case, ("records", "seals")) == before
    assert not (sealed_case / ".unlogged-records.4242-0.tmp").exists()
    _ok(sealed_case)


def test_with_a_marker_an_unlogged_record_is_removed_not_adopted(sealed_case: Path) -> None:
    """The marker says a seal died before its log named its files: an intact record
    file the log does not name is removed, where without a marker it is adopted."""
    _kyiv_claim_record(sealed_case)
    (sealed_case / ".unlogged-records.4242-0.tmp").write_bytes(b"")
    case = Case.open(sealed_case)
    with case.lock():
        assert case.recover(case.state(), actor="tester", now=LATER) == 0
    assert not (sealed_case / "records" / "CLM-0017.1.json").exists()
    assert not (sealed_case / ".unlogged-records.4242-0.tmp").exists()
    _ok(sealed_case)


def test_recover_uses_the_listing_of_its_own_lock_only(sealed_case: Path) -> None:
    case = Case.open(sealed_case)
    with case.lock():  # the sweep lists records/ for this lock only
        assert "CLM-0001.1.json" in case._listing["records"]
    assert case._listing == {}
    # A file left after that lock: a later recover lists the folder again and finds it.
    _kyiv_claim_record(sealed_case)
    with case.lock():
        assert case.recover(case.state(), actor="tester", now=LATER) == 1


@pytest.mark.parametrize("number", [18, 3], ids=["skips-a-number", "skips-a-revision"])
def test_a_record_the_log_cannot_account_for_is_refused(sealed_case: Path, number: int) -> None:
    if number == 3:
        # A revision that skips one: CLM-0003 has revision 1 only.
        path = sealed_case / "records" / "CLM-0003.3.json"
        path.write_bytes((sealed_case / "records" / "CLM-0003.1.json").read_bytes())
    else:
        _hand_written_claim(
            sealed_case,
            "main-impact-kyiv",
            "Kyiv was hit.",
            "with the main impact on Kyiv and Dnipro",
            number,
        )
    before = _snapshot(sealed_case)
    custody = (sealed_case / "custody.jsonl").read_bytes()
    with pytest.raises(CaseError, match="the custody log does not account for"):
        seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert _snapshot(sealed_case) == before
    assert (sealed_case / "custody.jsonl").read_bytes() == custody


def test_a_seal_file_left_without_its_event_is_adopted(sealed_case: Path) -> None:
    _edit_claims(sealed_case, "status: reported", "status: verified")
    seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    lines = (sealed_case / "custody.jsonl").read_bytes().splitlines(keepends=True)
    assert json.loads(lines[-1])["action"] == "sealed"
    # The run died after writing seals/0002.json, before appending its `sealed` event.
    (sealed_case / "custody.jsonl").write_bytes(b"".join(lines[:-1]))
    assert any(f.check == "seal-logged" for f in verify_case(sealed_case).problems())
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert result.recovered == 1
    events = [e for e in _custody(sealed_case) if e["action"] == "sealed"]
    assert [e["details"]["sequence"] for e in events] == [1, 2, 3]
    assert events[1]["details"].get("recovered") is True
    _ok(sealed_case)


_KEYS = st.text(st.characters(blacklist_categories=["Cs"]), max_size=20)


@given(
    _KEYS,
    _KEYS,
    st.text("0123456789abcdef", min_size=64, max_size=64),
    st.one_of(
        st.none(),
        st.builds(
            Supersedes,
            st.integers(1, 10**6),
            st.text("0123456789abcdef", min_size=64, max_size=64),
        ),
    ),
)
def test_claim_event_details_are_their_canonical_bytes(
    key: str, status: str, body_blake3: str, supersedes: Supersedes | None
) -> None:
    """The details bytes a seal writes for a claim event, made directly, are the RFC 8785
    bytes of the details dict (any key or status text, with or without `supersedes`)."""
    details: dict[str, Any] = {"key": key, "status": status, "body_blake3": body_blake3}
    if supersedes is not None:
        details["supersedes"] = supersedes.to_dict()
    made = seal_module._claim_details(key, status, body_blake3, supersedes)
    assert made == canonical_bytes(details)


def test_made_leaves_and_subjects_are_the_checked_ones() -> None:
    pair = digest_bytes(b"a record")
    found = seal_module._Fresh(pair.blake3, pair.sha256, b"")
    made = seal_module._made_leaf("CLM-0012", 3, found)
    checked = SealLeaf(RecordId("CLM-0012"), 3, pair.blake3, pair.sha256)
    assert made == checked
    assert made.canonical() == checked.canonical() == canonical_bytes(checked.to_dict())
    subject = Subject.made(RecordId("CLM-0012"), 3, pair.blake3)
    assert subject == Subject(RecordId("CLM-0012"), 3, pair.blake3)
    assert subject.canonical() == canonical_bytes(subject.to_dict())


def _markers(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if JOURNAL_PATTERN.fullmatch(p.name)]


def test_a_seal_stopped_after_its_log_lines_keeps_the_records_they_name(
    sealed_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seal file's bytes are made while the log's lines are written: a failure there
    leaves the lines written and the records they name in place (the batch settled),
    and the next seal seals them."""
    _edit_claims(sealed_case, "morning rush hour.", "morning rush hour, edited.")

    def failing(*args: object) -> bytes:
        raise RuntimeError("out of memory")

    with monkeypatch.context() as patch:
        patch.setattr(seal_module, "seal_file_bytes", failing)
        with pytest.raises(RuntimeError):
            seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    named = [e["subject"] for e in _custody(sealed_case) if e["action"] == "superseded"]
    assert named
    for subject in named:
        assert (sealed_case / "records" / f"{subject['id']}.{subject['revision']}.json").exists()
    assert _markers(sealed_case) == []
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert result.path is not None
    assert result.sequence == 2
    _ok(sealed_case)


def test_a_seal_whose_log_lines_fail_leaves_nothing(
    sealed_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed write of the log's lines (on its thread) leaves the log as it was and no
    record file or marker of the batch."""
    from evidence.integrity.custody import CustodyLog

    _edit_claims(sealed_case, "morning rush hour.", "morning rush hour, edited.")
    before = _snapshot(sealed_case)
    custody = (sealed_case / "custody.jsonl").read_bytes()

    def failing(self: CustodyLog, prepared: object) -> None:
        if prepared is not None:  # (recovery calls it with nothing to append)
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(CustodyLog, "write", failing)
    with pytest.raises(OSError, match="No space"):
        seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert _snapshot(sealed_case) == before
    assert (sealed_case / "custody.jsonl").read_bytes() == custody
    assert _markers(sealed_case) == []


def test_the_seal_file_has_its_name_only_once_the_log_lines_are_written(
    sealed_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seal file is written and synced while the log's lines are, under a temporary
    name: its own name comes after the lines (a crash between leaves a temporary file
    the next writer sweeps, never a seal naming lines the log does not have)."""
    from evidence.integrity.custody import CustodyHead, CustodyLog, PreparedLines

    _edit_claims(sealed_case, "morning rush hour.", "morning rush hour, edited.")
    write = CustodyLog.write
    seen: list[list[str]] = []

    def watched(self: CustodyLog, prepared: PreparedLines | None) -> CustodyHead | None:
        head = write(self, prepared)
        if prepared is not None:  # (recovery calls it with nothing to append)
            time.sleep(0.3)  # time enough for a seal that did not wait to name its file
            names = (p.name for p in (sealed_case / "seals").iterdir())
            seen.append(sorted(n for n in names if not n.startswith(".")))  # not temporary
        return head

    monkeypatch.setattr(CustodyLog, "write", watched)
    result = seal_case(Case.open(sealed_case), actor="tester", now=LATER)
    assert result.path is not None
    assert result.path.name == "0002.json"
    lines, sealed = seen  # as the records' lines were written, then the `sealed` line
    assert lines == ["0001.json"]
    assert sealed == ["0001.json", "0002.json"]
    assert sorted(p.name for p in (sealed_case / "seals").iterdir()) == sealed  # none left
    assert sorted(p.name for p in (sealed_case / "seals").iterdir()) == ["0001.json", "0002.json"]
    _ok(sealed_case)


def test_a_call_beside_is_waited_for_when_the_caller_is_interrupted() -> None:
    """Ctrl-C while the seal waits for its log write: the write ends first (the batch
    is never undone under lines being written), then the interruption is raised."""
    import signal
    import threading
    import time

    done, sent = threading.Event(), threading.Event()
    main = threading.main_thread().ident or 0

    def slow() -> None:
        sent.wait(30)  # the interruption comes while the call runs, however slow the machine
        time.sleep(0.05)
        done.set()

    def waiting_in_join() -> bool:
        frame = sys._current_frames().get(main)
        while frame is not None:
            if frame.f_code is seal_module._Beside.join.__code__:
                return True
            frame = frame.f_back
        return False

    def interrupt() -> None:
        deadline = time.monotonic() + 30
        while not waiting_in_join() and time.monotonic() < deadline:
            time.sleep(0.005)
        signal.pthread_kill(main, signal.SIGINT)
        sent.set()

    side = seal_module._Beside(slow)
    threading.Thread(target=interrupt).start()  # once the join below is waiting
    with pytest.raises(KeyboardInterrupt):
        side.join()
    assert done.is_set()
    failing = seal_module._Beside(lambda: 1 // 0)
    with pytest.raises(ZeroDivisionError):
        failing.join()
