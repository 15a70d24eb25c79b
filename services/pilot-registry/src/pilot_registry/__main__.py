"""Distributed mode: `python -m pilot_registry` (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, PILOT_PORT)."""

from pilot_common.serve import serve
from pilot_registry.bootstrap import build_registry, settings_from_env

if __name__ == "__main__":
    serve(settings_from_env(), build_registry)
