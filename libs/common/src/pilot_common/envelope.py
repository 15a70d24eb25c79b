"""The event envelope on the wire: CloudEvents 1.0 attributes plus our audit extensions, JSON structured mode.

Built from a committed notification of a service's notification log, so the id is stable: publishing the same
notification twice gives the same envelope, which consumers recognise by (upstream, notification id).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, Notification
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

SCHEMA_VERSION = 1
_ENVELOPE_NS = uuid.UUID("6f1c8f52-3f4e-4b7c-9d1e-2a6c0b9f7e11")
_BASE_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic"}
_AUDIT_FIELDS = {"actor", "correlation_id", "causation_id"}


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
    schemaversion: int = SCHEMA_VERSION
    actor: EnvelopeActor
    correlationid: str
    causationid: str | None = None
    upstream: str = Field(description="Name of the publishing service (tracking key prefix)")
    notificationid: int = Field(description="Position in the publishing service's notification log")
    data: dict[str, Any]

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


def envelope_for(service: str, notification: Notification, mapper: Mapper[Any]) -> EventEnvelope:
    domain_event: DomainEventProtocol[Any] = mapper.to_domain_event(notification)
    fields = dict(vars(domain_event))
    data = {k: v for k, v in fields.items() if k not in _BASE_FIELDS | _AUDIT_FIELDS}
    actor = fields.get("actor") or {"user_id": "unknown", "role": "service"}
    aggregate_id = str(notification.originator_id)
    qualname = notification.topic.split(":", 1)[-1]
    return EventEnvelope(
        id=str(uuid.uuid5(_ENVELOPE_NS, f"{service}/{aggregate_id}/{notification.originator_version}")),
        source=f"/services/{service}",
        type=event_type(service, notification.topic),
        subject=aggregate_id,
        time=fields["timestamp"],
        aggregatetype=qualname.split(".", 1)[0],
        aggregateid=aggregate_id,
        aggregateversion=notification.originator_version,
        actor=EnvelopeActor.model_validate(actor),
        correlationid=str(fields.get("correlation_id") or ""),
        causationid=fields.get("causation_id"),
        upstream=service,
        notificationid=notification.id,
        data=to_jsonable_python(data),
    )
