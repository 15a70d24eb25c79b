"""Reading the registry's read models for the API: one row, or a filtered page of rows."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Table, select

from pilot_common.pagination import Page, PageParams, fetch_page
from pilot_common.problems import not_found
from pilot_registry.application import PilotRegistry

M = TypeVar("M", bound=BaseModel)


def one(registry: PilotRegistry, table: Table, row_id: UUID | str, model: type[M], what: str) -> M:
    with registry.reading() as session:
        row = session.execute(select(table).where(table.c.id == str(row_id))).mappings().first()
    if row is None:
        raise not_found(what, str(row_id))
    return model.model_validate(dict(row))


def page(
    registry: PilotRegistry,
    table: Table,
    model: type[M],
    params: PageParams,
    filters: list[ColumnElement[bool]],
    order_by: Any,
) -> Page[M]:
    query = select(table).where(*filters).order_by(order_by, table.c.id)
    with registry.reading() as session:
        rows, total = fetch_page(session, query, params)
    return Page[model](  # type: ignore[valid-type]
        items=[model.model_validate(dict(r._mapping)) for r in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )
