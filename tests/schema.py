"""Databases for tests, made the way production makes them: a service's database by its own migrations; a test-only
application's (the platform tests' ledger and tally, stand-ins of other services) by the shared platform DDL."""

from __future__ import annotations

from sqlalchemy import MetaData, create_engine, inspect
from sqlalchemy.pool import NullPool

from application_intake.migrations import MIGRATIONS as INTAKE_MIGRATIONS
from evaluation.migrations import MIGRATIONS as EVALUATION_MIGRATIONS
from pilot_common.migrations import ServiceMigrations, create_platform_tables, migrate
from pilot_registry.migrations import MIGRATIONS as REGISTRY_MIGRATIONS

SERVICE_MIGRATIONS: dict[str, ServiceMigrations] = {
    m.service: m for m in (REGISTRY_MIGRATIONS, INTAKE_MIGRATIONS, EVALUATION_MIGRATIONS)
}


def migrated(service: str, database_url: str) -> str:
    """The database brought to the service's head revision (as `python -m <service> migrate` does)."""
    migrate(SERVICE_MIGRATIONS[service], database_url)
    return database_url


def with_platform_tables(database_url: str, app_name: str, *metadata: MetaData) -> str:
    """A test-only application's tables: the platform's (events, tracking, audit, backbone) through the shared DDL,
    and its own read models. Idempotent, so that a second process may open the same database."""
    engine = create_engine(database_url, poolclass=NullPool)
    prefix = app_name.lower()
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table(f"{prefix}_events"):
                create_platform_tables(connection, prefix)
            for tables in metadata:
                tables.create_all(connection)
    finally:
        engine.dispose()
    return database_url
