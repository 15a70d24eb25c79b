"""Reference data, versioned and read-only, for every authenticated user."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from pilot_common.auth import authenticated
from pilot_common.problems import not_found, problem_responses
from pilot_common.reference import REFERENCE_DATA, RefCollection


class ReferenceCollection(BaseModel):
    name: str
    version: str
    count: int
    items: list[dict[str, Any]]


class ReferenceIndex(BaseModel):
    version: str
    collections: dict[str, int]


_COLLECTIONS: dict[str, RefCollection[Any]] = {
    "provinces": REFERENCE_DATA.provincial_units,
    "key-industries": REFERENCE_DATA.key_industries,  # the national mapping to GB/T 4754-2017
    "provincial-audit-lists": REFERENCE_DATA.provincial_audit_lists,  # e.g. Shanxi's mandatory-audit list
    "key-areas": REFERENCE_DATA.key_areas,
    "pollutants": REFERENCE_DATA.pollutants,
    "pilot-types": REFERENCE_DATA.pilot_types,
    "park-types": REFERENCE_DATA.park_types,
    "batch-coverage": REFERENCE_DATA.batch_coverage,
}

CollectionName = Literal[
    "provinces",
    "key-industries",
    "provincial-audit-lists",
    "key-areas",
    "pollutants",
    "pilot-types",
    "park-types",
    "batch-coverage",
]

router = APIRouter(
    prefix="/reference",
    tags=["reference data 参考数据"],
    dependencies=[Depends(authenticated)],
    responses=problem_responses(401, 404),
)


@router.get("", response_model=ReferenceIndex)
def index() -> ReferenceIndex:
    """The reference data version and its collections."""
    return ReferenceIndex(version=REFERENCE_DATA.version, collections={k: len(v) for k, v in _COLLECTIONS.items()})


@router.get("/{collection}", response_model=ReferenceCollection)
def collection(collection: CollectionName) -> ReferenceCollection:
    """One collection, e.g. `provinces` (31 provinces and 新疆生产建设兵团 with GB/T 2260 codes)."""
    items = _COLLECTIONS[collection]
    return ReferenceCollection(
        name=collection, version=REFERENCE_DATA.version, count=len(items), items=[asdict(i) for i in items]
    )


@router.get("/{collection}/{code}", response_model=dict[str, Any])
def item(collection: CollectionName, code: str) -> dict[str, Any]:
    found = _COLLECTIONS[collection].get(code)
    if found is None:
        raise not_found(f"{collection} entry", code)
    return asdict(found)
