"""How intake's stored events become its published contract (`pilot_common.contracts.events.intake`).

One entry per published domain event; the rest (drafting sections, files, late entries, quota slots) are internal.
A details change that touches none of the published fields publishes nothing.
"""

from __future__ import annotations

from typing import Any

from application_intake.domain.pilot_application import PilotApplication
from pilot_common.aggregate import AuditedAggregate
from pilot_common.checkpoint import checkpoint_publication
from pilot_common.contracts.events import intake as public
from pilot_common.publishing import Publication, PublicationTable, publish

#: The application details other services keep (evaluation's copy); the rest stay in intake.
PUBLISHED_DETAILS = frozenset(public.ApplicationDetailsUpdated.model_fields) - {"application_id", "changed"}


def _id(event: Any) -> str:
    return str(event.originator_id)


def _milestones(event: Any) -> list[public.ScheduledMilestone]:
    """The schedule an event carries (none on events stored before it travelled with them)."""
    return [public.ScheduledMilestone.model_validate(m) for m in getattr(event, "milestones", None) or []]


def _details_updated(event: Any) -> public.ApplicationDetailsUpdated | None:
    changes = {k: v for k, v in dict(event.changes).items() if k in PUBLISHED_DETAILS}
    if not changes:
        return None
    return public.ApplicationDetailsUpdated(application_id=_id(event), changed=sorted(changes), **changes)


def _verdict_recorded(event: Any) -> public.ApplicationVerdictRecorded:
    priority: dict[str, Any] = (event.verdict or {}).get("priority") or {}
    return public.ApplicationVerdictRecorded(
        application_id=_id(event),
        outcome=event.outcome,
        status=event.status,
        revision=event.revision,
        trigger=event.trigger,
        priority=bool(priority.get("priority", False)),
        priority_reason_zh=priority.get("reason_zh"),
    )


def publication_table(application: type[AuditedAggregate] = PilotApplication) -> PublicationTable:
    """The table for intake's application aggregate (a test's stand-in of intake passes its own look-alike)."""
    return PublicationTable(public.INTAKE, public.PUBLISHED, _entries(application))


def _entries(PilotApplication: type[AuditedAggregate]) -> list[Publication]:
    return [
        publish(
            PilotApplication,
            "Created",
            public.ApplicationCreated,
            lambda e: public.ApplicationCreated(
                application_id=_id(e),
                programme_id=e.programme_id,
                province=e.province,
                pilot_type=e.pilot_type,
                project_name=e.project_name,
                applicant_organisation_id=e.applicant_organisation_id,
                implementer_organisation_id=e.implementer_organisation_id,
                pilot_object_id=e.pilot_object_id,
            ),
        ),
        publish(PilotApplication, "DetailsUpdated", public.ApplicationDetailsUpdated, _details_updated),
        publish(
            PilotApplication,
            "Submitted",
            public.ApplicationSubmitted,
            lambda e: public.ApplicationSubmitted(
                application_id=_id(e), submitted_at=e.submitted_at, milestones=_milestones(e)
            ),
        ),
        publish(PilotApplication, "VerdictRecorded", public.ApplicationVerdictRecorded, _verdict_recorded),
        publish(
            PilotApplication,
            "Withdrawn",
            public.ApplicationWithdrawn,
            lambda e: public.ApplicationWithdrawn(application_id=_id(e), reason=e.reason),
        ),
        publish(
            PilotApplication,
            "AmendmentRequested",
            public.ApplicationAmendmentRequested,
            lambda e: public.ApplicationAmendmentRequested(application_id=_id(e)),
        ),
        publish(
            PilotApplication,
            "Amended",
            public.ApplicationAmended,
            lambda e: public.ApplicationAmended(
                application_id=_id(e), revision=e.revision, note=e.note, milestones=_milestones(e)
            ),
        ),
        publish(
            PilotApplication,
            "EnteredEvaluation",
            public.ApplicationEnteredEvaluation,
            lambda e: public.ApplicationEnteredEvaluation(application_id=_id(e)),
        ),
        publish(
            PilotApplication,
            "OutcomeRecorded",
            public.ApplicationOutcomeRecorded,
            lambda e: public.ApplicationOutcomeRecorded(
                application_id=_id(e), approved=e.approved, document_number=e.document_number
            ),
        ),
        checkpoint_publication(public.IntakeCheckpointSigned),
    ]


PUBLICATIONS = publication_table()
