"""Programmes (试点批次): ministry staff configure and run a batch; everyone signed in reads it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from pilot_common.pagination import Page, PageParams, page_params
from pilot_common.problems import problem_responses
from pilot_registry.api.deps import Ministry, Reader, Registry
from pilot_registry.api.models import (
    DeadlineExtension,
    OptionalReason,
    ProgrammeClosing,
    ProgrammeDraft,
    ProgrammeView,
    QuotaExceptionGrant,
    Reason,
    ResultsPublication,
    RulesRevision,
)
from pilot_registry.api.views import one, page
from pilot_registry.application import PilotRegistry
from pilot_registry.domain.commands import (
    CloseProgramme,
    ConcludeProgramme,
    DraftProgramme,
    ExtendDeadline,
    GrantQuotaException,
    OpenProgramme,
    PublishResults,
    ReviseRules,
    RevokeQuotaException,
    StartEvaluation,
)
from pilot_registry.domain.programme import ProgrammeStatus
from pilot_registry.projections.tables import programmes

router = APIRouter(
    prefix="/programmes", tags=["programmes 试点批次"], responses=problem_responses(401, 403, 404, 409, 422)
)


def _view(registry: PilotRegistry, programme_id: UUID) -> ProgrammeView:
    return one(registry, programmes, programme_id, ProgrammeView, "programme")


@router.post("", status_code=201, response_model=ProgrammeView)
def draft_programme(body: ProgrammeDraft, _: Ministry, registry: Registry) -> ProgrammeView:
    """Drafts a programme batch with all its rules as data."""
    programme = registry.handle(DraftProgramme(code=body.code, name=body.name, rules=body.rules))
    return _view(registry, programme.id)


@router.get("", response_model=Page[ProgrammeView])
def list_programmes(
    _: Reader,
    registry: Registry,
    params: Annotated[PageParams, Depends(page_params)],
    status: ProgrammeStatus | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="批次年份")] = None,
) -> Page[ProgrammeView]:
    filters = []
    if status:
        filters.append(programmes.c.status == status)
    if year:
        filters.append(programmes.c.year == year)
    return page(registry, programmes, ProgrammeView, params, filters, programmes.c.year.desc())


@router.get("/{programme_id}", response_model=ProgrammeView)
def get_programme(programme_id: UUID, _: Reader, registry: Registry) -> ProgrammeView:
    return _view(registry, programme_id)


@router.put("/{programme_id}/rules", response_model=ProgrammeView)
def revise_rules(programme_id: UUID, body: RulesRevision, _: Ministry, registry: Registry) -> ProgrammeView:
    """Revises the rules; after opening every change needs a reason, and the quota is fixed after closing."""
    registry.handle(ReviseRules(programme_id=programme_id, rules=body.rules, reason=body.reason))
    return _view(registry, programme_id)


@router.post("/{programme_id}/quota-exceptions", response_model=ProgrammeView)
def grant_quota_exception(
    programme_id: UUID, body: QuotaExceptionGrant, _: Ministry, registry: Registry
) -> ProgrammeView:
    """Grants a province extra submission slots, with the ministry's reason."""
    registry.handle(GrantQuotaException(programme_id=programme_id, **body.model_dump()))
    return _view(registry, programme_id)


@router.post("/{programme_id}/quota-exceptions/{province_code}/revoke", response_model=ProgrammeView)
def revoke_quota_exception(
    programme_id: UUID, province_code: str, body: Reason, _: Ministry, registry: Registry
) -> ProgrammeView:
    registry.handle(RevokeQuotaException(programme_id=programme_id, province_code=province_code, reason=body.reason))
    return _view(registry, programme_id)


@router.post("/{programme_id}/deadline", response_model=ProgrammeView)
def extend_deadline(programme_id: UUID, body: DeadlineExtension, _: Ministry, registry: Registry) -> ProgrammeView:
    registry.handle(ExtendDeadline(programme_id=programme_id, new_deadline=body.new_deadline, reason=body.reason))
    return _view(registry, programme_id)


@router.post("/{programme_id}/open", response_model=ProgrammeView)
def open_programme(programme_id: UUID, body: OptionalReason, _: Ministry, registry: Registry) -> ProgrammeView:
    """Opens the batch for submissions; refused while its rules are incomplete."""
    registry.handle(OpenProgramme(programme_id=programme_id, reason=body.reason))
    return _view(registry, programme_id)


@router.post("/{programme_id}/close", response_model=ProgrammeView)
def close_programme(programme_id: UUID, body: ProgrammeClosing, _: Ministry, registry: Registry) -> ProgrammeView:
    """Closes submissions: after the deadline's end (business time), or before it only with early=true and a
    recorded reason."""
    registry.handle(
        CloseProgramme(programme_id=programme_id, reason=body.reason, early=body.early, now=registry.clock.now())
    )
    return _view(registry, programme_id)


@router.post("/{programme_id}/start-evaluation", response_model=ProgrammeView)
def start_evaluation(programme_id: UUID, _: Ministry, registry: Registry) -> ProgrammeView:
    registry.handle(StartEvaluation(programme_id=programme_id))
    return _view(registry, programme_id)


@router.post("/{programme_id}/publish-results", response_model=ProgrammeView)
def publish_results(programme_id: UUID, body: ResultsPublication, _: Ministry, registry: Registry) -> ProgrammeView:
    registry.handle(PublishResults(programme_id=programme_id, document_number=body.document_number))
    return _view(registry, programme_id)


@router.post("/{programme_id}/conclude", response_model=ProgrammeView)
def conclude_programme(
    programme_id: UUID, _: Ministry, registry: Registry, body: OptionalReason | None = None
) -> ProgrammeView:
    """Concludes the batch; intake closes out every application still open, citing the reason."""
    registry.handle(ConcludeProgramme(programme_id=programme_id, reason=body.reason if body else None))
    return _view(registry, programme_id)
