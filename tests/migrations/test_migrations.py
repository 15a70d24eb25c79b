"""Schema migrations: a database made by the code before migrations (a real dump of each service's PostgreSQL
database after a short flow, see `make_previous_schema.py`) is brought to head and keeps every row; a fresh
database migrated twice is unchanged by the second run; the migrated schema is exactly the tables the code uses;
a service refuses to start on a database that is not migrated, and creates nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.pool import NullPool

from application_intake.bootstrap import build_intake
from evaluation.bootstrap import build_evaluation
from pilot_common.backbone_schema import backbone_metadata
from pilot_common.migrations import (
    DatabaseNotMigrated,
    ServiceMigrations,
    compare_type,
    current_revision,
    migrate,
)
from pilot_common.persistence import verify_audit_chain
from pilot_common.runtime import AssembledService
from pilot_common.settings import ServiceSettings
from pilot_common.translog import verify_store
from pilot_common.transport.inprocess import InProcessBus
from pilot_registry.bootstrap import build_registry
from tests.schema import SERVICE_MIGRATIONS
from tests.services.conftest import AUDITOR, MINISTRY, TEST_JWT_SECRET
from tests.services.registry_data import park_body

FIXTURES = Path(__file__).parent / "fixtures"
BUILDERS: dict[str, Callable[..., AssembledService]] = {
    "pilot-registry": lambda settings, bus: build_registry(settings, bus, seed=False),
    "application-intake": build_intake,
    "evaluation": build_evaluation,
}
SERVICES = list(SERVICE_MIGRATIONS)


def _engine(url: str) -> Any:
    return create_engine(url, poolclass=NullPool)


def _restore(url: str, dump: Path) -> None:
    """Plain-SQL dump (INSERTs) into an empty database, without psql: its meta-commands (`\\restrict`) dropped."""
    sql = "\n".join(line for line in dump.read_text().splitlines() if not line.startswith("\\"))
    engine = _engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(sql)
    engine.dispose()


def _contents(url: str, tables: list[str] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (or of the named ones), in a stable order."""
    engine = _engine(url)
    with engine.connect() as connection:
        names = tables if tables is not None else inspect(connection).get_table_names()
        found = {}
        for name in names:
            table = Table(name, MetaData(), autoload_with=connection)
            rows = connection.execute(select(table)).all()
            found[name] = sorted((tuple(r) for r in rows), key=repr)
    engine.dispose()
    return found


def _settings(service: str, url: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=service, database_url=url, kafka_bootstrap_servers=None, jwt_secret=TEST_JWT_SECRET
    )


@pytest.mark.parametrize("service", SERVICES)
def test_a_database_made_by_the_previous_schema_is_migrated_and_keeps_every_row(
    service: str, postgres_server: Any, unique_name: str
) -> None:
    migrations = SERVICE_MIGRATIONS[service]
    url = str(postgres_server.create_database(f"{unique_name}_prev"))
    _restore(url, FIXTURES / f"{service}.sql")
    before = _contents(url)
    prefix = migrations.event_store_prefix
    assert "alembic_version" not in before and len(before[f"{prefix}_events"]) >= 6
    assert sum(len(rows) for name, rows in before.items() if not name.startswith(prefix)) >= 4  # read models

    outcome = migrate(migrations, url)

    assert outcome.stamped_baseline and outcome.before is None
    after = _contents(url)
    # Every event, audit, tracking and read-model row (columns added since come after the old ones).
    kept = {
        name: sorted((row[: len(rows[0])] for row in after[name]), key=repr) for name, rows in before.items() if rows
    }
    assert kept == {name: rows for name, rows in before.items() if rows}
    assert all(not after[name] for name, rows in before.items() if not rows)
    merkle_log = {f"{prefix}_merkle", f"{prefix}_checkpoints", f"{prefix}_witnessed"}
    added = {"alembic_version", "relay_lease", "consumer_topic_layout", "business_clock", *merkle_log}
    since = {"application-intake": {"in_reviewer_access"}, "evaluation": {"ev_scoring_deadlines"}}
    assert set(after) - set(before) == added | since.get(service, set())
    # The events already stored became the Merkle log's first leaves, in notification order.
    leaves = sorted(after[f"{prefix}_merkle"])
    assert [leaf[:2] for leaf in leaves] == [(i, row[0]) for i, row in enumerate(sorted(before[f"{prefix}_events"]))]
    engine = _engine(url)
    with engine.connect() as connection:
        assert current_revision(connection) == outcome.after
    engine.dispose()
    assert {outcome.after} == migrations.heads()

    # The service starts on it (its start-up check passes), loads every aggregate, and its auditors' checks pass.
    assembled = BUILDERS[service](_settings(service, url), InProcessBus())
    app: Any = assembled.runtime.app
    try:
        aggregates = list(app.all_aggregates())
        originators = {row[1] for row in before[f"{prefix}_events"]}
        assert len(aggregates) == len(originators) and {a.id for a in aggregates} == originators
        chain = verify_audit_chain(app.audited_recorder)
        assert chain.ok and chain.events_checked == len(before[f"{prefix}_events"])
        store = verify_store(app.audited_recorder, None)
        assert store.ok and store.leaves == len(before[f"{prefix}_events"]), store.problems
        compared, differences = app.rebuild_check()
        assert differences == [] and sum(compared.values()) >= 1
        api = TestClient(assembled.api)
        verified = api.get("/audit/verify", headers=AUDITOR).json()
        assert verified["ok"] is True and verified["events_checked"] == len(before[f"{prefix}_events"])
        check = api.get("/audit/read-models/check", headers=AUDITOR).json()
        assert check["ok"] is True, check
        if service == "pilot-registry":
            # New events continue the restored store (its notification sequence came through the upgrade).
            body = park_body("510000", "510100", "成都高新技术产业开发区管理委员会")
            created = api.post("/organisations", json=body, headers=MINISTRY)
            assert created.status_code == 201, created.text
            assert len(_contents(url, [f"{prefix}_events"])[f"{prefix}_events"]) == len(before[f"{prefix}_events"]) + 1
    finally:
        app.close()

    # Migrating again changes nothing.
    again = migrate(migrations, url)
    assert (again.before, again.after, again.stamped_baseline) == (outcome.after, outcome.after, False)


def _database(kind: str, request: pytest.FixtureRequest, tmp_path: Path, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/{name}.db"
    server = request.getfixturevalue("postgres_server")
    return str(server.create_database(name))


def _schema(url: str) -> dict[str, Any]:
    engine = _engine(url)
    with engine.connect() as connection:
        inspector = inspect(connection)
        schema = {
            name: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)],
                sorted((i["name"], tuple(i["column_names"]), i["unique"]) for i in inspector.get_indexes(name)),
            )
            for name in inspector.get_table_names()
        }
    engine.dispose()
    return schema


def _code_metadata(migrations: ServiceMigrations, url: str) -> MetaData:
    """Every table the service's code reads and writes: the event store's recorders' tables, the audit chain, the
    Merkle log with its own and witnessed checkpoints, the backbone tables, the read models."""
    assembled = BUILDERS[migrations.service](_settings(migrations.service, url), InProcessBus())
    app: Any = assembled.runtime.app
    recorder = app.audited_recorder
    target = MetaData()
    for table in (
        recorder.events_record_cls.__table__,
        recorder.tracking_table,
        recorder.audit,
        recorder.merkle,
        recorder.checkpoints,
        recorder.witnessed,
    ):
        table.to_metadata(target)
    for metadata in (backbone_metadata, *migrations.metadata()):
        for table in metadata.tables.values():
            table.to_metadata(target)
    app.close()
    return target


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
@pytest.mark.parametrize("service", SERVICES)
def test_a_fresh_database_migrates_to_exactly_the_tables_of_the_code_and_a_second_run_is_a_no_op(
    service: str, kind: str, request: pytest.FixtureRequest, tmp_path: Path, unique_name: str
) -> None:
    migrations = SERVICE_MIGRATIONS[service]
    url = _database(kind, request, tmp_path, f"{unique_name}_fresh")
    first = migrate(migrations, url)
    assert (first.before, first.stamped_baseline) == (None, False) and {first.after} == migrations.heads()
    schema = _schema(url)

    second = migrate(migrations, url)

    assert (second.before, second.after) == (first.after, first.after)
    assert _schema(url) == schema
    # The schema the migrations made is the one the code expects, column by column (a read-model column added
    # without a migration fails here).
    target = _code_metadata(migrations, url)
    engine = _engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": compare_type})
        differences = [d for d in compare_metadata(context, target) if not _is_alembic_version(d)]
    engine.dispose()
    assert differences == []


def _is_alembic_version(difference: Any) -> bool:
    return isinstance(difference, tuple) and difference[0] == "remove_table" and difference[1].name == "alembic_version"


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_refuses_to_start_on_an_unmigrated_database_and_creates_nothing(service: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/{service}.db"
    with pytest.raises(DatabaseNotMigrated) as refused:
        BUILDERS[service](_settings(service, url), InProcessBus())
    module = SERVICE_MIGRATIONS[service].module
    assert f"database not migrated: run `python -m {module} migrate`" in str(refused.value)
    assert _schema(url) == {}


def test_a_previous_database_missing_a_baseline_table_is_left_alone(tmp_path: Path) -> None:
    migrations = SERVICE_MIGRATIONS["evaluation"]
    url = f"sqlite:///{tmp_path}/partial.db"
    engine = _engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE evaluation_events (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(DatabaseNotMigrated, match="lacks tables of the baseline revision"):
        migrate(migrations, url)
    assert set(_schema(url)) == {"evaluation_events"}
