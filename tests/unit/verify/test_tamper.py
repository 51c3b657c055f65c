"""Tampering with a real sealed case: verify must find each change and name it.

Each test takes a fresh copy of the sealed example (fixture ``sealed_case``), changes one
thing the way a careless hand or a forger would, and asserts the check that catches it
and the file (and record) it names. Where a forger would also fix every digest, the
custody chain and the seal around the change (:class:`Forger`), the test shows that a
check of meaning still catches it: the quote offsets, the order of leaves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evidence.canonical import canonical_bytes
from evidence.case import Case
from evidence.digest import digest_bytes
from evidence.ingest.add import add_source
from evidence.integrity.merkle import leaf_hash, tree_root
from evidence.integrity.seal import seal_case
from evidence.report import Finding
from evidence.store import envelope_bytes, record_slice
from evidence.verify import verify_case
from tests.conftest import FIXED_NOW

CORE = Path(__file__).parents[2] / "data" / "core"
RECORD_EVENTS = ("collected", "claim-recorded", "superseded")


def problems(root: Path) -> list[Finding]:
    report = verify_case(root)
    assert not report.ok, "verify passed a tampered case"
    return report.problems()


def named(root: Path) -> set[tuple[str, str | None, str | None]]:
    """(check, path, record) of every FAIL or ERROR."""
    return {(f.check, f.path, f.record) for f in problems(root)}


def checks(root: Path) -> set[str]:
    return {f.check for f in problems(root)}


def _record_doc(root: Path, name: str) -> dict[str, Any]:
    data = record_slice((root / "records" / name).read_bytes())
    assert data is not None
    doc: dict[str, Any] = json.loads(data)
    return doc


class Forger:
    """Rewrites a case consistently around a change: re-signs the record files it changed
    (and the claims that pin a changed source), fixes the subjects of their custody
    events, re-chains the whole log, rebuilds every seal (leaves, root, custody head,
    previous) and the `sealed` events. Only what no digest can vouch for is left wrong."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def record(self, name: str, edit: Callable[[dict[str, Any]], None]) -> None:
        doc = _record_doc(self.root, name)
        edit(doc)
        self._write(name, doc)
        if doc["kind"] == "source":
            self._repin(doc["id"], doc["revision"])
        self.rechain()

    def _write(self, name: str, doc: dict[str, Any]) -> None:
        (self.root / "records" / name).write_bytes(envelope_bytes(canonical_bytes(doc)))

    def _digest(self, record_id: str, revision: int) -> str:
        data = record_slice((self.root / "records" / f"{record_id}.{revision}.json").read_bytes())
        return digest_bytes(data or b"").blake3

    def _repin(self, source_id: str, revision: int) -> None:
        pin = self._digest(source_id, revision)
        for path in sorted((self.root / "records").glob("CLM-*.json")):
            doc = _record_doc(self.root, path.name)
            if (doc["body"]["source"]["id"], doc["body"]["source"]["revision"]) == (
                source_id,
                revision,
            ):
                doc["body"]["source"]["blake3"] = pin
                self._write(path.name, doc)

    def rechain(self, leaf_order: Callable[[list[dict[str, Any]]], None] | None = None) -> None:
        lines = (self.root / "custody.jsonl").read_bytes().splitlines()
        out: list[bytes] = []
        seals: list[tuple[dict[str, Any], bytes]] = []
        prev = None
        for raw in lines:
            event = json.loads(raw)
            subject = event["subject"]
            if event["action"] in RECORD_EVENTS and subject is not None:
                subject["blake3"] = self._digest(subject["id"], subject["revision"])
            if event["action"] == "sealed":
                seal, data = self._reseal(event["details"]["sequence"], out, seals, leaf_order)
                event["details"]["sha256"] = hashlib.sha256(data).hexdigest()
                event["details"]["root"] = seal["tree"]["root"]
                seals.append((seal, data))
            event["prev"] = prev
            line = canonical_bytes(event)
            out.append(line)
            prev = hashlib.sha256(line).hexdigest()
        (self.root / "custody.jsonl").write_bytes(b"".join(line + b"\n" for line in out))

    def _reseal(
        self,
        sequence: int,
        lines: list[bytes],
        seals: list[tuple[dict[str, Any], bytes]],
        leaf_order: Callable[[list[dict[str, Any]]], None] | None,
    ) -> tuple[dict[str, Any], bytes]:
        path = self.root / "seals" / f"{sequence:04d}.json"
        seal: dict[str, Any] = json.loads(path.read_bytes())
        if leaf_order is not None:
            leaf_order(seal["leaves"])
        hashes = []
        for leaf in seal["leaves"]:
            data = (
                record_slice(
                    (self.root / "records" / f"{leaf['id']}.{leaf['revision']}.json").read_bytes()
                )
                or b""
            )
            pair = digest_bytes(data)
            leaf["blake3"], leaf["sha256"] = pair.blake3, pair.sha256
            hashes.append(leaf_hash(data))
        seal["tree"]["root"] = tree_root(hashes).hex()
        head = seal["custody"]["seq"]
        seal["custody"]["sha256"] = hashlib.sha256(lines[head - 1]).hexdigest()
        if seals:
            before, before_bytes = seals[-1]
            seal["previous"] = {
                "sequence": before["sequence"],
                "root": before["tree"]["root"],
                "sha256": hashlib.sha256(before_bytes).hexdigest(),
            }
        data = canonical_bytes(seal) + b"\n"
        path.write_bytes(data)
        return seal, data


def test_the_untouched_copy_verifies(sealed_case: Path) -> None:
    assert verify_case(sealed_case).ok


def test_the_forger_alone_changes_nothing_verify_can_see(sealed_case: Path) -> None:
    """The forger's own work is invisible: what the tests below find is the change."""
    forger = Forger(sealed_case)
    forger.record("CLM-0003.1.json", lambda doc: None)
    forger.record("SRC-0001.1.json", lambda doc: None)
    assert verify_case(sealed_case).ok


# -- objects --------------------------------------------------------------------------------


def _objects(root: Path) -> dict[str, Path]:
    doc = _record_doc(root, "SRC-0001.1.json")["body"]
    return {
        "raw": root / "objects" / doc["object"]["blake3"][:2] / doc["object"]["blake3"],
        "text": root / "objects" / doc["text"]["blake3"][:2] / doc["text"]["blake3"],
    }


@pytest.mark.parametrize("which", ["raw", "text"])
@pytest.mark.parametrize("where", [0, 1000, -1], ids=["first", "middle", "last"])
def test_a_flipped_byte_in_an_object(sealed_case: Path, which: str, where: int) -> None:
    path = _objects(sealed_case)[which]
    data = bytearray(path.read_bytes())
    data[where] ^= 0x01
    path.write_bytes(bytes(data))
    rel = str(path.relative_to(sealed_case))
    found = named(sealed_case)
    assert ("object-digest", rel, None) in found
    check = "source-object" if which == "raw" else "source-text"
    assert (check, "records/SRC-0001.1.json", "SRC-0001.1") in found


def test_a_deleted_object(sealed_case: Path) -> None:
    _objects(sealed_case)["raw"].unlink()
    assert ("source-object", "records/SRC-0001.1.json", "SRC-0001.1") in named(sealed_case)


def test_a_text_object_swapped_for_another_text(sealed_case: Path) -> None:
    """The text object's bytes replaced by another article's normalised text."""
    path = _objects(sealed_case)["text"]
    other = "Repair crews began work on Tuesday at the children's hospital.\n"
    path.write_text(other, encoding="utf-8")
    found = named(sealed_case)
    assert ("object-digest", str(path.relative_to(sealed_case)), None) in found
    assert ("source-text", "records/SRC-0001.1.json", "SRC-0001.1") in found


def test_a_source_pointed_at_another_text_object(sealed_case: Path) -> None:
    """A forger points SRC-0001 at another source's text and fixes every digest: the
    claims' quotes no longer select what they quote."""
    own_text = _objects(sealed_case)["text"].relative_to(sealed_case)
    add_source(
        Case.open(sealed_case),
        CORE / "article_front_matter.md",
        actor="tester",
        now=FIXED_NOW + dt.timedelta(hours=1),
    )
    assert seal_case(Case.open(sealed_case), actor="tester").seal is not None
    other = _record_doc(sealed_case, "SRC-0002.1.json")["body"]["text"]

    def swap(doc: dict[str, Any]) -> None:
        doc["body"]["text"] = dict(other)

    Forger(sealed_case).record("SRC-0001.1.json", swap)
    found = problems(sealed_case)
    # SRC-0001's own text object is left without a record naming it (closed world).
    orphans = [f for f in found if f.check == "object-unreferenced"]
    assert [f.path for f in orphans] == [str(own_text)]
    found = [f for f in found if f.check != "object-unreferenced"]
    assert {f.check for f in found} == {"claim-quote"}
    assert {(f.path, f.record) for f in found} == {
        (f"records/CLM-{n:04d}.1.json", f"CLM-{n:04d}.1") for n in range(1, 17)
    }


# -- records --------------------------------------------------------------------------------


def test_an_edited_record_file(sealed_case: Path) -> None:
    path = sealed_case / "records" / "CLM-0003.1.json"
    path.write_bytes(path.read_bytes().replace(b"during rush hour", b"during the night"))
    found = named(sealed_case)
    assert ("record-digest", "records/CLM-0003.1.json", "CLM-0003.1") in found
    assert ("seal-leaf", "seals/0001.json", "CLM-0003.1") in found
    assert ("custody-record", "custody.jsonl", "CLM-0003.1") in found


def test_the_named_tampered_record_file(sealed_case: Path) -> None:
    shutil.copy(CORE / "record_tampered_digest.json", sealed_case / "records" / "CLM-0003.1.json")
    assert ("record-digest", "records/CLM-0003.1.json", "CLM-0003.1") in named(sealed_case)


def test_an_edited_record_with_its_digests_redone(sealed_case: Path) -> None:
    name = "CLM-0009.1.json"
    doc = _record_doc(sealed_case, name)
    doc["body"]["facts"]["killed"]["value"] = 2  # "about 20" becomes "about 2"
    (sealed_case / "records" / name).write_bytes(envelope_bytes(canonical_bytes(doc)))
    found = named(sealed_case)
    assert ("record-digest", f"records/{name}", "CLM-0009.1") not in found
    assert ("seal-leaf", "seals/0001.json", "CLM-0009.1") in found
    assert ("custody-record", "custody.jsonl", "CLM-0009.1") in found
    assert "seal-root" in {c for c, _, _ in found}


def test_a_record_file_not_in_canonical_form(sealed_case: Path) -> None:
    path = sealed_case / "records" / "CLM-0004.1.json"
    path.write_bytes(path.read_bytes().replace(b'"record":{', b'"record": {', 1))
    assert ("record-form", "records/CLM-0004.1.json", "CLM-0004.1") in named(sealed_case)


def test_a_deleted_record_file(sealed_case: Path) -> None:
    (sealed_case / "records" / "CLM-0007.1.json").unlink()
    found = named(sealed_case)
    assert ("seal-leaf", "seals/0001.json", "CLM-0007.1") in found
    assert ("custody-record", "custody.jsonl", "CLM-0007.1") in found


def test_an_added_record_file(sealed_case: Path) -> None:
    doc = _record_doc(sealed_case, "CLM-0016.1.json")
    doc["id"] = "CLM-0017"
    doc["body"]["key"] = "an-extra-claim"
    (sealed_case / "records" / "CLM-0017.1.json").write_bytes(envelope_bytes(canonical_bytes(doc)))
    assert named(sealed_case) == {("record-unaccounted", "records/CLM-0017.1.json", "CLM-0017.1")}


def test_an_added_revision(sealed_case: Path) -> None:
    doc = _record_doc(sealed_case, "CLM-0002.1.json")
    doc["revision"] = 2
    doc["supersedes"] = {
        "revision": 1,
        "blake3": Case.open(sealed_case).state().latest["CLM-0002"].blake3,
    }
    doc["body"]["status"] = "withdrawn"
    (sealed_case / "records" / "CLM-0002.2.json").write_bytes(envelope_bytes(canonical_bytes(doc)))
    assert ("record-unaccounted", "records/CLM-0002.2.json", "CLM-0002.2") in named(sealed_case)


def test_a_stray_file_in_records(sealed_case: Path) -> None:
    (sealed_case / "records" / "notes.txt").write_text("to do", encoding="utf-8")
    assert ("record-name", "records/notes.txt", None) in named(sealed_case)


def test_a_record_renamed(sealed_case: Path) -> None:
    records = sealed_case / "records"
    (records / "CLM-0005.1.json").rename(records / "CLM-0005.2.json")
    found = named(sealed_case)
    assert ("record-name", "records/CLM-0005.2.json", "CLM-0005.2") in found
    assert ("seal-leaf", "seals/0001.json", "CLM-0005.1") in found


# -- seals ----------------------------------------------------------------------------------


def _edit_seal(root: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = root / "seals" / "0001.json"
    seal = json.loads(path.read_bytes())
    edit(seal)
    path.write_bytes(canonical_bytes(seal) + b"\n")


def _drop_last_leaf(seal: dict[str, Any]) -> None:
    seal["leaves"].pop()
    seal["tree"]["size"] -= 1


SEAL_EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "sealed-at": (lambda s: s.update(sealed_at="2026-11-28T10:12:03.123456Z"), "seal-logged"),
    "root": (lambda s: s["tree"].update(root="ab" * 32), "seal-root"),
    "leaf-digest": (lambda s: s["leaves"][3].update(blake3="cd" * 32), "seal-leaf"),
    "leaf-dropped": (_drop_last_leaf, "seal-root"),
    "custody-head": (lambda s: s["custody"].update(sha256="ef" * 32), "seal-custody"),
    "custody-head-beyond": (lambda s: s["custody"].update(seq=999), "seal-custody"),
    "case-id": (lambda s: s.update(case_id="ANOTHER-CASE"), "seal-case"),
    "sequence": (lambda s: s.update(sequence=2), "seal-chain"),
    "unknown-field": (lambda s: s.update(comment="looks fine"), "seal-schema"),
    "algorithm": (lambda s: s["tree"].update(alg="sha1"), "seal-schema"),
}


@pytest.mark.parametrize(("edit", "check"), SEAL_EDITS.values(), ids=SEAL_EDITS.keys())
def test_an_edited_seal(
    sealed_case: Path, edit: Callable[[dict[str, Any]], None], check: str
) -> None:
    _edit_seal(sealed_case, edit)
    assert (check, "seals/0001.json") in {(c, p) for c, p, _ in named(sealed_case)}


def test_a_seal_byte_changed_outside_json(sealed_case: Path) -> None:
    path = sealed_case / "seals" / "0001.json"
    path.write_bytes(path.read_bytes().rstrip(b"\n") + b"  \n")
    assert ("seal-logged", "seals/0001.json") in {(c, p) for c, p, _ in named(sealed_case)}


def test_a_deleted_seal(sealed_case: Path) -> None:
    """The custody log says seal 1 was made: its file missing is a finding, not 'no seal
    yet'."""
    (sealed_case / "seals" / "0001.json").unlink()
    found = problems(sealed_case)
    assert any(f.path == "seals/0001.json" and f.check.startswith("seal-") for f in found), [
        str(f) for f in found
    ]


def test_leaves_reordered_with_the_root_recomputed(sealed_case: Path) -> None:
    """Two leaves swapped, the root, the seal digest and its `sealed` event all redone:
    only the order of entry (the custody log) tells."""

    def swap(leaves: list[dict[str, Any]]) -> None:
        leaves[4], leaves[9] = leaves[9], leaves[4]

    Forger(sealed_case).rechain(leaf_order=swap)
    found = problems(sealed_case)
    assert {f.check for f in found} == {"seal-order"}
    assert {(f.path, f.record) for f in found} == {
        ("seals/0001.json", "CLM-0004.1"),
        ("seals/0001.json", "CLM-0009.1"),
    }


# -- custody --------------------------------------------------------------------------------


def _custody_lines(root: Path) -> list[bytes]:
    return (root / "custody.jsonl").read_bytes().splitlines()


def _write_custody(root: Path, lines: list[bytes]) -> None:
    (root / "custody.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))


def test_a_custody_line_edited(sealed_case: Path) -> None:
    lines = _custody_lines(sealed_case)
    event = json.loads(lines[4])
    event["actor"] = "someone else"
    lines[4] = canonical_bytes(event)
    _write_custody(sealed_case, lines)
    found = problems(sealed_case)
    assert {(f.check, f.path, f.line) for f in found} == {("custody-chain", "custody.jsonl", 6)}


def test_a_custody_line_removed(sealed_case: Path) -> None:
    lines = _custody_lines(sealed_case)
    del lines[5]
    _write_custody(sealed_case, lines)
    found = problems(sealed_case)
    assert ("custody-chain", "custody.jsonl", 6) in {(f.check, f.path, f.line) for f in found}
    assert ("record-unaccounted", "records/CLM-0004.1.json") in {(f.check, f.path) for f in found}


def test_custody_lines_reordered(sealed_case: Path) -> None:
    lines = _custody_lines(sealed_case)
    lines[2], lines[3] = lines[3], lines[2]
    _write_custody(sealed_case, lines)
    found = {(f.check, f.path, f.line) for f in problems(sealed_case)}
    assert {("custody-chain", "custody.jsonl", 3), ("custody-chain", "custody.jsonl", 4)} <= found


def test_a_custody_line_that_is_not_json(sealed_case: Path) -> None:
    lines = _custody_lines(sealed_case)
    lines[2] = lines[2][:-5]
    _write_custody(sealed_case, lines)
    found = {(f.check, f.path, f.line) for f in problems(sealed_case)}
    assert ("custody-line", "custody.jsonl", 3) in found


# -- quotes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shift", [1, -1, 40], ids=["one-right", "one-left", "elsewhere"])
def test_quote_offsets_that_no_longer_select_the_quote(sealed_case: Path, shift: int) -> None:
    """Offsets moved, every digest, the custody chain and the seal redone: only the quote
    check, reading the source text, can tell."""

    def move(doc: dict[str, Any]) -> None:
        doc["body"]["quote"]["start"] += shift
        doc["body"]["quote"]["end"] += shift

    Forger(sealed_case).record("CLM-0005.1.json", move)
    found = problems(sealed_case)
    assert [(f.check, f.path, f.record) for f in found] == [
        ("claim-quote", "records/CLM-0005.1.json", "CLM-0005.1")
    ]
    assert "select" in found[0].message


def test_quote_context_that_does_not_match(sealed_case: Path) -> None:
    def reword(doc: dict[str, Any]) -> None:
        doc["body"]["quote"]["prefix"] = doc["body"]["quote"]["prefix"].replace("e", "a")

    Forger(sealed_case).record("CLM-0011.1.json", reword)
    found = problems(sealed_case)
    assert [(f.check, f.path, f.record) for f in found] == [
        ("claim-quote", "records/CLM-0011.1.json", "CLM-0011.1")
    ]


def test_a_claim_pinned_to_another_source_digest(sealed_case: Path) -> None:
    def repin(doc: dict[str, Any]) -> None:
        doc["body"]["source"]["blake3"] = "0" * 64

    Forger(sealed_case).record("CLM-0001.1.json", repin)
    found = problems(sealed_case)
    assert [(f.check, f.path, f.record) for f in found] == [
        ("claim-source", "records/CLM-0001.1.json", "CLM-0001.1")
    ]
