"""`python -m bench NAME [options]`: run one benchmark and print product vs raw figures."""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="name", required=True)
    pipeline = sub.add_parser("pipeline", help="relay → Kafka → consumer read model vs raw producer/consumer")
    pipeline.add_argument("--rate", type=float, action="append", help="events/s offered (repeatable; 50 and 200)")
    pipeline.add_argument("--seconds", type=float, default=8.0, help="how long each rate is offered")
    args = parser.parse_args(argv)
    if args.name == "pipeline":
        from bench.pipeline import run

        run(rates=args.rate or [50.0, 200.0], seconds=args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
