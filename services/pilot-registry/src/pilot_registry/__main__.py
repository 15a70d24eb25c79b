"""Distributed mode: `python -m pilot_registry` (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, PILOT_PORT) serves;
`python -m pilot_registry migrate [--check]` brings DATABASE_URL to the head revision first."""

import sys

from pilot_common.migrations import main as migrate_main
from pilot_common.serve import serve
from pilot_registry.bootstrap import build_registry, settings_from_env
from pilot_registry.migrations import MIGRATIONS

if __name__ == "__main__":
    if sys.argv[1:2] == ["migrate"]:
        sys.exit(migrate_main(MIGRATIONS, settings_from_env().database_url, sys.argv[2:]))
    serve(settings_from_env(), build_registry)
