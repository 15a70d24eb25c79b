"""The event types evaluation's aggregates store (``evaluation.<Aggregate>.<Event>``); a test keeps this
list equal to the events the aggregates define. These are internal: what other services see is the published
contract in `pilot_common.contracts.events.evaluation`, translated by `evaluation.published`."""

from __future__ import annotations

SERVICE = "evaluation"
EVENTS_BY_AGGREGATE: dict[str, tuple[str, ...]] = {
    "Reviewer": (
        "Created",
        "AvailabilityChanged",
        "ExpertiseUpdated",
        "AffiliationChanged",
    ),
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
    "ScoringDeadline": (
        "Created",
        "Changed",
    ),
}
EVENT_TYPES: tuple[str, ...] = tuple(
    sorted(f"{SERVICE}.{aggregate}.{name}" for aggregate, names in EVENTS_BY_AGGREGATE.items() for name in names)
)
