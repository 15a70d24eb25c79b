"""pilot-registry's schema history (Alembic): `python -m pilot_registry migrate` brings a database to head."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import MetaData

from pilot_common.migrations import ServiceMigrations


def _metadata() -> Sequence[MetaData]:
    from pilot_common.clock import clock_metadata
    from pilot_registry.projections.tables import metadata

    return [metadata, clock_metadata]


MIGRATIONS = ServiceMigrations(
    service="pilot-registry",
    module="pilot_registry",
    package="pilot_registry.migrations",
    event_store_prefix="pilotregistry",
    baseline="0001_baseline",
    baseline_tables=(
        "rm_deemed_audit_credits",
        "rm_findings",
        "rm_organisations",
        "rm_pilot_objects",
        "rm_pilots",
        "rm_programmes",
    ),
    metadata=_metadata,
)
