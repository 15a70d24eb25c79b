"""The event types each service publishes on `<service>.events` (`<service>.<Aggregate>.<Event>`).

The published contract in one place: a consumer's handler table is checked against it at startup, and each
service has a test that keeps its entry equal to the events its aggregates define.
"""

from __future__ import annotations

from collections.abc import Mapping

REGISTRY = "pilot-registry"
INTAKE = "application-intake"
EVALUATION = "evaluation"

EVENTS_BY_AGGREGATE: dict[str, dict[str, tuple[str, ...]]] = {
    REGISTRY: {
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
    },
    INTAKE: {
        "PilotApplication": (
            "Created",
            "DetailsUpdated",
            "FoundationUpdated",
            "FundingSet",
            "PlanSectionsUpdated",
            "ScheduleSet",
            "FileAttached",
            "FileDetached",
            "Submitted",
            "VerdictRecorded",
            "LateEntryAccepted",  # legacy: replayed, no longer raised
            "LateEntryRecorded",
            "Withdrawn",
            "AmendmentRequested",
            "Amended",
            "EnteredEvaluation",
            "OutcomeRecorded",
        ),
        "ProvinceQuota": ("Created", "SlotTaken", "SlotReleased"),
    },
    EVALUATION: {
        "Reviewer": ("Created", "AvailabilityChanged", "ExpertiseUpdated", "AffiliationChanged"),
        "ScoreSheet": (
            "Created",
            "ScoresRecorded",
            "Submitted",
            "RescoreRequested",
            "ReopenedForAmendment",
            "ModerationAccepted",
            "RevisionAdvanced",
            "MarkedStale",
            "CurrentRevisionConfirmed",
            "ConflictDeclared",
            "Withdrawn",
        ),
        "Selection": (
            "Created",
            "Proposed",
            "Included",
            "Excluded",
            "CapsChanged",
            "TargetChanged",
            "SignedOff",
            "SignOffsVoided",
            "Published",
        ),
    },
}


def event_types(service: str) -> frozenset[str]:
    return frozenset(
        f"{service}.{aggregate}.{name}" for aggregate, names in EVENTS_BY_AGGREGATE[service].items() for name in names
    )


def published_events() -> Mapping[str, frozenset[str]]:
    return {service: event_types(service) for service in EVENTS_BY_AGGREGATE}
