"""Reading the read models for the API: one row, or a filtered page of rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Table, select

from evaluation.application import EvaluationService
from pilot_common.pagination import Page, PageParams, fetch_page
from pilot_common.problems import not_found

M = TypeVar("M", bound=BaseModel)


def one_row(service: EvaluationService, table: Table, row_id: str, what: str) -> dict[str, Any]:
    with service.reading() as session:
        row = session.execute(select(table).where(table.c.id == row_id)).mappings().first()
    if row is None:
        raise not_found(what, row_id)
    return dict(row)


def page(
    service: EvaluationService,
    table: Table,
    params: PageParams,
    filters: list[ColumnElement[bool]],
    order_by: Any,
    to_item: Callable[[Mapping[str, Any]], M],
) -> Page[M]:
    query = select(table).where(*filters).order_by(order_by, table.c.id)
    with service.reading() as session:
        rows, total = fetch_page(session, query, params)
    return Page(
        items=[to_item(r._mapping) for r in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )
