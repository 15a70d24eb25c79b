"""Which handler takes which incoming event: one explicit table, checked at startup against the published catalogue.

Each handler receives the event parsed into its public model (`pilot_common.contracts.events`).
"""

from __future__ import annotations

from application_intake.consumers import evaluation_outcomes, rechecks, registry_copy
from pilot_common.contracts.catalogue import EVALUATION, REGISTRY, event_types
from pilot_common.contracts.events import evaluation, registry
from pilot_common.contracts.events.base import IntegrationEvent
from pilot_common.service import Handler, HandlerTable, Handling
from pilot_common.translog import on_checkpoint_signed


def _then(first: Handler, second: Handler) -> Handler:
    """The copy first, then the re-checks that read it."""

    def both(event: IntegrationEvent, handling: Handling) -> None:
        first(event, handling)
        second(event, handling)

    return both


HANDLES: dict[type[IntegrationEvent], Handler] = {
    registry.ProgrammeDrafted: registry_copy.programme_drafted,
    registry.ProgrammeRulesRevised: registry_copy.rules_revised,
    registry.QuotaExceptionGranted: registry_copy.quota_exception_granted,
    registry.QuotaExceptionRevoked: registry_copy.quota_exception_revoked,
    registry.DeadlineExtended: registry_copy.deadline_extended,
    registry.ProgrammeOpened: registry_copy.programme_status("OPEN"),
    registry.ProgrammeClosed: registry_copy.programme_status("CLOSED"),
    registry.EvaluationStarted: registry_copy.programme_status("UNDER_EVALUATION"),
    registry.ResultsPublished: registry_copy.programme_status("RESULTS_PUBLISHED"),
    registry.ProgrammeConcluded: _then(registry_copy.programme_status("CONCLUDED"), evaluation_outcomes.close_out),
    registry.OrganisationRegistered: registry_copy.organisation_registered,
    registry.OrganisationAmended: _then(registry_copy.organisation_amended, rechecks.after_organisation_amended),
    registry.OrganisationDeactivated: _then(
        registry_copy.organisation_deactivated, rechecks.after_organisation_deactivated
    ),
    registry.PilotObjectRegistered: registry_copy.pilot_object_registered,
    registry.PilotObjectAmended: _then(registry_copy.pilot_object_amended, rechecks.after_pilot_object_amended),
    registry.PilotObjectMembersAdded: _then(registry_copy.members_added, rechecks.after_members_added),
    registry.PilotObjectMembersRemoved: _then(registry_copy.members_removed, rechecks.after_members_removed),
    registry.FindingRecorded: _then(registry_copy.finding_recorded, rechecks.after_finding_recorded),
    registry.FindingCorrected: _then(registry_copy.finding_corrected, rechecks.after_finding_corrected),
    registry.FindingRetracted: _then(registry_copy.finding_retracted, rechecks.after_finding_retracted),
    evaluation.ScoreSheetOpened: evaluation_outcomes.score_sheet_opened,
    evaluation.ScoreSheetWithdrawn: evaluation_outcomes.score_sheet_withdrawn,
    evaluation.ListPublished: evaluation_outcomes.list_published,
    # Witnessing the others' Merkle logs.
    registry.RegistryCheckpointSigned: on_checkpoint_signed,
    evaluation.EvaluationCheckpointSigned: on_checkpoint_signed,
}

HANDLERS = HandlerTable(
    HANDLES,
    ignores=(event_types(REGISTRY) | event_types(EVALUATION)) - {model.event_type for model in HANDLES},
)
CONSUMES = [REGISTRY, EVALUATION]
