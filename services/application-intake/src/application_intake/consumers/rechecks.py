"""Re-checks: when the registry records or retracts a finding, or changes an organisation or pilot object, every
submitted application it concerns gets a new verdict that says what changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from application_intake.projections.tables import findings, pilot_objects
from pilot_common.envelope import EventEnvelope
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


def after_finding(envelope: EventEnvelope, handling: Handling) -> None:
    row = handling.session.execute(select(findings).where(findings.c.id == envelope.aggregateid)).mappings().one()
    subjects = {row["pilot_object_id"], *_objects_with_member(handling, row["enterprise_credit_code"])}
    previous = envelope.data.get("previous", {})
    if "pilot_object_id" in previous:  # a correction moved the finding: the old subject is affected too
        subjects.add(str(previous["pilot_object_id"]))
    subjects |= set(_objects_with_member(handling, previous.get("enterprise_credit_code")))
    ids = _intake(handling).submitted_applications(pilot_object_ids=sorted(subjects))
    trigger = {"Recorded": "FINDING_RECORDED", "Corrected": "FINDING_CORRECTED", "Retracted": "FINDING_RETRACTED"}[
        envelope.event_name
    ]
    change = (
        f"{trigger}: {row['source']}{'/' + row['media_level'] if row['media_level'] else ''} "
        f"{row['disclosed_on']} 《{row['summary']}》 (finding {envelope.aggregateid})"
    )
    _recheck(handling, ids, trigger, change)


def after_organisation(envelope: EventEnvelope, handling: Handling) -> None:
    ids = _intake(handling).submitted_applications(organisation_ids=[envelope.aggregateid])
    what = ", ".join(sorted(envelope.data.get("changes", {}))) or envelope.event_name
    _recheck(
        handling, ids, f"ORGANISATION_{envelope.event_name.upper()}", f"organisation {envelope.aggregateid}: {what}"
    )


def after_pilot_object(envelope: EventEnvelope, handling: Handling) -> None:
    ids = _intake(handling).submitted_applications(pilot_object_ids=[envelope.aggregateid])
    what = ", ".join(sorted(envelope.data.get("changes", {}))) or envelope.event_name
    _recheck(
        handling, ids, f"PILOT_OBJECT_{envelope.event_name.upper()}", f"pilot object {envelope.aggregateid}: {what}"
    )
