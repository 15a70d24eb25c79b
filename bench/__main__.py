"""`python -m bench NAME [options]`: run one benchmark (or `all`) and print product vs raw figures."""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="name", required=True)
    every = sub.add_parser("all", help="every pair below, at the sizes given (defaults finish in a few minutes)")
    every.add_argument("--quick", action="store_true", help="small sizes everywhere (a smoke run, ~1 minute)")
    command = sub.add_parser("command", help="intake's command path vs the library's own recorder, same shape")
    http = sub.add_parser("http", help="the command path over HTTP (uvicorn, 1 and 2 workers) vs in process")
    http.add_argument("--applications", type=int, help="applications of 11 requests each (default 120)")
    http.add_argument("--rounds", type=int, default=3, help="rounds of the three runs; the median ratio (default 3)")
    pipeline = sub.add_parser("pipeline", help="relay → Kafka → consumer read model vs raw producer/consumer")
    pipeline.add_argument("--rate", type=float, action="append", help="events/s offered (repeatable; 50 and 200)")
    pipeline.add_argument("--seconds", type=float, default=8.0, help="how long each rate is offered")
    pipeline.add_argument("--backlog", type=int, default=5000, help="events a consumer catches up on (0 skips)")
    rebuild = sub.add_parser("rebuild", help="read-model rebuild vs raw scan + decode, with peak RSS")
    evaluation = sub.add_parser("evaluation", help="ranking vs SELECT + sort; assignment of N × 3")
    for p in (every, command):
        p.add_argument("--applications", type=int, help="applications of 11 commands each (default 300)")
    for p in (every, rebuild):
        p.add_argument(
            "--rebuild-sizes", type=int, nargs="+", help="store sizes in events (default 20000 100000; 1000000 too)"
        )
    for p in (every, evaluation):
        p.add_argument("--ranking", type=int, help="applications ranked (default 10000; 0 skips)")
        p.add_argument("--assignment", type=int, help="applications assigned 3 reviewers (default 10000; 0 skips)")
    every.add_argument("--rates", type=float, nargs="+", help="pipeline rates offered (default 50 200)")
    every.add_argument("--seconds", type=float, help="pipeline seconds per rate (default 8)")
    args = parser.parse_args(argv)
    if args.name == "pipeline":
        from bench.pipeline import run

        run(rates=args.rate or [50.0, 200.0], seconds=args.seconds, backlog=args.backlog)
    elif args.name == "command":
        from bench.command import run as run_command

        run_command(args.applications or 300)
    elif args.name == "http":
        from bench.http import run as run_http

        run_http(args.applications or 120, rounds=args.rounds)
    elif args.name == "rebuild":
        from bench.rebuild import run as run_rebuild

        run_rebuild(args.rebuild_sizes or [20_000, 100_000])
    elif args.name == "evaluation":
        from bench.evaluation import run as run_evaluation

        run_evaluation(_size(args.ranking, 10_000), _size(args.assignment, 10_000))
    elif args.name == "all":
        run_all(args)
    return 0


def _size(given: int | None, default: int) -> int:
    return default if given is None else given


def run_all(args: argparse.Namespace) -> None:
    """Every pair, one after the other on the same servers (only ratios compare across runs)."""
    from bench.command import run as run_command
    from bench.evaluation import run as run_evaluation
    from bench.http import run as run_http
    from bench.pipeline import run as run_pipeline
    from bench.rebuild import run as run_rebuild
    from bench.servers import servers

    env = servers()
    quick = args.quick
    run_command(args.applications or (30 if quick else 300), env)
    print()
    run_http(20 if quick else 120, env, rounds=1 if quick else 3)
    print()
    run_pipeline(args.rates or ([50.0] if quick else [50.0, 200.0]), args.seconds or (3 if quick else 8), env)
    print()
    run_rebuild(args.rebuild_sizes or ([5_000, 20_000] if quick else [20_000, 100_000]), env)
    print()
    ranked, assigned = _size(args.ranking, 1_000 if quick else 10_000), _size(args.assignment, 500 if quick else 10_000)
    run_evaluation(ranked, assigned, env)


if __name__ == "__main__":
    sys.exit(main())
