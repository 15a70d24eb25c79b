"""Benchmark: verification of a whole store (audit chain + Merkle log + checkpoint) against a raw scan + decode.

    uv run python -m bench.audit                      # 100 000 and 1 000 000 events on SQLite files
    uv run python -m bench.audit --sizes 20000 200000 # smaller
    uv run python -m bench.audit --database postgresql+psycopg://user@host/db_prefix_

For each size a store is written (real domain events encoded by the service's mapper; audit chain and leaves as the
recorder writes them, in bulk), one checkpoint is signed, then fresh processes read it:

- raw:    the library's read path, every event in notification order (`select_notifications`) decoded into its
          domain event (`mapper.to_domain_event`): what a projection rebuild or a replay costs;
- json:   the floor, the same rows scanned and their state only `json.loads`-ed (printed for reference);
- verify: `verify_store` (chain recomputed from the stored bytes, leaves, Merkle root, checkpoint signature);
- chain:  today's per-aggregate `verify_audit_chain` alone, for comparison.

Printed: seconds and events per second of each, the ratio verify ÷ raw speed (target ≥ 0.7), and each process's
peak RSS (target: verify's at the largest size ≤ 1.2 × at the smallest). Not run by the tests; it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from eventsourcing.domain import event
from eventsourcing.utils import get_topic
from sqlalchemy import Engine, create_engine, insert, select
from sqlalchemy.pool import NullPool

from pilot_common.aggregate import AuditedAggregate
from pilot_common.merkle import CheckpointSigner
from pilot_common.migrations import create_platform_tables
from pilot_common.persistence import GENESIS_HASH, chain_hash
from pilot_common.service import ServiceApplication

PREFIX = "benchstore"
EVENTS_PER_AGGREGATE = 10
KEY_FILE_NAME = "bench.ed25519.pem"
WHEN = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ACTOR = {"user_id": "zhang.wei", "role": "ministry", "province": None, "organisation": "MEE"}


class Organisation(AuditedAggregate):
    """An organisation-like aggregate: the events the bench stores are its `Amended` events."""

    @event("Amended")
    def amend(self, name: str, credit_code: str, reason: str, changed: list[str]) -> None:
        self.name = name


class BenchStore(ServiceApplication):
    service: ClassVar[str] = "benchstore"


AMENDED: Any = vars(Organisation)["Amended"]  # made by @event, unknown to type checkers
TOPIC = get_topic(AMENDED)


def _recorder(url: str) -> Any:
    return BenchStore(url).audited_recorder


def build(url: str, size: int, key_file: Path) -> None:
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        create_platform_tables(connection, PREFIX)
    store = BenchStore(url)
    recorder = store.audited_recorder
    to_stored = store.mapper.to_stored_event
    events = recorder.events_record_cls.__table__
    batch = 10_000
    leaf = 0
    last_hash = GENESIS_HASH
    with engine.begin() as connection:
        for start in range(0, size, batch):
            ev_rows, au_rows, leaf_rows = [], [], []
            for n in range(start, min(start + batch, size)):
                aggregate, version = divmod(n, EVENTS_PER_AGGREGATE)
                version += 1
                oid = uuid.UUID(int=aggregate + 1)
                state = to_stored(
                    AMENDED(
                        originator_id=oid,
                        originator_version=version,
                        timestamp=WHEN,
                        actor=ACTOR,
                        correlation_id=f"{aggregate:032x}",
                        causation_id=None,
                        name=f"苏州工业园区管理委员会{aggregate}",
                        credit_code="11320571MB1234567X",
                        reason=f"第{version}次更名",
                        changed=["name"],
                    )
                ).state
                prev = GENESIS_HASH if version == 1 else last_hash
                digest = chain_hash(prev, oid, version, TOPIC, state)
                last_hash = digest
                ev_rows.append(
                    {"id": n + 1, "originator_id": oid, "originator_version": version, "topic": TOPIC, "state": state}
                )
                au_rows.append(
                    {
                        "originator_id": oid,
                        "originator_version": version,
                        "topic": TOPIC,
                        "recorded_at": "2026-11-30T12:00:00+00:00",
                        "actor_user_id": "zhang.wei",
                        "actor_role": "ministry",
                        "correlation_id": f"{aggregate:032x}",
                        "prev_hash": prev,
                        "hash": digest,
                    }
                )
                leaf_rows.append(
                    {
                        "leaf_index": leaf,
                        "notification_id": n + 1,
                        "originator_id": oid,
                        "originator_version": version,
                        "event_hash": digest,
                    }
                )
                leaf += 1
            connection.execute(insert(events), ev_rows)
            connection.execute(insert(recorder.audit), au_rows)
            connection.execute(insert(recorder.merkle), leaf_rows)
    engine.dispose()
    from pilot_common.translog import sign_checkpoint

    sign_checkpoint(recorder, CheckpointSigner.from_file("bench", key_file, create=True))


def measure(url: str, what: str, key_file: Path) -> dict[str, Any]:
    store = BenchStore(url)
    recorder = store.audited_recorder
    started = time.perf_counter()
    if what == "raw":
        count, position = 0, 0
        while True:
            page = recorder.select_notifications(start=position + 1, limit=2000)
            if not page:
                break
            for notification in page:
                store.mapper.to_domain_event(notification)
            count += len(page)
            position = page[-1].id
        ok = True
    elif what == "chain":
        from pilot_common.persistence import verify_audit_chain

        chain = verify_audit_chain(recorder)
        count, ok = chain.events_checked, chain.ok
    elif what == "json":
        events = recorder.events_record_cls.__table__
        query = select(
            events.c.id, events.c.originator_id, events.c.originator_version, events.c.topic, events.c.state
        ).order_by(events.c.id)
        count = 0
        engine = recorder.datastore.engine
        assert isinstance(engine, Engine)
        with engine.connect() as connection:
            for _, _, _, _, state in connection.execution_options(yield_per=2000).execute(query):
                json.loads(state)
                count += 1
        ok = True
    else:
        from pilot_common.translog import verify_store

        key = CheckpointSigner.from_file("bench", key_file).public_key
        report = verify_store(recorder, key)
        count, ok = report.events_checked, report.ok and report.latest_checkpoint is not None
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"what": what, "events": count, "seconds": seconds, "peak_mib": peak_mib, "ok": ok}


def _child(url: str, what: str, key_file: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.audit", "--measure", what, "--url", url, "--key", str(key_file)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--database", help="SQLAlchemy URL prefix of a server (default: SQLite files)")
    parser.add_argument("--measure", choices=["raw", "json", "verify", "chain"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--key", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.url, args.measure, args.key)))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    key_file = folder / KEY_FILE_NAME
    kinds = ("raw", "json", "verify", "chain")
    print("per size: seconds, events/s and peak RSS of each reading, in its own process")
    peaks = []
    for size in args.sizes:
        url = f"{args.database}{size}" if args.database else f"sqlite:///{folder}/store-{size}.db"
        build(url, size, key_file)
        got = {k: _child(url, k, key_file) for k in kinds}
        assert all(g["events"] == size and g["ok"] for g in got.values()), got
        peaks.append(got["verify"]["peak_mib"])
        for k in kinds:
            g = got[k]
            print(
                f"{size:>9} events  {k:<6} {g['seconds']:>8.2f} s {size / g['seconds']:>9.0f} ev/s "
                f"{g['peak_mib']:>6.0f} MiB"
            )
        raw_s = got["raw"]["seconds"]
        print(
            f"{size:>9} events  verify ÷ raw speed: {raw_s / got['verify']['seconds']:.2f}   "
            f"(today's chain alone: {raw_s / got['chain']['seconds']:.2f}; verify ÷ json floor: "
            f"{got['json']['seconds'] / got['verify']['seconds']:.2f})",
            flush=True,
        )
        if not args.database:
            os.remove(f"{folder}/store-{size}.db")
    if len(peaks) > 1:
        print(f"verify peak memory, largest ÷ smallest size: {peaks[-1] / peaks[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
