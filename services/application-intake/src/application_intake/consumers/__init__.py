"""Which handler takes which incoming event: one explicit table, checked at startup against the catalogue."""

from __future__ import annotations

from application_intake.consumers import evaluation_outcomes, rechecks, registry_copy
from pilot_common.contracts.catalogue import EVALUATION, REGISTRY, event_types
from pilot_common.envelope import EventEnvelope
from pilot_common.service import Handler, HandlerTable, Handling


def _then(first: Handler, second: Handler) -> Handler:
    def both(envelope: EventEnvelope, handling: Handling) -> None:
        first(envelope, handling)
        second(envelope, handling)

    return both


def _each(aggregate: str, names: str, handler: Handler) -> dict[str, Handler]:
    return {f"{REGISTRY}.{aggregate}.{name}": handler for name in names.split()}


HANDLES: dict[str, Handler] = {
    **_each(
        "Programme",
        "Drafted RulesRevised QuotaExceptionGranted QuotaExceptionRevoked DeadlineExtended Opened Closed "
        "EvaluationStarted ResultsPublished Concluded",
        registry_copy.programme_changed,
    ),
    f"{REGISTRY}.Organisation.Registered": registry_copy.organisation_changed,
    **_each(
        "Organisation", "Amended Deactivated", _then(registry_copy.organisation_changed, rechecks.after_organisation)
    ),
    f"{REGISTRY}.PilotObject.Registered": registry_copy.pilot_object_changed,
    **_each(
        "PilotObject",
        "Amended MembersAdded MembersRemoved",
        _then(registry_copy.pilot_object_changed, rechecks.after_pilot_object),
    ),
    **_each("Finding", "Recorded Corrected Retracted", _then(registry_copy.finding_changed, rechecks.after_finding)),
    f"{EVALUATION}.ScoreSheet.Created": evaluation_outcomes.score_sheet_opened,
    f"{EVALUATION}.Selection.Published": evaluation_outcomes.list_published,
}

HANDLERS = HandlerTable(
    HANDLES,
    ignores=(event_types(REGISTRY) | event_types(EVALUATION)) - HANDLES.keys(),
)
CONSUMES = [REGISTRY, EVALUATION]
