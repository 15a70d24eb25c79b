"""How the registry's stored events become its published contract (`pilot_common.contracts.events.registry`).

One entry per published domain event; a stored event not listed here (pilots' implementation, the reasons
given for changes) is internal and never leaves the service.
"""

from __future__ import annotations

from typing import Any

from pilot_common.checkpoint import checkpoint_publication
from pilot_common.contracts.events import registry as public
from pilot_common.contracts.events.base import IntegrationEvent
from pilot_common.publishing import Adapter, PublicationTable, publish
from pilot_registry.domain import Finding, Organisation, PilotObject, Programme


def _id(event: Any) -> str:
    return str(event.originator_id)


def _changed(event: Any, key: str) -> dict[str, Any]:
    """The changed fields of an Amended/Corrected event, as keyword arguments of the public model."""
    changes: dict[str, Any] = event.changes
    values = {k: (str(v) if k == "pilot_object_id" else v) for k, v in changes.items()}
    return {key: _id(event), "changed": sorted(changes), **values}


def _finding_corrected(event: Any) -> public.FindingCorrected:
    previous: dict[str, Any] = event.previous
    return public.FindingCorrected(
        **_changed(event, "finding_id"),
        previous_pilot_object_id=str(previous["pilot_object_id"]) if "pilot_object_id" in previous else None,
        previous_enterprise_credit_code=previous.get("enterprise_credit_code"),
    )


def _programme_state(model: type[IntegrationEvent]) -> Adapter:
    """A change of the programme's state that carries nothing but the programme."""
    return lambda e: model.model_validate({"programme_id": _id(e)})


PUBLICATIONS = PublicationTable(
    public.REGISTRY,
    public.PUBLISHED,
    [
        publish(
            Programme,
            "Drafted",
            public.ProgrammeDrafted,
            lambda e: public.ProgrammeDrafted(programme_id=_id(e), code=e.code, name=e.name, rules=e.rules),
        ),
        publish(
            Programme,
            "RulesRevised",
            public.ProgrammeRulesRevised,
            lambda e: public.ProgrammeRulesRevised(programme_id=_id(e), rules=e.rules, changed=list(e.changed)),
        ),
        publish(
            Programme,
            "QuotaExceptionGranted",
            public.QuotaExceptionGranted,
            lambda e: public.QuotaExceptionGranted(
                programme_id=_id(e), province_code=e.province_code, extra_slots=e.extra_slots
            ),
        ),
        publish(
            Programme,
            "QuotaExceptionRevoked",
            public.QuotaExceptionRevoked,
            lambda e: public.QuotaExceptionRevoked(programme_id=_id(e), province_code=e.province_code),
        ),
        publish(
            Programme,
            "DeadlineExtended",
            public.DeadlineExtended,
            lambda e: public.DeadlineExtended(programme_id=_id(e), new_deadline=e.new_deadline),
        ),
        publish(Programme, "Opened", public.ProgrammeOpened, _programme_state(public.ProgrammeOpened)),
        publish(
            Programme,
            "Closed",
            public.ProgrammeClosed,
            lambda e: public.ProgrammeClosed(
                programme_id=str(e.originator_id),
                reason=getattr(e, "reason", None),
                before_deadline=bool(getattr(e, "before_deadline", False)),
            ),
        ),
        publish(Programme, "EvaluationStarted", public.EvaluationStarted, _programme_state(public.EvaluationStarted)),
        publish(
            Programme,
            "ResultsPublished",
            public.ResultsPublished,
            lambda e: public.ResultsPublished(programme_id=_id(e), document_number=e.document_number),
        ),
        publish(
            Programme,
            "Concluded",
            public.ProgrammeConcluded,
            lambda e: public.ProgrammeConcluded(programme_id=str(e.originator_id), reason=getattr(e, "reason", None)),
        ),
        publish(
            Organisation,
            "Registered",
            public.OrganisationRegistered,
            lambda e: public.OrganisationRegistered(
                organisation_id=_id(e),
                name=e.name,
                credit_code=e.credit_code,
                kind=e.kind,
                administrative_level=e.administrative_level,
                province_code=e.province_code,
                division_code=e.division_code,
            ),
        ),
        publish(
            Organisation,
            "Amended",
            public.OrganisationAmended,
            lambda e: public.OrganisationAmended(**_changed(e, "organisation_id")),
        ),
        publish(
            Organisation,
            "Deactivated",
            public.OrganisationDeactivated,
            lambda e: public.OrganisationDeactivated(organisation_id=_id(e)),
        ),
        publish(
            PilotObject,
            "Registered",
            public.PilotObjectRegistered,
            lambda e: public.PilotObjectRegistered(
                pilot_object_id=_id(e),
                kind=e.kind,
                name=e.name,
                province_code=e.province_code,
                division_codes=list(e.division_codes),
                industry_codes=list(e.industry_codes),
                park_type=e.park_type,
                key_area_code=e.key_area_code,
                member_credit_codes=list(e.member_credit_codes),
            ),
        ),
        publish(
            PilotObject,
            "Amended",
            public.PilotObjectAmended,
            lambda e: public.PilotObjectAmended(**_changed(e, "pilot_object_id")),
        ),
        publish(
            PilotObject,
            "MembersAdded",
            public.PilotObjectMembersAdded,
            lambda e: public.PilotObjectMembersAdded(pilot_object_id=_id(e), credit_codes=list(e.credit_codes)),
        ),
        publish(
            PilotObject,
            "MembersRemoved",
            public.PilotObjectMembersRemoved,
            lambda e: public.PilotObjectMembersRemoved(pilot_object_id=_id(e), credit_codes=list(e.credit_codes)),
        ),
        publish(
            Finding,
            "Recorded",
            public.FindingRecorded,
            lambda e: public.FindingRecorded(
                finding_id=_id(e),
                source=e.source,
                media_level=e.media_level,
                disclosed_on=e.disclosed_on,
                pilot_object_id=str(e.pilot_object_id),
                enterprise_credit_code=e.enterprise_credit_code,
                province_code=e.province_code,
                summary=e.summary,
                reference=e.reference,
                prominent_problem=getattr(e, "prominent_problem", None),
            ),
        ),
        publish(Finding, "Corrected", public.FindingCorrected, _finding_corrected),
        publish(Finding, "Retracted", public.FindingRetracted, lambda e: public.FindingRetracted(finding_id=_id(e))),
        checkpoint_publication(public.RegistryCheckpointSigned),
    ],
)
