"""What the evaluation service does with other services' events: one explicit table, checked at startup.

From the registry it keeps each programme's rules (criteria, weights, reviewers per application, aggregation,
outlier threshold, innovation criterion). From intake it keeps each application (who applies, where, what type,
its revision, eligibility, priority, submission time), and reacts:

* withdrawn, or re-checked INELIGIBLE → the application leaves evaluation at once: its open sheets are withdrawn,
  it drops out of the ranking and is no longer a selection candidate (and comes off an unpublished list);
* amended to a new revision → its scored sheets are marked stale until their reviewers confirm or rescore.

Each handler receives the event parsed into its public model (`pilot_common.contracts.events.intake` and
`.registry`) and maps its named fields onto this service's read model.
"""

from __future__ import annotations

from evaluation.application import EvaluationService
from evaluation.projections import refresh_programme_scores
from evaluation.projections.upstream_copy import (
    EVALUATED_OUTCOMES,
    application_row,
    apply_details,
    create_application,
    save_programme,
    set_programme_status,
    update_application,
)
from pilot_common.contracts.catalogue import INTAKE, REGISTRY, event_types
from pilot_common.contracts.events import intake, registry
from pilot_common.contracts.events.base import IntegrationEvent
from pilot_common.service import Handler, HandlerTable, Handling
from pilot_common.translog import on_checkpoint_signed


def _service(handling: Handling) -> EvaluationService:
    service = handling.app
    assert isinstance(service, EvaluationService)
    return service


def _version(handling: Handling) -> int:
    return handling.envelope.aggregateversion


# --- registry ----------------------------------------------------------------------------------------------------


def on_programme_drafted(event: registry.ProgrammeDrafted, handling: Handling) -> None:
    save_programme(
        handling.session,
        event.programme_id,
        event.rules.model_dump(mode="json"),
        _version(handling),
        code=event.code,
        name=event.name,
    )


def on_rules_revised(event: registry.ProgrammeRulesRevised, handling: Handling) -> None:
    """New rules: scores are recomputed under them (e.g. another outlier threshold or aggregation). Sheets keep the
    criteria they were opened with; criteria changes apply to sheets opened from now on."""
    save_programme(handling.session, event.programme_id, event.rules.model_dump(mode="json"), _version(handling))
    refresh_programme_scores(handling.session, event.programme_id)


def programme_status(status: str) -> Handler:
    """The handler of one state change of a programme (Opened → OPEN, …): evaluation refuses what it forbids."""

    def handle(event: IntegrationEvent, handling: Handling) -> None:
        programme_id = str(event.model_dump()["programme_id"])  # every programme state event names its programme
        set_programme_status(handling.session, programme_id, status)

    handle.__name__ = f"programme_{status.lower()}"
    return handle


# --- intake ------------------------------------------------------------------------------------------------------


def on_created(event: intake.ApplicationCreated, handling: Handling) -> None:
    create_application(handling.session, event, _version(handling))


def on_details_updated(event: intake.ApplicationDetailsUpdated, handling: Handling) -> None:
    apply_details(handling.session, event, _version(handling))


def on_submitted(event: intake.ApplicationSubmitted, handling: Handling) -> None:
    update_application(
        handling.session,
        event.application_id,
        _version(handling),
        submitted_at=event.submitted_at.isoformat(),
        intake_status="SUBMITTED",
        milestones=[m.model_dump(mode="json") for m in event.milestones],
    )


def _leave_evaluation(handling: Handling, application_id: str, reason: str) -> None:
    handling.collect(*_service(handling).leaving_evaluation(handling.session, application_id, reason))


def on_verdict_recorded(event: intake.ApplicationVerdictRecorded, handling: Handling) -> None:
    values = {
        "eligibility_outcome": event.outcome,
        "priority": event.priority,
        "priority_reason_zh": event.priority_reason_zh,
        "intake_status": event.status or event.outcome,
    }
    known = application_row(handling.session, event.application_id)
    if known is not None:
        values["revision"] = max(int(known["revision"]), event.revision)
    update_application(handling.session, event.application_id, _version(handling), **values)
    if event.outcome not in EVALUATED_OUTCOMES:
        _leave_evaluation(handling, event.application_id, f"资格复核结论为{event.outcome}（{event.trigger}）")


def on_withdrawn(event: intake.ApplicationWithdrawn, handling: Handling) -> None:
    reason = event.reason.strip() or "申报单位撤回申报"
    update_application(
        handling.session,
        event.application_id,
        _version(handling),
        withdrawn=True,
        withdrawal_reason=reason,
        intake_status="WITHDRAWN",
    )
    _leave_evaluation(handling, event.application_id, f"申报已撤回：{reason}")


def on_amendment_requested(event: intake.ApplicationAmendmentRequested, handling: Handling) -> None:
    update_application(handling.session, event.application_id, _version(handling), intake_status="AMENDMENT_REQUESTED")


def on_amended(event: intake.ApplicationAmended, handling: Handling) -> None:
    update_application(
        handling.session,
        event.application_id,
        _version(handling),
        revision=event.revision,
        intake_status="SUBMITTED",
        milestones=[m.model_dump(mode="json") for m in event.milestones],
    )
    note = event.note.strip()
    reason = f"申报已补正为第 {event.revision} 版" + (f"：{note}" if note else "")
    handling.collect(*_service(handling).amended(handling.session, event.application_id, event.revision, reason))


def on_entered_evaluation(event: intake.ApplicationEnteredEvaluation, handling: Handling) -> None:
    update_application(handling.session, event.application_id, _version(handling), intake_status="IN_EVALUATION")


def on_outcome_recorded(event: intake.ApplicationOutcomeRecorded, handling: Handling) -> None:
    update_application(
        handling.session,
        event.application_id,
        _version(handling),
        approved=event.approved,
        outcome_document_number=event.document_number,
        intake_status="APPROVED" if event.approved else "NOT_APPROVED",
    )


HANDLES: dict[type[IntegrationEvent], Handler] = {
    registry.ProgrammeDrafted: on_programme_drafted,
    registry.ProgrammeRulesRevised: on_rules_revised,
    registry.ProgrammeOpened: programme_status("OPEN"),
    registry.ProgrammeClosed: programme_status("CLOSED"),
    registry.EvaluationStarted: programme_status("UNDER_EVALUATION"),
    registry.ResultsPublished: programme_status("RESULTS_PUBLISHED"),
    registry.ProgrammeConcluded: programme_status("CONCLUDED"),
    intake.ApplicationCreated: on_created,
    intake.ApplicationDetailsUpdated: on_details_updated,
    intake.ApplicationSubmitted: on_submitted,
    intake.ApplicationVerdictRecorded: on_verdict_recorded,
    intake.ApplicationWithdrawn: on_withdrawn,
    intake.ApplicationAmendmentRequested: on_amendment_requested,
    intake.ApplicationAmended: on_amended,
    intake.ApplicationEnteredEvaluation: on_entered_evaluation,
    intake.ApplicationOutcomeRecorded: on_outcome_recorded,
    # Witnessing the others' Merkle logs.
    registry.RegistryCheckpointSigned: on_checkpoint_signed,
    intake.IntakeCheckpointSigned: on_checkpoint_signed,
}

HANDLERS = HandlerTable(
    HANDLES, ignores=(event_types(INTAKE) | event_types(REGISTRY)) - {model.event_type for model in HANDLES}
)
CONSUMES = [INTAKE, REGISTRY]
