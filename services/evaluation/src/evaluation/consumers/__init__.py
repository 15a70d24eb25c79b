"""What the evaluation service does with other services' events: one explicit table, checked at startup.

From the registry it keeps each programme's rules (criteria, weights, reviewers per application, aggregation,
outlier threshold, innovation criterion). From intake it keeps each application (who applies, where, what type,
its revision, eligibility, priority, submission time), and reacts:

* withdrawn, or re-checked INELIGIBLE → the application leaves evaluation at once: its open sheets are withdrawn,
  it drops out of the ranking and is no longer a selection candidate (and comes off an unpublished list);
* amended to a new revision → its scored sheets are marked stale until their reviewers confirm or rescore.

Intake payload fields relied on (the event's fields): ``Created`` {programme_id, province, pilot_type,
project_name, applicant_organisation_id, implementer_organisation_id, pilot_object_id}; ``DetailsUpdated``
{changes}; ``Submitted`` {submitted_at}; ``VerdictRecorded`` {outcome, verdict.priority.priority, revision,
status}; ``Withdrawn`` {reason}; ``AmendmentRequested`` {}; ``Amended`` {revision, note}; ``EnteredEvaluation`` {};
``OutcomeRecorded`` {approved, document_number}. Registry: ``Programme.Drafted`` {code, name, rules},
``Programme.RulesRevised`` {rules}.
"""

from __future__ import annotations

from evaluation.application import EvaluationService
from evaluation.projections import refresh_programme_scores
from evaluation.projections.kept import (
    EVALUATED_OUTCOMES,
    application_row,
    apply_details,
    create_application,
    save_programme,
    update_application,
)
from pilot_common.contracts.catalogue import INTAKE, REGISTRY, event_types
from pilot_common.envelope import EventEnvelope
from pilot_common.service import HandlerTable, Handling

APPLICATION = f"{INTAKE}.PilotApplication"
PROGRAMME = f"{REGISTRY}.Programme"


def _service(handling: Handling) -> EvaluationService:
    service = handling.app
    assert isinstance(service, EvaluationService)
    return service


# --- registry ----------------------------------------------------------------------------------------------------


def on_programme_drafted(envelope: EventEnvelope, handling: Handling) -> None:
    data = envelope.data
    save_programme(
        handling.session,
        envelope.aggregateid,
        data["rules"],
        envelope.aggregateversion,
        code=str(data["code"]),
        name=str(data["name"]),
    )


def on_rules_revised(envelope: EventEnvelope, handling: Handling) -> None:
    """New rules: scores are recomputed under them (e.g. another outlier threshold or aggregation). Sheets keep the
    criteria they were opened with; criteria changes apply to sheets opened from now on."""
    save_programme(handling.session, envelope.aggregateid, envelope.data["rules"], envelope.aggregateversion)
    refresh_programme_scores(handling.session, envelope.aggregateid)


# --- intake ------------------------------------------------------------------------------------------------------


def on_created(envelope: EventEnvelope, handling: Handling) -> None:
    create_application(handling.session, envelope.aggregateid, envelope.data, envelope.aggregateversion)


def on_details_updated(envelope: EventEnvelope, handling: Handling) -> None:
    apply_details(handling.session, envelope.aggregateid, envelope.data["changes"], envelope.aggregateversion)


def on_submitted(envelope: EventEnvelope, handling: Handling) -> None:
    update_application(
        handling.session,
        envelope.aggregateid,
        envelope.aggregateversion,
        submitted_at=str(envelope.data["submitted_at"]),
        intake_status="SUBMITTED",
    )


def _leave_evaluation(handling: Handling, application_id: str, reason: str) -> None:
    handling.collect(*_service(handling).leaving_evaluation(handling.session, application_id, reason))


def on_verdict_recorded(envelope: EventEnvelope, handling: Handling) -> None:
    data = envelope.data
    priority = (data.get("verdict") or {}).get("priority") or {}
    outcome = str(data["outcome"])
    values = {
        "eligibility_outcome": outcome,
        "priority": bool(priority.get("priority", False)),
        "priority_reason_zh": priority.get("reason_zh"),
        "intake_status": str(data.get("status") or outcome),
    }
    known = application_row(handling.session, envelope.aggregateid)
    if known is not None and data.get("revision") is not None:
        values["revision"] = max(int(known["revision"]), int(data["revision"]))
    update_application(handling.session, envelope.aggregateid, envelope.aggregateversion, **values)
    if outcome not in EVALUATED_OUTCOMES:
        _leave_evaluation(handling, envelope.aggregateid, f"资格复核结论为{outcome}（{data.get('trigger', '')}）")


def on_withdrawn(envelope: EventEnvelope, handling: Handling) -> None:
    reason = str(envelope.data.get("reason") or "").strip() or "申报单位撤回申报"
    update_application(
        handling.session,
        envelope.aggregateid,
        envelope.aggregateversion,
        withdrawn=True,
        withdrawal_reason=reason,
        intake_status="WITHDRAWN",
    )
    _leave_evaluation(handling, envelope.aggregateid, f"申报已撤回：{reason}")


def on_amendment_requested(envelope: EventEnvelope, handling: Handling) -> None:
    update_application(
        handling.session, envelope.aggregateid, envelope.aggregateversion, intake_status="AMENDMENT_REQUESTED"
    )


def on_amended(envelope: EventEnvelope, handling: Handling) -> None:
    revision = int(envelope.data["revision"])
    update_application(
        handling.session, envelope.aggregateid, envelope.aggregateversion, revision=revision, intake_status="SUBMITTED"
    )
    note = str(envelope.data.get("note") or "").strip()
    reason = f"申报已补正为第 {revision} 版" + (f"：{note}" if note else "")
    handling.collect(*_service(handling).amended(handling.session, envelope.aggregateid, revision, reason))


def on_entered_evaluation(envelope: EventEnvelope, handling: Handling) -> None:
    update_application(handling.session, envelope.aggregateid, envelope.aggregateversion, intake_status="IN_EVALUATION")


def on_outcome_recorded(envelope: EventEnvelope, handling: Handling) -> None:
    approved = bool(envelope.data["approved"])
    update_application(
        handling.session,
        envelope.aggregateid,
        envelope.aggregateversion,
        approved=approved,
        outcome_document_number=str(envelope.data.get("document_number") or ""),
        intake_status="APPROVED" if approved else "NOT_APPROVED",
    )


_HANDLES = {
    f"{PROGRAMME}.Drafted": on_programme_drafted,
    f"{PROGRAMME}.RulesRevised": on_rules_revised,
    f"{APPLICATION}.Created": on_created,
    f"{APPLICATION}.DetailsUpdated": on_details_updated,
    f"{APPLICATION}.Submitted": on_submitted,
    f"{APPLICATION}.VerdictRecorded": on_verdict_recorded,
    f"{APPLICATION}.Withdrawn": on_withdrawn,
    f"{APPLICATION}.AmendmentRequested": on_amendment_requested,
    f"{APPLICATION}.Amended": on_amended,
    f"{APPLICATION}.EnteredEvaluation": on_entered_evaluation,
    f"{APPLICATION}.OutcomeRecorded": on_outcome_recorded,
}

HANDLERS = HandlerTable(_HANDLES, ignores=(event_types(INTAKE) | event_types(REGISTRY)) - _HANDLES.keys())
CONSUMES = [INTAKE, REGISTRY]
