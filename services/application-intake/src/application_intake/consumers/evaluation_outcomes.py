"""What intake takes from evaluation: an application enters evaluation when its first score sheet is opened,
and gets its outcome (approved or not) when the approved list is published."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from application_intake.projections.tables import applications
from pilot_common.contracts.events.evaluation import ListPublished, ScoreSheetOpened
from pilot_common.service import Handling


def score_sheet_opened(event: ScoreSheetOpened, handling: Handling) -> None:
    from application_intake.application import ApplicationIntake

    intake = handling.app
    assert isinstance(intake, ApplicationIntake)
    application = intake.application(UUID(event.application_id))
    application.enter_evaluation()
    handling.collect(application)


def list_published(event: ListPublished, handling: Handling) -> None:
    from application_intake.application import ApplicationIntake

    intake = handling.app
    assert isinstance(intake, ApplicationIntake)
    approved = {entry.application_id for entry in event.entries}
    evaluated = handling.session.execute(
        select(applications.c.id).where(
            applications.c.programme_id == event.programme_id, applications.c.status == "IN_EVALUATION"
        )
    ).scalars()
    for application_id in sorted(set(evaluated) | approved):
        application = intake.application(UUID(application_id))
        application.record_outcome(application_id in approved, event.document_number)
        handling.collect(application)
