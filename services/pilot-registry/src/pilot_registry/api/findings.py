"""Findings (督察、媒体曝光问题): what the central or provincial inspection named, or media exposed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from pilot_common.pagination import Page, PageParams, ProvinceFilter, page_params
from pilot_common.problems import problem_responses
from pilot_common.web import BusinessToday, ensure_not_after_today
from pilot_registry.api.deps import Ministry, Registry, RegistryReader, ensure_visible, province_scope
from pilot_registry.api.models import FindingCorrection, FindingRecord, FindingView, Reason
from pilot_registry.api.views import one, page
from pilot_registry.application import PilotRegistry
from pilot_registry.domain.commands import CorrectFinding, RecordFinding, RetractFinding
from pilot_registry.domain.finding import FindingSource
from pilot_registry.projections.tables import findings

router = APIRouter(prefix="/findings", tags=["findings 问题记录"], responses=problem_responses(401, 403, 404, 409, 422))


def _view(registry: PilotRegistry, finding_id: UUID) -> FindingView:
    return one(registry, findings, finding_id, FindingView, "finding")


@router.post("", status_code=201, response_model=FindingView)
def record_finding(body: FindingRecord, _: Ministry, registry: Registry, today: BusinessToday) -> FindingView:
    """Records a finding; intake re-checks every submitted application it concerns."""
    ensure_not_after_today(body.disclosed_on, today, "body.disclosed_on")
    finding = registry.handle(RecordFinding(**body.model_dump()))
    return _view(registry, finding.id)


@router.get("", response_model=Page[FindingView])
def list_findings(
    principal: RegistryReader,
    registry: Registry,
    params: Annotated[PageParams, Depends(page_params)],
    province: ProvinceFilter = None,
    pilot_object_id: UUID | None = None,
    source: FindingSource | None = None,
    include_retracted: bool = True,
) -> Page[FindingView]:
    scope = province_scope(principal)
    filters = []
    if scope is not None:
        filters.append(findings.c.province_code == scope)
    if province:
        filters.append(findings.c.province_code == province)
    if pilot_object_id:
        filters.append(findings.c.pilot_object_id == str(pilot_object_id))
    if source:
        filters.append(findings.c.source == source)
    if not include_retracted:
        filters.append(findings.c.retracted.is_(False))
    return page(registry, findings, FindingView, params, filters, findings.c.disclosed_on.desc())


@router.get("/{finding_id}", response_model=FindingView)
def get_finding(finding_id: UUID, principal: RegistryReader, registry: Registry) -> FindingView:
    view = _view(registry, finding_id)
    ensure_visible(principal, view.province_code)
    return view


@router.post("/{finding_id}/corrections", response_model=FindingView)
def correct_finding(
    finding_id: UUID, body: FindingCorrection, _: Ministry, registry: Registry, today: BusinessToday
) -> FindingView:
    ensure_not_after_today(body.disclosed_on, today, "body.disclosed_on")
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    registry.handle(CorrectFinding(finding_id=finding_id, reason=body.reason, changes=changes))
    return _view(registry, finding_id)


@router.post("/{finding_id}/retract", response_model=FindingView)
def retract_finding(finding_id: UUID, body: Reason, _: Ministry, registry: Registry) -> FindingView:
    registry.handle(RetractFinding(finding_id=finding_id, reason=body.reason))
    return _view(registry, finding_id)
