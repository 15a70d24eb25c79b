"""The event types the evaluation service publishes (``evaluation.<Aggregate>.<Event>``): the published contract,
kept in `pilot_common.contracts.catalogue`; a test keeps it equal to the events the aggregates raise."""

from __future__ import annotations

from pilot_common.contracts.catalogue import EVALUATION, event_types
from pilot_common.contracts.catalogue import EVENTS_BY_AGGREGATE as _ALL

SERVICE = EVALUATION
EVENTS_BY_AGGREGATE: dict[str, tuple[str, ...]] = _ALL[EVALUATION]
EVENT_TYPES: tuple[str, ...] = tuple(sorted(event_types(EVALUATION)))
