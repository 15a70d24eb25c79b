"""The checkpoint of a service's Merkle log as a stored (and published) event: `<service>.Checkpoint.Signed`.

Pure domain: one aggregate per checkpoint, created signed; the signing and the log live in `pilot_common.translog`.
"""

from __future__ import annotations

from eventsourcing.domain import event

from pilot_common.aggregate import AuditedAggregate
from pilot_common.contracts.events.checkpoint import CheckpointSignedV1
from pilot_common.publishing import Publication, publish


class Checkpoint(AuditedAggregate):
    @event("Signed")
    def __init__(
        self,
        origin: str,
        size: int,
        root_hash: str,
        signed_at: str,
        key_id: str,
        signature: str,
        public_key: str,
        previous_size: int | None,
        consistency_proof: list[str],
    ) -> None:
        self.origin = origin
        self.size = size
        self.root_hash = root_hash
        self.signed_at = signed_at
        self.key_id = key_id
        self.signature = signature
        self.public_key = public_key
        self.previous_size = previous_size
        self.consistency_proof = consistency_proof


def checkpoint_publication(model: type[CheckpointSignedV1]) -> Publication:
    """The entry of a service's publication table that publishes its checkpoints as `model`."""
    return publish(
        Checkpoint,
        "Signed",
        model,
        lambda e: model(
            origin=e.origin,
            size=e.size,
            root_hash=e.root_hash,
            signed_at=e.signed_at,
            key_id=e.key_id,
            signature=e.signature,
            public_key=e.public_key,
            previous_size=e.previous_size,
            consistency_proof=list(e.consistency_proof),
        ),
    )
