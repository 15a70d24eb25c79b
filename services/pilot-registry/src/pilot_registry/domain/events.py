"""The event types the registry publishes (``pilot-registry.<Aggregate>.<Event>``): the published contract,
kept in `pilot_common.contracts.catalogue`; a test keeps it equal to the events the aggregates define."""

from __future__ import annotations

from pilot_common.contracts.catalogue import EVENTS_BY_AGGREGATE as _ALL
from pilot_common.contracts.catalogue import REGISTRY, event_types

SERVICE = REGISTRY
EVENTS_BY_AGGREGATE: dict[str, tuple[str, ...]] = _ALL[REGISTRY]
EVENT_TYPES: tuple[str, ...] = tuple(sorted(event_types(REGISTRY)))
