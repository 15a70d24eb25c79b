"""The embedded default's business clock, read by everyone and moved forward by ministry staff (to replay a batch:
pass its deadline, reach its publication). It never runs backwards; the move is logged."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from pilot_common.auth import Principal, authenticated, require_roles
from pilot_common.clock import PersistedClock
from pilot_common.context import Role
from pilot_common.problems import problem_responses

log = logging.getLogger(__name__)


class BusinessTime(BaseModel):
    business_time: datetime = Field(description="business time now (the programme's calendar)")


class Advance(BaseModel):
    to: datetime = Field(
        description="business time to move forward to (ISO 8601 with a time zone)",
        examples=["2023-04-08T09:00:00+08:00"],
    )


def clock_router(clock: PersistedClock) -> APIRouter:
    router = APIRouter(prefix="/clock", tags=["business clock 业务时间"], responses=problem_responses(401, 403, 422))

    @router.get("", response_model=BusinessTime)
    def now(_: Annotated[Principal, Depends(authenticated)]) -> BusinessTime:
        return BusinessTime(business_time=clock.now())

    @router.post("/advance", response_model=BusinessTime)
    def advance(body: Advance, who: Annotated[Principal, Depends(require_roles(Role.MINISTRY))]) -> BusinessTime:
        """Moves business time forward (an earlier instant changes nothing: the clock never runs backwards)."""
        moved = clock.advance_to(body.to)
        log.info("business clock moved to %s by %s", moved.isoformat(), who.user_id)
        return BusinessTime(business_time=moved)

    return router
