"""What intake knows of the registry (its copy, kept from registry events): for staff who need to see why a
submission names something intake has not heard of yet."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic_core import to_jsonable_python
from sqlalchemy import select

from application_intake.api.access import Intake
from application_intake.projections.tables import findings, organisations, pilot_objects, programmes
from pilot_common.auth import require_roles
from pilot_common.context import Role
from pilot_common.problems import not_found, problem_responses

router = APIRouter(
    prefix="/registry-copy",
    tags=["registry copy 登记数据副本"],
    dependencies=[Depends(require_roles(Role.MINISTRY, Role.AUDITOR))],
    responses=problem_responses(401, 403, 404),
)
_TABLES = {
    "programmes": programmes,
    "organisations": organisations,
    "pilot-objects": pilot_objects,
    "findings": findings,
}


@router.get("/{kind}/{row_id}", response_model=dict[str, Any])
def known(
    kind: Literal["programmes", "organisations", "pilot-objects", "findings"], row_id: str, intake: Intake
) -> dict[str, Any]:
    table = _TABLES[kind]
    with intake.reading() as session:
        row = session.execute(select(table).where(table.c.id == row_id)).mappings().first()
    if row is None:
        raise not_found(f"registry {kind} entry known to intake", row_id)
    return dict(to_jsonable_python(dict(row)))
