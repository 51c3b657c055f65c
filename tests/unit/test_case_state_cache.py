"""Case.state(cached=True): the same state as a full parse of the custody log, whatever
the cache holds (docs/decisions/0021)."""

from __future__ import annotations

import datetime as dt
import io
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import blake3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.case import Case, Digests, Entries, _read_prefix, _StateCache
from evidence.digest import Blake3Hex
from evidence.errors import CaseError
from evidence.integrity.seal import seal_case
from tests.conftest import FIXED_NOW


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(folder))
    monkeypatch.setattr(_StateCache, "MIN_NEW_LINES", 1)  # keep an entry for any log
    return folder / "state-v4"


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _add_claim(root: Path, n: int) -> None:
    (root / "claims" / f"extra-{n}.yaml").write_text(
        f"source: SRC-0001\nclaims:\n  - key: extra-{n}\n    statement: Extra claim {n}.\n",
        encoding="utf-8",
    )


def test_cached_state_is_the_parsed_state(sealed_case: Path, cache: Path) -> None:
    case = Case.open(sealed_case)
    assert case.state(cached=True) == case.state()  # cold: parses all, keeps an entry
    assert len(_entries(cache)) == 1
    assert case.state(cached=True) == case.state()  # warm: nothing new to parse
    for n in range(2):  # the log grows: only the new lines are parsed
        _add_claim(sealed_case, n)
        seal_case(case, actor="tester", now=FIXED_NOW + dt.timedelta(hours=n + 1))
        assert case.state(cached=True) == case.state()


def test_an_entry_for_other_bytes_is_not_used(sealed_case: Path, cache: Path) -> None:
    case = Case.open(sealed_case)
    case.state(cached=True)
    log = sealed_case / "custody.jsonl"
    data = log.read_bytes()
    # The same length, one letter of a claim key changed: the prefix digest differs, and
    # the state must show the changed key, as a full parse does.
    at = data.index(b'"key":"') + len(b'"key":"')
    log.write_bytes(data[:at] + b"Z" + data[at + 1 :])
    changed = case.state(cached=True)
    assert changed == case.state()
    assert any(key.startswith("Z") for key in changed.claim_keys)
    log.write_bytes(data[: len(data) // 2])  # shorter than the entry's prefix
    with pytest.raises(CaseError):  # half a line, as without the cache
        case.state()
    with pytest.raises(CaseError, match="is not a JSON object"):
        case.state(cached=True)


@pytest.mark.parametrize("damage", ["torn", "flipped", "empty", "garbage"])
def test_a_damaged_entry_is_a_miss(sealed_case: Path, cache: Path, damage: str) -> None:
    case = Case.open(sealed_case)
    expected = case.state()
    case.state(cached=True)
    (entry,) = _entries(cache)
    data = entry.read_bytes()
    entry.write_bytes(
        {
            "torn": data[: len(data) // 2],
            "flipped": data[:-5] + bytes([data[-5] ^ 1]) + data[-4:],
            "empty": b"",
            "garbage": b"x y z w\n" + data,
        }[damage]
    )
    assert case.state(cached=True) == expected


def test_an_unusable_cache_folder_changes_nothing(
    sealed_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(_StateCache, "MIN_NEW_LINES", 1)
    case = Case.open(sealed_case)
    assert case.state(cached=True) == case.state()


@pytest.mark.parametrize(
    "forge",
    [
        lambda raw: raw["revisions"].append(1),  # one more revision than ids
        lambda raw: raw.update(blake3=raw["blake3"][:-1]),  # a digest short
        lambda raw: raw.update(blake3=raw["blake3"].decode()),  # not the packed bytes
        lambda raw: raw.update(blake3=b"\xff" + raw["blake3"][1:]),  # not ASCII
        lambda raw: raw["ids"].__setitem__(0, 7),  # an id that is no string
        lambda raw: raw["revisions"].__setitem__(0, "1"),  # a revision that is no number
        lambda raw: raw.update(ids=tuple(raw["ids"])),  # not the column kept
        lambda raw: raw.update(claim_keys=list(raw["claim_keys"].items())),  # not a dict
        lambda raw: raw.update(claim_status=b"not marshal"),  # read when asked: from the log
        lambda raw: raw.update(claim_status=marshal.dumps([1])),  # not a dict: from the log
        lambda raw: raw.update(source_by_object=marshal.dumps(None)),  # idem
        lambda raw: raw.update(claim_status={}),  # not kept encoded
    ],
)
def test_forged_columns_with_a_fixed_up_checksum_are_a_miss(
    sealed_case: Path, cache: Path, forge: Callable[[dict[str, Any]], object]
) -> None:
    case = Case.open(sealed_case)
    expected = case.state()
    case.state(cached=True)
    (entry,) = _entries(cache)
    head, _, payload = entry.read_bytes().partition(b"\n")
    raw = marshal.loads(payload)
    forge(raw)
    payload = marshal.dumps(raw)
    _, length, lines, prefix = head.decode().split(" ")
    checksum = blake3.blake3(payload).hexdigest()
    entry.write_bytes(f"{checksum} {length} {lines} {prefix}\n".encode() + payload)
    state = case.state(cached=True)
    assert state == expected
    assert state.latest["SRC-0001"] == expected.latest["SRC-0001"]


@pytest.mark.parametrize(
    "size", [0, 1, 11, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (1 << 20) + 11, 5 << 19]
)
def test_the_prefix_is_read_in_chunks_as_a_whole(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (3 << 12)  # 3 MiB, a line end every 256 bytes
    path = tmp_path / "log"
    path.write_bytes(data)
    with path.open("rb") as log:
        read = _read_prefix(log, size, count=True)
        assert read is not None
        assert read.hasher.hexdigest() == blake3.blake3(data[:size]).hexdigest()
        assert read.lines == data[:size].count(b"\n")
        assert read.whole_lines == data[:size].endswith(b"\n")
        assert log.tell() == size
        assert _read_prefix(log, len(data) + 1) is None  # longer than the file


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000), st.data())
def test_a_prefix_read_is_what_the_bytes_say(data: bytes, draw: st.DataObject) -> None:
    size = draw.draw(st.integers(0, len(data)))
    with io.BytesIO(data) as log:
        read = _read_prefix(log, size, count=True)
        uncounted = _read_prefix(log, size)
    assert read is not None
    assert uncounted is not None
    assert uncounted.lines is None
    assert uncounted.hasher.hexdigest() == read.hasher.hexdigest()
    assert read.hasher.hexdigest() == blake3.blake3(data[:size]).hexdigest()
    assert read.lines == data[:size].count(b"\n")
    assert read.whole_lines == data[:size].endswith(b"\n")


@pytest.mark.parametrize("revision", [1, 2, 99, 100, 1234])
def test_record_file_names_from_the_columns(revision: int) -> None:
    entries = Entries(["SRC-0001", "CLM-0002"], [1, revision], ["a" * 64, "b" * 64])
    assert entries.file_names() == {"SRC-0001.1.json", f"CLM-0002.{revision}.json"}


def _parsed_lines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the log lines parsed from now on."""
    import evidence.case as case_module

    seen: list[int] = []
    note = case_module._note_line

    def counting(state: Any, line: Any) -> None:
        seen.append(line.number)
        note(state, line)

    monkeypatch.setattr(case_module, "_note_line", counting)
    return seen


@pytest.mark.parametrize("change", ["claims", "signed", "case-yaml", "recovered-seal"])
def test_a_seal_keeps_the_state_it_leaves(
    sealed_case: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """The next seal starts from the state the last one noted as it wrote, with only its
    `sealed` and `signed` lines parsed (the state is kept while the seal file is written,
    before them): the state a full parse gives, whatever it wrote."""
    from evidence.integrity.sign import SigningKey

    case = Case.open(sealed_case)
    key = None
    _add_claim(sealed_case, 0)
    if change == "signed":
        key = SigningKey.generate()
    elif change == "case-yaml":
        meta = sealed_case / "case.yaml"
        meta.write_text(meta.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    elif change == "recovered-seal":
        seal_case(case, actor="tester", now=FIXED_NOW + dt.timedelta(hours=1))
        lines = (sealed_case / "custody.jsonl").read_bytes().splitlines(keepends=True)
        (sealed_case / "custody.jsonl").write_bytes(b"".join(lines[:-1]))  # `sealed` lost
        _add_claim(sealed_case, 1)
    for path in _entries(cache):
        path.unlink()
    seal_case(case, actor="tester", now=FIXED_NOW + dt.timedelta(hours=2), key=key)
    assert len(_entries(cache)) == 1
    parsed = _parsed_lines(monkeypatch)
    assert case.state(cached=True) == case.state()
    log_lines = (sealed_case / "custody.jsonl").read_bytes().count(b"\n")
    after = 2 if change == "signed" else 1  # the `sealed` (and `signed`) lines
    # The kept state covers the log up to them; then the full parse.
    assert parsed == list(range(log_lines - after + 1, log_lines + 1)) + list(
        range(1, log_lines + 1)
    )


def test_a_state_that_does_not_count_the_log_s_lines_is_not_kept(
    sealed_case: Path, cache: Path
) -> None:
    case = Case.open(sealed_case)
    size = (sealed_case / "custody.jsonl").stat().st_size
    state = case.state()
    state.custody_events -= 1  # a writer that forgot to note one event
    case.keep_state(state, size, appended=1000)
    assert _entries(cache) == []
    case.keep_state(case.state(), size - 1, appended=1000)  # not at a line's end
    assert _entries(cache) == []
    case.keep_state(case.state(), size, appended=0)  # too few new lines to be worth it
    assert _entries(cache) == []
    case.keep_state(case.state(), size, appended=1000)
    assert len(_entries(cache)) == 1
    assert case.state(cached=True) == case.state()


def test_a_state_kept_with_its_bytes_made_before_reads_back_the_same(
    sealed_case: Path, cache: Path
) -> None:
    """A seal makes the state's bytes while its lines are written: they are kept as
    they are, and read back as the state a full parse gives."""
    case = Case.open(sealed_case)
    size = (sealed_case / "custody.jsonl").stat().st_size
    state = case.state()
    assert case.state_worth_keeping(1000)
    case.keep_state(state, size, appended=1000, payload=state.to_bytes())
    assert len(_entries(cache)) == 1
    assert case.state(cached=True) == case.state()


def test_a_state_is_not_worth_keeping_after_few_events_or_without_a_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path / "cache"))
    assert Case.state_worth_keeping(_StateCache.MIN_NEW_LINES)
    assert not Case.state_worth_keeping(_StateCache.MIN_NEW_LINES - 1)
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", "off")
    assert not Case.state_worth_keeping(_StateCache.MIN_NEW_LINES)


_DIGEST = st.text("0123456789abcdef", min_size=64, max_size=64)


@given(
    st.lists(_DIGEST, max_size=5),
    st.lists(st.one_of(_DIGEST, st.text(max_size=70)), max_size=4),
    st.integers(-8, 10),
    st.integers(-8, 10),
    st.sampled_from([None, 1, 2, -1]),
)
def test_packed_digests_read_as_a_list(
    packed: list[str], more: list[str], start: int, stop: int, step: int | None
) -> None:
    """The packed column (what the state cache keeps) reads, slices, joins and changes
    as the plain list of its digests would."""
    items = packed + more
    digests = Digests("".join(packed).encode(), list(more))
    assert list(digests) == items
    assert digests == items
    assert digests[start:stop:step] == items[start:stop:step]
    if -len(items) <= start < len(items):
        assert digests[start] == items[start]
    else:
        with pytest.raises(IndexError):
            digests[start]
    for size in range(len(items) + 1):
        assert b"".join(digests.encoded(size)) == "".join(items[:size]).encode()
    if items:
        at = start % len(items)
        digests[at] = items[at] = "f" * 63 + "é"  # not of the packed kind
        assert list(digests) == items


def test_statuses_that_do_not_decode_are_made_from_the_log(sealed_case: Path, cache: Path) -> None:
    """A kept dict read only when asked for (claim statuses): a forged one is a miss when
    it is read, after a seal noted new events on top of it, not a wrong state."""
    Case.open(sealed_case).state(cached=True)
    (entry,) = _entries(cache)
    head, _, payload = entry.read_bytes().partition(b"\n")
    raw = marshal.loads(payload)
    raw["claim_status"] = b"not marshal"
    payload = marshal.dumps(raw)
    _, length, lines, prefix = head.decode().split(" ")
    checksum = blake3.blake3(payload).hexdigest()
    entry.write_bytes(f"{checksum} {length} {lines} {prefix}\n".encode() + payload)
    _add_claim(sealed_case, 0)
    seal_case(Case.open(sealed_case), actor="tester", now=FIXED_NOW + dt.timedelta(hours=1))
    case = Case.open(sealed_case)
    expected = case.state()
    assert expected.claim_status  # the new claim's status among them
    assert case.state(cached=True) == expected


_CLAIM_NOTES = st.lists(
    st.tuples(
        st.integers(1, 12_000),
        st.integers(1, 3),
        st.text("0123456789abcdef", min_size=64, max_size=64),
        st.text(max_size=8),
        st.sampled_from(["reported", "disputed", "withdrawn"]),
    ),
    max_size=12,
)


@given(_CLAIM_NOTES, st.booleans())
def test_a_claim_noted_by_its_own_path_is_noted_as_any_event(
    notes: list[tuple[int, int, str, str, str]], first_seen_made: bool
) -> None:
    """`note_claim` (the seal's path) leaves the state `note` leaves for the same claim
    events, whether the ids' first positions were made already or not."""
    from evidence.case import CaseState
    from evidence.model import RecordId, Subject, format_record_id

    generic, direct = CaseState(), CaseState()
    generic.note(
        "collected", Subject(RecordId("SRC-0001"), 1, Blake3Hex("a" * 64)), {"object": "b" * 64}
    )
    direct.note(
        "collected", Subject(RecordId("SRC-0001"), 1, Blake3Hex("a" * 64)), {"object": "b" * 64}
    )
    if not first_seen_made:
        generic._first_seen = direct._first_seen = None
    for number, revision, digest, key, status in notes:
        subject = Subject(format_record_id("claim", number), revision, Blake3Hex(digest))
        action = "claim-recorded" if revision == 1 else "superseded"
        details = {"key": key, "status": status, "body_blake3": digest[::-1]}
        generic.note(action, subject, details)
        direct.note_claim(subject, key, status, digest[::-1])
    assert direct == generic
    assert direct.next_claim_number == generic.next_claim_number


def test_a_source_is_never_noted_as_a_claim() -> None:
    from evidence.case import CaseState
    from evidence.errors import SchemaError
    from evidence.model import RecordId, Subject

    state = CaseState()
    with pytest.raises(SchemaError):
        state.note_claim(
            Subject(RecordId("SRC-0002"), 1, Blake3Hex("a" * 64)), "k", "reported", "b" * 64
        )
    assert state == CaseState()
