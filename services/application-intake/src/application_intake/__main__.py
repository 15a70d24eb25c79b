"""Distributed mode: `python -m application_intake` (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, PILOT_PORT,
PILOT_WORKERS)."""

from application_intake.bootstrap import build_intake, settings_from_env
from pilot_common.serve import serve

if __name__ == "__main__":
    serve(settings_from_env(), build_intake, factory="application_intake.bootstrap:create_app")
