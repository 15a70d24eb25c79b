"""``python -m tests.infra up``: start PostgreSQL and Kafka (same order of choice as the fixtures), print
``DATABASE_URL=...`` and ``KAFKA_BOOTSTRAP_SERVERS=...``, stay in the foreground until Ctrl-C/SIGTERM,
then stop both.

``python -m tests.infra fetch-kafka``: only fetch the Kafka jars into the cache (used by scripts/test.sh).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from tests.infra import install_sigterm_handler


def _up(args: argparse.Namespace) -> int:
    from tests.infra.kafka import KafkaBroker, start_kafka
    from tests.infra.postgres import PostgresServer, start_postgres

    install_sigterm_handler()
    pg: PostgresServer | None = None
    kafka: KafkaBroker | None = None
    try:
        if not args.no_postgres:
            pg = start_postgres()
        if not args.no_kafka:
            kafka = start_kafka()
        if pg is not None:
            print(f"DATABASE_URL={pg.admin_url}", flush=True)
        if kafka is not None:
            print(f"KAFKA_BOOTSTRAP_SERVERS={kafka.bootstrap_servers}", flush=True)
        print("# running; Ctrl-C or SIGTERM stops everything", file=sys.stderr, flush=True)
        threading.Event().wait()  # until KeyboardInterrupt (SIGINT, or SIGTERM via the handler)
    except KeyboardInterrupt:
        print("# stopping", file=sys.stderr, flush=True)
    finally:
        # a second Ctrl-C or SIGTERM must not interrupt the cleanup
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if kafka is not None:
            kafka.close()
        if pg is not None:
            pg.close()
    return 0


def _fetch_kafka(args: argparse.Namespace) -> int:
    from tests.infra.kafka import ensure_kafka_jars

    print(ensure_kafka_jars())
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m tests.infra")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start PostgreSQL and Kafka in the foreground")
    up.add_argument("--no-postgres", action="store_true")
    up.add_argument("--no-kafka", action="store_true")
    up.set_defaults(func=_up)
    fetch = sub.add_parser("fetch-kafka", help="fetch the Kafka broker jars (Maven) into the cache")
    fetch.set_defaults(func=_fetch_kafka)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
