"""Replaying one application's verdicts (auditors and ministry staff read; nothing is written): each recorded
verdict re-evaluated from the snapshot it was made on (`application_intake.replay`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from application_intake.api.access import Intake
from application_intake.replay import REPRODUCED, replay_verdicts
from pilot_common.auth import require_roles
from pilot_common.context import Role
from pilot_common.problems import problem_responses

router = APIRouter(
    prefix="/audit/applications",
    tags=["audit 审计"],
    dependencies=[Depends(require_roles(Role.AUDITOR, Role.MINISTRY))],
    responses=problem_responses(401, 403, 404),
)


class VerdictReplayView(BaseModel):
    version: int
    trigger: str
    recorded_outcome: str
    programme_version: int | None
    status: str  # REPRODUCED, DIFFERS, NOT_REPLAYABLE (recorded before verdicts kept their snapshot)
    replayed_outcome: str | None
    differences: list[dict[str, Any]]
    reason: str | None


class VerdictsReplayView(BaseModel):
    application_id: str
    #: every replayable verdict re-evaluates to what was recorded (verdicts without a snapshot are only listed)
    reproduced: bool
    verdicts: list[VerdictReplayView]


@router.get("/{application_id}/verdicts/replay", response_model=VerdictsReplayView)
def replay(application_id: UUID, intake: Intake) -> VerdictsReplayView:
    """Each recorded verdict of the application re-evaluated by the eligibility engine from the snapshot it was
    made on (which names the programme version), compared rule by rule with the recorded one."""
    intake.application(application_id)  # 404 for an unknown application
    verdicts = [VerdictReplayView(**asdict(v)) for v in replay_verdicts(intake, application_id)]
    return VerdictsReplayView(
        application_id=str(application_id),
        reproduced=all(v.status == REPRODUCED for v in verdicts if v.status != "NOT_REPLAYABLE"),
        verdicts=verdicts,
    )
