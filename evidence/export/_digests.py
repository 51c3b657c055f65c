"""Manifest digests of large objects from earlier exports, kept by BLAKE3 (decision 0507).

An export computes the SHA-512 of every object it copies (and the SHA-256 of those no
record gives); for a video that is the one slow pass of the export. The digests an
export computed of a large object's bytes are kept here, under the object's BLAKE3; the
next export of any case holding those bytes hands them to the writer as
:class:`~evidence.formats.bagit.KnownDigests`, which takes them **only** when the copy
it makes has that BLAKE3 digest (computed from the bytes copied, in the same read).
A damaged object therefore never gets a kept digest: it is digested as it is.

Entries live in the user's cache folder (:mod:`evidence._cachedir`, never in a case
folder); ``EVIDENCE_CACHE_DIR=off`` turns them off. An entry carries a BLAKE3 of its
own bytes; one that is torn, of another format or names other bytes is a miss. A cache
that cannot be read or written is a miss, never an error. ``verify`` never reads it:
bag validation digests every byte against every manifest.

Example:
    >>> # cache = DigestCache.default(); cache.load(object_blake3) if cache else {}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from evidence._cachedir import CacheFolder, read_checked, write_checked
from evidence.formats.bagit import ALGORITHMS, HEX_LENGTH

__all__ = ["DigestCache"]

_FORMAT: Final = 1
_FOLDER: Final = f"export-digests-v{_FORMAT}"
_BLAKE3 = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-f]+")


class DigestCache(CacheFolder):
    """The folder of kept digests: one small file per object, named by its BLAKE3."""

    NAME = _FOLDER

    def _path(self, object_blake3: str) -> Path:
        return self.folder / object_blake3[:2] / object_blake3

    def load(self, object_blake3: str) -> dict[str, str]:
        """The digests kept for the bytes ``object_blake3`` names (by algorithm); empty
        when there are none or the entry cannot be trusted to be whole."""
        if not _BLAKE3.fullmatch(object_blake3):
            return {}
        read = read_checked(self._path(object_blake3))
        if read is None:
            return {}
        try:
            raw: Any = json.loads(read[1])
            if raw["format"] != _FORMAT or raw["blake3"] != object_blake3:
                return {}
            digests = {str(a): str(d) for a, d in raw["digests"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return {}
        if any(
            a not in ALGORITHMS or len(d) != HEX_LENGTH[a] or not _HEX.fullmatch(d)
            for a, d in digests.items()
        ):
            return {}
        return digests

    def store(self, object_blake3: str, digests: Mapping[str, str]) -> None:
        """Keep ``digests`` (computed from bytes whose BLAKE3 is ``object_blake3``),
        merged with what is kept already. Never raises: a cache is optional."""
        wanted = {a: d for a, d in digests.items() if a in ALGORITHMS}
        if not wanted or not _BLAKE3.fullmatch(object_blake3):
            return
        merged = {**self.load(object_blake3), **wanted}
        payload = json.dumps(
            {"format": _FORMAT, "blake3": object_blake3, "digests": dict(sorted(merged.items()))},
            separators=(",", ":"),
        ).encode("ascii")
        write_checked(self._path(object_blake3), payload)
