"""The selection of approved projects (遴选与审定): ministry staff start it with a target and caps, propose from the
current ranking, include or exclude with reasons; MEE and NDRC each sign off (the party is the `org` claim of the
signer's token); publication needs both signatures on the current list. Any change after a signature voids it."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from evaluation.api.deps import Evaluation, Ministry, StaffReader
from evaluation.api.models import Publication, SelectionChoice, SelectionLimits, SelectionStart, SelectionView
from evaluation.api.views import one_row
from evaluation.application import EvaluationService
from evaluation.domain import Party, selection_id
from evaluation.domain.commands import (
    ExcludeFromSelection,
    IncludeInSelection,
    ProposeSelection,
    PublishList,
    SetSelectionLimits,
    SignOff,
    StartSelection,
)
from evaluation.projections.tables import selections
from pilot_common.problems import forbidden, problem_responses

router = APIRouter(
    prefix="/programmes/{programme_id}/selection",
    tags=["selection 遴选与公布"],
    responses=problem_responses(401, 403, 404, 409, 422),
)


def _view(service: EvaluationService, programme_id: UUID) -> SelectionView:
    return SelectionView.model_validate(one_row(service, selections, str(selection_id(str(programme_id))), "selection"))


@router.post("", status_code=201, response_model=SelectionView)
def start_selection(programme_id: UUID, body: SelectionStart, _: Ministry, service: Evaluation) -> SelectionView:
    """Starts the programme's selection: how many projects to approve, and optional caps per pilot type and per
    province (`default_province_cap` for every province not named)."""
    service.handle(StartSelection(programme_id=str(programme_id), **body.model_dump()))
    return _view(service, programme_id)


@router.get("", response_model=SelectionView)
def get_selection(programme_id: UUID, _: StaffReader, service: Evaluation) -> SelectionView:
    return _view(service, programme_id)


@router.put("/limits", response_model=SelectionView)
def set_limits(programme_id: UUID, body: SelectionLimits, _: Ministry, service: Evaluation) -> SelectionView:
    """Replaces the caps (and the target, if given). The list is not changed: propose again to apply them."""
    service.handle(SetSelectionLimits(programme_id=str(programme_id), **body.model_dump()))
    return _view(service, programme_id)


@router.post("/propose", response_model=SelectionView)
def propose(programme_id: UUID, _: Ministry, service: Evaluation) -> SelectionView:
    """Fills the list from the current ranking in rank order within the target and caps; every candidate's
    outcome (SELECTED, SKIPPED_TYPE_CAP, SKIPPED_PROVINCE_CAP, EXCLUDED, BELOW_CUT) is recorded with why."""
    service.handle(ProposeSelection(programme_id=str(programme_id)))
    return _view(service, programme_id)


@router.post("/include", response_model=SelectionView)
def include(programme_id: UUID, body: SelectionChoice, _: Ministry, service: Evaluation) -> SelectionView:
    service.handle(
        IncludeInSelection(programme_id=str(programme_id), application_id=body.application_id, reason=body.reason)
    )
    return _view(service, programme_id)


@router.post("/exclude", response_model=SelectionView)
def exclude(programme_id: UUID, body: SelectionChoice, _: Ministry, service: Evaluation) -> SelectionView:
    service.handle(
        ExcludeFromSelection(programme_id=str(programme_id), application_id=body.application_id, reason=body.reason)
    )
    return _view(service, programme_id)


@router.post("/sign-off", response_model=SelectionView)
def sign_off(programme_id: UUID, principal: Ministry, service: Evaluation) -> SelectionView:
    """Signs the current list for the signer's ministry: the token's `org` claim must be MEE or NDRC."""
    party = principal.organisation
    if party not in {p.value for p in Party}:
        raise forbidden(
            f"sign-off needs a token of MEE or NDRC staff; this one's organisation is {party!r}",
            code="SIGN_OFF_PARTY_REQUIRED",
            title_zh="只有生态环境部或国家发展改革委人员可以会签",
            title_en="Only MEE or NDRC staff can sign off",
        )
    service.handle(SignOff(programme_id=str(programme_id), party=str(party), user_id=principal.user_id))
    return _view(service, programme_id)


@router.post("/publish", response_model=SelectionView)
def publish(programme_id: UUID, body: Publication, _: Ministry, service: Evaluation) -> SelectionView:
    """Publishes the list signed by both MEE and NDRC under the notice's document number; emits
    `evaluation.Selection.Published` (the registry creates the pilots)."""
    service.handle(PublishList(programme_id=str(programme_id), document_number=body.document_number))
    return _view(service, programme_id)
