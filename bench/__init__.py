"""Benchmarks: each runs the product and a raw baseline of the same building blocks, on the same servers, in the
same run, and prints both figures and their ratio (machines here are noisy; only ratios compare across runs).

`uv run python -m bench pipeline` (see `python -m bench --help`). Servers: `DATABASE_URL` /
`KAFKA_BOOTSTRAP_SERVERS` when set, else throwaway local ones as the tests start them (`tests/infra`).
Not part of the test suite: nothing here asserts a figure.
"""
