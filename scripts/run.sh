#!/usr/bin/env bash
# The embedded default: all three services in one process on SQLite files under ./data, with demo data.
#   ./scripts/run.sh [--reset] [--port 8000] [--data DIR] [--clock-start ISO-8601]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
    python3 -m pip install --quiet uv </dev/null || python3 -m pip install --quiet --break-system-packages uv </dev/null
    hash -r
fi
uv sync --frozen --quiet </dev/null
exec uv run --frozen python -m pilots_embedded "$@"
