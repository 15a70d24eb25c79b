"""Read-model rebuild (the auditors' rebuild check) vs a raw scan + decode of the same store, with peak memory.

A store of N events is made from real commands: one application is drafted, completed and submitted through
`ApplicationIntake` (12 events of its own), then its stored events are copied under new aggregate ids, with their
audit chain recomputed and their live read-model rows, in bulk, until the store holds N events. Then, each in a
fresh process:

- product: `ApplicationIntake.rebuild_check()` (every aggregate rebuilt from the store, projected into scratch
           tables and compared with the live read model); it must report no difference;
- raw:     the library's read path over every event (`select_notifications`, `mapper.to_domain_event`).

Printed per size: seconds, events/s, peak RSS of each, and the speed ratio product ÷ raw (target ≥ 0.5); across
sizes the product's peak RSS at the largest ÷ smallest (target ≤ 1.2 between 100 k and 1 M events).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import uuid
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select
from sqlalchemy.pool import NullPool

from application_intake.application import ApplicationIntake
from application_intake.projections.tables import applications
from bench.command import IN_WINDOW, one_application
from bench.servers import Servers, servers
from pilot_common.clock import ShiftedClock
from pilot_common.persistence import GENESIS_HASH, chain_hash
from tests.schema import migrated
from tests.services.intake_support import seed_registry_copy

BATCH_EVENTS = 20_000


def build(env: Servers, size: int) -> str:
    url = migrated("application-intake", env.database(f"rebuild{size}"))
    programme_id, org_id, object_id = seed_registry_copy(url, extra_slots=1_000_000)
    intake = ApplicationIntake(url, clock=ShiftedClock(IN_WINDOW))
    one_application(intake, programme_id, org_id, object_id, [])
    recorder = intake.audited_recorder
    events_table = recorder.events_record_cls.__table__
    engine = intake.datastore.engine
    assert isinstance(engine, Engine)
    with engine.connect() as connection:
        template_row = connection.execute(select(applications)).mappings().one()
        source = uuid.UUID(template_row["id"])
        template = list(
            connection.execute(
                select(events_table.c.originator_version, events_table.c.topic, events_table.c.state)
                .where(events_table.c.originator_id == source)
                .order_by(events_table.c.originator_version)
            )
        )
        audit_template = {
            r.originator_version: dict(r._mapping)
            for r in connection.execute(select(recorder.audit).where(recorder.audit.c.originator_id == source))
        }
    existing = recorder.max_notification_id() or 0
    intake.close()
    per_aggregate = len(template)
    copies = max(0, (size - existing) // per_aggregate)
    bulk = create_engine(url, poolclass=NullPool)
    with bulk.begin() as connection:
        ev_rows: list[dict[str, Any]] = []
        au_rows: list[dict[str, Any]] = []
        rm_rows: list[dict[str, Any]] = []
        for n in range(copies):
            oid = uuid.UUID(int=n + 1)
            prev = GENESIS_HASH
            for version, topic, state in template:
                digest = chain_hash(prev, oid, version, topic, bytes(state))
                ev_rows.append({"originator_id": oid, "originator_version": version, "topic": topic, "state": state})
                au_rows.append({**audit_template[version], "originator_id": oid, "prev_hash": prev, "hash": digest})
                prev = digest
            rm_rows.append({**template_row, "id": str(oid)})
            if len(ev_rows) >= BATCH_EVENTS or n == copies - 1:
                connection.execute(insert(events_table), ev_rows)
                connection.execute(insert(recorder.audit), au_rows)
                connection.execute(insert(applications), rm_rows)
                ev_rows, au_rows, rm_rows = [], [], []
    bulk.dispose()
    return url


def measure(url: str, what: str) -> dict[str, Any]:
    intake = ApplicationIntake(url)
    started = time.perf_counter()
    if what == "raw":
        recorder = intake.audited_recorder
        count, position = 0, 0
        while True:
            page = recorder.select_notifications(start=position + 1, limit=2000)
            if not page:
                break
            for notification in page:
                intake.mapper.to_domain_event(notification)
            count += len(page)
            position = page[-1].id
        ok = True
    else:
        compared, differences = intake.rebuild_check()
        count = intake.audited_recorder.max_notification_id() or 0
        ok = not differences and sum(compared.values()) > 0
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    intake.close()
    return {"what": what, "events": count, "seconds": seconds, "peak_mib": peak_mib, "ok": ok}


def _child(url: str, what: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.rebuild", "--measure", what, "--url", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def run(sizes: list[int], env: Servers | None = None) -> dict[str, float]:
    env = env or servers()
    print("read-model rebuild (intake) vs raw scan + decode; each in its own process")
    print(f"{'events':>9} | {'product ev/s':>12} {'MiB':>5} | {'raw ev/s':>9} {'MiB':>5} | {'ratio':>5}")
    peaks: list[float] = []
    ratio = 0.0
    for size in sizes:
        url = build(env, size)
        p, r = _child(url, "product"), _child(url, "raw")
        assert p["ok"], f"the rebuild check found differences: {p}"
        peaks.append(p["peak_mib"])
        ratio = (p["events"] / p["seconds"]) / (r["events"] / r["seconds"])
        print(
            f"{p['events']:>9} | {p['events'] / p['seconds']:>12.0f} {p['peak_mib']:>5.0f} | "
            f"{r['events'] / r['seconds']:>9.0f} {r['peak_mib']:>5.0f} | {ratio:>5.2f}",
            flush=True,
        )
    growth = peaks[-1] / peaks[0] if len(peaks) > 1 else 1.0
    if len(peaks) > 1:
        print(f"   rebuild peak RSS, largest ÷ smallest size: {growth:.2f} (target ≤ 1.2 for 100 k → 1 M)")
    print("   target: rebuild ≥ 0.5 × raw scan + decode", flush=True)
    return {"ratio": ratio, "memory_growth": growth}


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.rebuild")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--measure", choices=["product", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.url, args.measure)))
        return 0
    run(args.sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
