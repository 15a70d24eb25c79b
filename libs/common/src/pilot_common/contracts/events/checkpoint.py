"""The signed checkpoint of a service's Merkle log, published on its topic so that the others witness it.

Every service publishes `<service>.Checkpoint.Signed` (one model per service, the same fields). A consumer records
it as a witness (`pilot_common.translog.witness`) and refuses one that is not consistent with what it holds.
"""

from __future__ import annotations

from pydantic import Field

from pilot_common.contracts.events.base import IntegrationEvent


class CheckpointSignedV1(IntegrationEvent):
    """(size, root, time) of the log, signed with the service's Ed25519 key, and the proof that it extends the
    previous checkpoint."""

    origin: str = Field(description="the service whose log this is")
    size: int = Field(ge=0, description="leaves (stored events) covered")
    root_hash: str = Field(description="base64 RFC 9162 root of the first `size` leaves")
    signed_at: str = Field(description="ISO 8601, UTC")
    key_id: str
    signature: str = Field(description="base64 Ed25519 signature of the checkpoint's note body")
    public_key: str = Field(description="the service's Ed25519 public key, PEM")
    previous_size: int | None = Field(default=None, description="size of the previous checkpoint")
    consistency_proof: list[str] = Field(default_factory=list, description="base64 hashes, previous_size to size")
