"""The reviewer pool (评审专家库): ministry staff keep it; a reviewer reads their own entry."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from evaluation.api.deps import Evaluation, Ministry, ReviewerCaller, SheetReader, own_reviewer_id
from evaluation.api.models import ReviewerRegistration, ReviewerUpdate, ReviewerView
from evaluation.api.views import one_row, page
from evaluation.domain import ErrorCode, EvaluationRuleViolation
from evaluation.domain.commands import RegisterReviewer, UpdateReviewer
from evaluation.projections.tables import reviewers
from pilot_common.pagination import Page, PageParams, ProvinceFilter, page_params
from pilot_common.problems import not_found, problem_responses

router = APIRouter(
    prefix="/reviewers", tags=["reviewers 评审专家"], responses=problem_responses(401, 403, 404, 409, 422)
)


def _view(service: Evaluation, reviewer_id: str) -> ReviewerView:
    return ReviewerView.model_validate(one_row(service, reviewers, reviewer_id, "reviewer"))


@router.post("", status_code=201, response_model=ReviewerView)
def register_reviewer(body: ReviewerRegistration, _: Ministry, service: Evaluation) -> ReviewerView:
    """Registers an expert. `province` and `organisation_id` are the affiliation the conflict rules compare with
    each application; `user_id` is the login of the reviewer's tokens (one reviewer per login)."""
    reviewer = service.handle(RegisterReviewer(**body.model_dump()))
    return _view(service, str(reviewer.id))


@router.get("", response_model=Page[ReviewerView])
def list_reviewers(
    principal: SheetReader,
    service: Evaluation,
    params: Annotated[PageParams, Depends(page_params)],
    province: ProvinceFilter = None,
    available: bool | None = None,
) -> Page[ReviewerView]:
    """Staff and auditors see the pool; a reviewer sees only their own entry."""
    filters = []
    own = own_reviewer_id(principal, service)
    if own is not None:
        filters.append(reviewers.c.id == own)
    if province:
        filters.append(reviewers.c.province == province)
    if available is not None:
        filters.append(reviewers.c.available.is_(available))
    return page(service, reviewers, params, filters, reviewers.c.name, ReviewerView.model_validate)


@router.get("/me", response_model=ReviewerView)
def my_entry(reviewer: ReviewerCaller, service: Evaluation) -> ReviewerView:
    return _view(service, reviewer.reviewer_id)


@router.get("/{reviewer_id}", response_model=ReviewerView)
def get_reviewer(reviewer_id: UUID, principal: SheetReader, service: Evaluation) -> ReviewerView:
    own = own_reviewer_id(principal, service)
    if own is not None and own != str(reviewer_id):
        raise not_found("reviewer", str(reviewer_id))
    return _view(service, str(reviewer_id))


@router.patch("/{reviewer_id}", response_model=ReviewerView)
def update_reviewer(reviewer_id: UUID, body: ReviewerUpdate, _: Ministry, service: Evaluation) -> ReviewerView:
    """Availability (with an optional reason), expertise and affiliation; all given changes in one step."""
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise EvaluationRuleViolation(ErrorCode.NOTHING_TO_CHANGE, "没有要修改的内容", "nothing to change")
    service.handle(UpdateReviewer(reviewer_id=reviewer_id, **changes))
    return _view(service, str(reviewer_id))
