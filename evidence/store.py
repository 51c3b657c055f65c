"""The files of a case folder that the tool writes: objects and record files.

``objects/ab/abcdef…``: captured bytes and normalised texts, named by their BLAKE3
digest, read-only once written, stored once however often they are added.

``records/SRC-0001.1.json``: one record revision a file. The file is the RFC 8785 form
of the envelope ``{"digests": {...}, "record": {...}}`` and a line end. Because RFC 8785
is compositional, the bytes of ``record`` inside the file are exactly its canonical
bytes, so the digests (and the Merkle leaf) are taken over the stored bytes themselves,
never over a re-serialisation. See docs/decisions/0002-record-files.md.

Example:
    >>> data = envelope_bytes(b'{"a":1}')
    >>> record_slice(data)
    b'{"a":1}'
"""

from __future__ import annotations

import errno
import mmap
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

from evidence._fs import (
    DIRECT_ALIGN,
    WRITEBACK_STEP,
    Batch,
    fsync_dir,
    read_bytes,
    replace_file,
    set_direct,
    start_writeback,
    write_all,
    write_new_file,
)
from evidence.canonical import canonical_bytes, loads_json
from evidence.digest import (
    DigestPair,
    blake3_of,
    copy_and_digest,
    digest_bytes,
    digest_file,
    is_hex64,
)
from evidence.errors import CaseError, EvidenceError, InputError, SchemaError
from evidence.model import Record, RecordId
from evidence.schema import is_valid

__all__ = [
    "LoadedRecord",
    "ObjectStore",
    "RecordFile",
    "RecordStore",
    "checked_record_bytes",
    "envelope_bytes",
    "object_text",
    "parse_record_file",
    "record_document",
    "record_slice",
]

INCOMING_PREFIX: Final = ".incoming-"
"""Temporary files of streamed objects: ``objects/.incoming-<16 hex>``."""

_HEAD: Final = b'{"digests":{"blake3":"'
_MID: Final = b'","sha256":"'
_TAIL: Final = b'"},"record":'
_RECORD_OFFSET: Final = len(_HEAD) + 64 + len(_MID) + 64 + len(_TAIL)


def envelope_bytes(record_bytes: bytes, digests: DigestPair | None = None) -> bytes:
    """The record file for the canonical bytes of a record: RFC 8785 envelope + ``\\n``."""
    pair = digests or digest_bytes(record_bytes)
    return b"".join(
        (_HEAD, pair.blake3.encode(), _MID, pair.sha256.encode(), _TAIL, record_bytes, b"}\n")
    )


def record_slice(data: bytes) -> bytes | None:
    """The bytes of ``record`` inside a record file, or None if the file is not in the
    canonical envelope shape (which verify then reports)."""
    if not (data.startswith(_HEAD) and data.endswith(b"}\n") and len(data) > _RECORD_OFFSET + 2):
        return None
    if data[_RECORD_OFFSET - len(_TAIL) : _RECORD_OFFSET] != _TAIL:
        return None
    return data[_RECORD_OFFSET:-2]


def stored_digests(data: bytes) -> tuple[str, str] | None:
    """The (blake3, sha256) written in a record file's envelope, by position."""
    if not data.startswith(_HEAD):
        return None
    b3 = data[len(_HEAD) : len(_HEAD) + 64].decode("ascii", "replace")
    start = len(_HEAD) + 64 + len(_MID)
    sha = data[start : start + 64].decode("ascii", "replace")
    return b3, sha


_DAMAGED = "Run `evidence verify` on the case."


@dataclass(frozen=True, slots=True)
class LoadedRecord:
    """A record revision read from its file: the record and its canonical bytes (the
    bytes its digests and Merkle leaf are taken over)."""

    record: Record
    record_bytes: bytes


def checked_record_bytes(data: bytes, *, name: str, blake3: str | None = None) -> bytes:
    """The first steps of :func:`parse_record_file`: the record's canonical bytes inside
    a record file, checked against ``blake3`` when given; not parsed.

    Raises:
        CaseError: the file is empty, not in the envelope form, or not the record the
            digest names.
    """
    if not data:
        raise CaseError(f"{name} is empty", hint=_DAMAGED)
    record_bytes = record_slice(data)
    if record_bytes is None:
        raise CaseError(f"{name} is not in the record file form", hint=_DAMAGED)
    if blake3 is not None and blake3_of(record_bytes) != blake3:
        raise CaseError(f"{name} does not match the digest recorded for it", hint=_DAMAGED)
    return record_bytes


def parse_record_file(data: bytes, *, name: str, blake3: str | None = None) -> LoadedRecord:
    """The one reader of a record file's bytes: envelope, digest, JSON, schema, model.

    Every command reads a record revision through this function (or
    :meth:`RecordStore.load`), so a damaged file gets the same answer from each: a
    :class:`CaseError` naming the file, never a ``KeyError`` or ``UnicodeDecodeError``.

    Args:
        data: the file's bytes.
        name: the file as shown to users (``records/SRC-0001.1.json``).
        blake3: the digest the record must have (from the custody log or a seal).

    Raises:
        CaseError: the file is empty, not in the envelope form, not JSON, not a record
            of the schema, or not the record the digest names.
    """
    doc, record_bytes = record_document(data, name=name, blake3=blake3)
    try:
        return LoadedRecord(Record.from_dict(doc), record_bytes)
    except (SchemaError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CaseError(f"{name} does not hold a valid record ({exc})", hint=_DAMAGED) from exc


def record_document(
    data: bytes, *, name: str, blake3: str | None = None
) -> tuple[dict[str, Any], bytes]:
    """All of :func:`parse_record_file` but the model: the record's JSON, checked against
    ``blake3`` when given and valid under its kind's schema, and its canonical bytes.

    For a reader that needs a few members of a record revision the custody log names
    (a compile reads 10,000 source records; the model costs twice the rest).

    Raises:
        CaseError: as :func:`parse_record_file`, but for what only the model checks.
    """
    record_bytes = checked_record_bytes(data, name=name, blake3=blake3)
    try:
        doc = loads_json(record_bytes, path=name)
    except EvidenceError as exc:
        raise CaseError(exc.message, path=name, hint=_DAMAGED) from exc
    kind = doc.get("kind") if isinstance(doc, dict) else None
    if kind not in ("source", "claim") or not is_valid(kind, doc):
        raise CaseError(
            f"{name} does not hold a valid record (schema {kind or 'unknown'})", hint=_DAMAGED
        )
    return doc, record_bytes


def object_text(data: bytes, *, name: str, blake3: str | None = None) -> str:
    """The one reader of a text object's bytes: digest (when given), then strict UTF-8.

    Raises:
        CaseError: the bytes are not the object the digest names, or not UTF-8.
    """
    if blake3 is not None and blake3_of(data) != blake3:
        raise CaseError(f"{name} does not match its digest", hint=_DAMAGED)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError(
            f"{name} is not a text object: not valid UTF-8 at byte {exc.start}", hint=_DAMAGED
        ) from exc


class _FullWrites:
    """A sink whose ``write`` writes every byte or raises: a raw file's ``write`` may
    write fewer bytes than given (a nearly full disk), which must never go unnoticed.

    On Linux the bytes go to disk with ``O_DIRECT`` in whole 4 MiB blocks, gathered in a
    page-aligned buffer: this machine's disk takes a long write past the page cache
    three to five times faster (decision 0506). Where that is refused, and for the tail
    that is not whole blocks, it writes through the page cache and starts writing every
    :data:`~evidence._fs.WRITEBACK_STEP` bytes to disk, so that the ``fsync`` at the end
    waits for the last step only (issue 17: a 1 GiB exhibit). Call :meth:`finish` after
    the last ``write``.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.written = 0
        self.flushed = 0
        self.staged = 0
        self.direct = set_direct(fd, True)
        self.buffer = mmap.mmap(-1, _STAGE) if self.direct else None

    def write(self, data: bytes) -> int:
        if self.buffer is not None and self.direct:
            view = memoryview(data)
            while view:
                take = min(len(view), _STAGE - self.staged)
                self.buffer[self.staged : self.staged + take] = view[:take]
                self.staged += take
                view = view[take:]
                if self.staged == _STAGE:
                    self._emit_staged()
        else:
            write_all(self.fd, data)
            if self.written + len(data) - self.flushed >= WRITEBACK_STEP:
                start_writeback(self.fd, self.flushed, self.written + len(data) - self.flushed)
                self.flushed = self.written + len(data)
        self.written += len(data)
        return len(data)

    def finish(self) -> None:
        """Write what is still gathered (whole blocks direct, the tail buffered)."""
        self._emit_staged()

    def _emit_staged(self) -> None:
        if self.buffer is None or not self.staged:
            return
        with memoryview(self.buffer) as whole:
            view = whole[: self.staged]
            while view:
                length = len(view) - len(view) % DIRECT_ALIGN if self.direct else len(view)
                if not length:
                    self.direct = set_direct(self.fd, False)
                    continue
                try:
                    done = os.write(self.fd, view[:length])
                except OSError as exc:
                    if not self.direct or exc.errno != errno.EINVAL:
                        raise
                    self.direct = set_direct(self.fd, False)  # refused after all: buffered
                    continue
                if done <= 0:  # pragma: no cover - write(2) raises ENOSPC rather than 0
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                if self.direct and done % DIRECT_ALIGN:
                    self.direct = set_direct(self.fd, False)
                view = view[done:]
            view.release()
        self.staged = 0


_STAGE: Final = 4 << 20  # bytes gathered for one direct write


class ObjectStore:
    """Content-addressed, write-once storage of bytes under ``objects/``.

    An object file is trusted only when its size and BLAKE3 digest are those of its name:
    storing bytes whose name exists checks the existing file first, and replaces a
    damaged one (a truncated file left by an old crash or a full disk) from the new
    bytes. The digests of replaced objects are kept in :attr:`repaired`, for the
    writer's custody event.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repaired: list[str] = []
        self.streamed: list[Path] = []  # objects put_stream named, for a writer's rollback

    def path(self, blake3_hex: str) -> Path:
        """``objects/ab/abcdef…`` for a BLAKE3 digest."""
        if not is_hex64(blake3_hex):
            raise CaseError(f"{blake3_hex!r} is not a BLAKE3 digest")
        return self.root / blake3_hex[:2] / blake3_hex

    def exists(self, blake3_hex: str) -> bool:
        return self.path(blake3_hex).is_file()

    def _intact(self, dest: Path, pair: DigestPair) -> bool:
        """Whether the file at ``dest`` holds exactly the bytes ``pair`` names: size
        first (cheap), then the digest."""
        try:
            if dest.stat().st_size != pair.size:
                return False
            return digest_file(dest).blake3 == pair.blake3
        except OSError:
            return False

    def put_bytes(self, data: bytes, *, batch: Batch | None = None) -> tuple[DigestPair, bool]:
        """Store bytes; return their digests and whether they were stored already.

        With ``batch``, the object is staged and becomes durable at ``batch.commit()``.
        A damaged file under the name is replaced at once (durably), whatever the batch.
        """
        pair = digest_bytes(data)
        dest = self.path(pair.blake3)
        if batch is not None and batch.holds(dest):
            return pair, True
        if dest.exists() or dest.is_symlink():
            if self._intact(dest, pair):
                return pair, True
            replace_file(dest, data, mode=0o444)
            self.repaired.append(pair.blake3)
            return pair, False
        if batch is not None:
            batch.add(dest, data)  # the batch makes the folder, and removes it on abort
        else:
            dest.parent.mkdir(exist_ok=True)
            write_new_file(dest, data)
        return pair, False

    def put_stream(self, source: BinaryIO) -> tuple[DigestPair, bool]:
        """Store a stream in one pass (read once, write once, fsync, both digests on the way).

        Memory stays bounded whatever the size of the stream. The temporary file is
        ``objects/.incoming-<random>``; it is removed on any failure, and only bytes whose
        digest was taken on the way, fully written and synced, get the object's name.
        """
        tmp = self.root / f"{INCOMING_PREFIX}{secrets.token_hex(8)}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
            try:
                sink = _FullWrites(fd)
                pair = copy_and_digest(source, sink)  # type: ignore[arg-type]
                sink.finish()
                if sink.written != pair.size or os.fstat(fd).st_size != pair.size:
                    raise OSError(errno.EIO, "the copy is shorter than the stream")
                os.fsync(fd)
            finally:
                os.close(fd)
            dest = self.path(pair.blake3)
            if dest.exists() or dest.is_symlink():
                if self._intact(dest, pair):
                    return pair, True
                os.replace(tmp, dest)  # a damaged object: the new bytes take its place
                fsync_dir(dest.parent)
                self.repaired.append(pair.blake3)
                return pair, False
            dest.parent.mkdir(exist_ok=True)
            try:
                os.link(tmp, dest)
            except FileExistsError:
                return pair, True
            self.streamed.append(dest)
            fsync_dir(dest.parent)
            return pair, False
        finally:
            tmp.unlink(missing_ok=True)

    def read(self, blake3_hex: str) -> bytes:
        return read_bytes(self.path(blake3_hex), what="object")

    def read_text(self, blake3_hex: str) -> str:
        """A text object, checked against its name and decoded (see :func:`object_text`).

        Raises:
            InputError: the object is missing or unreadable.
            CaseError: its bytes are not the object named, or not UTF-8.
        """
        name = f"objects/{blake3_hex[:2]}/{blake3_hex}"
        return object_text(self.read(blake3_hex), name=name, blake3=blake3_hex)

    def iter_paths(self) -> Iterator[Path]:
        """Every stored object file (not the temporary ones)."""
        if not self.root.is_dir():
            return
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir() and len(sub.name) == 2:
                for entry in sorted(sub.iterdir()):
                    if not entry.name.startswith("."):
                        yield entry


@dataclass(frozen=True, slots=True)
class RecordFile:
    """A record file as stored: its path, id, revision and bytes."""

    path: Path
    id: RecordId
    revision: int
    data: bytes


def parse_record_filename(name: str) -> tuple[RecordId, int] | None:
    """``SRC-0001.2.json`` -> (``SRC-0001``, 2); None for names that are not record files."""
    if not name.endswith(".json"):
        return None
    stem = name[: -len(".json")]
    record_id, _, revision = stem.rpartition(".")
    if (
        len(record_id) < 8
        or record_id[:4] not in ("SRC-", "CLM-")
        or not record_id[4:].isdigit()
        or not revision.isdigit()
        or revision.startswith("0")
    ):
        return None
    return RecordId(record_id), int(revision)


class RecordStore:
    """Record files under ``records/``: written once, never rewritten."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, record_id: str, revision: int) -> Path:
        return self.root / f"{record_id}.{revision}.json"

    def write(self, record: Record, *, batch: Batch | None = None) -> tuple[bytes, DigestPair]:
        """Write a new record file; return the record's canonical bytes and digests.

        With ``batch``, the file is staged and named at ``batch.commit()``.

        Raises:
            CaseError: the record file exists already (records are never rewritten).
        """
        record_bytes = canonical_bytes(record.to_dict())
        pair = digest_bytes(record_bytes)
        data = envelope_bytes(record_bytes, pair)
        dest = self.path(record.id, record.revision)
        if batch is not None:
            batch.add(dest, data)
        else:
            write_new_file(dest, data)
        return record_bytes, pair

    def read(self, record_id: str, revision: int) -> bytes:
        return read_bytes(self.path(record_id, revision), what="record file")

    def load(self, record_id: str, revision: int, *, blake3: str | None = None) -> LoadedRecord:
        """Read and parse one record revision (see :func:`parse_record_file`).

        Raises:
            InputError: the file is missing or unreadable.
            CaseError: the file does not hold the record.
        """
        name = f"records/{record_id}.{revision}.json"
        return parse_record_file(self.read(record_id, revision), name=name, blake3=blake3)

    def check(self, record_id: str, revision: int, *, blake3: str) -> bytes:
        """Read one record revision and check it against its digest, without parsing it
        (see :func:`checked_record_bytes`); its canonical bytes.

        Raises:
            InputError: the file is missing or unreadable.
            CaseError: the file does not hold the record the digest names.
        """
        name = f"records/{record_id}.{revision}.json"
        return checked_record_bytes(self.read(record_id, revision), name=name, blake3=blake3)

    def names(self) -> list[str]:
        """Every file name in ``records/`` (including ones that are not record files)."""
        try:
            return sorted(
                n for n in os.listdir(self.root) if not n.startswith(".") or not n.endswith(".tmp")
            )
        except FileNotFoundError as exc:
            raise InputError("records/ is missing", path=str(self.root)) from exc
