"""A case folder: its layout, its metadata, its writer lock and its current state.

::

    case.yaml        case metadata, authored by people
    claims/*.yaml    claims, authored by analysts
    objects/         captured bytes and normalised texts, by BLAKE3, read-only
    records/         record revisions <ID>.<revision>.json, tool-written, never edited
    custody.jsonl    chain-of-custody log, append-only, hash-chained
    seals/           seals (and their signatures and time-stamp tokens)
    out/             rendered dossiers and exports: products, not evidence

The state a command needs (which record revisions exist and in which order they entered
the case, which claim key maps to which CLM id, the next free numbers) is read from the
custody log, the ledger every writer appends to; ``verify`` checks that log against the
files independently.

Example:
    >>> import tempfile, pathlib
    >>> case = Case.init(pathlib.Path(tempfile.mkdtemp()) / "c", case_id="T-1", title="Test",
    ...                  ern_prefix="T", actor="doc")
    >>> case.state().next_source_number
    1
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import getpass
import io
import marshal
import operator
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple, overload

import blake3

from evidence import __version__
from evidence._cachedir import CacheFolder
from evidence._fs import JOURNAL_PATTERN, case_lock, fsync_dir, read_bytes, replace_file
from evidence._parallel import gc_paused
from evidence._time import format_time, utc_now
from evidence._yaml import YamlDocument, dump_yaml, load_yaml
from evidence.canonical import canonical_bytes, loads_json
from evidence.digest import Blake3Hex, digest_bytes
from evidence.errors import CaseError, InputError, SchemaError
from evidence.integrity.custody import CustodyLine, CustodyLog, NewEvent
from evidence.model import CaseMeta, RecordId, Seal, Subject, record_number
from evidence.schema import validate
from evidence.store import (
    ObjectStore,
    RecordStore,
    parse_record_filename,
    record_slice,
    stored_digests,
)

__all__ = [
    "CASE_META_ACTION",
    "RECORD_ACTIONS",
    "Case",
    "CaseState",
    "default_actor",
    "load_case_meta",
    "record_details",
    "tool_name",
]

CASE_FILE: Final = "case.yaml"
RECORD_ACTIONS: Final = frozenset({"collected", "claim-recorded", "superseded"})
CASE_META_ACTION: Final = "case-metadata"
"""The custody event by which ``seal`` seals case.yaml: {file, sha256, blake3} of its
bytes, logged before the seal whenever they changed, so the seal's custody head covers
them (docs/decisions/0409)."""


def tool_name() -> str:
    """``evidence 0.1.0``: the tool and version recorded in sources and packages."""
    return f"evidence {__version__}"


def default_actor(actor: str | None = None) -> str:
    """Who acts: ``--actor``, else ``EVIDENCE_ACTOR``, else the operating system user."""
    if actor and actor.strip():
        return actor.strip()
    env = os.environ.get("EVIDENCE_ACTOR", "").strip()
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}"


_FILE_ENDS: Final = {n: f".{n}.json" for n in range(1, 100)}


class Digests(Sequence[str]):
    """The BLAKE3 column of :class:`Entries`: the digests of the first entries packed in
    one ASCII byte string, 64 hex digits each, as the state cache keeps them, then the
    digests appended since, one string each. A digest is sliced out of the packed bytes
    when asked for, so a state of 110,000 entries loads without making 110,000 strings,
    and the packed bytes are hashed as they are (docs/decisions/0028)."""

    __slots__ = ("more", "packed", "packed_count")

    def __init__(self, packed: bytes = b"", more: list[str] | None = None) -> None:
        if len(packed) % 64 or not packed.isascii():
            raise ValueError("packed digests are 64 ASCII characters each")
        self.packed = packed
        self.packed_count = len(packed) // 64
        self.more: list[str] = more if more is not None else []

    def __len__(self) -> int:
        return self.packed_count + len(self.more)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        count = self.packed_count
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return list(map(self.__getitem__, range(start, stop, step)))
            packed = self.packed
            end = 64 * max(start, min(stop, count))
            head = packed[64 * start : end].decode("ascii")
            return [head[n : n + 64] for n in range(0, len(head), 64)] + self.more[
                max(start - count, 0) : max(stop - count, 0)
            ]
        if index < 0:
            index += len(self)
        if 0 <= index < count:
            return self.packed[64 * index : 64 * index + 64].decode("ascii")
        if index < 0:
            raise IndexError("digest index out of range")
        return self.more[index - count]

    def __setitem__(self, index: int, value: str) -> None:
        if index < 0:
            index += len(self)
        if not 0 <= index < self.packed_count:
            self.more[index - self.packed_count] = value
        elif len(value) == 64 and value.isascii():
            packed = self.packed
            self.packed = packed[: 64 * index] + value.encode("ascii") + packed[64 * index + 64 :]
        else:  # not a digest of the packed kind: every digest one string from here on
            self.more = list(self)
            self.more[index] = value
            self.packed, self.packed_count = b"", 0

    def __iter__(self) -> Iterator[str]:
        head = self.packed.decode("ascii")
        yield from (head[n : n + 64] for n in range(0, len(head), 64))
        yield from self.more

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Digests):
            if (self.packed, self.more) == (other.packed, other.more):
                return True
            return list(self) == list(other)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def append(self, digest: str) -> None:
        self.more.append(digest)

    def encoded(self, size: int | None = None) -> list[bytes | memoryview]:
        """The first ``size`` digests (all by default), concatenated and encoded, in
        pieces (the packed ones are not copied)."""
        if size is None:
            size = len(self)
        packed = memoryview(self.packed)[: 64 * min(size, self.packed_count)]
        rest = self.more[: max(size - self.packed_count, 0)]
        return [packed, "".join(rest).encode()] if rest else [packed]


class Entries(Sequence[Subject]):
    """The record revisions the log names, in order of entry, kept as three columns (ids,
    revisions, BLAKE3): a :class:`Subject` is made only when one is asked for. (A case
    state of 110,000 entries loads from the state cache without making 110,000
    objects that a re-seal never looks at; docs/decisions/0028.)"""

    __slots__ = ("blake3", "ids", "revisions")

    def __init__(
        self,
        ids: list[str] | None = None,
        revisions: list[int] | None = None,
        blake3: list[str] | Digests | None = None,
    ) -> None:
        self.ids: list[str] = ids if ids is not None else []
        self.revisions: list[int] = revisions if revisions is not None else []
        self.blake3: Digests = blake3 if isinstance(blake3, Digests) else Digests(b"", blake3)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Subject: ...

    @overload
    def __getitem__(self, index: slice) -> list[Subject]: ...

    def __getitem__(self, index: int | slice) -> Subject | list[Subject]:
        if isinstance(index, slice):
            return list(map(_subject, self.ids[index], self.revisions[index], self.blake3[index]))
        return _subject(self.ids[index], self.revisions[index], self.blake3[index])

    def __iter__(self) -> Iterator[Subject]:
        return map(_subject, self.ids, self.revisions, self.blake3)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entries):
            return NotImplemented
        return (self.ids, self.revisions, self.blake3) == (
            other.ids,
            other.revisions,
            other.blake3,
        )

    __hash__ = None  # type: ignore[assignment]

    def append(self, subject: Subject) -> None:
        self.ids.append(subject.id)
        self.revisions.append(subject.revision)
        self.blake3.append(subject.blake3)

    def file_names(self) -> set[str]:
        """The record file names (``<ID>.<revision>.json``) of every entry."""
        try:  # C-level concatenations for the usual revisions (twice as fast as format)
            ends = list(map(_FILE_ENDS.__getitem__, self.revisions))
        except KeyError:
            return set(map("{}.{}.json".format, self.ids, self.revisions))
        return set(map(operator.add, self.ids, ends))


class Latest(Mapping[str, Subject]):
    """The latest revision of each record id, as positions in :class:`Entries` (the
    :class:`Subject` is made when one is asked for)."""

    __slots__ = ("entries", "position")

    def __init__(self, entries: Entries, position: dict[str, int]) -> None:
        self.entries = entries
        self.position = position

    def __getitem__(self, record_id: str) -> Subject:
        return self.entries[self.position[record_id]]

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.position

    def __iter__(self) -> Iterator[str]:
        return iter(self.position)

    def __len__(self) -> int:
        return len(self.position)


class _Encoded:
    """A dict of the state that a re-seal rarely reads (claim statuses, sources by
    object), kept as the state cache holds it (``marshal`` bytes) until first read:
    100,000 statuses need not become objects for a seal that never looks at them.
    What is noted meanwhile is noted, in order, and applied when it is made.

    Bytes that do not make a dict (a forged cache entry with a fixed-up checksum) are a
    miss: the dict is then made from the custody log (``rebuild``), as without a cache.
    """

    __slots__ = ("data", "notes", "rebuild", "value")

    def __init__(self, value: dict[str, Any] | None = None, data: bytes = b"") -> None:
        self.value = value
        self.data = data
        self.notes: list[tuple[str, Any, bool]] = []
        self.rebuild: Callable[[], dict[str, Any]] | None = None

    def get(self) -> dict[str, Any]:
        if self.value is None:
            try:
                # Plain values only (marshal builds no objects and runs no code), inside
                # an entry whose checksum matched.
                value = marshal.loads(self.data)  # noqa: S302
                if type(value) is not dict:
                    raise TypeError("not a dict")
            except (ValueError, TypeError, EOFError):
                if self.rebuild is None:
                    raise CaseError("the kept case state is damaged") from None
                value = self.rebuild()
            for key, item, only_if_absent in self.notes:
                if only_if_absent:
                    value.setdefault(key, item)
                else:
                    value[key] = item
            self.value, self.data, self.notes = value, b"", []
        return self.value

    def set(self, key: str, item: Any, *, only_if_absent: bool = False) -> None:
        if self.value is None:
            self.notes.append((key, item, only_if_absent))
        elif only_if_absent:
            self.value.setdefault(key, item)
        else:
            self.value[key] = item


class CaseState:
    """What the custody log says the case holds, in order."""

    def __init__(self) -> None:
        self.entries = Entries()
        self.latest = Latest(self.entries, {})
        self._first_seen: dict[str, int] | None = {}
        """The position of each id among the ids in order of first entry (None: not made
        yet; made from ``entries`` when first asked for)."""
        self.claim_keys: dict[str, RecordId] = {}
        self.claim_body_digest: dict[str, str] = {}
        self._claim_status = _Encoded({})
        self._source_by_object = _Encoded({})
        self.sealed: list[dict[str, Any]] = []
        self.next_source_number = 1
        self.next_claim_number = 1
        self.custody_events = 0
        self.case_meta: dict[str, Any] | None = None
        """The details of the latest ``case-metadata`` event (case.yaml as last sealed)."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CaseState):
            return NotImplemented
        mine, theirs = dict(vars(self)), dict(vars(other))
        for name in ("first_seen", "claim_status", "source_by_object"):
            mine[f"_{name}"], theirs[f"_{name}"] = getattr(self, name), getattr(other, name)
        return mine == theirs

    @property
    def claim_status(self) -> dict[str, str]:
        """The status of each claim's latest revision, by record id."""
        return self._claim_status.get()

    @property
    def source_by_object(self) -> dict[str, RecordId]:
        """The first source of each captured object, by the object's BLAKE3."""
        return self._source_by_object.get()

    def rebuild_with(self, parse: Callable[[], CaseState]) -> None:
        """How to make this state's encoded dicts again should they not decode: from
        ``parse()``, a state made from the custody log (:class:`_Encoded`)."""
        self._claim_status.rebuild = lambda: parse().claim_status
        self._source_by_object.rebuild = lambda: parse().source_by_object

    __hash__ = None  # type: ignore[assignment]

    @property
    def first_seen(self) -> dict[str, int]:
        """The 0-based position of each record id among the case's ids, in order of
        first entry (made from the entries when first asked for: a re-seal never asks)."""
        if self._first_seen is None:
            ids = self.entries.ids
            self._first_seen = dict(zip(dict.fromkeys(ids), range(len(ids)), strict=False))
        return self._first_seen

    def to_bytes(self) -> bytes:
        """The state in Python's ``marshal`` form (for :class:`_StateCache`: plain
        values only, read back ten times faster than JSON); ``latest`` and
        ``first_seen`` follow from ``entries`` and are not written."""
        return marshal.dumps(
            {
                "ids": self.entries.ids,
                "revisions": self.entries.revisions,
                "blake3": b"".join(self.entries.blake3.encoded()),
                "claim_keys": self.claim_keys,
                "claim_body_digest": self.claim_body_digest,
                # Encoded again: read back only when asked for (_Encoded).
                "claim_status": marshal.dumps(self.claim_status),
                "source_by_object": marshal.dumps(self.source_by_object),
                "sealed": self.sealed,
                "numbers": (self.next_source_number, self.next_claim_number),
                "custody_events": self.custody_events,
                "case_meta": self.case_meta,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes | memoryview) -> CaseState:
        """The state :meth:`to_bytes` wrote.

        Raises:
            ValueError, KeyError, TypeError, EOFError: ``data`` is not such a state.
        """
        # Plain values only (marshal builds no objects and runs no code); the entry's
        # BLAKE3 was checked before, and the cache folder is as trusted as the code.
        raw = marshal.loads(data)  # noqa: S302
        ids, revisions, digests = raw["ids"], raw["revisions"], raw["blake3"]
        if not (
            type(ids) is list
            and type(revisions) is list
            and type(digests) is bytes
            and len(ids) == len(revisions)
            and len(digests) == 64 * len(ids)
            and set(map(type, ids)) <= {str}
            and set(map(type, revisions)) <= {int}
        ):
            raise ValueError("not the columns of a state")
        # The columns as kept (the digests in one string): a Subject is made only when
        # asked for, and the ids' first positions only when asked for.
        state = cls()
        state.entries = Entries(ids, revisions, Digests(digests))
        state.latest = Latest(state.entries, dict(zip(ids, range(len(ids)), strict=True)))
        state._first_seen = None
        next_source, next_claim = raw["numbers"]
        # Fresh dicts and lists from marshal, taken as they are (no copies).
        state.claim_keys = _of_type(raw["claim_keys"], dict)
        state.claim_body_digest = _of_type(raw["claim_body_digest"], dict)
        state._claim_status = _Encoded(None, _of_type(raw["claim_status"], bytes))
        state._source_by_object = _Encoded(None, _of_type(raw["source_by_object"], bytes))
        state.sealed = _of_type(raw["sealed"], list)
        state.next_source_number = int(next_source)
        state.next_claim_number = int(next_claim)
        state.custody_events = int(raw["custody_events"])
        state.case_meta = raw["case_meta"]
        return state

    def latest_blake3(self, record_id: str) -> str | None:
        """The BLAKE3 of the latest revision of ``record_id`` (None: no such record),
        from the columns, without making a :class:`Subject`."""
        position = self.latest.position.get(record_id)
        return None if position is None else self.entries.blake3[position]

    def latest_revision(self, record_id: str) -> tuple[int, str] | None:
        """(revision, BLAKE3) of the latest revision of ``record_id``, or None."""
        position = self.latest.position.get(record_id)
        if position is None:
            return None
        return self.entries.revisions[position], self.entries.blake3[position]

    def ern_number(self, record_id: str) -> int:
        """1-based position of a record id among the case's ids, in order of entry."""
        return self.first_seen[record_id] + 1

    def note(self, action: str, subject: Subject | None, details: Mapping[str, Any]) -> None:
        """Take one custody event into account."""
        self.custody_events += 1
        if action == "sealed":
            self.sealed.append(dict(details))
            return
        if action == CASE_META_ACTION:
            self.case_meta = dict(details)
            return
        if action not in RECORD_ACTIONS or subject is None:
            return
        self._add_entry(subject)
        number = record_number(subject.id)
        if subject.id.startswith("SRC-"):
            self.next_source_number = max(self.next_source_number, number + 1)
            obj = details.get("object")
            if isinstance(obj, str):
                self._source_by_object.set(obj, subject.id, only_if_absent=True)
        else:
            self.next_claim_number = max(self.next_claim_number, number + 1)
            key = details.get("key")
            if isinstance(key, str):
                self.claim_keys[key] = subject.id
            digest = details.get("body_blake3")
            if isinstance(digest, str):
                self.claim_body_digest[subject.id] = digest
            status = details.get("status")
            if isinstance(status, str):
                self._claim_status.set(subject.id, status)

    def _add_entry(self, subject: Subject) -> None:
        """The record revision ``subject`` as the latest of its id, after the others."""
        entries = self.entries
        self.latest.position[subject.id] = len(entries)
        entries.append(subject)
        if self._first_seen is not None:  # else made from the entries when asked for
            self._first_seen.setdefault(subject.id, len(self._first_seen))

    def note_claim(self, subject: Subject, key: str, status: str, body_blake3: str) -> None:
        """:meth:`note` of a ``claim-recorded`` or ``superseded`` event about a claim
        (``CLM-…``) whose details hold ``key``, ``status`` and ``body_blake3`` (and the
        ``supersedes`` the state does not keep), made by the caller: the same state,
        without the branches for every other event (a cold seal notes 100,000).

        Raises:
            SchemaError: ``subject`` is not a claim's.
        """
        record_id = subject.id
        if record_id[:4] != "CLM-":
            raise SchemaError(f"{record_id!r} is not a claim's record id")
        number = record_number(record_id)
        self.custody_events += 1
        self._add_entry(subject)
        if number >= self.next_claim_number:
            self.next_claim_number = number + 1
        self.claim_keys[key] = record_id
        self.claim_body_digest[record_id] = body_blake3
        self._claim_status.set(record_id, status)


def _of_type(value: Any, kind: type[Any]) -> Any:
    """``value`` if it is exactly of type ``kind``.

    Raises:
        TypeError: it is not.
    """
    if type(value) is not kind:
        raise TypeError(f"not a {kind.__name__}")
    return value


def _subject(record_id: str, revision: int, blake3_hex: str) -> Subject:
    """A :class:`Subject` as the state kept it, without checking its fields again: they
    were checked when the log line was parsed (and the cache entry's BLAKE3 since)."""
    if type(record_id) is not str or type(revision) is not int or type(blake3_hex) is not str:
        raise TypeError("not a subject")
    return Subject.made(RecordId(record_id), revision, Blake3Hex(blake3_hex))


def _split_lines(data: bytes) -> list[bytes]:
    """The lines of a log's bytes, without their line ends, as ``CustodyLog.lines``
    reads them (a last line without a line end is a line too)."""
    if not data:
        return []
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def _parse_line(line: bytes, path: Path) -> Any:
    try:
        return loads_json(line, path=path.name)
    except InputError:
        return None


def _note_line(state: CaseState, line: CustodyLine) -> None:
    """Take one line of the log into ``state``.

    Raises:
        CaseError: the line is not a custody event.
    """
    data = line.data
    if not isinstance(data, dict):
        raise CaseError(
            f"custody.jsonl line {line.number} is not a JSON object",
            hint="Run `evidence verify` on the case.",
        )
    subject = data.get("subject")
    try:
        state.note(
            str(data.get("action")),
            Subject.from_dict(subject) if isinstance(subject, dict) else None,
            data.get("details") or {},
        )
    except (SchemaError, KeyError, TypeError, ValueError) as exc:
        raise CaseError(
            f"custody.jsonl line {line.number}: malformed event ({exc})",
            hint="Run `evidence verify` on the case.",
        ) from exc


class _StateCache(CacheFolder):
    """The state of a case's custody log as far as it was read last, in the user's cache
    folder (``state-v4/``), one entry per case folder.

    An entry holds the length of the log prefix it was made from, the BLAKE3 of that
    prefix, its number of lines and the state. It is used only if the log read now
    starts with bytes of that length and digest; a torn, damaged or stale entry is a
    miss, never an error (docs/decisions/0021).
    """

    MIN_NEW_LINES = 1000
    """Keep a new entry only after parsing this many lines (small logs parse fast)."""

    NAME = "state-v4"

    def _path(self, key: str) -> Path:
        name = blake3.blake3(key.encode("utf-8", "surrogateescape")).hexdigest()
        return self.folder / name[:2] / name[2:]

    def load(self, key: str, log: io.BufferedReader) -> tuple[int, int, CaseState, Any] | None:
        """(prefix length, its lines, its state, a BLAKE3 hasher fed with the prefix) for
        the log open as ``log``, or None. The prefix is hashed from the file in chunks
        (a log of 100,000 events is tens of megabytes, which need not be held at once);
        ``log`` is left at the end of the prefix."""
        try:
            data = self._path(key).read_bytes()
        except OSError:
            return None
        end = data.find(b"\n")
        if end < 0:
            return None
        head, payload = data[:end], memoryview(data)[end + 1 :]  # the payload not copied
        try:
            digest, length, lines, prefix = head.decode("ascii").split(" ")
            size, count = int(length), int(lines)
            if blake3.blake3(payload).hexdigest() != digest:
                return None
            if not 0 <= size <= os.fstat(log.fileno()).st_size:
                return None
            read = _read_prefix(log, size)
            if read is None or read.hasher.hexdigest() != prefix:
                return None
            return size, count, CaseState.from_bytes(payload), read.hasher
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, EOFError):
            return None

    def store(
        self,
        key: str,
        length: int,
        log_blake3: str,
        state: CaseState,
        *,
        payload: bytes | None = None,
    ) -> None:
        """Keep ``state`` (whose ``to_bytes()`` is ``payload`` when given) as the state of
        the log of ``length`` bytes and BLAKE3 ``log_blake3``, whose every line is one of
        the ``state.custody_events`` events it noted (best effort; no fsync)."""
        if payload is None:
            payload = state.to_bytes()
        lines = state.custody_events
        head = f"{blake3.blake3(payload).hexdigest()} {length} {lines} {log_blake3}\n"
        path = self._path(key)
        with contextlib.suppress(OSError, ValueError):
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, (head.encode("ascii"), payload), durable=False)


class _Prefix(NamedTuple):
    """The first bytes of a file, as :func:`_read_prefix` read them."""

    hasher: Any
    """A BLAKE3 hasher fed with them."""
    lines: int | None
    """How many line ends they hold (None: not counted)."""
    whole_lines: bool
    """Whether they end with one."""


def _read_prefix(log: io.BufferedIOBase, size: int, *, count: bool = False) -> _Prefix | None:
    """The first ``size`` bytes of ``log`` (read from its start in chunks of 1 MiB, into
    one buffer: a log of 100,000 events is not held whole), their line ends counted if
    ``count`` (17 ms for a 46 MB log, which a reading of the cache does not need), or
    None if the file is shorter."""
    hasher = blake3.blake3()
    buffer = bytearray(1 << 20)
    chunk = memoryview(buffer)
    log.seek(0)
    left, lines, last = size, 0, -1
    while left:
        got = log.readinto(chunk[: min(left, len(chunk))])
        if not got:
            return None
        hasher.update(chunk[:got])
        if count:
            lines += buffer.count(b"\n", 0, got)
        last = buffer[got - 1]
        left -= got
    return _Prefix(hasher, lines if count else None, last == ord("\n"))


class Case:
    """An open case folder. Construct with :meth:`open` or :meth:`init`."""

    def __init__(self, root: Path, meta: CaseMeta) -> None:
        self.root = root
        self.meta = meta
        self.objects = ObjectStore(root / "objects")
        self.records = RecordStore(root / "records")
        self.custody = CustodyLog(root / "custody.jsonl")
        self._listing: dict[str, list[str]] = {}
        """The names in records/ listed when the lock was taken (see :meth:`recover`)."""

    # -- layout ---------------------------------------------------------------------------

    @property
    def claims_dir(self) -> Path:
        return self.root / "claims"

    @property
    def seals_dir(self) -> Path:
        return self.root / "seals"

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    def rel(self, path: Path) -> str:
        """A path as shown to users: relative to the case folder."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Case:
        """Open an existing case folder, validating case.yaml.

        Raises:
            CaseError: the folder is not a case folder.
            InputError: case.yaml is malformed (with file, line and field).
        """
        root = Path(path)
        if not root.exists():
            raise CaseError("no such folder", path=str(root))
        if not root.is_dir():
            raise CaseError("not a folder, expected a case folder", path=str(root))
        missing = [
            name
            for name in (CASE_FILE, "records", "objects", "custody.jsonl")
            if not (root / name).exists()
        ]
        if missing:
            raise CaseError(
                f"not a case folder (missing {', '.join(missing)})",
                path=str(root),
                hint="Create one with `evidence init DIR`.",
            )
        return cls(root, load_case_meta(root / CASE_FILE))

    @classmethod
    def init(
        cls,
        path: str | os.PathLike[str],
        *,
        case_id: str,
        title: str,
        ern_prefix: str,
        template: str = "icc-otp",
        situation: str | None = None,
        classification: str = "public",
        submitter: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
        actor: str | None = None,
        now: _dt.datetime | None = None,
    ) -> Case:
        """Create a case folder with case.yaml and the first custody event.

        Raises:
            CaseError: the folder exists and is not empty.
            SchemaError: the metadata given does not fit the case schema.
        """
        root = Path(path)
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise CaseError("exists and is not an empty folder", path=str(root))
        moment = now or utc_now()
        doc: dict[str, Any] = {
            "id": case_id,
            "title": title,
            "ern_prefix": ern_prefix,
            "template": template,
            "classification": classification,
        }
        if situation:
            doc["situation"] = situation
        doc["created"] = format_time(moment)
        doc["submitter"] = dict(submitter or {})
        doc.update(extra or {})
        validate("case", doc, path=CASE_FILE)
        meta = CaseMeta.from_dict(doc)
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("claims", "objects", "records", "seals"):
            (root / sub).mkdir()
        replace_file(root / CASE_FILE, _case_yaml_text(doc).encode("utf-8"))
        case = cls(root, meta)
        with case.lock():
            case.custody.append(
                [NewEvent("created", None, {"case_id": case_id, "tool": tool_name()})],
                actor=default_actor(actor),
                now=moment,
            )
        fsync_dir(root)
        return case

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the writer lock (one writer at a time; fails at once if held)."""
        try:
            with case_lock(self.root, self._listing):
                yield
        finally:
            self._listing.clear()  # only good while the lock is held

    # -- state ------------------------------------------------------------------------------

    def state(self, *, cached: bool = False) -> CaseState:
        """Read the custody log into a :class:`CaseState`.

        With ``cached``, the state of the log's first lines may come from the user's
        cache folder (:class:`_StateCache`): it is used only when the BLAKE3 of those
        lines' bytes, taken on this read, is the one it was made from, and only the lines
        after them are parsed (docs/decisions/0021). The result is the same either way.

        Raises:
            CaseError: a line of the log does not parse (run ``evidence verify``).
        """
        cache = _StateCache.default() if cached else None
        if cache is None:
            state = CaseState()
            for line in self.custody.lines():
                _note_line(state, line)
            return state
        key = str(self.custody.path.resolve())
        try:
            with open(self.custody.path, "rb") as log, gc_paused():
                kept = cache.load(key, log)
                if kept is None:
                    log.seek(0)
                tail = log.read()  # the lines after the kept prefix (or every line)
        except OSError:
            read_bytes(self.custody.path, what="custody log")  # its error, with the path
            raise
        start, lines_before, state, hasher = (
            kept if kept is not None else (0, 0, CaseState(), blake3.blake3())
        )
        state.rebuild_with(self.state)  # should a kept dict not decode: from the log
        number = lines_before
        for number, raw in enumerate(_split_lines(tail), start=lines_before + 1):
            _note_line(state, CustodyLine(number, raw, _parse_line(raw, self.custody.path)))
        complete = tail.rfind(b"\n") + 1  # a half line at the end is never kept
        if number - lines_before >= _StateCache.MIN_NEW_LINES and complete == len(tail):
            hasher.update(tail)
            cache.store(key, start + len(tail), hasher.hexdigest(), state)
        return state

    def keep_state(
        self, state: CaseState, size: int, *, appended: int, payload: bytes | None = None
    ) -> None:
        """Keep, for the next ``state(cached=True)``, ``state`` as the state of the custody
        log's first ``size`` bytes, which the caller, holding the lock, noted event by
        event as it appended them (a seal writing 100,000 records, whose lines the next
        seal would otherwise parse again); that reading parses the lines after them (a
        seal's ``sealed`` and ``signed`` lines). Only those bytes are read: the caller
        may append meanwhile. ``appended`` is how many events the caller wrote: fewer
        than a thousand are not worth an entry (the next reading parses them).

        Nothing is kept when the events ``state`` counts are not the lines of those
        ``size`` bytes, or they cannot be read; best effort, like every cache.
        ``payload`` is ``state.to_bytes()``, when the caller made it already (a seal
        makes it while its lines are written).
        """
        cache = _StateCache.default()
        if cache is None or appended < _StateCache.MIN_NEW_LINES:
            return
        try:
            with open(self.custody.path, "rb") as log:
                read = _read_prefix(log, size, count=True)
        except OSError:
            return
        if read is None or not read.whole_lines or read.lines != state.custody_events:
            return
        key = str(self.custody.path.resolve())
        cache.store(key, size, read.hasher.hexdigest(), state, payload=payload)

    @staticmethod
    def state_worth_keeping(appended: int) -> bool:
        """Whether :meth:`keep_state` keeps a state after ``appended`` new events (the
        cache is on, and they are enough to be worth an entry)."""
        return _StateCache.default() is not None and appended >= _StateCache.MIN_NEW_LINES

    def seal_files(self) -> list[Path]:
        """``seals/0001.json`` … in sequence order."""
        if not self.seals_dir.is_dir():
            return []
        return sorted(
            p
            for p in self.seals_dir.iterdir()
            if p.name.endswith(".json") and p.name[:-5].isdigit()
        )

    def latest_seal(self) -> tuple[Seal, bytes] | None:
        """The newest seal and its file bytes, or None before the first seal."""
        files = self.seal_files()
        if not files:
            return None
        data = read_bytes(files[-1], what="seal")
        doc = loads_json(data, path=self.rel(files[-1]))
        validate("seal", doc, path=self.rel(files[-1]))
        return Seal.from_dict(doc), data

    def recover(self, state: CaseState, *, actor: str, now: _dt.datetime | None = None) -> int:
        """Adopt record files left by an interrupted writer; return how many.

        A writer writes record files first and appends their custody events after; a
        crash in between leaves complete record files (written atomically) that the log
        does not name. Such a file is adopted when it is intact and is exactly the next
        revision the log expects; anything else is refused, for a person to look at.
        A seal writes its record files under their final names after a marker: with a
        marker left, the files the log does not name are that seal's and are removed
        instead (:meth:`_undo_batch`). Called first under the lock: it looks at the
        names in records/ as the leftover sweep listed them when the lock was taken.

        Raises:
            CaseError: a record file that the log cannot account for.
        """
        # Names compared as sets of strings first (no sort, no loop over every name):
        # only a file the log does not name is parsed.
        # Listed by the leftover sweep when the lock was taken (no writer since), or now.
        names = self._listing.pop("records", None)
        if names is None:
            try:
                names = os.listdir(self.records.root)
            except FileNotFoundError as exc:
                raise InputError("records/ is missing", path=str(self.records.root)) from exc
        journals = self._listing.pop("journals", None)
        if journals is None:
            journals = [n for n in os.listdir(self.root) if JOURNAL_PATTERN.fullmatch(n)]
        orphans = []
        for name in set(names).difference(state.entries.file_names()):
            parsed = parse_record_filename(name)
            if parsed is not None:
                orphans.append(parsed)
        if journals:
            self._undo_batch(orphans, journals)
            orphans = []
        events = self._orphan_records(state, orphans)
        events.extend(self._orphan_seals(state))
        self.custody.append(events, actor=actor, now=now)
        return len(events)

    def _undo_batch(self, orphans: list[tuple[RecordId, int]], journals: list[str]) -> None:
        """Remove the record files a dead journal batch wrote, then its markers.

        A marker is durably in the case folder before such a batch creates its first
        file under its final name, and goes once the log names them; the recovery of
        the write before it left no record file the log does not name. So with a marker
        here, every record file the log does not name is that batch's: complete or not,
        never named by the log, never sealed (decision 0040).
        """
        for record_id, revision in orphans:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.records.path(record_id, revision))
        fsync_dir(self.records.root)
        for name in journals:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.root / name)
        fsync_dir(self.root)

    def _orphan_seals(self, state: CaseState) -> list[NewEvent]:
        """A seal file written just before a crash, whose "sealed" event is missing."""
        events = []
        for path in self.seal_files()[len(state.sealed) :]:
            data = read_bytes(path, what="seal")
            doc = loads_json(data, path=self.rel(path))
            if not isinstance(doc, dict) or doc.get("sequence") != len(state.sealed) + 1:
                raise CaseError(
                    f"{self.rel(path)}: a seal file that the custody log does not account for",
                    hint="Run `evidence verify`.",
                )
            details = {
                "sequence": doc["sequence"],
                "root": doc.get("tree", {}).get("root"),
                "size": doc.get("tree", {}).get("size"),
                "sha256": digest_bytes(data).sha256,
                "file": self.rel(path),
                "recovered": True,
            }
            events.append(NewEvent("sealed", None, details))
            state.note("sealed", None, details)
        return events

    def _orphan_records(
        self, state: CaseState, orphans: list[tuple[RecordId, int]]
    ) -> list[NewEvent]:
        if not orphans:
            return []
        orphans.sort(key=lambda p: (p[0][:3] != "SRC", record_number(p[0]), p[1]))
        events = []
        for record_id, revision in orphans:
            name = f"{record_id}.{revision}.json"
            data = self.records.read(record_id, revision)
            record = record_slice(data)
            intact = record is not None and stored_digests(data) == (
                digest_bytes(record).blake3,
                digest_bytes(record).sha256,
            )
            expected = state.latest[record_id].revision + 1 if record_id in state.latest else 1
            next_number = (
                state.next_source_number
                if record_id.startswith("SRC-")
                else state.next_claim_number
            )
            fresh = record_id not in state.latest and record_number(record_id) == next_number
            if (
                record is None
                or not intact
                or revision != expected
                or not (record_id in state.latest or fresh)
            ):
                raise CaseError(
                    f"records/{name}: a record file that the custody log does not account for",
                    hint="Run `evidence verify`; a record file was added or left behind.",
                )
            pair = digest_bytes(record)
            doc = loads_json(record, path=f"records/{name}")
            subject = Subject(record_id, revision, pair.blake3)
            details = record_details(doc)
            details["recovered"] = True
            action = (
                "collected"
                if record_id.startswith("SRC-")
                else "claim-recorded"
                if revision == 1
                else "superseded"
            )
            events.append(NewEvent(action, subject, details))  # type: ignore[arg-type]
            state.note(action, subject, details)
        return events


def record_details(doc: Any) -> dict[str, Any]:
    """The custody details of a record event, which let later commands find their way
    without reading every record: a source's object and text digests, a claim's key,
    status and body digest."""
    body = doc.get("body", {}) if isinstance(doc, dict) else {}
    if doc.get("kind") == "source":
        return {
            "object": body.get("object", {}).get("blake3"),
            "text": (body.get("text") or {}).get("blake3"),
        }
    return {
        "key": body.get("key"),
        "status": body.get("status"),
        "body_blake3": digest_bytes(canonical_bytes(body)).blake3,
    }


def load_case_meta(path: Path) -> CaseMeta:
    """Read and validate case.yaml."""
    doc = load_yaml(read_bytes(path, what="case.yaml"), path=CASE_FILE)
    return parse_case_meta(doc)


def parse_case_meta(doc: YamlDocument) -> CaseMeta:
    """Validate a parsed case.yaml and build its metadata."""
    if not isinstance(doc.data, dict):
        raise InputError("expected a mapping of case fields", path=doc.path, line=1)
    validate("case", doc.data, path=doc.path, doc=doc)
    return CaseMeta.from_dict(doc.data)


_CASE_HEADER = """\
# case.yaml: this case's metadata. People write this file; the tool reads it.
# Fields: id, title, ern_prefix (required); situation, template (icc-otp, un-report,
# transmittal), classification (public, confidential, restricted), language, reference,
# submitter {organisation, name, role, email, address, phone}, addressee, summary,
# legal_characterisation, requests, declaration.
"""


def _case_yaml_text(doc: Mapping[str, Any]) -> str:
    return _CASE_HEADER + dump_yaml(dict(doc))
