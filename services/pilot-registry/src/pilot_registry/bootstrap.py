"""The registry's composition root: the only place that builds infrastructure and wires it in."""

from __future__ import annotations

from pilot_common.clock import Clock
from pilot_common.migrations import require_migrated
from pilot_common.runtime import AssembledService, assemble_service, business_clock_for, prepare_database
from pilot_common.settings import ServiceSettings
from pilot_common.transport import EventTransport
from pilot_registry.api import findings, organisations, pilot_objects, pilots, programmes, reference
from pilot_registry.application import SERVICE_NAME, PilotRegistry
from pilot_registry.consumers import CONSUMES, HANDLERS
from pilot_registry.migrations import MIGRATIONS

DESCRIPTION = """
清洁生产审核创新试点 · 试点登记服务 (pilot-registry).

Programmes and their rules as data, reference data, organisations, pilot objects and their findings, the approved
pilots and their one-year implementation, and the deemed-audit credits of enterprises in passed pilots.
Ministry staff write; provinces read their own; auditors read everything.
"""


def build_registry(
    settings: ServiceSettings, bus: EventTransport | None = None, seed: bool = True, clock: Clock | None = None
) -> AssembledService:
    prepare_database(settings.database_url)
    require_migrated(MIGRATIONS, settings.database_url)
    registry = PilotRegistry(settings.database_url, HANDLERS, clock=clock or business_clock_for(settings))
    if seed:
        registry.seed_batch_2()
    return assemble_service(
        settings,
        registry,
        bus,
        consumes=CONSUMES,
        title="pilot-registry 试点登记",
        description=DESCRIPTION,
        routers=[
            reference.router,
            programmes.router,
            organisations.router,
            pilot_objects.router,
            findings.router,
            pilots.router,
        ],
        state_name="registry",
    )


def settings_from_env() -> ServiceSettings:
    return ServiceSettings(service_name=SERVICE_NAME)
