"""The custody log: append-only, hash-chained; any edit, removal or swap is found by verify."""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.canonical import canonical_bytes
from evidence.case import Case
from evidence.digest import Blake3Hex
from evidence.errors import CanonicalError, CaseError, SchemaError
from evidence.integrity.custody import CustodyLog, NewEvent, event_line, line_digest
from evidence.model import CustodyEvent, RecordId, Subject
from evidence.verify import verify_case
from tests.conftest import FIXED_NOW

CUSTODY_CHECKS = {"custody-line", "custody-chain", "custody-record", "seal-custody", "seal-logged"}


def test_appended_events_are_chained(new_case: Case) -> None:
    log = new_case.custody
    subject = Subject("SRC-0001", 1, "ab" * 32)  # type: ignore[arg-type]
    with new_case.lock():
        written = log.append(
            [
                NewEvent("verified", None, {"ok": True}),
                NewEvent("rendered", subject, {"file": "out/d.pdf"}),
            ],
            actor="Ана",
            now=FIXED_NOW,
        )
    raw = log.path.read_bytes()
    assert raw.endswith(b"\n")
    lines = raw.split(b"\n")[:-1]
    assert written == log.head()
    assert [json.loads(line)["seq"] for line in lines[-2:]] == [2, 3]
    assert json.loads(lines[0])["prev"] is None
    for before, line in itertools.pairwise(lines):
        assert json.loads(line)["prev"] == hashlib.sha256(before).hexdigest()
        assert canonical_bytes(json.loads(line)) == line
    for line in lines:
        assert event_line(CustodyEvent.from_dict(json.loads(line))) == line
    head = log.head()
    assert head is not None
    assert (head.seq, head.sha256) == (3, line_digest(lines[-1]))
    parsed = [line.data for line in log.lines()]
    assert parsed[2]["subject"] == {"id": "SRC-0001", "revision": 1, "blake3": "ab" * 32}
    assert parsed[1]["actor"] == "Ана"
    assert parsed[1]["at"] == "2026-11-29T10:12:03.123456Z"


_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)
_SUBJECTS = st.none() | st.builds(
    Subject,
    st.from_regex(r"(SRC|CLM)-[0-9]{4,6}", fullmatch=True),
    st.integers(1, 2**53 - 1),
    st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    events=st.lists(
        st.tuples(
            st.sampled_from(["collected", "claim-recorded", "verified", "exported"]),
            _SUBJECTS,
            st.dictionaries(_TEXT, _JSON, max_size=4),
        ),
        min_size=1,
        max_size=5,
    ),
    actor=_TEXT,
)
def test_appended_lines_are_the_events_rfc8785_bytes(
    tmp_path: Path, events: list[tuple[str, Subject | None, dict[str, object]]], actor: str
) -> None:
    """Lines are assembled from parts, without a CustodyEvent per line: each must be
    exactly event_line() of the event it holds, and chained."""
    log = CustodyLog(tmp_path / f"custody-{len(list(tmp_path.iterdir()))}.jsonl")
    head = log.append(
        [NewEvent(a, s, d) for a, s, d in events],  # type: ignore[arg-type]
        actor=actor,
        now=FIXED_NOW,
    )
    lines = log.path.read_bytes().split(b"\n")[:-1]
    prev = None
    for line, (action, subject, details) in zip(lines, events, strict=True):
        event = CustodyEvent.from_dict(json.loads(line))
        assert event_line(event) == line
        assert (event.action, event.subject, event.prev) == (action, subject, prev)
        assert json.loads(line)["details"] == details
        prev = line_digest(line)
    assert head is not None
    assert (head.seq, head.sha256) == (len(events), prev)


@pytest.mark.parametrize(
    ("event", "error"),
    [
        (NewEvent("deleted", None, {}), SchemaError),  # type: ignore[arg-type]
        (NewEvent("verified", None, ["not", "an", "object"]), SchemaError),  # type: ignore[arg-type]
        (NewEvent("verified", None, {"x": float("nan")}), CanonicalError),
    ],
)
def test_an_event_the_model_refuses_writes_nothing(
    new_case: Case, event: NewEvent, error: type[Exception]
) -> None:
    before = new_case.custody.path.read_bytes()
    with new_case.lock(), pytest.raises(error):
        new_case.custody.append([NewEvent("verified"), event], actor="x", now=FIXED_NOW)
    assert new_case.custody.path.read_bytes() == before


def test_appending_nothing_writes_nothing(new_case: Case) -> None:
    before = new_case.custody.path.stat()
    with new_case.lock():
        assert new_case.custody.append([], actor="x") is None
    assert new_case.custody.path.stat().st_mtime_ns == before.st_mtime_ns
    assert new_case.custody.path.stat().st_size == before.st_size


def test_a_last_line_without_its_line_end_gets_it_before_an_append(new_case: Case) -> None:
    """An editor or a tool that drops the log's final line end must not make the next
    append join two events in one line: the line end is written first, and the chain
    (digests of the lines without their ends) is unchanged."""
    log = new_case.custody
    before = log.path.read_bytes()
    log.path.write_bytes(before[:-1])
    head = log.head()
    with new_case.lock():
        log.append([NewEvent("verified", None, {"ok": True})], actor="tester", now=FIXED_NOW)
    raw = log.path.read_bytes()
    assert raw.startswith(before)
    lines = raw.split(b"\n")[:-1]
    assert all(json.loads(line) for line in lines)
    assert head is not None
    assert json.loads(lines[-1])["prev"] == head.sha256
    assert verify_case(new_case.root).ok


def test_a_torn_last_line_stops_an_append_before_it_writes(new_case: Case) -> None:
    log = new_case.custody
    torn = log.path.read_bytes()[:-5]
    log.path.write_bytes(torn)
    with new_case.lock(), pytest.raises(Exception, match="not valid JSON"):
        log.append([NewEvent("verified", None, {"ok": True})], actor="tester", now=FIXED_NOW)
    assert log.path.read_bytes() == torn


def test_head_of_a_missing_or_empty_log(tmp_path: Path) -> None:
    log = CustodyLog(tmp_path / "custody.jsonl")
    assert log.head() is None
    assert list(log.lines()) == []
    log.path.write_bytes(b"")
    assert log.head() is None


def test_head_reads_a_last_line_longer_than_its_read_chunk(new_case: Case) -> None:
    # The head is read from the end of the file in chunks; a long last line spans several.
    with new_case.lock():
        new_case.custody.append(
            [NewEvent("exported", None, {"note": "ж" * 150_000})], actor="x", now=FIXED_NOW
        )
        new_case.custody.append(
            [NewEvent("exported", None, {"note": "z" * 70_000})], actor="x", now=FIXED_NOW
        )
    last = new_case.custody.path.read_bytes().split(b"\n")[-2]
    head = new_case.custody.head()
    assert head is not None
    assert (head.seq, head.sha256) == (3, line_digest(last))
    with new_case.lock():
        new_case.custody.append([NewEvent("verified")], actor="x")
    assert json.loads(new_case.custody.path.read_bytes().split(b"\n")[-2])["prev"] == (
        line_digest(last)
    )


@pytest.mark.parametrize(
    "line",
    [
        b"not json at all",
        b"[1, 2, 3]",
        b'{"seq": 2, "action": "collected", "subject": {"id": "SRC-0001"}}',
    ],
    ids=["not-json", "not-an-object", "malformed-subject"],
)
def test_state_of_a_damaged_log_is_a_case_error(new_case: Case, line: bytes) -> None:
    with new_case.custody.path.open("ab") as fh:
        fh.write(line + b"\n")
    with pytest.raises(CaseError, match=r"custody\.jsonl line 2") as info:
        new_case.state()
    assert "evidence verify" in info.value.diagnostics()


# -- Hypothesis: tampering with the log of a real sealed case ------------------------------


@pytest.fixture(scope="module")
def log_case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sealed example whose custody log the tests below rewrite and restore."""
    root = tmp_path_factory.mktemp("custody") / "case"
    shutil.copytree(request.getfixturevalue("_demo_template"), root)
    (root / "custody.jsonl").chmod(0o644)
    return root


def _lines(root: Path) -> list[bytes]:
    return (root / "custody.jsonl").read_bytes().split(b"\n")[:-1]


def _verify_with(root: Path, lines: list[bytes]) -> list[tuple[str, str | None]]:
    original = (root / "custody.jsonl").read_bytes()
    try:
        (root / "custody.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))
        report = verify_case(root)
    finally:
        (root / "custody.jsonl").write_bytes(original)
    assert not report.ok
    return [(f.check, f.path) for f in report.problems()]


def test_the_untouched_log_verifies(log_case: Path) -> None:
    assert verify_case(log_case).ok
    assert len(_lines(log_case)) > 10


def _sealed_index(lines: list[bytes]) -> int:
    """Index of the last `sealed` event: the lines up to it are what the seal pins."""
    return max(i for i, line in enumerate(lines) if json.loads(line)["action"] == "sealed")


@st.composite
def _tampered(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    """One edit, removal, swap or duplication touching the part of the log a seal pins.

    Lines after the last `sealed` event (the demo's `rendered` events) are pinned by no
    seal yet, and neither is the `sealed` line itself beyond its sequence, root and seal
    digest (the test below); the next seal's custody head pins them.
    """
    out = list(lines)
    last = _sealed_index(out)
    kind = draw(st.sampled_from(["edit", "remove", "swap", "duplicate"]))
    if kind == "edit":
        index = draw(st.integers(0, last - 1))
        line = bytearray(out[index])
        at = draw(st.integers(0, len(line) - 1))
        line[at] = draw(st.integers(0, 255).filter(lambda b: b != line[at]))
        out[index] = bytes(line)
    elif kind == "remove":
        del out[draw(st.integers(0, last))]
    elif kind == "swap":
        i = draw(st.integers(0, last))
        j = draw(st.integers(0, len(out) - 1).filter(lambda j: j != i))
        out[i], out[j] = out[j], out[i]
    else:
        index = draw(st.integers(0, last))
        out.insert(index, out[index])
    return out


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_edit_removal_swap_or_duplicate_is_found(log_case: Path, data: st.DataObject) -> None:
    tampered = data.draw(_tampered(_lines(log_case)))
    problems = _verify_with(log_case, tampered)
    named = [(check, path) for check, path in problems if check in CUSTODY_CHECKS]
    assert named, problems
    assert all(path in ("custody.jsonl", "seals/0001.json") for _, path in named)


@pytest.mark.parametrize("field", ["sequence", "root", "sha256"])
def test_the_last_sealed_event_is_checked_against_its_seal(log_case: Path, field: str) -> None:
    lines = _lines(log_case)
    last = _sealed_index(lines)
    event = json.loads(lines[last])
    event["details"][field] = 7 if field == "sequence" else "0" * 64
    lines[last] = canonical_bytes(event)
    problems = _verify_with(log_case, lines)
    assert ("seal-logged", "seals/0001.json") in problems


def test_a_log_truncated_to_before_the_seal_head_is_found(log_case: Path) -> None:
    lines = _lines(log_case)
    problems = _verify_with(log_case, lines[: _sealed_index(lines) - 2])
    assert ("seal-custody", "seals/0001.json") in problems
    assert ("seal-logged", "seals/0001.json") in problems


def test_the_demo_log_uses_the_actor_and_clock_it_was_given(log_case: Path) -> None:
    """``build_demo(actor=..., now=...)``: time is a parameter, so every event of the log,
    the dossier renders included, carries the actor and time the caller gave."""
    events = [json.loads(line) for line in _lines(log_case)]
    assert {(e["actor"], e["at"]) for e in events} == {("tester", "2026-11-29T10:12:03.123456Z")}, (
        sorted({(e["action"], e["actor"], e["at"]) for e in events})
    )


def test_details_given_as_bytes_are_written_as_given(tmp_path: Path) -> None:
    """An event that carries its details' bytes (a seal's claim events) is written with
    those bytes: the line is the event_line() of the same event with the dict."""
    log = CustodyLog(tmp_path / "custody.jsonl")
    subject = Subject(RecordId("CLM-0001"), 1, Blake3Hex("c" * 64))
    details = {"key": "k «é»", "status": "reported", "body_blake3": "d" * 64}
    prepared = log.prepare(
        [NewEvent("claim-recorded", subject, details, canonical_bytes(details))],
        actor="tester",
        now=FIXED_NOW,
    )
    assert prepared is not None
    line = prepared.data.rstrip(b"\n")
    at = json.loads(line)["at"]
    assert line == event_line(
        CustodyEvent(1, at, "tester", "claim-recorded", subject, details, None)
    )
