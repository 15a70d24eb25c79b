"""How evaluation's stored events become its published contract (`pilot_common.contracts.events.evaluation`).

Only two facts leave the service: an application entered review (its first score sheet was opened) and the
published list. Reviewers, assignments, every score, moderation, ranking and the selection's drafts stay here.
"""

from __future__ import annotations

from typing import Any

from evaluation.domain import ScoreSheet, Selection
from pilot_common.checkpoint import checkpoint_publication
from pilot_common.contracts.events import evaluation as public
from pilot_common.contracts.events.intake import ScheduledMilestone
from pilot_common.publishing import PublicationTable, publish


def _sheet_application(event: Any) -> str:
    """The application a sheet's event is about (carried by the event since withdrawals are published)."""
    return str(event.application_id)


def _list_published(event: Any) -> public.ListPublished:
    return public.ListPublished(
        programme_id=event.programme_id,
        document_number=event.document_number,
        published_at=event.published_at,
        entries=[
            public.ApprovedProject(
                application_id=entry["application_id"],
                position=entry["position"],
                project_name=entry["project_name"],
                pilot_type=entry["pilot_type"],
                province_code=entry["province"],
                applicant_organisation_id=entry["applicant_organisation_id"],
                pilot_object_id=entry["pilot_object_id"],
                milestones=[ScheduledMilestone.model_validate(m) for m in entry.get("milestones") or []],
            )
            for entry in event.entries
        ],
    )


PUBLICATIONS = PublicationTable(
    public.EVALUATION,
    public.PUBLISHED,
    [
        publish(
            ScoreSheet,
            "Created",
            public.ScoreSheetOpened,
            lambda e: public.ScoreSheetOpened(
                application_id=e.application_id,
                programme_id=e.programme_id,
                application_revision=e.application_revision,
                reader_key=getattr(e, "reader_key", None),
            ),
        ),
        # A sheet taken off its reviewer (reassignment, declared conflict): the reviewer reads it no more.
        publish(
            ScoreSheet,
            "Withdrawn",
            public.ScoreSheetWithdrawn,
            lambda e: public.ScoreSheetWithdrawn(
                application_id=_sheet_application(e), reader_key=getattr(e, "reader_key", None)
            ),
        ),
        publish(
            ScoreSheet,
            "ConflictDeclared",
            public.ScoreSheetWithdrawn,
            lambda e: public.ScoreSheetWithdrawn(
                application_id=_sheet_application(e), reader_key=getattr(e, "reader_key", None)
            ),
        ),
        publish(Selection, "Published", public.ListPublished, _list_published),
        checkpoint_publication(public.EvaluationCheckpointSigned),
    ],
)
