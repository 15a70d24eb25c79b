"""The 13 key industries (重点行业) of notice 003 and their GB/T 4754-2017 industry codes.

The class lists come from the annex of seed 004 (Shanxi, 晋环发〔2022〕31号, "应开展强制性清洁生产审核的
行业类别"), which names GB/T 4754-2017 four-digit classes and the enterprise sizes that must audit. That
annex groups some industries differently from the national list of 13; the mapping is:

* 焦化及煤化工 → COKING (焦化). The coal-chemical classes 2522 煤制合成气生产 and 2523 煤制液体燃料生产 are
  kept with coking, as the annex does, and **not** under PETROCHEMICAL_CHEMICAL.
* 化工 → PETROCHEMICAL_CHEMICAL (石化化工), together with the petroleum-refining classes 2511 and 2519,
  which the national list's 石化 covers but the Shanxi annex does not name (no audit-size scope: ``None``).
* 制药 → only 2710 化学药品原料药制造 is CHEMICAL_API (化学原料药). 2720 化学药品制剂制造 is in the annex
  but is not one of the 13 key industries; it is kept in :data:`ANNEX_CLASSES_OUTSIDE_KEY_INDUSTRIES`.
* 电镀 → ELECTROPLATING, including the annex's 3391 黑色金属铸造 and 3392 有色金属铸造 as it lists them.
* 工业涂装 → INDUSTRIAL_COATING is not a class list but a rule: an enterprise in GB/T 4754 divisions 33–43
  that has a coating process (涉及工业涂装工序).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ._collection import RefCollection
from ._version import REFERENCE_DATA_VERSION


class AuditSizeScope(StrEnum):
    """Which enterprise sizes of a class must do mandatory audits (seed 004 annex, column 规模)."""

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


@dataclass(frozen=True)
class IndustryClass:
    """A GB/T 4754-2017 four-digit industry class (行业小类)."""

    code: str  # four digits, e.g. "2521"
    name: str  # e.g. "炼焦"
    audit_scope: AuditSizeScope | None  # None: not in the seed 004 annex (added from the national list)
    note: str | None = None

    @property
    def division(self) -> str:
        """The two-digit division (大类) the class belongs to."""
        return self.code[:2]


@dataclass(frozen=True)
class GbtDivision:
    """A GB/T 4754-2017 two-digit division (行业大类)."""

    code: str
    name: str


@dataclass(frozen=True)
class DivisionRangeRule:
    """A key industry defined by a process inside a range of divisions rather than by classes."""

    divisions: tuple[GbtDivision, ...]
    process: str  # the process code the enterprise must have, e.g. "coating"
    process_name: str  # e.g. "工业涂装工序"
    audit_scope: AuditSizeScope
    description_zh: str
    description_en: str

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
    source_group: str  # the annex's 行业大类 label the classes were taken from
    classes: tuple[IndustryClass, ...] = ()
    division_rule: DivisionRangeRule | None = None

    @property
    def class_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.classes)


_ALL = AuditSizeScope.ALL
_LM = AuditSizeScope.LARGE_MEDIUM
_LMS = AuditSizeScope.LARGE_MEDIUM_SMALL

_NO_MINING = "不包括无开采工序的企业"

INDUSTRIAL_COATING_RULE = DivisionRangeRule(
    divisions=(
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
    audit_scope=_LM,
    description_zh="行业大类33–43中涉及工业涂装工序的企业",
    description_en="An enterprise in GB/T 4754 divisions 33–43 that has an industrial coating process",
)

KEY_INDUSTRIES: RefCollection[KeyIndustry] = RefCollection.of(
    "key_industries",
    REFERENCE_DATA_VERSION,
    (
        KeyIndustry(
            "ENERGY",
            "能源",
            "Energy",
            "能源",
            (
                IndustryClass("0610", "烟煤和无烟煤开采洗选", _ALL, _NO_MINING),
                IndustryClass("0620", "褐煤开采洗选", _ALL, _NO_MINING),
                IndustryClass("0690", "其他煤炭采选", _ALL, _NO_MINING),
                IndustryClass("0721", "陆地天然气开采", _ALL),
                IndustryClass("4411", "火力发电", _ALL),
                IndustryClass("4412", "热电联产", _ALL),
                IndustryClass("4417", "生物质能发电（含垃圾发电）", _ALL),
            ),
        ),
        KeyIndustry(
            "STEEL",
            "钢铁",
            "Iron and steel",
            "钢铁",
            (
                IndustryClass("3110", "炼铁", _ALL),
                IndustryClass("3120", "炼钢", _ALL),
                IndustryClass("3140", "铁合金冶炼", _ALL),
                IndustryClass("0810", "铁矿采选", _ALL),
                IndustryClass("0820", "锰矿、铬矿采选", _ALL),
                IndustryClass("0890", "其他黑色金属矿采选", _ALL),
            ),
        ),
        KeyIndustry(
            # Coal chemicals (2522, 2523) stay here with coking, as the annex's 焦化及煤化工 group has them.
            "COKING",
            "焦化",
            "Coking (incl. coal chemicals)",
            "焦化及煤化工",
            (
                IndustryClass("2521", "炼焦", _ALL),
                IndustryClass("2522", "煤制合成气生产", _ALL, "煤化工"),
                IndustryClass("2523", "煤制液体燃料生产", _ALL, "煤化工"),
            ),
        ),
        KeyIndustry(
            "BUILDING_MATERIALS",
            "建材",
            "Building materials",
            "建材",
            (
                IndustryClass("3011", "水泥制造", _ALL),
                IndustryClass("3012", "石灰和石膏制造", _LM),
                IndustryClass("3031", "粘土砖瓦及建筑砌块制造", _ALL),
                IndustryClass("3041", "平板玻璃制造", _ALL),
                IndustryClass("3042", "特种玻璃制造", _LM),
                IndustryClass("3049", "其他玻璃制造", _LM),
                IndustryClass("3071", "建筑陶瓷制品制造", _ALL),
                IndustryClass("3072", "卫生陶瓷制品制造", _LM),
                IndustryClass("3073", "特种陶瓷制品制造", _LM),
                IndustryClass("3074", "日用陶瓷制品制造", _LM),
                IndustryClass("3075", "陈设艺术陶瓷制造", _LM),
                IndustryClass("3076", "园艺陶瓷制造", _LM),
                IndustryClass("3079", "其他陶瓷制品制造", _LM),
                IndustryClass("3081", "石棉制品制造", _LM),
                IndustryClass("3082", "云母制品制造", _LM),
                IndustryClass("3089", "耐火陶瓷制品及其他耐火材料制造", _LMS),
                IndustryClass("3091", "石墨及碳素制品制造", _ALL),
                IndustryClass("3099", "其他非金属矿物制品制造", _LM),
            ),
        ),
        KeyIndustry(
            "NONFERROUS",
            "有色金属",
            "Non-ferrous metals",
            "有色",
            (
                IndustryClass("3211", "铜冶炼", _ALL),
                IndustryClass("3212", "铅锌冶炼", _ALL),
                IndustryClass("3213", "镍钴冶炼", _ALL),
                IndustryClass("3216", "铝冶炼", _ALL),
                IndustryClass("3217", "镁冶炼", _ALL),
                IndustryClass("3219", "其他常用有色金属冶炼", _ALL),
                IndustryClass("3221", "金冶炼", _ALL),
                IndustryClass("3222", "银冶炼", _ALL),
                IndustryClass("3229", "其他贵金属冶炼", _LM),
                IndustryClass("0911", "铜矿采选", _ALL),
                IndustryClass("0912", "铅锌矿采选", _ALL),
                IndustryClass("0913", "镍钴矿采选", _ALL),
                IndustryClass("0916", "铝矿采选", _ALL),
                IndustryClass("0917", "镁矿采选", _ALL),
                IndustryClass("0919", "其他常用有色金属矿采选", _ALL),
                IndustryClass("0921", "金矿采选", _ALL),
                IndustryClass("0922", "银矿采选", _ALL),
                IndustryClass("0929", "其他贵金属矿采选", _ALL),
            ),
        ),
        KeyIndustry(
            "PETROCHEMICAL_CHEMICAL",
            "石化化工",
            "Petrochemical and chemical",
            "化工",
            (
                # Petroleum refining: not in the Shanxi annex, added for the national 石化 (no size scope).
                IndustryClass("2511", "原油加工及石油制品制造", None, "石化；国家重点行业名单补充"),
                IndustryClass("2519", "其他原油制造", None, "石化；国家重点行业名单补充"),
                IndustryClass("2611", "无机酸制造", _LM),
                IndustryClass("2612", "无机碱制造", _LM),
                IndustryClass("2613", "无机盐制造", _LM),
                IndustryClass("2614", "有机化学原料制造", _LM),
                IndustryClass("2619", "其他基础化学原料制造", _LM),
                IndustryClass("2621", "氮肥制造", _ALL),
                IndustryClass("2622", "磷肥制造", _LM),
                IndustryClass("2623", "钾肥制造", _LM),
                IndustryClass("2624", "复混肥料制造", _LM),
                IndustryClass("2625", "有机肥料及微生物肥料制造", _LM),
                IndustryClass("2629", "其他肥料制造", _LM),
                IndustryClass("2631", "化学农药制造", _LM),
                IndustryClass("2632", "生物化学农药及微生物农药制造", _LM),
                IndustryClass("2641", "涂料制造", _LM),
                IndustryClass("2642", "油墨及类似产品制造", _LM),
                IndustryClass("2643", "工业颜料制造", _LM),
                IndustryClass("2644", "工艺美术颜料制造", _LM),
                IndustryClass("2645", "染料制造", _LM),
                IndustryClass("2646", "密封用填料及类似品制造", _LM),
                IndustryClass("2651", "初级形态塑料及合成树脂制造", _LM),
                IndustryClass("2652", "合成橡胶制造", _LM),
                IndustryClass("2653", "合成纤维单（聚合）体制造", _LM),
                IndustryClass("2659", "其他合成材料制造", _LM),
                IndustryClass("2661", "化学试剂和助剂制造", _LM),
                IndustryClass("2662", "专项化学用品制造", _LM),
                IndustryClass("2663", "林产化学产品制造", _LM),
                IndustryClass("2664", "文化用信息化学品制造", _LM),
                IndustryClass("2665", "医学生产用信息化学品制造", _LM),
                IndustryClass("2666", "环境污染处理专用药剂材料制造", _LM),
                IndustryClass("2667", "动物胶制造", _LM),
                IndustryClass("2669", "其他专用化学产品制造", _LM),
                IndustryClass("2681", "肥皂及洗涤剂制造", _LM),
                IndustryClass("2682", "化妆品制造", _LM),
                IndustryClass("2683", "口腔清洁用品制造", _LM),
                IndustryClass("2684", "香料、香精制造", _LM),
                IndustryClass("2689", "其他日用化学产品制造", _LM),
            ),
        ),
        KeyIndustry(
            "DYEING_PRINTING",
            "印染",
            "Textile printing and dyeing",
            "印染",
            (
                IndustryClass("1713", "棉印染精加工", _LM),
                IndustryClass("1723", "毛染整精加工", _LM),
                IndustryClass("1733", "麻染整精加工", _LM),
                IndustryClass("1743", "丝印染精加工", _LM),
                IndustryClass("1752", "化纤织物染整精加工", _LM),
                IndustryClass("1762", "针织或钩针编织物印染精加工", _LM),
            ),
        ),
        KeyIndustry(
            "PAPER",
            "造纸",
            "Pulp and paper",
            "造纸",
            (
                IndustryClass("2211", "木竹浆制造", _LM),
                IndustryClass("2212", "非木竹浆制造", _LM),
                IndustryClass("2221", "机制纸及纸板制造", _LM),
                IndustryClass("2222", "手工纸制造", _LM),
            ),
        ),
        KeyIndustry(
            "CHEMICAL_API",
            "化学原料药",
            "Chemical active pharmaceutical ingredients",
            "制药",
            (IndustryClass("2710", "化学药品原料药制造", _ALL),),
        ),
        KeyIndustry(
            "ELECTROPLATING",
            "电镀",
            "Electroplating",
            "电镀",
            (
                IndustryClass("3360", "金属表面处理及热处理加工", _ALL),
                # The annex lists the two foundry classes under 电镀; kept as it has them.
                IndustryClass("3391", "黑色金属铸造", _LM),
                IndustryClass("3392", "有色金属铸造", _LM),
            ),
        ),
        KeyIndustry(
            "AGRI_FOOD_PROCESSING",
            "农副食品加工",
            "Agricultural and sideline food processing",
            "农副食品加工",
            (
                IndustryClass("1331", "食用植物油加工", _LM),
                IndustryClass("1332", "非食用植物油加工", _LM),
                IndustryClass("1340", "制糖业", _LM),
                IndustryClass("1351", "牲畜屠宰", _LM),
                IndustryClass("1352", "禽类屠宰", _LM),
                IndustryClass("1353", "肉制品及副产品加工", _LM),
                IndustryClass("1361", "水产品冷冻加工", _LM),
                IndustryClass("1362", "鱼糜制品及水产品干腌制加工", _LM),
                IndustryClass("1363", "鱼油提取及制品制造", _LM),
                IndustryClass("1369", "其他水产品加工", _LM),
            ),
        ),
        KeyIndustry(
            "INDUSTRIAL_COATING",
            "工业涂装",
            "Industrial coating",
            "工业涂装",
            division_rule=INDUSTRIAL_COATING_RULE,
        ),
        KeyIndustry(
            "PACKAGING_PRINTING",
            "包装印刷",
            "Packaging and printing",
            "包装印刷",
            (
                IndustryClass("2223", "加工纸制造", _LM),
                IndustryClass("2311", "书、报刊印刷", _LM),
                IndustryClass("2312", "本册印制", _LM),
                IndustryClass("2319", "包装装潢及其他印刷", _LM),
            ),
        ),
    ),
)

ANNEX_CLASSES_OUTSIDE_KEY_INDUSTRIES: tuple[IndustryClass, ...] = (
    IndustryClass("2720", "化学药品制剂制造", _LM, "附件“制药”类；不属于13个重点行业中的化学原料药"),
)
"""Classes the seed 004 annex lists that belong to none of the 13 key industries."""


def _index_classes() -> dict[str, tuple[KeyIndustry, IndustryClass]]:
    index: dict[str, tuple[KeyIndustry, IndustryClass]] = {}
    for industry in KEY_INDUSTRIES:
        for cls in industry.classes:
            if cls.code in index:
                raise ValueError(f"class {cls.code} is listed under two key industries")
            index[cls.code] = (industry, cls)
    return index


_CLASS_INDEX = _index_classes()
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


def industry_class(code: str) -> IndustryClass | None:
    """The listed four-digit class with this code (from any key industry), if any."""
    hit = _CLASS_INDEX.get(normalise_gbt4754_code(code))
    return hit[1] if hit else None


def key_industries_of(code: str, *, has_coating_process: bool = False) -> tuple[KeyIndustry, ...]:
    """Every key industry a GB/T 4754 code may fall in, in the published order.

    A four-digit class matches the industry that lists it; a three-digit group or two-digit division matches
    every industry listing a class under it. With ``has_coating_process`` a code in divisions 33–43 also
    matches INDUSTRIAL_COATING (so 3360 with a coating line is both ELECTROPLATING and INDUSTRIAL_COATING).
    """
    digits = normalise_gbt4754_code(code)
    found: list[KeyIndustry] = []
    for industry in KEY_INDUSTRIES:
        if any(c.startswith(digits) for c in industry.class_codes) or (
            has_coating_process
            and industry.division_rule is not None
            and industry.division_rule.covers_division(digits[:2])
        ):
            found.append(industry)
    return tuple(found)


def key_industry_of(code: str, *, has_coating_process: bool = False) -> KeyIndustry | None:
    """The one key industry a GB/T 4754 code belongs to, or None.

    * A four-digit class listed under an industry gives that industry; otherwise, with
      ``has_coating_process``, a class in divisions 33–43 gives INDUSTRIAL_COATING.
    * A two- or three-digit code gives an industry only when it is unambiguous: every matching listed class
      (and the coating rule, if it applies) points to the same single industry. "25" (refining and coking)
      and "222" (paper and 加工纸) give None.

    Raises :class:`InvalidIndustryCodeError` for a malformed code.
    """
    digits = normalise_gbt4754_code(code)
    if len(digits) == 4:
        hit = _CLASS_INDEX.get(digits)
        if hit is not None:
            return hit[0]
        if has_coating_process and INDUSTRIAL_COATING_RULE.covers_division(digits[:2]):
            return KEY_INDUSTRIES["INDUSTRIAL_COATING"]
        return None
    candidates = key_industries_of(digits, has_coating_process=has_coating_process)
    return candidates[0] if len(candidates) == 1 else None


def is_key_industry_code(code: str, *, has_coating_process: bool = False) -> bool:
    """Whether the code falls in at least one of the 13 key industries (malformed codes raise)."""
    return bool(key_industries_of(code, has_coating_process=has_coating_process))
