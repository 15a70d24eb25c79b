"""The audit endpoints every service answers (auditors and ministry staff read; nobody writes here)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from pilot_common.audit import AggregateState, AuditTrail, RecordedEvent
from pilot_common.auth import require_roles
from pilot_common.context import Role
from pilot_common.problems import ProblemError, not_found, problem_responses, store_damaged

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
    ok: bool
    events_checked: int
    aggregates_checked: int
    problems: list[dict[str, Any]]


class ReadModelCheck(BaseModel):
    """A rebuild of the read models from the event store, compared with the live ones."""

    ok: bool
    compared: dict[str, int]
    differences: list[str]


def audit_router(trail: AuditTrail, rebuild_check: Callable[[], ReadModelCheck] | None = None) -> APIRouter:
    router = APIRouter(
        prefix="/audit",
        tags=["audit 审计"],
        dependencies=[Depends(require_roles(Role.AUDITOR, Role.MINISTRY))],
        responses=problem_responses(401, 403, 409),
    )

    @router.get("/aggregates/{aggregate_id}/history", response_model=list[RecordedEvent])
    def history(aggregate_id: UUID) -> list[RecordedEvent]:
        """Every event of one aggregate, oldest first, with who, when, why and its chain hash."""
        events = _read_store(lambda: trail.history(aggregate_id), "aggregate", str(aggregate_id))
        if not events:
            raise not_found("aggregate", str(aggregate_id))
        return events

    @router.get("/aggregates/{aggregate_id}/state", response_model=AggregateState, responses=problem_responses(404))
    def state(
        aggregate_id: UUID,
        version: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="State after this version")] = None,
        at: Annotated[datetime | None, Query(description="State as it stood at this instant (ISO 8601)")] = None,
    ) -> AggregateState:
        try:
            found = _read_store(
                lambda: trail.state(aggregate_id, version=version, at=at), "aggregate", str(aggregate_id)
            )
        except AggregateNotFoundError:
            found = None
        if found is None:
            raise not_found("aggregate", str(aggregate_id))
        return found

    @router.get("/verify", response_model=ChainReport)
    def verify(aggregate_id: UUID | None = None) -> ChainReport:
        """Recomputes the SHA-256 chain of every stored event (or of one aggregate)."""
        result = trail.verify(aggregate_id)
        return ChainReport(
            ok=result.ok,
            events_checked=result.events_checked,
            aggregates_checked=result.aggregates_checked,
            problems=[asdict(p) for p in result.problems],
        )

    @router.get("/correlations/{correlation_id}", response_model=list[RecordedEvent])
    def correlation(correlation_id: Annotated[str, Path(max_length=128)]) -> list[RecordedEvent]:
        """The events of one business process (e.g. one application's story) in this service."""
        return _read_store(lambda: trail.by_correlation(correlation_id), "correlation", correlation_id)

    if rebuild_check is not None:

        @router.get("/read-models/check", response_model=ReadModelCheck)
        def read_models() -> ReadModelCheck:
            """Rebuilds the read models from the events and compares them with the live ones."""
            return rebuild_check()

    return router
