# syntax=docker/dockerfile:1.7
# One image for the three services; the command picks the service and `migrate` (see deploy/k8s, docker-compose.yml).
# uv's documented pattern for a workspace: the dependencies are a layer of their own (rebuilt only when uv.lock
# changes), then the workspace members are installed non-editable into the same virtual environment, and only
# that environment is copied into the runtime image, which runs as an unprivileged user with no uv and no sources.
#
# Pinned: the base by its full version (add @sha256:<digest> of your registry's copy to pin it by digest), uv by
# version. Build: docker build -t cleaner-production-pilots:dev .
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

FROM ${PYTHON_IMAGE} AS builder
COPY --from=uv /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=0 UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# 1. Third-party dependencies only (--frozen: the members' pyproject files are not needed yet).
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-dev --no-install-workspace
# 2. The workspace's own packages, installed as wheels (no editable links back to /app sources).
COPY pyproject.toml uv.lock ./
COPY libs libs
COPY services services
COPY embedded embedded
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 pilots \
    && useradd --system --uid 10001 --gid pilots --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pilots
COPY --from=builder --chown=root:root /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PILOT_HOST=0.0.0.0 \
    PILOT_PORT=8000
WORKDIR /tmp
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 8000
CMD ["python", "-m", "pilot_registry"]
