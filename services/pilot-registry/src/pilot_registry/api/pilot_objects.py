"""Pilot objects (试点对象): parks, clusters, region parts, basin sections… with their member enterprises."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from pilot_common.pagination import Page, PageParams, ProvinceFilter, page_params
from pilot_common.problems import problem_responses
from pilot_registry.api.deps import Ministry, Registry, RegistryReader, ensure_visible, province_scope
from pilot_registry.api.models import (
    Members,
    MembersRemoval,
    PilotObjectAmendment,
    PilotObjectRegistration,
    PilotObjectView,
)
from pilot_registry.api.views import one, page
from pilot_registry.application import PilotRegistry
from pilot_registry.domain.commands import AddMembers, AmendPilotObject, RegisterPilotObject, RemoveMembers
from pilot_registry.domain.pilot_object import PilotObjectKind
from pilot_registry.projections.tables import pilot_objects

router = APIRouter(
    prefix="/pilot-objects", tags=["pilot objects 试点对象"], responses=problem_responses(401, 403, 404, 409, 422)
)


def _view(registry: PilotRegistry, object_id: UUID) -> PilotObjectView:
    return one(registry, pilot_objects, object_id, PilotObjectView, "pilot object")


@router.post("", status_code=201, response_model=PilotObjectView)
def register_pilot_object(body: PilotObjectRegistration, _: Ministry, registry: Registry) -> PilotObjectView:
    pilot_object = registry.handle(RegisterPilotObject(**body.model_dump()))
    return _view(registry, pilot_object.id)


@router.get("", response_model=Page[PilotObjectView])
def list_pilot_objects(
    principal: RegistryReader,
    registry: Registry,
    params: Annotated[PageParams, Depends(page_params)],
    province: ProvinceFilter = None,
    kind: PilotObjectKind | None = None,
) -> Page[PilotObjectView]:
    scope = province_scope(principal)
    filters = []
    if scope is not None:
        filters.append(pilot_objects.c.province_code == scope)
    if province:
        filters.append(pilot_objects.c.province_code == province)
    if kind:
        filters.append(pilot_objects.c.kind == kind)
    return page(registry, pilot_objects, PilotObjectView, params, filters, pilot_objects.c.name)


@router.get("/{object_id}", response_model=PilotObjectView)
def get_pilot_object(object_id: UUID, principal: RegistryReader, registry: Registry) -> PilotObjectView:
    view = _view(registry, object_id)
    ensure_visible(principal, view.province_code)
    return view


@router.patch("/{object_id}", response_model=PilotObjectView)
def amend_pilot_object(object_id: UUID, body: PilotObjectAmendment, _: Ministry, registry: Registry) -> PilotObjectView:
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    registry.handle(AmendPilotObject(object_id=object_id, reason=body.reason, changes=changes))
    return _view(registry, object_id)


@router.post("/{object_id}/members", response_model=PilotObjectView)
def add_members(object_id: UUID, body: Members, _: Ministry, registry: Registry) -> PilotObjectView:
    registry.handle(AddMembers(object_id=object_id, credit_codes=body.credit_codes))
    return _view(registry, object_id)


@router.post("/{object_id}/members/remove", response_model=PilotObjectView)
def remove_members(object_id: UUID, body: MembersRemoval, _: Ministry, registry: Registry) -> PilotObjectView:
    registry.handle(RemoveMembers(object_id=object_id, credit_codes=body.credit_codes, reason=body.reason))
    return _view(registry, object_id)
