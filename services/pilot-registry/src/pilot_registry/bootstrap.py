"""The registry's composition root: the only place that builds infrastructure and wires it in."""

from __future__ import annotations

from pilot_common.audit import AuditTrail
from pilot_common.audit_api import ReadModelCheck, audit_router
from pilot_common.contracts.catalogue import published_events
from pilot_common.runtime import AssembledService, ServiceRuntime, build_transport, prepare_database
from pilot_common.settings import ServiceSettings
from pilot_common.transport import EventTransport
from pilot_common.web import create_service_app
from pilot_registry.api import findings, organisations, pilot_objects, pilots, programmes, reference
from pilot_registry.application import SERVICE_NAME, PilotRegistry
from pilot_registry.consumers import CONSUMES, HANDLERS

DESCRIPTION = """
清洁生产审核创新试点 · 试点登记服务 (pilot-registry).

Programmes and their rules as data, reference data, organisations, pilot objects and their findings, the approved
pilots and their one-year implementation, and the deemed-audit credits of enterprises in passed pilots.
Ministry staff write; provinces read their own; auditors read everything.
"""


def build_registry(settings: ServiceSettings, bus: EventTransport | None = None, seed: bool = True) -> AssembledService:
    prepare_database(settings.database_url)
    registry = PilotRegistry(settings.database_url, HANDLERS)
    if seed:
        registry.seed_batch_2()
    runtime = ServiceRuntime(
        registry,
        build_transport(settings, bus),
        consumes=CONSUMES,
        published=published_events(),
        max_attempts=settings.consumer_max_attempts,
    )
    api = create_service_app(
        settings,
        title="pilot-registry 试点登记",
        description=DESCRIPTION,
        version="1.0.0",
        readiness_checks=runtime.readiness_checks(),
        lifespan=runtime.lifespan(),
    )
    api.state.registry = registry

    def rebuild_check() -> ReadModelCheck:
        compared, differences = registry.rebuild_check()
        return ReadModelCheck(ok=not differences, compared=compared, differences=differences)

    for router in (
        reference.router,
        programmes.router,
        organisations.router,
        pilot_objects.router,
        findings.router,
        pilots.router,
        audit_router(AuditTrail(registry), rebuild_check),
    ):
        api.include_router(router)
    return AssembledService(api=api, runtime=runtime)


def settings_from_env() -> ServiceSettings:
    return ServiceSettings(service_name=SERVICE_NAME)
