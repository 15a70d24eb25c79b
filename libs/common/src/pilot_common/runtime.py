"""The running parts of one service around its application: transport, relay, consumer, lifecycle.

Each service's `bootstrap.py` (its composition root) builds one `ServiceRuntime`; nothing else constructs
infrastructure. The same runtime runs on Kafka (distributed) or on an in-process bus (embedded).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextvars import copy_context
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool
from starlette.types import ASGIApp, Receive, Scope, Send

from pilot_common.aggregate import AuditedAggregate
from pilot_common.auth import require_roles
from pilot_common.clock import PersistedClock, using_clock
from pilot_common.consumer import EventConsumer
from pilot_common.context import Role
from pilot_common.health import ReadinessCheck
from pilot_common.observability import BACKBONE, configure_tracing
from pilot_common.relay import OutboxRelay
from pilot_common.service import ServiceApplication
from pilot_common.settings import ServiceSettings
from pilot_common.translog import CheckpointTimer, signer_for
from pilot_common.transport import EventTransport, TopicLayout, TransportError, service_topic
from pilot_common.transport.kafka import KafkaTransport

log = logging.getLogger(__name__)
T = TypeVar("T")


def build_transport(settings: ServiceSettings, bus: EventTransport | None = None) -> EventTransport:
    """Kafka when the settings name brokers, else the given in-process bus (embedded mode)."""
    if settings.kafka_bootstrap_servers:
        return KafkaTransport(
            settings.kafka_bootstrap_servers,
            client_id=settings.service_name,
            namespace=settings.kafka_namespace,
            layout=topic_layout(settings),
            session_timeout_ms=settings.kafka_session_timeout_ms,
            group_instance_id=settings.kafka_group_instance_id,
        )
    if bus is None:
        raise ValueError("no KAFKA_BOOTSTRAP_SERVERS and no in-process bus given")
    return bus


def topic_layout(settings: ServiceSettings) -> TopicLayout:
    return TopicLayout(
        partitions=settings.kafka_partitions,
        replication_factor=settings.kafka_replication_factor,
        min_insync_replicas=settings.kafka_min_insync_replicas,
        create=settings.kafka_create_topics,
    )


def published_event_types(service: str, aggregates: Sequence[type[AuditedAggregate]]) -> frozenset[str]:
    """The event types a service publishes, read off its aggregate classes (`<service>.<Aggregate>.<Event>`)."""
    types = set()
    for aggregate in aggregates:
        for attr in vars(aggregate).values():
            if isinstance(attr, type) and issubclass(attr, AuditedAggregate.Event):
                types.add(f"{service}.{attr.__qualname__}")
    return frozenset(types)


def prepare_database(database_url: str) -> None:
    """Creates the folder of an embedded SQLite file; server databases exist already."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


@dataclass
class AssembledService:
    """One service put together by its composition root: the HTTP API and the running parts behind it."""

    api: FastAPI
    runtime: ServiceRuntime


class CommandThreads:
    """Where an API's command routes run their blocking work (the access check, the command's transaction, the
    detail it answers with): one hand-off from the event loop per request, to this pool's threads, in a copy of the
    request's context (its call context, business clock and span).

    The event loop's `run_in_executor` rather than anyio's worker threads (`run_in_threadpool`): the same hand-off
    for about three quarters of the event loop's CPU, since anyio looks up its backend, a capacity limiter and a
    cancel scope on every call (docs/performance.md, round 8)."""

    def __init__(self, name: str, size: int = 40) -> None:
        self._name = name
        self._size = size  # anyio's default, which these routes had before
        self._executor = self._new()

    def _new(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self._size, thread_name_prefix=f"{self._name}-command")

    async def run(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, copy_context().run, call)

    def close(self) -> None:
        """The calls under way finish, the idle threads end; a later call starts new ones."""
        old, self._executor = self._executor, self._new()
        old.shutdown(wait=False)


def command_threads(request: Request) -> CommandThreads:
    """The command threads of the service serving the request (`assemble_service` puts them on its app's state)."""
    threads: CommandThreads = request.app.state.command_threads
    return threads


class ServiceRuntime:
    def __init__(
        self,
        app: ServiceApplication,
        transport: EventTransport,
        consumes: Sequence[str] = (),
        published: Mapping[str, frozenset[str]] | None = None,
        max_attempts: int = 3,
        relay_lease_seconds: float = 15.0,
    ) -> None:
        """`consumes` names the upstream services; `published` their event types, to check the handler table."""
        self.app = app
        self.transport = transport
        if consumes:
            catalogue = published or {}
            missing = [s for s in consumes if s not in catalogue]
            if missing:
                raise ValueError(f"no published event types known for {missing}")
            app.handlers.check({s: catalogue[s] for s in consumes})
        self.relay = OutboxRelay(app, transport, lease_seconds=relay_lease_seconds)
        app.on_recorded(self.relay.wake)
        self.consumer = (
            EventConsumer(app, transport, [service_topic(s) for s in consumes], max_attempts=max_attempts)
            if consumes
            else None
        )
        self.checkpoints: CheckpointTimer | None = None  # set by assemble_service
        self.command_threads = CommandThreads(app.service)
        self._started = False
        BACKBONE.add(self)  # its lags and counts appear on /metrics while it runs

    @property
    def started(self) -> bool:
        return self._started

    def verify_backbone(self) -> None:
        """Refuses to start (BackboneMisconfigured, naming the topic) when a topic is missing or differs from its
        declaration, rather than stalling later. A broker that does not answer yet is not a refusal: the relay and
        the consumer keep trying, and readiness says so."""
        try:
            self.relay.verify_topic()
            if self.consumer is not None:
                self.consumer.verify_topics()
        except TransportError as e:
            log.warning("event backbone not reachable at start; will keep trying", extra={"error": repr(e)})

    def start(self) -> None:
        if not self._started:
            self.verify_backbone()
            if self.checkpoints is not None:
                self.checkpoints.start()
            self.relay.start()
            if self.consumer is not None:
                self.consumer.start()
            self._started = True

    def stop(self) -> None:
        if self._started:
            if self.consumer is not None:
                self.consumer.stop()
            self.relay.stop()
            if self.checkpoints is not None:
                self.checkpoints.stop()
            self.command_threads.close()
            self._started = False

    def database_ready(self) -> bool:
        with self.app.reading() as session:
            session.execute(text("SELECT 1"))
        return True

    def backbone_status(self) -> dict[str, Any]:
        """Relay and consumer figures for operators: lag, interruptions, dead letters."""
        status: dict[str, Any] = {
            "relay": {
                "running": self.relay.running,
                "lease_held": self.relay.lease.held,
                "position": self.relay.position,
                "lag": self.relay.lag(),
                "published": self.relay.published,
            }
        }
        if self.consumer is not None:
            c = self.consumer.status
            status["consumer"] = {
                "running": self.consumer.running,
                "processed": c.processed,
                "skipped": c.skipped,
                "ignored": c.ignored,
                "dead_lettered": c.dead_lettered,
                "interruptions": c.interruptions,
                "last_interruption": c.last_interruption,
                "lag": c.lag,
                "lag_total": sum(c.lag.values()),
            }
        return status

    def backbone_running(self) -> bool:
        """The relay's and the consumer's threads are alive (they retry faults themselves; a dead one is a bug)."""
        if not self._started:
            return True
        return self.relay.running and (self.consumer is None or self.consumer.running)

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return {"database": self.database_ready, "event_backbone": self.backbone_running}

    def lifespan(self) -> Any:
        @asynccontextmanager
        async def run(_: FastAPI) -> AsyncIterator[None]:
            self.start()
            try:
                yield
            finally:
                self.stop()

        return run


class BusinessClockMiddleware:
    """Every request runs on its service's business clock: the events it records carry that business time."""

    def __init__(self, app: ASGIApp, service: ServiceApplication) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with using_clock(self.service.clock):
            await self.app(scope, receive, send)


def business_clock_for(settings: ServiceSettings) -> PersistedClock:
    """The service's persisted business clock, in its own database, started at `PILOT_CLOCK_START` the first time
    (a later start moves it forward; it never runs backwards)."""
    # Used at start and when moved: no pool, so no idle connection is held for it.
    engine = create_engine(settings.database_url, poolclass=NullPool)
    return PersistedClock(engine, settings.clock_start)


def assemble_service(
    settings: ServiceSettings,
    app: ServiceApplication,
    bus: EventTransport | None,
    *,
    consumes: Sequence[str],
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    state_name: str,
) -> AssembledService:
    """What every service's composition root does alike: the runtime on its transport, the FastAPI app with the
    common pieces, the service's routers, and the audit endpoints (with the read-model rebuild check)."""
    from pilot_common.audit import AuditTrail
    from pilot_common.audit_api import ReadModelCheck, audit_router
    from pilot_common.contracts.catalogue import published_events
    from pilot_common.web import create_service_app

    configure_tracing(settings.service_name)  # exports only with OTEL_TRACES_EXPORTER=otlp
    runtime = ServiceRuntime(
        app,
        build_transport(settings, bus),
        consumes=consumes,
        published=published_events(),
        max_attempts=settings.consumer_max_attempts,
        relay_lease_seconds=settings.relay_lease_seconds,
    )
    api = create_service_app(
        settings,
        title=title,
        description=description,
        version="1.0.0",
        readiness_checks=runtime.readiness_checks(),
        lifespan=runtime.lifespan(),
    )
    setattr(api.state, state_name, app)
    api.state.command_threads = runtime.command_threads
    signer = signer_for(app.service, settings.signing_key, settings.signing_key_file, settings.database_url)
    runtime.checkpoints = CheckpointTimer(app, signer, settings.checkpoint_interval_seconds)
    api.add_middleware(BusinessClockMiddleware, service=app)

    def rebuild_check() -> ReadModelCheck:
        compared, differences = app.rebuild_check()
        return ReadModelCheck(ok=not differences, compared=compared, differences=differences)

    # Interruptions carry error text (hosts, SQL): staff and auditors only; unauthenticated figures are /metrics.
    backbone = APIRouter(tags=["health"], dependencies=[Depends(require_roles(Role.MINISTRY, Role.AUDITOR))])
    backbone.add_api_route(
        "/ops/backbone",
        runtime.backbone_status,
        methods=["GET"],
        summary="事件总线状态 · Relay and consumer lag, interruptions and dead letters (staff and auditors)",
    )
    from pilot_common.story import story_router

    for router in (*routers, backbone, audit_router(AuditTrail(app, signer), rebuild_check), story_router(app)):
        api.include_router(router)
    return AssembledService(api=api, runtime=runtime)
