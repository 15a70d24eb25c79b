"""The base of every aggregate: each event it records says who did it and in which business process.

Pure domain code: it depends on the eventsourcing library's domain model and on the call context only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self
from uuid import UUID

from eventsourcing.domain import Aggregate, CanInitAggregate, CanMutateAggregate

from pilot_common.clock import business_clock_now
from pilot_common.context import current_context


def _audit_fields() -> dict[str, Any]:
    ctx = current_context()
    return {
        "actor": ctx.actor.as_dict(),
        "correlation_id": ctx.correlation_id,
        "causation_id": ctx.causation_id,
        "traceparent": ctx.traceparent,
        # Business time (the programme's calendar) beside the event's own timestamp, its recorded time.
        "business_time": business_clock_now(),
    }


def business_time_of(domain_event: object) -> datetime | None:
    """An event's business time; None for events stored before events carried it (their recorded time stands)."""
    value = getattr(domain_event, "business_time", None)
    return value if isinstance(value, datetime) else None


def application_id_of(domain_event: object, aggregate_id: str | None = None) -> str | None:
    """The application an event is about: its own ``application_id``, else its aggregate's when that is one."""
    value = getattr(domain_event, "application_id", None)
    return str(value) if value else aggregate_id


class AuditedAggregate(Aggregate):
    """An aggregate whose events carry the actor, correlation id and causation id of the call that made them,
    and its business time (the event's ``timestamp`` is its recorded time)."""

    class Event(Aggregate.Event):
        actor: dict[str, str | None]
        correlation_id: str
        causation_id: str | None
        # The trace of the request or message that recorded it (absent in events stored before tracing).
        traceparent: str | None
        business_time: datetime

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def _create(
        cls,
        event_class: type[CanInitAggregate[UUID]],
        *,
        id: UUID | None = None,
        **kwargs: Any,
    ) -> Self:
        kwargs.update(_audit_fields())
        return super()._create(event_class, id=id, **kwargs)

    def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None:
        kwargs.update(_audit_fields())
        super().trigger_event(event_class, **kwargs)
