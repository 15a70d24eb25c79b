"""Every sentence the eligibility rules say, in Chinese and English: one typed catalogue.

A :class:`Message` is a pair of ``str.format`` templates; calling it with named values gives a :class:`Text`
(the pair of finished sentences). A value may itself be a :class:`Text`: the Chinese template then receives
its Chinese side and the English template its English side, so a province, a date or a list of codes is
written once per language where it is made (``Text(zh_date(day), day.isoformat())``) and the templates stay
free of language switches. A template may leave a value out (the English of a finding omits its summary).

Rules say what happened; how it reads is decided here. The wording follows docs/glossary.md and notice
环办科财函〔2023〕79号 (seed 003).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from pilot_common.contracts.programme import (
    LETTER_DEVELOPMENT_REFORM,
    LETTER_ECO_ENVIRONMENT,
    AdministrativeLevel,
    ApplicantRequirement,
    OrganisationKind,
)
from pilot_common.reference import AreaKind

from .snapshot import FindingFacts, FindingSource, MediaLevel, OrganisationFacts, PilotObjectKind


class Text(NamedTuple):
    """One finished sentence (or fragment) in both languages."""

    zh: str
    en: str


EMPTY = Text("", "")


@dataclass(frozen=True)
class Message:
    """A sentence to be finished with values: ``Message("{n}个", "{n} of them")(n=3) == Text("3个", "3 of them")``."""

    zh: str
    en: str

    def __call__(self, **values: object) -> Text:
        zh = {k: v.zh if isinstance(v, Text) else v for k, v in values.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in values.items()}
        return Text(self.zh.format(**zh), self.en.format(**en))


def listed(zh: Iterable[str], en: Iterable[str] | None = None) -> Text:
    """Items as each language lists them: 甲、乙 / a, b (``en`` defaults to the same items)."""
    zh_items = list(zh)
    return Text("、".join(zh_items), ", ".join(zh_items if en is None else en))


# --- labels ---------------------------------------------------------------------------------------------------

ORGANISATION_KIND: Mapping[OrganisationKind, Text] = MappingProxyType(
    {
        OrganisationKind.PARK_MANAGEMENT_BODY: Text("园区管理机构", "park management body"),
        OrganisationKind.GOVERNMENT: Text("政府", "government"),
        OrganisationKind.GOVERNMENT_DEPARTMENT: Text("政府组成部门", "government department"),
        OrganisationKind.PROVINCIAL_DEPARTMENT: Text("省级政府组成部门", "provincial government department"),
        OrganisationKind.ENTERPRISE: Text("企业", "enterprise"),
        OrganisationKind.OTHER: Text("其他机构", "other organisation"),
    }
)
ADMINISTRATIVE_LEVEL: Mapping[AdministrativeLevel, Text] = MappingProxyType(
    {
        AdministrativeLevel.COUNTY: Text("县级", "county level"),
        AdministrativeLevel.PREFECTURE: Text("地市级", "prefecture level"),
        AdministrativeLevel.PROVINCE: Text("省级", "provincial level"),
    }
)
LETTER: Mapping[str, Text] = MappingProxyType(
    {
        LETTER_ECO_ENVIRONMENT: Text(
            "省级生态环境部门推荐函", "recommendation letter of the provincial eco-environment department"
        ),
        LETTER_DEVELOPMENT_REFORM: Text(
            "省级发展改革部门推荐函",
            "recommendation letter of the provincial development-and-reform department",
        ),
    }
)
_OBJECT_KIND_ZH: Mapping[PilotObjectKind, str] = MappingProxyType(
    {
        PilotObjectKind.INDUSTRIAL_PARK: "工业园区",
        PilotObjectKind.INDUSTRIAL_CLUSTER: "产业集群",
        PilotObjectKind.KEY_REGION_PART: "重点区域",
        PilotObjectKind.BASIN_SECTION: "重点流域",
        PilotObjectKind.INDUSTRY_IN_AREA: "区域内的行业企业",
        PilotObjectKind.ENTERPRISE_GROUP: "企业群",
    }
)
NONE_NAMED = Text("（未指定）", "(none named)")
ALL_OF_THEM = Text("均", "")  # 均: "all of them", said in Chinese only when there is more than one
APPLICANT = Text("申报主体", "applicant")
IMPLEMENTER = Text("实施主体", "implementer")


def or_none_named(value: str | None) -> Text:
    """An identifier, or （未指定） / (none named) when there is none."""
    return Text(value, value) if value else NONE_NAMED


def object_kind(kind: PilotObjectKind) -> Text:
    """工业园区 / INDUSTRIAL_PARK (the English reasons name the registry's code)."""
    return Text(_OBJECT_KIND_ZH[kind], kind.value)


def area_kind(kind: AreaKind) -> Text:
    """重点区域 / air_region; 重点流域 / river_basin."""
    return Text("重点区域" if kind is AreaKind.AIR_REGION else "重点流域", kind.value)


def letter(code: str) -> Text:
    return LETTER.get(code, Text(code, code))


def organisation_label(org: OrganisationFacts) -> Text:
    """地市级政府组成部门 / government department, prefecture level."""
    kind = ORGANISATION_KIND[org.kind]
    if org.level is None:
        return Text(f"{kind.zh}（行政级别未登记）", f"{kind.en}, level unknown")
    level = ADMINISTRATIVE_LEVEL[org.level]
    return Text(f"{level.zh}{kind.zh}", f"{kind.en}, {level.en}")


def applicant_requirements(requirements: Iterable[ApplicantRequirement]) -> Text:
    """What a pilot type accepts: 园区管理机构、地市级及以上政府 / park management body or a government at ..."""
    items = list(requirements)
    zh = "、".join(dict.fromkeys(r.label_zh for r in items))
    en = " or a ".join(
        dict.fromkeys(
            ORGANISATION_KIND[r.kind].en
            + (f" at {ADMINISTRATIVE_LEVEL[r.min_level].en} or above" if r.min_level else "")
            for r in items
        )
    )
    return Text(zh, en)


_FINDING_MEDIA_LEVEL: Mapping[MediaLevel, Text] = MappingProxyType(
    {
        MediaLevel.NATIONAL: Text("国家级", "national"),
        MediaLevel.PROVINCIAL: Text("省级", "provincial"),
        MediaLevel.CITY: Text("地市级", "city-level"),
    }
)


def finding_source(f: FindingFacts) -> Text:
    """What a finding says happened to its subject, by source (and, for the central inspection, prominence)."""
    if f.source is FindingSource.CENTRAL_INSPECTION:
        if f.prominent_problem is True:
            return Text(
                "被中央生态环境保护督察指出突出生态环境问题",
                "named for a prominent problem by the central inspection",
            )
        if f.prominent_problem is False:
            return Text(
                "被中央生态环境保护督察记录问题（未被指出为突出生态环境问题，如信访转办件）",
                "recorded by the central inspection, not as a prominent problem (e.g. a complaint referral)",
            )
        return Text(
            "被中央生态环境保护督察记录问题（未登记是否为突出生态环境问题，请核实）",
            "recorded by the central inspection; whether it is a prominent problem is not recorded (to be checked)",
        )
    if f.source is FindingSource.PROVINCIAL_INSPECTION:
        return Text("被省级生态环境保护督察指出问题", "named by a provincial eco-environmental inspection")
    if f.media_level is None:
        return Text("被媒体（级别未登记）曝光环境问题", "exposed by media of unrecorded level")
    return Message("被{level}媒体曝光环境问题", "exposed by {level} media")(level=_FINDING_MEDIA_LEVEL[f.media_level])


# --- units ----------------------------------------------------------------------------------------------------

_CN_NUMERALS = "一二三四五六七八九十"
_FORMAT_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "application/pdf": "PDF",
        "application/ofd": "OFD",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word（.docx）",
    }
)


def media_type(value: str) -> str:
    """A media type without its parameters, lower-case: ``Application/PDF; x=y`` → ``application/pdf``."""
    return value.split(";", 1)[0].strip().lower()


def format_names(media_types: Iterable[str]) -> str:
    """Accepted formats as users know them: PDF、OFD、Word（.docx）."""
    return "、".join(_FORMAT_NAMES.get(media_type(m), media_type(m)) for m in media_types)


def size_zh(size: int) -> str:
    """The notice's unit: "不超过50M" (M = 1024 × 1024 bytes, see docs/decisions.md)."""
    mega = size / (1024 * 1024)
    return f"{mega:.0f}M" if mega == int(mega) else f"{mega:.1f}M" if mega >= 0.1 else "不足0.1M"


def excess_zh(size: int) -> str:
    """How far over a limit, in the smallest unit that reads naturally: 10字节, 5K, 1.5M."""
    if size < 1024:
        return f"{size}字节"
    return f"{size / 1024:.0f}K" if size < 1024 * 1024 else size_zh(size)


def mib(size: int) -> str:
    return f"{size / (1024 * 1024):.2f} MiB"


def wan_yuan(amount: Decimal) -> str:
    """Money as Chinese readers expect it: 300万元, 12.5万元."""
    wan = (amount / Decimal(10000)).quantize(Decimal("0.01")).normalize()
    return f"{wan:f}万元"


def outline_label(code: str, title: str) -> str:
    """The outline's own numbering: 1 → 一、试点对象基本概况; 1.1 → 一（一）试点对象范围与区位."""
    parts = code.split(".")
    if not all(p.isdigit() and 1 <= int(p) <= len(_CN_NUMERALS) for p in parts) or len(parts) > 2:
        return f"{code} {title}"
    head = _CN_NUMERALS[int(parts[0]) - 1]
    if len(parts) == 1:
        return f"{head}、{title}"
    return f"{head}（{_CN_NUMERALS[int(parts[1]) - 1]}）{title}"


# --- WINDOW ---------------------------------------------------------------------------------------------------


class Window:
    DEADLINE = Message("{date}（含当日，{zone}）", "{date} inclusive ({zone})")
    NOT_OPEN = Message(
        "申报尚未开始：本批次自{opens}起受理，提交时间为{at}。",
        "The programme is not open yet: it accepts submissions from {opens}; this one was made at {at}.",
    )
    LATE = Message(
        "逾期不予受理：申报截止日期为{deadline}，提交时间为{at}。",
        "Late submissions are refused (逾期不予受理): the deadline was {deadline}; this one was made at {at}.",
    )
    IN_TIME = Message(
        "在申报期内提交（截止日期{deadline}；提交时间{at}）。",
        "Submitted within the window (deadline {deadline}; submitted {at}).",
    )
    # A late entry: (verb, proof) per sending channel; the English names neither.
    CHANNEL: Mapping[str, tuple[str, str]] = MappingProxyType(
        {"POST": ("寄出", "邮戳"), "EMAIL": ("发出", "邮件发送记录")}
    )
    ANY_CHANNEL = ("寄送", "寄送凭证")
    SENT_LATE = Message(
        "逾期不予受理：材料于{sent}{verb}，晚于申报截止日期{deadline}。",
        "Refused as late: sent at {sent}, after the deadline {deadline}.",
    )
    PROOF_MISSING = Message(
        "登记的{proof}（附件{attachment}）不在申报材料中，无法证明按时{verb}，逾期不予受理。",
        "The sending evidence (attachment {attachment}) is not in the package; refused as late.",
    )
    SENT_IN_TIME = Message(
        "材料于{sent}{verb}（{proof}：“{file_name}”），未晚于申报截止日期{deadline}；系统于{entered}录入，由{recorded_by}登记。",
        "Sent at {sent} (evidence {file_name!r}), not after the deadline {deadline}; entered at {entered}, "
        "recorded by {recorded_by}.",
    )


# --- QUOTA ----------------------------------------------------------------------------------------------------


class Quota:
    EXCEPTION = Message("，另经批准增加{exception}个", ", plus {exception} granted as an exception")
    OVER = Message(
        "{province}已占用{held}个推荐名额，超过允许的{allowed}个（每省原则上不超过{base}个{exception}）。",
        "{province} holds {held} slots, more than the {allowed} allowed (at most {base} per province{exception}).",
    )
    RECORD_DIFFERS = Message(
        "名额记录允许{recorded}个，与批次规则（{base}+{exception}={programme_allowed}）不一致，按较少的{allowed}个计。",
        "The quota record allows {recorded} slots but the programme rules give {base}+{exception}="
        "{programme_allowed}; the smaller, {allowed}, is applied.",
    )
    HELD = Message(
        "占用{province}第{slot}个推荐名额（共{allowed}个）。",
        "Holds slot {slot} of {allowed} for {province}.",
    )


# --- APPLICANT_LEVEL ------------------------------------------------------------------------------------------


class ApplicantLevel:
    UNKNOWN_TYPE = Message(
        "试点类型“{pilot_type}”不是本批次的试点类型，无法确定申报主体要求。",
        "Pilot type {pilot_type!r} is not one of this programme's types; the applicant cannot be checked.",
    )
    APPLICANT_UNKNOWN = Message(
        "申报主体{applicant}的登记信息未知（本服务尚未从登记库获知），无法核对其类别和级别。",
        "The applicant {applicant} is not known from the registry yet; its kind and level cannot be checked.",
    )
    ACCEPTED = Message(
        "申报主体“{name}”为{label}，属于第{number}类试点的申报主体（{requirement}）。",
        "The applicant {name} ({label}) may apply for a type {number} pilot.",
    )
    REFUSED = Message(
        "申报主体“{name}”为{label}，不符合第{number}类试点的要求：申报主体应为{required}。",
        "The applicant {name} ({label}) may not apply for a type {number} pilot; it must be a {required}.",
    )


# --- SAME_ENTITY ----------------------------------------------------------------------------------------------


class SameEntity:
    NO_IMPLEMENTER = Message(
        "未填写实施主体；申报主体与实施主体须为同一主体。",
        "No implementer is named; the applicant and the implementer must be the same organisation.",
    )
    SAME = Message(
        "申报主体与实施主体为同一主体。",
        "The applicant and the implementer are the same organisation.",
    )
    ONE_CREDIT_CODE = Message(
        "申报主体“{applicant}”与实施主体“{implementer}”在登记库中为两条记录，但统一社会信用代码相同（{code}），"
        "按同一主体处理；请合并登记记录。",
        "The applicant {applicant} and the implementer {implementer} are two registry records with the "
        "same credit code {code}; treated as one organisation — the records should be merged.",
    )
    DIFFERENT = Message(
        "申报主体“{applicant}”与实施主体“{implementer}”不是同一主体（通知三：第（一）（二）（三）类试点申报与实施主体须为同一主体）。",
        "The applicant {applicant} and the implementer {implementer} are different organisations; notice section 3 "
        "requires them to be the same for types 1–3.",
    )
    # Type 4: both bodies provincial departments of the recommending province, not necessarily one body.
    NOT_NAMED = Message("未填写{role}。", "No {role} is named.")
    UNKNOWN = Message(
        "{role}{org_id}的登记信息未知，无法核对其是否为省级政府组成部门。",
        "The {role} {org_id} is not known from the registry; it cannot be checked.",
    )
    NOT_PROVINCIAL_DEPARTMENT = Message(
        "{role}“{name}”不是{province}的省级政府组成部门（通知三：第（四）类试点申报与实施主体为省级政府组成部门）。",
        "The {role} {name} is not a provincial government department of {province} (notice section 3: "
        "a type 4 pilot's applicant and implementer are provincial government departments).",
    )
    BOTH_PROVINCIAL = Message(
        "申报主体与实施主体均为{province}省级政府组成部门{which}",
        "The applicant and the implementer are both provincial government departments of {province}{which}",
    )
    THE_SAME_ONE = Text("（同一部门）。", " (the same one).")
    NOT_REQUIRED_SAME = Text(
        "；第（四）类试点不要求为同一主体。", "; a type 4 pilot does not require them to be the same body."
    )


# --- PROVINCE_MATCH -------------------------------------------------------------------------------------------


class ProvinceMatch:
    NOT_A_PROVINCE = Message(
        "推荐省份代码“{code}”不是32个省级单位之一。",
        "The recommending province {code!r} is not one of the 32 provincial units.",
    )
    APPLICANT_UNKNOWN = Message(
        "申报主体{org_id}的登记信息未知，无法核对其所在省份。",
        "The applicant {org_id} is not known from the registry; its province cannot be checked.",
    )
    APPLICANT_ELSEWHERE = Message(
        "申报主体“{name}”所在省份（{located}）不是推荐省份{province}。",
        "The applicant {name} is in {located}, not in the recommending province {province}.",
    )
    NO_OBJECT = Message("未指定试点对象。", "No pilot object is named.")
    OBJECT_UNKNOWN = Message(
        "试点对象{object_id}的登记信息未知，无法核对其所在省份。",
        "The pilot object {object_id} is not known from the registry; its province cannot be checked.",
    )
    OBJECT_ELSEWHERE = Message(
        "试点对象“{name}”所在省份（{located}）不是推荐省份{province}。",
        "The pilot object {name} is in {located}, not in the recommending province {province}.",
    )
    INVALID_DIVISIONS = Message(
        "试点对象的行政区划代码无效：{codes}。", "The pilot object has invalid division codes: {codes}."
    )
    DIVISIONS_OUTSIDE = Message(
        "试点对象范围包含推荐省份{province}以外的行政区划：{codes}。",
        "The pilot object extends outside {province}: {codes}.",
    )
    MATCHES = Message(
        "申报主体和试点对象均在推荐省份{province}。",
        "The applicant and the pilot object are both in the recommending province {province}.",
    )


# --- CLEAN_RECORD ---------------------------------------------------------------------------------------------


class CleanRecord:
    OBJECT_UNKNOWN = Message(
        "试点对象{object_id}的登记信息未知，无法核对其3年内是否被督察指出或媒体曝光。",
        "The pilot object {object_id} is not known from the registry; its inspection and media record cannot be "
        "checked.",
    )
    MEMBER = Message(
        "试点对象所属范围内企业（{enterprise}）",
        "an enterprise in the pilot object ({enterprise})",
    )
    THE_OBJECT = Message("试点对象“{name}”", "the pilot object {name}")
    CITATION = Message("（{finding_id}{reference}{summary}）", " ({finding_id}{reference})")
    REFERENCE = Message("，{reference}", ", {reference}")
    SUMMARY = Message("：{summary}", "")
    DISQUALIFYING = Message(
        "{who}于{date}{what}{citation}，在{window_from}至{window_to}的{years}年期限内，不符合通知四（二）。",
        "On {date} {who} was {what}{citation}, within the {years}-year lookback ({window_from} to {window_to}); "
        "notice section 4(2) excludes it.",
    )
    FOR_REVIEW = Message(
        "{who}于{date}{what}{citation}，不属于否决情形，提请评审关注。",
        "On {date} {who} was {what}{citation}; not disqualifying, shown for review.",
    )
    CLEAN = Message(
        "试点对象“{name}”及其所属范围内企业在{window_from}至{window_to}期间未被中央生态环境保护督察"
        "指出突出生态环境问题，也未被省级以上媒体曝光。",
        "Neither the pilot object {name} nor an enterprise in it was named by the central inspection or "
        "exposed by provincial-or-higher media between {window_from} and {window_to}.",
    )


# --- TYPE_SCOPE -----------------------------------------------------------------------------------------------


class TypeScope:
    INDUSTRY = Message("{code}（{names}）", "{code}")
    UNKNOWN_TYPE = Message(
        "试点类型“{pilot_type}”不是通知所列的4类试点之一。",
        "Pilot type {pilot_type!r} is not one of the notice's four types.",
    )
    INVALID_INDUSTRY_CODES = Message(
        "以下行业代码不是有效的GB/T 4754-2017代码：{codes}。",
        "These are not valid GB/T 4754-2017 industry codes: {codes}.",
    )
    NOT_KEY = Message("目标行业{codes}不属于13个重点行业。", "Target industries {codes} are not key industries.")
    FITS = Message(
        "试点对象与目标行业符合第{number}类试点的范围。",
        "The pilot object and target industries fit a type {number} pilot.",
    )
    # Type 1: key industries
    T1_NO_INDUSTRIES = Message(
        "第1类试点须列明目标行业（13个重点行业）。",
        "A type 1 pilot must name its target industries (among the 13 key industries).",
    )
    T1_NONE_KEY = Message(
        "目标行业{codes}{all}不属于13个重点行业，不符合第1类（重点行业）试点。",
        "None of the target industries ({codes}) is a key industry; a type 1 pilot targets key industries.",
    )
    T1_PARTLY_KEY = Message(
        "目标行业{codes}为行业大类或中类，其中仅部分小类属于重点行业，请列明四位小类代码。",
        "Target industries {codes} are divisions/groups only partly in key industries; name the four-digit classes.",
    )
    # Type 2: parks and clusters
    T2_OBJECT_UNKNOWN = Message(
        "试点对象{object_id}的登记信息未知；第2类试点的试点对象须为工业园区或产业集群。",
        "The pilot object {object_id} is not known; a type 2 pilot's object must be an industrial park or cluster.",
    )
    T2_OBJECT_KIND = Message(
        "试点对象“{name}”为{kind}，第2类试点的试点对象须为工业园区或产业集群。",
        "The pilot object {name} is a {kind}; a type 2 pilot's object must be an industrial park or cluster.",
    )
    # Type 3: simplified audits outside the key industries
    T3_NO_INDUSTRIES = Message(
        "第3类试点须列明目标行业（非重点行业）。",
        "A type 3 pilot must name its target industries (outside the key industries).",
    )
    T3_KEY = Message(
        "目标行业{codes}属于重点行业，第3类（企业简易审核）试点限于非重点行业领域。",
        "Target industries {codes} are key industries; a type 3 (simplified) pilot is for non-key industries only.",
    )
    T3_PARTLY_KEY = Message(
        "目标行业{codes}为行业大类或中类，其中部分小类属于重点行业，请列明四位小类代码以确认属于非重点行业。",
        "Target industries {codes} are divisions/groups partly in key industries; name the four-digit classes to "
        "show they are non-key.",
    )
    # Type 4: key regions and basins
    T4_OBJECT_UNKNOWN = Message(
        "试点对象{object_id}的登记信息未知；第4类试点的试点对象须为重点区域或流域。",
        "The pilot object {object_id} is not known; a type 4 pilot's object must be a key region or basin.",
    )
    T4_OBJECT_KIND = Message(
        "试点对象“{name}”为{kind}，第4类试点的试点对象须为重点区域或流域（或其中的行业企业）。",
        "The pilot object {name} is a {kind}; a type 4 pilot's object must be a key region, a basin, or the "
        "industry in one.",
    )
    T4_NO_AREA = Message("第4类试点须指定重点区域或流域。", "A type 4 pilot must name its key region or basin.")
    T4_AREA_DIFFERS = Message(
        "申报所填区域/流域（{applied}）与试点对象登记的（{registered}）不一致。",
        "The application names area {applied} but the pilot object is registered in {registered}.",
    )
    T4_AREA_UNLISTED = Message(
        "“{area}”不在通知列举的重点区域和流域中（列举以“等”结尾），请评审确认。",
        "{area!r} is not among the key regions and basins the notice lists (the list ends in 等); for review.",
    )
    T4_OBJECT_KIND_VS_AREA = Message(
        "试点对象登记为{kind}，而{area}是{area_kind}。",
        "The pilot object is registered as {kind} but {area} is a {area_kind}.",
    )
    T4_PROVINCE_OUTSIDE_AREA = Message(
        "试点对象所在省份（{province}）不在{area}范围内。",
        "The pilot object's province ({province}) is not in {area}.",
    )
    T4_DIVISIONS_OUTSIDE_AREA = Message(
        "试点对象的行政区划{codes}不在{area}的界定范围内。",
        "Divisions {codes} of the pilot object lie outside {area}.",
    )
    T4_NO_INDUSTRIES = Message(
        "未列明目标行业（{area}的重点行业）。", "No target industries are named (the focus industries of {area})."
    )
    T4_OFF_FOCUS_INDUSTRIES = Message(
        "目标行业{codes}不在{area}的重点行业（{focus}等）之列。",
        "Target industries {codes} are outside the focus industries of {area}.",
    )
    T4_NO_POLLUTANTS = Message("未列明重点污染物{focus}。", "No target pollutants are named{focus}.")
    T4_FOCUS_POLLUTANTS = Message("（{area}重点推进{symbols}）", " ({area} focuses on {symbols})")
    T4_UNKNOWN_POLLUTANTS = Message(
        "污染物代码{codes}不在参考数据中。", "Pollutant codes {codes} are not in the reference data."
    )
    T4_OFF_FOCUS_POLLUTANTS = Message(
        "污染物{symbols}不是{area}的重点污染物。", "Pollutants {symbols} are not the focus of {area}."
    )


# --- FOUNDATION -----------------------------------------------------------------------------------------------


class Foundation:
    NOT_DESCRIBED = Message(
        "未描述清洁生产工作基础（通知四（三）：须具有良好的清洁生产工作基础）。",
        "No cleaner-production work foundation is described (notice 4(3)).",
    )
    NO_COMMITTED_FUNDS = Message(
        "资金计划中没有已落实且金额大于0的资金来源（通知四（三）：须有明确的资金支持）。",
        "The funding plan names no committed source with an amount above zero (notice 4(3): clear funding).",
    )
    NO_FUNDING_EVIDENCE = Message(
        "已落实的资金来源{all}未附证明材料（或证明材料不在申报材料中）。",
        "No committed funding source has a supporting document in the package.",
    )
    DESCRIBED = Message(
        "已描述清洁生产工作基础，已落实资金{total}（{sources}项来源）。",
        "A work foundation is described and CNY {total} is committed from {sources} source(s).",
    )


# --- PLAN -----------------------------------------------------------------------------------------------------


class Plan:
    MISSING_SECTIONS = Message(
        "实施方案缺少编制大纲要求的章节：{sections}。",
        "The implementation plan lacks outline sections: {sections}.",
    )
    NO_SCHEDULE = Message(
        "实施方案未给出进度安排（进度节点）。",
        "The implementation plan has no schedule (milestones).",
    )
    MILESTONE_BACKWARDS = Message(
        "进度节点“{title}”的完成日期{due}早于开始日期{start}。",
        "Milestone {title!r} is due ({due}) before it starts ({start}).",
    )
    TOO_LONG = Message(
        "进度安排自{start}至{end}，超过{months}个月的试点期限（自{start}起最迟应于{latest}完成）。",
        "The schedule runs from {start} to {end}, longer than {months} months (starting {start} it must end by "
        "{latest}).",
    )
    SPAN = Message("（{start}至{end}）", " ({start} to {end})")
    COMPLETE = Message(
        "实施方案涵盖编制大纲全部章节，进度安排不超过{months}个月{span}。",
        "The plan covers every outline section and its schedule fits in {months} months{span}.",
    )


# --- PACKAGE --------------------------------------------------------------------------------------------------


class Package:
    NO_PLAN = Message("申报材料缺少试点实施方案。", "The package has no implementation plan.")
    NO_LETTER = Message("申报材料缺少{letter}。", "The package lacks the {letter}.")
    TOO_LARGE = Message(
        "材料电子件总大小{total}，超过{limit}的上限（超出{excess}）。",
        "The package totals {total_bytes} bytes ({total_mib}), over the {limit_bytes}-byte ({limit_mib}) limit.",
    )
    FORMAT_REFUSED = Message(
        "文件“{file_name}”的格式不在可接受的格式之列（{accepted}）。",
        "File {file_name!r} has media type {media_type}, which is not accepted ({accepted}).",
    )
    EMPTY_FILE = Message("文件“{file_name}”为空文件（0字节）。", "File {file_name!r} is empty (0 bytes).")
    UPLOADED_TWICE = Message(
        "文件“{file_name}”与附件{first}内容相同（重复上传）。",
        "File {file_name!r} has the same content as attachment {first} (uploaded twice).",
    )
    APPLICANT_UNKNOWN = Text("（申报单位未知）", "(applicant unknown)")
    COMPLETE = Message(
        "材料齐全（实施方案及{letters}），总大小{total}，未超过{limit}；邮件题目：{subject}。",
        "The package is complete (implementation plan and both recommendation letters), {total} bytes of at most "
        "{limit}; e-mail subject: {subject}.",
    )


# --- PRIORITY -------------------------------------------------------------------------------------------------


class Priority:
    ASSUMED = Message(
        "（此前批次覆盖范围部分为推定，尚未按第一批名单核实{which}）",
        " (earlier batches' coverage is partly assumed, not yet checked against batch 1's list{which})",
    )
    ASSUMED_WHICH = Message("；其中{names}的覆盖为推定", "; the coverage of {names} is assumed")
    UNCOVERED_INDUSTRIES = Message("目标重点行业{names}未被此前批次覆盖", "target key industries {names}")
    UNCOVERED_PARK_TYPE = Message("园区类型{name}未被此前批次覆盖", "park type {name}")
    PRIORITY = Message("优先支持：{reasons}{note}。", "Priority: not covered by earlier batches — {reasons}{note}.")
    NO_PRIORITY = Message(
        "目标重点行业和园区类型已被此前批次覆盖（或未涉及），不属于优先支持{note}。",
        "Every targeted key industry and park type was covered by earlier batches (or none is targeted); "
        "no priority{note}.",
    )


def joined(texts: Iterable[Text], zh: str, en: str) -> Text:
    """Texts joined with a separator per language (；/ ; )."""
    items = list(texts)
    return Text(zh.join(t.zh for t in items), en.join(t.en for t in items))
