"""Distributed mode: `python -m evaluation` (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, PILOT_PORT)."""

from evaluation.bootstrap import build_evaluation, settings_from_env
from pilot_common.serve import serve

if __name__ == "__main__":
    serve(settings_from_env(), build_evaluation)
