"""The Merkle log's hashing and proofs against a direct transcription of RFC 9162's recursive definitions."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from hypothesis import given
from hypothesis import strategies as st

from pilot_common.merkle import (
    CheckpointSigner,
    TreeBuilder,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH over leaf hashes, recursively."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def tree(n: int) -> list[bytes]:
    return [leaf_hash(str(i).encode()) for i in range(n)]


def source(leaves: list[bytes]):  # type: ignore[no-untyped-def]
    def read(start: int, end: int) -> Iterable[bytes]:
        return leaves[start:end]

    return read


def test_known_root_of_rfc6962_style_hashing() -> None:
    # Two leaves "a", "b": SHA-256(0x01 ‖ SHA-256(0x00 ‖ "a") ‖ SHA-256(0x00 ‖ "b")).
    a = hashlib.sha256(b"\x00a").digest()
    b = hashlib.sha256(b"\x00b").digest()
    builder = TreeBuilder()
    builder.add(leaf_hash(b"a"))
    builder.add(leaf_hash(b"b"))
    assert builder.root() == hashlib.sha256(b"\x01" + a + b).digest()
    assert TreeBuilder().root() == hashlib.sha256(b"").digest()


@given(st.integers(min_value=0, max_value=70))
def test_streaming_root_equals_the_recursive_definition(n: int) -> None:
    leaves = tree(n)
    builder = TreeBuilder()
    for leaf in leaves:
        builder.add(leaf)
    assert builder.root() == mth(leaves)


@given(st.integers(min_value=1, max_value=70), st.data())
def test_inclusion_proofs_verify_and_a_wrong_leaf_does_not(n: int, data: st.DataObject) -> None:
    leaves = tree(n)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    proof = inclusion_proof(source(leaves), index, n)
    root = mth(leaves)
    assert verify_inclusion(leaves[index], index, n, proof, root)
    assert not verify_inclusion(leaf_hash(b"forged"), index, n, proof, root)
    if n > 1:
        assert not verify_inclusion(leaves[index], (index + 1) % n, n, proof, root)


@given(st.integers(min_value=1, max_value=70), st.data())
def test_consistency_proofs_verify_and_a_rewritten_prefix_does_not(n: int, data: st.DataObject) -> None:
    leaves = tree(n)
    m = data.draw(st.integers(min_value=1, max_value=n))
    proof = consistency_proof(source(leaves), m, n)
    assert verify_consistency(m, n, mth(leaves[:m]), mth(leaves), proof)
    rewritten = [leaf_hash(b"x"), *leaves[1:]]
    assert not verify_consistency(m, n, mth(leaves[:m]), mth(rewritten), consistency_proof(source(rewritten), m, n))


def test_a_checkpoint_verifies_only_with_its_key_and_its_body() -> None:
    signer = CheckpointSigner.generated("pilot-registry")
    checkpoint = signer.sign(10, b"\x01" * 32, "2026-11-30T21:00:00+00:00")
    assert checkpoint.verify(signer.public_key)
    assert not checkpoint.verify(CheckpointSigner.generated("pilot-registry").public_key)
    from dataclasses import replace

    assert not replace(checkpoint, size=9).verify(signer.public_key)
