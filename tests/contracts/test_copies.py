"""Copies of other services' entities have a column for every field the creating event publishes.

A field the producer adds to its contract is caught here, before a consumer silently drops it."""

from __future__ import annotations

import pytest
from sqlalchemy import Table

from application_intake.projections.tables import findings, organisations, pilot_objects
from evaluation.projections.tables import applications
from evaluation.projections.upstream_copy import DETAIL_COLUMNS
from pilot_common.contracts.copies import FINDING, ORGANISATION, PILOT_OBJECT, Field, copied_fields, copy_row
from pilot_common.contracts.events import intake, registry
from pilot_common.contracts.events.base import IntegrationEvent

COPIES: list[tuple[Table, type[IntegrationEvent], str]] = [
    (organisations, registry.OrganisationRegistered, "organisation_id"),
    (pilot_objects, registry.PilotObjectRegistered, "pilot_object_id"),
    (findings, registry.FindingRecorded, "finding_id"),
    (applications, intake.ApplicationCreated, "application_id"),
]


@pytest.mark.parametrize(("table", "model", "key"), COPIES, ids=lambda v: getattr(v, "name", None))
def test_every_published_field_has_a_column_in_the_copy(table: Table, model: type[IntegrationEvent], key: str) -> None:
    fields = copied_fields(model, key=key)
    assert key not in fields and fields, fields
    assert set(fields) <= set(table.c.keys()), sorted(set(fields) - set(table.c.keys()))
    assert "id" in table.primary_key.columns


def test_an_amendment_can_change_every_detail_the_copy_keeps() -> None:
    assert set(DETAIL_COLUMNS) <= set(applications.c.keys())
    assert "changed" not in DETAIL_COLUMNS and "target_industries" in DETAIL_COLUMNS


def test_a_row_is_the_key_as_id_and_each_field_with_dates_as_text() -> None:
    event = registry.FindingRecorded(
        finding_id="f-1",
        source="MEDIA",
        media_level="NATIONAL",
        disclosed_on="2022-03-15",  # type: ignore[arg-type]
        pilot_object_id="o-1",
        enterprise_credit_code=None,
        province_code="320000",
        summary="央视曝光园区偷排",
        reference="焦点访谈",
    )
    row = copy_row(event, key="finding_id")
    assert row["id"] == "f-1" and "finding_id" not in row
    assert row["disclosed_on"] == "2022-03-15" and row["prominent_problem"] is None


@pytest.mark.parametrize(
    ("shape", "model", "key"),
    [
        (ORGANISATION, registry.OrganisationRegistered, "organisation_id"),
        (PILOT_OBJECT, registry.PilotObjectRegistered, "pilot_object_id"),
        (FINDING, registry.FindingRecorded, "finding_id"),
    ],
    ids=["organisation", "pilot object", "finding"],
)
def test_each_shape_is_the_creating_event_field_for_field(
    shape: tuple[Field, ...], model: type[IntegrationEvent], key: str
) -> None:
    # The same fields (the tables keep their historical column order); a field the contract allows to be null has
    # a nullable column.
    assert sorted(f.name for f in shape) == sorted(copied_fields(model, key=key))
    optional = {name for name, info in model.model_fields.items() if "None" in str(info.annotation)}
    assert optional <= {f.name for f in shape if f.nullable}
