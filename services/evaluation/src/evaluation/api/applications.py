"""Applications as the evaluation sees them (kept from intake's events), and manual reassignment (改派)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from sqlalchemy import select

from evaluation.api.deps import Evaluation, Ministry, StaffReader
from evaluation.api.models import ApplicationView, ReassignmentRequest, ReassignmentView
from evaluation.application import EvaluationService
from evaluation.domain.commands import Reassign
from evaluation.projections.kept import in_evaluation, is_in_evaluation
from evaluation.projections.tables import application_scores, applications
from pilot_common.pagination import Page, PageParams, ProvinceFilter, fetch_page, page_params
from pilot_common.problems import not_found, problem_responses

router = APIRouter(
    prefix="/applications", tags=["applications 试点申报"], responses=problem_responses(401, 403, 404, 409, 422)
)


def _view(row: Mapping[str, Any]) -> ApplicationView:
    return ApplicationView(
        id=str(row["id"]),
        programme_id=str(row["programme_id"]),
        province=str(row["province"]),
        pilot_type=str(row["pilot_type"]),
        project_name=str(row["project_name"]),
        applicant_organisation_id=str(row["applicant_organisation_id"]),
        pilot_object_id=str(row["pilot_object_id"]),
        key_industries=list(row["key_industries"] or []),
        submitted_at=row["submitted_at"],
        revision=int(row["revision"]),
        intake_status=str(row["intake_status"]),
        eligibility_outcome=row["eligibility_outcome"],
        priority=bool(row["priority"]),
        withdrawn=bool(row["withdrawn"]),
        in_evaluation=is_in_evaluation(row),
        score_state=row["state"],
    )


def _query() -> Any:
    return select(applications, application_scores.c.state).join_from(
        applications, application_scores, application_scores.c.application_id == applications.c.id, isouter=True
    )


@router.get("", response_model=Page[ApplicationView])
def list_applications(
    _: StaffReader,
    service: Evaluation,
    params: Annotated[PageParams, Depends(page_params)],
    programme_id: UUID | None = None,
    evaluated: bool | None = None,
    province: ProvinceFilter = None,
    pilot_type: str | None = None,
) -> Page[ApplicationView]:
    """`evaluated=true`: only applications in evaluation (eligible, not withdrawn)."""
    query = _query()
    if programme_id is not None:
        query = query.where(applications.c.programme_id == str(programme_id))
    if evaluated is not None:
        query = query.where(in_evaluation() if evaluated else ~in_evaluation())
    if province:
        query = query.where(applications.c.province == province)
    if pilot_type:
        query = query.where(applications.c.pilot_type == pilot_type)
    with service.reading() as session:
        rows, total = fetch_page(session, query.order_by(applications.c.id), params)
    return Page(
        items=[_view(dict(r._mapping)) for r in rows], total=total, page=params.page, page_size=params.page_size
    )


def application_view(service: EvaluationService, application_id: str) -> ApplicationView:
    with service.reading() as session:
        row = session.execute(_query().where(applications.c.id == application_id)).mappings().first()
    if row is None:
        raise not_found("application", application_id)
    return _view(dict(row))


@router.get("/{application_id}", response_model=ApplicationView)
def get_application(application_id: UUID, _: StaffReader, service: Evaluation) -> ApplicationView:
    return application_view(service, str(application_id))


@router.post("/{application_id}/reassignments", status_code=201, response_model=ReassignmentView)
def reassign(application_id: UUID, body: ReassignmentRequest, _: Ministry, service: Evaluation) -> ReassignmentView:
    """Takes the application from one reviewer (their sheet is withdrawn with the reason) and gives it to another,
    under the same conflict rules as the automatic assignment (REVIEWER_CONFLICTED, REVIEWER_UNAVAILABLE, …)."""
    done = service.handle(
        Reassign(
            application_id=str(application_id),
            from_reviewer_id=body.from_reviewer_id,
            to_reviewer_id=body.to_reviewer_id,
            reason=body.reason,
        )
    )
    return ReassignmentView(**asdict(done))
