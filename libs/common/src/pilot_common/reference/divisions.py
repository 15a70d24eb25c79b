"""Provincial-level units (省级单位) with their GB/T 2260 administrative-division codes.

The programme is addressed to the 31 provinces, autonomous regions and municipalities plus the Xinjiang
Production and Construction Corps (新疆生产建设兵团), 32 units in all. GB/T 2260 itself has no code for the
Corps; national reporting systems use 660000 for it, and so do we.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ._collection import RefCollection
from ._version import REFERENCE_DATA_VERSION

XPCC_CODE = "660000"
"""新疆生产建设兵团 (not in GB/T 2260; the code national systems use)."""

_DIVISION_CODE = re.compile(r"\d{6}")


class ProvincialKind(StrEnum):
    MUNICIPALITY = "municipality"  # 直辖市
    PROVINCE = "province"  # 省
    AUTONOMOUS_REGION = "autonomous_region"  # 自治区
    CORPS = "corps"  # 新疆生产建设兵团


class UnknownDivisionError(ValueError):
    """A division code that is malformed or belongs to none of the 32 provincial units."""


@dataclass(frozen=True)
class ProvincialUnit:
    code: str  # six digits, e.g. "130000"
    name: str  # full Chinese name, e.g. "河北省"
    short_name: str  # e.g. "河北", "新疆兵团"
    english_name: str
    kind: ProvincialKind

    @property
    def prefix(self) -> str:
        """The two digits every division code inside this unit starts with."""
        return self.code[:2]


_M, _P, _A = ProvincialKind.MUNICIPALITY, ProvincialKind.PROVINCE, ProvincialKind.AUTONOMOUS_REGION

PROVINCIAL_UNITS: RefCollection[ProvincialUnit] = RefCollection.of(
    "provincial_units",
    REFERENCE_DATA_VERSION,
    (
        ProvincialUnit("110000", "北京市", "北京", "Beijing", _M),
        ProvincialUnit("120000", "天津市", "天津", "Tianjin", _M),
        ProvincialUnit("130000", "河北省", "河北", "Hebei", _P),
        ProvincialUnit("140000", "山西省", "山西", "Shanxi", _P),
        ProvincialUnit("150000", "内蒙古自治区", "内蒙古", "Inner Mongolia Autonomous Region", _A),
        ProvincialUnit("210000", "辽宁省", "辽宁", "Liaoning", _P),
        ProvincialUnit("220000", "吉林省", "吉林", "Jilin", _P),
        ProvincialUnit("230000", "黑龙江省", "黑龙江", "Heilongjiang", _P),
        ProvincialUnit("310000", "上海市", "上海", "Shanghai", _M),
        ProvincialUnit("320000", "江苏省", "江苏", "Jiangsu", _P),
        ProvincialUnit("330000", "浙江省", "浙江", "Zhejiang", _P),
        ProvincialUnit("340000", "安徽省", "安徽", "Anhui", _P),
        ProvincialUnit("350000", "福建省", "福建", "Fujian", _P),
        ProvincialUnit("360000", "江西省", "江西", "Jiangxi", _P),
        ProvincialUnit("370000", "山东省", "山东", "Shandong", _P),
        ProvincialUnit("410000", "河南省", "河南", "Henan", _P),
        ProvincialUnit("420000", "湖北省", "湖北", "Hubei", _P),
        ProvincialUnit("430000", "湖南省", "湖南", "Hunan", _P),
        ProvincialUnit("440000", "广东省", "广东", "Guangdong", _P),
        ProvincialUnit("450000", "广西壮族自治区", "广西", "Guangxi Zhuang Autonomous Region", _A),
        ProvincialUnit("460000", "海南省", "海南", "Hainan", _P),
        ProvincialUnit("500000", "重庆市", "重庆", "Chongqing", _M),
        ProvincialUnit("510000", "四川省", "四川", "Sichuan", _P),
        ProvincialUnit("520000", "贵州省", "贵州", "Guizhou", _P),
        ProvincialUnit("530000", "云南省", "云南", "Yunnan", _P),
        ProvincialUnit("540000", "西藏自治区", "西藏", "Xizang Autonomous Region", _A),
        ProvincialUnit("610000", "陕西省", "陕西", "Shaanxi", _P),
        ProvincialUnit("620000", "甘肃省", "甘肃", "Gansu", _P),
        ProvincialUnit("630000", "青海省", "青海", "Qinghai", _P),
        ProvincialUnit("640000", "宁夏回族自治区", "宁夏", "Ningxia Hui Autonomous Region", _A),
        ProvincialUnit("650000", "新疆维吾尔自治区", "新疆", "Xinjiang Uygur Autonomous Region", _A),
        ProvincialUnit(
            XPCC_CODE,
            "新疆生产建设兵团",
            "新疆兵团",
            "Xinjiang Production and Construction Corps",
            ProvincialKind.CORPS,
        ),
    ),
)

_BY_PREFIX = {unit.prefix: unit for unit in PROVINCIAL_UNITS}


def is_division_code(code: str) -> bool:
    """Six ASCII digits (the shape of a GB/T 2260 code); says nothing about whether the code exists."""
    return _DIVISION_CODE.fullmatch(code) is not None


def provincial_unit(code: str) -> ProvincialUnit | None:
    """The provincial unit with exactly this six-digit code, if any."""
    return PROVINCIAL_UNITS.get(code)


def provincial_unit_of(division_code: str) -> ProvincialUnit:
    """The provincial unit a six-digit division code (province, prefecture or county) lies in.

    The first two digits decide: 130102 → 河北省 (130000); 66xxxx → 新疆生产建设兵团 (660000).
    Raises :class:`UnknownDivisionError` for a malformed code or one outside the 32 units (e.g. 710000).

    Note: the Corps' own cities (石河子 659001 etc.) carry Xinjiang codes (65…), so they map to 650000 here;
    an organisation known to belong to the Corps should record 660000 explicitly.
    """
    code = division_code.strip()
    if not is_division_code(code):
        raise UnknownDivisionError(f"not a six-digit division code: {division_code!r}")
    unit = _BY_PREFIX.get(code[:2])
    if unit is None:
        raise UnknownDivisionError(f"division code {code} lies in none of the 32 provincial units")
    return unit


def province_of(division_code: str) -> str:
    """The six-digit code of the provincial unit a division code lies in (first two digits + "0000")."""
    return provincial_unit_of(division_code).code


XPCC_DIVISION_PREFIXES = ("66", "659")
"""Division codes that belong to 新疆生产建设兵团: its own 66xxxx codes and the Corps' cities, which GB/T 2260
lists under Xinjiang as 自治区直辖县级行政区划 (659001 石河子市 …)."""


def division_in_unit(division_code: str, unit_code: str) -> bool:
    """Whether a six-digit division code lies in a provincial unit: the one rule every service uses.

    The first two digits decide; for 新疆生产建设兵团 (660000) codes starting 66 or 659 count (so a Corps city
    such as 659001 lies both in 新疆维吾尔自治区 and in the Corps). Malformed codes lie nowhere.
    """
    code = division_code.strip()
    if not is_division_code(code) or provincial_unit(unit_code) is None:
        return False
    if unit_code == XPCC_CODE:
        return code.startswith(XPCC_DIVISION_PREFIXES)
    return code[:2] == unit_code[:2]


def prefecture_of(division_code: str) -> str:
    """The prefecture-level code of a division code: its first four digits + "00" (130102 → 130100).

    For a municipality's districts this is the 市辖区 code (110105 → 110100), not a city of its own.
    """
    code = division_code.strip()
    if not is_division_code(code):
        raise UnknownDivisionError(f"not a six-digit division code: {division_code!r}")
    return code[:4] + "00"
