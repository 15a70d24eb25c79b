"""Organisations (申报主体、实施主体、企业…): ministry staff keep them; a province reads its own."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from pilot_common.contracts.programme import OrganisationKind
from pilot_common.pagination import Page, PageParams, ProvinceFilter, page_params
from pilot_common.problems import problem_responses
from pilot_registry.api.deps import Ministry, Registry, RegistryReader, ensure_visible, province_scope
from pilot_registry.api.models import OrganisationAmendment, OrganisationRegistration, OrganisationView, Reason
from pilot_registry.api.views import one, page
from pilot_registry.application import PilotRegistry
from pilot_registry.domain.commands import AmendOrganisation, DeactivateOrganisation, RegisterOrganisation
from pilot_registry.projections.tables import organisations

router = APIRouter(
    prefix="/organisations", tags=["organisations 机构"], responses=problem_responses(401, 403, 404, 409, 422)
)


def _view(registry: PilotRegistry, organisation_id: UUID) -> OrganisationView:
    return one(registry, organisations, organisation_id, OrganisationView, "organisation")


@router.post("", status_code=201, response_model=OrganisationView)
def register_organisation(body: OrganisationRegistration, _: Ministry, registry: Registry) -> OrganisationView:
    """Registers an organisation; the unified social credit code is checked per GB 32100 and must be unique."""
    organisation = registry.handle(RegisterOrganisation(**body.model_dump()))
    return _view(registry, organisation.id)


@router.get("", response_model=Page[OrganisationView])
def list_organisations(
    principal: RegistryReader,
    registry: Registry,
    params: Annotated[PageParams, Depends(page_params)],
    province: ProvinceFilter = None,
    kind: OrganisationKind | None = None,
    credit_code: str | None = None,
) -> Page[OrganisationView]:
    scope = province_scope(principal)
    filters = []
    if scope is not None:
        filters.append(organisations.c.province_code == scope)
    if province:
        filters.append(organisations.c.province_code == province)
    if kind:
        filters.append(organisations.c.kind == kind)
    if credit_code:
        filters.append(organisations.c.credit_code == credit_code.strip().upper())
    return page(registry, organisations, OrganisationView, params, filters, organisations.c.name)


@router.get("/{organisation_id}", response_model=OrganisationView)
def get_organisation(organisation_id: UUID, principal: RegistryReader, registry: Registry) -> OrganisationView:
    view = _view(registry, organisation_id)
    ensure_visible(principal, view.province_code)
    return view


@router.patch("/{organisation_id}", response_model=OrganisationView)
def amend_organisation(
    organisation_id: UUID, body: OrganisationAmendment, _: Ministry, registry: Registry
) -> OrganisationView:
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    registry.handle(AmendOrganisation(organisation_id=organisation_id, reason=body.reason, changes=changes))
    return _view(registry, organisation_id)


@router.post("/{organisation_id}/deactivate", response_model=OrganisationView)
def deactivate_organisation(organisation_id: UUID, body: Reason, _: Ministry, registry: Registry) -> OrganisationView:
    registry.handle(DeactivateOrganisation(organisation_id=organisation_id, reason=body.reason))
    return _view(registry, organisation_id)
