"""evaluation's schema history (Alembic): `python -m evaluation migrate` brings a database to head."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import MetaData

from pilot_common.migrations import ServiceMigrations


def _metadata() -> Sequence[MetaData]:
    from evaluation.projections.tables import metadata, upstream_copy
    from pilot_common.clock import clock_metadata

    return [metadata, upstream_copy, clock_metadata]


MIGRATIONS = ServiceMigrations(
    service="evaluation",
    module="evaluation",
    package="evaluation.migrations",
    event_store_prefix="evaluation",
    baseline="0001_baseline",
    baseline_tables=(
        "ev_application_scores",
        "ev_applications",
        "ev_programmes",
        "ev_reviewers",
        "ev_score_sheets",
        "ev_selections",
    ),
    metadata=_metadata,
)
