"""RFC 9162 §2.1 Merkle trees: outside vectors, and proofs against the RFC's own definitions.

The reference functions below transcribe the recursive definitions of RFC 6962 §2.1
(MTH, PATH, PROOF/SUBPROOF, restated in RFC 9162 §2.1) over leaf *inputs*; the module
under test computes iteratively over leaf *hashes*. Hypothesis checks that they agree,
that valid proofs verify, and that any altered proof, index, size or root fails.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.integrity.merkle import (
    EMPTY_ROOT,
    LEAF_PREFIX,
    NODE_PREFIX,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

VECTORS = json.loads(
    (Path(__file__).parents[2] / "data" / "vectors" / "merkle-rfc6962.json").read_text()
)


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _sha(b"")
    if n == 1:
        return _sha(b"\x00" + d[0])
    k = _k(n)
    return _sha(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def directions(m: int, n: int) -> list[str]:
    """Where each audit path element sits, leaf upwards: the shape a verifier checks."""
    if n == 1:
        return []
    k = _k(n)
    return [*directions(m, k), "right"] if m < k else [*directions(m - k, n - k), "left"]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


# -- outside vectors ------------------------------------------------------------------------

LEAVES = [bytes.fromhex(h) for h in VECTORS["leaf_inputs_hex"]]


@pytest.mark.parametrize("size", range(len(VECTORS["roots_by_tree_size_hex"])))
def test_rfc6962_roots(size: int) -> None:
    expected = VECTORS["roots_by_tree_size_hex"][size]
    assert tree_root([leaf_hash(x) for x in LEAVES[:size]]).hex() == expected
    assert mth(LEAVES[:size]).hex() == expected  # the reference is right too


def test_domain_separation_constants() -> None:
    assert (LEAF_PREFIX, NODE_PREFIX) == (b"\x00", b"\x01")
    assert _sha(b"") == EMPTY_ROOT
    assert leaf_hash(b"") == _sha(b"\x00")
    assert node_hash(b"a" * 32, b"b" * 32) == _sha(b"\x01" + b"a" * 32 + b"b" * 32)
    # A leaf can never pass for a node: the prefixes differ.
    assert leaf_hash(b"\x01" + b"a" * 64) != node_hash(b"a" * 32, b"a" * 32)


def test_single_leaf_tree() -> None:
    h = leaf_hash(b"only")
    assert tree_root([h]) == h
    assert inclusion_proof([h], 0) == []
    assert verify_inclusion(h, 0, 1, [], h)


@pytest.mark.parametrize(
    ("size", "index"), [(0, 0), (3, 3), (3, -1)], ids=["empty", "past-end", "negative"]
)
def test_inclusion_proof_of_a_missing_leaf_is_refused(size: int, index: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof([leaf_hash(bytes([i])) for i in range(size)], index)


@pytest.mark.parametrize(("size", "old"), [(3, 0), (3, 4)], ids=["zero", "larger"])
def test_consistency_proof_of_impossible_sizes_is_refused(size: int, old: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        consistency_proof([leaf_hash(bytes([i])) for i in range(size)], old)


# -- properties -----------------------------------------------------------------------------

leaf_inputs = st.lists(st.binary(max_size=6), min_size=1, max_size=70, unique=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=70))
def test_root_equals_rfc_definition(data: list[bytes]) -> None:
    assert tree_root([leaf_hash(x) for x in data]) == mth(data)


@settings(max_examples=150, deadline=None)
@given(data=leaf_inputs, pick=st.data())
def test_inclusion_proofs(data: list[bytes], pick: st.DataObject) -> None:
    n = len(data)
    hashes = [leaf_hash(x) for x in data]
    root = tree_root(hashes)
    m = pick.draw(st.integers(0, n - 1), label="index")
    proof = inclusion_proof(hashes, m)
    assert proof == path(m, data)
    assert verify_inclusion(hashes[m], m, n, proof, root)

    # Any other leaf, index, root, or any altered or truncated or extended path fails.
    other = pick.draw(st.integers(0, n - 1).filter(lambda i: i != m) if n > 1 else st.just(m))
    if other != m:
        assert not verify_inclusion(hashes[other], m, n, proof, root)
        assert not verify_inclusion(hashes[m], other, n, proof, root)
    assert not verify_inclusion(hashes[m], m, n, proof, _sha(root))
    if proof:
        at = pick.draw(st.integers(0, len(proof) - 1), label="element")
        bit = pick.draw(st.integers(0, 255), label="bit")
        bad = list(proof)
        bad[at] = bytes([bad[at][0] ^ (1 << (bit % 8))]) + bad[at][1:]
        assert not verify_inclusion(hashes[m], m, n, bad, root)
        assert not verify_inclusion(hashes[m], m, n, proof[:-1], root)
    assert not verify_inclusion(hashes[m], m, n, [*proof, root], root)

    # Another size: RFC 9162 §2.1.3.2 checks the path's shape against (index, size); the
    # root itself stands for the size. So a wrong size passes exactly when the two sizes
    # give that leaf the same shape of path, and fails otherwise.
    size = pick.draw(st.integers(0, 2 * n + 2).filter(lambda s: s != n), label="size")
    same_shape = m < size and directions(m, size) == directions(m, n)
    assert verify_inclusion(hashes[m], m, size, proof, root) == same_shape


@settings(max_examples=150, deadline=None)
@given(data=leaf_inputs, pick=st.data())
def test_consistency_proofs(data: list[bytes], pick: st.DataObject) -> None:
    n = len(data)
    hashes = [leaf_hash(x) for x in data]
    new_root = tree_root(hashes)
    m = pick.draw(st.integers(1, n), label="old size")
    old_root = tree_root(hashes[:m])
    proof = consistency_proof(hashes, m)
    assert proof == subproof(m, data, True)
    assert verify_consistency(m, n, old_root, new_root, proof)

    assert not verify_consistency(m, n, _sha(old_root), new_root, proof)
    assert not verify_consistency(m, n, old_root, _sha(new_root), proof)
    if proof:
        at = pick.draw(st.integers(0, len(proof) - 1), label="element")
        bad = list(proof)
        bad[at] = _sha(bad[at])
        assert not verify_consistency(m, n, old_root, new_root, bad)
        assert not verify_consistency(m, n, old_root, new_root, proof[:-1])
    assert not verify_consistency(m, n, old_root, new_root, [*proof, new_root])
    # A tree that did not only grow: one old leaf changed.
    changed = list(hashes)
    changed[pick.draw(st.integers(0, m - 1), label="changed")] = leaf_hash(b"forged")
    assert not verify_consistency(m, n, old_root, tree_root(changed), consistency_proof(changed, m))
    # Wrong sizes with the true roots and proof.
    wrong_old = pick.draw(st.integers(0, n + 1).filter(lambda s: s != m), label="wrong old")
    if wrong_old >= 1 and wrong_old <= n and tree_root(hashes[:wrong_old]) != old_root:
        assert not verify_consistency(wrong_old, n, old_root, new_root, proof)
    assert not verify_consistency(m, m - 1, old_root, new_root, proof)


@settings(max_examples=50, deadline=None)
@given(leaf_inputs)
def test_every_prefix_is_consistent(data: list[bytes]) -> None:
    hashes = [leaf_hash(x) for x in data]
    new_root = tree_root(hashes)
    for m in range(1, len(hashes) + 1):
        assert verify_consistency(
            m, len(hashes), tree_root(hashes[:m]), new_root, consistency_proof(hashes, m)
        )
