#!/usr/bin/env bash
# The project's test command:  ./scripts/test.sh [pytest arguments...]
#
# Works on a fresh Debian machine that has python3 + pip, Java 17 and Maven (no Docker needed):
#   1. installs uv if missing and syncs the workspace (uv sync --frozen when uv.lock exists);
#   2. where PostgreSQL will be run locally (no DATABASE_URL, no Docker engine) and its binaries are missing,
#      installs the Debian 'postgresql' package (without creating/starting the distribution's own cluster);
#   3. where Kafka will be run locally (no KAFKA_BOOTSTRAP_SERVERS, no Docker engine), fetches the broker
#      jars from Maven Central into ~/.cache/pilot-infra/kafka-<version>/lib (once);
#      where /usr/bin/chromium is missing, installs Debian's 'chromium' and 'fonts-noto-cjk' (tests/console);
#      where the CJK fonts or WeasyPrint's libraries (Pango, HarfBuzz subset: the approved list's PDF) are missing,
#      installs 'fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0';
#   4. installs the manifest tools (kustomize, kube-score) with `go install` into ~/.cache/pilot-infra/bin (once);
#   5. runs pytest; the session fixtures in tests/infra start the servers on demand and stop them at the end.
#
# Environment: DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS use existing servers; PILOT_INFRA=local|docker forces
# local processes or testcontainers. Exit code: pytest's.
set -euo pipefail

cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

say() { echo "[test.sh] $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n env DEBIAN_FRONTEND=noninteractive "$@"
    else
        return 1
    fi
}

# --- 1. uv and the workspace ------------------------------------------------------------------------------
export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
    say "installing uv with pip"
    python3 -m pip install --quiet uv </dev/null \
        || python3 -m pip install --quiet --break-system-packages uv </dev/null \
        || python3 -m pip install --quiet --user --break-system-packages uv </dev/null
    hash -r
fi

if [ -f uv.lock ]; then
    uv sync --frozen </dev/null
    UV_RUN=(uv run --frozen)
else
    uv sync </dev/null
    UV_RUN=(uv run)
fi

# --- which servers will be local processes? -----------------------------------------------------------------
docker_answers() {
    case "${PILOT_INFRA:-auto}" in
        local) return 1 ;;
        docker) return 0 ;;
    esac
    command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1 </dev/null
}

if docker_answers; then
    DOCKER=yes
else
    DOCKER=no
fi

# --- 2. PostgreSQL binaries ----------------------------------------------------------------------------------
have_pg_binaries() {
    [ -n "${PG_BINDIR:-}" ] && [ -x "${PG_BINDIR}/postgres" ] && return 0
    compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

if [ -z "${DATABASE_URL:-}" ] && [ "$DOCKER" = no ] && ! have_pg_binaries; then
    say "PostgreSQL binaries missing: installing the Debian 'postgresql' package"
    if as_root apt-get update </dev/null \
        && as_root apt-get install -y --no-install-recommends postgresql-common </dev/null \
        && as_root sed -ri 's/^#?\s*(create_main_cluster)\s*=.*$/\1 = false/' /etc/postgresql-common/createcluster.conf \
        && as_root apt-get install -y --no-install-recommends postgresql </dev/null; then
        say "PostgreSQL installed: $(compgen -G '/usr/lib/postgresql/*/bin/postgres' | tr '\n' ' ')"
    else
        say "WARNING: could not install PostgreSQL (needs root or passwordless sudo); tests needing it will fail"
    fi
fi

# --- 2b. Chromium, CJK fonts and WeasyPrint's libraries (tests/console drives the console in Debian's Chromium,
# Playwright downloads nothing; the approved list's PDF is drawn by WeasyPrint with Pango and Noto CJK)
CONSOLE_PACKAGES=()
[ -x "${PILOT_CHROMIUM:-/usr/bin/chromium}" ] || CONSOLE_PACKAGES+=(chromium)
for package in fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || CONSOLE_PACKAGES+=("$package")
done
if [ "${#CONSOLE_PACKAGES[@]}" -gt 0 ]; then
    say "missing for tests/console: installing the Debian packages ${CONSOLE_PACKAGES[*]}"
    if as_root apt-get update </dev/null \
        && as_root apt-get install -y --no-install-recommends "${CONSOLE_PACKAGES[@]}" </dev/null; then
        say "installed: ${CONSOLE_PACKAGES[*]}"
    else
        say "WARNING: could not install ${CONSOLE_PACKAGES[*]} (needs root or passwordless sudo); tests/console will fail"
    fi
fi

# --- 3. Kafka jars ---------------------------------------------------------------------------------------------
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ] && [ "$DOCKER" = no ]; then
    if ! "${UV_RUN[@]}" python -m tests.infra fetch-kafka </dev/null >/dev/null; then
        say "WARNING: fetching the Kafka jars failed (mvn); tests needing Kafka will fail"
    fi
fi

# --- 4. kustomize and kube-score (tests/deploy validates the Kubernetes manifests offline with them) -----------
TOOLS_BIN="$HOME/.cache/pilot-infra/bin"
[ -d /usr/local/go/bin ] && export PATH="$PATH:/usr/local/go/bin"
install_go_tool() {  # name module@version
    if [ ! -x "$TOOLS_BIN/$1" ]; then
        if command -v go >/dev/null 2>&1; then
            say "installing $1 ($2) with go install"
            GOBIN="$TOOLS_BIN" GOFLAGS=-mod=mod go install "$2" </dev/null >&2 \
                || say "WARNING: could not install $1; tests/deploy will fail"
        else
            say "WARNING: no Go toolchain to install $1; tests/deploy will fail"
        fi
    fi
}
install_go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5@v5.7.1
install_go_tool kube-score github.com/zegl/kube-score/cmd/kube-score@v1.20.0

# --- 5. the tests ------------------------------------------------------------------------------------------------
exec "${UV_RUN[@]}" pytest "$@"
