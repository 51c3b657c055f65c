"""Durable, atomic file writes and the case folder's writer lock.

A file is written to a temporary name in its destination folder, flushed, fsynced and
renamed into place, so a reader sees the old state or the new one, never half a file.
For batches (a seal writing thousands of records) :func:`write_new_file` can skip the
per-file fsync; the caller then makes the whole batch durable with :func:`sync_batch`
before anything refers to it (the custody log is appended only after that).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from evidence.errors import CaseError, InputError, LockError

__all__ = [
    "append_durably",
    "case_lock",
    "fsync_dir",
    "read_bytes",
    "replace_file",
    "sync_batch",
    "write_new_file",
]

LOCK_NAME = ".lock"


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_name(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.{secrets.token_hex(6)}.tmp")


def write_new_file(dest: Path, data: bytes, *, durable: bool = True, mode: int = 0o444) -> None:
    """Create ``dest`` with ``data`` atomically; refuse if it exists (nothing is rewritten).

    Args:
        dest: the final path.
        data: the bytes.
        durable: fsync the file and its folder before returning. A batch writer passes
            False and calls :func:`sync_batch` once for the whole batch.
        mode: permission bits of the new file (read-only by default).

    Raises:
        CaseError: ``dest`` exists already.
    """
    tmp = _temp_name(dest)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
        os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    try:
        # link() fails if dest exists, where rename() would silently replace it.
        os.link(tmp, dest)
    except FileExistsError as exc:
        raise CaseError(f"{dest} exists already and is never rewritten") from exc
    finally:
        tmp.unlink(missing_ok=True)
    if durable:
        fsync_dir(dest.parent)


def replace_file(dest: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``dest`` atomically, replacing it if it exists (for products and authored files)."""
    tmp = _temp_name(dest)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, dest)
    fsync_dir(dest.parent)


def sync_batch(*folders: Path) -> None:
    """Make every file written with ``durable=False`` durable, then the folders' entries.

    One filesystem-wide sync costs about as much as a few fsyncs, where a thousand files
    fsynced one by one cost a thousand.
    """
    os.sync()
    for folder in folders:
        fsync_dir(folder)


def append_durably(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` in one write and fsync it.

    The caller holds the case lock, so appends never interleave.
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
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


@contextlib.contextmanager
def case_lock(root: Path) -> Iterator[None]:
    """Hold the writer lock of a case folder, or fail at once if another process has it.

    The lock is an advisory ``flock`` on ``<case>/.lock``; the operating system releases
    it when the process ends, so a crash never leaves the case locked.

    Raises:
        LockError: another writer holds the lock.
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
        yield
    finally:
        os.close(fd)
