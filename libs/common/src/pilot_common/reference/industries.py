"""The 13 key industries (重点行业) of notice 003 mapped to GB/T 4754-2017, and provincial mandatory-audit lists.

Two layers, never mixed:

* **National** (:data:`KEY_INDUSTRIES`): notice 003 names 13 key industries ("以能源、钢铁、焦化、建材、有色金属、
  石化化工、印染、造纸、化学原料药、电镀、农副食品加工、工业涂装、包装印刷等行业为重点") without codes. Each is
  mapped to GB/T 4754-2017 divisions (大类, 2 digits), groups (中类, 3) or classes (小类, 4) as the national
  industry means it. Every mapping names its source; ``reading=True`` marks where the mapping is our reading
  rather than a GB/T 4754 heading of the same name (see ``docs/decisions.md``). A programme may replace an
  industry's mapping as data (``ProgrammeRules.key_industry_mapping``).
* **Provincial** (:data:`PROVINCIAL_AUDIT_LISTS`): seed 004's annex (晋环发〔2022〕31号, "应开展强制性清洁生产审核
  的行业类别") is Shanxi's list of classes that must do mandatory audits, with size thresholds (所有/大中型/
  大中小型). It is kept as Shanxi's layer with its own grouping (e.g. its 电镀 row holds the foundry classes
  3391/3392, which are not electroplating nationally) and is never used to decide a national rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ._collection import RefCollection
from ._version import REFERENCE_DATA_VERSION


class AuditSizeScope(StrEnum):
    """Which enterprise sizes of a class must do mandatory audits (a provincial list's column 规模)."""

    ALL = "all"  # 所有
    LARGE_MEDIUM = "large_medium"  # 大中型
    LARGE_MEDIUM_SMALL = "large_medium_small"  # 大中小型

    @property
    def label_zh(self) -> str:
        return _SCOPE_LABELS[self]


_SCOPE_LABELS = {
    AuditSizeScope.ALL: "所有",
    AuditSizeScope.LARGE_MEDIUM: "大中型",
    AuditSizeScope.LARGE_MEDIUM_SMALL: "大中小型",
}

GBT4754 = "GB/T 4754-2017"


@dataclass(frozen=True)
class IndustryMapping:
    """One GB/T 4754-2017 heading that belongs to a key industry."""

    code: str  # 2 (大类), 3 (中类) or 4 (小类) digits
    name: str  # the heading's name in GB/T 4754-2017
    source: str  # where the mapping comes from
    reading: bool = False  # True: our reading of the notice's word, not a same-named GB/T heading
    note: str | None = None

    @property
    def level(self) -> str:
        return {2: "division", 3: "group", 4: "class"}[len(self.code)]


@dataclass(frozen=True)
class GbtDivision:
    """A GB/T 4754-2017 two-digit division (行业大类)."""

    code: str
    name: str


@dataclass(frozen=True)
class DivisionRangeRule:
    """A key industry defined by a process inside a range of divisions rather than by headings."""

    divisions: tuple[GbtDivision, ...]
    process: str  # the process code the enterprise must have, e.g. "coating"
    process_name: str  # e.g. "工业涂装工序"
    description_zh: str
    description_en: str
    source: str
    reading: bool

    @property
    def division_codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.divisions)

    def covers_division(self, division: str) -> bool:
        return division in self.division_codes


@dataclass(frozen=True)
class KeyIndustry:
    code: str  # stable English code, e.g. "STEEL"
    name: str  # Chinese name as in notice 003, e.g. "钢铁"
    english_name: str
    mappings: tuple[IndustryMapping, ...] = ()
    division_rule: DivisionRangeRule | None = None

    @property
    def mapping_codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.mappings)


_HEADING = f"{GBT4754}同名门类标题"
_DYEING = f"{GBT4754}中以“印染/染整精加工”命名的小类"


def _m(
    code: str, name: str, source: str = _HEADING, *, reading: bool = False, note: str | None = None
) -> IndustryMapping:
    return IndustryMapping(code, name, source, reading, note)


INDUSTRIAL_COATING_RULE = DivisionRangeRule(
    divisions=(
        GbtDivision("21", "家具制造业"),
        GbtDivision("33", "金属制品业"),
        GbtDivision("34", "通用设备制造业"),
        GbtDivision("35", "专用设备制造业"),
        GbtDivision("36", "汽车制造业"),
        GbtDivision("37", "铁路、船舶、航空航天和其他运输设备制造业"),
        GbtDivision("38", "电气机械和器材制造业"),
        GbtDivision("39", "计算机、通信和其他电子设备制造业"),
        GbtDivision("40", "仪器仪表制造业"),
        GbtDivision("41", "其他制造业"),
        GbtDivision("42", "废弃资源综合利用业"),
        GbtDivision("43", "金属制品、机械和设备修理业"),
    ),
    process="coating",
    process_name="工业涂装工序",
    description_zh="行业大类21、33–43中涉及工业涂装工序的企业",
    description_en="An enterprise in GB/T 4754 divisions 21 or 33–43 that has an industrial coating process",
    source="工业涂装是工序而非行业门类：大类33–43沿用常见口径（如晋环发〔2022〕31号附件），21家具制造业为解读补充",
    reading=True,
)

KEY_INDUSTRIES: RefCollection[KeyIndustry] = RefCollection.of(
    "key_industries",
    REFERENCE_DATA_VERSION,
    (
        KeyIndustry(
            "ENERGY",
            "能源",
            "Energy",
            (
                _m("06", "煤炭开采和洗选业", "解读：能源行业含煤炭采选", reading=True),
                _m("07", "石油和天然气开采业", "解读：能源行业含油气开采", reading=True),
                _m("4411", "火力发电", "解读：能源行业含化石与生物质燃料发电", reading=True),
                _m("4412", "热电联产", "解读：能源行业含化石与生物质燃料发电", reading=True),
                _m("4417", "生物质能发电", "解读：能源行业含化石与生物质燃料发电", reading=True),
                _m("443", "热力生产和供应", "解读：能源行业含供热", reading=True),
            ),
        ),
        KeyIndustry(
            "STEEL",
            "钢铁",
            "Iron and steel",
            (
                _m("31", "黑色金属冶炼和压延加工业", note="含3130钢压延加工"),
                _m("08", "黑色金属矿采选业", "解读：钢铁行业含上游铁矿采选", reading=True),
            ),
        ),
        KeyIndustry("COKING", "焦化", "Coking", (_m("2521", "炼焦"),)),
        KeyIndustry(
            "BUILDING_MATERIALS",
            "建材",
            "Building materials",
            (_m("30", "非金属矿物制品业", "解读：建材行业即非金属矿物制品业（含3061玻璃纤维）", reading=True),),
        ),
        KeyIndustry(
            "NONFERROUS",
            "有色金属",
            "Non-ferrous metals",
            (
                _m("32", "有色金属冶炼和压延加工业", note="含3214锡冶炼、3232稀土金属冶炼"),
                _m("09", "有色金属矿采选业", "解读：有色金属行业含上游矿采选", reading=True),
            ),
        ),
        KeyIndustry(
            "PETROCHEMICAL_CHEMICAL",
            "石化化工",
            "Petrochemical and chemical",
            (
                _m("251", "精炼石油产品制造"),
                _m("2522", "煤制合成气生产", "解读：现代煤化工属石化化工", reading=True),
                _m("2523", "煤制液体燃料生产", "解读：现代煤化工属石化化工", reading=True),
                _m("26", "化学原料和化学制品制造业"),
                _m("28", "化学纤维制造业", "解读：化学纤维制造属石化化工产业链", reading=True),
            ),
        ),
        KeyIndustry(
            "DYEING_PRINTING",
            "印染",
            "Textile printing and dyeing",
            (
                _m("1713", "棉印染精加工", _DYEING),
                _m("1723", "毛染整精加工", _DYEING),
                _m("1733", "麻染整精加工", _DYEING),
                _m("1743", "丝印染精加工", _DYEING),
                _m("1752", "化纤织物染整精加工", _DYEING),
                _m("1762", "针织或钩针编织物印染精加工", _DYEING),
            ),
        ),
        KeyIndustry(
            "PAPER",
            "造纸",
            "Pulp and paper",
            (_m("221", "纸浆制造"), _m("222", "造纸", note="含2223加工纸制造")),
        ),
        KeyIndustry(
            "CHEMICAL_API",
            "化学原料药",
            "Chemical active pharmaceutical ingredients",
            (_m("2710", "化学药品原料药制造"),),
        ),
        KeyIndustry(
            "ELECTROPLATING",
            "电镀",
            "Electroplating",
            (
                _m(
                    "3360",
                    "金属表面处理及热处理加工",
                    "解读：电镀为该小类所含工序；铸造（3391/3392）不是电镀",
                    reading=True,
                ),
            ),
        ),
        KeyIndustry(
            "AGRI_FOOD_PROCESSING",
            "农副食品加工",
            "Agricultural and sideline food processing",
            (_m("13", "农副食品加工业", note="整个大类，含1391淀粉、1392豆制品"),),
        ),
        KeyIndustry(
            "INDUSTRIAL_COATING",
            "工业涂装",
            "Industrial coating",
            division_rule=INDUSTRIAL_COATING_RULE,
        ),
        KeyIndustry(
            "PACKAGING_PRINTING",
            "包装印刷",
            "Packaging and printing",
            (
                _m("231", "印刷", note="含2319包装装潢及其他印刷"),
                _m("2231", "纸和纸板容器制造", "解读：包装印刷含纸包装容器", reading=True),
            ),
        ),
    ),
)


# --- the provincial layer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvincialAuditClass:
    """One row of a provincial mandatory-audit list: a four-digit class, the list's own group, its size scope."""

    code: str
    name: str
    list_group: str  # the list's 行业大类 label, e.g. "电镀" (a provincial grouping, not the national one)
    audit_scope: AuditSizeScope
    note: str | None = None


@dataclass(frozen=True)
class ProvincialAuditList:
    """A province's list of industries that must do mandatory cleaner-production audits."""

    code: str  # the province's six-digit code
    province: str
    title: str
    source: str
    classes: tuple[ProvincialAuditClass, ...]
    process_rule: str  # rows that name a process, not classes
    process_rule_scope: AuditSizeScope

    def audit_class(self, code: str) -> ProvincialAuditClass | None:
        return next((c for c in self.classes if c.code == code), None)


_ALL = AuditSizeScope.ALL
_LM = AuditSizeScope.LARGE_MEDIUM
_LMS = AuditSizeScope.LARGE_MEDIUM_SMALL
_NO_MINING = "不包括无开采工序的企业"

SHANXI_MANDATORY_AUDIT = ProvincialAuditList(
    code="140000",
    province="山西省",
    title="应开展强制性清洁生产审核的行业类别",
    source="晋环发〔2022〕31号《山西省“十四五”重点行业清洁生产审核实施方案》附件",
    classes=(
        ProvincialAuditClass("0610", "烟煤和无烟煤开采洗选", "能源", _ALL, _NO_MINING),
        ProvincialAuditClass("0620", "褐煤开采洗选", "能源", _ALL, _NO_MINING),
        ProvincialAuditClass("0690", "其他煤炭采选", "能源", _ALL, _NO_MINING),
        ProvincialAuditClass("0721", "陆地天然气开采", "能源", _ALL),
        ProvincialAuditClass("4411", "火力发电", "能源", _ALL),
        ProvincialAuditClass("4412", "热电联产", "能源", _ALL),
        ProvincialAuditClass("4417", "生物质能发电（含垃圾发电）", "能源", _ALL),
        ProvincialAuditClass("3110", "炼铁", "钢铁", _ALL),
        ProvincialAuditClass("3120", "炼钢", "钢铁", _ALL),
        ProvincialAuditClass("3140", "铁合金冶炼", "钢铁", _ALL),
        ProvincialAuditClass("0810", "铁矿采选", "钢铁", _ALL),
        ProvincialAuditClass("0820", "锰矿、铬矿采选", "钢铁", _ALL),
        ProvincialAuditClass("0890", "其他黑色金属矿采选", "钢铁", _ALL),
        ProvincialAuditClass("2521", "炼焦", "焦化及煤化工", _ALL),
        ProvincialAuditClass("2522", "煤制合成气生产", "焦化及煤化工", _ALL),
        ProvincialAuditClass("2523", "煤制液体燃料生产", "焦化及煤化工", _ALL),
        ProvincialAuditClass("3011", "水泥制造", "建材", _ALL),
        ProvincialAuditClass("3012", "石灰和石膏制造", "建材", _LM),
        ProvincialAuditClass("3031", "粘土砖瓦及建筑砌块制造", "建材", _ALL),
        ProvincialAuditClass("3041", "平板玻璃制造", "建材", _ALL),
        ProvincialAuditClass("3042", "特种玻璃制造", "建材", _LM),
        ProvincialAuditClass("3049", "其他玻璃制造", "建材", _LM),
        ProvincialAuditClass("3071", "建筑陶瓷制品制造", "建材", _ALL),
        ProvincialAuditClass("3072", "卫生陶瓷制品制造", "建材", _LM),
        ProvincialAuditClass("3073", "特种陶瓷制品制造", "建材", _LM),
        ProvincialAuditClass("3074", "日用陶瓷制品制造", "建材", _LM),
        ProvincialAuditClass("3075", "陈设艺术陶瓷制造", "建材", _LM),
        ProvincialAuditClass("3076", "园艺陶瓷制造", "建材", _LM),
        ProvincialAuditClass("3079", "其他陶瓷制品制造", "建材", _LM),
        ProvincialAuditClass("3081", "石棉制品制造", "建材", _LM),
        ProvincialAuditClass("3082", "云母制品制造", "建材", _LM),
        ProvincialAuditClass("3089", "耐火陶瓷制品及其他耐火材料制造", "建材", _LMS),
        ProvincialAuditClass("3091", "石墨及碳素制品制造", "建材", _ALL),
        ProvincialAuditClass("3099", "其他非金属矿物制品制造", "建材", _LM),
        ProvincialAuditClass("3211", "铜冶炼", "有色", _ALL),
        ProvincialAuditClass("3212", "铅锌冶炼", "有色", _ALL),
        ProvincialAuditClass("3213", "镍钴冶炼", "有色", _ALL),
        ProvincialAuditClass("3216", "铝冶炼", "有色", _ALL),
        ProvincialAuditClass("3217", "镁冶炼", "有色", _ALL),
        ProvincialAuditClass("3219", "其他常用有色金属冶炼", "有色", _ALL),
        ProvincialAuditClass("3221", "金冶炼", "有色", _ALL),
        ProvincialAuditClass("3222", "银冶炼", "有色", _ALL),
        ProvincialAuditClass("3229", "其他贵金属冶炼", "有色", _LM),
        ProvincialAuditClass("0911", "铜矿采选", "有色", _ALL),
        ProvincialAuditClass("0912", "铅锌矿采选", "有色", _ALL),
        ProvincialAuditClass("0913", "镍钴矿采选", "有色", _ALL),
        ProvincialAuditClass("0916", "铝矿采选", "有色", _ALL),
        ProvincialAuditClass("0917", "镁矿采选", "有色", _ALL),
        ProvincialAuditClass("0919", "其他常用有色金属矿采选", "有色", _ALL),
        ProvincialAuditClass("0921", "金矿采选", "有色", _ALL),
        ProvincialAuditClass("0922", "银矿采选", "有色", _ALL),
        ProvincialAuditClass("0929", "其他贵金属矿采选", "有色", _ALL),
        ProvincialAuditClass("2611", "无机酸制造", "化工", _LM),
        ProvincialAuditClass("2612", "无机碱制造", "化工", _LM),
        ProvincialAuditClass("2613", "无机盐制造", "化工", _LM),
        ProvincialAuditClass("2614", "有机化学原料制造", "化工", _LM),
        ProvincialAuditClass("2619", "其他基础化学原料制造", "化工", _LM),
        ProvincialAuditClass("2621", "氮肥制造", "化工", _ALL),
        ProvincialAuditClass("2622", "磷肥制造", "化工", _LM),
        ProvincialAuditClass("2623", "钾肥制造", "化工", _LM),
        ProvincialAuditClass("2624", "复混肥料制造", "化工", _LM),
        ProvincialAuditClass("2625", "有机肥料及微生物肥料制造", "化工", _LM),
        ProvincialAuditClass("2629", "其他肥料制造", "化工", _LM),
        ProvincialAuditClass("2631", "化学农药制造", "化工", _LM),
        ProvincialAuditClass("2632", "生物化学农药及微生物农药制造", "化工", _LM),
        ProvincialAuditClass("2641", "涂料制造", "化工", _LM),
        ProvincialAuditClass("2642", "油墨及类似产品制造", "化工", _LM),
        ProvincialAuditClass("2643", "工业颜料制造", "化工", _LM),
        ProvincialAuditClass("2644", "工艺美术颜料制造", "化工", _LM),
        ProvincialAuditClass("2645", "染料制造", "化工", _LM),
        ProvincialAuditClass("2646", "密封用填料及类似品制造", "化工", _LM),
        ProvincialAuditClass("2651", "初级形态塑料及合成树脂制造", "化工", _LM),
        ProvincialAuditClass("2652", "合成橡胶制造", "化工", _LM),
        ProvincialAuditClass("2653", "合成纤维单（聚合）体制造", "化工", _LM),
        ProvincialAuditClass("2659", "其他合成材料制造", "化工", _LM),
        ProvincialAuditClass("2661", "化学试剂和助剂制造", "化工", _LM),
        ProvincialAuditClass("2662", "专项化学用品制造", "化工", _LM),
        ProvincialAuditClass("2663", "林产化学产品制造", "化工", _LM),
        ProvincialAuditClass("2664", "文化用信息化学品制造", "化工", _LM),
        ProvincialAuditClass("2665", "医学生产用信息化学品制造", "化工", _LM),
        ProvincialAuditClass("2666", "环境污染处理专用药剂材料制造", "化工", _LM),
        ProvincialAuditClass("2667", "动物胶制造", "化工", _LM),
        ProvincialAuditClass("2669", "其他专用化学产品制造", "化工", _LM),
        ProvincialAuditClass("2681", "肥皂及洗涤剂制造", "化工", _LM),
        ProvincialAuditClass("2682", "化妆品制造", "化工", _LM),
        ProvincialAuditClass("2683", "口腔清洁用品制造", "化工", _LM),
        ProvincialAuditClass("2684", "香料、香精制造", "化工", _LM),
        ProvincialAuditClass("2689", "其他日用化学产品制造", "化工", _LM),
        ProvincialAuditClass("1713", "棉印染精加工", "印染", _LM),
        ProvincialAuditClass("1723", "毛染整精加工", "印染", _LM),
        ProvincialAuditClass("1733", "麻染整精加工", "印染", _LM),
        ProvincialAuditClass("1743", "丝印染精加工", "印染", _LM),
        ProvincialAuditClass("1752", "化纤织物染整精加工", "印染", _LM),
        ProvincialAuditClass("1762", "针织或钩针编织物印染精加工", "印染", _LM),
        ProvincialAuditClass("2211", "木竹浆制造", "造纸", _LM),
        ProvincialAuditClass("2212", "非木竹浆制造", "造纸", _LM),
        ProvincialAuditClass("2221", "机制纸及纸板制造", "造纸", _LM),
        ProvincialAuditClass("2222", "手工纸制造", "造纸", _LM),
        ProvincialAuditClass("2710", "化学药品原料药制造", "制药", _ALL),
        ProvincialAuditClass("2720", "化学药品制剂制造", "制药", _LM),
        ProvincialAuditClass("3360", "金属表面处理及热处理加工", "电镀", _ALL),
        ProvincialAuditClass("3391", "黑色金属铸造", "电镀", _LM),
        ProvincialAuditClass("3392", "有色金属铸造", "电镀", _LM),
        ProvincialAuditClass("1331", "食用植物油加工", "农副食品加工", _LM),
        ProvincialAuditClass("1332", "非食用植物油加工", "农副食品加工", _LM),
        ProvincialAuditClass("1340", "制糖业", "农副食品加工", _LM),
        ProvincialAuditClass("1351", "牲畜屠宰", "农副食品加工", _LM),
        ProvincialAuditClass("1352", "禽类屠宰", "农副食品加工", _LM),
        ProvincialAuditClass("1353", "肉制品及副产品加工", "农副食品加工", _LM),
        ProvincialAuditClass("1361", "水产品冷冻加工", "农副食品加工", _LM),
        ProvincialAuditClass("1362", "鱼糜制品及水产品干腌制加工", "农副食品加工", _LM),
        ProvincialAuditClass("1363", "鱼油提取及制品制造", "农副食品加工", _LM),
        ProvincialAuditClass("1369", "其他水产品加工", "农副食品加工", _LM),
        ProvincialAuditClass("2223", "加工纸制造", "包装印刷", _LM),
        ProvincialAuditClass("2311", "书、报刊印刷", "包装印刷", _LM),
        ProvincialAuditClass("2312", "本册印制", "包装印刷", _LM),
        ProvincialAuditClass("2319", "包装装潢及其他印刷", "包装印刷", _LM),
    ),
    process_rule="行业大类33-43中涉及工业涂装工序的企业",
    process_rule_scope=_LM,
)

PROVINCIAL_AUDIT_LISTS: RefCollection[ProvincialAuditList] = RefCollection.of(
    "provincial_audit_lists", REFERENCE_DATA_VERSION, (SHANXI_MANDATORY_AUDIT,)
)


# --- look-ups ------------------------------------------------------------------------------------------------

KeyIndustryOverrides = Mapping[str, Sequence[str]]
"""A programme's replacement mapping: key-industry code → GB/T 4754 codes (replaces that industry's headings)."""


def _check_national(industries: RefCollection[KeyIndustry]) -> None:
    """No heading may sit inside another industry's heading: a code belongs to one industry (coating aside)."""
    owned = [(m.code, i.code) for i in industries for m in i.mappings]
    for code, owner in owned:
        for other, other_owner in owned:
            if owner != other_owner and (code.startswith(other) or other.startswith(code)):
                raise ValueError(f"{code} ({owner}) overlaps {other} ({other_owner})")


_check_national(KEY_INDUSTRIES)
_CODE = re.compile(r"([A-T])?(\d{2,4})")


class InvalidIndustryCodeError(ValueError):
    """Not a GB/T 4754 division, group or class code."""


def normalise_gbt4754_code(code: str) -> str:
    """Two, three or four digits; an optional leading section letter (``C2611``) and whitespace are dropped.

    Raises :class:`InvalidIndustryCodeError` for anything else, so that a malformed code is never taken for
    "not a key industry".
    """
    match = _CODE.fullmatch(code.strip().upper())
    if match is None:
        raise InvalidIndustryCodeError(f"not a GB/T 4754 industry code: {code!r}")
    return match.group(2)


def is_valid_gbt4754_code(code: str) -> bool:
    try:
        normalise_gbt4754_code(code)
    except InvalidIndustryCodeError:
        return False
    return True


def mapping_codes(industry: KeyIndustry, overrides: KeyIndustryOverrides | None = None) -> tuple[str, ...]:
    """The GB/T 4754 codes of an industry: the programme's override where it has one, else the national mapping."""
    if overrides and industry.code in overrides:
        return tuple(normalise_gbt4754_code(c) for c in overrides[industry.code])
    return industry.mapping_codes


def _coating_covers(industry: KeyIndustry, digits: str, has_coating_process: bool) -> bool:
    rule = industry.division_rule
    return has_coating_process and rule is not None and rule.covers_division(digits[:2])


def key_industries_containing(
    code: str, *, has_coating_process: bool = False, overrides: KeyIndustryOverrides | None = None
) -> tuple[KeyIndustry, ...]:
    """Every key industry the whole of a code lies in (3130 → STEEL; 13 → AGRI_FOOD_PROCESSING)."""
    digits = normalise_gbt4754_code(code)
    return tuple(
        industry
        for industry in KEY_INDUSTRIES
        if any(digits.startswith(m) for m in mapping_codes(industry, overrides))
        or (
            has_coating_process
            and industry.division_rule is not None
            and industry.division_rule.covers_division(digits[:2])
        )
    )


def key_industries_of(
    code: str, *, has_coating_process: bool = False, overrides: KeyIndustryOverrides | None = None
) -> tuple[KeyIndustry, ...]:
    """Every key industry a code may fall in (wholly or in part), in the published order.

    A code lies in an industry when one of its headings contains it; a division or group also overlaps an
    industry with a heading under it ("33" overlaps ELECTROPLATING through 3360). With ``has_coating_process``
    a code in the coating divisions also matches INDUSTRIAL_COATING.
    """
    digits = normalise_gbt4754_code(code)
    return tuple(
        industry
        for industry in KEY_INDUSTRIES
        if any(digits.startswith(m) or m.startswith(digits) for m in mapping_codes(industry, overrides))
        or (
            has_coating_process
            and industry.division_rule is not None
            and industry.division_rule.covers_division(digits[:2])
        )
    )


def key_industry_of(
    code: str, *, has_coating_process: bool = False, overrides: KeyIndustryOverrides | None = None
) -> KeyIndustry | None:
    """The one key industry a GB/T 4754 code belongs to, or None.

    The industry whose heading contains the code (its own heading wins over the coating rule); else, when the
    code only overlaps headings, the industry if exactly one overlaps. Raises for a malformed code.
    """
    digits = normalise_gbt4754_code(code)
    own = key_industries_containing(digits, overrides=overrides)
    if own:
        return own[0]
    candidates = key_industries_of(digits, has_coating_process=has_coating_process, overrides=overrides)
    return candidates[0] if len(candidates) == 1 else None


def is_key_industry_code(
    code: str, *, has_coating_process: bool = False, overrides: KeyIndustryOverrides | None = None
) -> bool:
    """Whether the code falls in at least one of the 13 key industries (malformed codes raise)."""
    return bool(key_industries_of(code, has_coating_process=has_coating_process, overrides=overrides))


def provincial_audit_class(province_code: str, code: str) -> ProvincialAuditClass | None:
    """The row of a province's mandatory-audit list for a four-digit class, if the province has a list."""
    found = PROVINCIAL_AUDIT_LISTS.get(province_code)
    return found.audit_class(normalise_gbt4754_code(code)) if found else None
