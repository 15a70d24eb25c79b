"""Distributed mode: `python -m evaluation` (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, PILOT_PORT) serves;
`python -m evaluation migrate [--check]` brings DATABASE_URL to the head revision first."""

import sys

from evaluation.bootstrap import build_evaluation, settings_from_env
from evaluation.migrations import MIGRATIONS
from pilot_common.migrations import main as migrate_main
from pilot_common.serve import serve

if __name__ == "__main__":
    if sys.argv[1:2] == ["migrate"]:
        sys.exit(migrate_main(MIGRATIONS, settings_from_env().database_url, sys.argv[2:]))
    serve(settings_from_env(), build_evaluation)
