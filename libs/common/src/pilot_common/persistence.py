"""Per-service event store: the eventsourcing library's SQLAlchemy recorders plus an audit chain and a Merkle log.

Every stored event gets a row in `<app>_audit`, written in the same transaction as the event: who did it, the
correlation and causation ids, and a SHA-256 hash over the event's stored bytes chained to the previous event of
the same aggregate. Altering an event breaks the chain. The same transaction appends the event's leaf to the
service's Merkle log (`<app>_merkle`, in notification order, `pilot_common.merkle`), whose signed checkpoints
(`<app>_checkpoints`) make deletion, truncation, reordering and wholesale rewriting detectable too; the
checkpoints of other services this one has seen are kept in `<app>_witnessed`. Verification: `pilot_common.verify`.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import (
    SQLAlchemyApplicationRecorder,
    SQLAlchemyProcessRecorder,
)
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy_utils.types.uuid import UUIDType

from pilot_common.merkle import event_leaf_data
from pilot_common.read_models import take_pending_rows, upsert_binds, upsert_params, upsert_sql

GENESIS_HASH = "0" * 64

_metadata = MetaData()
_audit_tables: dict[str, Table] = {}


def audit_table(name: str) -> Table:
    """The audit-chain table beside an events table (one definition per name per process)."""
    if name not in _audit_tables:
        _audit_tables[name] = Table(
            name,
            _metadata,
            Column("originator_id", UUIDType(), primary_key=True),
            Column("originator_version", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
            Column("topic", Text(), nullable=False),
            Column("recorded_at", String(40)),
            Column("actor_user_id", String(100)),
            Column("actor_role", String(20)),
            Column("actor_province", String(6)),
            Column("correlation_id", String(64), index=True),
            Column("causation_id", String(64)),
            Column("prev_hash", String(64), nullable=False),
            Column("hash", String(64), nullable=False),
        )
    return _audit_tables[name]


def merkle_table(name: str) -> Table:
    """The Merkle log's leaves: leaf i is the i-th stored event in notification order."""
    if name not in _audit_tables:
        _audit_tables[name] = Table(
            name,
            _metadata,
            Column("leaf_index", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False),
            Column("notification_id", BigInteger().with_variant(Integer(), "sqlite"), nullable=False, unique=True),
            Column("originator_id", UUIDType(), nullable=False),
            Column("originator_version", BigInteger().with_variant(Integer(), "sqlite"), nullable=False),
            Column("event_hash", String(64), nullable=False),
        )
    return _audit_tables[name]


def _signed_checkpoint_columns(index_origin: bool = False) -> list[Column[Any]]:
    """What a signed checkpoint is, wherever it is kept (one's own, or another service's as its witness)."""
    return [
        Column("origin", String(100), nullable=False, index=index_origin),
        Column("size", BigInteger(), nullable=False),
        Column("root_hash", String(64), nullable=False),
        Column("signed_at", String(40), nullable=False),
        Column("key_id", String(32), nullable=False),
        Column("signature", String(128), nullable=False),
    ]


def checkpoints_table(name: str) -> Table:
    """This service's signed checkpoints (also published as `<service>.Checkpoint.Signed`)."""
    if name not in _audit_tables:
        _audit_tables[name] = Table(
            name,
            _metadata,
            Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
            *_signed_checkpoint_columns(),
        )
    return _audit_tables[name]


def witnessed_table(name: str) -> Table:
    """Checkpoints of other services' logs that this service has seen (as a witness), accepted or refused."""
    if name not in _audit_tables:
        _audit_tables[name] = Table(
            name,
            _metadata,
            Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
            *_signed_checkpoint_columns(index_origin=True),
            Column("status", String(20), nullable=False),  # ACCEPTED, REFUSED
            Column("reason", Text()),
            Column("recorded_at", String(40), nullable=False),
        )
    return _audit_tables[name]


_u32 = struct.Struct(">I").pack


def chain_hash(prev_hash: str, originator_id: UUID | str, version: int, topic: str, state: bytes) -> str:
    """SHA-256 over the previous hash and the event exactly as stored (length-prefixed fields, 4-byte big-endian
    lengths). One concatenation and one hash call: verification runs this for every stored event."""
    p, o, v, t = prev_hash.encode(), str(originator_id).encode(), str(version).encode(), topic.encode()
    return hashlib.sha256(
        b"".join((_u32(len(p)), p, _u32(len(o)), o, _u32(len(v)), v, _u32(len(t)), t, state))
    ).hexdigest()


def _metadata_of(state: bytes) -> dict[str, Any]:
    """Actor and ids from an AuditedAggregate event's JSON state; empty for anything else."""
    try:
        data = json.loads(state)
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(data, dict):
        return {}
    actor: dict[str, Any] = data["actor"] if isinstance(data.get("actor"), dict) else {}
    timestamp = data.get("timestamp")
    if isinstance(timestamp, dict):
        timestamp = timestamp.get("_data_")
    return {
        "recorded_at": timestamp if isinstance(timestamp, str) else None,
        "actor_user_id": actor.get("user_id"),
        "actor_role": actor.get("role"),
        "actor_province": actor.get("province"),
        "correlation_id": data.get("correlation_id"),
        "causation_id": data.get("causation_id"),
    }


class AuditChainMixin:
    """Adds the audit row and the Merkle leaf of each inserted event, in the recorder's own transaction."""

    datastore: SQLAlchemyDatastore
    events_table_name: str
    audit: Table
    merkle: Table
    checkpoints: Table
    witnessed: Table

    def _init_audit(self) -> None:
        prefix = self.events_table_name.removesuffix("_events")
        self.audit = audit_table(f"{prefix}_audit")
        self.merkle = merkle_table(f"{prefix}_merkle")
        self.checkpoints = checkpoints_table(f"{prefix}_checkpoints")
        self.witnessed = witnessed_table(f"{prefix}_witnessed")
        # Listened for once, on every session of this store, rather than on each session as it first writes:
        # `event.listen` took ~50 µs a call, three per command, while the command held the events table's lock.
        # The heads a session wrote wait in its info under this recorder's own key.
        self._pending_heads = f"pilot_audit_pending_heads:{id(self)}"
        sessions = self.datastore.session_maker
        assert sessions is not None  # a store made from a URL (`event_store_env`), not from a scoped session
        sa_event.listen(sessions, "after_commit", self._heads_committed)
        sa_event.listen(sessions, "after_rollback", self._forget_pending)
        sa_event.listen(sessions, "after_soft_rollback", self._forget_pending)

    def _insert_stored_events(self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        # After the library's insert: the events have their notification ids, and on PostgreSQL the events table is
        # locked (EXCLUSIVE) until commit, so leaves are appended in notification order, one writer at a time
        # (SQLite has one writer anyway).
        if not stored_events:
            return []
        rows = self._audit_rows(session, stored_events)  # hashes need only the events' bytes, not their ids
        if session.get_bind().dialect.name == "postgresql" and len(stored_events) <= self._LEAVES_IN_ONE_STATEMENT:
            notification_ids = self._insert_all_at_once(session, stored_events, rows)
        else:
            notification_ids = self._insert_event_rows(session, stored_events)
            session.execute(insert(self.audit), rows)
            self._append_leaves(session, notification_ids, rows)
        self._remember_heads(session, rows)
        return notification_ids

    def _insert_all_at_once(
        self, session: Session, stored_events: Sequence[StoredEvent], rows: list[dict[str, Any]]
    ) -> list[int]:
        # A command's few events: the events, their audit rows and their Merkle leaves in one statement (data-modifying
        # CTEs), one round trip instead of three. Leaves take the next indexes in notification order. Everything
        # is made ready before the events table is locked: every command waits for that lock, so it is held only
        # across the statement and the commit.
        params: dict[str, Any] = {}
        for n, (e, row) in enumerate(zip(stored_events, rows, strict=True)):
            params.update({f"e{n}_{k}": getattr(e, k) for k in _EVENT_COLUMNS})
            params.update({f"a{n}_{k}": row.get(k) for k in _AUDIT_COLUMNS})
        # The read-model rows projected from these events (waiting in the save's batch) go in the same statement.
        upserts = take_pending_rows(session, self._ROWS_IN_ONE_STATEMENT)
        for n, (_table, columns, table_rows) in enumerate(upserts):
            params.update(upsert_params(columns, table_rows, prefix=f"u{n}_"))
        shape = tuple((table, columns, len(table_rows)) for table, columns, table_rows in upserts)
        statement = self._all_at_once(session, len(stored_events), shape)
        self._lock_table(session)  # type: ignore[attr-defined]
        found = session.execute(statement, params).tuples()
        ids = {(str(o), int(v)): int(i) for i, o, v in found}
        return [ids[(str(e.originator_id), int(e.originator_version))] for e in stored_events]

    _ROWS_IN_ONE_STATEMENT = 20

    def _all_at_once(self, session: Session, count: int, upserts: tuple[Any, ...] = ()) -> Any:
        """The statement for `count` events and read-model upserts of that shape ((table, columns, rows) each),
        built once per shape. Written as text: SQLAlchemy cannot cache a statement with data-modifying CTEs, and
        compiling it anew took longer than the round trips it saves."""
        built: dict[tuple[int, tuple[Any, ...]], Any] = self.__dict__.setdefault("_all_at_once_statements", {})
        key = (count, upserts)
        if key in built:
            return built[key]
        dialect = session.get_bind().dialect
        preparer = dialect.identifier_preparer
        events = self.events_record_cls.__table__  # type: ignore[attr-defined]
        audit, merkle = self.audit, self.merkle

        def values(prefix: str, columns: Sequence[str]) -> str:
            return ", ".join("(" + ", ".join(f":{prefix}{n}_{c}" for c in columns) + ")" for n in range(count))

        sql = (
            f"WITH inserted AS (INSERT INTO {preparer.format_table(events)} ({', '.join(_EVENT_COLUMNS)}) "
            f"VALUES {values('e', _EVENT_COLUMNS)} RETURNING id, originator_id, originator_version), "
            f"audited AS (INSERT INTO {preparer.format_table(audit)} ({', '.join(_AUDIT_COLUMNS)}) "
            f"VALUES {values('a', _AUDIT_COLUMNS)} RETURNING originator_id, originator_version, hash), "
            f"leaves AS (INSERT INTO {preparer.format_table(merkle)} "
            "(leaf_index, notification_id, originator_id, originator_version, event_hash) "
            f"SELECT (SELECT coalesce(max(leaf_index), -1) FROM {preparer.format_table(merkle)}) "
            "+ row_number() OVER (ORDER BY inserted.id), inserted.id, inserted.originator_id, "
            "inserted.originator_version, audited.hash FROM inserted JOIN audited "
            "ON audited.originator_id = inserted.originator_id "
            "AND audited.originator_version = inserted.originator_version)"
            + "".join(
                f", upserted{n} AS ({upsert_sql(dialect, table, columns, rows, prefix=f'u{n}_')})"
                for n, (table, columns, rows) in enumerate(upserts)
            )
            + " SELECT id, originator_id, originator_version FROM inserted"
        )
        binds = [
            bindparam(f"{prefix}{n}_{c}", type_=table.c[c].type)
            for n in range(count)
            for prefix, table, columns in (("e", events, _EVENT_COLUMNS), ("a", audit, _AUDIT_COLUMNS))
            for c in columns
        ]
        for n, (table, columns, rows) in enumerate(upserts):
            binds += upsert_binds(table, columns, rows, prefix=f"u{n}_")
        built[key] = text(sql).bindparams(*binds)
        return built[key]

    def _insert_event_rows(self, session: Session, stored_events: Sequence[StoredEvent]) -> list[int]:
        # What the library's recorder does (lock the table, insert, return the notification ids in the events'
        # order) in one core INSERT ... RETURNING instead of ORM objects added and flushed one by one. Its NOTIFY is
        # left out: nothing LISTENs (the relay is woken in process and polls otherwise).
        if not stored_events:
            return []
        self._lock_table(session)  # type: ignore[attr-defined]
        rows = [
            {
                "originator_id": e.originator_id,
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": e.state,
            }
            for e in stored_events
        ]
        statement = self._insert_events_returning()
        if len(rows) == 1:
            return [int(session.execute(statement, rows[0]).scalar_one())]
        return [int(i) for i in session.execute(statement, rows).scalars()]

    def _insert_events_returning(self) -> Any:
        statement = self.__dict__.get("_events_insert")
        if statement is None:
            table = self.events_record_cls.__table__  # type: ignore[attr-defined]
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            self.__dict__["_events_insert"] = statement
        return statement

    _LEAVES_IN_ONE_STATEMENT = 50

    def _append_leaves(self, session: Session, notification_ids: Sequence[int], rows: list[dict[str, Any]]) -> None:
        pairs = list(zip(notification_ids, rows, strict=True))
        if len(pairs) > self._LEAVES_IN_ONE_STATEMENT:  # a big save: one SELECT of the last leaf, one bulk INSERT
            next_leaf = session.execute(select(func.coalesce(func.max(self.merkle.c.leaf_index), -1))).scalar_one()
            session.execute(
                insert(self.merkle),
                [
                    {
                        "leaf_index": next_leaf + 1 + i,
                        "notification_id": notification_id,
                        "originator_id": row["originator_id"],
                        "originator_version": row["originator_version"],
                        "event_hash": row["hash"],
                    }
                    for i, (notification_id, row) in enumerate(pairs)
                ],
            )
            return
        # A command's few events: the next leaf index is read in the INSERT itself (one round trip, not two).
        leaf = self.merkle.c
        base = select(func.coalesce(func.max(leaf.leaf_index), -1) + 1).scalar_subquery()
        leaves = [
            select(
                (base + i).label("leaf_index"),
                literal(notification_id, leaf.notification_id.type).label("notification_id"),
                literal(row["originator_id"], leaf.originator_id.type).label("originator_id"),
                literal(row["originator_version"], leaf.originator_version.type).label("originator_version"),
                literal(row["hash"], leaf.event_hash.type).label("event_hash"),
            )
            for i, (notification_id, row) in enumerate(pairs)
        ]
        columns = ["leaf_index", "notification_id", "originator_id", "originator_version", "event_hash"]
        source = union_all(*leaves) if len(leaves) > 1 else leaves[0]
        session.execute(insert(self.merkle).from_select(columns, source))

    def _audit_rows(self, session: Session, stored_events: Sequence[StoredEvent]) -> list[dict[str, Any]]:
        heads: dict[Any, str] = {}
        rows = []
        for event in stored_events:
            key = event.originator_id
            if key not in heads:
                heads[key] = self._previous_hash(session, key, event.originator_version)
            digest = chain_hash(heads[key], key, event.originator_version, event.topic, event.state)
            rows.append(
                {
                    "originator_id": key,
                    "originator_version": event.originator_version,
                    "topic": event.topic,
                    "prev_hash": heads[key],
                    "hash": digest,
                    **_metadata_of(event.state),
                }
            )
            heads[key] = digest
        return rows

    # The hash of each aggregate's latest event this process committed, so that the next event of the aggregate
    # needs no SELECT of it (most commands change an aggregate this process has just written). Taken only after
    # the commit: a rolled-back event never becomes anybody's previous hash. Another process's later event of the
    # same aggregate cannot be missed: ours would then be a version that already exists, refused at the insert.
    _HEADS_KEPT = 100_000

    def _remember_heads(self, session: Session, rows: list[dict[str, Any]]) -> None:
        pending: dict[Any, tuple[int, str]] = session.info.setdefault(self._pending_heads, {})
        for row in rows:
            pending[row["originator_id"]] = (row["originator_version"], row["hash"])

    def _heads_committed(self, session: Session) -> None:
        pending = session.info.pop(self._pending_heads, None)
        if pending:
            heads = self._committed_heads()
            if len(heads) + len(pending) > self._HEADS_KEPT:
                heads.clear()
            heads.update(pending)

    def _forget_pending(self, session: Session, *_previous_transaction: Any) -> None:
        session.info.pop(self._pending_heads, None)

    def _committed_heads(self) -> dict[Any, tuple[int, str]]:
        heads: dict[Any, tuple[int, str]] | None = self.__dict__.get("_heads")
        if heads is None:
            heads = self.__dict__["_heads"] = {}
        return heads

    def _previous_hash(self, session: Session, originator_id: Any, version: int) -> str:
        if version == 1:
            return GENESIS_HASH  # the first event of an aggregate: nothing before it
        known = self._committed_heads().get(originator_id)
        if known is not None and known[0] == version - 1:
            return known[1]
        found = session.execute(
            select(self.audit.c.hash).where(
                and_(
                    self.audit.c.originator_id == originator_id,
                    self.audit.c.originator_version == version - 1,
                )
            )
        ).scalar_one_or_none()
        return found or GENESIS_HASH


_EVENT_COLUMNS = ("originator_id", "originator_version", "topic", "state")
_AUDIT_COLUMNS = (
    "originator_id",
    "originator_version",
    "topic",
    "recorded_at",
    "actor_user_id",
    "actor_role",
    "actor_province",
    "correlation_id",
    "causation_id",
    "prev_hash",
    "hash",
)


class AuditedApplicationRecorder(AuditChainMixin, SQLAlchemyApplicationRecorder):
    def __init__(self, datastore: SQLAlchemyDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._init_audit()


class AuditedProcessRecorder(AuditChainMixin, SQLAlchemyProcessRecorder):
    def __init__(self, datastore: SQLAlchemyDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._init_audit()


class AuditedSQLAlchemyFactory(SQLAlchemyFactory):
    application_recorder_class = AuditedApplicationRecorder
    process_recorder_class = AuditedProcessRecorder

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        # The library switches a SQLite file to WAL lazily, in the first transaction, while other threads may
        # already be writing: the PRAGMA then fails with "database is locked". Tables exist (migrations ran),
        # so switch now, before any thread can write.
        if self.datastore.is_sqlite_filedb:
            self.datastore.init_sqlite_wal_mode()


def event_store_env(database_url: str) -> dict[str, str]:
    """The eventsourcing environment for a service's event store on the given SQLAlchemy URL."""
    return {
        "PERSISTENCE_MODULE": f"{__name__}:AuditedSQLAlchemyFactory",
        "SQLALCHEMY_URL": database_url,
        # Tables come from the service's migrations (`pilot_common.migrations`), never from start-up.
        "CREATE_TABLE": "n",
    }


# --- verification -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    code: str  # HASH_MISMATCH, BROKEN_LINK, MISSING_AUDIT, MISSING_EVENT
    originator_id: str
    originator_version: int
    detail: str


@dataclass
class ChainVerification:
    events_checked: int = 0
    aggregates_checked: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_audit_chain(
    recorder: AuditedApplicationRecorder | AuditedProcessRecorder,
    originator_id: UUID | None = None,
    batch_size: int = 1000,
) -> ChainVerification:
    """Recomputes every hash from the stored events and compares it with the chain (streams; any store size)."""
    events = recorder.events_record_cls.__table__
    audit = recorder.audit
    result = ChainVerification()
    ev_q = select(events.c.originator_id, events.c.originator_version, events.c.topic, events.c.state)
    au_q = select(audit)
    if originator_id is not None:
        ev_q = ev_q.where(events.c.originator_id == originator_id)
        au_q = au_q.where(audit.c.originator_id == originator_id)
    ev_q = ev_q.order_by(events.c.originator_id, events.c.originator_version)
    au_q = au_q.order_by(audit.c.originator_id, audit.c.originator_version)
    engine = recorder.datastore.engine
    assert isinstance(engine, Engine)
    with engine.connect() as ev_conn, engine.connect() as au_conn:
        ev_rows = _stream(ev_conn.execution_options(yield_per=batch_size).execute(ev_q))
        au_rows = _stream(au_conn.execution_options(yield_per=batch_size).execute(au_q))
        ev = next(ev_rows, None)
        au = next(au_rows, None)
        last: tuple[Any, str] | None = None  # (originator id, hash) of the previous audited event
        while ev is not None or au is not None:
            ev_key = (str(ev.originator_id), ev.originator_version) if ev is not None else None
            au_key = (str(au.originator_id), au.originator_version) if au is not None else None
            if au_key is None or (ev_key is not None and ev_key < au_key):
                assert ev is not None and ev_key is not None
                result.problems.append(ChainProblem("MISSING_AUDIT", ev_key[0], ev_key[1], "event has no audit row"))
                ev = next(ev_rows, None)
                continue
            if ev_key is None or au_key < ev_key:
                assert au is not None
                result.problems.append(
                    ChainProblem("MISSING_EVENT", au_key[0], au_key[1], "audit row without its event (deleted?)")
                )
                last = (au_key[0], au.hash)
                au = next(au_rows, None)
                continue
            assert ev is not None and au is not None
            if last is None or last[0] != ev_key[0]:
                result.aggregates_checked += 1
                expected_prev = GENESIS_HASH
            else:
                expected_prev = last[1]
            state = ev.state.encode() if isinstance(ev.state, str) else bytes(ev.state)
            if au.prev_hash != expected_prev:
                result.problems.append(
                    ChainProblem("BROKEN_LINK", ev_key[0], ev_key[1], "previous hash does not match the chain")
                )
            if chain_hash(au.prev_hash, ev.originator_id, ev.originator_version, ev.topic, state) != au.hash:
                result.problems.append(
                    ChainProblem("HASH_MISMATCH", ev_key[0], ev_key[1], "stored event differs from its hash")
                )
            result.events_checked += 1
            last = (ev_key[0], au.hash)
            ev = next(ev_rows, None)
            au = next(au_rows, None)
    return result


def _stream(result: Any) -> Iterator[Any]:
    yield from result


def event_leaf_data_of(row: Any) -> bytes:
    """What the Merkle leaf of a stored leaf row commits to."""
    return event_leaf_data(int(row.notification_id), row.originator_id, int(row.originator_version), row.event_hash)
