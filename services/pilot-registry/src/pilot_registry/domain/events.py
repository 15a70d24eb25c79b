"""The event types the registry publishes (``pilot-registry.<Aggregate>.<Event>``): the published contract.

Consumers register handlers or ignores for exactly these (``HandlerTable.check``). Renaming one breaks them;
a test keeps this list equal to the events the aggregates actually define.
"""

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
    "Organisation": ("Registered", "Amended", "Deactivated"),
    "PilotObject": ("Registered", "Amended", "MembersAdded", "MembersRemoved"),
    "Finding": ("Recorded", "Corrected", "Retracted"),
    "Pilot": ("Approved", "MilestoneAdded", "MilestoneCompleted", "ReportFiled", "Assessed"),
}

EVENT_TYPES: tuple[str, ...] = tuple(
    f"{SERVICE}.{aggregate}.{name}" for aggregate, names in EVENTS_BY_AGGREGATE.items() for name in names
)
