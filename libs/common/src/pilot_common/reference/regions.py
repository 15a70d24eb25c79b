"""Key air regions (重点区域), river basins (重点流域) and the pollutants they focus on.

Notice 003 二(四): in 京津冀及周边地区、汾渭平原、长三角地区、珠三角地区、成渝地区 **等** regions the
co-ordinated audits focus on 钢铁、石化化工、焦化、工业涂装、包装印刷 and on PM2.5 + O3; in 长江、黄河 **等**
basins on 印染、造纸、化学原料药、农副食品加工 and on 氨氮 + 磷. Both lists end in 等, so an area not listed
here is a warning for the eligibility engine, not a failure.

Extents (as they stood when batch 2 was called, 2023-03):

* 京津冀及周边地区 — the "2+26" air-pollution transport-channel cities (京津冀及周边地区2017年大气污染防治
  工作方案). The State Council's 空气质量持续改善行动计划 (2023-11) later redefined it as "2+36" and dropped
  太原、阳泉、长治、晋城; a later reference-data version should follow it.
* 汾渭平原 — the 11 cities of the 打赢蓝天保卫战三年行动计划 (2018) (plus 杨凌示范区, which has no
  prefecture code of its own: it lies in 咸阳市).
* 长三角地区 — 上海市、江苏省、浙江省、安徽省, whole provinces (same plan).
* 珠三角地区 — the 9 cities of the Pearl River Delta economic zone.
* 成渝地区 — 成渝地区双城经济圈建设规划纲要 (2021): 27 districts/counties of Chongqing plus parts of 开州、
  云阳, and 15 Sichuan cities (绵阳 without 北川、平武; 达州 without 万源; 雅安 without 天全、宝兴).
* 成渝地区's Chongqing part leaves out 武隆 (500156; 500232 before it became a district), 城口, 奉节, 巫山, 巫溪,
  石柱, 秀山, 酉阳, 彭水; 开州 and 云阳 are only partly inside and are counted in.
* 长江 — 长江保护法 art. 2: the basin's counties in 19 provincial units (not the 11-province 长江经济带); 黄河 —
  黄河保护法 art. 2: the basin's counties in 9 provincial units. No county list is kept: a province counts whole.

The entries are in ``data/regions.json``, which names these sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ._collection import RefCollection
from ._data import DataFile, load
from ._version import REFERENCE_DATA_VERSION
from .divisions import is_division_code, province_of


class Medium(StrEnum):
    AIR = "air"
    WATER = "water"


@dataclass(frozen=True)
class Pollutant:
    code: str  # e.g. "PM25"
    name: str  # Chinese name, e.g. "细颗粒物"
    symbol: str  # as written in notices, e.g. "PM2.5"
    english_name: str
    medium: Medium


class AreaKind(StrEnum):
    AIR_REGION = "air_region"
    RIVER_BASIN = "river_basin"


@dataclass(frozen=True)
class City:
    """A prefecture-level city (or a municipality as a whole) named in an area's official definition."""

    code: str  # GB/T 2260 prefecture code, e.g. "130100"; a municipality uses its provincial code
    name: str
    excluded: tuple[str, ...] = ()  # county-level codes the definition leaves out
    note: str | None = None

    @property
    def is_municipality(self) -> bool:
        return self.code.endswith("0000")

    def contains(self, division_code: str) -> bool:
        """Whether a six-digit county-or-finer division code (or this city's own code) lies in this city."""
        if not is_division_code(division_code) or division_code in self.excluded:
            return False
        if self.is_municipality:
            return division_code[:2] == self.code[:2]
        return division_code[:4] == self.code[:4]


@dataclass(frozen=True)
class KeyArea:
    """A key air region or river basin."""

    code: str
    name: str
    english_name: str
    kind: AreaKind
    provinces: tuple[str, ...]  # provincial-unit codes the area touches
    focus_industries: tuple[str, ...]  # KeyIndustry codes
    focus_pollutants: tuple[str, ...]  # Pollutant codes
    definition: str  # where the extent comes from
    cities: tuple[City, ...] = ()  # empty: the area is the listed provinces as a whole

    @property
    def whole_provinces(self) -> bool:
        return not self.cities

    def touches_province(self, province_code: str) -> bool:
        return province_code in self.provinces

    def contains(self, division_code: str) -> bool:
        """Whether a six-digit division code lies inside the area.

        For a city-defined area a provincial code counts only when the province is itself a listed
        municipality; a prefecture or county code counts when its city is listed (and not excluded).
        Malformed or unknown codes are outside.
        """
        code = division_code.strip()
        try:
            province = province_of(code)
        except ValueError:
            return False
        if province not in self.provinces:
            return False
        if self.whole_provinces:
            return True
        if code == province:
            return any(city.code == province for city in self.cities)
        return any(city.contains(code) for city in self.cities)


class _RegionsFile(DataFile):
    pollutants: tuple[Pollutant, ...]
    air_regions: tuple[KeyArea, ...]
    river_basins: tuple[KeyArea, ...]


_FILE = load("regions.json", _RegionsFile)
SOURCES = _FILE.sources
POLLUTANTS: RefCollection[Pollutant] = RefCollection.of("pollutants", REFERENCE_DATA_VERSION, _FILE.pollutants)
AIR_REGIONS: RefCollection[KeyArea] = RefCollection.of("air_regions", REFERENCE_DATA_VERSION, _FILE.air_regions)
RIVER_BASINS: RefCollection[KeyArea] = RefCollection.of("river_basins", REFERENCE_DATA_VERSION, _FILE.river_basins)
KEY_AREAS: RefCollection[KeyArea] = RefCollection.of("key_areas", REFERENCE_DATA_VERSION, (*AIR_REGIONS, *RIVER_BASINS))


def areas_containing(division_code: str) -> tuple[KeyArea, ...]:
    """Every key air region and river basin a six-digit division code lies in, in published order."""
    return tuple(area for area in KEY_AREAS if area.contains(division_code))


def areas_touching_province(province_code: str) -> tuple[KeyArea, ...]:
    """Every key area that touches a provincial unit (by six-digit provincial code)."""
    return tuple(area for area in KEY_AREAS if area.touches_province(province_code))
