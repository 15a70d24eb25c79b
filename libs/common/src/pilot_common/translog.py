"""A service's transparency log at work: signing checkpoints, proofs, witnessing others, verifying the whole store.

`verify_store` is one streaming pass over the log in leaf order (joined to the events and the audit chain by the
database, so memory stays flat): every event's chain hash is recomputed from its stored bytes, every leaf is tied to
its event, and the root is rebuilt and compared with each signed checkpoint. What it finds is named:

- HASH_MISMATCH   the stored event differs from its chain hash (an edit)
- BROKEN_LINK     an audit row does not link to the previous one of its aggregate
- MISSING_AUDIT   an event without its audit row
- MISSING_EVENT   an audit row without its event
- DELETED         a leaf whose event is gone (deletion, also of an aggregate's last event with its audit row)
- GAP             leaves missing from the middle of the log
- REORDERED       a leaf names another event than the one at its notification position
- LEAF_MISMATCH   the chain hash differs from the one the log recorded (the chain was recomputed)
- UNLOGGED        an event the log never recorded (written behind the recorder's back)
- TRUNCATED       the log is shorter than a signed checkpoint says it was (tail deleted, or the store rolled back)
- REWRITTEN       the first n leaves no longer hash to the root signed for size n (rewritten, hashes recomputed)
- BAD_SIGNATURE   a checkpoint naming this service's key whose signature fails (one naming another key, e.g. a
                  per-process key before a restart, is listed as UNKNOWN_KEY: neither trusted nor damage)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import LargeBinary, Select, and_, func, insert, make_url, select, type_coerce
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from pilot_common.context import SYSTEM_ACTOR, CallContext, acting
from pilot_common.contracts.events.checkpoint import CheckpointSignedV1
from pilot_common.merkle import (
    Checkpoint,
    CheckpointSigner,
    LeafSource,
    TreeBuilder,
    b64,
    consistency_proof,
    event_leaf_data,
    event_leaf_hash,
    inclusion_proof,
    key_id,
    leaf_hash,
    load_public_key,
    public_key_pem,
    root_of,
    unb64,
    verify_consistency,
)
from pilot_common.persistence import (
    GENESIS_HASH,
    AuditedApplicationRecorder,
    AuditedProcessRecorder,
    chain_hash,
    event_leaf_data_of,
)

if TYPE_CHECKING:
    from pilot_common.service import Handling, ServiceApplication

Recorder = AuditedApplicationRecorder | AuditedProcessRecorder
log = logging.getLogger(__name__)


def _engine(recorder: Recorder) -> Engine:
    engine = recorder.datastore.engine
    assert isinstance(engine, Engine)
    return engine


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")  # orders checkpoints signed in the same second


# --- the log's leaves ---------------------------------------------------------------------------------------------


def log_size(connection: Connection | Session, recorder: Recorder) -> int:
    found = connection.execute(select(func.max(recorder.merkle.c.leaf_index))).scalar_one_or_none()
    return 0 if found is None else int(found) + 1


def log_state(recorder: Recorder, with_root: bool = True) -> tuple[int, bytes | None]:
    """(size, root) of the log as it stands (the root streams over every leaf; skip it when only the size counts)."""
    with _engine(recorder).connect() as connection:
        size = log_size(connection, recorder)
        return size, root_at(connection, recorder, size) if with_root else None


def leaf_source(connection: Connection, recorder: Recorder, batch_size: int = 5000) -> LeafSource:
    """Leaf hashes by position, recomputed from the stored leaf rows (streamed)."""
    m = recorder.merkle

    def read(start: int, end: int) -> Iterator[bytes]:
        query = (
            select(m.c.notification_id, m.c.originator_id, m.c.originator_version, m.c.event_hash)
            .where(and_(m.c.leaf_index >= start, m.c.leaf_index < end))
            .order_by(m.c.leaf_index)
        )
        for row in connection.execution_options(yield_per=batch_size).execute(query):
            yield event_leaf_hash(*row)

    return read


def root_at(connection: Connection, recorder: Recorder, size: int) -> bytes:
    return root_of(leaf_source(connection, recorder)(0, size))


# --- checkpoints --------------------------------------------------------------------------------------------------


def sign_checkpoint(recorder: Recorder, signer: CheckpointSigner, signed_at: str | None = None) -> Checkpoint:
    """Signs (size, root, time) of the log as it stands and keeps the checkpoint (periodically and on demand)."""
    with _engine(recorder).connect() as connection:
        size = log_size(connection, recorder)
        root = root_at(connection, recorder, size)
    checkpoint = signer.sign(size, root, signed_at or _now())
    with _engine(recorder).begin() as connection:
        connection.execute(insert(recorder.checkpoints).values(**_checkpoint_row(checkpoint)))
    return checkpoint


def publish_checkpoint(app: ServiceApplication, signer: CheckpointSigner) -> Checkpoint:
    """Signs the log as it stands, keeps the checkpoint and stores it as a `Checkpoint.Signed` event (the relay
    publishes it on the service's topic), with the consistency proof from the previous checkpoint. The event is
    itself the next leaf, covered by the next checkpoint."""
    from pilot_common.checkpoint import Checkpoint as CheckpointAggregate

    recorder = app.audited_recorder
    with _engine(recorder).connect() as connection:
        size = log_size(connection, recorder)
        root = root_at(connection, recorder, size)
        previous = connection.execute(
            select(recorder.checkpoints.c.size).order_by(recorder.checkpoints.c.id.desc()).limit(1)
        ).scalar_one_or_none()
        proof: list[str] = []
        if previous is not None and 0 < previous < size:
            proof = [b64(p) for p in consistency_proof(leaf_source(connection, recorder), int(previous), size)]
    checkpoint = signer.sign(size, root, _now())
    with acting(CallContext(actor=SYSTEM_ACTOR)), app.unit_of_work() as session:
        app.save(
            CheckpointAggregate(
                origin=checkpoint.origin,
                size=checkpoint.size,
                root_hash=checkpoint.root_hash,
                signed_at=checkpoint.signed_at,
                key_id=checkpoint.key_id,
                signature=checkpoint.signature,
                public_key=public_key_pem(signer.public_key),
                previous_size=None if previous is None else int(previous),
                consistency_proof=proof,
            )
        )
        session.execute(insert(recorder.checkpoints).values(**_checkpoint_row(checkpoint)))
    return checkpoint


def signer_for(service: str, key_pem: str | None, key_file: Path | None, database_url: str) -> CheckpointSigner:
    """The service's signing key: PEM from the environment/secret, or a PEM file; without either, the embedded
    default keeps one beside its SQLite file (made on first start, per data folder), and anything else runs with a
    key made for this process only (tests), with a warning: its checkpoints cannot be checked after a restart."""
    if key_pem:
        return CheckpointSigner.from_pem(service, key_pem.encode())
    if key_file is not None:
        return CheckpointSigner.from_file(service, key_file)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return CheckpointSigner.from_file(service, Path(url.database).parent / "keys" / f"{service}.ed25519.pem", True)
    log.warning("no checkpoint signing key configured (PILOT_SIGNING_KEY_FILE); using a key for this process only")
    return CheckpointSigner.generated(service)


class CheckpointTimer:
    """Signs and publishes a checkpoint every `interval` seconds when the log has grown since the last one."""

    def __init__(self, app: ServiceApplication, signer: CheckpointSigner, interval: float) -> None:
        self.app, self.signer, self.interval = app, signer, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0  # ticks that failed (e.g. the database away); the next tick tries again

    def tick(self) -> Checkpoint | None:
        recorder = self.app.audited_recorder
        with _engine(recorder).connect() as connection:
            size = log_size(connection, recorder)
            last = connection.execute(select(func.max(recorder.checkpoints.c.size))).scalar_one_or_none()
        # The previous checkpoint's own event is one leaf: that alone is no reason for another checkpoint.
        if last is not None and size <= int(last) + 1:
            return None
        return publish_checkpoint(self.app, self.signer)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception:  # the database may be away for a while; the next tick tries again
                self.failures += 1
                log.exception("checkpoint not signed")

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=f"checkpoints-{self.signer.origin}", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


def _checkpoint_row(c: Checkpoint) -> dict[str, Any]:
    return {
        "origin": c.origin,
        "size": c.size,
        "root_hash": c.root_hash,
        "signed_at": c.signed_at,
        "key_id": c.key_id,
        "signature": c.signature,
    }


def _checkpoint_of(row: Any) -> Checkpoint:
    return Checkpoint(row.origin, int(row.size), row.root_hash, row.signed_at, row.key_id, row.signature)


def own_checkpoints(recorder: Recorder) -> list[Checkpoint]:
    with _engine(recorder).connect() as connection:
        rows = connection.execute(select(recorder.checkpoints).order_by(recorder.checkpoints.c.id)).all()
    return [_checkpoint_of(r) for r in rows]


@dataclass(frozen=True)
class Witnessed:
    checkpoint: Checkpoint
    status: str  # ACCEPTED, REFUSED
    reason: str | None
    recorded_at: str


def witnessed_checkpoints(recorder: Recorder, origin: str | None = None) -> list[Witnessed]:
    w = recorder.witnessed
    query = select(w).order_by(w.c.id)
    if origin is not None:
        query = query.where(w.c.origin == origin)
    with _engine(recorder).connect() as connection:
        rows = connection.execute(query).all()
    return [Witnessed(_checkpoint_of(r), r.status, r.reason, r.recorded_at) for r in rows]


def witness(
    session: Session,
    recorder: Recorder,
    checkpoint: Checkpoint,
    public_key: Ed25519PublicKey,
    proof: Sequence[str] = (),
    proof_from: int | None = None,
) -> Witnessed:
    """Records another service's checkpoint, or refuses it (recorded as REFUSED with the reason) when it contradicts
    what this witness holds: a bad signature, another key than the one first seen, a smaller size than a checkpoint
    signed before it (a rollback), another root for a size already held (a fork), or a consistency proof from a held
    checkpoint that does not verify.

    Checkpoints may arrive out of order (each is its own aggregate, so Kafka partitions them apart): one signed
    earlier with a smaller size is a late arrival, not a rollback; one whose previous checkpoint is not held (yet) is
    kept without its link proven, which auditors check against the log (`verify_store` with the held copies)."""
    w = recorder.witnessed
    accepted = and_(w.c.origin == checkpoint.origin, w.c.status == "ACCEPTED")

    def held(*conditions: Any) -> Checkpoint | None:
        row = session.execute(select(w).where(accepted, *conditions).order_by(w.c.id).limit(1)).first()
        return _checkpoint_of(row) if row is not None else None

    reason: str | None = None
    first_key = held()
    if not checkpoint.verify(public_key):
        reason = "BAD_SIGNATURE: not signed by the service's key"
    elif first_key is not None and first_key.key_id != checkpoint.key_id:
        reason = f"KEY_CHANGED: signed with key {checkpoint.key_id}, the service's key is {first_key.key_id}"
    elif (bigger := held(w.c.size > checkpoint.size, w.c.signed_at < checkpoint.signed_at)) is not None:
        reason = f"ROLLBACK: {checkpoint.size} leaves, but {bigger.size} were signed before, at {bigger.signed_at}"
    elif (same := held(w.c.size == checkpoint.size)) is not None and same.root_hash != checkpoint.root_hash:
        reason = f"FORK: another root for size {checkpoint.size}, signed {same.signed_at}"
    elif (
        proof_from is not None
        and (previous := held(w.c.size == proof_from)) is not None
        and not _extends(previous, checkpoint, proof)
    ):
        reason = f"INCONSISTENT: not an extension of the log of size {previous.size}"
    seen = Witnessed(checkpoint, "REFUSED" if reason else "ACCEPTED", reason, _now())
    session.execute(
        insert(w).values(
            **_checkpoint_row(checkpoint), status=seen.status, reason=seen.reason, recorded_at=seen.recorded_at
        )
    )
    return seen


def _extends(old: Checkpoint, new: Checkpoint, proof: Sequence[str]) -> bool:
    try:
        hashes = [unb64(p) for p in proof]
        return verify_consistency(old.size, new.size, unb64(old.root_hash), unb64(new.root_hash), hashes)
    except ValueError:  # not base64
        return False


def on_checkpoint_signed(event: CheckpointSignedV1, handling: Handling) -> None:
    """A consumer's handler for another service's `Checkpoint.Signed`: witness it (refusals are recorded and logged,
    never retried: the message itself is fine, the log it describes is not)."""
    checkpoint = Checkpoint(event.origin, event.size, event.root_hash, event.signed_at, event.key_id, event.signature)
    try:
        key = load_public_key(event.public_key)
    except ValueError:
        key = None
    recorder = handling.app.audited_recorder
    if key is None or key_id(key) != event.key_id:
        seen = Witnessed(checkpoint, "REFUSED", "BAD_KEY: the public key does not match the key id", _now())
        handling.session.execute(
            insert(recorder.witnessed).values(
                **_checkpoint_row(checkpoint), status=seen.status, reason=seen.reason, recorded_at=seen.recorded_at
            )
        )
    else:
        seen = witness(handling.session, recorder, checkpoint, key, event.consistency_proof, event.previous_size)
    if seen.status != "ACCEPTED":
        log.warning(
            "checkpoint refused",
            extra={"origin": event.origin, "size": event.size, "reason": seen.reason},
        )


# --- proofs for auditors ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InclusionProof:
    leaf_index: int
    tree_size: int
    leaf_data: str  # base64 of what the leaf commits to
    leaf_hash: str
    root_hash: str
    path: list[str]


def prove_inclusion(
    recorder: Recorder, originator_id: Any, version: int, tree_size: int | None = None
) -> InclusionProof | None:
    m = recorder.merkle
    with _engine(recorder).connect() as connection:
        row = connection.execute(
            select(m).where(and_(m.c.originator_id == originator_id, m.c.originator_version == version))
        ).first()
        if row is None:
            return None
        size = log_size(connection, recorder) if tree_size is None else tree_size
        if row.leaf_index >= size:
            return None
        source = leaf_source(connection, recorder)
        path = inclusion_proof(source, int(row.leaf_index), size)
        root = root_of(source(0, size))
    data = event_leaf_data_of(row)
    return InclusionProof(int(row.leaf_index), size, b64(data), b64(leaf_hash(data)), b64(root), [b64(p) for p in path])


def prove_consistency(recorder: Recorder, first: int, second: int) -> list[str]:
    with _engine(recorder).connect() as connection:
        return [b64(p) for p in consistency_proof(leaf_source(connection, recorder), first, second)]


# --- verification -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogProblem:
    code: str
    detail: str
    originator_id: str | None = None
    originator_version: int | None = None
    leaf_index: int | None = None


@dataclass
class CheckpointCheck:
    source: str  # "own", "witness:<service>", "auditor"
    size: int
    signed_at: str
    root_hash: str
    status: str  # OK, TRUNCATED, REWRITTEN, BAD_SIGNATURE


@dataclass
class StoreVerification:
    events_checked: int = 0
    aggregates_checked: int = 0
    leaves: int = 0
    root_hash: str = ""
    problems: list[LogProblem] = field(default_factory=list)
    checkpoints: list[CheckpointCheck] = field(default_factory=list)
    latest_checkpoint: CheckpointCheck | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


def _uuid_text(value: Any) -> str:
    if isinstance(value, bytes):
        h = value.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return str(value)


_MAX_PROBLEMS = 1000  # a store damaged everywhere still gets a readable report


def verify_store(
    recorder: Recorder,
    public_key: Ed25519PublicKey | None,
    extra_checkpoints: Iterable[tuple[str, Checkpoint]] = (),
    batch_size: int = 2000,
) -> StoreVerification:
    """The whole store against its log and its checkpoints (its own and any others given, e.g. witnessed)."""
    result = StoreVerification()
    problems = result.problems
    checks: list[tuple[str, Checkpoint]] = [("own", c) for c in own_checkpoints(recorder)]
    checks.extend(extra_checkpoints)
    sizes = sorted({c.size for _, c in checks})
    roots: dict[int, bytes] = {}
    if 0 in sizes:
        roots[0] = root_of(())
    next_sizes = iter(s for s in sizes if s > 0)
    want = next(next_sizes, None)

    def problem(p: LogProblem) -> None:
        if len(problems) < _MAX_PROBLEMS:
            problems.append(p)

    engine = _engine(recorder)
    builder = TreeBuilder()
    reported: set[tuple[str, int]] = set()
    expected_index = 0
    with engine.connect() as connection:
        rows = connection.execution_options(yield_per=batch_size).execute(_leaves_query(recorder, engine))
        for row in rows:
            leaf = tuple(row)
            index, nid, m_oid, m_ver, m_hash = leaf[:5]
            oid = _uuid_text(m_oid)
            if index != expected_index:
                problem(
                    LogProblem(
                        "GAP",
                        f"leaves {expected_index}..{index - 1} are missing from the log",
                        None,
                        None,
                        expected_index,
                    )
                )
            expected_index = index + 1
            _check_leaf(leaf, oid, result, reported, problem)
            builder.add(leaf_hash(event_leaf_data(nid, oid, m_ver, m_hash)))
            if builder.size == want:
                roots[want] = builder.root()
                want = next(next_sizes, None)
        _check_rows_outside_the_log(recorder, connection, reported, problem)
    result.leaves = builder.size
    result.root_hash = b64(builder.root())
    current_key = key_id(public_key) if public_key is not None else None
    for source, c in checks:
        status = _checkpoint_status(source, c, public_key, current_key, builder.size, roots, problem)
        check = CheckpointCheck(source, c.size, c.signed_at, c.root_hash, status)
        result.checkpoints.append(check)
        if (
            source == "own"
            and status != "UNKNOWN_KEY"
            and (result.latest_checkpoint is None or c.size >= result.latest_checkpoint.size)
        ):
            result.latest_checkpoint = check
    return result


def _leaves_query(recorder: Recorder, engine: Engine) -> Select[Any]:
    """Every leaf of the log, in order, beside the event it names, that event's audit row and its predecessor's."""
    events = recorder.events_record_cls.__table__
    audit, merkle = recorder.audit, recorder.merkle
    prev = audit.alias("prev")

    def raw(column: Any) -> Any:
        # SQLite keeps a UUID as 16 bytes: compare and format those (uuid.UUID objects cost more than the hashing).
        return type_coerce(column, LargeBinary) if engine.dialect.name == "sqlite" else column

    return (
        select(
            merkle.c.leaf_index,
            merkle.c.notification_id,
            raw(merkle.c.originator_id),
            merkle.c.originator_version,
            merkle.c.event_hash,
            raw(events.c.originator_id),
            events.c.originator_version,
            events.c.topic,
            events.c.state,
            audit.c.prev_hash,
            audit.c.hash,
            prev.c.hash,
        )
        .select_from(
            merkle.outerjoin(events, events.c.id == merkle.c.notification_id)
            .outerjoin(
                audit,
                and_(
                    audit.c.originator_id == merkle.c.originator_id,
                    audit.c.originator_version == merkle.c.originator_version,
                ),
            )
            .outerjoin(
                prev,
                and_(
                    prev.c.originator_id == merkle.c.originator_id,
                    prev.c.originator_version == merkle.c.originator_version - 1,
                ),
            )
        )
        .order_by(merkle.c.leaf_index)
    )


def _check_leaf(
    row: tuple[Any, ...],
    oid: str,
    result: StoreVerification,
    reported: set[tuple[str, int]],
    problem: Callable[[LogProblem], None],
) -> None:
    """One leaf against its event and audit row: present, the same event, and its chain hash recomputed."""
    index, nid, m_oid, m_ver, m_hash, e_oid, e_ver, topic, state, prev_hash, a_hash, p_hash = row
    if e_oid is None:
        reported.add((oid, m_ver))
        problem(LogProblem("DELETED", f"notification {nid} was deleted from the store", oid, m_ver, index))
        return
    if e_oid != m_oid or e_ver != m_ver:
        problem(
            LogProblem(
                "REORDERED", f"notification {nid} holds another event ({_uuid_text(e_oid)} v{e_ver})", oid, m_ver, index
            )
        )
        return
    if a_hash is None:
        problem(LogProblem("MISSING_AUDIT", "event has no audit row", oid, m_ver, index))
        return
    result.events_checked += 1
    if m_ver == 1:
        result.aggregates_checked += 1
    data = state if isinstance(state, bytes) else (state.encode() if isinstance(state, str) else bytes(state))
    if chain_hash(prev_hash, oid, m_ver, topic, data) != a_hash:
        problem(LogProblem("HASH_MISMATCH", "stored event differs from its hash", oid, m_ver, index))
    expected_prev = GENESIS_HASH if m_ver == 1 else p_hash
    if prev_hash != expected_prev:
        problem(LogProblem("BROKEN_LINK", "previous hash does not match the chain", oid, m_ver, index))
    if a_hash != m_hash:
        problem(LogProblem("LEAF_MISMATCH", "the chain hash differs from the one the log recorded", oid, m_ver, index))


def _check_rows_outside_the_log(
    recorder: Recorder,
    connection: Connection,
    reported: set[tuple[str, int]],
    problem: Callable[[LogProblem], None],
) -> None:
    """Rows the pass over the leaves cannot see: events without a leaf, audit rows without an event."""
    events = recorder.events_record_cls.__table__
    audit, merkle = recorder.audit, recorder.merkle
    unlogged = (
        select(events.c.id, events.c.originator_id, events.c.originator_version)
        .select_from(events.outerjoin(merkle, merkle.c.notification_id == events.c.id))
        .where(merkle.c.leaf_index.is_(None))
        .order_by(events.c.id)
        .limit(_MAX_PROBLEMS)
    )
    for nid, e_oid, e_ver in connection.execute(unlogged):
        problem(LogProblem("UNLOGGED", f"notification {nid} is not in the log", str(e_oid), e_ver))
    orphans = (
        select(audit.c.originator_id, audit.c.originator_version)
        .select_from(
            audit.outerjoin(
                events,
                and_(
                    events.c.originator_id == audit.c.originator_id,
                    events.c.originator_version == audit.c.originator_version,
                ),
            )
        )
        .where(events.c.id.is_(None))
        .limit(_MAX_PROBLEMS)
    )
    for a_oid, a_ver in connection.execute(orphans):
        if (str(a_oid), a_ver) not in reported:
            problem(LogProblem("MISSING_EVENT", "audit row without its event (deleted?)", str(a_oid), a_ver))


def _checkpoint_status(
    source: str,
    c: Checkpoint,
    public_key: Ed25519PublicKey | None,
    current_key: str | None,
    leaves: int,
    roots: dict[int, bytes],
    problem: Callable[[LogProblem], None],
) -> str:
    """OK, or what is wrong with the log this checkpoint signed (reported), or UNKNOWN_KEY (not damage)."""
    if public_key is not None and c.key_id != current_key:
        # Signed by a key this service no longer (or never) had, e.g. a per-process key before a restart:
        # neither trusted nor refuted; listed, not counted as damage.
        return "UNKNOWN_KEY"
    if public_key is not None and not c.verify(public_key):
        problem(LogProblem("BAD_SIGNATURE", f"checkpoint of size {c.size} ({source}) has a bad signature"))
        return "BAD_SIGNATURE"
    if c.size > leaves:
        problem(
            LogProblem(
                "TRUNCATED", f"the log has {leaves} leaves; a checkpoint ({source}, signed {c.signed_at}) says {c.size}"
            )
        )
        return "TRUNCATED"
    if b64(roots[c.size]) != c.root_hash:
        problem(
            LogProblem(
                "REWRITTEN", f"the first {c.size} leaves do not hash to the root signed {c.signed_at} ({source})"
            )
        )
        return "REWRITTEN"
    return "OK"
