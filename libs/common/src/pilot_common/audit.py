"""What auditors ask of a service's event store: histories, states as of a time or version, the chain, a
business process (correlation id) across aggregates. Read-only; works on any store size (queries use indexes)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import func, select

from pilot_common.aggregate import business_time_of
from pilot_common.envelope import event_type
from pilot_common.merkle import Checkpoint, CheckpointSigner
from pilot_common.persistence import ChainVerification, verify_audit_chain
from pilot_common.service import ServiceApplication
from pilot_common.translog import StoreVerification, verify_store

_HIDDEN = {"_pending_events"}


class RecordedEvent(BaseModel):
    aggregate_id: str
    version: int
    type: str
    recorded_at: str | None
    actor_user_id: str | None
    actor_role: str | None
    actor_province: str | None
    correlation_id: str | None
    causation_id: str | None
    prev_hash: str
    hash: str
    data: dict[str, Any] | None
    #: None when the stored event reads back; MISSING_EVENT (deleted) or UNREADABLE (damaged) otherwise. A damaged
    #: store's history is still answered: the damage is part of what an auditor reads.
    damage: str | None = None


class AggregateState(BaseModel):
    aggregate_id: str
    aggregate_type: str
    version: int
    as_of: str | None
    state: dict[str, Any]


class AuditTrail:
    def __init__(self, app: ServiceApplication, signer: CheckpointSigner | None = None) -> None:
        self.app = app
        self.audit = app.audited_recorder.audit
        self.signer = signer

    def _event_data(self, row: Any) -> tuple[dict[str, Any] | None, str | None]:
        try:
            found = list(
                self.app.events.get(row.originator_id, gt=row.originator_version - 1, lte=row.originator_version)
            )
        except Exception:  # bytes that no longer decode (edited in the database): reported, not a server error
            return None, "UNREADABLE"
        if not found:
            return None, "MISSING_EVENT"
        data = {
            k: v
            for k, v in vars(found[0]).items()
            if k not in {"originator_id", "originator_version", "timestamp", "actor", "correlation_id", "causation_id"}
        }
        return to_jsonable_python(data, fallback=str), None

    def _events_with_audit(self, rows: list[Any]) -> list[RecordedEvent]:
        out = []
        for row in rows:
            data, damage = self._event_data(row)
            out.append(
                RecordedEvent(
                    aggregate_id=str(row.originator_id),
                    version=row.originator_version,
                    type=event_type(self.app.service, row.topic),
                    recorded_at=row.recorded_at,
                    actor_user_id=row.actor_user_id,
                    actor_role=row.actor_role,
                    actor_province=row.actor_province,
                    correlation_id=row.correlation_id,
                    causation_id=row.causation_id,
                    prev_hash=row.prev_hash,
                    hash=row.hash,
                    data=data,
                    damage=damage,
                )
            )
        return out

    def history(self, aggregate_id: UUID) -> list[RecordedEvent]:
        with self.app.reading() as session:
            rows = session.execute(
                select(self.audit)
                .where(self.audit.c.originator_id == aggregate_id)
                .order_by(self.audit.c.originator_version)
            ).all()
        return self._events_with_audit(list(rows))

    def by_correlation(self, correlation_id: str, limit: int = 1000) -> list[RecordedEvent]:
        with self.app.reading() as session:
            rows = session.execute(
                select(self.audit)
                .where(self.audit.c.correlation_id == correlation_id)
                .order_by(self.audit.c.recorded_at, self.audit.c.originator_version)
                .limit(limit)
            ).all()
        return self._events_with_audit(list(rows))

    def version_at(self, aggregate_id: UUID, at: datetime) -> int | None:
        """The aggregate's version as it stood at `at` (None if it did not exist yet)."""
        stamp = at.astimezone(UTC).isoformat()
        with self.app.reading() as session:
            found = session.execute(
                select(func.max(self.audit.c.originator_version)).where(
                    (self.audit.c.originator_id == aggregate_id) & (self.audit.c.recorded_at <= stamp)
                )
            ).scalar_one_or_none()
        return int(found) if found is not None else None

    def version_at_business_time(self, aggregate_id: UUID, at: datetime) -> int | None:
        """The aggregate's version as it stood at business time `at` (events before business time was recorded
        count by their recorded time)."""
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)  # as version_at reads a naive instant
        found = None
        for domain_event in self.app.events.get(aggregate_id):
            when = business_time_of(domain_event) or vars(domain_event)["timestamp"]
            if when <= at:
                found = domain_event.originator_version
        return found

    def state(
        self,
        aggregate_id: UUID,
        version: int | None = None,
        at: datetime | None = None,
        time: str = "recorded",
    ) -> AggregateState | None:
        """The state after `version`, or as it stood at `at` in recorded time (when the rows were written) or in
        business time (`time="business"`, the programme's calendar)."""
        if at is not None:
            at_version = (
                self.version_at_business_time(aggregate_id, at)
                if time == "business"
                else self.version_at(aggregate_id, at)
            )
            if at_version is None:
                return None
            version = at_version if version is None else min(version, at_version)
        aggregate: Any = self.app.repository.get(aggregate_id, version=version)
        state = {k.lstrip("_"): v for k, v in vars(aggregate).items() if k not in _HIDDEN}
        return AggregateState(
            aggregate_id=str(aggregate_id),
            aggregate_type=type(aggregate).__name__,
            version=aggregate.version,
            as_of=at.isoformat() if at else None,
            state=to_jsonable_python(state, fallback=str),
        )

    def verify(self, aggregate_id: UUID | None = None) -> ChainVerification:
        return verify_audit_chain(self.app.audited_recorder, originator_id=aggregate_id)

    def verify_store(self, checkpoints: Iterable[tuple[str, Checkpoint]] = ()) -> StoreVerification:
        key = self.signer.public_key if self.signer is not None else None
        return verify_store(self.app.audited_recorder, key, checkpoints)
