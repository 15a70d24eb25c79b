"""The event envelope on the wire: CloudEvents 1.0 attributes plus our audit extensions, JSON structured mode.

Built from a committed notification of a service's notification log, so the id is stable: publishing the same
notification twice gives the same envelope, which consumers recognise by (upstream, notification id). Its `data`
is the event's public model (`pilot_common.contracts.events`), never the stored event: a service's publication
table says which stored events are published and as what.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, Notification
from pydantic import BaseModel, ConfigDict, Field

from pilot_common.publishing import PublicationTable

_ENVELOPE_NS = uuid.UUID("6f1c8f52-3f4e-4b7c-9d1e-2a6c0b9f7e11")


class EnvelopeActor(BaseModel):
    user_id: str
    role: str
    province: str | None = None
    organisation: str | None = None


class EventEnvelope(BaseModel):
    """One domain event as other services see it."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    specversion: str = "1.0"
    id: str = Field(description="Stable per (source service, aggregate, version)")
    source: str = Field(description="The publishing service, e.g. /services/pilot-registry")
    type: str = Field(description="<service>.<Aggregate>.<Event>, e.g. pilot-registry.Finding.Recorded")
    subject: str = Field(description="The aggregate id")
    time: datetime
    datacontenttype: str = "application/json"
    aggregatetype: str
    aggregateid: str
    aggregateversion: int
    schemaversion: int = Field(ge=1, description="The schema version of `data` (its model's `schema_version`)")
    actor: EnvelopeActor
    correlationid: str
    causationid: str | None = None
    traceparent: str | None = Field(
        default=None, description="W3C trace context of the recording span (CloudEvents distributed tracing)"
    )
    upstream: str = Field(description="Name of the publishing service (tracking key prefix)")
    notificationid: int = Field(description="Position in the publishing service's notification log")
    data: dict[str, Any] = Field(description="The public model of `type` at `schemaversion`")

    @property
    def service(self) -> str:
        return self.upstream

    @property
    def event_name(self) -> str:
        return self.type.rsplit(".", 1)[-1]


def event_type(service: str, topic: str) -> str:
    """`module:Aggregate.Event` -> `<service>.Aggregate.Event`."""
    qualname = topic.split(":", 1)[-1]
    return f"{service}.{qualname}"


def envelope_for(
    publications: PublicationTable, notification: Notification, mapper: Mapper[Any]
) -> EventEnvelope | None:
    """The envelope of a stored event, or None when the event is internal (the relay skips it)."""
    if publications.for_topic(notification.topic) is None:
        return None  # internal: not even decoded
    domain_event: DomainEventProtocol[Any] = mapper.to_domain_event(notification)
    public = publications.adapt(domain_event)
    if public is None:
        return None
    fields = vars(domain_event)
    service = publications.service
    actor = fields.get("actor") or {"user_id": "unknown", "role": "service"}
    aggregate_id = str(notification.originator_id)
    qualname = notification.topic.split(":", 1)[-1]
    return EventEnvelope(
        id=str(uuid.uuid5(_ENVELOPE_NS, f"{service}/{aggregate_id}/{notification.originator_version}")),
        source=f"/services/{service}",
        type=public.event_type,
        subject=aggregate_id,
        time=fields["timestamp"],
        aggregatetype=qualname.split(".", 1)[0],
        aggregateid=aggregate_id,
        aggregateversion=notification.originator_version,
        schemaversion=public.schema_version,
        actor=EnvelopeActor.model_validate(actor),
        correlationid=str(fields.get("correlation_id") or ""),
        causationid=fields.get("causation_id"),
        traceparent=fields.get("traceparent"),
        upstream=service,
        notificationid=notification.id,
        data=public.payload(),
    )
