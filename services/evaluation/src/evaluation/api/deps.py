"""What every evaluation route needs: the application, and who may see and do what (in one place).

Ministry staff act; auditors read everything and change nothing; a reviewer sees and changes only their own score
sheets (a reviewer's token carries as `sub` the `user_id` the reviewer was registered with), and sees no ranking
before the approved list is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from evaluation.application import EvaluationService
from pilot_common.auth import Principal, require_roles
from pilot_common.context import Role
from pilot_common.problems import forbidden


def evaluation(request: Request) -> EvaluationService:
    service: EvaluationService = request.app.state.evaluation
    return service


Evaluation = Annotated[EvaluationService, Depends(evaluation)]
Ministry = Annotated[Principal, Depends(require_roles(Role.MINISTRY))]
StaffReader = Annotated[Principal, Depends(require_roles(Role.MINISTRY, Role.AUDITOR))]
SheetReader = Annotated[Principal, Depends(require_roles(Role.MINISTRY, Role.AUDITOR, Role.REVIEWER))]


@dataclass(frozen=True)
class ActingReviewer:
    """The registered reviewer behind a reviewer's token."""

    principal: Principal
    reviewer_id: str
    row: dict[str, Any]


def reviewer_behind(principal: Principal, service: EvaluationService) -> ActingReviewer:
    row = service.reviewer_of_user(principal.user_id)
    if row is None:
        raise forbidden(
            f"login {principal.user_id} is not registered as a reviewer",
            code="REVIEWER_NOT_REGISTERED",
            title_zh="该账号未登记为评审专家",
            title_en="This login is not a registered reviewer",
        )
    return ActingReviewer(principal, str(row["id"]), dict(row))


def acting_reviewer(
    principal: Annotated[Principal, Depends(require_roles(Role.REVIEWER))], service: Evaluation
) -> ActingReviewer:
    return reviewer_behind(principal, service)


ReviewerCaller = Annotated[ActingReviewer, Depends(acting_reviewer)]


def own_reviewer_id(principal: Principal, service: EvaluationService) -> str | None:
    """For a reviewer, their own reviewer id (every read is limited to it); None for staff and auditors."""
    if principal.role is Role.REVIEWER:
        return reviewer_behind(principal, service).reviewer_id
    return None
