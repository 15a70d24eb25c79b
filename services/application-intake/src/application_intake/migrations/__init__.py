"""application-intake's schema history (Alembic): `python -m application_intake migrate` brings a database to
head."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import MetaData

from pilot_common.migrations import ServiceMigrations


def _metadata() -> Sequence[MetaData]:
    from application_intake.projections.tables import evaluation_copy, files, own, registry_copy
    from pilot_common.clock import clock_metadata

    return [own, files, registry_copy, evaluation_copy, clock_metadata]


MIGRATIONS = ServiceMigrations(
    service="application-intake",
    module="application_intake",
    package="application_intake.migrations",
    event_store_prefix="applicationintake",
    baseline="0001_baseline",
    baseline_tables=(
        "attachment_contents",
        "reg_findings",
        "reg_organisations",
        "reg_pilot_objects",
        "reg_programmes",
        "rm_applications",
    ),
    metadata=_metadata,
)
