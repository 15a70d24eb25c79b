"""Distributed mode: `python -m application_intake` (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, PILOT_PORT,
PILOT_WORKERS) serves; `python -m application_intake migrate [--check]` brings DATABASE_URL to the head revision
first."""

import sys

from application_intake.bootstrap import build_intake, settings_from_env
from application_intake.migrations import MIGRATIONS
from pilot_common.migrations import main as migrate_main
from pilot_common.serve import serve

if __name__ == "__main__":
    if sys.argv[1:2] == ["migrate"]:
        sys.exit(migrate_main(MIGRATIONS, settings_from_env().database_url, sys.argv[2:]))
    serve(settings_from_env(), build_intake, factory="application_intake.bootstrap:create_app")
