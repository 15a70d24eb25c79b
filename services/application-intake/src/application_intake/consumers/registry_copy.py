"""Intake's copy of the registry, kept row by row from `pilot-registry.events` (in the handler's transaction)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, select, update

from application_intake.projections.tables import findings, organisations, pilot_objects, programmes
from pilot_common.envelope import EventEnvelope
from pilot_common.service import Handling

_PROGRAMME_STATUS = {
    "Opened": "OPEN",
    "Closed": "CLOSED",
    "EvaluationStarted": "UNDER_EVALUATION",
    "ResultsPublished": "RESULTS_PUBLISHED",
    "Concluded": "CONCLUDED",
}


def _row(handling: Handling, table: Table, row_id: str) -> dict[str, Any]:
    found = handling.session.execute(select(table).where(table.c.id == row_id)).mappings().first()
    if found is None:
        raise LookupError(f"{table.name} has no row {row_id}: an event arrived before the one that created it")
    return dict(found)


def _update(handling: Handling, table: Table, envelope: EventEnvelope, **values: Any) -> None:
    handling.session.execute(
        update(table).where(table.c.id == envelope.aggregateid).values(version=envelope.aggregateversion, **values)
    )


def programme_changed(envelope: EventEnvelope, handling: Handling) -> None:
    data, event = envelope.data, envelope.event_name
    if event == "Drafted":
        handling.session.execute(
            insert(programmes).values(
                id=envelope.aggregateid,
                code=data["code"],
                status="DRAFT",
                version=envelope.aggregateversion,
                rules=data["rules"],
                quota_exceptions={},
            )
        )
        return
    row = _row(handling, programmes, envelope.aggregateid)
    if event == "RulesRevised":
        _update(handling, programmes, envelope, rules=data["rules"])
    elif event == "DeadlineExtended":
        _update(handling, programmes, envelope, rules={**row["rules"], "deadline": data["new_deadline"]})
    elif event == "QuotaExceptionGranted":
        exceptions = {**row["quota_exceptions"], data["province_code"]: {"extra_slots": data["extra_slots"]}}
        _update(handling, programmes, envelope, quota_exceptions=exceptions)
    elif event == "QuotaExceptionRevoked":
        exceptions = {k: v for k, v in row["quota_exceptions"].items() if k != data["province_code"]}
        _update(handling, programmes, envelope, quota_exceptions=exceptions)
    else:
        _update(handling, programmes, envelope, status=_PROGRAMME_STATUS[event])


def organisation_changed(envelope: EventEnvelope, handling: Handling) -> None:
    data, event = envelope.data, envelope.event_name
    if event == "Registered":
        handling.session.execute(
            insert(organisations).values(
                id=envelope.aggregateid,
                name=data["name"],
                credit_code=data["credit_code"],
                kind=data["kind"],
                administrative_level=data["administrative_level"],
                province_code=data["province_code"],
                division_code=data["division_code"],
                active=True,
                version=envelope.aggregateversion,
            )
        )
    elif event == "Amended":
        _row(handling, organisations, envelope.aggregateid)
        _update(handling, organisations, envelope, **data["changes"])
    else:  # Deactivated
        _update(handling, organisations, envelope, active=False)


def pilot_object_changed(envelope: EventEnvelope, handling: Handling) -> None:
    data, event = envelope.data, envelope.event_name
    if event == "Registered":
        handling.session.execute(
            insert(pilot_objects).values(
                id=envelope.aggregateid,
                kind=data["kind"],
                name=data["name"],
                province_code=data["province_code"],
                division_codes=data["division_codes"],
                industry_codes=data["industry_codes"],
                park_type=data["park_type"],
                key_area_code=data["key_area_code"],
                member_credit_codes=data["member_credit_codes"],
                version=envelope.aggregateversion,
            )
        )
        return
    row = _row(handling, pilot_objects, envelope.aggregateid)
    if event == "Amended":
        _update(handling, pilot_objects, envelope, **data["changes"])
    elif event == "MembersAdded":
        members = list(row["member_credit_codes"]) + [
            c for c in data["credit_codes"] if c not in row["member_credit_codes"]
        ]
        _update(handling, pilot_objects, envelope, member_credit_codes=members)
    else:  # MembersRemoved
        members = [c for c in row["member_credit_codes"] if c not in set(data["credit_codes"])]
        _update(handling, pilot_objects, envelope, member_credit_codes=members)


def finding_changed(envelope: EventEnvelope, handling: Handling) -> None:
    data, event = envelope.data, envelope.event_name
    if event == "Recorded":
        handling.session.execute(
            insert(findings).values(
                id=envelope.aggregateid,
                source=data["source"],
                media_level=data["media_level"],
                prominent_problem=data.get("prominent_problem"),
                disclosed_on=data["disclosed_on"],
                pilot_object_id=str(data["pilot_object_id"]),
                enterprise_credit_code=data["enterprise_credit_code"],
                province_code=data["province_code"],
                summary=data["summary"],
                reference=data["reference"],
                retracted=False,
                version=envelope.aggregateversion,
                recorded_at=envelope.time,
            )
        )
    elif event == "Corrected":
        _row(handling, findings, envelope.aggregateid)
        changes = {k: (str(v) if k == "pilot_object_id" else v) for k, v in data["changes"].items()}
        _update(handling, findings, envelope, **changes)
    else:  # Retracted
        _update(handling, findings, envelope, retracted=True)
