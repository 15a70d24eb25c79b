"""Every kind of damage to a service's store is detected and named; an untouched store verifies (SQLite, PostgreSQL).

The damage is done the way someone with write access to the database would do it: plain SQL on the tables."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from pilot_common.context import Actor, CallContext, Role, acting
from pilot_common.merkle import CheckpointSigner
from pilot_common.persistence import GENESIS_HASH, chain_hash
from pilot_common.translog import (
    own_checkpoints,
    publish_checkpoint,
    sign_checkpoint,
    verify_store,
    witness,
    witnessed_checkpoints,
)
from tests.platform.apps import Entry, Ledger

DATABASES = ["sqlite", "postgres"]
PROVINCE = Actor(user_id="li.na", role=Role.PROVINCE, province="320000")


class Store:
    def __init__(self, url: str) -> None:
        self.ledger = Ledger(url)
        self.signer = CheckpointSigner.generated("ledger")
        self.recorder = self.ledger.audited_recorder
        self.events = self.recorder.events_record_cls.__table__
        engine = self.ledger.datastore.engine
        assert engine is not None
        self.engine = engine
        self.entries: list[Entry] = []

    def record(self, count: int) -> None:
        with acting(CallContext(actor=PROVINCE, correlation_id="case-001")):
            for i in range(count):
                entry = Entry(amount=i, note=f"第{i}笔")
                self.entries.append(entry)
                self.ledger.save(entry)
                if i % 3 == 0:
                    entry.amend(amount=i * 100)
                    self.ledger.save(entry)

    def verify(self, *extra: tuple[str, object]) -> list[str]:
        report = verify_store(self.recorder, self.signer.public_key, extra)  # type: ignore[arg-type]
        return sorted(set(report.codes))

    def delete_event(self, oid: object, version: int, audit: bool = True, leaf: bool = False) -> None:
        r = self.recorder
        with self.engine.begin() as c:
            c.execute(sa.delete(self.events).where(self._key(self.events, oid, version)))
            if audit:
                c.execute(sa.delete(r.audit).where(self._key(r.audit, oid, version)))
            if leaf:
                c.execute(sa.delete(r.merkle).where(self._key(r.merkle, oid, version)))

    @staticmethod
    def _key(table: sa.Table, oid: object, version: int) -> sa.ColumnElement[bool]:
        return (table.c.originator_id == oid) & (table.c.originator_version == version)


@pytest.fixture(params=DATABASES)
def store(request: pytest.FixtureRequest, make_database: Callable[[str, str], str]) -> Store:
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
    s = Store(make_database(request.param, "ledger"))
    s.record(8)  # 11 events: entries 0, 3, 6 amended
    sign_checkpoint(s.recorder, s.signer)
    s.record(2)
    return s


def test_an_untouched_store_verifies_against_its_signed_checkpoint(store: Store) -> None:
    report = verify_store(store.recorder, store.signer.public_key)
    assert report.ok, report.problems
    assert (report.events_checked, report.aggregates_checked, report.leaves) == (14, 10, 14)
    assert report.latest_checkpoint is not None and report.latest_checkpoint.size == 11
    assert report.latest_checkpoint.status == "OK"


def test_one_altered_byte_is_a_hash_mismatch(store: Store) -> None:
    target = Store._key(store.events, store.entries[3].id, 2)
    with store.engine.begin() as c:
        state = bytes(c.execute(sa.select(store.events.c.state).where(target)).scalar_one())
        c.execute(sa.update(store.events).where(target).values(state=state.replace(b"300", b"301")))
    assert store.verify() == ["HASH_MISMATCH"]


def test_an_aggregates_last_event_deleted_with_its_audit_row_is_named(store: Store) -> None:
    # The per-aggregate chain alone cannot see this: the aggregate's history just looks one event shorter.
    store.delete_event(store.entries[6].id, 2)
    assert store.verify() == ["DELETED"]


def test_tail_truncation_of_event_audit_row_and_leaf_is_caught_by_the_checkpoint(store: Store) -> None:
    sign_checkpoint(store.recorder, store.signer)  # size 14
    store.delete_event(store.entries[9].id, 1, leaf=True)  # the very last event, everything about it
    assert store.verify() == ["TRUNCATED"]


def test_a_deleted_leaf_in_the_middle_is_a_gap_and_breaks_the_signed_root(store: Store) -> None:
    store.delete_event(store.entries[1].id, 1, leaf=True)
    assert store.verify() == ["GAP", "REWRITTEN"]


def test_two_events_swapped_between_notification_positions_are_reordered(store: Store) -> None:
    a, b = store.entries[1].id, store.entries[2].id
    with store.engine.begin() as c:
        ids = {
            oid: c.execute(sa.select(store.events.c.id).where(Store._key(store.events, oid, 1))).scalar_one()
            for oid in (a, b)
        }
        c.execute(sa.update(store.events).where(store.events.c.id == ids[a]).values(id=-1))
        c.execute(sa.update(store.events).where(store.events.c.id == ids[b]).values(id=ids[a]))
        c.execute(sa.update(store.events).where(store.events.c.id == -1).values(id=ids[b]))
    assert store.verify() == ["REORDERED"]


def test_a_rewrite_of_one_aggregate_with_recomputed_chain_and_leaves_is_caught_by_the_signed_root(
    store: Store,
) -> None:
    """Someone who can write the database rewrites entry 0 (two events) and recomputes every hash they can."""
    r, oid = store.recorder, store.entries[0].id
    with store.engine.begin() as c:
        prev = GENESIS_HASH
        for version in (1, 2):
            row = c.execute(
                sa.select(store.events.c.topic, store.events.c.state).where(Store._key(store.events, oid, version))
            ).one()
            state = bytes(row.state).replace(b'"amount": 0', b'"amount": 9').replace(b'"amount":0', b'"amount":9')
            assert state != bytes(row.state)
            digest = chain_hash(prev, oid, version, row.topic, state)
            c.execute(sa.update(store.events).where(Store._key(store.events, oid, version)).values(state=state))
            c.execute(sa.update(r.audit).where(Store._key(r.audit, oid, version)).values(prev_hash=prev, hash=digest))
            c.execute(sa.update(r.merkle).where(Store._key(r.merkle, oid, version)).values(event_hash=digest))
            prev = digest
    assert store.verify() == ["REWRITTEN"]


def test_a_recomputed_chain_without_the_log_is_a_leaf_mismatch(store: Store) -> None:
    r, oid = store.recorder, store.entries[2].id
    with store.engine.begin() as c:
        row = c.execute(
            sa.select(store.events.c.topic, store.events.c.state).where(Store._key(store.events, oid, 1))
        ).one()
        state = bytes(row.state).replace("第2笔".encode(), "第9笔".encode())
        digest = chain_hash(GENESIS_HASH, oid, 1, row.topic, state)
        c.execute(sa.update(store.events).where(Store._key(store.events, oid, 1)).values(state=state))
        c.execute(sa.update(r.audit).where(Store._key(r.audit, oid, 1)).values(hash=digest))
    assert store.verify() == ["LEAF_MISMATCH"]


def test_a_witness_holding_an_old_checkpoint_detects_a_rollback_past_it(
    store: Store, make_database: Callable[[str, str], str]
) -> None:
    """The tally witnesses the ledger's checkpoints. The ledger's store is then rolled back (events, audit rows,
    leaves and its own checkpoints) past the checkpoint the tally holds: the ledger alone sees nothing wrong, the
    witness's copy shows the truncation, and the witness refuses the ledger's next, smaller checkpoint."""
    witness_store = Store(make_database("sqlite", "witness"))
    held = sign_checkpoint(store.recorder, store.signer)  # size 14
    with witness_store.ledger.unit_of_work() as session:
        assert witness(session, witness_store.recorder, held, store.signer.public_key).status == "ACCEPTED"

    r = store.recorder
    with store.engine.begin() as c:
        doomed = c.execute(
            sa.select(r.merkle.c.originator_id, r.merkle.c.originator_version).where(r.merkle.c.leaf_index >= 9)
        ).all()
        for oid, version in doomed:
            for table in (store.events, r.audit, r.merkle):
                c.execute(sa.delete(table).where(Store._key(table, oid, version)))
        c.execute(sa.delete(r.checkpoints).where(r.checkpoints.c.size > 9))
    assert store.verify() == []  # nothing inside the ledger's own database contradicts the rollback

    held_copies = [("witness:tally", w.checkpoint) for w in witnessed_checkpoints(witness_store.recorder)]
    assert store.verify(*held_copies) == ["TRUNCATED"]

    after = sign_checkpoint(store.recorder, store.signer)
    with witness_store.ledger.unit_of_work() as session:
        refused = witness(session, witness_store.recorder, after, store.signer.public_key)
    assert refused.status == "REFUSED" and refused.reason is not None and refused.reason.startswith("ROLLBACK")


def test_a_witness_takes_checkpoints_out_of_order_but_refuses_a_fork_and_a_failed_proof(
    store: Store, make_database: Callable[[str, str], str]
) -> None:
    """Kafka may deliver a service's checkpoints out of order (each is its own aggregate): a late, earlier one is
    accepted; another root for a size held, or a proof that fails, is refused."""
    witness_store = Store(make_database("sqlite", "witness"))
    from pilot_common.translog import own_checkpoints

    early = own_checkpoints(store.recorder)[0]  # size 11
    later = sign_checkpoint(store.recorder, store.signer)  # size 14
    with witness_store.ledger.unit_of_work() as session:
        assert witness(session, witness_store.recorder, later, store.signer.public_key).status == "ACCEPTED"
        late = witness(session, witness_store.recorder, early, store.signer.public_key)
        assert (late.status, late.reason) == ("ACCEPTED", None)
        forged = store.signer.sign(14, b"\x07" * 32, later.signed_at)
        fork = witness(session, witness_store.recorder, forged, store.signer.public_key)
        assert fork.status == "REFUSED" and (fork.reason or "").startswith("FORK")
        bigger = store.signer.sign(20, b"\x07" * 32, later.signed_at)
        bad = witness(session, witness_store.recorder, bigger, store.signer.public_key, ["AAAA"], proof_from=14)
        assert bad.status == "REFUSED" and (bad.reason or "").startswith("INCONSISTENT")
        other_key = CheckpointSigner.generated("ledger").sign(30, b"\x01" * 32, later.signed_at)
        assert (witness(session, witness_store.recorder, other_key, store.signer.public_key).reason or "").startswith(
            "BAD_SIGNATURE"
        )


def test_a_forged_signature_is_named_and_a_checkpoint_of_another_key_is_only_listed(store: Store) -> None:
    from dataclasses import replace

    from pilot_common.translog import own_checkpoints

    (signed,) = own_checkpoints(store.recorder)
    forged = replace(signed, signature=CheckpointSigner.generated("ledger").sign(11, b"\x00" * 32, "x").signature)
    assert store.verify(("auditor", forged)) == ["BAD_SIGNATURE"]
    other = CheckpointSigner.generated("ledger").sign(99, b"\x00" * 32, signed.signed_at)
    report = verify_store(store.recorder, store.signer.public_key, [("auditor", other)])
    assert report.ok and [c.status for c in report.checkpoints] == ["OK", "UNKNOWN_KEY"]


def test_checkpoints_signed_at_the_same_moment_never_share_a_size(store: Store) -> None:
    """The timer and an on-demand request may sign at once: each checkpoint covers a log the other did not."""
    before = len(own_checkpoints(store.recorder))
    with ThreadPoolExecutor(max_workers=4) as pool:
        signed = list(pool.map(lambda _: publish_checkpoint(store.ledger, store.signer), range(4)))
    sizes = [c.size for c in own_checkpoints(store.recorder)[before:]]
    assert sorted(sizes) == sorted(c.size for c in signed)
    assert len(set(sizes)) == 4 and sizes == sorted(sizes)  # each saw the previous one's Checkpoint.Signed leaf
    assert store.verify() == []
