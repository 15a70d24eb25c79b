"""Score sheets (评分表): a reviewer scores, submits, declares a conflict or confirms an amended application on their
own sheets; ministry staff moderate (send a sheet back for rescoring, or accept an outlying total), with reasons.

Blind review: a reviewer lists and reads only their own sheets; any other sheet is "not found" to them, and no
response to a reviewer carries another reviewer's scores or totals.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from sqlalchemy import select

from evaluation.api.deps import Evaluation, Ministry, ReviewerCaller, SheetReader, own_reviewer_id
from evaluation.api.models import Reason, ScoreSheetView, ScoresRecording
from evaluation.application import EvaluationService
from evaluation.domain import SheetStatus
from evaluation.domain.commands import (
    AcceptModeration,
    ConfirmCurrent,
    DeclareConflict,
    RecordScores,
    RequestRescore,
    SubmitSheet,
)
from evaluation.projections.tables import application_scores, applications, score_sheets, scoring_deadlines
from pilot_common.pagination import Page, PageParams, fetch_page, page_params
from pilot_common.problems import not_found, problem_responses

router = APIRouter(
    prefix="/score-sheets", tags=["score sheets 评分表"], responses=problem_responses(401, 403, 404, 409, 422)
)


def _query() -> Any:
    return (
        select(
            score_sheets,
            applications.c.project_name,
            applications.c.pilot_type,
            application_scores.c.outliers,
            scoring_deadlines.c.due_date,
        )
        .join_from(
            score_sheets,
            applications,
            applications.c.id == score_sheets.c.application_id,
            isouter=True,
        )
        .join_from(
            score_sheets,
            application_scores,
            application_scores.c.application_id == score_sheets.c.application_id,
            isouter=True,
        )
        .join_from(
            score_sheets,
            scoring_deadlines,
            scoring_deadlines.c.programme_id == score_sheets.c.programme_id,
            isouter=True,
        )
    )


def _view(row: Mapping[str, Any], staff: bool, today: date) -> ScoreSheetView:
    data = {c.name: row[c.name] for c in score_sheets.c}
    outliers = row["outliers"] or []
    due = date.fromisoformat(row["due_date"]) if row["due_date"] else None
    days_left = (due - today).days if due is not None else None
    return ScoreSheetView(
        **data,
        project_name=row["project_name"],
        pilot_type=row["pilot_type"],
        outlier=(str(row["id"]) in outliers) if staff else None,
        due_date=due,
        days_left=days_left,
        # Shown only: scoring after the due date is not refused (the ministry may still wait).
        overdue=days_left is not None and days_left < 0 and row["status"] == SheetStatus.OPEN,
    )


def sheet_view(service: EvaluationService, sheet_id: UUID, own: str | None) -> ScoreSheetView:
    """One sheet; for a reviewer (`own` = their reviewer id) only their own, else not found."""
    with service.reading() as session:
        row = session.execute(_query().where(score_sheets.c.id == str(sheet_id))).mappings().first()
    if row is None or (own is not None and row["reviewer_id"] != own):
        raise not_found("score sheet", str(sheet_id))
    return _view(dict(row), staff=own is None, today=service.business_today())


@router.get("", response_model=Page[ScoreSheetView])
def list_sheets(
    principal: SheetReader,
    service: Evaluation,
    params: Annotated[PageParams, Depends(page_params)],
    programme_id: UUID | None = None,
    application_id: UUID | None = None,
    reviewer_id: UUID | None = None,
    status: str | None = None,
) -> Page[ScoreSheetView]:
    """A reviewer gets only their own sheets, whatever the filters; staff and auditors every sheet."""
    own = own_reviewer_id(principal, service)
    query = _query()
    if own is not None:
        query = query.where(score_sheets.c.reviewer_id == own)
    if programme_id is not None:
        query = query.where(score_sheets.c.programme_id == str(programme_id))
    if application_id is not None:
        query = query.where(score_sheets.c.application_id == str(application_id))
    if reviewer_id is not None:
        query = query.where(score_sheets.c.reviewer_id == str(reviewer_id))
    if status:
        query = query.where(score_sheets.c.status == status)
    with service.reading() as session:
        rows, total = fetch_page(session, query.order_by(score_sheets.c.application_id, score_sheets.c.id), params)
    today = service.business_today()
    return Page(
        items=[_view(dict(r._mapping), staff=own is None, today=today) for r in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )


@router.get("/{sheet_id}", response_model=ScoreSheetView)
def get_sheet(sheet_id: UUID, principal: SheetReader, service: Evaluation) -> ScoreSheetView:
    return sheet_view(service, sheet_id, own_reviewer_id(principal, service))


# --- the reviewer's own sheet ------------------------------------------------------------------------------------


@router.post("/{sheet_id}/scores", response_model=ScoreSheetView)
def record_scores(
    sheet_id: UUID, body: ScoresRecording, reviewer: ReviewerCaller, service: Evaluation
) -> ScoreSheetView:
    """Records a complete set of scores (replacing the draft): every criterion within 0..max points
    (SCORE_OUT_OF_RANGE, SCORE_MISSING, UNKNOWN_CRITERION), each with a justification (JUSTIFICATION_REQUIRED).
    On a stale submitted sheet this is the rescore of the amended application (a new round)."""
    service.handle(
        RecordScores(
            sheet_id=sheet_id,
            reviewer_id=reviewer.reviewer_id,
            scores=body.scores,
            justifications=body.justifications,
        )
    )
    return sheet_view(service, sheet_id, reviewer.reviewer_id)


@router.post("/{sheet_id}/submit", response_model=ScoreSheetView)
def submit(sheet_id: UUID, reviewer: ReviewerCaller, service: Evaluation) -> ScoreSheetView:
    """Locks the sheet (SHEET_INCOMPLETE before scoring; SHEET_STALE after an amendment until confirmed)."""
    service.handle(SubmitSheet(sheet_id=sheet_id, reviewer_id=reviewer.reviewer_id))
    return sheet_view(service, sheet_id, reviewer.reviewer_id)


@router.post("/{sheet_id}/conflict", response_model=ScoreSheetView)
def declare_conflict(sheet_id: UUID, body: Reason, reviewer: ReviewerCaller, service: Evaluation) -> ScoreSheetView:
    """The reviewer declares a conflict of interest: the sheet is withdrawn and never reassigned to them."""
    service.handle(DeclareConflict(sheet_id=sheet_id, reviewer_id=reviewer.reviewer_id, reason=body.reason))
    return sheet_view(service, sheet_id, reviewer.reviewer_id)


@router.post("/{sheet_id}/confirm", response_model=ScoreSheetView)
def confirm_current(sheet_id: UUID, reviewer: ReviewerCaller, service: Evaluation) -> ScoreSheetView:
    """The scores still hold for the amended application: the sheet moves to its current revision."""
    service.handle(ConfirmCurrent(sheet_id=sheet_id, reviewer_id=reviewer.reviewer_id))
    return sheet_view(service, sheet_id, reviewer.reviewer_id)


# --- moderation (ministry staff) ---------------------------------------------------------------------------------


@router.post("/{sheet_id}/rescore", response_model=ScoreSheetView)
def request_rescore(sheet_id: UUID, body: Reason, _: Ministry, service: Evaluation) -> ScoreSheetView:
    """Sends a submitted sheet back to its reviewer (a new scoring round; the history is kept)."""
    service.handle(RequestRescore(sheet_id=sheet_id, reason=body.reason))
    return sheet_view(service, sheet_id, None)


@router.post("/{sheet_id}/accept-moderation", response_model=ScoreSheetView)
def accept_moderation(sheet_id: UUID, body: Reason, _: Ministry, service: Evaluation) -> ScoreSheetView:
    """Keeps an outlying submitted total, with the moderator's reason."""
    service.handle(AcceptModeration(sheet_id=sheet_id, reason=body.reason))
    return sheet_view(service, sheet_id, None)
