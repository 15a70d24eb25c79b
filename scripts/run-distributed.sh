#!/usr/bin/env bash
# Distributed mode: each service its own process (uvicorn), with its relay and consumers, on PostgreSQL and Kafka.
#
#   REGISTRY_DATABASE_URL=postgresql+psycopg://user:pw@host:5432/pilot_registry \
#   INTAKE_DATABASE_URL=postgresql+psycopg://user:pw@host:5432/application_intake \
#   EVALUATION_DATABASE_URL=postgresql+psycopg://user:pw@host:5432/evaluation \
#   KAFKA_BOOTSTRAP_SERVERS=host:9092 PILOT_JWT_SECRET=... \
#   ./scripts/run-distributed.sh
#
# Ports: PILOT_REGISTRY_PORT (8001), PILOT_INTAKE_PORT (8002), PILOT_EVALUATION_PORT (8003). Other PILOT_*
# settings (PILOT_KAFKA_NAMESPACE, PILOT_DEV_TOKENS, PILOT_CLOCK_START, PILOT_WORKERS…) apply to all three.
# With PILOT_CONSOLE_SESSION_SECRET set (and the console's OIDC settings, PILOT_CONSOLE_OIDC_*), also starts the
# console on PILOT_CONSOLE_PORT (8000), talking to the three services started here.
# Runs each service's schema migrations (`python -m <service> migrate`) first, then serves; stops all three on
# Ctrl-C or SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${REGISTRY_DATABASE_URL:?set REGISTRY_DATABASE_URL}"
: "${INTAKE_DATABASE_URL:?set INTAKE_DATABASE_URL}"
: "${EVALUATION_DATABASE_URL:?set EVALUATION_DATABASE_URL}"
: "${KAFKA_BOOTSTRAP_SERVERS:?set KAFKA_BOOTSTRAP_SERVERS}"
export PATH="$HOME/.local/bin:$PATH"
command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv </dev/null
uv sync --frozen --quiet </dev/null

pids=()
stop() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait || true
}
trap stop EXIT INT TERM

migrate() {  # module database-url: the schema to head before the service serves (no-op when it is there)
    DATABASE_URL="$2" uv run --frozen python -m "$1" migrate
}
migrate pilot_registry "$REGISTRY_DATABASE_URL"
migrate application_intake "$INTAKE_DATABASE_URL"
migrate evaluation "$EVALUATION_DATABASE_URL"

start() {  # module database-url port
    DATABASE_URL="$2" PILOT_PORT="$3" PILOT_HOST="${PILOT_HOST:-127.0.0.1}" \
        uv run --frozen python -m "$1" &
    pids+=("$!")
    echo "$1 on http://${PILOT_HOST:-127.0.0.1}:$3/docs (pid $!)"
}
start pilot_registry "$REGISTRY_DATABASE_URL" "${PILOT_REGISTRY_PORT:-8001}"
start application_intake "$INTAKE_DATABASE_URL" "${PILOT_INTAKE_PORT:-8002}"
start evaluation "$EVALUATION_DATABASE_URL" "${PILOT_EVALUATION_PORT:-8003}"
if [ -n "${PILOT_CONSOLE_SESSION_SECRET:-}" ]; then
    host="${PILOT_HOST:-127.0.0.1}"
    PILOT_CONSOLE_REGISTRY_URL="http://$host:${PILOT_REGISTRY_PORT:-8001}" \
    PILOT_CONSOLE_INTAKE_URL="http://$host:${PILOT_INTAKE_PORT:-8002}" \
    PILOT_CONSOLE_EVALUATION_URL="http://$host:${PILOT_EVALUATION_PORT:-8003}" \
    PILOT_PORT="${PILOT_CONSOLE_PORT:-8000}" PILOT_HOST="$host" uv run --frozen python -m pilot_console &
    pids+=("$!")
    echo "console on http://$host:${PILOT_CONSOLE_PORT:-8000}/ (pid $!)"
fi
wait -n
