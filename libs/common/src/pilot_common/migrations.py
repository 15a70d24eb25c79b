"""Schema migrations: one Alembic history per service, kept inside the service's package, run by `migrate`.

Each service has `<package>/migrations/` (an `env.py` that calls `run_env`, and `versions/`), described by a
`ServiceMigrations`. Nothing else creates tables: the event store's `CREATE_TABLE` is off and a service refuses to
start on a database that is not at its head revision (`require_migrated`).

The platform tables (events, tracking, audit chain, backbone) are the same in every service: their DDL is written
once here, as versioned functions the services' revisions call (`create_event_store_tables_v1`,
`create_backbone_tables_v1`). A revision is history: a later change gets a new function and a new revision, never
an edit of these.

A database made before migrations existed (tables present, no `alembic_version`) is recognised by its events table,
checked to hold every table of the baseline revision, stamped at the baseline, then upgraded.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from alembic import command, context, op
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    create_engine,
    inspect,
    make_url,
    text,
)
from sqlalchemy.pool import NullPool
from sqlalchemy_utils.types.uuid import UUIDType


class DatabaseNotMigrated(RuntimeError):
    """The database is not at the revision this code needs (raised before a service serves)."""


@dataclass(frozen=True)
class ServiceMigrations:
    """Where a service's migration history lives and what its database holds."""

    service: str  # e.g. "pilot-registry"
    module: str  # the runnable module, e.g. "pilot_registry" (for the messages: python -m <module> migrate)
    package: str  # the migrations package, e.g. "pilot_registry.migrations"
    event_store_prefix: str  # the eventsourcing tables' prefix, e.g. "pilotregistry" (-> pilotregistry_events)
    baseline: str  # the revision that creates what the code before migrations created at start-up
    baseline_tables: tuple[str, ...]  # the read-model tables of that baseline (besides events, tracking, audit)
    # The service's read-model metadata as the code uses it (for `alembic revision --autogenerate` and the
    # test that the migrated schema equals the code's tables).
    metadata: Callable[[], Sequence[MetaData]] = field(default=lambda: ())

    @property
    def location(self) -> str:
        module = import_module(self.package)
        assert module.__file__ is not None
        return str(Path(module.__file__).parent)

    def config(self, database_url: str, connection: Connection | None = None) -> Config:
        config = Config()
        config.set_main_option("script_location", self.location)
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
        config.attributes["service_migrations"] = self
        if connection is not None:
            config.attributes["connection"] = connection
        return config

    def heads(self) -> set[str]:
        return set(ScriptDirectory(self.location).get_heads())

    def platform_tables(self) -> tuple[str, ...]:
        p = self.event_store_prefix
        return (f"{p}_events", f"{p}_tracking", f"{p}_audit")


# --- the platform tables' DDL (history: never edit a released version, add the next one) -----------------------


def _id_type() -> BigInteger:
    # The eventsourcing-sqlalchemy recorders' integer columns: BIGINT, INTEGER on SQLite (where only an INTEGER
    # primary key auto-increments).
    return BigInteger().with_variant(Integer(), "sqlite")


def create_event_store_tables_v1(prefix: str) -> None:
    """The stored events and tracking tables of the eventsourcing-sqlalchemy process recorder (as its
    `CREATE_TABLE` made them) and the audit chain beside them (`persistence.audit_table`)."""
    op.create_table(
        f"{prefix}_events",
        Column("id", _id_type(), primary_key=True, autoincrement=True),
        Column("originator_id", UUIDType(), nullable=False),
        Column("originator_version", _id_type(), nullable=False),
        Column("topic", Text(), nullable=False),
        Column("state", LargeBinary(), nullable=False),
    )
    op.create_index(
        f"{prefix}_events_aggregate_idx", f"{prefix}_events", ["originator_id", "originator_version"], unique=True
    )
    op.create_table(
        f"{prefix}_tracking",
        Column("application_name", String(32), primary_key=True),
        Column("notification_id", _id_type()),
    )
    op.create_table(
        f"{prefix}_audit",
        Column("originator_id", UUIDType(), primary_key=True),
        Column("originator_version", _id_type(), primary_key=True),
        Column("topic", Text(), nullable=False),
        Column("recorded_at", String(40)),
        Column("actor_user_id", String(100)),
        Column("actor_role", String(20)),
        Column("actor_province", String(6)),
        Column("correlation_id", String(64)),
        Column("causation_id", String(64)),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
    )
    op.create_index(f"ix_{prefix}_audit_correlation_id", f"{prefix}_audit", ["correlation_id"])


def create_backbone_tables_v1() -> None:
    """`relay_lease` and `consumer_topic_layout` (`backbone_schema.py`)."""
    op.create_table(
        "relay_lease",
        Column("name", String(200), primary_key=True),
        Column("holder", String(200), nullable=False, server_default=""),
        Column("fencing_token", BigInteger(), nullable=False, server_default="0"),
        Column("expires_at_ms", BigInteger(), nullable=False, server_default="0"),
    )
    op.create_table(
        "consumer_topic_layout",
        Column("topic", String(249), primary_key=True),
        Column("partitions", Integer(), nullable=False),
    )


def _signed_checkpoint_columns_v1() -> list[Column[Any]]:
    """A signed checkpoint's columns as 0004_merkle_log made them (own checkpoints and witnessed ones alike)."""
    return [
        Column("id", _id_type(), primary_key=True, autoincrement=True),
        Column("origin", String(100), nullable=False),
        Column("size", BigInteger(), nullable=False),
        Column("root_hash", String(64), nullable=False),
        Column("signed_at", String(40), nullable=False),
        Column("key_id", String(32), nullable=False),
        Column("signature", String(128), nullable=False),
    ]


def create_merkle_log_tables_v1(prefix: str) -> None:
    """The Merkle log, this service's signed checkpoints and the checkpoints it witnessed
    (`persistence.merkle_table`, `checkpoints_table`, `witnessed_table`); the events already stored become the
    log's first leaves, in notification order, with their audit-chain hashes."""
    op.create_table(
        f"{prefix}_merkle",
        Column("leaf_index", _id_type(), primary_key=True, autoincrement=False),
        Column("notification_id", _id_type(), nullable=False, unique=True),
        Column("originator_id", UUIDType(), nullable=False),
        Column("originator_version", _id_type(), nullable=False),
        Column("event_hash", String(64), nullable=False),
    )
    op.create_table(f"{prefix}_checkpoints", *_signed_checkpoint_columns_v1())
    op.create_table(
        f"{prefix}_witnessed",
        *_signed_checkpoint_columns_v1(),
        Column("status", String(20), nullable=False),
        Column("reason", Text()),
        Column("recorded_at", String(40), nullable=False),
    )
    op.create_index(f"ix_{prefix}_witnessed_origin", f"{prefix}_witnessed", ["origin"])
    # Events stored before the log existed: one leaf each, in notification order (one INSERT … SELECT).
    op.execute(
        text(
            f"INSERT INTO {prefix}_merkle (leaf_index, notification_id, originator_id, originator_version, event_hash) "
            f"SELECT ROW_NUMBER() OVER (ORDER BY e.id) - 1, e.id, e.originator_id, e.originator_version, a.hash "
            f"FROM {prefix}_events e JOIN {prefix}_audit a "
            f"ON a.originator_id = e.originator_id AND a.originator_version = e.originator_version"
        )
    )


def create_business_clock_table_v1() -> None:
    """`business_clock` (`pilot_common.clock`): one row, the business clock's offset and high-water mark."""
    op.create_table(
        "business_clock",
        Column("id", Integer(), primary_key=True),
        Column("offset_us", BigInteger(), nullable=False),
        Column("high_water", String(40), nullable=False),
    )


def create_platform_tables(connection: Connection, prefix: str) -> None:
    """Every platform table at its current version, outside any service's history: for applications that have no
    migration history of their own (the platform tests' ledger and tally, stand-ins of other services)."""
    with Operations.context(MigrationContext.configure(connection)):
        create_event_store_tables_v1(prefix)
        create_backbone_tables_v1()
        create_merkle_log_tables_v1(prefix)


def platform_metadata(prefix: str) -> MetaData:
    """The platform tables as the code uses them now (the recorders' record classes, the audit table, the backbone
    tables): what autogenerate compares a migrated database with."""
    from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore

    from pilot_common.backbone_schema import backbone_metadata
    from pilot_common.persistence import audit_table, checkpoints_table, merkle_table, witnessed_table

    events_name = f"{prefix}_events"
    events = SQLAlchemyDatastore.define_record_class(
        cls_name="".join(s.capitalize() for s in events_name.rstrip("s").split("_")),
        table_name=events_name,
        schema_name=None,
        base_cls=SQLAlchemyDatastore.base_stored_event_record_cls,
    )
    tracking = SQLAlchemyDatastore.define_record_class(
        cls_name="NotificationTrackingRecord",
        table_name=f"{prefix}_tracking",
        schema_name=None,
        base_cls=SQLAlchemyDatastore.base_notification_tracking_record_cls,
    )
    target = MetaData()
    for table in (
        events.__table__,
        tracking.__table__,
        audit_table(f"{prefix}_audit"),
        merkle_table(f"{prefix}_merkle"),
        checkpoints_table(f"{prefix}_checkpoints"),
        witnessed_table(f"{prefix}_witnessed"),
        *backbone_metadata.tables.values(),
    ):
        table.to_metadata(target)
    return target


# --- env.py ---------------------------------------------------------------------------------------------------


def run_env() -> None:
    """The body of every service's `env.py`: migrates on the connection `migrate` passes in (or on the URL of the
    config, for the `alembic` command line), with batch mode so that an ALTER also works on SQLite."""
    config = context.config
    migrations: ServiceMigrations | None = config.attributes.get("service_migrations")
    target = MetaData()
    if migrations is not None:
        for metadata in (platform_metadata(migrations.event_store_prefix), *migrations.metadata()):
            for table in metadata.tables.values():
                table.to_metadata(target)
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection, target)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=NullPool)
    with engine.connect() as conn:
        _run_on(conn, target)
    engine.dispose()


def compare_type(_: Any, __: Any, ___: Any, ____: Any, metadata_type: Any) -> bool | None:
    """Autogenerate's type comparison, except for sqlalchemy-utils' UUIDType: native UUID on PostgreSQL, BINARY(16)
    on SQLite, which SQLite reflects by affinity as NUMERIC; its reflected type says nothing."""
    return False if isinstance(metadata_type, UUIDType) else None


def _run_on(connection: Connection, target: MetaData) -> None:
    context.configure(connection=connection, target_metadata=target, render_as_batch=True, compare_type=compare_type)
    with context.begin_transaction():
        context.run_migrations()


# --- running them -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MigrationOutcome:
    before: str | None  # revision before (None: empty database, or made before migrations)
    after: str
    stamped_baseline: bool  # a database made by the code before migrations was recognised


def _prepare_sqlite_folder(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


@contextmanager
def _migration_connection(migrations: ServiceMigrations, database_url: str) -> Iterator[Connection]:
    """One connection, one transaction (DDL is transactional on PostgreSQL and SQLite); on PostgreSQL a
    transaction-scoped advisory lock, so replicas that run `migrate` together run it one after the other."""
    _prepare_sqlite_folder(database_url)
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                key = zlib.crc32(f"migrate:{migrations.service}".encode())
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
            yield connection
    finally:
        engine.dispose()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def migrate(migrations: ServiceMigrations, database_url: str) -> MigrationOutcome:
    """Brings the database to the head revision (a no-op when it is there already)."""
    with _migration_connection(migrations, database_url) as connection:
        before = current_revision(connection)
        stamped = False
        if before is None:
            present = set(inspect(connection).get_table_names())
            if f"{migrations.event_store_prefix}_events" in present:
                missing = sorted(set(migrations.platform_tables() + migrations.baseline_tables) - present)
                if missing:
                    raise DatabaseNotMigrated(
                        f"{migrations.service}: the database has an event store but no migration history, and "
                        f"lacks tables of the baseline revision {migrations.baseline}: {missing}; not touching it"
                    )
                command.stamp(migrations.config(database_url, connection), migrations.baseline)
                stamped = True
        command.upgrade(migrations.config(database_url, connection), "head")
        after = current_revision(connection)
        assert after is not None
    return MigrationOutcome(before=before, after=after, stamped_baseline=stamped)


def require_migrated(migrations: ServiceMigrations, database_url: str) -> None:
    """Fails fast, before a service serves, unless its database is at the head revision."""
    hint = f"run `python -m {migrations.module} migrate` (DATABASE_URL={make_url(database_url).render_as_string()})"
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            current = current_revision(connection)
    finally:
        engine.dispose()
    heads = migrations.heads()
    if current is None:
        raise DatabaseNotMigrated(f"{migrations.service}: database not migrated: {hint}")
    if current not in heads:
        raise DatabaseNotMigrated(
            f"{migrations.service}: database at revision {current}, this code needs {sorted(heads)}: {hint}"
        )


def main(migrations: ServiceMigrations, database_url: str, argv: Sequence[str]) -> int:
    """`python -m <service> migrate` (to head), `… migrate --check` (exit 1 unless at head), `… migrate --draft
    MESSAGE` (development: a new revision file drafted by autogenerate, to review and complete by hand)."""
    parser = argparse.ArgumentParser(prog=f"python -m {migrations.module} migrate")
    parser.add_argument("--check", action="store_true", help="only report whether the database is at head")
    parser.add_argument(
        "--draft",
        metavar="MESSAGE",
        help="development: write a new revision from the difference between this (migrated) database and the code",
    )
    args = parser.parse_args(list(argv))
    if args.draft:
        require_migrated(migrations, database_url)
        command.revision(migrations.config(database_url), message=args.draft, autogenerate=True)
        return 0
    if args.check:
        try:
            require_migrated(migrations, database_url)
        except DatabaseNotMigrated as e:
            print(e, file=sys.stderr)
            return 1
        print(f"{migrations.service}: database at head {sorted(migrations.heads())}")
        return 0
    outcome = migrate(migrations, database_url)
    if outcome.stamped_baseline:
        print(f"{migrations.service}: database made before migrations recognised; stamped {migrations.baseline}")
    if outcome.before == outcome.after:
        print(f"{migrations.service}: already at {outcome.after}; nothing to do")
    else:
        before = migrations.baseline if outcome.stamped_baseline else outcome.before or "empty database"
        print(f"{migrations.service}: migrated {before} -> {outcome.after}")
    return 0
