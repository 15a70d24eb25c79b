"""The evaluation service's composition root: the only place that builds infrastructure and wires it in."""

from __future__ import annotations

from evaluation.api import applications, programmes, ranking, reviewers, score_sheets, selection
from evaluation.api.concurrency import install_concurrency_problem
from evaluation.application import SERVICE_NAME, EvaluationService
from evaluation.consumers import CONSUMES, HANDLERS
from pilot_common.audit import AuditTrail
from pilot_common.audit_api import ReadModelCheck, audit_router
from pilot_common.contracts.catalogue import published_events
from pilot_common.runtime import AssembledService, ServiceRuntime, build_transport, prepare_database
from pilot_common.settings import ServiceSettings
from pilot_common.transport import EventTransport
from pilot_common.web import create_service_app

DESCRIPTION = """
清洁生产审核创新试点 · 专家评审服务 (evaluation).

The reviewer pool, assignment of reviewers with the conflict-of-interest rules (never the applicant's province or
organisation), independent score sheets per criterion with the programme's weights, moderation of outlying scores,
the ranking overall and per pilot type with its tie-breaks (priority, then innovation, then submission time), the
quota-aware selection, the two-party sign-off (MEE and NDRC) and the publication of the approved list.
Ministry staff act; reviewers see and score only their own sheets; auditors read everything.
"""


def build_evaluation(settings: ServiceSettings, bus: EventTransport | None = None) -> AssembledService:
    prepare_database(settings.database_url)
    service = EvaluationService(settings.database_url, HANDLERS)
    runtime = ServiceRuntime(
        service,
        build_transport(settings, bus),
        consumes=CONSUMES,
        published=published_events(),
        max_attempts=settings.consumer_max_attempts,
    )
    api = create_service_app(
        settings,
        title="evaluation 专家评审",
        description=DESCRIPTION,
        version="1.0.0",
        readiness_checks=runtime.readiness_checks(),
        lifespan=runtime.lifespan(),
    )
    api.state.evaluation = service
    install_concurrency_problem(api)

    def rebuild_check() -> ReadModelCheck:
        compared, differences = service.rebuild_check()
        return ReadModelCheck(ok=not differences, compared=compared, differences=differences)

    for router in (
        reviewers.router,
        programmes.router,
        applications.router,
        score_sheets.router,
        ranking.router,
        selection.router,
        audit_router(AuditTrail(service), rebuild_check),
    ):
        api.include_router(router)
    return AssembledService(api=api, runtime=runtime)


def settings_from_env() -> ServiceSettings:
    return ServiceSettings(service_name=SERVICE_NAME)
