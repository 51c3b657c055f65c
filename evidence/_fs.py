"""Durable, atomic file writes and the case folder's writer lock.

A file is written to a temporary name in its destination folder, flushed, fsynced and
renamed into place, so a reader sees the old state or the new one, never half a file.
For batches (a seal writing thousands of records) a :class:`Batch` stages the files and
makes them durable with one sync before naming them; the custody log refers to them only
after that.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import itertools
import os
import queue
import re
import shutil
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Final, TypeVar, cast, overload

from evidence.errors import CaseError, InputError, LockError, UsageError

__all__ = [
    "DIRECT_ALIGN",
    "JOURNAL_PATTERN",
    "WRITEBACK_STEP",
    "Batch",
    "PendingFile",
    "append_durably",
    "case_lock",
    "case_read_lock",
    "fsync_dir",
    "new_output_path",
    "read_bytes",
    "remove_leftovers",
    "replace_file",
    "replaced_output",
    "set_direct",
    "start_writeback",
    "write_all",
    "write_new_file",
]

LOCK_NAME = ".lock"

T = TypeVar("T")


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd``: ``write(2)`` may write fewer bytes than
    given (a nearly full disk), which must never go unnoticed."""
    view = memoryview(data)
    while view:
        done = os.write(fd, view)
        if done <= 0:  # pragma: no cover - write(2) raises ENOSPC rather than 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[done:]


_JOIN_UP_TO: Final = 1 << 20
"""Bytes of small parts :func:`write_parts` joins for one write."""


def write_parts(fd: int, parts: Iterable[bytes]) -> None:
    """Write the concatenation of ``parts`` (:func:`write_all`), joined into pieces of
    about 1 MiB: many small parts (a seal's 100,000 custody lines) in few system calls,
    without a copy of them all at once."""
    group: list[bytes] = []
    size = 0
    for part in parts:
        group.append(part)
        size += len(part)
        if size >= _JOIN_UP_TO:
            write_all(fd, b"".join(group))
            group.clear()
            size = 0
    if group:
        write_all(fd, b"".join(group))


Data = bytes | Sequence[bytes]
"""What a writer takes: bytes, or parts to write one after the other."""


def _write_data(fd: int, data: Data) -> None:
    if isinstance(data, bytes):
        write_all(fd, data)
    else:
        write_parts(fd, data)


WRITEBACK_STEP: Final = 64 << 20
"""How many bytes a long write lets pile up before it asks for them to go to disk."""


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Start writing a range of a file just written to disk, without waiting and
    keeping it in the page cache (Linux: ``sync_file_range(SYNC_FILE_RANGE_WRITE)``;
    where that is missing, ``posix_fadvise(DONTNEED)``, which also starts writeback but
    drops the pages already written). A long copy calls it every
    :data:`WRITEBACK_STEP` bytes so that the disk works while the copy goes on and the
    ``fsync`` at the end waits for the last step only; elsewhere it does nothing."""
    if length <= 0 or not sys.platform.startswith("linux"):
        return
    call = _sync_file_range()
    if call is not None and call(fd, offset, length, _SYNC_FILE_RANGE_WRITE) == 0:
        return
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, offset, length, os.POSIX_FADV_DONTNEED)


_SYNC_FILE_RANGE_WRITE: Final = 2  # <fcntl.h>


@functools.cache
def _libc(name: str, *argtypes: str) -> Callable[..., int] | None:
    """The libc function ``name`` (one the os module lacks), taking C arguments of the
    ``ctypes`` types named in ``argtypes`` and returning an int, or None where libc
    has none."""
    import ctypes  # here: only a long copy or a large batch needs it (start-up time)

    try:
        function = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None
    function.argtypes = tuple(getattr(ctypes, kind) for kind in argtypes)
    function.restype = ctypes.c_int
    return cast("Callable[..., int]", function)


def _sync_file_range() -> Callable[..., int] | None:
    """libc's ``sync_file_range(fd, offset, length, flags)``, or None."""
    return _libc("sync_file_range", "c_int", "c_int64", "c_int64", "c_uint")


DIRECT_ALIGN: Final = 4096
"""O_DIRECT wants offsets, lengths and buffers in whole blocks (512 or 4096 bytes)."""


def set_direct(fd: int, on: bool) -> bool:
    """Turn ``O_DIRECT`` on or off for ``fd`` (Linux; decision 0506); whether it is now
    on, False where the system or the file system refuses it."""
    flag = getattr(os, "O_DIRECT", 0)
    if not flag:
        return False
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, flags | flag if on else flags & ~flag)
    except OSError:
        if on:
            return False
        raise
    return on


_TEMP_SEQUENCE = itertools.count()


def _temp_base(name: str) -> str:
    """The file name of a temporary file for a file named ``name``, in the same folder,
    that no other writer uses: this process's id and a counter (files are created with
    O_EXCL, so a clash fails rather than overwrites; :data:`TEMP_PATTERN` matches it)."""
    return f".{name}.{os.getpid()}-{next(_TEMP_SEQUENCE)}.tmp"


def _temp_name(dest: Path) -> Path:
    """A temporary name beside ``dest`` (:func:`_temp_base`)."""
    return dest.with_name(_temp_base(dest.name))


def _write_temp(dest: Path, data: Data, *, mode: int, fsync: bool) -> Path:
    """Write ``data`` to a new temporary file beside ``dest``; return its path."""
    tmp = _temp_name(dest)
    _write_temp_at(tmp, data, mode, fsync=fsync)
    return tmp


def _write_temp_at(tmp: str | Path, data: Data, mode: int, *, fsync: bool = False) -> None:
    """Create ``tmp`` (which must not exist) with ``data``; remove it again on failure."""
    # Created with its final permissions (the creating descriptor stays writable), which
    # spares a chmod per file in large batches.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        _write_data(fd, data)
        if fsync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    os.close(fd)


def write_new_file(dest: Path, data: bytes, *, mode: int = 0o444, durable: bool = True) -> None:
    """Create ``dest`` with ``data`` atomically; refuse if it exists.

    Nothing is rewritten: ``link(2)`` fails where ``rename(2)`` would silently replace.

    Args:
        dest: the final path.
        data: the bytes.
        mode: permission bits of the new file (read-only by default).
        durable: fsync the file and its folder before returning; a writer that stages a
            whole folder and makes it durable at once passes False.

    Raises:
        CaseError: ``dest`` exists already.
    """
    PendingFile(dest, data, mode=mode, durable=durable).place()


class PendingFile:
    """:func:`write_new_file` in two steps, for a writer whose file must not appear
    before something else is durable (a seal file, before the custody lines it names):
    the data is written (and with ``durable``, synced) under a temporary name beside
    ``dest`` now, while the writer waits; :meth:`place` gives it its name. A temporary
    file left by a crash in between is removed by the next writer's leftover sweep
    (:func:`remove_leftovers`); :meth:`discard` removes it at once.
    """

    def __init__(self, dest: Path, data: bytes, *, mode: int = 0o444, durable: bool = True) -> None:
        self.dest, self._durable = dest, durable
        self._tmp: Path | None = _write_temp(dest, data, mode=mode, fsync=durable)

    def place(self) -> None:
        """Link the file to its name (and, when durable, sync the folder).

        Raises:
            CaseError: ``dest`` exists already (the temporary file is removed).
        """
        tmp, self._tmp = self._tmp, None
        if tmp is None:
            raise ValueError(f"{self.dest} is placed or discarded already")
        try:
            os.link(tmp, self.dest)
        except FileExistsError as exc:
            raise CaseError(f"{self.dest} exists already and is never rewritten") from exc
        finally:
            tmp.unlink(missing_ok=True)
        if self._durable:
            fsync_dir(self.dest.parent)

    def discard(self) -> None:
        """Remove the temporary file (nothing happens once placed)."""
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def replace_file(dest: Path, data: Data, *, mode: int = 0o644, durable: bool = True) -> None:
    """Write ``dest`` atomically, replacing it if it exists (for products and authored files).
    ``data`` may be parts, written one after the other (no copy of them joined).

    ``durable=False`` skips the fsyncs, for a file a crash may lose (a cache entry).
    """
    tmp = _write_temp(dest, data, mode=mode, fsync=durable)
    try:
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(dest.parent)


_FSYNC_EACH_UP_TO = 32
"""Batches up to this many files fsync each one; larger ones sync once."""


_HANDOFF = 256
"""Files a batch hands its writer thread at once (one queue operation for many files)."""


_PRESYNC_STEP = 8192
"""Files a large batch writes between two syncs it starts in the background: the disk
writes them while the batch goes on, and the sync of :meth:`Batch.commit`, which alone
counts, waits for the files written since the last one only (a seal of 110,000 records
left the kernel half a gigabyte to write at the end: far below the share of memory at
which the kernel starts on its own)."""


def _background_sync(folder: str) -> None:
    """Write what is waiting for the disk on the file system of ``folder``: Linux's
    ``syncfs(2)`` (other disks are left alone), else ``sync(2)``; a failure is left to
    the sync that counts."""
    with contextlib.suppress(OSError):
        call = _syncfs() if sys.platform.startswith("linux") else None
        if call is None:
            os.sync()
            return
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            call(fd)
        finally:
            os.close(fd)


def _syncfs() -> Callable[..., int] | None:
    """libc's ``syncfs(fd)``, or None."""
    return _libc("syncfs", "c_int")


JOURNAL_PATTERN: Final = re.compile(r"\.unlogged-records\.\d+-\d+\.tmp")
"""The marker a :class:`Batch` with a journal folder leaves while it writes files under
their final names (a :data:`TEMP_PATTERN` name, so ``verify`` reports it as the leftover
of an interrupted write; the leftover sweep leaves it for the writer's recovery, which
removes the files the custody log does not name, then the marker: decision 0040)."""


class Batch:
    """New files written together and made durable with one sync.

    A writer thread writes the files, so that the caller's CPU work and the file
    system's work overlap; :meth:`commit` waits for the writes and syncs once. Use it as
    a context manager: leaving it by an exception removes what the batch wrote.

    Two ways to keep a crash from naming half a file:

    - By default each file is written under a temporary name; :meth:`commit` links every
      file to its final name after the sync (``link(2)`` never replaces) and fsyncs the
      folders. A crash before that leaves only temporary files.
    - With ``journal`` (a folder: the case's), each file is created under its final name
      (``O_EXCL``: never replacing one), after a marker (:data:`JOURNAL_PATTERN`) is
      durably in ``journal``. A crash then leaves the marker, and the next writer's
      recovery removes every record file the custody log does not name before removing
      the marker (:meth:`evidence.case.Case.recover`). The caller calls :meth:`settle`
      once its log names the files: only then is the marker removed, and only before
      it does an exception remove the files. This spares a link and an unlink per file
      (a seal of 110,000 records: 2 s of system time; decision 0040).

    Paths are kept as strings inside (a seal stages 100,000 files; pathlib's parsing
    and hashing cost more than the rest of staging).

    Example:
        >>> # with Batch() as batch: batch.add(path, data); batch.commit()  # doctest: +SKIP
    """

    def __init__(self, *, journal: Path | None = None) -> None:
        self._staged: list[tuple[str, str]] = []  # (name written, final name)
        self._dests: set[str] = set()
        self._made: list[Path] = []  # folders this batch created, removed again on abort
        self._folders: set[str] = set()  # folders known to exist
        self._pending: list[tuple[str, bytes, int]] = []  # not yet handed to the writer
        self._queue: queue.Queue[list[tuple[str, bytes, int]] | None] = queue.Queue(maxsize=16)
        self._error: BaseException | None = None
        self._writer: threading.Thread | None = None
        self._journal_dir = journal
        self._marker: Path | None = None  # the marker, once written
        self._created: list[str] = []  # final names this batch created (journal mode)
        self._unsynced = 0  # files the writer wrote since it last started a sync
        self._presync: threading.Thread | None = None

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        if kind is not None:
            self.abort()

    def __len__(self) -> int:
        return len(self._staged)

    def holds(self, dest: Path) -> bool:
        """True when ``dest`` is staged in this batch already."""
        return os.fspath(dest) in self._dests

    def add(self, dest: Path | str, data: bytes, *, mode: int = 0o444) -> None:
        """Stage a new file. A name that exists is refused (``O_EXCL`` or ``link(2)``
        never replaces), so nothing is ever rewritten; callers check first where they
        can say more."""
        name = os.fspath(dest)
        if name in self._dests:
            raise CaseError(f"{dest} is staged twice")
        if self._error is not None:
            raise self._error
        # One C call for the usual "<folder>/<name>" (os.path.split is Python code, run
        # 100,000 times by a seal); the rare names without a folder part go through it.
        parent, _, base = name.rpartition("/")
        if not parent:
            parent, base = os.path.split(name)
        if parent not in self._folders:
            missing = []
            folder = Path(dest).parent
            while not folder.is_dir():
                missing.append(folder)
                folder = folder.parent
            for folder in reversed(missing):
                folder.mkdir()
                self._made.append(folder)
            self._folders.add(parent)
        if self._writer is None:
            if self._journal_dir is not None:
                self._write_marker(self._journal_dir)
            self._writer = threading.Thread(
                target=self._write_all, name="batch-writer", daemon=True
            )
            self._writer.start()
        written = name if self._marker is not None else os.path.join(parent, _temp_base(base))
        self._staged.append((written, name))
        self._dests.add(name)
        self._pending.append((written, data, mode))
        if len(self._pending) >= _HANDOFF:
            self._hand_off()

    def _write_marker(self, folder: Path) -> None:
        """Put the marker durably in ``folder`` before the first final name exists."""
        marker = folder / _temp_base("unlogged-records")
        _write_temp_at(
            marker,
            b"evidence: record files are being written under their final names; the next "
            b"writer removes those the custody log does not name, then this file\n",
            0o444,
            fsync=True,
        )
        fsync_dir(folder)
        self._marker = marker

    def _hand_off(self) -> None:
        if self._pending:
            self._queue.put(self._pending)
            self._pending = []

    def _write_all(self) -> None:
        final = self._marker is not None
        while (items := self._queue.get()) is not None:
            for written, data, mode in items:
                if self._error is not None:
                    break
                try:
                    _write_temp_at(written, data, mode)
                except FileExistsError as exc:
                    self._error = (
                        CaseError(f"{written} exists already and is never rewritten")
                        if final
                        else exc
                    )
                except BaseException as exc:
                    self._error = exc
                else:
                    if final:
                        self._created.append(written)
            self._unsynced += len(items)
            if self._unsynced >= _PRESYNC_STEP:
                self._start_presync()

    def _start_presync(self) -> None:
        """Start a sync of the files written so far on a thread, unless one still runs
        (called by the writer thread)."""
        running = self._presync
        if running is not None and running.is_alive():
            return
        self._unsynced = 0
        folder = os.path.dirname(self._staged[0][0]) or "."  # where the files go
        self._presync = threading.Thread(
            target=_background_sync, args=(folder,), name="batch-presync"
        )
        self._presync.daemon = True
        self._presync.start()

    def _end_presync(self) -> None:
        if self._presync is not None:
            self._presync.join()
            self._presync = None

    def _join(self) -> None:
        if self._writer is not None:
            self._hand_off()
            self._queue.put(None)
            self._writer.join()
            self._writer = None
        self._pending.clear()

    @overload
    def commit(self) -> None: ...

    @overload
    def commit(self, during: Callable[[], T]) -> T: ...

    def commit(self, during: Callable[[], T] | None = None) -> T | None:
        """Wait for the writes, sync, then (without a journal) give every staged file its
        final name; every folder written to is fsynced.

        With ``during``, call it while the sync runs (on another thread: the disk's work
        and the caller's CPU work overlap) and return what it returns; it must write
        nothing that names the files, which are not durable until this returns.
        """
        self._join()
        if self._error is not None:
            error, self._error = self._error, None
            self.abort()
            raise error
        if not self._staged:
            return during() if during is not None else None
        syncing = threading.Thread(target=self._sync, name="batch-sync", daemon=True)
        syncing.start()
        try:
            result = during() if during is not None else None
        finally:
            syncing.join()
            self._end_presync()
        if self._error is not None:
            error, self._error = self._error, None
            self.abort()
            raise error
        folders = {os.path.dirname(dest) or "." for _, dest in self._staged}
        try:
            if self._marker is None:
                for tmp, dest in self._staged:
                    try:
                        os.link(tmp, dest)
                    except FileExistsError as exc:
                        raise CaseError(f"{dest} exists already and is never rewritten") from exc
            for folder in folders:
                fsync_dir(Path(folder))
            for parent in {os.path.dirname(f) or "." for f in folders}:
                fsync_dir(Path(parent))  # the folders this batch made are entries too
        except BaseException:
            self.abort()
            raise
        if self._marker is None:
            self._made.clear()
            self._remove_temporaries()
            self._staged.clear()
            self._dests.clear()
        return result

    def _sync(self) -> None:
        try:
            if len(self._staged) <= _FSYNC_EACH_UP_TO:
                for written, _ in self._staged:  # a few files: cheaper than syncing the machine
                    fd = os.open(written, os.O_RDONLY)
                    try:
                        os.fsync(fd)
                    finally:
                        os.close(fd)
            else:
                os.sync()
        except BaseException as exc:
            self._error = exc

    def settle(self) -> None:
        """The caller's log names the files now: remove the marker (a journal batch's
        files are never removed after this)."""
        self._join()
        marker, self._marker = self._marker, None
        self._created.clear()
        self._made.clear()
        self._staged.clear()
        self._dests.clear()
        if marker is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(marker)

    def _remove_temporaries(self) -> None:
        for tmp, _ in self._staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def abort(self) -> None:
        """Remove what the batch wrote and has not settled: temporary files (final names
        already linked stay), or, with a journal, the files it created and its marker."""
        self._join()
        if self._marker is None:
            self._remove_temporaries()
        else:
            for name in self._created:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name)
            for parent in {os.path.dirname(name) or "." for name in self._created}:
                with contextlib.suppress(OSError):
                    fsync_dir(Path(parent))
            self._created.clear()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._marker)
            self._marker = None
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):  # not empty: something else lives there
                folder.rmdir()
        self._made.clear()
        self._staged.clear()
        self._dests.clear()


def append_durably(path: Path, data: Data) -> None:
    """Append ``data`` (bytes, or parts written one after the other) to ``path`` and
    fsync it.

    The caller holds the case lock, so appends never interleave. On any failure the file
    is cut back to its former length: the appended lines are all there or none is.
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        try:
            _write_data(fd, data)
            os.fsync(fd)
        except BaseException:
            # A full disk can take part of the lines: cut the log back to where it was,
            # so that it never ends in half an event.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
                os.fsync(fd)
            raise
    finally:
        os.close(fd)


def read_bytes(path: Path, *, what: str = "file") -> bytes:
    """Read a whole file, turning OS errors into one clear :class:`InputError`."""
    try:
        return path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError(f"is a directory, expected a {what}", path=str(path)) from exc
    except FileNotFoundError as exc:
        raise InputError(f"no such {what}", path=str(path)) from exc
    except PermissionError as exc:
        raise InputError(f"permission denied reading {what}", path=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", path=str(path)) from exc


LOCK_WAIT_ENV = "EVIDENCE_LOCK_WAIT"
_LOCK_WAIT_DEFAULT = 120.0
_LOCK_POLL = 0.01


def _lock_wait() -> float:
    """Seconds a reader waits for a writer (and a writer for readers) before giving up."""
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV, _LOCK_WAIT_DEFAULT)))
    except ValueError:
        return _LOCK_WAIT_DEFAULT


def _wait_for_range_lock(fd: int, kind: int, root: Path, *, what: str) -> None:
    """Take a POSIX record lock on byte 0 of the lock file, polling until the deadline.

    Raises:
        LockError: the lock was not free within :func:`_lock_wait` seconds.
    """
    deadline = time.monotonic() + _lock_wait()
    while True:
        try:
            fcntl.lockf(fd, kind | fcntl.LOCK_NB, 1, 0)
            return
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise CaseError(f"cannot lock the case: {exc.strerror}", path=str(root)) from exc
        if time.monotonic() >= deadline:
            raise LockError(
                f"{what} did not finish within {_lock_wait():g} s",
                path=str(root),
                hint=f"Try again later (or set {LOCK_WAIT_ENV} to wait longer).",
            )
        time.sleep(_LOCK_POLL)


@contextlib.contextmanager
def case_lock(root: Path, listing: dict[str, list[str]] | None = None) -> Iterator[None]:
    """Hold the writer lock of a case folder, or fail at once if another writer has it.

    With ``listing``, the names in ``records/`` that the leftover sweep listed (after
    it, under the lock) are put there under ``"records"``, for the writer's own look
    for files the log does not name (one listing of a folder of 100,000 files), and the
    markers of a dead journal batch (:data:`JOURNAL_PATTERN`) under ``"journals"``.

    Two locks on ``<case>/.lock``, both released by the operating system when the process
    ends (a crash never leaves the case locked):

    - ``flock`` exclusive, taken without waiting: one writer at a time;
    - a POSIX record lock on byte 0, exclusive, against readers (:func:`case_read_lock`):
      the writer waits for running verifications to finish, and readers wait for it, so a
      reader never sees a state half-way through a write.

    Raises:
        LockError: another writer holds the lock, or readers did not finish in time.
    """
    try:
        fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise CaseError(f"cannot open the lock file: {exc.strerror}", path=str(root)) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise LockError(
                    "another evidence process is writing to this case",
                    path=str(root),
                    hint="Wait for it to finish; the lock is released when it exits.",
                ) from exc
            raise
        _wait_for_range_lock(fd, fcntl.LOCK_EX, root, what="a verification of this case")
        remove_leftovers(root, listing)
        yield
    finally:
        os.close(fd)


TEMP_PATTERN: Final = re.compile(
    r"\..+\.(?:\d+-\d+|[0-9a-f]{8,})\.tmp|\.incoming-[0-9a-f]{16}|\.evidence-staging-\d+-\d+"
)
"""Names of the temporary files writers make in a case folder (documented for verify):
``.<name>.<pid>-<n>.tmp`` beside a file being written (records/, seals/, claims/,
objects/ab/, the case folder; older versions used ``.<name>.<hex>.tmp``) and
``objects/.incoming-<16 hex>`` for a streamed object (and, in ``out/``, the folders
``.<package>.<12 hex>.tmp/`` of an export and ``.evidence-staging-<pid>-<n>/`` of a
``--force`` replacement)."""

_LEFTOVER_FOLDERS: Final = ("", "records", "seals", "claims", "objects")
"""Folders of a case where writers put temporary files (and ``objects/ab/``, ``out/``)."""


def remove_leftovers(root: Path, listing: dict[str, list[str]] | None = None) -> list[str]:
    """Remove the temporary files a dead writer left in a case folder; return their names.

    Called by a writer once it holds the exclusive lock: no other writer runs then, so
    every temporary file is a leftover of one that died (kill -9, power loss). Nothing
    else is touched: only names of :data:`TEMP_PATTERN` in the case's own folders (and
    ``out/``, where render, export and capture write under the lock) are removed.
    Empty object folders (``objects/ab/``) that a dead batch made are removed too. A
    journal batch's marker (:data:`JOURNAL_PATTERN`) stays: the writer's recovery removes
    it once it has removed the files the custody log does not name.
    """
    removed: list[str] = []

    def sweep(folder: Path) -> list[str] | None:
        """The names left in ``folder`` (None: it could not be listed)."""
        try:
            names = os.listdir(folder)  # names only: records/ may hold 100,000 files
        except OSError:
            return None
        # Every temporary name starts with a dot: the few that do are looked at.
        gone = set()
        for name in [n for n in names if n[:1] == "."]:
            path = os.path.join(folder, name)
            if JOURNAL_PATTERN.fullmatch(name):
                continue  # the writer's recovery undoes its batch first (decision 0040)
            with contextlib.suppress(FileNotFoundError):
                if TEMP_PATTERN.fullmatch(name) and stat.S_ISREG(os.lstat(path).st_mode):
                    os.unlink(path)
                    gone.add(name)
                    removed.append(str(Path(path).relative_to(root)))
        return [n for n in names if n not in gone] if gone else names

    for name in _LEFTOVER_FOLDERS:
        names = sweep(root / name if name else root)
        if listing is not None and name == "records" and names is not None:
            listing["records"] = names
        if listing is not None and name == "" and names is not None:
            listing["journals"] = [n for n in names if JOURNAL_PATTERN.fullmatch(n)]
    for name in ("out", "out/captures"):  # products written under the lock
        sweep(root / name)
        with contextlib.suppress(OSError):
            for entry in os.scandir(root / name):
                if TEMP_PATTERN.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)  # a package being written
                    removed.append(f"{name}/{entry.name}/")
    objects = root / "objects"
    with contextlib.suppress(OSError):
        for sub in os.scandir(objects):
            if sub.is_dir(follow_symlinks=False) and len(sub.name) == 2:
                sweep(Path(sub.path))
                with contextlib.suppress(OSError):  # only when empty
                    os.rmdir(sub.path)
    if removed:
        for name in {str(Path(r).parent) for r in removed}:
            with contextlib.suppress(OSError):
                fsync_dir(root / name if name != "." else root)
    return removed


@contextlib.contextmanager
def case_read_lock(root: Path) -> Iterator[None]:
    """Hold a reader's lock on a case folder: shared with other readers, waiting for a
    writer to finish first (see :func:`case_lock`), so a reader sees a consistent state.

    A reader never writes: it opens the lock file read-only (a shared lock needs no
    more) and never creates it. A folder without one (a package's copy, read-only media)
    has had no writer, and is read without a lock.

    Raises:
        LockError: a writer did not finish in time.
    """
    try:
        fd = os.open(root / LOCK_NAME, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        _wait_for_range_lock(fd, fcntl.LOCK_SH, root, what="a writer of this case")
        yield
    finally:
        os.close(fd)


# -- paths the user names for a command's output -----------------------------------------

EVIDENCE_ENTRIES = (
    "objects",
    "records",
    "seals",
    "claims",
    "custody.jsonl",
    "case.yaml",
    LOCK_NAME,
)
"""What a case folder holds as evidence (or authored input): never an output path."""

_KEY_MARKERS = (b"PRIVATE KEY-----", b"PUBLIC KEY-----")


def _enclosing_case(path: Path) -> Path | None:
    """The case folder ``path`` lies in (a folder with case.yaml and custody.jsonl)."""
    for folder in (path, *path.parents):
        if (folder / "case.yaml").is_file() and (folder / "custody.jsonl").is_file():
            return folder
    return None


def _is_key_file(path: Path) -> bool:
    """A private or public key: named ``*.key``, or a PEM file holding a key."""
    if path.suffix == ".key":
        return True
    try:
        with open(path, "rb") as stream:
            head = stream.read(4096)
    except OSError:
        return False
    return any(marker in head for marker in _KEY_MARKERS)


def new_output_path(
    path: Path,
    *,
    force: bool = False,
    folder: bool = False,
    what: str = "output",
    replaceable: bool = True,
    make_folder: bool = False,
) -> Path:
    """Check a path the user named for a command's output, before anything is written.

    The one rule for every command that writes where the user says (``proof -o``,
    ``render -o``, ``export``, ``disclose -o``, ``keygen``, ``capture --warc``):

    - never inside a case's evidence: ``objects/``, ``records/``, ``seals/``, ``claims/``,
      ``custody.jsonl``, ``case.yaml`` of any case folder the path lies in (symbolic
      links are followed to where they point);
    - never over a key file (``*.key`` or a PEM key), not even with ``force``;
    - never over an existing path, unless ``force`` is given; ``force`` replaces a
      writable file (atomically, by the writer), never a read-only file and never a
      folder that holds anything;
    - its folder must exist.

    Args:
        path: the path as the user gave it.
        force: the user asked to replace an existing file.
        folder: the output is a folder (an existing empty folder is accepted).
        what: what is written, for the messages ("proof", "dossier" …).
        replaceable: the command has a ``--force`` (said in the hint when a path exists).
        make_folder: the writer creates a missing folder (else it must exist).

    Returns:
        ``path`` unchanged, for chaining.

    Raises:
        UsageError: the path may not be written; the message says why.
    """
    shown = str(path)
    parent = path.parent
    targets = {parent.resolve() / path.name}
    if path.is_symlink():
        targets.add(path.resolve())
    for target in targets:
        root = _enclosing_case(target.parent)
        if root is None and target.is_dir():
            root = _enclosing_case(target)
        if root is None:
            continue
        if target == root:
            raise UsageError(
                f"is a case folder; the {what} goes elsewhere (or in its out/)", path=shown
            )
        entry = target.relative_to(root).parts[0]
        if entry in EVIDENCE_ENTRIES:
            raise UsageError(
                f"is inside the case's evidence ({entry}); the {what} is never written there",
                path=shown,
                hint="Write it outside the case folder or in its out/ folder.",
            )
    if not make_folder and not parent.is_dir():
        raise UsageError(f"no such folder for the {what}: {parent}", path=shown)
    if not (path.exists() or path.is_symlink()):
        return path
    if path.is_dir() and not path.is_symlink():
        if folder and not any(path.iterdir()):
            return path
        raise UsageError(
            f"exists and is a folder; give a new path for the {what}",
            path=shown,
            hint="A folder is never replaced, not even with --force.",
        )
    if _is_key_file(path):
        raise UsageError(
            f"is a key file; the {what} never replaces a key",
            path=shown,
            hint="Give another path; move the key away first if you mean it.",
        )
    if not force:
        raise UsageError(
            f"exists already; give a new path for the {what}",
            path=shown,
            hint="Add --force to replace this file."
            if replaceable
            else "This command never replaces a file.",
        )
    if path.is_file() and not path.stat().st_mode & 0o200:
        raise UsageError(
            f"is read-only; the {what} never replaces a read-only file, not even with --force",
            path=shown,
        )
    return path


STAGING_PREFIX = ".evidence-staging-"
"""Folders beside an output being replaced: ``.evidence-staging-<pid>-<n>/<name>``."""


@contextlib.contextmanager
def replaced_output(path: Path) -> Iterator[Path]:
    """Where to write an output that may replace an existing file (``--force``).

    When ``path`` is an existing file, the writer is given the same name inside a new
    hidden folder beside it, and the new file replaces the old one (``rename(2)``, atomic)
    only once it is complete: a failure or a crash leaves the old file as it was. When
    ``path`` does not exist, the writer gets ``path`` itself.
    """
    if not path.is_file():
        yield path
        return
    staging = path.parent / f"{STAGING_PREFIX}{os.getpid()}-{next(_TEMP_SEQUENCE)}"
    staging.mkdir()
    try:
        yield staging / path.name
        os.replace(staging / path.name, path)
        fsync_dir(path.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
