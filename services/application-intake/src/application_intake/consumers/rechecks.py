"""Re-checks: when the registry records or retracts a finding, or changes an organisation or pilot object, every
submitted application it concerns gets a new verdict that says what changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from application_intake.projections.tables import findings, pilot_objects
from pilot_common.contracts.events import registry as public
from pilot_common.service import Handling

if TYPE_CHECKING:
    from application_intake.application import ApplicationIntake


def _intake(handling: Handling) -> ApplicationIntake:
    from application_intake.application import ApplicationIntake

    app = handling.app
    assert isinstance(app, ApplicationIntake)
    return app


def _objects_with_member(handling: Handling, credit_code: str | None) -> list[str]:
    if not credit_code:
        return []
    rows = handling.session.execute(select(pilot_objects.c.id, pilot_objects.c.member_credit_codes)).all()
    return [r.id for r in rows if credit_code in (r.member_credit_codes or [])]


def _recheck(handling: Handling, ids: list[str], trigger: str, change: str) -> None:
    for application in _intake(handling).recheck(ids, trigger, [change]):
        handling.collect(application)


def _after_finding(handling: Handling, finding_id: str, trigger: str, previous: public.FindingCorrected | None) -> None:
    row = handling.session.execute(select(findings).where(findings.c.id == finding_id)).mappings().one()
    subjects = {row["pilot_object_id"], *_objects_with_member(handling, row["enterprise_credit_code"])}
    if previous is not None:  # a correction may have moved the finding: the old subject is affected too
        if previous.previous_pilot_object_id:
            subjects.add(previous.previous_pilot_object_id)
        subjects |= set(_objects_with_member(handling, previous.previous_enterprise_credit_code))
    ids = _intake(handling).submitted_applications(pilot_object_ids=sorted(subjects))
    change = (
        f"{trigger}: {row['source']}{'/' + row['media_level'] if row['media_level'] else ''} "
        f"{row['disclosed_on']} 《{row['summary']}》 (finding {finding_id})"
    )
    _recheck(handling, ids, trigger, change)


def after_finding_recorded(event: public.FindingRecorded, handling: Handling) -> None:
    _after_finding(handling, event.finding_id, "FINDING_RECORDED", None)


def after_finding_corrected(event: public.FindingCorrected, handling: Handling) -> None:
    _after_finding(handling, event.finding_id, "FINDING_CORRECTED", event)


def after_finding_retracted(event: public.FindingRetracted, handling: Handling) -> None:
    _after_finding(handling, event.finding_id, "FINDING_RETRACTED", None)


def _after_organisation(handling: Handling, organisation_id: str, trigger: str, what: str) -> None:
    ids = _intake(handling).submitted_applications(organisation_ids=[organisation_id])
    _recheck(handling, ids, trigger, f"organisation {organisation_id}: {what}")


def after_organisation_amended(event: public.OrganisationAmended, handling: Handling) -> None:
    _after_organisation(handling, event.organisation_id, "ORGANISATION_AMENDED", ", ".join(sorted(event.changed)))


def after_organisation_deactivated(event: public.OrganisationDeactivated, handling: Handling) -> None:
    _after_organisation(handling, event.organisation_id, "ORGANISATION_DEACTIVATED", "Deactivated")


def _after_pilot_object(handling: Handling, pilot_object_id: str, trigger: str, what: str) -> None:
    ids = _intake(handling).submitted_applications(pilot_object_ids=[pilot_object_id])
    _recheck(handling, ids, trigger, f"pilot object {pilot_object_id}: {what}")


def after_pilot_object_amended(event: public.PilotObjectAmended, handling: Handling) -> None:
    _after_pilot_object(handling, event.pilot_object_id, "PILOT_OBJECT_AMENDED", ", ".join(sorted(event.changed)))


def after_members_added(event: public.PilotObjectMembersAdded, handling: Handling) -> None:
    _after_pilot_object(handling, event.pilot_object_id, "PILOT_OBJECT_MEMBERSADDED", "MembersAdded")


def after_members_removed(event: public.PilotObjectMembersRemoved, handling: Handling) -> None:
    _after_pilot_object(handling, event.pilot_object_id, "PILOT_OBJECT_MEMBERSREMOVED", "MembersRemoved")
