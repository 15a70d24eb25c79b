"""Pilot types (notice 003 二) and the kinds of industrial park used by the PRIORITY rule."""

from __future__ import annotations

from dataclasses import dataclass

from ._collection import RefCollection
from ._data import DataFile, load
from ._version import REFERENCE_DATA_VERSION


@dataclass(frozen=True)
class PilotType:
    code: str
    number: int  # 1–4, the numbering of notice 003 二（一）–（四）
    name: str
    english_name: str
    pilot_object_zh: str  # 试点对象 as the notice describes it


@dataclass(frozen=True)
class ParkType:
    code: str
    name: str
    english_name: str


class _ProgrammeFile(DataFile):
    pilot_types: tuple[PilotType, ...]
    park_types: tuple[ParkType, ...]


_FILE = load("programme.json", _ProgrammeFile)
SOURCES = _FILE.sources
PILOT_TYPES: RefCollection[PilotType] = RefCollection.of("pilot_types", REFERENCE_DATA_VERSION, _FILE.pilot_types)
PARK_TYPES: RefCollection[ParkType] = RefCollection.of("park_types", REFERENCE_DATA_VERSION, _FILE.park_types)
if sorted(t.number for t in PILOT_TYPES) != [1, 2, 3, 4]:
    raise ValueError("pilot_types: the notice numbers its four types 1–4")


def pilot_type_by_number(number: int) -> PilotType | None:
    return next((t for t in PILOT_TYPES if t.number == number), None)
