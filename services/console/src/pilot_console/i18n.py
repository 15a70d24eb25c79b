"""Chinese first, English switchable: the console's words for the services' codes (docs/glossary.md) and how dates,
times and money read (2023年4月7日, 北京时间, 万元)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal
from zoneinfo import ZoneInfo

from pilot_common.reference import KEY_INDUSTRIES, PARK_TYPES
from pilot_common.wording import zh_date

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
BEIJING = ZoneInfo("Asia/Shanghai")

#: A code's label in (Chinese, English).
Labels = dict[str, tuple[str, str]]

APPLICATION_STATUS: Labels = {
    "DRAFT": ("草稿", "Draft"),
    "SUBMITTED": ("已提交", "Submitted"),
    "ELIGIBLE": ("符合申报条件", "Eligible"),
    "ELIGIBLE_WITH_WARNINGS": ("符合申报条件（有提示事项）", "Eligible (with warnings)"),
    "INELIGIBLE": ("不符合申报条件", "Ineligible"),
    "AMENDMENT_REQUESTED": ("待补正", "Amendment requested"),
    "IN_EVALUATION": ("评审中", "In evaluation"),
    "APPROVED": ("已入选", "Approved"),
    "NOT_APPROVED": ("未入选", "Not approved"),
    "WITHDRAWN": ("已撤回", "Withdrawn"),
    "DISCARDED": ("已作废（未提交）", "Discarded (never submitted)"),
    "CLOSED_OUT": ("已结案（批次结束）", "Closed out"),
}

PROGRAMME_STATUS: Labels = {
    "DRAFT": ("草稿", "Draft"),
    "OPEN": ("申报受理中", "Open for submissions"),
    "CLOSED": ("申报已截止", "Closed"),
    "UNDER_EVALUATION": ("评审中", "Under evaluation"),
    "RESULTS_PUBLISHED": ("已公布名单", "Results published"),
    "CONCLUDED": ("已结束", "Concluded"),
}

PILOT_TYPES: Labels = {
    "KEY_INDUSTRY": ("重点行业清洁生产整体审核创新", "Key industry"),
    "PARK_CLUSTER": ("工业园区（产业集群）清洁生产整体审核创新", "Industrial park (cluster)"),
    "SIMPLIFIED_ENTERPRISE": ("企业简易清洁生产审核创新", "Simplified enterprise audit"),
    "REGION_BASIN": ("重点区域和流域清洁生产协同审核创新", "Key region or river basin"),
}

RULES: Labels = {
    "WINDOW": ("申报期限", "Submission window"),
    "QUOTA": ("推荐名额", "Quota slot"),
    "APPLICANT_LEVEL": ("申报主体", "Applicant"),
    "SAME_ENTITY": ("同一主体", "Same entity"),
    "PROVINCE_MATCH": ("推荐省份", "Recommending province"),
    "CLEAN_RECORD": ("生态环境问题记录", "Clean record"),
    "TYPE_SCOPE": ("试点类型范围", "Pilot type scope"),
    "FOUNDATION": ("工作基础与资金支持", "Foundation and funding"),
    "PLAN": ("实施方案与进度安排", "Plan and schedule"),
    "PACKAGE": ("申报材料", "Package"),
}

RULE_STATUS: Labels = {
    "PASS": ("通过", "Pass"),
    "WARNING": ("提示", "Warning"),
    "WARN": ("提示", "Warning"),
    "FAIL": ("不通过", "Fail"),
}

ATTACHMENT_KINDS: Labels = {
    "IMPLEMENTATION_PLAN": ("试点实施方案", "Implementation plan"),
    "ECO_ENVIRONMENT_DEPARTMENT_LETTER": ("省级生态环境部门推荐函", "Eco-environment department letter"),
    "DEVELOPMENT_REFORM_DEPARTMENT_LETTER": ("省级发展改革部门推荐函", "Development and reform department letter"),
    "SENDING_EVIDENCE": ("寄送凭证（邮戳、邮件发送记录）", "Sending evidence"),
    "OTHER": ("其他材料（如资金证明）", "Other (e.g. funding evidence)"),
}

SECTIONS: Labels = {
    "DETAILS": ("基本信息", "Details"),
    "FOUNDATION": ("清洁生产工作基础", "Foundation"),
    "FUNDING": ("资金计划", "Funding"),
    "PLAN": ("实施方案", "Plan"),
    "SCHEDULE": ("进度安排", "Schedule"),
    "ATTACHMENTS": ("附件", "Attachments"),
}

DETAIL_FIELDS: Labels = {
    "project_name": ("项目名称", "Project name"),
    "target_industries": ("目标行业", "Target industries"),
    "has_coating_process": ("是否涉及工业涂装工序", "Industrial coating process"),
    "key_area_code": ("重点区域或流域", "Key region or basin"),
    "target_pollutants": ("重点污染物", "Target pollutants"),
    "implementer_organisation_id": ("实施主体", "Implementer"),
}

#: Who asks for an amendment or sets a date: the ministries by their organisation code.
ORGANISATIONS: Labels = {
    "MEE": ("生态环境部", "Ministry of Ecology and Environment"),
    "NDRC": ("国家发展改革委", "National Development and Reform Commission"),
}

SHEET_STATUS: Labels = {
    "OPEN": ("待评分", "Open"),
    "SUBMITTED": ("已提交", "Submitted"),
    "WITHDRAWN": ("已撤回", "Withdrawn"),
}

ORGANISATION_KINDS: Labels = {
    "PARK_MANAGEMENT_BODY": ("园区管理机构", "Park management body"),
    "GOVERNMENT": ("人民政府", "Government"),
    "GOVERNMENT_DEPARTMENT": ("政府组成部门", "Government department"),
    "PROVINCIAL_DEPARTMENT": ("省级政府组成部门", "Provincial department"),
    "ENTERPRISE": ("企业", "Enterprise"),
    "OTHER": ("其他", "Other"),
}

PILOT_OBJECT_KINDS: Labels = {
    "INDUSTRIAL_PARK": ("工业园区", "Industrial park"),
    "INDUSTRIAL_CLUSTER": ("产业集群", "Industrial cluster"),
    "KEY_REGION_PART": ("重点区域（省内部分）", "Key region (the province's part)"),
    "BASIN_SECTION": ("流域（省内段）", "River basin (the province's section)"),
    "INDUSTRY_IN_AREA": ("区域内行业企业", "Enterprises of an industry in an area"),
    "ENTERPRISE_GROUP": ("企业集合（集中连片）", "Group of enterprises"),
}

FINDING_SOURCES: Labels = {
    "CENTRAL_INSPECTION": ("中央生态环境保护督察", "Central inspection"),
    "PROVINCIAL_INSPECTION": ("省级生态环境保护督察", "Provincial inspection"),
    "MEDIA": ("媒体曝光", "Media exposure"),
}

MEDIA_LEVELS: Labels = {
    "NATIONAL": ("中央（国家级）媒体", "National media"),
    "PROVINCIAL": ("省级媒体", "Provincial media"),
    "CITY": ("地市级媒体", "City media"),
}

# From the reference data (the registry's own names), so the two never differ.
PARK_TYPE_NAMES: Labels = {t.code: (t.name, t.english_name) for t in PARK_TYPES}
KEY_INDUSTRY_NAMES: Labels = {i.code: (i.name, i.english_name) for i in KEY_INDUSTRIES}

ROLES: Labels = {
    "province": ("省级主管部门", "Provincial department"),
    "reviewer": ("评审专家", "Expert reviewer"),
    "ministry": ("部委工作人员", "Ministry staff"),
    "auditor": ("审计人员", "Auditor"),
}

_CN_NUMERALS = "零一二三四五六七八九十"


def label(table: Labels, code: str | None, lang: Lang) -> str:
    if code is None:
        return ""
    pair = table.get(code)
    if pair is None:
        return code
    return pair[0] if lang == "zh" else pair[1]


def section_number(code: str, lang: Lang) -> str:
    """Outline codes as the annex numbers them: "3" → 三、, "4.2" → （二） (English keeps the code)."""
    if lang == "en":
        return code
    parts = code.split(".")
    try:
        last = int(parts[-1])
    except ValueError:
        return code
    numeral = _CN_NUMERALS[last] if 0 < last <= 10 else str(last)
    return f"{numeral}、" if len(parts) == 1 else f"（{numeral}）"


def as_date(value: date | datetime | str | None, lang: Lang) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(BEIJING).date() if value.tzinfo else value.date()
    return zh_date(value) if lang == "zh" else value.isoformat()


def as_moment(value: datetime | str | None, lang: Lang) -> str:
    """An instant in Beijing time: 2023年3月20日 09:00（北京时间）."""
    if value in (None, ""):
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(BEIJING)
    if lang == "zh":
        return f"{zh_date(local.date())} {local:%H:%M}（北京时间）"
    return f"{local:%Y-%m-%d %H:%M} (Beijing time)"


def days_left(days: int | None, lang: Lang) -> str:
    """A due date's distance from business today: 还剩12天 / 今天截止 / 已逾期3天."""
    if days is None:
        return ""
    if days > 0:
        return f"还剩{days}天" if lang == "zh" else f"{days} day{'s' if days > 1 else ''} left"
    if days == 0:
        return "今天截止" if lang == "zh" else "due today"
    return f"已逾期{-days}天" if lang == "zh" else f"{-days} day{'s' if days < -1 else ''} overdue"


def yuan_to_wan(amount: str | int | float | Decimal | None) -> str:
    """3000000 → "300" (万元), at most four decimals, no trailing zeros."""
    if amount in (None, ""):
        return ""
    try:
        wan = Decimal(str(amount)) / Decimal(10000)
    except InvalidOperation:
        return str(amount)
    text = f"{wan:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def wan_to_yuan(wan: str) -> str | None:
    """What a user typed in 万元 as yuan with at most two decimals (the services' unit); None when not a number."""
    try:
        value = Decimal(wan.strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:
        return None
    return str((value * 10000).quantize(Decimal("0.01")))


def as_money(amount: str | int | float | Decimal | None, lang: Lang) -> str:
    wan = yuan_to_wan(amount)
    if not wan:
        return ""
    return f"{wan}万元" if lang == "zh" else f"{wan} × 10,000 CNY"


def as_points(value: float | int | str | None) -> str:
    """Points as people write them: 20, 12.5 (not 20.0)."""
    if value in (None, ""):
        return ""
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def as_megabytes(size: int | None) -> str:
    """Sizes as the notice writes them: 1M = 1024 × 1024 bytes, one decimal (12.5M)."""
    if not size:
        return "0M"
    text = f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")
    return f"{text}M" if text != "0" else "0.1M"
