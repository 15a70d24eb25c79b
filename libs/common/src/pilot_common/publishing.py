"""The publisher side of the contract: which stored domain events a service publishes, and as what.

Each service declares one `PublicationTable`: for each published domain event, the public model and an adapter
that builds it from the event. A stored event with no entry is internal and is never published. The table is
checked when it is built: every model of the service's published catalogue has an entry, and no entry publishes
a model outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from pilot_common.aggregate import AuditedAggregate
from pilot_common.contracts.events.base import IntegrationEvent

#: Builds the public model from the stored domain event (None: nothing public changed, publish nothing).
Adapter = Callable[[Any], IntegrationEvent | None]


class PublicationTableError(Exception):
    """The publication table does not match the service's published catalogue (raised at import)."""


@dataclass(frozen=True)
class Publication:
    topic: str  # the domain event's eventsourcing topic, as stored in the notification log
    model: type[IntegrationEvent]
    adapt: Adapter


def publish(
    aggregate: type[AuditedAggregate], event: str, model: type[IntegrationEvent], adapt: Adapter
) -> Publication:
    """`aggregate.<event>` is published as `model`, built by `adapt`."""
    event_class = getattr(aggregate, event, None)
    if not (isinstance(event_class, type) and issubclass(event_class, AuditedAggregate.Event)):
        raise PublicationTableError(f"{aggregate.__qualname__} has no event {event}")
    return Publication(get_topic(event_class), model, adapt)


class PublicationTable:
    def __init__(
        self, service: str, catalogue: Iterable[type[IntegrationEvent]], entries: Iterable[Publication]
    ) -> None:
        self.service = service
        self.catalogue = tuple(catalogue)
        self._by_topic: dict[str, Publication] = {}
        for entry in entries:
            if entry.topic in self._by_topic:
                raise PublicationTableError(f"{entry.topic} is published twice")
            self._by_topic[entry.topic] = entry
        used = {entry.model for entry in self._by_topic.values()}
        problems = []
        if missing := sorted(m.event_type for m in set(self.catalogue) - used):
            problems.append(f"published models that no domain event produces: {missing}")
        if foreign := sorted(m.event_type for m in used - set(self.catalogue)):
            problems.append(f"models outside {service}'s catalogue: {foreign}")
        if problems:
            raise PublicationTableError("; ".join(problems))

    def for_topic(self, topic: str) -> Publication | None:
        """The entry of a stored event's topic, or None for an internal event."""
        return self._by_topic.get(topic)

    def adapt(self, domain_event: Any) -> IntegrationEvent | None:
        """The public model of a domain event, or None when it is internal."""
        entry = self.for_topic(get_topic(type(domain_event)))
        if entry is None:
            return None
        model = entry.adapt(domain_event)
        if model is not None and not isinstance(model, entry.model):
            raise PublicationTableError(f"the adapter of {entry.topic} built {type(model).__name__}, not {entry.model}")
        return model

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(self._by_topic)


NOTHING_PUBLISHED = PublicationTable("", (), ())
