"""Pilots (试点项目): created from the published results; their one-year implementation and assessment."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic_core import to_jsonable_python
from sqlalchemy import select

from pilot_common.pagination import Page, PageParams, ProvinceFilter, page_params
from pilot_common.problems import problem_responses
from pilot_registry.api.deps import Ministry, Reader, Registry, RegistryReader, ensure_visible, province_scope
from pilot_registry.api.models import (
    AssessmentRecord,
    CreatedId,
    DeemedAuditCreditView,
    MilestoneCompletion,
    MilestonePlan,
    PilotDetail,
    PilotView,
    ReportFiling,
)
from pilot_registry.api.views import one, page
from pilot_registry.application import PilotRegistry
from pilot_registry.domain.commands import AddMilestone, AssessPilot, CompleteMilestone, FileReport
from pilot_registry.projections.tables import deemed_audit_credits, pilots

router = APIRouter(tags=["pilots 试点项目"], responses=problem_responses(401, 403, 404, 409, 422))


def _detail(registry: PilotRegistry, pilot_id: UUID) -> PilotDetail:
    view = one(registry, pilots, pilot_id, PilotView, "pilot")
    pilot = registry.pilot(pilot_id)
    return PilotDetail(
        **view.model_dump(),
        milestones=to_jsonable_python(pilot.milestones),
        reports=to_jsonable_python(pilot.reports),
        assessment=to_jsonable_python(pilot.assessment) if pilot.assessment else None,
        member_credit_codes=list(pilot.member_credit_codes),
    )


@router.get("/pilots", response_model=Page[PilotView])
def list_pilots(
    principal: RegistryReader,
    registry: Registry,
    params: Annotated[PageParams, Depends(page_params)],
    programme_id: UUID | None = None,
    province: ProvinceFilter = None,
    pilot_type: str | None = None,
    status: str | None = None,
) -> Page[PilotView]:
    scope = province_scope(principal)
    filters = []
    if scope is not None:
        filters.append(pilots.c.province_code == scope)
    if programme_id:
        filters.append(pilots.c.programme_id == str(programme_id))
    if province:
        filters.append(pilots.c.province_code == province)
    if pilot_type:
        filters.append(pilots.c.pilot_type == pilot_type)
    if status:
        filters.append(pilots.c.status == status)
    return page(registry, pilots, PilotView, params, filters, pilots.c.project_name)


@router.get("/pilots/{pilot_id}", response_model=PilotDetail)
def get_pilot(pilot_id: UUID, principal: RegistryReader, registry: Registry) -> PilotDetail:
    detail = _detail(registry, pilot_id)
    ensure_visible(principal, detail.province_code)
    return detail


@router.post("/pilots/{pilot_id}/milestones", status_code=201, response_model=CreatedId)
def add_milestone(pilot_id: UUID, body: MilestonePlan, _: Ministry, registry: Registry) -> CreatedId:
    milestone_id = registry.handle(AddMilestone(pilot_id=pilot_id, title=body.title, due=body.due))
    return CreatedId(id=str(milestone_id), version=registry.pilot(pilot_id).version)


@router.post("/pilots/{pilot_id}/milestones/{milestone_id}/complete", response_model=PilotDetail)
def complete_milestone(
    pilot_id: UUID, milestone_id: UUID, body: MilestoneCompletion, _: Ministry, registry: Registry
) -> PilotDetail:
    registry.handle(CompleteMilestone(pilot_id=pilot_id, milestone_id=milestone_id, on=body.on, note=body.note))
    return _detail(registry, pilot_id)


@router.post("/pilots/{pilot_id}/reports", status_code=201, response_model=CreatedId)
def file_report(pilot_id: UUID, body: ReportFiling, _: Ministry, registry: Registry) -> CreatedId:
    report_id = registry.handle(FileReport(pilot_id=pilot_id, **body.model_dump()))
    return CreatedId(id=str(report_id), version=registry.pilot(pilot_id).version)


@router.post("/pilots/{pilot_id}/assessment", response_model=PilotDetail)
def assess_pilot(pilot_id: UUID, body: AssessmentRecord, _: Ministry, registry: Registry) -> PilotDetail:
    """The final assessment (通过评估 or not); a pass credits every member enterprise with one audit."""
    registry.handle(AssessPilot(pilot_id=pilot_id, **body.model_dump()))
    return _detail(registry, pilot_id)


@router.get("/deemed-audit-credits/{credit_code}", response_model=list[DeemedAuditCreditView])
def deemed_audit_credits_of(credit_code: str, _: Reader, registry: Registry) -> list[DeemedAuditCreditView]:
    """Pilots through which this enterprise is deemed to have done one cleaner-production audit
    (视同开展一次清洁生产审核), looked up by unified social credit code."""
    with registry.reading() as session:
        rows = session.execute(
            select(deemed_audit_credits)
            .where(deemed_audit_credits.c.credit_code == credit_code.strip().upper())
            .order_by(deemed_audit_credits.c.credited_on)
        ).mappings()
        return [DeemedAuditCreditView.model_validate(dict(r)) for r in rows]
