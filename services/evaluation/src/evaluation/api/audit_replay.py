"""Replaying a decision (auditors and ministry staff read; nothing is written): the published list of a programme
re-derived from evaluation's stored events up to its publication, compared entry by entry (`evaluation.replay`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from evaluation.api.deps import Evaluation, StaffReader
from evaluation.domain import selection_id
from evaluation.replay import NotPublished, replay_decision
from pilot_common.problems import conflict, not_found, problem_responses

router = APIRouter(prefix="/audit/decisions", tags=["audit 审计"], responses=problem_responses(401, 403, 404, 409))


class DecisionReplayView(BaseModel):
    """`reproduced`: the published list is exactly what the events give; `ok`: that, and no read-model drift."""

    programme_id: str
    selection_id: str
    reproduced: bool
    ok: bool
    published_position: int | None = Field(description="notification position of Selection.Published")
    document_number: str | None
    published_at: str | None
    published: list[dict[str, Any]] = Field(description="the entries of the event that published the list")
    replayed: list[dict[str, Any]] = Field(description="the entries the replay derives from the events")
    scores: dict[str, dict[str, Any]] = Field(description="each application's score and moderation state")
    ranking: list[dict[str, Any]]
    proposals: int
    differences: list[dict[str, Any]] = Field(description="replay against the recorded events, with the events")
    read_model_drift: list[dict[str, Any]] = Field(description="read-model rows that differ from the replay")
    notes: list[str]


@router.get("/{programme_id}/replay", response_model=DecisionReplayView)
def replay(programme_id: UUID, _: StaffReader, service: Evaluation) -> DecisionReplayView:
    """Re-derives the moderation outcome, the ranking and the selection from the stored events alone (up to the
    publication's notification position, with the same domain functions the service decides with) and compares
    them, entry by entry, with the published list; read-model rows that drifted from the events are named."""
    if selection_id(str(programme_id)) not in service.repository:
        raise not_found("selection", str(programme_id))
    try:
        result = replay_decision(service, str(programme_id))
    except NotPublished:
        raise conflict(
            f"the list of programme {programme_id} is not published: nothing decided to replay",
            code="SELECTION_NOT_PUBLISHED",
            title_zh="名单尚未公布",
            title_en="The list is not published",
        ) from None
    except Exception as e:  # stored events that no longer decode: damage, reported as such (see /audit/verify)
        raise conflict(
            f"the stored events cannot be replayed ({type(e).__name__}); see /audit/verify",
            code="DAMAGED_STORE",
            title_zh="事件存储已损坏",
            title_en="The stored events are damaged",
        ) from e
    return DecisionReplayView(
        programme_id=result.programme_id,
        selection_id=result.selection_id,
        reproduced=result.reproduced,
        ok=result.ok,
        published_position=result.published_position,
        document_number=result.document_number,
        published_at=result.published_at,
        published=result.published,
        replayed=result.replayed,
        scores=result.scores,
        ranking=result.ranking,
        proposals=result.proposals,
        differences=[asdict(d) for d in result.differences],
        read_model_drift=[asdict(d) for d in result.read_model_drift],
        notes=result.notes,
    )
