"""The latest seal file read, and the next one written, without walking every leaf.

A seal file lists every leaf of its tree (decision 0404's format, read by other tools),
so on a case of 110,000 records parsing the previous seal and encoding the next one
were a second of canonical JSON for a seal that adds ten leaves. RFC 8785 is
compositional: an array's bytes are ``[`` and its elements' bytes joined by ``,``, and
an object's bytes are its members' bytes in key order. So the next seal's ``leaves``
array can start with the previous seal's leaves *bytes*, copied, followed by the new
leaves; the file is byte for byte the one encoding the whole seal gives (tests compare).

The previous bytes are taken only from the seal file whose SHA-256 the custody log's
last ``sealed`` event names, and only if, with each leaf's ``sha256`` member taken out,
they are exactly the leaves the log's first entries give (id, revision, BLAKE3) in the
canonical form: anything else is a miss, and the seal reads every record as before
(docs/decisions/0021, 0026).

Example:
    >>> # latest = read_latest(case, state); data = seal_file_bytes(seal, prefix, size)
"""

from __future__ import annotations

import hashlib
import re
import threading
from array import array
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import blake3

from evidence._cachedir import CacheFolder, read_checked, write_checked
from evidence._fs import PendingFile, read_bytes
from evidence.canonical import canonical_bytes, loads_json
from evidence.case import Case, CaseState, Entries
from evidence.digest import Sha256Hex, is_hex64
from evidence.errors import EvidenceError
from evidence.model import Seal
from evidence.schema import validate

__all__ = [
    "LatestSeal",
    "LeavesMemo",
    "PendingSeal",
    "entries_fingerprint",
    "leaves_match",
    "read_latest",
    "seal_file_bytes",
]

_OPEN: Final = b',"leaves":['
_CLOSE: Final = b'],"previous":'
_SHA256_MEMBER: Final = re.compile(rb',"sha256":"[0-9a-f]{64}"\}')


@dataclass(frozen=True)
class LatestSeal:
    """The latest seal file: its bytes and the fields the next seal needs."""

    data: bytes
    sha256: Sha256Hex
    sequence: int
    root: Sha256Hex
    size: int
    leaves: tuple[int, int] | None
    """Where the bytes inside its ``leaves`` array are in ``data`` (None: not known)."""

    def leaves_bytes(self) -> memoryview | None:
        """The bytes inside the ``leaves`` array (a view of ``data``, not a copy: they
        are tens of megabytes on a large case)."""
        if self.leaves is None:
            return None
        return memoryview(self.data)[self.leaves[0] : self.leaves[1]]


def read_latest(case: Case, state: CaseState) -> LatestSeal | None:
    """The case's latest seal, or None before the first.

    When the file is the one the custody log's last ``sealed`` event names (by SHA-256),
    only the members around its leaves are parsed; otherwise (or if that fails) the whole
    file is parsed and checked as :meth:`Case.latest_seal` does, with its errors.

    Raises:
        InputError, SchemaError: the latest seal file is not a seal.
    """
    files = case.seal_files()
    if not files:
        return None
    data = read_bytes(files[-1], what="seal")
    sha256 = Sha256Hex(hashlib.sha256(data).hexdigest())
    if state.sealed and state.sealed[-1].get("sha256") == sha256:
        light = _read_light(data, sha256, case.rel(files[-1]))
        if light is not None:
            return light
    full = case.latest_seal()
    assert full is not None
    seal, data = full
    return LatestSeal(
        data, Sha256Hex(hashlib.sha256(data).hexdigest()), seal.sequence, seal.root, seal.size, None
    )


def _read_light(data: bytes, sha256: Sha256Hex, shown: str) -> LatestSeal | None:
    """The seal's fields from its bytes with the leaves array left out, or None."""
    start = data.find(_OPEN)
    end = data.find(_CLOSE, start)
    if start < 0 or end < 0:
        return None
    start += len(_OPEN)
    try:
        doc = loads_json(data[:start] + data[end:], path=shown)
        validate("seal", doc, path=shown)
        assert isinstance(doc, dict)
        tree = doc["tree"]
        size = tree["size"]
        # The model checks every other field; the size is the leaves' (checked on use).
        seal = Seal.from_dict({**doc, "tree": {**tree, "size": 0}})
    except (EvidenceError, KeyError, TypeError, AssertionError):
        return None
    if not isinstance(size, int) or size < 0:
        return None
    return LatestSeal(data, sha256, seal.sequence, seal.root, size, (start, end))


def leaves_match(leaves: bytes | memoryview, entries: Entries, size: int) -> bool:
    """Whether ``leaves`` (the bytes inside a seal's ``leaves`` array) are exactly the
    canonical leaves of the first ``size`` ``entries``, each with some SHA-256 (64
    lowercase hex digits)."""
    stripped, count = _SHA256_MEMBER.subn(b"}", leaves)
    if count != size or size > len(entries):
        return False
    expected = ",".join(
        map(
            '{{"blake3":"{}","id":"{}","revision":{}}}'.format,
            entries.blake3[:size],
            entries.ids[:size],
            entries.revisions[:size],
        )
    )
    return stripped == expected.encode()


def entries_fingerprint(entries: Entries, size: int) -> str:
    """A BLAKE3 of the first ``size`` entries' ids, revisions and BLAKE3 (the fields a
    seal's leaves hold besides each SHA-256), from the columns."""
    ids = "\n".join(entries.ids[:size]).encode()
    digest = blake3.blake3(f"{size} {len(ids)}\n".encode())
    digest.update(ids)
    digest.update(array("q", entries.revisions[:size]).tobytes())
    for piece in entries.blake3.encoded(size):
        digest.update(piece)
    return digest.hexdigest()


class LeavesMemo(CacheFolder):
    """Which seal files' leaves were found (or written) to be exactly the canonical
    leaves of the log's first entries, in the user's cache folder (``leaves-v1/``), one
    small entry per seal file, named by the file's SHA-256.

    An entry holds the number of leaves and :func:`entries_fingerprint` of the entries
    they were checked against, with a BLAKE3 of the entry itself. It stands for
    :func:`leaves_match` only for the seal file of that SHA-256 and entries of that
    fingerprint now; anything else (damaged, another size, another fingerprint) is a
    miss and the leaves are compared byte for byte (docs/decisions/0028). Like the state
    cache (0021) it is as trusted as the installed code.
    """

    NAME = "leaves-v1"

    def _path(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / sha256[2:]

    def knows(self, sha256: str, entries: Entries, size: int) -> bool:
        """Whether the seal file of SHA-256 ``sha256`` has the leaves of the first
        ``size`` ``entries``, as kept (False: not known, compare the bytes)."""
        if not is_hex64(sha256) or size > len(entries):
            return False
        read = read_checked(self._path(sha256))
        expected = f"{size} {entries_fingerprint(entries, size)}".encode()
        return read is not None and read[1] == expected

    def store(
        self, sha256: str, entries: Entries, size: int, *, fingerprint: str | None = None
    ) -> None:
        """Keep that the seal file of ``sha256`` has the leaves of the first ``size``
        ``entries`` (best effort, no fsync: a lost or torn entry is a miss), whose
        :func:`entries_fingerprint` the caller may have taken already (on another
        thread, while the seal file was written)."""
        if fingerprint is None:
            fingerprint = entries_fingerprint(entries, size)
        write_checked(self._path(sha256), f"{size} {fingerprint}".encode())


def seal_file_bytes(seal: Seal, before: bytes | memoryview, size: int) -> bytes:
    """The seal file of ``seal`` whose leaves are the leaves in ``before`` (the bytes
    inside a previous seal's ``leaves`` array, checked by :func:`leaves_match`) followed
    by ``seal.leaves``, in a tree of ``size`` leaves: the bytes ``canonical_bytes`` gives
    for the whole seal, and a line end."""
    # The seal without its leaves, then each leaf's bytes made directly (110,000 leaves
    # of a cold seal as dicts walked and encoded took half a second).
    doc = replace(seal, size=0, leaves=()).to_dict()
    doc["tree"] = {**doc["tree"], "size": size}
    encoded = canonical_bytes(doc)
    at = encoded.index(_OPEN) + len(_OPEN)
    new = b",".join([leaf.canonical() for leaf in seal.leaves])
    joint = b"," if before and new else b""
    return b"".join((encoded[:at], before, joint, new, encoded[at:], b"\n"))  # one copy


class PendingSeal(PendingFile):
    """A seal file written and synced under a temporary name (a :class:`PendingFile`,
    given its name by :meth:`place`), and the SHA-256 of its bytes: taken on a second
    thread while the file is written and synced (hashlib lets go of the interpreter lock
    on large inputs; a seal file of a large case is tens of megabytes). A seal writes it
    while the custody lines it names are made durable, and places it after.
    """

    def __init__(self, path: Path, data: bytes) -> None:
        digest: list[str] = []
        hasher = threading.Thread(
            target=lambda: digest.append(hashlib.sha256(data).hexdigest()), name="seal-sha256"
        )
        hasher.start()
        try:
            super().__init__(path, data)
        finally:
            hasher.join()
        if not digest:  # pragma: no cover - the thread failed (out of memory): hash here
            digest.append(hashlib.sha256(data).hexdigest())
        self.data = data
        self.sha256 = Sha256Hex(digest[0])
