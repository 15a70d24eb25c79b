"""The event types each service publishes on `<service>.events` (`<service>.<Aggregate>.<Event>`).

The published contract is the set of integration-event models in `pilot_common.contracts.events`: a consumer's
handler table is checked against it at startup. The events a service stores are its own business (each
service's `domain/events.py`); only the published models cross service boundaries.
"""

from __future__ import annotations

from pilot_common.contracts.events import (
    EVALUATION,
    INTAKE,
    PUBLISHED,
    REGISTRY,
    event_types,
    model_for,
    published_events,
)

__all__ = ["EVALUATION", "INTAKE", "PUBLISHED", "REGISTRY", "event_types", "model_for", "published_events"]
