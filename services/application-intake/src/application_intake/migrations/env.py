"""Alembic environment of this service's migrations (run by `python -m <service> migrate`)."""

from pilot_common.migrations import run_env

run_env()
