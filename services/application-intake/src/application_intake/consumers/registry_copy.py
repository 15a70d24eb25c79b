"""Intake's copy of the registry, kept row by row from `pilot-registry.events` (in the handler's transaction).

Each handler maps the named fields of one published registry event onto the copy's columns; a field the registry
adds later is ignored until a column and a line here take it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, insert, select, update

from application_intake.projections.tables import findings, organisations, pilot_objects, programmes
from pilot_common.contracts.copies import copied_fields, copy_row, copy_value
from pilot_common.contracts.events import registry as public
from pilot_common.service import Handling

#: Columns of the copy that an Amended/Corrected event may change (`changed` names them): the fields of the
#: event that created the entity, as the contract publishes them.
ORGANISATION_COLUMNS = copied_fields(public.OrganisationRegistered, key="organisation_id")
PILOT_OBJECT_COLUMNS = copied_fields(public.PilotObjectRegistered, key="pilot_object_id")
FINDING_COLUMNS = copied_fields(public.FindingRecorded, key="finding_id")


def _row(handling: Handling, table: Table, row_id: str) -> dict[str, Any]:
    found = handling.session.execute(select(table).where(table.c.id == row_id)).mappings().first()
    if found is None:
        raise LookupError(f"{table.name} has no row {row_id}: an event arrived before the one that created it")
    return dict(found)


def _update(handling: Handling, table: Table, row_id: str, **values: Any) -> None:
    handling.session.execute(
        update(table).where(table.c.id == row_id).values(version=handling.envelope.aggregateversion, **values)
    )


def _named(event: Any, changed: list[str], columns: tuple[str, ...]) -> dict[str, Any]:
    """The values of the changed fields that the copy has a column for."""
    return {column: copy_value(getattr(event, column)) for column in columns if column in changed}


# --- programmes --------------------------------------------------------------------------------------------------


def programme_drafted(event: public.ProgrammeDrafted, handling: Handling) -> None:
    handling.session.execute(
        insert(programmes).values(
            id=event.programme_id,
            code=event.code,
            status="DRAFT",
            version=handling.envelope.aggregateversion,
            rules=event.rules.model_dump(mode="json"),
            quota_exceptions={},
        )
    )


def rules_revised(event: public.ProgrammeRulesRevised, handling: Handling) -> None:
    _row(handling, programmes, event.programme_id)
    _update(handling, programmes, event.programme_id, rules=event.rules.model_dump(mode="json"))


def deadline_extended(event: public.DeadlineExtended, handling: Handling) -> None:
    row = _row(handling, programmes, event.programme_id)
    rules = {**row["rules"], "deadline": event.new_deadline.isoformat()}
    _update(handling, programmes, event.programme_id, rules=rules)


def quota_exception_granted(event: public.QuotaExceptionGranted, handling: Handling) -> None:
    row = _row(handling, programmes, event.programme_id)
    exceptions = {**row["quota_exceptions"], event.province_code: {"extra_slots": event.extra_slots}}
    _update(handling, programmes, event.programme_id, quota_exceptions=exceptions)


def quota_exception_revoked(event: public.QuotaExceptionRevoked, handling: Handling) -> None:
    row = _row(handling, programmes, event.programme_id)
    exceptions = {k: v for k, v in row["quota_exceptions"].items() if k != event.province_code}
    _update(handling, programmes, event.programme_id, quota_exceptions=exceptions)


def programme_status(status: str) -> Callable[[Any, Handling], None]:
    """The handler of one state change of a programme (Opened → OPEN, …)."""

    def handle(event: Any, handling: Handling) -> None:
        _row(handling, programmes, event.programme_id)
        _update(handling, programmes, event.programme_id, status=status)

    handle.__name__ = f"programme_{status.lower()}"
    return handle


# --- organisations -----------------------------------------------------------------------------------------------


def organisation_registered(event: public.OrganisationRegistered, handling: Handling) -> None:
    handling.session.execute(
        insert(organisations).values(
            **copy_row(event, key="organisation_id"),
            active=True,
            version=handling.envelope.aggregateversion,
        )
    )


def organisation_amended(event: public.OrganisationAmended, handling: Handling) -> None:
    _row(handling, organisations, event.organisation_id)
    values = _named(event, event.changed, ORGANISATION_COLUMNS)
    _update(handling, organisations, event.organisation_id, **values)


def organisation_deactivated(event: public.OrganisationDeactivated, handling: Handling) -> None:
    _update(handling, organisations, event.organisation_id, active=False)


# --- pilot objects -----------------------------------------------------------------------------------------------


def pilot_object_registered(event: public.PilotObjectRegistered, handling: Handling) -> None:
    handling.session.execute(
        insert(pilot_objects).values(
            **copy_row(event, key="pilot_object_id"),
            version=handling.envelope.aggregateversion,
        )
    )


def pilot_object_amended(event: public.PilotObjectAmended, handling: Handling) -> None:
    _row(handling, pilot_objects, event.pilot_object_id)
    _update(handling, pilot_objects, event.pilot_object_id, **_named(event, event.changed, PILOT_OBJECT_COLUMNS))


def members_added(event: public.PilotObjectMembersAdded, handling: Handling) -> None:
    row = _row(handling, pilot_objects, event.pilot_object_id)
    current = list(row["member_credit_codes"])
    members = current + [c for c in event.credit_codes if c not in current]
    _update(handling, pilot_objects, event.pilot_object_id, member_credit_codes=members)


def members_removed(event: public.PilotObjectMembersRemoved, handling: Handling) -> None:
    row = _row(handling, pilot_objects, event.pilot_object_id)
    members = [c for c in row["member_credit_codes"] if c not in set(event.credit_codes)]
    _update(handling, pilot_objects, event.pilot_object_id, member_credit_codes=members)


# --- findings ----------------------------------------------------------------------------------------------------


def finding_recorded(event: public.FindingRecorded, handling: Handling) -> None:
    handling.session.execute(
        insert(findings).values(
            **copy_row(event, key="finding_id"),
            retracted=False,
            version=handling.envelope.aggregateversion,
            recorded_at=handling.envelope.time,
        )
    )


def finding_corrected(event: public.FindingCorrected, handling: Handling) -> None:
    _row(handling, findings, event.finding_id)
    _update(handling, findings, event.finding_id, **_named(event, event.changed, FINDING_COLUMNS))


def finding_retracted(event: public.FindingRetracted, handling: Handling) -> None:
    _update(handling, findings, event.finding_id, retracted=True)
