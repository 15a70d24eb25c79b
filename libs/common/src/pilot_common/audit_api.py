"""The audit endpoints every service answers (auditors and ministry staff read; nobody writes here)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from pilot_common.audit import AggregateState, AuditTrail, RecordedEvent
from pilot_common.auth import require_roles
from pilot_common.context import Role
from pilot_common.merkle import Checkpoint, b64, public_key_pem
from pilot_common.problems import ProblemError, conflict, not_found, problem_responses, store_damaged
from pilot_common.translog import (
    log_state,
    own_checkpoints,
    prove_consistency,
    prove_inclusion,
    publish_checkpoint,
    witnessed_checkpoints,
)


class CheckpointModel(BaseModel):
    """A signed checkpoint of a service's Merkle log (`pilot_common.merkle.Checkpoint`)."""

    origin: str
    size: int = Field(ge=0)
    root_hash: str = Field(max_length=64)
    signed_at: str = Field(max_length=40)
    key_id: str = Field(max_length=32)
    signature: str = Field(max_length=128)

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.origin, self.size, self.root_hash, self.signed_at, self.key_id, self.signature)

    @classmethod
    def of(cls, c: Checkpoint) -> CheckpointModel:
        return cls(**asdict(c))


class WitnessedModel(CheckpointModel):
    status: str
    reason: str | None
    recorded_at: str


_log = logging.getLogger(__name__)
T = TypeVar("T")


def _read_store(read: Callable[[], T], what: str, identifier: str) -> T:
    """Reads stored events; records that cannot be read back (a damaged store) are a 409, not a 500."""
    try:
        return read()
    except (ProblemError, AggregateNotFoundError):
        raise
    except Exception:
        _log.exception("stored events of %s %s cannot be read", what, identifier)
        raise store_damaged(what, identifier) from None


class ChainReport(BaseModel):
    """The verification report. Without `aggregate_id`: the whole store, its Merkle log and its checkpoints."""

    ok: bool
    events_checked: int
    aggregates_checked: int
    problems: list[dict[str, Any]]
    leaves: int | None = None
    root_hash: str | None = None
    checkpoints: list[dict[str, Any]] = []
    latest_checkpoint: dict[str, Any] | None = None


class HeldCheckpoint(CheckpointModel):
    source: str = Field(default="auditor", max_length=100, description="who held it, e.g. witness:evaluation")


class HeldCheckpoints(BaseModel):
    """Checkpoints of this service's log held elsewhere (other services as witnesses, an auditor's own copy)."""

    checkpoints: list[HeldCheckpoint] = Field(max_length=10_000)


class LogHead(BaseModel):
    service: str
    size: int
    root_hash: str
    key_id: str | None
    public_key: str | None
    latest_checkpoint: CheckpointModel | None


class InclusionModel(BaseModel):
    leaf_index: int
    tree_size: int
    leaf_data: str
    leaf_hash: str
    root_hash: str
    path: list[str]


class ConsistencyModel(BaseModel):
    first: int
    second: int
    proof: list[str]


class ReadModelCheck(BaseModel):
    """A rebuild of the read models from the event store, compared with the live ones."""

    ok: bool
    compared: dict[str, int]
    differences: list[str]


def audit_router(trail: AuditTrail, rebuild_check: Callable[[], ReadModelCheck] | None = None) -> APIRouter:
    """The /audit endpoints of one service, for auditors and ministry staff; routes in the order they are listed."""
    router = APIRouter(
        prefix="/audit",
        tags=["audit 审计"],
        dependencies=[Depends(require_roles(Role.AUDITOR, Role.MINISTRY))],
        responses=problem_responses(401, 403, 409),
    )
    _add_event_routes(router, trail)
    _add_chain_routes(router, trail)
    _add_log_routes(router, trail)
    _add_process_route(router, trail)
    if rebuild_check is not None:
        _add_read_model_route(router, rebuild_check)
    return router


def _add_event_routes(router: APIRouter, trail: AuditTrail) -> None:
    """An aggregate's history and its state at a version or an instant."""

    @router.get("/aggregates/{aggregate_id}/history", response_model=list[RecordedEvent])
    def history(aggregate_id: UUID) -> list[RecordedEvent]:
        """Every event of one aggregate, oldest first, with who, when, why and its chain hash."""
        events = _read_store(lambda: trail.history(aggregate_id), "aggregate", str(aggregate_id))
        if not events:
            raise not_found("aggregate", str(aggregate_id))
        return events

    @router.get(
        "/aggregates/{aggregate_id}/state", response_model=AggregateState, responses=problem_responses(404, 409)
    )
    def state(
        aggregate_id: UUID,
        version: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="State after this version")] = None,
        at: Annotated[datetime | None, Query(description="State as it stood at this instant (ISO 8601)")] = None,
        time: Annotated[
            Literal["recorded", "business"],
            Query(description="Which time `at` is: recorded (when written, default) or business (the programme's)"),
        ] = "recorded",
    ) -> AggregateState:
        try:
            found = trail.state(aggregate_id, version=version, at=at, time=time)
        except AggregateNotFoundError:
            found = None
        except Exception as e:  # the stored events no longer make an aggregate: damage, reported as such
            raise conflict(
                f"the stored events of {aggregate_id} cannot be replayed ({type(e).__name__}); see /audit/verify",
                code="DAMAGED_AGGREGATE",
                title_zh="事件存储已损坏",
                title_en="The stored events are damaged",
            ) from e
        if found is None:
            raise not_found("aggregate", str(aggregate_id))
        return found


def _add_chain_routes(router: APIRouter, trail: AuditTrail) -> None:
    """The hash chain and the Merkle root, checked against this service's and others' checkpoints."""

    def store_report(held: list[tuple[str, Checkpoint]]) -> ChainReport:
        result = trail.verify_store(held)
        return ChainReport(
            ok=result.ok,
            events_checked=result.events_checked,
            aggregates_checked=result.aggregates_checked,
            problems=[asdict(p) for p in result.problems],
            leaves=result.leaves,
            root_hash=result.root_hash,
            checkpoints=[asdict(c) for c in result.checkpoints],
            latest_checkpoint=asdict(result.latest_checkpoint) if result.latest_checkpoint else None,
        )

    @router.get("/verify", response_model=ChainReport)
    def verify(aggregate_id: UUID | None = None) -> ChainReport:
        """Recomputes the SHA-256 chain of every stored event and the Merkle log's root, compared with every signed
        checkpoint of this service (or only the chain of one aggregate). Damage is reported here (200, ok false)."""
        if aggregate_id is None:
            return store_report([])
        result = trail.verify(aggregate_id)
        return ChainReport(
            ok=result.ok,
            events_checked=result.events_checked,
            aggregates_checked=result.aggregates_checked,
            problems=[asdict(p) for p in result.problems],
        )

    @router.post("/verify/held-checkpoints", response_model=ChainReport)
    def verify_against(held: HeldCheckpoints) -> ChainReport:
        """Reads only: as `GET /audit/verify`, and also against checkpoints of this log held elsewhere (witnesses,
        auditors): a store rolled back or rewritten past one of them is named (TRUNCATED, REWRITTEN, BAD_SIGNATURE)."""
        return store_report([(c.source, c.checkpoint()) for c in held.checkpoints])


def _add_log_routes(router: APIRouter, trail: AuditTrail) -> None:
    """The Merkle log: its head, its checkpoints (own and witnessed), inclusion and consistency proofs."""

    @router.get("/log", response_model=LogHead)
    def log_head() -> LogHead:
        """The Merkle log as it stands, this service's public key and its latest signed checkpoint."""
        recorder = trail.app.audited_recorder
        size, root = log_state(recorder)
        assert root is not None
        own = own_checkpoints(recorder)
        signer = trail.signer
        return LogHead(
            service=trail.app.service,
            size=size,
            root_hash=b64(root),
            key_id=signer.key_id if signer else None,
            public_key=public_key_pem(signer.public_key) if signer else None,
            latest_checkpoint=CheckpointModel.of(own[-1]) if own else None,
        )

    @router.get("/log/checkpoints", response_model=list[CheckpointModel])
    def checkpoints() -> list[CheckpointModel]:
        """Every checkpoint this service has signed, oldest first."""
        return [CheckpointModel.of(c) for c in own_checkpoints(trail.app.audited_recorder)]

    @router.post(
        "/log/checkpoints",
        response_model=CheckpointModel,
        status_code=201,
        dependencies=[Depends(require_roles(Role.MINISTRY))],  # auditors change nothing, not even this
        responses=problem_responses(409),
    )
    def sign_now() -> CheckpointModel:
        """Signs and publishes a checkpoint now (the service also does so periodically). Ministry staff only."""
        if trail.signer is None:
            raise conflict("this service has no signing key", code="NO_SIGNING_KEY")
        return CheckpointModel.of(publish_checkpoint(trail.app, trail.signer))

    @router.get("/log/witnessed", response_model=list[WitnessedModel])
    def witnessed(origin: Annotated[str | None, Query(max_length=100)] = None) -> list[WitnessedModel]:
        """Checkpoints of the other services' logs that this service has seen, accepted or refused (with why)."""
        return [
            WitnessedModel(**asdict(w.checkpoint), status=w.status, reason=w.reason, recorded_at=w.recorded_at)
            for w in witnessed_checkpoints(trail.app.audited_recorder, origin)
        ]

    @router.get("/log/inclusion", response_model=InclusionModel, responses=problem_responses(404))
    def inclusion(
        aggregate_id: UUID,
        version: Annotated[int, Query(ge=1)],
        tree_size: Annotated[int | None, Query(ge=1, description="e.g. a signed checkpoint's size")] = None,
    ) -> InclusionModel:
        """The proof that one event is in the log (RFC 9162 inclusion proof, base64 hashes)."""
        proof = prove_inclusion(trail.app.audited_recorder, aggregate_id, version, tree_size)
        if proof is None:
            raise not_found("event", f"{aggregate_id} v{version}")
        return InclusionModel(**asdict(proof))

    @router.get("/log/consistency", response_model=ConsistencyModel, responses=problem_responses(404))
    def consistency(first: Annotated[int, Query(ge=1)], second: Annotated[int, Query(ge=1)]) -> ConsistencyModel:
        """The proof that the log of size `second` extends the one of size `first` (RFC 9162)."""
        recorder = trail.app.audited_recorder
        size, _ = log_state(recorder, with_root=False)
        if not first <= second <= size:
            raise not_found("tree size", f"{first}..{second} of {size}")
        return ConsistencyModel(first=first, second=second, proof=prove_consistency(recorder, first, second))


def _add_process_route(router: APIRouter, trail: AuditTrail) -> None:
    @router.get("/correlations/{correlation_id}", response_model=list[RecordedEvent])
    def correlation(correlation_id: Annotated[str, Path(max_length=128)]) -> list[RecordedEvent]:
        """The events of one business process (e.g. one application's story) in this service."""
        return _read_store(lambda: trail.by_correlation(correlation_id), "correlation", correlation_id)


def _add_read_model_route(router: APIRouter, rebuild_check: Callable[[], ReadModelCheck]) -> None:
    @router.get("/read-models/check", response_model=ReadModelCheck)
    def read_models() -> ReadModelCheck:
        """Rebuilds the read models from the events and compares them with the live ones."""
        return rebuild_check()
