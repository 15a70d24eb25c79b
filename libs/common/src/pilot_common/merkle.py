"""A transparency log over a service's events: RFC 6962/9162 Merkle tree hashing, proofs and signed checkpoints.

Leaves are the events in notification order; a leaf commits to the event's position, identity and its audit-chain
hash (which itself commits to the stored bytes). Hashing follows RFC 9162 §2.1: leaf = SHA-256(0x00 ‖ data),
node = SHA-256(0x01 ‖ left ‖ right), the empty tree is SHA-256(""). The code is small enough to own; the proofs
are RFC 9162's PATH and PROOF algorithms and their verifiers (§2.1.3, §2.1.4).

A checkpoint is (origin, size, root, time) as text, signed with the service's Ed25519 key, a key the database never
holds: someone who can rewrite the database can recompute every hash but cannot sign a new root.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha256 = hashlib.sha256
_u32 = struct.Struct(">I").pack


def leaf_hash(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def event_leaf_data(notification_id: int, originator_id: UUID | str, version: int, event_hash: str) -> bytes:
    """What a leaf commits to: position, aggregate, version and the audit-chain hash (length-prefixed)."""
    n, o, v, h = str(notification_id).encode(), str(originator_id).encode(), str(version).encode(), event_hash.encode()
    return b"".join((_u32(len(n)), n, _u32(len(o)), o, _u32(len(v)), v, _u32(len(h)), h))


def event_leaf_hash(notification_id: int, originator_id: UUID | str, version: int, event_hash: str) -> bytes:
    return leaf_hash(event_leaf_data(notification_id, originator_id, version, event_hash))


class TreeBuilder:
    """The root of a growing log from its leaf hashes, one at a time, in O(log n) memory (a compact range)."""

    __slots__ = ("_stack", "size")

    def __init__(self) -> None:
        self._stack: list[bytes] = []  # roots of perfect subtrees, largest first
        self.size = 0

    def add(self, leaf: bytes) -> None:
        self._stack.append(leaf)
        self.size += 1
        n = self.size
        while not n & 1:  # each trailing zero bit of the new size completes a subtree
            right = self._stack.pop()
            self._stack[-1] = node_hash(self._stack[-1], right)
            n >>= 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        result = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            result = node_hash(left, result)
        return result


def root_of(leaves: Iterable[bytes]) -> bytes:
    builder = TreeBuilder()
    for leaf in leaves:
        builder.add(leaf)
    return builder.root()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


#: leaves(start, end) yields the leaf hashes of positions start..end-1 (streams them from the store)
LeafSource = Callable[[int, int], Iterable[bytes]]


def _range_root(leaves: LeafSource, start: int, end: int) -> bytes:
    return root_of(leaves(start, end))


def inclusion_proof(leaves: LeafSource, index: int, size: int) -> list[bytes]:
    """RFC 9162 PATH(index, D[0:size]), leaf to root."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            path.append(_range_root(leaves, start + k, end))
            end = start + k
        else:
            path.append(_range_root(leaves, start, start + k))
            start, m = start + k, m - k
    path.reverse()
    return path


def consistency_proof(leaves: LeafSource, first: int, second: int) -> list[bytes]:
    """RFC 9162 PROOF(first, D[0:second])."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from size {first} to {second}")
    proof: list[bytes] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(_range_root(leaves, start + k, end))
            end = start + k
        else:
            proof.append(_range_root(leaves, start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        proof.append(_range_root(leaves, start, end))
    proof.reverse()
    return proof


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of size `second` an append-only extension of the one of size `first`?"""
    if first == second:
        return not proof and first_root == second_root
    if not 0 < first < second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is a subtree of the second
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
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
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


# --- signed checkpoints -------------------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement "the log of `origin` had `size` leaves with this root at `signed_at`"."""

    origin: str  # the service name
    size: int
    root_hash: str  # base64
    signed_at: str  # ISO 8601, UTC
    key_id: str
    signature: str  # base64 Ed25519 over `body()`

    def body(self) -> bytes:
        # In the manner of C2SP tlog-checkpoint notes: one field per line.
        return f"{self.origin}\n{self.size}\n{self.root_hash}\n{self.signed_at}\n".encode()

    def verify(self, public_key: Ed25519PublicKey) -> bool:
        try:
            public_key.verify(unb64(self.signature), self.body())
        except (InvalidSignature, ValueError):
            return False
        return True


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


class CheckpointSigner:
    """Signs a service's checkpoints with its Ed25519 key (from a file or the environment, never the database)."""

    def __init__(self, origin: str, private_key: Ed25519PrivateKey) -> None:
        self.origin = origin
        self._key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)

    def sign(self, size: int, root: bytes, signed_at: str) -> Checkpoint:
        unsigned = Checkpoint(self.origin, size, b64(root), signed_at, self.key_id, "")
        return Checkpoint(
            self.origin, size, unsigned.root_hash, signed_at, self.key_id, b64(self._key.sign(unsigned.body()))
        )

    @classmethod
    def from_pem(cls, origin: str, pem: bytes) -> CheckpointSigner:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key must be an Ed25519 private key (PKCS#8 PEM)")
        return cls(origin, key)

    @classmethod
    def generated(cls, origin: str) -> CheckpointSigner:
        """A fresh key (tests; a deployment always configures one)."""
        return cls(origin, Ed25519PrivateKey.generate())

    @classmethod
    def from_file(cls, origin: str, path: Path, create: bool = False) -> CheckpointSigner:
        """The key in `path`; with `create` (the embedded default's data folder) one is made there on first use."""
        if not path.exists() and create:
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
        return cls.from_pem(origin, path.read_bytes())
