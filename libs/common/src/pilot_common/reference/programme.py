"""Pilot types (notice 003 二) and the kinds of industrial park used by the PRIORITY rule."""

from __future__ import annotations

from dataclasses import dataclass

from ._collection import RefCollection
from ._version import REFERENCE_DATA_VERSION


@dataclass(frozen=True)
class PilotType:
    code: str
    number: int  # 1–4, the numbering of notice 003 二（一）–（四）
    name: str
    english_name: str
    pilot_object_zh: str  # 试点对象 as the notice describes it


PILOT_TYPES: RefCollection[PilotType] = RefCollection.of(
    "pilot_types",
    REFERENCE_DATA_VERSION,
    (
        PilotType(
            "KEY_INDUSTRY",
            1,
            "重点行业清洁生产整体审核创新",
            "Whole-industry cleaner-production audit innovation in a key industry",
            "区域内的重点行业企业",
        ),
        PilotType(
            "PARK_CLUSTER",
            2,
            "工业园区（产业集群）清洁生产整体审核创新",
            "Whole cleaner-production audit innovation of an industrial park (industrial cluster)",
            "园区企业集群",
        ),
        PilotType(
            "SIMPLIFIED_ENTERPRISE",
            3,
            "企业简易清洁生产审核创新",
            "Simplified enterprise cleaner-production audit innovation",
            "非重点行业领域的企业",
        ),
        PilotType(
            "REGION_BASIN",
            4,
            "重点区域和流域清洁生产协同审核创新",
            "Co-ordinated cleaner-production audit innovation in a key region or river basin",
            "重点区域和流域的重点行业企业",
        ),
    ),
)


def pilot_type_by_number(number: int) -> PilotType | None:
    return next((t for t in PILOT_TYPES if t.number == number), None)


@dataclass(frozen=True)
class ParkType:
    code: str
    name: str
    english_name: str


PARK_TYPES: RefCollection[ParkType] = RefCollection.of(
    "park_types",
    REFERENCE_DATA_VERSION,
    (
        ParkType("ECONOMIC_DEVELOPMENT_ZONE", "经济技术开发区", "Economic and technological development zone"),
        ParkType("HIGH_TECH_ZONE", "高新技术产业开发区", "High-tech industrial development zone"),
        ParkType("CHEMICAL_PARK", "化工园区", "Chemical industry park"),
        ParkType(
            "SPECIALISED_PARK",
            "专业类工业园区（电镀、印染、医药等集中区）",
            "Single-industry park (electroplating, dyeing, pharmaceutical … centre)",
        ),
        ParkType("CIRCULAR_ECONOMY_PARK", "循环经济产业园区", "Circular-economy industrial park"),
        ParkType("COMPREHENSIVE_PARK", "综合类工业园区", "Comprehensive industrial park"),
        ParkType("INDUSTRIAL_CLUSTER", "产业集群", "Industrial cluster"),
        ParkType("OTHER", "其他", "Other"),
    ),
)
