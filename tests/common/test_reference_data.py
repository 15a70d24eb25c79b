"""Reference data: provincial units, key industries, key areas, pilot/park types, earlier batches."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import pytest
from pydantic import ValidationError

from pilot_common.reference import (
    AIR_REGIONS,
    BATCH_COVERAGE,
    DATA_SOURCES,
    INDUSTRIAL_COATING_RULE,
    KEY_AREAS,
    KEY_INDUSTRIES,
    PARK_TYPES,
    PILOT_TYPES,
    POLLUTANTS,
    PROVINCIAL_AUDIT_LISTS,
    PROVINCIAL_UNITS,
    REFERENCE_DATA,
    REFERENCE_DATA_VERSION,
    RIVER_BASINS,
    SHANXI_MANDATORY_AUDIT,
    AreaKind,
    AuditSizeScope,
    InvalidIndustryCodeError,
    KeyArea,
    Medium,
    RefCollection,
    UnknownDivisionError,
    areas_containing,
    division_in_unit,
    divisions,
    is_key_industry_code,
    key_industries_of,
    key_industry_of,
    pilot_type_by_number,
    province_of,
    provincial_audit_class,
    provincial_unit_of,
)

# --- provincial units -------------------------------------------------------------------------------------


def test_there_are_32_provincial_units_with_unique_six_digit_codes() -> None:
    codes = [unit.code for unit in PROVINCIAL_UNITS]
    assert len(codes) == 32
    assert len(set(codes)) == 32
    assert all(re.fullmatch(r"[1-6]\d0000", code) for code in codes)
    assert len({unit.name for unit in PROVINCIAL_UNITS}) == 32
    assert len({unit.short_name for unit in PROVINCIAL_UNITS}) == 32


def test_provincial_units_are_the_31_provinces_plus_the_corps_in_code_order() -> None:
    codes = PROVINCIAL_UNITS.codes
    assert codes[0] == "110000"
    assert codes[-1] == "660000"
    assert list(codes) == sorted(codes)
    assert PROVINCIAL_UNITS["110000"].name == "北京市"
    assert PROVINCIAL_UNITS["130000"].name == "河北省"
    assert PROVINCIAL_UNITS["500000"].name == "重庆市"
    assert PROVINCIAL_UNITS["650000"].name == "新疆维吾尔自治区"
    corps = PROVINCIAL_UNITS["660000"]
    assert corps.name == "新疆生产建设兵团"
    assert corps.short_name == "新疆兵团"
    assert corps.english_name == "Xinjiang Production and Construction Corps"
    # Hong Kong, Macao and Taiwan have GB/T 2260 codes but are not programme units.
    for code in ("710000", "810000", "820000"):
        assert code not in PROVINCIAL_UNITS


def test_every_unit_has_a_short_name_contained_in_its_name_and_an_english_name() -> None:
    for unit in PROVINCIAL_UNITS:
        assert unit.english_name
        if unit.code != "660000":
            assert unit.name.startswith(unit.short_name), unit


def test_lookup_of_unknown_code() -> None:
    assert PROVINCIAL_UNITS.get("990000") is None
    with pytest.raises(KeyError):
        PROVINCIAL_UNITS["990000"]


@pytest.mark.parametrize(
    ("division", "province"),
    [
        ("130000", "130000"),
        ("130100", "130000"),  # 石家庄市
        ("130102", "130000"),  # 石家庄市长安区
        ("110105", "110000"),  # 北京市朝阳区
        ("500243", "500000"),  # 重庆市彭水县
        ("650102", "650000"),
        ("659001", "650000"),  # 石河子市 carries a Xinjiang code
        ("660100", "660000"),
        ("660000", "660000"),
        (" 441900 ", "440000"),
    ],
)
def test_province_of_maps_any_division_code_to_its_provincial_unit(division: str, province: str) -> None:
    assert province_of(division) == province


@pytest.mark.parametrize("bad", ["", "13010", "1301020", "13O102", "710000", "990101", "000000"])
def test_province_of_refuses_malformed_or_foreign_codes(bad: str) -> None:
    with pytest.raises(UnknownDivisionError):
        province_of(bad)


def test_provincial_unit_of_returns_the_unit() -> None:
    assert provincial_unit_of("320583").short_name == "江苏"


# --- key industries ---------------------------------------------------------------------------------------

# The notice's own sentences (seed 003 一 and 二(四)), which the data must agree with.
NOTICE_003_KEY_INDUSTRIES = (
    "以能源、钢铁、焦化、建材、有色金属、石化化工、印染、造纸、化学原料药、电镀、"
    "农副食品加工、工业涂装、包装印刷等行业为重点"
)
NOTICE_003_REGIONS = (
    "在京津冀及周边地区、汾渭平原、长三角地区、珠三角地区、成渝地区等区域，重点实施钢铁、石化化工、焦化、工业涂装、"
    "包装印刷等行业企业的清洁生产协同审核，重点推进细颗粒物(PM2.5)和臭氧(O3)协同控制"
)
NOTICE_003_BASINS = (
    "在长江、黄河等流域重点实施印染、造纸、化学原料药、农副食品加工等行业企业的清洁生产协同审核，重点推进氨氮和磷减排"
)


def test_the_key_industries_are_the_notices_13_in_its_order() -> None:
    assert len(KEY_INDUSTRIES) == 13
    assert "以" + "、".join(i.name for i in KEY_INDUSTRIES) + "等行业为重点" == NOTICE_003_KEY_INDUSTRIES
    assert all(re.fullmatch(r"[A-Z_]+", i.code) and i.english_name for i in KEY_INDUSTRIES)


def test_every_key_industry_has_headings_or_a_division_range_rule() -> None:
    for industry in KEY_INDUSTRIES:
        assert industry.mappings or industry.division_rule is not None, industry.code
    rules = [i.code for i in KEY_INDUSTRIES if i.division_rule is not None]
    assert rules == ["INDUSTRIAL_COATING"]
    assert KEY_INDUSTRIES["INDUSTRIAL_COATING"].mappings == ()


def test_every_national_heading_names_its_source_and_no_heading_sits_in_two_industries() -> None:
    owner: dict[str, str] = {}
    for industry in KEY_INDUSTRIES:
        for m in industry.mappings:
            assert re.fullmatch(r"\d{2,4}", m.code), m
            assert m.name and m.source, m
            if m.reading:
                assert "解读" in m.source, m  # a reading says so in its source
            for other, other_industry in owner.items():
                assert not (m.code.startswith(other) or other.startswith(m.code)), (m.code, other_industry)
            owner[m.code] = industry.code


def test_industrial_coating_rule_is_a_process_in_divisions_33_to_43_and_furniture() -> None:
    assert INDUSTRIAL_COATING_RULE.division_codes == ("21", *(str(d) for d in range(33, 44)))
    assert INDUSTRIAL_COATING_RULE.reading


@pytest.mark.parametrize(
    ("code", "industry"),
    [
        ("0610", "ENERGY"),
        ("4411", "ENERGY"),
        ("3110", "STEEL"),
        ("3130", "STEEL"),  # 钢压延加工: the whole of division 31 is 钢铁
        ("2521", "COKING"),
        ("2522", "PETROCHEMICAL_CHEMICAL"),  # coal chemicals: a reading, under 石化化工
        ("3011", "BUILDING_MATERIALS"),
        ("3061", "BUILDING_MATERIALS"),  # 玻璃纤维
        ("3216", "NONFERROUS"),
        ("3214", "NONFERROUS"),  # 锡冶炼
        ("3232", "NONFERROUS"),  # 稀土金属冶炼
        ("2511", "PETROCHEMICAL_CHEMICAL"),
        ("2614", "PETROCHEMICAL_CHEMICAL"),
        ("2822", "PETROCHEMICAL_CHEMICAL"),  # 涤纶纤维 (化纤)
        ("1713", "DYEING_PRINTING"),
        ("2221", "PAPER"),
        ("2223", "PAPER"),  # 加工纸 is 造纸 nationally (Shanxi lists it under 包装印刷)
        ("2710", "CHEMICAL_API"),
        ("3360", "ELECTROPLATING"),
        ("1351", "AGRI_FOOD_PROCESSING"),
        ("1391", "AGRI_FOOD_PROCESSING"),  # 淀粉: all of division 13
        ("1392", "AGRI_FOOD_PROCESSING"),  # 豆制品
        ("2319", "PACKAGING_PRINTING"),
        ("C2611", "PETROCHEMICAL_CHEMICAL"),  # with its section letter
        (" 2611 ", "PETROCHEMICAL_CHEMICAL"),
    ],
)
def test_key_industry_of_a_class(code: str, industry: str) -> None:
    found = key_industry_of(code)
    assert found is not None
    assert found.code == industry
    assert is_key_industry_code(code)


@pytest.mark.parametrize("code", ["2720", "3391", "3392", "1810", "3411", "4419", "6510"])
def test_classes_outside_the_key_industries(code: str) -> None:
    # 3391/3392 foundry is not electroplating; 2720 制剂 is not 原料药.
    assert key_industry_of(code) is None
    assert not is_key_industry_code(code)


def test_industrial_coating_needs_a_coating_process_in_its_divisions() -> None:
    assert key_industry_of("3411") is None
    coating = key_industry_of("3411", has_coating_process=True)
    assert coating is not None and coating.code == "INDUSTRIAL_COATING"
    assert key_industry_of("3670", has_coating_process=True) == coating
    assert key_industry_of("4330", has_coating_process=True) == coating
    assert key_industry_of("2110", has_coating_process=True) == coating  # furniture
    assert key_industry_of("3391", has_coating_process=True) == coating  # a foundry with a paint line
    assert key_industry_of("3211", has_coating_process=True) == KEY_INDUSTRIES["NONFERROUS"]
    assert key_industry_of("4419", has_coating_process=True) is None


def test_a_class_with_a_coating_line_is_both_but_resolves_to_its_own_industry() -> None:
    both = key_industries_of("3360", has_coating_process=True)
    assert [i.code for i in both] == ["ELECTROPLATING", "INDUSTRIAL_COATING"]
    found = key_industry_of("3360", has_coating_process=True)
    assert found is not None and found.code == "ELECTROPLATING"


@pytest.mark.parametrize(
    ("code", "industry"),
    [
        ("26", "PETROCHEMICAL_CHEMICAL"),
        ("221", "PAPER"),
        ("222", "PAPER"),
        ("231", "PACKAGING_PRINTING"),
        ("09", "NONFERROUS"),
        ("13", "AGRI_FOOD_PROCESSING"),
        ("31", "STEEL"),
    ],
)
def test_division_and_group_codes_resolve_when_unambiguous(code: str, industry: str) -> None:
    found = key_industry_of(code)
    assert found is not None and found.code == industry


@pytest.mark.parametrize("code", ["25", "22", "252", "181"])
def test_ambiguous_or_unlisted_groups_give_none(code: str) -> None:
    # 25 and 252: refining/coal chemicals + coking; 22: paper + paper containers (packaging); 181: nothing.
    assert key_industry_of(code) is None


def test_division_33_is_electroplating_unless_a_coating_line_makes_it_ambiguous() -> None:
    electroplating = key_industry_of("33")
    assert electroplating is not None and electroplating.code == "ELECTROPLATING"
    assert key_industry_of("33", has_coating_process=True) is None
    assert key_industry_of("34", has_coating_process=True) == KEY_INDUSTRIES["INDUSTRIAL_COATING"]


def test_a_programme_may_replace_an_industrys_mapping() -> None:
    narrow = {"STEEL": ["3110", "3120"]}
    assert key_industry_of("3130", overrides=narrow) is None
    assert key_industry_of("3110", overrides=narrow) == KEY_INDUSTRIES["STEEL"]
    assert key_industry_of("1391", overrides=narrow) == KEY_INDUSTRIES["AGRI_FOOD_PROCESSING"]  # others national


@pytest.mark.parametrize("bad", ["", "2", "26A1", "12345", "Z2611", "二六一一"])
def test_malformed_industry_codes_raise_rather_than_count_as_non_key(bad: str) -> None:
    with pytest.raises(InvalidIndustryCodeError):
        key_industry_of(bad)
    with pytest.raises(InvalidIndustryCodeError):
        is_key_industry_code(bad)


def test_shanxis_mandatory_audit_list_is_a_provincial_layer_with_its_thresholds() -> None:
    assert PROVINCIAL_AUDIT_LISTS.codes == ("140000",)
    assert SHANXI_MANDATORY_AUDIT.source.startswith("晋环发〔2022〕31号")
    coke = provincial_audit_class("140000", "2521")
    assert coke is not None and coke.name == "炼焦" and coke.audit_scope is AuditSizeScope.ALL
    refractory = provincial_audit_class("140000", "3089")
    assert refractory is not None and refractory.audit_scope is AuditSizeScope.LARGE_MEDIUM_SMALL
    foundry = provincial_audit_class("140000", "3391")
    assert foundry is not None and foundry.list_group == "电镀"  # Shanxi's grouping, not the national one
    assert provincial_audit_class("140000", "2720") is not None  # Shanxi audits 制剂 too
    assert provincial_audit_class("140000", "3130") is None  # but not steel rolling
    assert provincial_audit_class("320000", "2521") is None  # Jiangsu has no list here
    assert len(SHANXI_MANDATORY_AUDIT.classes) == 117


# --- key air regions and river basins ---------------------------------------------------------------------


def _focus_as_the_notice_says_it(area: KeyArea) -> str:
    industries = "、".join(KEY_INDUSTRIES[c].name for c in area.focus_industries)
    return f"{industries}等行业企业的清洁生产协同审核"


def test_air_regions_of_notice_003() -> None:
    assert "在" + "、".join(r.name for r in AIR_REGIONS) + "等区域" in NOTICE_003_REGIONS
    assert all(r.kind is AreaKind.AIR_REGION for r in AIR_REGIONS)
    for region in AIR_REGIONS:
        assert _focus_as_the_notice_says_it(region) in NOTICE_003_REGIONS, region.code
        assert all(f"({POLLUTANTS[p].symbol})" in NOTICE_003_REGIONS for p in region.focus_pollutants), region.code
        assert {POLLUTANTS[p].medium for p in region.focus_pollutants} == {Medium.AIR}


def test_river_basins_of_notice_003() -> None:
    assert "在" + "、".join(b.name.removesuffix("流域") for b in RIVER_BASINS) + "等流域" in NOTICE_003_BASINS
    for basin in RIVER_BASINS:
        assert basin.kind is AreaKind.RIVER_BASIN
        assert _focus_as_the_notice_says_it(basin) in NOTICE_003_BASINS, basin.code
        # 氨氮和磷: the names, with 磷 as 总磷
        assert "和".join(POLLUTANTS[p].name.removeprefix("总") for p in basin.focus_pollutants) in NOTICE_003_BASINS
        assert {POLLUTANTS[p].medium for p in basin.focus_pollutants} == {Medium.WATER}
    yangtze, yellow = RIVER_BASINS["YANGTZE"], RIVER_BASINS["YELLOW_RIVER"]
    # 长江保护法 art. 2: 19 provincial units, among them 青海、西藏、甘肃、陕西、河南、广西、广东、福建 (not the 11 of
    # the 长江经济带).
    assert len(yangtze.provinces) == 19
    assert {"630000", "540000", "620000", "610000", "410000", "450000", "440000", "350000"} <= set(yangtze.provinces)
    assert "长江保护法" in yangtze.definition and "黄河保护法" in yellow.definition
    assert yangtze.contains("610902")  # 安康市汉滨区, on the 汉江
    # 黄河保护法 art. 2 names 9 provincial units, each of which its definition spells out.
    assert len(yellow.provinces) == 9
    assert all(PROVINCIAL_UNITS[p].name in yellow.definition for p in yellow.provinces)


def test_every_area_names_existing_provinces_industries_and_pollutants() -> None:
    assert len(KEY_AREAS) == len(AIR_REGIONS) + len(RIVER_BASINS) == 7
    for area in KEY_AREAS:
        assert area.provinces, area.code
        assert len(set(area.provinces)) == len(area.provinces)
        for province in area.provinces:
            assert province in PROVINCIAL_UNITS, (area.code, province)
        for industry in area.focus_industries:
            assert industry in KEY_INDUSTRIES, (area.code, industry)
        for pollutant in area.focus_pollutants:
            assert pollutant in POLLUTANTS, (area.code, pollutant)


def test_every_city_lies_in_one_of_its_areas_provinces() -> None:
    for area in KEY_AREAS:
        codes = [city.code for city in area.cities]
        assert len(set(codes)) == len(codes), area.code
        provinces_with_cities = set()
        for city in area.cities:
            assert re.fullmatch(r"\d{4}00", city.code), city
            assert province_of(city.code) in area.provinces, (area.code, city)
            provinces_with_cities.add(province_of(city.code))
            for excluded in city.excluded:
                assert excluded[:4] == city.code[:4] or (city.is_municipality and excluded[:2] == city.code[:2])
        if area.cities:
            assert provinces_with_cities == set(area.provinces), area.code


def test_city_counts_match_the_official_definitions() -> None:
    assert len(AIR_REGIONS["JJJ_AND_SURROUNDING"].cities) == 2 + 26
    assert len(AIR_REGIONS["FENWEI_PLAIN"].cities) == 11
    assert len(AIR_REGIONS["PEARL_RIVER_DELTA"].cities) == 9
    assert len(AIR_REGIONS["CHENGDU_CHONGQING"].cities) == 1 + 15
    assert AIR_REGIONS["YANGTZE_RIVER_DELTA"].whole_provinces


@pytest.mark.parametrize(
    ("division", "area", "inside"),
    [
        ("130102", "JJJ_AND_SURROUNDING", True),  # 石家庄长安区
        ("130302", "JJJ_AND_SURROUNDING", False),  # 秦皇岛 is not among the 2+26
        ("110105", "JJJ_AND_SURROUNDING", True),
        ("140105", "JJJ_AND_SURROUNDING", True),  # 太原小店区
        ("130000", "JJJ_AND_SURROUNDING", False),  # Hebei as a whole is only partly inside
        ("610403", "FENWEI_PLAIN", True),  # 杨陵区 (杨凌示范区)
        ("140105", "FENWEI_PLAIN", False),
        ("340102", "YANGTZE_RIVER_DELTA", True),
        ("340000", "YANGTZE_RIVER_DELTA", True),
        ("441900", "PEARL_RIVER_DELTA", True),
        ("440500", "PEARL_RIVER_DELTA", False),  # 汕头
        ("510703", "CHENGDU_CHONGQING", True),  # 绵阳涪城区
        ("510726", "CHENGDU_CHONGQING", False),  # 北川 is left out
        ("511781", "CHENGDU_CHONGQING", False),  # 万源
        ("500103", "CHENGDU_CHONGQING", True),  # 渝中区
        ("500243", "CHENGDU_CHONGQING", False),  # 彭水
        ("420102", "YANGTZE", True),
        ("370102", "YANGTZE", False),
        ("610902", "YANGTZE", True),  # 陕西 (汉江)
        ("630100", "YANGTZE", True),  # 青海
        ("370102", "YELLOW_RIVER", True),
        ("not-a-code", "YELLOW_RIVER", False),
    ],
)
def test_area_contains(division: str, area: str, inside: bool) -> None:
    assert KEY_AREAS[area].contains(division) is inside


def test_areas_containing_lists_all_areas_in_order() -> None:
    assert [a.code for a in areas_containing("140105")] == ["JJJ_AND_SURROUNDING", "YELLOW_RIVER"]
    assert [a.code for a in areas_containing("510104")] == ["CHENGDU_CHONGQING", "YANGTZE", "YELLOW_RIVER"]
    assert areas_containing("460100") == ()


def test_pollutants_have_unique_codes_symbols_and_names() -> None:
    for attribute in ("code", "symbol", "name", "english_name"):
        values = [getattr(p, attribute) for p in POLLUTANTS]
        assert all(values) and len(set(values)) == len(values), attribute
    # The notice writes the air pollutants as 细颗粒物(PM2.5) and 臭氧(O3): name and symbol together.
    for code in ("PM25", "O3"):
        assert f"{POLLUTANTS[code].name}({POLLUTANTS[code].symbol})" in NOTICE_003_REGIONS


# --- pilot types, park types, coverage ---------------------------------------------------------------------


def test_the_four_pilot_types() -> None:
    assert [t.number for t in PILOT_TYPES] == [1, 2, 3, 4]
    assert len(set(PILOT_TYPES.codes)) == 4
    for pilot_type in PILOT_TYPES:
        assert "清洁生产" in pilot_type.name and pilot_type.name.endswith("审核创新"), pilot_type
        assert pilot_type.english_name and pilot_type.pilot_object_zh, pilot_type
    found = pilot_type_by_number(4)
    assert found is not None and found.code == "REGION_BASIN"
    assert pilot_type_by_number(5) is None


def test_park_types_have_unique_codes_and_names() -> None:
    assert len(set(PARK_TYPES.codes)) == len(PARK_TYPES) >= 5
    assert len({p.name for p in PARK_TYPES}) == len(PARK_TYPES)
    for code in ("ECONOMIC_DEVELOPMENT_ZONE", "HIGH_TECH_ZONE", "CHEMICAL_PARK", "INDUSTRIAL_CLUSTER"):
        assert code in PARK_TYPES


def test_batch_1_coverage_is_labelled_and_refers_to_known_codes() -> None:
    batch1 = BATCH_COVERAGE["BATCH_1"]
    assert batch1.document == "环办科财函〔2022〕476号"
    assert (batch1.approved_projects, batch1.park_projects, batch1.passed_assessment) == (56, 40, 44)
    assert batch1.provisional  # the official annex was not available; must stay visibly provisional
    assert not set(batch1.confirmed_industries) & set(batch1.assumed_industries)
    assert not set(batch1.confirmed_park_types) & set(batch1.assumed_park_types)
    for code in batch1.industries:
        assert code in KEY_INDUSTRIES, code
    for code in batch1.park_types:
        assert code in PARK_TYPES, code
    for example in batch1.examples:
        assert example.province in PROVINCIAL_UNITS
        assert set(example.industries) <= set(batch1.confirmed_industries)
        assert example.park_type in batch1.confirmed_park_types


def test_priority_sets_for_batch_2() -> None:
    covered = REFERENCE_DATA.covered_industries(before_batch=2)
    assert covered == frozenset(BATCH_COVERAGE["BATCH_1"].industries)
    assert "PETROCHEMICAL_CHEMICAL" in covered
    # Some key industries are left for batch 2 to prioritise.
    assert set(KEY_INDUSTRIES.codes) - covered
    assert REFERENCE_DATA.covered_industries(before_batch=1) == frozenset()
    assert "CHEMICAL_PARK" in REFERENCE_DATA.covered_park_types(before_batch=2)
    assert "INDUSTRIAL_CLUSTER" not in REFERENCE_DATA.covered_park_types(before_batch=2)


# --- versioning and immutability ---------------------------------------------------------------------------


def test_every_collection_carries_the_reference_data_version() -> None:
    assert REFERENCE_DATA.version == REFERENCE_DATA_VERSION
    collections: list[RefCollection[Any]] = [
        REFERENCE_DATA.provincial_units,
        REFERENCE_DATA.key_industries,
        REFERENCE_DATA.air_regions,
        REFERENCE_DATA.river_basins,
        REFERENCE_DATA.key_areas,
        REFERENCE_DATA.pollutants,
        REFERENCE_DATA.pilot_types,
        REFERENCE_DATA.park_types,
        REFERENCE_DATA.batch_coverage,
    ]
    for collection in collections:
        assert collection.version == REFERENCE_DATA_VERSION, collection.name
        assert isinstance(collection.entries, tuple)
        assert list(collection) == list(collection.entries)


def test_reference_data_cannot_be_changed() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PROVINCIAL_UNITS["110000"].name = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        KEY_INDUSTRIES.entries = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        REFERENCE_DATA.version = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        PROVINCIAL_UNITS._by_code["990000"] = PROVINCIAL_UNITS["110000"]  # type: ignore[index]
    assert isinstance(KEY_INDUSTRIES["STEEL"].mappings, tuple)


def test_reference_data_object_delegates_to_the_lookups() -> None:
    assert REFERENCE_DATA.province_of("130102") == "130000"
    steel = REFERENCE_DATA.key_industry_of("3120")
    assert steel is not None and steel.code == "STEEL"
    assert REFERENCE_DATA.is_key_industry_code("3411", has_coating_process=True)


@pytest.mark.parametrize(
    ("division", "unit", "inside"),
    [
        ("659001", "660000", True),  # 石河子市, a Corps city listed under Xinjiang
        ("660100", "660000", True),  # a Corps division's own code
        ("650100", "660000", False),  # 乌鲁木齐市 is Xinjiang's, not the Corps'
        ("659001", "650000", True),  # and the Corps city also lies in Xinjiang
        ("320583", "320000", True),
        ("320583", "330000", False),
        ("32058", "320000", False),
        ("320583", "990000", False),
    ],
)
def test_one_rule_for_divisions_in_a_unit_including_the_corps(division: str, unit: str, inside: bool) -> None:
    assert division_in_unit(division, unit) is inside


# --- the data files -------------------------------------------------------------------------------------------

_DATA = files("pilot_common.reference") / "data"
_SEED_OR_STANDARD = re.compile(r"seed 00\d|GB/T \d+|〔\d{4}〕|法|方案|纲要|计划|制度|docs/")


def test_every_data_file_names_its_sources() -> None:
    shipped = sorted(f.name for f in _DATA.iterdir() if f.name.endswith(".json"))
    assert shipped == sorted(DATA_SOURCES)
    for name, sources in DATA_SOURCES.items():
        assert sources, name
        for source in sources:
            assert source.title.strip() and source.used_for.strip(), (name, source)
            assert _SEED_OR_STANDARD.search(source.title), (name, source.title)
    titles = " ".join(s.title for sources in DATA_SOURCES.values() for s in sources)
    for standard in ("GB/T 2260", "GB/T 4754-2017", "seed 003", "seed 004"):
        assert standard in titles


def test_codes_are_well_formed_and_unique_in_every_collection() -> None:
    for collection in (PROVINCIAL_UNITS, KEY_INDUSTRIES, KEY_AREAS, POLLUTANTS, PILOT_TYPES, PARK_TYPES):
        assert len(set(collection.codes)) == len(collection) > 0, collection.name
    assert all(re.fullmatch(r"\d{2}0000", code) for code in PROVINCIAL_UNITS.codes)
    assert all(
        re.fullmatch(r"[A-Z][A-Z0-9_]*", code) for c in (KEY_INDUSTRIES, KEY_AREAS, PARK_TYPES) for code in c.codes
    )
    for audit_list in PROVINCIAL_AUDIT_LISTS:
        rows = [c.code for c in audit_list.classes]
        assert audit_list.code in PROVINCIAL_UNITS
        assert len(set(rows)) == len(rows) and all(re.fullmatch(r"\d{4}", r) for r in rows), audit_list.code


def test_every_key_industry_maps_to_gbt4754_codes_that_name_their_heading() -> None:
    for industry in KEY_INDUSTRIES:
        codes = industry.mapping_codes or (industry.division_rule.division_codes if industry.division_rule else ())
        assert codes, industry.code
        assert all(re.fullmatch(r"\d{2,4}", c) for c in codes), industry.code
        assert all(key_industry_of(c) is industry for c in industry.mapping_codes), industry.code
    # Shanxi's rows that carry a national heading's code sit in that heading's industry, whatever Shanxi calls it.
    for row in SHANXI_MANDATORY_AUDIT.classes:
        for industry in key_industries_of(row.code):
            assert any(row.code.startswith(m) or m.startswith(row.code) for m in industry.mapping_codes)


def test_every_area_lies_in_real_provincial_units() -> None:
    for area in KEY_AREAS:
        for province in area.provinces:
            assert PROVINCIAL_UNITS[province].code == province_of(province), (area.code, province)
        for city in area.cities:
            assert area.contains(city.code) or city.excluded, (area.code, city.code)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d["provincial_units"][0].update(capital="石家庄"), "unexpected"),
        (lambda d: d["provincial_units"][0].update(kind="county"), "kind"),
        (lambda d: d["provincial_units"][0].pop("english_name"), "english_name"),
        (lambda d: d.update(sources=[]), "sources"),
    ],
)
def test_a_malformed_data_file_is_refused_when_it_loads(change: Callable[[dict[str, Any]], object], why: str) -> None:
    data = json.loads((_DATA / "divisions.json").read_text(encoding="utf-8"))
    change(data)
    shape = type(divisions._FILE)
    with pytest.raises(ValidationError, match=why):
        shape.model_validate_json(json.dumps(data))
