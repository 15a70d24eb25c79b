"""Intake's composition root: the only place that builds infrastructure and wires it in."""

from __future__ import annotations

from fastapi import FastAPI

from application_intake.api import applications, audit_replay
from application_intake.api import registry_copy as registry_copy_api
from application_intake.application import SERVICE_NAME, ApplicationIntake
from application_intake.consumers import CONSUMES, HANDLERS
from application_intake.migrations import MIGRATIONS
from pilot_common.clock import Clock
from pilot_common.migrations import require_migrated
from pilot_common.runtime import AssembledService, assemble_service, business_clock_for, prepare_database
from pilot_common.settings import ServiceSettings
from pilot_common.transport import EventTransport

DESCRIPTION = """
清洁生产审核创新试点 · 申报受理服务 (application-intake).

Provincial departments draft, complete and submit pilot applications (试点申报) for their province; each submission
takes one of the province's slots (原则上不超过5个) and gets an eligibility verdict that lists every rule (WINDOW,
QUOTA, APPLICANT_LEVEL, SAME_ENTITY, PROVINCE_MATCH, CLEAN_RECORD, TYPE_SCOPE, FOUNDATION, PLAN, PACKAGE) with
pass / warning / fail and its reasons in Chinese and English. A finding recorded in the registry re-checks every
application it concerns. Ministry staff read all and act on submissions; auditors read everything.
"""


def build_intake(
    settings: ServiceSettings, bus: EventTransport | None = None, clock: Clock | None = None
) -> AssembledService:
    prepare_database(settings.database_url)
    require_migrated(MIGRATIONS, settings.database_url)
    intake = ApplicationIntake(settings.database_url, HANDLERS, clock=clock or business_clock_for(settings))
    return assemble_service(
        settings,
        intake,
        bus,
        consumes=CONSUMES,
        title="application-intake 申报受理",
        description=DESCRIPTION,
        routers=[applications.router, applications.quota_router, registry_copy_api.router, audit_replay.router],
        state_name="intake",
    )


def settings_from_env() -> ServiceSettings:
    return ServiceSettings(service_name=SERVICE_NAME)


def create_app() -> FastAPI:
    """For `uvicorn --factory` with several worker processes (each builds its own runtime)."""
    from pilot_common.serve import served_app

    return served_app(settings_from_env(), build_intake)
