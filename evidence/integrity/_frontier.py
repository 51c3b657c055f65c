"""The Merkle frontier of a seal, kept so that the next seal hashes only new leaves.

An RFC 9162 tree of n leaves is left-balanced: it is made of the perfect subtrees of
the binary decomposition of n (for n = 6: leaves 0 to 3 and 4 to 5), and its root is those
subtrees' hashes folded from the right with ``SHA-256(0x01 || left || right)``. Those
hashes (at most 64) are the *frontier*; appending leaves to it gives the frontier of the
larger tree, so a seal that extends the previous one needs the previous frontier and the
new leaves only, never the old record files.

A frontier is kept in the user's cache folder (:mod:`evidence._cachedir`), named by the
root and size of the seal it belongs to, and is used only if folding it gives exactly
that seal's root: a wrong or damaged frontier is a miss (the seal then reads every record
file, as without a cache), because two different frontiers with the same root and size
would be a SHA-256 collision. So the cache needs no trust at all (docs/decisions/0021).

Example:
    >>> from evidence.integrity.merkle import leaf_hash, tree_root
    >>> f = Frontier.empty()
    >>> for h in (leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")):
    ...     f.append(h)
    >>> f.root() == tree_root([leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")])
    True
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import blake3

from evidence._cachedir import CacheFolder
from evidence._fs import replace_file
from evidence.integrity.merkle import EMPTY_ROOT, node_hash

__all__ = ["Frontier", "FrontierCache"]

_FOLDER: Final = "frontier-v1"
_MAGIC: Final = b"evidence merkle frontier v1\n"


@dataclass
class Frontier:
    """The perfect-subtree hashes of a tree of ``size`` leaves, largest (leftmost) first."""

    size: int
    nodes: list[bytes] = field(default_factory=list)

    @classmethod
    def empty(cls) -> Frontier:
        return cls(0, [])

    @classmethod
    def of(cls, leaf_hashes: Iterable[bytes]) -> Frontier:
        frontier = cls.empty()
        frontier.extend(leaf_hashes)
        return frontier

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash: like adding one to a binary counter, equal-sized subtrees
        on the right merge."""
        self.nodes.append(leaf)
        size = self.size
        while size & 1:
            right = self.nodes.pop()
            self.nodes[-1] = node_hash(self.nodes[-1], right)
            size >>= 1
        self.size += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        for leaf in leaf_hashes:
            self.append(leaf)

    def root(self) -> bytes:
        """The RFC 9162 Merkle Tree Hash of the tree."""
        if not self.nodes:
            return EMPTY_ROOT
        acc = self.nodes[-1]
        for node in reversed(self.nodes[:-1]):
            acc = node_hash(node, acc)
        return acc

    def well_formed(self) -> bool:
        """One node for each bit set in ``size``."""
        return self.size >= 0 and len(self.nodes) == self.size.bit_count()


class FrontierCache(CacheFolder):
    """Frontiers of past seals in the user's cache folder (a miss is never an error)."""

    NAME = _FOLDER

    def _path(self, root_hex: str, size: int) -> Path:
        name = blake3.blake3(f"{root_hex}\n{size}".encode()).hexdigest()
        return self.folder / name[:2] / name[2:]

    def load(self, root_hex: str, size: int) -> Frontier | None:
        """The frontier of the tree with this root and size, if one is kept and folds to
        exactly that root; else None."""
        try:
            data = self._path(root_hex, size).read_bytes()
        except OSError:
            return None
        if not data.startswith(_MAGIC) or (len(data) - len(_MAGIC)) % 32:
            return None
        body = data[len(_MAGIC) :]
        frontier = Frontier(size, [body[i : i + 32] for i in range(0, len(body), 32)])
        if not frontier.well_formed() or frontier.root().hex() != root_hex:
            return None
        return frontier

    def store(self, frontier: Frontier) -> None:
        """Keep ``frontier`` (best effort; no fsync: a lost or torn entry is a miss)."""
        path = self._path(frontier.root().hex(), frontier.size)
        with contextlib.suppress(OSError, ValueError):
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, _MAGIC + b"".join(frontier.nodes), durable=False)
