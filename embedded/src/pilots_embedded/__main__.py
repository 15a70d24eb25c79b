"""`python -m pilots_embedded`: the three services in one process on SQLite files under a data folder.

--data DIR     where the SQLite files live (default ./data); kept between runs
--reset        start afresh (deletes the data folder's databases)
--port N       HTTP port (default 8000)
--clock-start  business time to start from (default 2023-03-20T09:00:00+08:00, inside batch 2's window)
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from application_intake.bootstrap import build_intake
from application_intake.migrations import MIGRATIONS as INTAKE_MIGRATIONS
from evaluation.application import EvaluationService
from evaluation.bootstrap import build_evaluation
from evaluation.migrations import MIGRATIONS as EVALUATION_MIGRATIONS
from pilot_common.auth import DEMO_USERS, TokenIssuer, TokenVerifier
from pilot_common.logging import configure_logging
from pilot_common.migrations import migrate
from pilot_common.problems import install_problem_handlers
from pilot_common.runtime import AssembledService, business_clock_for
from pilot_common.serve import settle_heap
from pilot_common.settings import ServiceSettings
from pilot_common.transport.inprocess import InProcessBus
from pilot_common.web import SecurityHeadersMiddleware
from pilot_console.app import create_console
from pilot_console.settings import ConsoleSettings
from pilot_registry.application import PilotRegistry
from pilot_registry.bootstrap import build_registry
from pilot_registry.migrations import MIGRATIONS as REGISTRY_MIGRATIONS
from pilots_embedded import demo
from pilots_embedded.clock_api import clock_router

DEFAULT_CLOCK_START = "2023-03-20T09:00:00+08:00"
MOUNTS = {"pilot-registry": "/registry", "application-intake": "/intake", "evaluation": "/evaluation"}


def build_platform(data: Path, clock_start: datetime) -> tuple[FastAPI, dict[str, AssembledService], bool]:
    data.mkdir(parents=True, exist_ok=True)
    first_start = not (data / ".seeded").exists()
    bus = InProcessBus()

    def settings(service: str) -> ServiceSettings:
        return ServiceSettings(
            service_name=service,
            database_url=f"sqlite:///{data.resolve()}/{service}.db",
            kafka_bootstrap_servers=None,
            dev_tokens_enabled=True,
            clock_start=clock_start,
        )

    # The embedded default migrates its own SQLite files at start (distributed mode runs `migrate` beforehand).
    for migrations in (REGISTRY_MIGRATIONS, INTAKE_MIGRATIONS, EVALUATION_MIGRATIONS):
        migrate(migrations, settings(migrations.service).database_url)
    # One business clock for the whole deployment, kept in the registry's database (DESIGN "Time").
    clock = business_clock_for(settings("pilot-registry"))
    services = {
        "pilot-registry": build_registry(settings("pilot-registry"), bus, clock=clock),
        "application-intake": build_intake(settings("application-intake"), bus, clock=clock),
        "evaluation": build_evaluation(settings("evaluation"), bus, clock=clock),
    }
    # One application's story across the three: `?scope=deployment` on any service's story endpoint.
    for service in services.values():
        service.api.state.story_sources = [s.runtime.app for s in services.values()]
    # The shared clock is read and moved at /registry/clock (behind the registry's authentication).
    services["pilot-registry"].api.include_router(clock_router(clock))
    if first_start:
        registry, evaluation = services["pilot-registry"].runtime.app, services["evaluation"].runtime.app
        assert isinstance(registry, PilotRegistry) and isinstance(evaluation, EvaluationService)
        demo.seed_registry(registry)
        demo.seed_evaluation(evaluation)
        (data / ".seeded").write_text("seeded\n")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for service in services.values():
            service.runtime.start()
        settle_heap()
        try:
            yield
        finally:
            for service in services.values():
                service.runtime.stop()

    # The services document themselves (offline Swagger UI under each mount); the platform only routes, and its
    # own errors (an unknown path) are problem+json like theirs.
    platform = FastAPI(
        title="清洁生产审核创新试点 — embedded platform",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    install_problem_handlers(platform)
    platform.add_middleware(SecurityHeadersMiddleware)
    for name, service in services.items():
        platform.mount(MOUNTS[name], service.api)

    @platform.get("/api")
    def index() -> dict[str, dict[str, str]]:
        return {name: {"docs": f"{path}/docs", "openapi": f"{path}/openapi.json"} for name, path in MOUNTS.items()}

    # The console at `/`, mounted last (after the services' paths): a client of the same process's public APIs,
    # called in-process (ASGI) with the signed-in user's token, exactly as in distributed mode over HTTP.
    platform.mount("/", build_console(platform, data))
    return platform, services, first_start


def build_console(platform: FastAPI, data: Path) -> FastAPI:
    secret_file = data / "console-session.key"
    if not secret_file.exists():  # kept with the data, so that a restart keeps people signed in
        secret_file.write_text(secrets.token_urlsafe(48))
        secret_file.chmod(0o600)
    base = "http://embedded"
    settings = ConsoleSettings(
        registry_url=f"{base}{MOUNTS['pilot-registry']}",
        intake_url=f"{base}{MOUNTS['application-intake']}",
        evaluation_url=f"{base}{MOUNTS['evaluation']}",
        session_secret=secret_file.read_text().strip(),
        demo_sign_in=True,
    )
    verifier = TokenVerifier.from_settings(ServiceSettings(service_name="embedded"))
    return create_console(
        settings, transport=httpx.ASGITransport(app=platform), verifier=verifier, demo_users=DEMO_USERS
    )


def main() -> None:
    # eventsourcing-sqlalchemy names every tracking record class alike; harmless, but noise for a first-time user
    warnings.filterwarnings("ignore", message="This declarative base already contains a class")
    parser = argparse.ArgumentParser(prog="pilots_embedded", description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--clock-start", default=DEFAULT_CLOCK_START)
    args = parser.parse_args()
    if args.reset and args.data.exists():
        shutil.rmtree(args.data)
    configure_logging("embedded", "WARNING")
    base = f"http://{args.host}:{args.port}"
    # The console first: the tour starts in the browser; the APIs and tokens below are for integrators.
    print(f"控制台 console: {base}/   (open it in a browser and sign in as a demo user)", flush=True)
    platform, _, first_start = build_platform(args.data, datetime.fromisoformat(args.clock_start))
    issuer = TokenIssuer.from_settings(ServiceSettings(service_name="embedded"))
    print(f"清洁生产审核创新试点 — embedded platform ({'seeded now' if first_start else 'data kept'}: {args.data}/)")
    print(f"business clock starts at {args.clock_start}")
    for name, path in MOUNTS.items():
        print(f"  {name:<20} {base}{path}/docs")
    print("demo tokens (Authorization: Bearer <token>):")
    for user, token in demo.demo_tokens(issuer):
        print(f"  {user.label:<28} {user.sub:<12} {token}")
    uvicorn.run(platform, host=args.host, port=args.port, log_config=None)


if __name__ == "__main__":
    main()
