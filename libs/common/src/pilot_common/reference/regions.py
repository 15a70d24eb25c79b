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
* 长江 — the 11 provinces of the Yangtze River Economic Belt; 黄河 — the 9 provinces of the Yellow River
  basin (黄河流域生态保护和高质量发展规划纲要).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ._collection import RefCollection
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


POLLUTANTS: RefCollection[Pollutant] = RefCollection.of(
    "pollutants",
    REFERENCE_DATA_VERSION,
    (
        Pollutant("PM25", "细颗粒物", "PM2.5", "Fine particulate matter", Medium.AIR),
        Pollutant("O3", "臭氧", "O3", "Ozone", Medium.AIR),
        Pollutant("VOCS", "挥发性有机物", "VOCs", "Volatile organic compounds", Medium.AIR),
        Pollutant("NH3N", "氨氮", "NH3-N", "Ammonia nitrogen", Medium.WATER),
        Pollutant("TP", "总磷", "TP", "Total phosphorus", Medium.WATER),
        Pollutant("COD", "化学需氧量", "COD", "Chemical oxygen demand", Medium.WATER),
    ),
)


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


_AIR_INDUSTRIES = ("STEEL", "PETROCHEMICAL_CHEMICAL", "COKING", "INDUSTRIAL_COATING", "PACKAGING_PRINTING")
_AIR_POLLUTANTS = ("PM25", "O3")
_BASIN_INDUSTRIES = ("DYEING_PRINTING", "PAPER", "CHEMICAL_API", "AGRI_FOOD_PROCESSING")
_BASIN_POLLUTANTS = ("NH3N", "TP")

AIR_REGIONS: RefCollection[KeyArea] = RefCollection.of(
    "air_regions",
    REFERENCE_DATA_VERSION,
    (
        KeyArea(
            "JJJ_AND_SURROUNDING",
            "京津冀及周边地区",
            "Beijing-Tianjin-Hebei and surrounding areas",
            AreaKind.AIR_REGION,
            provinces=("110000", "120000", "130000", "140000", "370000", "410000"),
            focus_industries=_AIR_INDUSTRIES,
            focus_pollutants=_AIR_POLLUTANTS,
            definition="京津冀大气污染传输通道“2+26”城市（京津冀及周边地区2017年大气污染防治工作方案）",
            cities=(
                City("110000", "北京市"),
                City("120000", "天津市"),
                City("130100", "石家庄市"),
                City("130200", "唐山市"),
                City("131000", "廊坊市"),
                City("130600", "保定市"),
                City("130900", "沧州市"),
                City("131100", "衡水市"),
                City("130500", "邢台市"),
                City("130400", "邯郸市"),
                City("140100", "太原市"),
                City("140300", "阳泉市"),
                City("140400", "长治市"),
                City("140500", "晋城市"),
                City("370100", "济南市"),
                City("370300", "淄博市"),
                City("370800", "济宁市"),
                City("371400", "德州市"),
                City("371500", "聊城市"),
                City("371600", "滨州市"),
                City("371700", "菏泽市"),
                City("410100", "郑州市"),
                City("410200", "开封市"),
                City("410500", "安阳市"),
                City("410600", "鹤壁市"),
                City("410700", "新乡市"),
                City("410800", "焦作市"),
                City("410900", "濮阳市"),
            ),
        ),
        KeyArea(
            "FENWEI_PLAIN",
            "汾渭平原",
            "Fenwei Plain",
            AreaKind.AIR_REGION,
            provinces=("140000", "410000", "610000"),
            focus_industries=_AIR_INDUSTRIES,
            focus_pollutants=_AIR_POLLUTANTS,
            definition="汾渭平原11城市及杨凌示范区（打赢蓝天保卫战三年行动计划）",
            cities=(
                City("140700", "晋中市"),
                City("140800", "运城市"),
                City("141000", "临汾市"),
                City("141100", "吕梁市"),
                City("410300", "洛阳市"),
                City("411200", "三门峡市"),
                City("610100", "西安市"),
                City("610200", "铜川市"),
                City("610300", "宝鸡市"),
                City("610400", "咸阳市", note="含杨凌示范区"),
                City("610500", "渭南市"),
            ),
        ),
        KeyArea(
            "YANGTZE_RIVER_DELTA",
            "长三角地区",
            "Yangtze River Delta",
            AreaKind.AIR_REGION,
            provinces=("310000", "320000", "330000", "340000"),
            focus_industries=_AIR_INDUSTRIES,
            focus_pollutants=_AIR_POLLUTANTS,
            definition="上海市、江苏省、浙江省、安徽省（打赢蓝天保卫战三年行动计划）",
        ),
        KeyArea(
            "PEARL_RIVER_DELTA",
            "珠三角地区",
            "Pearl River Delta",
            AreaKind.AIR_REGION,
            provinces=("440000",),
            focus_industries=_AIR_INDUSTRIES,
            focus_pollutants=_AIR_POLLUTANTS,
            definition="珠江三角洲9市",
            cities=(
                City("440100", "广州市"),
                City("440300", "深圳市"),
                City("440400", "珠海市"),
                City("440600", "佛山市"),
                City("440700", "江门市"),
                City("441200", "肇庆市"),
                City("441300", "惠州市"),
                City("441900", "东莞市"),
                City("442000", "中山市"),
            ),
        ),
        KeyArea(
            "CHENGDU_CHONGQING",
            "成渝地区",
            "Chengdu-Chongqing region",
            AreaKind.AIR_REGION,
            provinces=("500000", "510000"),
            focus_industries=_AIR_INDUSTRIES,
            focus_pollutants=_AIR_POLLUTANTS,
            definition="成渝地区双城经济圈建设规划纲要（2021）",
            cities=(
                City(
                    "500000",
                    "重庆市",
                    # 武隆 (500156; 500232 before it became a district), 城口, 奉节, 巫山, 巫溪, 石柱, 秀山,
                    # 酉阳, 彭水 are outside; 开州 and 云阳 are only partly inside and are counted in.
                    excluded=(
                        "500156",
                        "500232",
                        "500229",
                        "500236",
                        "500237",
                        "500238",
                        "500240",
                        "500241",
                        "500242",
                        "500243",
                    ),
                    note="中心城区及万州等27个区（县）以及开州、云阳的部分地区",
                ),
                City("510100", "成都市"),
                City("510300", "自贡市"),
                City("510500", "泸州市"),
                City("510600", "德阳市"),
                City("510700", "绵阳市", excluded=("510726", "510727"), note="除北川县、平武县"),
                City("510900", "遂宁市"),
                City("511000", "内江市"),
                City("511100", "乐山市"),
                City("511300", "南充市"),
                City("511400", "眉山市"),
                City("511500", "宜宾市"),
                City("511600", "广安市"),
                City("511700", "达州市", excluded=("511781",), note="除万源市"),
                City("511800", "雅安市", excluded=("511825", "511827"), note="除天全县、宝兴县"),
                City("512000", "资阳市"),
            ),
        ),
    ),
)

RIVER_BASINS: RefCollection[KeyArea] = RefCollection.of(
    "river_basins",
    REFERENCE_DATA_VERSION,
    (
        KeyArea(
            "YANGTZE",
            "长江流域",
            "Yangtze River Basin",
            AreaKind.RIVER_BASIN,
            # 长江保护法 art. 2: the basin's counties in these 19 provincial units (not the 11-province 长江经济带).
            provinces=(
                "630000",
                "510000",
                "540000",
                "530000",
                "500000",
                "420000",
                "430000",
                "360000",
                "340000",
                "320000",
                "310000",
                "620000",
                "610000",
                "410000",
                "520000",
                "450000",
                "440000",
                "330000",
                "350000",
            ),
            focus_industries=_BASIN_INDUSTRIES,
            focus_pollutants=_BASIN_POLLUTANTS,
            definition="《中华人民共和国长江保护法》第二条：长江干流、支流和湖泊形成的集水区域所涉及的青海省、四川省、"
            "西藏自治区、云南省、重庆市、湖北省、湖南省、江西省、安徽省、江苏省、上海市，以及甘肃省、陕西省、河南省、"
            "贵州省、广西壮族自治区、广东省、浙江省、福建省的相关县级行政区域（解读：未收录县级名录，按省级单位判断）",
        ),
        KeyArea(
            "YELLOW_RIVER",
            "黄河流域",
            "Yellow River Basin",
            AreaKind.RIVER_BASIN,
            # 黄河保护法 art. 2: the basin's counties in these 9 provincial units.
            provinces=(
                "630000",
                "510000",
                "620000",
                "640000",
                "150000",
                "140000",
                "610000",
                "410000",
                "370000",
            ),
            focus_industries=_BASIN_INDUSTRIES,
            focus_pollutants=_BASIN_POLLUTANTS,
            definition="《中华人民共和国黄河保护法》第二条：黄河干流、支流和湖泊的集水区域所涉及的青海省、四川省、甘肃省、"
            "宁夏回族自治区、内蒙古自治区、山西省、陕西省、河南省、山东省的相关县级行政区域"
            "（解读：未收录县级名录，按省级单位判断）",
        ),
    ),
)

KEY_AREAS: RefCollection[KeyArea] = RefCollection.of("key_areas", REFERENCE_DATA_VERSION, (*AIR_REGIONS, *RIVER_BASINS))


def areas_containing(division_code: str) -> tuple[KeyArea, ...]:
    """Every key air region and river basin a six-digit division code lies in, in published order."""
    return tuple(area for area in KEY_AREAS if area.contains(division_code))


def areas_touching_province(province_code: str) -> tuple[KeyArea, ...]:
    """Every key area that touches a provincial unit (by six-digit provincial code)."""
    return tuple(area for area in KEY_AREAS if area.touches_province(province_code))
