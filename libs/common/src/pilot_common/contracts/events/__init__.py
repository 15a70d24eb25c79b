"""The published integration events of every service: the catalogue that handler tables are checked against."""

from __future__ import annotations

from collections.abc import Mapping

from pilot_common.contracts.errors import ContractViolation
from pilot_common.contracts.events import evaluation, intake, registry
from pilot_common.contracts.events.base import IntegrationEvent, Upcaster

REGISTRY = registry.REGISTRY
INTAKE = intake.INTAKE
EVALUATION = evaluation.EVALUATION

#: Each service's published models, in the order they are documented.
PUBLISHED: dict[str, tuple[type[IntegrationEvent], ...]] = {
    REGISTRY: registry.PUBLISHED,
    INTAKE: intake.PUBLISHED,
    EVALUATION: evaluation.PUBLISHED,
}

_BY_TYPE: dict[str, type[IntegrationEvent]] = {m.event_type: m for models in PUBLISHED.values() for m in models}


def model_for(event_type: str) -> type[IntegrationEvent]:
    """The public model of a published event type, or a ContractViolation for a type nobody publishes."""
    try:
        return _BY_TYPE[event_type]
    except KeyError:
        raise ContractViolation(event_type, None, "not a published event type") from None


def event_types(service: str) -> frozenset[str]:
    return frozenset(m.event_type for m in PUBLISHED[service])


def published_events() -> Mapping[str, frozenset[str]]:
    return {service: event_types(service) for service in PUBLISHED}


__all__ = [
    "EVALUATION",
    "INTAKE",
    "PUBLISHED",
    "REGISTRY",
    "ContractViolation",
    "IntegrationEvent",
    "Upcaster",
    "event_types",
    "model_for",
    "published_events",
]
