"""Programmes as this service knows them (their scoring rules, from the registry) and the assignment of reviewers
to their applications (专家分配)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from sqlalchemy import select

from evaluation.api.deps import Evaluation, Ministry, StaffReader
from evaluation.api.models import (
    ApplicationAssignmentsView,
    AssignedSheetView,
    AssignmentRunView,
    InvalidExistingView,
    NewAssignmentView,
    ProgrammeView,
    ScoringDeadlineChange,
    ScoringDeadlineIn,
    ScoringDeadlineView,
    ShortageReasonView,
    ShortageView,
)
from evaluation.application import AssignmentRun, EvaluationService
from evaluation.domain import SheetStatus
from evaluation.domain.commands import AssignReviewers, SetScoringDeadline
from evaluation.projections.tables import applications, reviewers, score_sheets, scoring_deadlines
from evaluation.projections.upstream_copy import in_evaluation, programme_row, scoring_rules
from pilot_common.problems import not_found, problem_responses

router = APIRouter(
    prefix="/programmes",
    tags=["programmes and assignment 批次与专家分配"],
    responses=problem_responses(401, 403, 404, 409),
)


@router.get("/{programme_id}", response_model=ProgrammeView)
def get_programme(programme_id: UUID, _: StaffReader, service: Evaluation) -> ProgrammeView:
    """The programme's scoring rules as the registry last published them."""
    with service.reading() as session:
        row = programme_row(session, str(programme_id))
    if row is None:
        raise not_found("programme", str(programme_id))
    return ProgrammeView(
        id=str(row["id"]),
        code=str(row["code"]),
        name=str(row["name"]),
        rules_version=int(row["rules_version"]),
        scoring=dict(row["rules"]["scoring"]),
        status=row["status"],
    )


def _run_view(run: AssignmentRun) -> AssignmentRunView:
    plan = run.plan
    return AssignmentRunView(
        programme_id=run.programme_id,
        reviewers_per_application=run.reviewers_per_application,
        applications_considered=run.applications,
        complete=run.complete,
        new_assignments=[
            NewAssignmentView(
                application_id=a.application_id,
                reviewer_id=a.reviewer_id,
                sheet_id=run.sheet_ids[(a.application_id, a.reviewer_id)],
                matched_expertise=list(a.matched_expertise),
            )
            for a in plan.new_assignments
        ],
        shortages=[
            ShortageView(
                application_id=s.application_id,
                needed=s.needed,
                eligible=s.eligible,
                reasons=[
                    ShortageReasonView(
                        code=str(r.code), reviewers=r.reviewers, message_zh=r.message_zh, message_en=r.message_en
                    )
                    for r in s.reasons
                ],
                message_zh=s.message_zh,
                message_en=s.message_en,
            )
            for s in plan.shortages
        ],
        covered=list(plan.covered),
        invalid_existing=[
            InvalidExistingView(application_id=i.application_id, reviewer_id=i.reviewer_id, reason=str(i.reason))
            for i in plan.invalid_existing
        ],
        loads=dict(plan.loads),
    )


@router.post("/{programme_id}/assignments", response_model=AssignmentRunView)
def run_assignment(programme_id: UUID, _: Ministry, service: Evaluation) -> AssignmentRunView:
    """Assigns the programme's reviewers-per-application to every application in evaluation that lacks them:
    never a reviewer of the applicant's province or organisation, nor one who declared a conflict or was taken off
    the application; only available reviewers; the load kept even. An application that cannot get enough eligible
    reviewers gets none: it is listed under `shortages` (code REVIEWER_SHORTAGE, with why) and `complete` is
    false. Opens one score sheet per new assignment with the programme's criteria and the application's
    current revision."""
    return _run_view(service.handle(AssignReviewers(programme_id=str(programme_id))))


@router.get("/{programme_id}/assignments", response_model=list[ApplicationAssignmentsView])
def list_assignments(programme_id: UUID, _: StaffReader, service: Evaluation) -> list[ApplicationAssignmentsView]:
    """Every application of the programme in evaluation with its live sheets and how many reviewers it lacks."""
    pid = str(programme_id)
    with service.reading() as session:
        required = scoring_rules(session, pid).reviewers_per_application
        rows = list(
            session.execute(
                select(applications)
                .where(applications.c.programme_id == pid, in_evaluation())
                .order_by(applications.c.id)
            ).mappings()
        )
        sheets: dict[str, list[dict[str, Any]]] = {}
        for sheet in session.execute(
            select(score_sheets, reviewers.c.name)
            .join_from(score_sheets, reviewers, reviewers.c.id == score_sheets.c.reviewer_id, isouter=True)
            .where(score_sheets.c.programme_id == pid, score_sheets.c.status != SheetStatus.WITHDRAWN)
            .order_by(score_sheets.c.id)
        ).mappings():
            sheets.setdefault(str(sheet["application_id"]), []).append(dict(sheet))
    return [
        ApplicationAssignmentsView(
            application_id=str(r["id"]),
            project_name=str(r["project_name"]),
            province=str(r["province"]),
            pilot_type=str(r["pilot_type"]),
            applicant_organisation_id=str(r["applicant_organisation_id"]),
            revision=int(r["revision"]),
            reviewers_required=required,
            missing=max(0, required - len(sheets.get(str(r["id"]), []))),
            sheets=[
                AssignedSheetView(
                    sheet_id=str(s["id"]),
                    reviewer_id=str(s["reviewer_id"]),
                    reviewer_name=s["name"],
                    status=str(s["status"]),
                    stale=bool(s["stale"]),
                )
                for s in sheets.get(str(r["id"]), [])
            ],
        )
        for r in rows
    ]


# --- the scoring due date (评审截止日期) ------------------------------------------------------------------------


def _deadline_view(service: EvaluationService, programme_id: str) -> ScoringDeadlineView:
    with service.reading() as session:
        row = (
            session.execute(select(scoring_deadlines).where(scoring_deadlines.c.programme_id == programme_id))
            .mappings()
            .first()
        )
    if row is None:
        raise not_found("scoring due date", programme_id)
    due = date.fromisoformat(str(row["due_date"]))
    return ScoringDeadlineView(
        programme_id=programme_id,
        due_date=due,
        days_left=(due - service.business_today(programme_id)).days,
        changes=[ScoringDeadlineChange.model_validate(c) for c in row["changes"]],
        version=int(row["version"]),
    )


@router.get("/{programme_id}/scoring-deadline", response_model=ScoringDeadlineView)
def get_scoring_deadline(programme_id: UUID, _: StaffReader, service: Evaluation) -> ScoringDeadlineView:
    """The programme's scoring due date (评审截止日期) and its changes; 404 while none is set."""
    return _deadline_view(service, str(programme_id))


@router.put(
    "/{programme_id}/scoring-deadline",
    response_model=ScoringDeadlineView,
    responses=problem_responses(422),
)
def set_scoring_deadline(
    programme_id: UUID, body: ScoringDeadlineIn, _: Ministry, service: Evaluation
) -> ScoringDeadlineView:
    """Sets the business date by which experts should score (the ministry's decision: no source document fixes
    one), or moves it with a reason (REASON_REQUIRED; NOTHING_TO_CHANGE for the same date; DUE_DATE_PAST before
    business today). Allowed from the batch's close until the list is published. Scoring after it is not refused:
    sheets show it as overdue."""
    pid = str(programme_id)
    service.handle(SetScoringDeadline(programme_id=pid, due_date=body.due_date, reason=body.reason))
    return _deadline_view(service, pid)
