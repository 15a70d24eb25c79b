"""The evaluation service's composition root: the only place that builds infrastructure and wires it in."""

from __future__ import annotations

from evaluation.api import applications, audit_replay, programmes, ranking, reviewers, score_sheets, selection
from evaluation.application import SERVICE_NAME, EvaluationService
from evaluation.consumers import CONSUMES, HANDLERS
from evaluation.migrations import MIGRATIONS
from pilot_common.clock import Clock
from pilot_common.migrations import require_migrated
from pilot_common.runtime import AssembledService, assemble_service, business_clock_for, prepare_database
from pilot_common.settings import ServiceSettings
from pilot_common.transport import EventTransport

DESCRIPTION = """
清洁生产审核创新试点 · 专家评审服务 (evaluation).

The reviewer pool, assignment of reviewers with the conflict-of-interest rules (never the applicant's province or
organisation), independent score sheets per criterion with the programme's weights, moderation of outlying scores,
the ranking overall and per pilot type with its tie-breaks (priority, then innovation, then submission time), the
quota-aware selection, the two-party sign-off (MEE and NDRC) and the publication of the approved list.
Ministry staff act; reviewers see and score only their own sheets; auditors read everything.
"""


def build_evaluation(
    settings: ServiceSettings, bus: EventTransport | None = None, clock: Clock | None = None
) -> AssembledService:
    prepare_database(settings.database_url)
    require_migrated(MIGRATIONS, settings.database_url)
    service = EvaluationService(settings.database_url, HANDLERS)
    service.clock = clock or business_clock_for(settings)
    return assemble_service(
        settings,
        service,
        bus,
        consumes=CONSUMES,
        title="evaluation 专家评审",
        description=DESCRIPTION,
        routers=[
            reviewers.router,
            programmes.router,
            applications.router,
            score_sheets.router,
            ranking.router,
            selection.router,
            audit_replay.router,
        ],
        state_name="evaluation",
    )


def settings_from_env() -> ServiceSettings:
    return ServiceSettings(service_name=SERVICE_NAME)
