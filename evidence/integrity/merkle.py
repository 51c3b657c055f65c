"""RFC 9162 §2.1: the Merkle Tree Hash, inclusion proofs and consistency proofs.

The tree is the one of Certificate Transparency (RFC 6962, restated in RFC 9162 §2.1)
with SHA-256: a leaf hash is ``SHA-256(0x00 || leaf)``, an interior node is
``SHA-256(0x01 || left || right)``, and a tree of n leaves splits at the largest power of
two smaller than n. In a case, the leaves are the RFC 8785 bytes of every record
revision, in the order the revisions entered the case.

Example:
    >>> leaves = [leaf_hash(b"a"), leaf_hash(b"b")]
    >>> verify_inclusion(leaves[1], 1, 2, inclusion_proof(leaves, 1), tree_root(leaves))
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

__all__ = [
    "EMPTY_ROOT",
    "LEAF_PREFIX",
    "NODE_PREFIX",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]

LEAF_PREFIX: Final = b"\x00"
"""RFC 9162 §2.1.1: domain separation byte of a leaf hash."""
NODE_PREFIX: Final = b"\x01"
"""RFC 9162 §2.1.1: domain separation byte of an interior node hash."""
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
"""RFC 9162 §2.1.1: the hash of an empty tree is the hash of the empty string."""


def leaf_hash(leaf: bytes) -> bytes:
    """``SHA-256(0x00 || leaf)``."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def tree_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash over leaf hashes (RFC 9162 §2.1.1).

    Computed level by level, carrying an odd last node up unchanged, which gives the
    same tree as the recursive definition (a left-balanced tree).
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    sha = hashlib.sha256
    while len(level) > 1:
        paired = [
            sha(NODE_PREFIX + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` (RFC 9162 §2.1.3.1)."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf index {index} outside a tree of size {n}")
    path: list[bytes] = []
    lo, hi = 0, n
    # Walk down from the root, collecting the sibling subtree hashes, then reverse.
    while hi - lo > 1:
        k = _split(hi - lo)
        if index - lo < k:
            path.append(tree_root(leaf_hashes[lo + k : hi]))
            hi = lo + k
        else:
            path.append(tree_root(leaf_hashes[lo : lo + k]))
            lo = lo + k
    path.reverse()
    return path


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """Proof that the tree of ``old_size`` leaves is a prefix of this one (RFC 9162 §2.1.4.1)."""
    n = len(leaf_hashes)
    if not 0 < old_size <= n:
        raise ValueError(f"old size {old_size} outside 1..{n}")
    return _subproof(leaf_hashes, old_size, 0, n, True)


def _subproof(leaves: Sequence[bytes], m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if complete else [tree_root(leaves[lo:hi])]
    k = _split(n)
    if m <= k:
        return [*_subproof(leaves, m, lo, lo + k, complete), tree_root(leaves[lo + k : hi])]
    return [*_subproof(leaves, m - k, lo + k, hi, False), tree_root(leaves[lo : lo + k])]


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """Check an audit path (RFC 9162 §2.1.3.2). ``leaf`` is the leaf *hash*."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check a consistency proof between two tree sizes (RFC 9162 §2.1.4.2)."""
    if old_size < 1 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself a node
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
