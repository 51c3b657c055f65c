"""What a seal or check may reuse of earlier compiles of a case's claims files: one
summary per case folder, and the stamps of the files already digested.

A claims file's compile depends on three things only: the file's bytes, the records of
the sources it cites (each named by its id and the BLAKE3 of its latest revision, which
covers the source's text) and the compiler itself. The case's summary keeps, for each
claims file that compiled without a problem, the first two and what the compile gave
(keys, body digests, counts), under the compiler's digest; a row is used only when all
three match what this run sees, so a row is never trusted on its name alone
(docs/decisions/0027, 0045).

Caches live outside every case folder (the case is a closed world, decision 0406), in
``$EVIDENCE_CACHE_DIR``, else ``$XDG_CACHE_HOME/evidence``, else ``~/.cache/evidence``;
``EVIDENCE_CACHE_DIR=off`` turns them off. ``verify`` never reads them: it checks the
sealed records. A cache that cannot be read or written is a miss, never an error.

Example:
    >>> # summary = CaseSummary.for_case(case.root); summary.get(rel, file_blake3)
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any, Final

import blake3
import yaml

from evidence._cachedir import cache_folder, read_checked, write_checked
from evidence._fs import read_bytes
from evidence._resources import code_digest

__all__ = [
    "CaseSummary",
    "FileStamps",
    "Stamp",
    "Summary",
    "SummaryRow",
    "compiler_digest",
    "read_stamped",
    "stamp_of",
    "stat_stamp",
]

_FORMAT: Final = 2
"""The compiler digest's own version (it names what a summary was compiled by)."""


_COMPILER: str | None = None


def compiler_digest() -> str:
    """BLAKE3 over the package's code, schemas and data (:func:`code_digest`), and
    Python's and PyYAML's versions: a summary made by any other version or edit of the
    code names another digest, and is never used."""
    global _COMPILER
    if _COMPILER is None:
        # The parser's version too: PyYAML (with or without libyaml) reads the scalars.
        _COMPILER = blake3.blake3(
            f"evidence claims cache {_FORMAT}\n{sys.version}\nPyYAML {yaml.__version__} "
            f"{getattr(yaml, '__with_libyaml__', False)}\n{code_digest()}\n".encode()
        ).hexdigest()
    return _COMPILER


def _delta_path(path: Path) -> Path:
    return path.with_name(path.name + ".delta")


def _delta_rows(base: bytes | None, path: Path) -> dict[Any, Any]:
    """The rows of the delta file beside the base file ``path`` (a row's value None: the
    row is gone), if that delta was made against the base of checksum ``base``.

    A delta holds what changed since the base was written, so that a run that changed
    ten rows of 10,000 writes ten rows (docs/decisions/0029). Every row of either file is
    checked on use like any other (file digest, stamp, source revisions, log digests),
    so a lost or damaged delta only leaves older rows, which are then misses."""
    if base is None:
        return {}
    read = read_checked(_delta_path(path))
    if read is None:
        return {}
    try:
        # Plain values only (marshal builds no objects and runs no code), read only
        # after the checksum matched.
        raw = marshal.loads(read[1])  # noqa: S302
        if type(raw) is not dict or raw.get("base") != base or type(raw.get("rows")) is not dict:
            return {}
        return raw["rows"]  # type: ignore[no-any-return]
    except (ValueError, TypeError, EOFError):
        return {}


def _store_rows(
    path: Path,
    base: bytes | None,
    gone: set[str],
    changed: dict[str, Any],
    count: int,
    whole: Callable[[], bytes],
) -> None:
    """Keep ``count`` rows: as a delta against the base of checksum ``base`` (the rows
    ``changed`` since it, and the base's rows ``gone``) when that is small, else as a
    whole new base (``whole()``) without a delta."""
    if base is not None and len(changed) + len(gone) <= max(_DELTA_MIN, count // 16):
        delta = {**changed, **dict.fromkeys(gone)}
        write_checked(_delta_path(path), marshal.dumps({"base": base, "rows": delta}))
        return
    write_checked(path, whole())
    with contextlib.suppress(OSError):
        _delta_path(path).unlink()


def _changed_rows(rows: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The rows of ``rows`` that ``base`` does not hold as they are (a row taken from
    the base is the same object: those are passed over without comparing them)."""
    other = {rel: row for rel, row in rows.items() if base.get(rel) is not row}
    return {rel: row for rel, row in other.items() if base.get(rel) != row}


_DELTA_MIN: Final = 64
"""Rows a delta may hold whatever the size of the base."""


Stamp = tuple[int, int, int, int]
"""(inode, size, mtime_ns, ctime_ns) of a file, as ``os.stat`` gives them."""

stat_stamp: Callable[[os.stat_result], Stamp] = attrgetter(
    "st_ino", "st_size", "st_mtime_ns", "st_ctime_ns"
)
"""The :data:`Stamp` in a ``stat`` result (one C call, for a map over 10,000 files)."""


def stamp_of(path: str | os.PathLike[str], folder: int | None = None) -> Stamp | None:
    """The file's :data:`Stamp` (``path`` relative to the open folder ``folder``, if
    given), or None if it cannot be looked at."""
    try:
        return stat_stamp(os.stat(path, dir_fd=folder))
    except OSError:
        return None


def read_stamped(path: str, *, what: str) -> tuple[bytes, Stamp]:
    """A whole file's bytes and the :data:`Stamp` of the very file read (``fstat`` of the
    open descriptor: one path walk and no ``pathlib`` for the 30,000 files a compile of
    10,000 claims files reads). A write after the stamp was taken changes the file's
    ctime, so the next run reads it again.

    Raises:
        InputError: the file is missing, a folder or unreadable (the message
            :func:`~evidence._fs.read_bytes` gives).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            st = os.fstat(fd)
            parts = [os.read(fd, st.st_size + 1)]
            while parts[-1]:  # to the end, however long the file is now
                parts.append(os.read(fd, max(st.st_size, 1 << 16)))
        finally:
            os.close(fd)
    except OSError:
        read_bytes(Path(path), what=what)  # raises the clear message for the same cause
        raise  # pragma: no cover - only if the file became readable in between
    return b"".join(parts), stat_stamp(st)


class FileStamps:
    """Files of one case folder whose bytes were read and digested, with their stamp at
    that moment, so that the next run need not read a file whose stamp is unchanged.

    Used for claims files (their BLAKE3 picks the claims-cache entry) and for the source
    records and text objects a cached claims file cites (checked against their digests).
    A file changed by any ordinary means gets a new ctime, which no program can set
    back; a stamp taken within :attr:`RACY_NS` of being kept is not kept, since a second
    write in the same clock tick could leave the stamp unchanged (git's "racy" rule).
    ``verify`` never reads stamps, and a seal still commits only to the digests the
    custody log holds (docs/decisions/0022).
    """

    RACY_NS = 3_000_000_000

    def __init__(
        self,
        path: Path | None,
        known: dict[str, tuple[Stamp, str]],
        base: tuple[bytes, dict[str, tuple[Stamp, str]]] | None = None,
    ) -> None:
        self.path = path
        self.known = known
        self.base = base
        """The checksum and rows of the base file, when read (a delta is made from it)."""

    @classmethod
    def for_case(cls, root: Path) -> FileStamps:
        """The stamps kept for the case folder ``root`` (none if caches are off)."""
        folder = cache_folder("stamps-v2")
        if folder is None:
            return cls(None, {})
        name = blake3.blake3(str(root.resolve()).encode("utf-8", "surrogateescape"))
        path = folder / name.hexdigest()
        read = read_checked(path)
        if read is None:
            return cls(path, {})
        try:
            # Plain values only (marshal builds no objects and runs no code), read only
            # after the checksum matched. A value of another shape never equals a stamp
            # and a digest, so it can only be a miss.
            base = marshal.loads(read[1])  # noqa: S302
        except (ValueError, TypeError, EOFError):
            return cls(path, {})
        if not isinstance(base, dict):
            return cls(path, {})
        known = dict(base)
        for rel, row in _delta_rows(read[0], path).items():
            if row is None:
                known.pop(rel, None)
            else:
                known[rel] = row
        return cls(path, known, (read[0], base))

    def digest(self, rel: str, stamp: Stamp | None) -> str | None:
        """The digest ``rel`` had when it was last read, if its stamp is unchanged."""
        kept = self.known.get(rel)
        if stamp is None or type(kept) is not tuple or len(kept) != 2 or kept[0] != stamp:
            return None
        digest = kept[1]
        return digest if type(digest) is str else None

    def store(self, seen: dict[str, tuple[Stamp, str]]) -> None:
        """Keep the stamps of this run (best effort; no fsync: a lost file is a miss)."""
        if self.path is None:
            return
        recent = time.time_ns() - self.RACY_NS
        kept = {rel: row for rel, row in seen.items() if row[0][2] < recent and row[0][3] < recent}
        checksum, base = self.base if self.base is not None else (None, {})
        _store_rows(
            self.path,
            checksum,
            base.keys() - kept.keys(),
            _changed_rows(kept, base),
            len(kept),
            lambda: marshal.dumps(kept),
        )


@dataclass(frozen=True, slots=True)
class Summary:
    """What compiling one claims file without a problem gave, without its bodies: what a
    seal needs of a claims file whose claims are all sealed already, as they are, and
    what ``check`` reports of it (docs/decisions/0027, 0045)."""

    file_blake3: str
    sources: dict[str, str]
    """The sources its claims cite: id → BLAKE3 of the revision compiled against."""
    texts: dict[str, str | None]
    """The BLAKE3 of each cited source's text object (None: no text), as its record
    gives it."""
    keys: list[str]
    """The key of every compiled claim, in file order."""
    bodies: str
    """The body BLAKE3 of every compiled claim, in the same order, concatenated (64 hex
    digits each: one string, not one per claim, for a summary of 100,000 claims)."""
    proposed: int
    """How many of the file's claims are proposed claims (not compiled)."""

    def to_plain(self) -> SummaryRow:
        return (
            self.file_blake3,
            self.sources,
            self.texts,
            self.keys,
            self.bodies,
            self.proposed,
        )


SummaryRow = tuple[str, dict[str, str], dict[str, str | None], list[str], str, int]
"""A :class:`Summary` as the summary file keeps it (:meth:`Summary.to_plain`)."""

_ROW_TYPES: Final = (str, dict, dict, list, str, int)


def _rows_of_shape(rows: Any) -> bool:
    """Whether ``rows`` maps names to :data:`SummaryRow` tuples of the right types, with
    64 hex digits of body digest per key, checked column by column at C level (10,000
    rows are read on every re-seal)."""
    if type(rows) is not dict:
        return False
    values = list(rows.values())
    if not values:
        return True
    if not set(map(type, values)) <= {tuple} or not set(map(len, values)) <= {len(_ROW_TYPES)}:
        return False
    columns = list(zip(*values, strict=True))
    if not all(
        set(map(type, column)) <= {kind} for column, kind in zip(columns, _ROW_TYPES, strict=True)
    ):
        return False
    return list(map(len, columns[4])) == [64 * n for n in map(len, columns[3])]


def _summary(row: SummaryRow) -> Summary:
    """The :class:`Summary` of a row of the right shape (:func:`_rows_of_shape`)."""
    return Summary(*row)


class CaseSummary:
    """One file per case folder (``summary-v2/``) with the :class:`Summary` of each of its
    claims files that compiled without a problem, by the file's path in the case.

    A summary is used for a claims file only when the file's BLAKE3 now (from its bytes,
    or from its unchanged stamp, decision 0022) is the one it names and every source it
    names is still the latest revision with that BLAKE3; the sources are then checked
    as a claims-cache hit checks them. The whole file is a miss unless its checksum,
    format, compiler digest and case folder all match: a damaged, stale or forged
    summary is read as no summary (docs/decisions/0027).
    """

    FORMAT = 2
    """2: keys and body digests as a list and one string, and a count of proposed claims
    (1 kept each claim as a pair and every key use)."""

    def __init__(
        self,
        path: Path | None,
        known: dict[str, SummaryRow],
        base: tuple[bytes, dict[str, SummaryRow]] | None = None,
    ) -> None:
        self.path = path
        self.known = known
        """The rows by claims file, as read (of the right shape: checked on reading)."""
        self.base = base
        """The checksum and rows of the base file, when read (a delta is made from it)."""

    @classmethod
    def folder(cls) -> Path | None:
        """The folder of every case's summary (None: caches are off)."""
        return cache_folder(f"summary-v{cls.FORMAT}")

    @classmethod
    def _where(cls, root: Path) -> tuple[Path | None, str]:
        folder = cls.folder()
        where = str(root.resolve())
        if folder is None:
            return None, where
        name = blake3.blake3(where.encode("utf-8", "surrogateescape")).hexdigest()
        return folder / name[:2] / name[2:], where

    @classmethod
    def for_case(cls, root: Path) -> CaseSummary:
        """The summaries kept for the case folder ``root`` (none if caches are off)."""
        path, where = cls._where(root)
        if path is None:
            return cls(None, {})
        read = read_checked(path)
        if read is None:
            return cls(path, {})
        try:
            # Plain values only (marshal builds no objects and runs no code), read only
            # after the checksum matched; the folder is as trusted as the code (0020).
            raw = marshal.loads(read[1])  # noqa: S302
            if raw["format"] != cls.FORMAT or raw["compiler"] != compiler_digest():
                return cls(path, {})
            if raw["case"] != where:
                return cls(path, {})
            # The rows as marshal made them (fresh values, no copies), of the right types;
            # a row of another shape in the base or the delta and the whole is a miss.
            base = raw["files"]
            delta = _delta_rows(read[0], path)
            if not _rows_of_shape(base) or not _rows_of_shape(
                {rel: row for rel, row in delta.items() if row is not None}
            ):
                return cls(path, {})
            known = dict(base)
            for rel, row in delta.items():
                if row is None:
                    known.pop(rel, None)
                else:
                    known[rel] = row
        except (KeyError, TypeError, ValueError, EOFError):
            return cls(path, {})
        return cls(path, known, (read[0], base))

    def get(self, rel: str, file_blake3: str) -> Summary | None:
        """The summary of the claims file ``rel`` if it was made from these bytes."""
        found = self.known.get(rel)
        return _summary(found) if found is not None and found[0] == file_blake3 else None

    def store(self, root: Path, rows: dict[str, Summary | SummaryRow]) -> None:
        """Keep ``rows`` as the case's summaries (best effort; no fsync: a lost or torn
        file is a miss)."""
        path, where = self._where(root)
        if path is None:
            return
        checksum, base = self.base if self.base is not None else (None, {})
        _store_rows(
            path,
            checksum,
            base.keys() - rows.keys(),
            {rel: _plain(row) for rel, row in rows.items() if base.get(rel) is not row},
            len(rows),
            lambda: marshal.dumps(
                {
                    "format": self.FORMAT,
                    "compiler": compiler_digest(),
                    "case": where,
                    "files": {rel: _plain(row) for rel, row in rows.items()},
                }
            ),
        )


def _plain(row: Summary | SummaryRow) -> SummaryRow:
    """A row as the summary file keeps it (a row read from it is kept as it is)."""
    return row if isinstance(row, tuple) else row.to_plain()
