"""A programme batch's rules as data (DESIGN: "Rules are data on the programme").

A later batch changes these numbers, not code. `batch_2_2023()` is the second batch exactly as notice
环办科财函〔2023〕79号 (seed 003) sets it out.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from pilot_common.reference import BATCH_COVERAGE


class OrganisationKind(StrEnum):
    PARK_MANAGEMENT_BODY = "PARK_MANAGEMENT_BODY"  # 园区管理机构
    GOVERNMENT = "GOVERNMENT"  # 政府
    GOVERNMENT_DEPARTMENT = "GOVERNMENT_DEPARTMENT"  # 政府组成部门
    PROVINCIAL_DEPARTMENT = "PROVINCIAL_DEPARTMENT"  # 省级政府组成部门
    ENTERPRISE = "ENTERPRISE"  # 企业
    OTHER = "OTHER"  # 其他


class AdministrativeLevel(StrEnum):
    COUNTY = "COUNTY"  # 县级
    PREFECTURE = "PREFECTURE"  # 地市级
    PROVINCE = "PROVINCE"  # 省级

    @property
    def rank(self) -> int:
        return {"COUNTY": 1, "PREFECTURE": 2, "PROVINCE": 3}[self.value]

    def at_least(self, other: AdministrativeLevel) -> bool:
        return self.rank >= other.rank


class Aggregation(StrEnum):
    MEAN = "MEAN"
    MEDIAN = "MEDIAN"


class ApplicantRequirement(BaseModel):
    """One kind of organisation allowed to apply, optionally from a minimum administrative level."""

    model_config = ConfigDict(frozen=True)
    kind: OrganisationKind
    min_level: AdministrativeLevel | None = None
    label_zh: str


class PilotTypeRule(BaseModel):
    model_config = ConfigDict(frozen=True)
    pilot_type: str  # KEY_INDUSTRY, PARK_CLUSTER, SIMPLIFIED_ENTERPRISE, REGION_BASIN
    applicants: list[ApplicantRequirement]


class OutlineSection(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str  # "1", "1.1"
    title: str
    subsections: list[OutlineSection] = Field(default_factory=list)


class ScoringCriterion(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    name_zh: str
    name_en: str
    max_points: float = Field(gt=0)
    weight: float = Field(gt=0)
    # What the reviewer should look at (shown beside the score); optional so that rules published before it still
    # read, and not a scoring parameter: sheets opened with and without it score alike.
    guidance_zh: str = Field(default="", max_length=1000, description="评分要点：评审专家应重点查看的内容")
    guidance_en: str = Field(default="", max_length=1000, description="What the reviewer should look at")


class ScoringRules(BaseModel):
    model_config = ConfigDict(frozen=True)
    criteria: list[ScoringCriterion]
    reviewers_per_application: int = Field(default=3, ge=1)
    aggregation: Aggregation = Aggregation.MEAN
    outlier_threshold: float = Field(gt=0, description="Points from the median beyond which a sheet is moderated")
    innovation_criterion: str = Field(description="Code of the 特色与创新 criterion, the second tie-break")


class ProgrammeRules(BaseModel):
    """Every rule parameter of one programme batch."""

    model_config = ConfigDict(frozen=True)
    year: int
    batch: int
    pilot_types: list[PilotTypeRule]
    opens_at: datetime
    deadline: date = Field(description="Last day on which submissions are accepted (inclusive)")
    timezone: str = "Asia/Shanghai"
    quota_per_province: int = Field(ge=0)
    findings_lookback_years: int = Field(ge=0)
    max_package_bytes: int = Field(gt=0)
    accepted_media_types: list[str]
    required_letters: list[str] = Field(description="Recommendation letters the package must hold")
    subject_template: str
    implementation_months: int = Field(gt=0)
    plan_outline: list[OutlineSection]
    scoring: ScoringRules
    covered_industries: list[str] = Field(description="Key industries covered by earlier batches (PRIORITY)")
    covered_park_types: list[str] = Field(description="Park types covered by earlier batches (PRIORITY)")
    coverage_provisional: bool = Field(
        default=False,
        description="Earlier batches' coverage is not established from the official list (PRIORITY rests on it)",
    )
    assumed_covered_industries: list[str] = Field(
        default_factory=list, description="Of covered_industries, those only assumed covered (not confirmed)"
    )
    assumed_covered_park_types: list[str] = Field(
        default_factory=list, description="Of covered_park_types, those only assumed covered (not confirmed)"
    )
    key_industry_mapping: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Replaces the national GB/T 4754 mapping of the named key industries for this programme "
        "(key-industry code → division/group/class codes); empty: the national mapping",
    )

    def pilot_type_rule(self, pilot_type: str) -> PilotTypeRule | None:
        return next((r for r in self.pilot_types if r.pilot_type == pilot_type), None)

    def closes_at(self) -> datetime:
        """The first instant after the deadline day, in the programme's time zone."""
        from datetime import time, timedelta

        return datetime.combine(self.deadline + timedelta(days=1), time(0), tzinfo=ZoneInfo(self.timezone))

    def subject_for(self, project_name: str, applicant_name: str) -> str:
        return self.subject_template.format(year=self.year, project_name=project_name, applicant_name=applicant_name)


LETTER_ECO_ENVIRONMENT = "ECO_ENVIRONMENT_DEPARTMENT_LETTER"  # 省级生态环境部门推荐函
LETTER_DEVELOPMENT_REFORM = "DEVELOPMENT_REFORM_DEPARTMENT_LETTER"  # 省级发展改革部门推荐函

_TYPES_1_TO_3 = [
    ApplicantRequirement(kind=OrganisationKind.PARK_MANAGEMENT_BODY, label_zh="园区管理机构"),
    ApplicantRequirement(
        kind=OrganisationKind.GOVERNMENT, min_level=AdministrativeLevel.COUNTY, label_zh="县级及以上政府"
    ),
    ApplicantRequirement(
        kind=OrganisationKind.GOVERNMENT_DEPARTMENT,
        min_level=AdministrativeLevel.PREFECTURE,
        label_zh="地市级及以上政府组成部门",
    ),
    ApplicantRequirement(
        kind=OrganisationKind.PROVINCIAL_DEPARTMENT,
        min_level=AdministrativeLevel.PROVINCE,
        label_zh="省级政府组成部门（属地市级及以上政府组成部门）",
    ),
]
_TYPE_4 = [
    ApplicantRequirement(
        kind=OrganisationKind.PROVINCIAL_DEPARTMENT, min_level=AdministrativeLevel.PROVINCE, label_zh="省级政府组成部门"
    ),
    ApplicantRequirement(
        kind=OrganisationKind.GOVERNMENT_DEPARTMENT, min_level=AdministrativeLevel.PROVINCE, label_zh="省级政府组成部门"
    ),
]

# 附件《清洁生产审核创新试点实施方案》编制大纲
PLAN_OUTLINE_2023 = [
    OutlineSection(
        code="1",
        title="试点对象基本概况",
        subsections=[
            OutlineSection(code="1.1", title="试点对象范围与区位"),
            OutlineSection(code="1.2", title="试点对象产业概况"),
        ],
    ),
    OutlineSection(
        code="2",
        title="试点基础",
        subsections=[
            OutlineSection(code="2.1", title="环境现状与主要问题"),
            OutlineSection(code="2.2", title="清洁生产工作基础"),
        ],
    ),
    OutlineSection(code="3", title="试点工作目标"),
    OutlineSection(
        code="4",
        title="试点工作内容",
        subsections=[
            OutlineSection(code="4.1", title="试点内容"),
            OutlineSection(code="4.2", title="试点方法及技术路线"),
        ],
    ),
    OutlineSection(code="5", title="试点工作特色及主要创新点"),
    OutlineSection(code="6", title="试点项目实施计划"),
    OutlineSection(code="7", title="试点预期产出成果及效益"),
]

# The notice sets no scoring table; these criteria follow the outline and are programme data the ministry edits.
# Their guidance names the outline sections (附件《实施方案》编制大纲) each criterion reads: the system's reading of
# the outline, not the notice's words (docs/decisions.md).
SCORING_2023 = ScoringRules(
    criteria=[
        ScoringCriterion(
            code="FOUNDATION",
            name_zh="试点基础",
            name_en="Foundation",
            max_points=20,
            weight=1,
            guidance_zh="重点查看实施方案第一部分“试点对象基本概况”（范围与区位、产业概况）和第二部分“试点基础”"
            "（环境现状与主要问题、清洁生产工作基础）。",
            guidance_en="Read plan sections 1 (the pilot object: scope, location, industries) and 2 (foundation: "
            "environmental situation and main problems, cleaner-production groundwork).",
        ),
        ScoringCriterion(
            code="GOALS",
            name_zh="目标与内容",
            name_en="Goals and content",
            max_points=25,
            weight=1,
            guidance_zh="重点查看实施方案第三部分“试点工作目标”和第四部分第（一）节“试点内容”。",
            guidance_en="Read plan sections 3 (goals) and 4.1 (pilot content).",
        ),
        ScoringCriterion(
            code="METHOD",
            name_zh="方法及技术路线",
            name_en="Method",
            max_points=15,
            weight=1,
            guidance_zh="重点查看实施方案第四部分第（二）节“试点方法及技术路线”。",
            guidance_en="Read plan section 4.2 (methods and technical route).",
        ),
        ScoringCriterion(
            code="INNOVATION",
            name_zh="特色与创新",
            name_en="Innovation",
            max_points=20,
            weight=1,
            guidance_zh="重点查看实施方案第五部分“试点工作特色及主要创新点”。",
            guidance_en="Read plan section 5 (distinctive features and main innovations).",
        ),
        ScoringCriterion(
            code="PLAN",
            name_zh="实施计划与保障",
            name_en="Implementation plan",
            max_points=10,
            weight=1,
            guidance_zh="重点查看实施方案第六部分“试点项目实施计划”，以及进度安排和资金来源。",
            guidance_en="Read plan section 6 (implementation plan) with the schedule and the funding sources.",
        ),
        ScoringCriterion(
            code="OUTCOMES",
            name_zh="预期成果及效益",
            name_en="Expected outcomes",
            max_points=10,
            weight=1,
            guidance_zh="重点查看实施方案第七部分“试点预期产出成果及效益”。",
            guidance_en="Read plan section 7 (expected outputs and benefits).",
        ),
    ],
    reviewers_per_application=3,
    aggregation=Aggregation.MEAN,
    outlier_threshold=15,
    innovation_criterion="INNOVATION",
)


def batch_2_2023() -> ProgrammeRules:
    """第二批清洁生产审核创新试点 (环办科财函〔2023〕79号, 2023-03-03)."""
    batch_1 = BATCH_COVERAGE.get("BATCH_1")
    return ProgrammeRules(
        year=2023,
        batch=2,
        pilot_types=[
            PilotTypeRule(pilot_type="KEY_INDUSTRY", applicants=_TYPES_1_TO_3),
            PilotTypeRule(pilot_type="PARK_CLUSTER", applicants=_TYPES_1_TO_3),
            PilotTypeRule(pilot_type="SIMPLIFIED_ENTERPRISE", applicants=_TYPES_1_TO_3),
            PilotTypeRule(pilot_type="REGION_BASIN", applicants=_TYPE_4),
        ],
        opens_at=datetime(2023, 3, 3, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        deadline=date(2023, 4, 7),
        timezone="Asia/Shanghai",
        quota_per_province=5,
        findings_lookback_years=3,
        max_package_bytes=50 * 1024 * 1024,
        accepted_media_types=[
            "application/pdf",
            "application/ofd",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ],
        required_letters=[LETTER_ECO_ENVIRONMENT, LETTER_DEVELOPMENT_REFORM],
        subject_template="{year}+{project_name}+{applicant_name}",
        implementation_months=12,
        plan_outline=PLAN_OUTLINE_2023,
        scoring=SCORING_2023,
        covered_industries=list(batch_1.industries) if batch_1 else [],
        covered_park_types=list(batch_1.park_types) if batch_1 else [],
        coverage_provisional=batch_1.provisional if batch_1 else False,
        assumed_covered_industries=list(batch_1.assumed_industries) if batch_1 else [],
        assumed_covered_park_types=list(batch_1.assumed_park_types) if batch_1 else [],
    )
