"""``evidence seal``: compile the claims, then commit to every record revision at once.

Before a seal, the digests of case.yaml are logged (a ``case-metadata`` event) whenever
its bytes changed since the last seal, so that the seal's custody head covers the case's
metadata as well (docs/decisions/0409).

A seal (``seals/NNNN.json``) holds the RFC 9162 Merkle root (SHA-256) over the RFC 8785
bytes of every record revision, in the order the revisions entered the case; the list of
those leaves; the head of the custody log; and the previous seal (sequence, root, file
digest), so that seals form a chain and each new tree is provably an extension of the
last one (RFC 9162 §2.1.4, checked by ``verify``).

Durability is designed for large batches: new record files are written without a
per-file fsync, made durable by one sync for the whole batch, and only then named in the
custody log; the seal file is fsynced on its own. A crash at any point leaves either
nothing, or complete record files that the next writer adopts (see
:meth:`evidence.case.Case.recover`). Nothing already written is ever rewritten.

Example:
    >>> # seal_case(Case.open("my-case"), actor="analyst")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar, cast

from evidence._fs import Batch, read_bytes
from evidence._parallel import gc_paused, imap_chunks
from evidence._time import format_time, utc_now
from evidence.canonical import JSONValue, canonical_bytes, loads_json
from evidence.case import CASE_FILE, CASE_META_ACTION, Case, CaseState, Entries, default_actor
from evidence.claims.compile import CompiledClaim, iter_case_claims
from evidence.digest import Blake3Hex, Sha256Hex, blake3_of, digest_bytes
from evidence.errors import CaseError, InputError
from evidence.integrity._frontier import Frontier, FrontierCache
from evidence.integrity._sealfile import (
    LatestSeal,
    LeavesMemo,
    PendingSeal,
    entries_fingerprint,
    leaves_match,
    read_latest,
    seal_file_bytes,
)
from evidence.integrity.custody import CustodyHead, LineMaker, NewEvent, PreparedLines
from evidence.integrity.merkle import leaf_hash
from evidence.model import (
    CLAIM_SCHEMA,
    Action,
    ClaimBody,
    RecordId,
    Seal,
    SealLeaf,
    SealLink,
    Signer,
    Subject,
    Supersedes,
    format_record_id,
)
from evidence.progress import Progress
from evidence.report import Report
from evidence.store import envelope_bytes, record_slice

if TYPE_CHECKING:  # the signing code (cryptography) is imported only to sign
    from evidence.integrity.sign import SigningKey

__all__ = ["ClaimsInvalid", "SealResult", "seal_case"]

T = TypeVar("T")


class ClaimsInvalid(InputError):
    """The claims files have problems; nothing was sealed. The report says which."""

    def __init__(self, report: Report) -> None:
        problems = report.problems()
        first = problems[0]
        more = f" (and {len(problems) - 1} more; run `evidence check`)" if len(problems) > 1 else ""
        super().__init__(first.message + more, path=first.path, line=first.line)
        self.report = report


@dataclass(frozen=True)
class SealResult:
    """What a seal run did: the seal file written (``path`` None: nothing new to seal)."""

    path: Path | None
    sequence: int = 0
    size: int = 0
    """How many record revisions the seal covers."""
    root: str = ""
    added: list[Subject] = field(default_factory=list)
    withdrawn: list[RecordId] = field(default_factory=list)
    unchanged: int = 0
    recovered: int = 0
    signature: Path | None = None
    proposed: int = 0
    """Claims with ``status: proposed`` (from ``suggest``) left out until accepted."""
    seal_bytes: bytes = field(default=b"", repr=False)

    @cached_property
    def seal(self) -> Seal | None:
        """The seal written, parsed from its file's bytes when asked for (on a large case
        that is most of a second: ``sequence``, ``size`` and ``root`` are at hand)."""
        if self.path is None:
            return None
        return Seal.from_dict(loads_json(self.seal_bytes, path=self.path.name))


@dataclass(frozen=True, slots=True)
class _Planned:
    """A claim record revision to write: its identity and its RFC 8785 bytes."""

    id: RecordId
    revision: int
    supersedes: Supersedes | None
    key: str
    status: str
    body_blake3: str
    record_bytes: bytes


_CLAIM_SCHEMA_BYTES = canonical_bytes(CLAIM_SCHEMA)


def _claim_record_bytes(
    record_id: RecordId,
    revision: int,
    supersedes: Supersedes | None,
    body_bytes: bytes,
    at: bytes,
    who: bytes,
) -> bytes:
    """The record's RFC 8785 bytes, assembled around the body's canonical bytes (the
    same bytes ``canonical_bytes(Record(...).to_dict())`` gives, without a second walk)."""
    # The members in RFC 8785 order (a test compares with the whole record's bytes); an
    # id is ASCII with nothing to escape.
    return b"".join(
        (
            b'{"body":',
            body_bytes,
            b',"created_at":',
            at,
            b',"created_by":',
            who,
            b',"id":"',
            record_id.encode(),
            b'","kind":"claim","revision":',
            str(revision).encode(),
            b',"schema":',
            _CLAIM_SCHEMA_BYTES,
            b',"supersedes":',
            canonical_bytes(supersedes.to_dict()) if supersedes else b"null",
            b"}",
        )
    )


class _Planner:
    """Turns compiled claims into the record revisions to write, chunk by chunk."""

    def __init__(self, case: Case, state: CaseState, at: str, who: str) -> None:
        self.case = case
        self.state = state
        self.next_number = state.next_claim_number
        self.present: set[str] = set()
        self.unchanged = 0
        self.at, self.who = canonical_bytes(at), canonical_bytes(who)

    def take(self, compiled: list[CompiledClaim]) -> Iterator[_Planned]:
        """The new revisions among ``compiled`` (claims whose body did not change: none)."""
        state = self.state
        for claim in compiled:
            key = claim.key
            self.present.add(key)
            record_id = state.claim_keys.get(key)
            if record_id is None:
                record_id = format_record_id("claim", self.next_number)
                self.next_number += 1
                revision, supersedes = 1, None
            elif state.claim_body_digest.get(record_id) == claim.body_blake3:
                self.unchanged += 1
                continue
            else:
                latest = state.latest[record_id]
                # The revision superseded is read and checked: a new revision never
                # names one whose file has changed (the seal stops; run verify).
                problem = _recorded_bytes(self.case, latest)
                if isinstance(problem, str):
                    raise CaseError(problem, hint=_DAMAGED_HINT)
                revision = latest.revision + 1
                supersedes = Supersedes(latest.revision, latest.blake3)
            record_bytes = _claim_record_bytes(
                record_id, revision, supersedes, claim.body_bytes, self.at, self.who
            )
            yield _Planned(
                record_id, revision, supersedes, key, claim.status, claim.body_blake3, record_bytes
            )

    def keep(self, keys: list[str]) -> None:
        """Claims the custody log holds already with the same body (nothing to write)."""
        self.present.update(keys)
        self.unchanged += len(keys)

    def withdrawn(self) -> Iterator[_Planned]:
        """A `withdrawn` revision for every claim no claims file holds any more."""
        state, case = self.state, self.case
        absent = state.claim_keys.keys() - self.present  # a set operation, not a loop
        for key, record_id in sorted(
            ((key, state.claim_keys[key]) for key in absent), key=lambda kv: kv[1]
        ):
            if state.claim_status.get(record_id) == "withdrawn":
                continue
            latest = state.latest[record_id]
            previous = case.records.load(record_id, latest.revision, blake3=latest.blake3).record
            body = previous.body.to_dict()
            body["status"] = "withdrawn"
            ClaimBody.from_dict(body)  # the second gate: the withdrawn body is still a claim
            body_bytes = canonical_bytes(body)
            supersedes = Supersedes(latest.revision, latest.blake3)
            record_bytes = _claim_record_bytes(
                record_id, latest.revision + 1, supersedes, body_bytes, self.at, self.who
            )
            yield _Planned(
                record_id,
                latest.revision + 1,
                supersedes,
                key,
                "withdrawn",
                digest_bytes(body_bytes).blake3,
                record_bytes,
            )


def _recorded_bytes(case: Case, subject: Subject) -> bytes | str:
    """The canonical bytes of a record revision, read from its file and checked against
    the BLAKE3 the custody log gives it, or what is wrong with the file."""
    name = f"records/{subject.id}.{subject.revision}.json"
    record_bytes = record_slice(case.records.read(subject.id, subject.revision))
    if record_bytes is None:
        return f"{name} is not in the record file form"
    found = blake3_of(record_bytes)
    if found != subject.blake3:
        return (
            f"{name} changed since it was recorded (custody log says blake3 "
            f"{subject.blake3[:16]}…, file has {found[:16]}…)"
        )
    return record_bytes


_DAMAGED_HINT = "Run `evidence verify`; nothing was sealed."

_FORK_FROM = 8192
"""Record files to read for their leaves from which worker processes share the work."""


def _made_leaf(record_id: str, revision: int, found: _Fresh) -> SealLeaf:
    """The leaf of a record revision the custody log names (its id and revision were
    checked when the log was read) with the digests this seal took of its bytes."""
    return SealLeaf.made(RecordId(record_id), revision, found.blake3, found.sha256)


class _Fresh(NamedTuple):
    """A record revision this seal wrote, or read and checked already: its digests and
    Merkle leaf hash, taken from those bytes (the file is not read again)."""

    blake3: Blake3Hex
    sha256: Sha256Hex
    leaf: bytes

    @classmethod
    def of(cls, record_bytes: bytes) -> _Fresh:
        """The digests and leaf hash of a record revision's canonical bytes."""
        pair = digest_bytes(record_bytes)
        return cls(pair.blake3, pair.sha256, leaf_hash(record_bytes))


@dataclass(frozen=True)
class _LeafJob:
    """The records whose leaves are computed: handed to worker processes bound to
    :meth:`run` (through the pool's initializer), never through a module variable."""

    case: Case
    state: CaseState
    fresh: dict[tuple[str, int], _Fresh]

    def run(self, bounds: tuple[int, int]) -> tuple[list[SealLeaf], list[bytes], str | None]:
        """The leaves of ``state.entries[start:end]``, or where the first problem stopped
        them."""
        leaves: list[SealLeaf] = []
        hashes: list[bytes] = []
        fresh = self.fresh
        for subject in self.state.entries[bounds[0] : bounds[1]]:
            made = fresh.get((subject.id, subject.revision))
            if made is None:
                found = self.read(subject)
                if isinstance(found, str):
                    return leaves, hashes, found
                made = found
            leaves.append(SealLeaf(subject.id, subject.revision, made.blake3, made.sha256))
            hashes.append(made.leaf)
        return leaves, hashes, None

    def read(self, subject: Subject) -> _Fresh | str:
        """The digests of a record revision, from its file checked against the log, or
        what is wrong with the file."""
        record_bytes = _recorded_bytes(self.case, subject)
        if isinstance(record_bytes, str):
            return record_bytes
        return _Fresh.of(record_bytes)

    def read_all(self, positions: list[int]) -> list[_Fresh] | str:
        """:meth:`read` of the entries at ``positions``, or the first problem."""
        entries = self.state.entries
        made: list[_Fresh] = []
        for position in positions:
            found = self.read(entries[position])
            if isinstance(found, str):
                return found
            made.append(found)
        return made


def _sealed_prefix(
    job: _LeafJob, latest: LatestSeal | None, frontiers: FrontierCache | None
) -> tuple[bytes | memoryview, Frontier]:
    """The bytes of the leaves the previous seal covers and their Merkle frontier, when
    both can be reused: the previous seal file is the one the custody log names (by
    SHA-256), its leaves are exactly the first entries of the log (same ids, revisions
    and BLAKE3), and a kept frontier folds to its root (or the kept frontier of an
    earlier seal, with the records since, does). Else nothing, and every record file is
    read (docs/decisions/0021, 0026)."""
    state = job.state
    if latest is None or frontiers is None or not state.sealed:
        return b"", Frontier.empty()
    if state.sealed[-1].get("sha256") != latest.sha256:
        return b"", Frontier.empty()  # not the seal file the log names: verify will say
    size = latest.size
    before = latest.leaves_bytes()
    if before is None or size > len(state.entries) or not size:
        return b"", Frontier.empty()
    memo = LeavesMemo.default()
    known = memo is not None and memo.knows(latest.sha256, state.entries, size)
    if not known and not leaves_match(before, state.entries, size):
        return b"", Frontier.empty()
    frontier = frontiers.load(latest.root, size) or _caught_up(job, latest, frontiers)
    if frontier is None:
        return b"", Frontier.empty()
    return before, frontier


def _caught_up(job: _LeafJob, latest: LatestSeal, frontiers: FrontierCache) -> Frontier | None:
    """The previous seal's frontier made from the newest earlier seal whose frontier is
    kept and the records sealed since (a seal made with the caches off, or elsewhere,
    kept none), if it folds to exactly the previous seal's root."""
    for event in reversed(job.state.sealed[:-1]):
        root, size = event.get("root"), event.get("size")
        if not isinstance(root, str) or not isinstance(size, int) or not 0 < size <= latest.size:
            continue
        frontier = frontiers.load(root, size)
        if frontier is None:
            continue
        _, hashes, problem = job.run((size, latest.size))
        if problem is not None:
            return None  # the full read that follows stops on it
        frontier.extend(hashes)
        return frontier if frontier.root().hex() == latest.root else None
    return None


def _leaves(
    job: _LeafJob,
    progress: Progress | None,
    workers: int,
    *,
    reused: Frontier,
    fork: bool = True,
) -> tuple[list[SealLeaf], Frontier] | None:
    """The leaves of the record revisions after the ``reused.size`` the previous seal
    covers, and the whole tree's frontier; each revision is read and checked against
    the custody log, in up to ``workers`` processes for large cases (None when that
    would take worker processes and ``fork`` is False)."""
    frontier = reused
    entries, fresh = job.state.entries, job.fresh
    total = len(entries)
    ids = entries.ids[frontier.size :]
    revisions = entries.revisions[frontier.size :]
    # The revisions this seal wrote have their digests already (a cold seal: all the
    # claims); the others are read and checked, in worker processes when there are many.
    made = list(map(fresh.get, zip(ids, revisions, strict=True)))
    unread = [frontier.size + n for n, found in enumerate(made) if found is None]
    if not fork and workers > 1 and len(unread) >= _FORK_FROM:
        return None
    step = 2048
    done = 0
    for part in imap_chunks(
        job.read_all,
        [unread[start : start + step] for start in range(0, len(unread), step)],
        workers=workers,
        min_items=_FORK_FROM,
        total=len(unread),
    ):
        if isinstance(part, str):
            raise CaseError(part, hint=_DAMAGED_HINT)
        for position, found in zip(unread[done : done + len(part)], part, strict=True):
            made[position - frontier.size] = found
        done += len(part)
        if progress is not None:
            progress("sealing", frontier.size + done, total)
    digests = cast("list[_Fresh]", made)
    leaves = list(map(_made_leaf, ids, revisions, digests))
    frontier.extend([found.leaf for found in digests])
    if progress is not None:
        progress("sealing", total, total)
    return leaves, frontier


@dataclass(frozen=True)
class _Tree:
    """The Merkle tree a seal will name: the previous seal, its leaves bytes reused
    (``before``), the new leaves, and the whole tree's frontier."""

    latest: LatestSeal | None
    before: bytes | memoryview
    leaves: list[SealLeaf]
    frontier: Frontier
    cache: FrontierCache | None


def _tree(
    case: Case,
    state: CaseState,
    staged: _Staged,
    progress: Progress | None,
    workers: int,
    *,
    fork: bool,
    new_events: bool,
) -> _Tree | None:
    """The tree of every record revision the log names with this seal's events noted,
    each revision read and checked against the log unless this seal wrote it or its
    compile checked it; None when that would need worker processes and ``fork`` is
    False (the caller asks again once it may fork). Without ``new_events`` (no event
    since the latest seal) and nothing left to seal, the tree is left empty.

    Raises:
        CaseError: a record file is not what the log says (nothing is named yet).
    """
    latest = read_latest(case, state)
    if latest is not None and latest.size == len(state.entries) and not new_events:
        return _Tree(latest, b"", [], Frontier.empty(), None)  # nothing new to seal
    frontiers = FrontierCache.default()
    # The source records the compile read and checked are not read again.
    known = {key: _Fresh.of(data) for key, data in staged.read.items()}
    job = _LeafJob(case, state, known | staged.fresh)
    before, reused = _sealed_prefix(job, latest, frontiers)
    made = _leaves(job, progress, workers, reused=reused, fork=fork)
    if made is None:
        return None
    leaves, frontier = made
    return _Tree(latest, before, leaves, frontier, frontiers)


def _case_metadata_event(case: Case, state: CaseState) -> NewEvent | None:
    """A ``case-metadata`` event when case.yaml's bytes changed since they were last
    sealed (or were never sealed): the seal's custody head then covers them, so who
    submits, to whom, under which title is sealed evidence too (docs/decisions/0409)."""
    pair = digest_bytes(read_bytes(case.root / CASE_FILE, what="case.yaml"))
    if state.case_meta is not None and state.case_meta.get("sha256") == pair.sha256:
        return None
    return NewEvent(
        CASE_META_ACTION, None, {"file": CASE_FILE, "sha256": pair.sha256, "blake3": pair.blake3}
    )


@dataclass
class _Staged:
    """The record revisions a seal run writes, and the custody events that name them."""

    case: Case
    state: CaseState
    lines: LineMaker
    """The custody lines of the events noted, made as they are noted (while the
    compile runs: only the log's write is left for after the sync)."""
    events: int = 0
    """How many events are noted."""
    added: list[Subject] = field(default_factory=list)
    withdrawn: list[RecordId] = field(default_factory=list)
    fresh: dict[tuple[str, int], _Fresh] = field(default_factory=dict)
    """The digests of the records written in this run, by (id, revision)."""
    read: dict[tuple[str, int], bytes] = field(default_factory=dict)
    """The canonical bytes of the source records the compile read and checked against
    the custody log in this run (under this lock), by (id, revision)."""

    @cached_property
    def _records(self) -> str:
        """records/, as the string every file name is joined to (no pathlib per file)."""
        return os.fspath(self.case.records.root)

    def stage(self, planned: _Planned, batch: Batch) -> None:
        """Stage one record file in ``batch`` and note its custody event.

        Every field of the subject and the event's details is made here or by the
        compile (an id numbered, a revision counted, digests taken), so neither is
        checked again: the event's details go to the log as bytes made directly
        (:func:`_claim_details`; the dict is kept for readers of the event), and the
        state notes them by the claim's own path."""
        record_bytes = planned.record_bytes
        record_id, revision = planned.id, planned.revision
        pair = digest_bytes(record_bytes)
        batch.add(
            f"{self._records}/{record_id}.{revision}.json",  # records.path()'s name
            envelope_bytes(record_bytes, pair),
        )
        self.fresh[(record_id, revision)] = _Fresh(
            pair.blake3, pair.sha256, leaf_hash(record_bytes)
        )
        subject = Subject.made(record_id, revision, pair.blake3)
        self.added.append(subject)
        key, status, body_blake3 = planned.key, planned.status, planned.body_blake3
        details: dict[str, JSONValue] = {"key": key, "status": status, "body_blake3": body_blake3}
        if planned.supersedes is not None:
            details["supersedes"] = planned.supersedes.to_dict()
        encoded = _claim_details(key, status, body_blake3, planned.supersedes)
        action: Action = "claim-recorded" if revision == 1 else "superseded"
        self.event(NewEvent(action, subject, details, encoded))
        self.state.note_claim(subject, key, status, body_blake3)

    def event(self, new: NewEvent) -> None:
        """Note a custody event to append once the records are durable: its line."""
        self.lines.add(new)
        self.events += 1


def _claim_details(key: str, status: str, body_blake3: str, supersedes: Supersedes | None) -> bytes:
    """The RFC 8785 bytes of a claim event's details (``body_blake3``, ``key``,
    ``status`` and, for a new revision of a claim, ``supersedes``): the bytes
    ``canonical_bytes`` gives for the dict, the members in their order, without the
    walk (a test compares them). ``body_blake3`` is a hex digest the compile took."""
    return b"".join(
        (
            b'{"body_blake3":"',
            body_blake3.encode(),
            b'","key":',
            canonical_bytes(key),
            b',"status":',
            canonical_bytes(status),
            b',"supersedes":' + canonical_bytes(supersedes.to_dict()) if supersedes else b"",
            b"}",
        )
    )


def _record_claims(
    case: Case, planner: _Planner, staged: _Staged, report: Report, workers: int, batch: Batch
) -> None:
    """Compile the claims and stage their new record revisions in ``batch`` (the caller
    commits it before any custody event names them).

    Compiling (in worker processes) and staging the records (here, and by the batch's
    writer thread) overlap; the batch removes its files if the seal stops before the log
    names them, so a problem found late still leaves nothing behind.

    Raises:
        ClaimsInvalid: a claims file has a problem (nothing is written).
    """
    # (the collector is paused by seal_case for the whole seal)
    claims = iter_case_claims(
        case, staged.state, report, workers=workers, kept=planner.keep, records=staged.read
    )
    for compiled in claims:
        if report.ok:
            for planned in planner.take(compiled):
                staged.stage(planned, batch)
    if not report.ok:
        raise ClaimsInvalid(report)
    for planned in planner.withdrawn():
        staged.stage(planned, batch)
        staged.withdrawn.append(planned.id)


def _leaves_are_entries(leaves: list[SealLeaf], entries: Entries, size: int) -> bool:
    """Whether ``leaves`` are the last leaves of a tree of ``size`` leaves made from
    ``entries`` (same ids, revisions and BLAKE3, and no entry left over)."""
    start = size - len(leaves)
    if size != len(entries) or start < 0:
        return False
    made = [(leaf.id, leaf.revision, leaf.blake3) for leaf in leaves]
    ids, revisions, digests = entries.ids, entries.revisions, entries.blake3
    return made == list(zip(ids[start:], revisions[start:], digests[start:], strict=True))


def _previous_link(latest: LatestSeal | None) -> tuple[int, SealLink | None]:
    """The new seal's sequence number and its link to the previous seal."""
    if latest is None:
        return 1, None
    return latest.sequence + 1, SealLink(latest.sequence, latest.root, latest.sha256)


def _write_seal(
    case: Case,
    seal: Seal,
    key: SigningKey | None,
    *,
    who: str,
    moment: _dt.datetime,
    pending: PendingSeal,
    size: int,
) -> tuple[Path, Path | None, str]:
    """Give the seal file ``pending`` (the bytes :func:`seal_file_bytes` made of ``seal``,
    in a tree of ``size`` leaves, written and synced) its name, write its signature,
    and log them: the seal's path, the signature's path and the seal's SHA-256."""
    path = pending.dest
    pending.place()
    seal_sha256 = pending.sha256
    sealed = [
        NewEvent(
            "sealed",
            None,
            {
                "sequence": seal.sequence,
                "root": seal.root,
                "size": size,
                "sha256": seal_sha256,
                "file": f"seals/{seal.filename}",
            },
        )
    ]
    signature = None
    if key is not None:
        from evidence.integrity.sign import write_signature

        signature = write_signature(path, pending.data, key)
        # The signature file's own digest binds the stored bytes to the log
        # (docs/decisions/0405), as the `timestamped` event does for a token.
        sealed.append(
            NewEvent(
                "signed",
                None,
                {
                    "seal": seal.sequence,
                    "seal_sha256": seal_sha256,
                    "file": case.rel(signature),
                    "alg": "ed25519",
                    "fingerprint": key.fingerprint,
                    "sha256": digest_bytes(signature.read_bytes()).sha256,
                },
            )
        )
    case.custody.append(sealed, actor=who, now=moment)
    return path, signature, seal_sha256


def _new_seal(case: Case, tree: _Tree, head: CustodyHead, at: str, key: SigningKey | None) -> Seal:
    """The seal of ``tree`` naming the custody log's ``head``; its own leaves are the new
    ones (the file starts with the previous seal's, ``tree.before``)."""
    sequence, previous = _previous_link(tree.latest)
    return Seal(
        case_id=case.meta.id,
        sequence=sequence,
        sealed_at=at,
        size=len(tree.leaves),
        root=Sha256Hex(tree.frontier.root().hex()),
        leaves=tuple(tree.leaves),
        custody_seq=head.seq,
        custody_sha256=head.sha256,
        previous=previous,
        signer=Signer.from_dict(key.signer()) if key is not None else None,
    )


class _CacheParts(NamedTuple):
    """What :func:`_keep_caches` keeps, made while the seal's lines are written."""

    state_bytes: bytes | None
    """``state.to_bytes()`` (None: no state is kept after so few events, or no cache)."""
    fingerprint: str | None
    """The fingerprint of the entries the tree's leaves are, for the leaves memo of the
    seal file once it is written (None: they are not all made from the entries)."""


def _cache_parts(case: Case, state: CaseState, appended: int, tree: _Tree) -> _CacheParts:
    """The CPU work of keeping the caches, which needs only ``state`` and ``tree``."""
    state_bytes = state.to_bytes() if case.state_worth_keeping(appended) else None
    leaves = tree.frontier.size
    if LeavesMemo.default() is None or not _leaves_are_entries(tree.leaves, state.entries, leaves):
        return _CacheParts(state_bytes, None)
    return _CacheParts(state_bytes, entries_fingerprint(state.entries, leaves))


def _keep_caches(
    case: Case, state: CaseState, size: int, appended: int, tree: _Tree, parts: _CacheParts
) -> None:
    """Keep the tree's frontier, and ``state`` as the state of the custody log's first
    ``size`` bytes, for the next seal (best effort, like every cache)."""
    if tree.cache is not None:
        tree.cache.store(tree.frontier)
    case.keep_state(state, size, appended=appended, payload=parts.state_bytes)


class _Beside(threading.Thread, Generic[T]):
    """A call run on a thread beside the caller's work. :meth:`join` waits for it to end
    even when the caller is interrupted meanwhile (Ctrl-C), so that the caller never
    undoes what the call is still doing; then it raises what the call raised, else the
    interruption."""

    def __init__(self, call: Callable[..., T], *args: object) -> None:
        super().__init__(name="seal-beside", daemon=True)
        self._call, self._args = call, args
        self._result: list[T] = []
        self._error: BaseException | None = None
        self._done = threading.Event()  # (an interrupted Thread.join may say "not alive")
        self.start()

    def run(self) -> None:
        try:
            self._result.append(self._call(*self._args))
        except BaseException as exc:  # handed to the caller by join()
            self._error = exc
        finally:
            self._done.set()

    def join(self, timeout: float | None = None) -> None:
        interrupted: BaseException | None = None
        while not self._done.is_set():
            try:
                self._done.wait()
            except BaseException as exc:  # KeyboardInterrupt: raised once the call ends
                interrupted = exc
        error = self._error or interrupted
        self._error = None
        if error is not None:
            raise error

    def result(self) -> T:
        """What the call returned (:meth:`join` first)."""
        self.join()
        return self._result[0]


def _write_lines(case: Case, lines: PreparedLines | None, batch: Batch) -> None:
    """Append the prepared lines to the custody log, durably, then settle ``batch``: the
    log names its files now (a failed write leaves the log as it was, and the batch
    unsettled: leaving it removes them)."""
    case.custody.write(lines)
    batch.settle()


def seal_case(
    case: Case,
    *,
    actor: str | None = None,
    now: _dt.datetime | None = None,
    progress: Progress | None = None,
    key: SigningKey | None = None,
    workers: int = 1,
) -> SealResult:
    """Compile the claims into records and seal every record revision of the case.

    With ``key``, the seal names the key's fingerprint and its Ed25519 signature is
    written beside it (``seals/NNNN.json.sig``, see :mod:`evidence.integrity.sign`).
    Time-stamping is a separate step (:mod:`evidence.integrity.timestamp`). ``workers``
    is how many processes may compile claims and read records (the command line gives
    the number of cores).

    Raises:
        ClaimsInvalid: the claims files have problems (nothing is written).
        CaseError: the case's files do not match its custody log (run verify).
        LockError: another process is writing to the case.
    """
    who = default_actor(actor)
    moment = now or utc_now()
    at = format_time(moment)
    # The collector is off for the whole seal: a case's state, its compiled claims and
    # its leaves are hundreds of thousands of objects in no cycle, which each automatic
    # collection would walk again (it is on again, as it was, when the seal returns).
    with gc_paused(), case.lock():
        state = case.state(cached=True)
        events_before = state.custody_events
        recovered = case.recover(state, actor=who, now=moment)
        report = Report(subject=str(case.root))
        planner = _Planner(case, state, at, who)
        staged = _Staged(case, state, case.custody.start_lines(actor=who, now=moment))
        # The record files are written under their final names after a marker, which
        # goes once the log names them (a crash before: the next writer removes them).
        with Batch(journal=case.root) as batch:
            _record_claims(case, planner, staged, report, workers, batch)
            meta_event = _case_metadata_event(case, state)
            if meta_event is not None:
                staged.event(meta_event)
                state.note(meta_event.action, None, meta_event.details or {})
            new = staged.events > 0 or recovered > 0
            # While the sync makes the files durable (the disk's work), the log's lines
            # are joined and the tree computed (the CPU's). The tree is computed
            # before the log names anything: a damaged record stops the seal with
            # nothing written. Worker processes are not forked beside the sync thread.
            lines, tree = batch.commit(
                during=lambda: (
                    staged.lines.finish(),
                    _tree(case, state, staged, progress, workers, fork=False, new_events=new),
                )
            )
            if tree is None:
                tree = _tree(case, state, staged, progress, workers, fork=True, new_events=new)
                assert tree is not None  # it may fork now
            latest = tree.latest
            if (
                latest is not None
                and staged.events == 0
                and recovered == 0
                and latest.size == len(state.entries)
            ):
                case.custody.write(lines)  # nothing (no event), as for any seal
                batch.settle()
                return SealResult(
                    None,
                    unchanged=planner.unchanged,
                    proposed=report.checked["proposed claims"],
                )
            # The log's new lines go to disk on a thread (writing and syncing let go of
            # the interpreter lock) while the seal file's bytes are made here: they name
            # the head those lines make, and are written only once the lines are durable.
            head = lines.head if lines is not None else case.custody.head()
            assert head is not None  # init wrote the first event
            writing = _Beside(_write_lines, case, lines, batch)
            # What the caches keep is made meanwhile too (the state's bytes, the leaves'
            # fingerprint): CPU work beside the disk's. `state` is complete here.
            appended = state.custody_events - events_before
            preparing = _Beside(_cache_parts, case, state, appended, tree)
            pending: PendingSeal | None = None
            try:
                seal = _new_seal(case, tree, head, at, key)
                seal_bytes = seal_file_bytes(seal, tree.before, tree.frontier.size)
                # The seal file is written and synced meanwhile too, under a temporary
                # name: it is given its name only once those lines are durable.
                pending = PendingSeal(case.seals_dir / seal.filename, seal_bytes)
            finally:
                try:
                    writing.join()  # the batch is settled once the lines are written
                except BaseException:
                    if pending is not None:
                        pending.discard()
                    raise
        assert pending is not None  # made, or the block raised
        frontier = tree.frontier
        try:
            # Every event so far is noted in `state`, as the log's lines up to here.
            noted_up_to = case.custody.path.stat().st_size
            # The caches are kept on a thread while the seal file gets its name and its
            # `sealed` line is appended (a cache entry lost is a miss; each is checked
            # against what it stands for when read): the frontier, and the state of the log
            # up to the `sealed` line, which the next seal parses after it (docs/decisions/0021).
            parts = preparing.result()
            keeping = _Beside(_keep_caches, case, state, noted_up_to, appended, tree, parts)
            try:
                path, signature, seal_sha256 = _write_seal(
                    case, seal, key, who=who, moment=moment, pending=pending, size=frontier.size
                )
            finally:
                keeping.join()
        finally:
            pending.discard()  # nothing once placed
        fingerprint = parts.fingerprint
        memo = LeavesMemo.default()
        if memo is not None and fingerprint is not None:
            # The file's leaves are the entries' (the first ones checked against them,
            # the others made from them here): the next seal need not compare them byte
            # for byte (docs/decisions/0028).
            memo.store(seal_sha256, state.entries, frontier.size, fingerprint=fingerprint)
        return SealResult(
            path,
            sequence=seal.sequence,
            size=frontier.size,
            root=seal.root,
            seal_bytes=seal_bytes,
            added=staged.added,
            withdrawn=staged.withdrawn,
            unchanged=planner.unchanged,
            recovered=recovered,
            signature=signature,
            proposed=report.checked["proposed claims"],
        )
