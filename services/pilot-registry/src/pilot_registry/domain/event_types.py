"""The event types the registry's aggregates store (``pilot-registry.<Aggregate>.<Event>``); a test keeps this
list equal to the events the aggregates define. These are internal: what other services see is the published
contract in `pilot_common.contracts.events.registry`, translated by `pilot_registry.published`."""

from __future__ import annotations

SERVICE = "pilot-registry"
EVENTS_BY_AGGREGATE: dict[str, tuple[str, ...]] = {
    "Programme": (
        "Drafted",
        "RulesRevised",
        "QuotaExceptionGranted",
        "QuotaExceptionRevoked",
        "DeadlineExtended",
        "Opened",
        "Closed",
        "EvaluationStarted",
        "ResultsPublished",
        "Concluded",
    ),
    "Organisation": (
        "Registered",
        "Amended",
        "Deactivated",
    ),
    "PilotObject": (
        "Registered",
        "Amended",
        "MembersAdded",
        "MembersRemoved",
    ),
    "Finding": (
        "Recorded",
        "Corrected",
        "Retracted",
    ),
    "Pilot": (
        "Approved",
        "MilestoneAdded",
        "MilestoneCompleted",
        "ReportFiled",
        "Assessed",
    ),
}
EVENT_TYPES: tuple[str, ...] = tuple(
    sorted(f"{SERVICE}.{aggregate}.{name}" for aggregate, names in EVENTS_BY_AGGREGATE.items() for name in names)
)
