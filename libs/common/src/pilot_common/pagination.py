"""Paginated lists for every read API: `?page=1&page_size=50`, with the total so that clients can page."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_PAGE_SIZE = 200
# Far beyond any list here (200 × 100 000 rows), and the offset stays well inside a 64-bit integer.
MAX_PAGE = 100_000


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class PageParams(BaseModel):
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


# A list's province filter: a GB/T 2260 province code, nothing else.
ProvinceFilter = Annotated[
    str | None, Query(pattern=r"^\d{6}$", description="省级行政区划代码 / GB/T 2260 code", examples=["320000"])
]


def page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number / 页码（从 1 开始）")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page / 每页条数")] = 50,
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


def fetch_page(session: Session, query: Select[Any], params: PageParams) -> tuple[list[Any], int]:
    """The rows of one page of `query` (which must be ordered) and the total count."""
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = session.execute(query.limit(params.page_size).offset(params.offset)).all()
    return list(rows), int(total)
