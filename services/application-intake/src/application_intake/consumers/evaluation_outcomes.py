"""What intake takes from evaluation: an application enters evaluation when its first score sheet is opened,
and gets its outcome (approved or not) when the approved list is published."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, insert, select

from application_intake.projections.tables import applications, reviewer_access
from pilot_common.contracts.events.evaluation import ListPublished, ScoreSheetOpened, ScoreSheetWithdrawn
from pilot_common.contracts.events.registry import ProgrammeConcluded
from pilot_common.service import Handling


def score_sheet_opened(event: ScoreSheetOpened, handling: Handling) -> None:
    from application_intake.application import ApplicationIntake

    intake = handling.app
    assert isinstance(intake, ApplicationIntake)
    application = intake.application(UUID(event.application_id))
    application.enter_evaluation()
    handling.collect(application)
    if event.reader_key:  # the assigned reviewer may read the application from now on
        key = {"application_id": event.application_id, "reader_key": event.reader_key}
        found = handling.session.execute(
            select(reviewer_access).where(
                reviewer_access.c.application_id == event.application_id,
                reviewer_access.c.reader_key == event.reader_key,
            )
        ).first()
        if found is None:
            handling.session.execute(insert(reviewer_access).values(**key))


def score_sheet_withdrawn(event: ScoreSheetWithdrawn, handling: Handling) -> None:
    """The reviewer was taken off the application: they read it no more."""
    if event.reader_key:
        handling.session.execute(
            delete(reviewer_access).where(
                reviewer_access.c.application_id == event.application_id,
                reviewer_access.c.reader_key == event.reader_key,
            )
        )


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


def close_out(event: ProgrammeConcluded, handling: Handling) -> None:
    """The batch concluded: drafts never submitted, ineligible or unassessed applications are closed out with the
    reason, so that none stays open for ever."""
    from application_intake.application import ApplicationIntake

    intake = handling.app
    assert isinstance(intake, ApplicationIntake)
    reason = "试点批次已结束，未完成的申报结案" + (f"：{event.reason}" if event.reason else "")
    handling.collect(*intake.close_out(event.programme_id, reason))
