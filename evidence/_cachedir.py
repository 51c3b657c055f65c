"""The user's cache folder for evidence: work a command may reuse, never evidence.

``$EVIDENCE_CACHE_DIR``, else ``$XDG_CACHE_HOME/evidence``, else ``~/.cache/evidence``;
``EVIDENCE_CACHE_DIR=off`` (or ``0``, ``none``, empty) turns every cache off. It is never
inside a case folder (the case is a closed world, docs/decisions/0406), ``verify`` never
reads it, and deleting it is always safe. What each cache may be trusted with is in
docs/decisions/0020 and 0045 (compiled claims files) and 0021 (seal: case state and Merkle
frontier), 0022 (stamps of files already digested), 0026 and 0027 (the previous seal's
leaves, the claims summary), 0028 (leaves checked, remembered), 0029 (deltas of the
stamps and the summary), 0507 (export: digests of large objects).

Example:
    >>> cache_folder("summary-v2")  # doctest: +SKIP
    PosixPath('/home/ana/.cache/evidence/summary-v2')
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import ClassVar, Self

import blake3

from evidence._fs import replace_file

__all__ = ["CacheFolder", "cache_folder", "read_checked", "write_checked"]


def cache_folder(name: str) -> Path | None:
    """The folder of the cache ``name`` (e.g. ``summary-v2``), or None if caches are off."""
    configured = os.environ.get("EVIDENCE_CACHE_DIR")
    if configured is not None:
        if configured.strip().lower() in ("", "off", "0", "none"):
            return None
        base = Path(configured)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg) / "evidence" if xdg else Path.home() / ".cache" / "evidence"
    return base / name


class CacheFolder:
    """A cache kept in one folder of the user's cache folder: ``NAME`` (with its format
    version, e.g. ``leaves-v1``). A miss is never an error; a subclass says what an entry
    holds and what it is checked against before it is used."""

    NAME: ClassVar[str]

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def default(cls) -> Self | None:
        """The cache the environment names (see :func:`cache_folder`), or None if off."""
        folder = cache_folder(cls.NAME)
        return None if folder is None else cls(folder)


def read_checked(path: Path) -> tuple[bytes, bytes] | None:
    """(checksum, payload) of a cache file :func:`write_checked` wrote, or None when it
    is missing, unreadable or torn (its checksum does not match): a miss."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, _, payload = data.partition(b"\n")
    if blake3.blake3(payload).hexdigest().encode() != head:
        return None
    return head, payload


def write_checked(path: Path, payload: bytes) -> bytes:
    """Write ``payload`` behind a line with its BLAKE3, and return that checksum. Best
    effort and no fsync: a cache file lost or torn in a crash fails its checksum and is
    read as a miss; a folder that cannot be written only means no cache."""
    head = blake3.blake3(payload).hexdigest().encode()
    with contextlib.suppress(OSError, ValueError):
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, head + b"\n" + payload, durable=False)
    return head
