"""One application's story: every event about it in this service (or, in the embedded default, in all three), in
business-time order, each with its business time and its recorded time (DESIGN "Audit", "Time").

Which aggregates concern an application is the service's knowledge (:meth:`ServiceApplication.story_aggregates`:
the application itself in intake, its score sheets and the programme's selection in evaluation, its pilot in the
registry). An aggregate about several applications (a selection) contributes only the events that name it.
Read-only, for auditors and ministry staff.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python

from pilot_common.aggregate import business_time_of
from pilot_common.auth import require_roles
from pilot_common.context import Role
from pilot_common.envelope import event_type
from pilot_common.problems import problem_responses
from pilot_common.rules import DomainRuleViolation, ViolationKind
from pilot_common.service import ServiceApplication

_META = {"originator_id", "originator_version", "timestamp", "actor", "correlation_id", "causation_id"}


class StoryEvent(BaseModel):
    service: str
    aggregate_id: str
    version: int
    type: str
    application_id: str = Field(description="the application this event is about")
    business_time: datetime = Field(description="when it happened in the programme's calendar (business time)")
    recorded_time: datetime = Field(description="when the service wrote it (recorded time)")
    actor_user_id: str | None
    actor_role: str | None
    correlation_id: str | None
    data: dict[str, Any]


def _mentions(data: dict[str, Any], application_id: str) -> bool:
    return application_id in json.dumps(to_jsonable_python(data, fallback=str), ensure_ascii=False)


def story_of(app: ServiceApplication, application_id: str) -> list[StoryEvent]:
    """The events of this service about the application (unsorted)."""
    out: list[StoryEvent] = []
    for aggregate_id, whole in app.story_aggregates(application_id):
        for domain_event in app.events.get(aggregate_id):
            state = vars(domain_event)
            data = {k: v for k, v in state.items() if k not in _META and k != "business_time"}
            if not whole and not _mentions(data, application_id):
                continue  # an aggregate about many applications: only the events that name this one
            recorded: datetime = state["timestamp"]
            actor = state.get("actor") or {}
            out.append(
                StoryEvent(
                    service=app.service,
                    aggregate_id=str(aggregate_id),
                    version=domain_event.originator_version,
                    type=event_type(app.service, f"{type(domain_event).__module__}:{type(domain_event).__qualname__}"),
                    application_id=application_id,
                    business_time=business_time_of(domain_event) or recorded,
                    recorded_time=recorded,
                    actor_user_id=actor.get("user_id"),
                    actor_role=actor.get("role"),
                    correlation_id=state.get("correlation_id"),
                    data=to_jsonable_python(data, fallback=str),
                )
            )
    return out


def merged_story(apps: Sequence[ServiceApplication], application_id: str) -> list[StoryEvent]:
    """The story across services, in business-time order (recorded time, then service, breaks ties)."""
    events = [e for app in apps for e in story_of(app, application_id)]
    return sorted(
        events, key=lambda e: (e.business_time.astimezone(UTC), e.recorded_time.astimezone(UTC), e.service, e.version)
    )


def story_router(app: ServiceApplication) -> APIRouter:
    router = APIRouter(
        prefix="/audit",
        tags=["audit 审计"],
        dependencies=[Depends(require_roles(Role.AUDITOR, Role.MINISTRY))],
        responses=problem_responses(401, 403),
    )

    @router.get("/applications/{application_id}/story", response_model=list[StoryEvent])
    def story(
        application_id: UUID,
        request: Request,
        scope: Annotated[
            Literal["service", "deployment"],
            Query(
                description="service: this service's part; deployment: intake, evaluation and registry merged "
                "(the embedded default, where one process holds all three)"
            ),
        ] = "service",
    ) -> list[StoryEvent]:
        """One application's story in business-time order: its events in this service, or across the deployment."""
        sources: list[ServiceApplication] = [app]
        if scope == "deployment":
            sources = list(getattr(request.app.state, "story_sources", None) or [])
            if not sources:
                raise DomainRuleViolation(
                    "STORY_SCOPE_NOT_HERE",
                    "分布式部署中各服务分别回答其部分，请分别查询三个服务",
                    "in distributed mode each service answers its own part: ask each of the three services",
                    "scope",
                    kind=ViolationKind.INVALID,
                )
        return merged_story(sources, str(application_id))

    return router
