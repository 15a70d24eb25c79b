"""Request and response bodies of the registry API (pydantic at the edge)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field

from pilot_common.contracts.programme import AdministrativeLevel, OrganisationKind, ProgrammeRules
from pilot_common.inputs import MAX_NAME, EdgeModel, Name, PatchModel
from pilot_registry.domain.finding import FindingSource, MediaLevel
from pilot_registry.domain.pilot import ReportKind
from pilot_registry.domain.pilot_object import PilotObjectKind

DivisionCode = Annotated[str, Field(pattern=r"^\d{6}$", examples=["320571"])]
CreditCode = Annotated[str, Field(min_length=1, max_length=32, examples=["11320500MB1737893R"])]
Code = Annotated[str, Field(min_length=1, max_length=32)]


class Strict(EdgeModel):
    """Request bodies: bounded, no unknown fields (see `pilot_common.inputs`)."""


class Reason(Strict):
    reason: str = Field(min_length=1, max_length=MAX_NAME * 5, examples=["依据部领导批示调整"])


class OptionalReason(Strict):
    reason: str | None = Field(default=None, max_length=MAX_NAME * 5)


class ProgrammeClosing(Strict):
    """Closing the batch: after the deadline the reason may be left out; before it ``early`` and a reason."""

    reason: str | None = Field(default=None, max_length=MAX_NAME * 5, examples=["申报截止"])
    early: bool = Field(default=False, description="closing before the deadline's end (needs a reason)")


class ProgrammeDraft(Strict):
    code: Code = Field(examples=["2024-B3"])
    name: Name = Field(examples=["第三批清洁生产审核创新试点"])
    rules: ProgrammeRules


class RulesRevision(Strict):
    rules: ProgrammeRules
    reason: str | None = Field(default=None, max_length=MAX_NAME * 5)


class QuotaExceptionGrant(Strict):
    province_code: str = Field(pattern=r"^\d{6}$", examples=["320000"])
    extra_slots: int = Field(ge=1, le=100, examples=[1])
    reason: str = Field(min_length=1, max_length=MAX_NAME * 5, examples=["该省园区数量多，经部务会同意增加1个名额"])


class DeadlineExtension(Strict):
    new_deadline: date
    reason: str = Field(min_length=1, max_length=MAX_NAME * 5)


class ResultsPublication(Strict):
    document_number: Name = Field(examples=["环办科财函〔2023〕261号"])


class ProgrammeView(BaseModel):
    id: str
    code: str
    name: str
    year: int
    batch: int
    status: str
    deadline: str
    version: int
    rules: dict[str, Any]
    quota_exceptions: dict[str, Any]


class OrganisationRegistration(Strict):
    name: Name = Field(examples=["苏州工业园区管理委员会"])
    credit_code: CreditCode
    kind: OrganisationKind
    administrative_level: AdministrativeLevel | None = None
    province_code: str = Field(pattern=r"^\d{6}$", examples=["320000"])
    division_code: str | None = Field(default=None, pattern=r"^\d{6}$", examples=["320571"])


class OrganisationAmendment(PatchModel):
    """Only the fields sent change; `null` clears `administrative_level` or `division_code`, nothing else."""

    clearable = frozenset({"administrative_level", "division_code"})

    reason: str = Field(min_length=1, max_length=MAX_NAME * 5)
    name: Name | None = None
    credit_code: CreditCode | None = None
    kind: OrganisationKind | None = None
    administrative_level: AdministrativeLevel | None = None
    province_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    division_code: str | None = Field(default=None, pattern=r"^\d{6}$")


class OrganisationView(BaseModel):
    id: str
    name: str
    credit_code: str
    kind: str
    administrative_level: str | None
    province_code: str
    division_code: str | None
    active: bool
    version: int


class PilotObjectRegistration(Strict):
    kind: PilotObjectKind = Field(examples=["INDUSTRIAL_PARK"])
    name: Name = Field(examples=["苏州工业园区"])
    province_code: str = Field(pattern=r"^\d{6}$")
    division_codes: list[DivisionCode] = Field(examples=[["320571"]])
    industry_codes: list[Code] = Field(default_factory=list, examples=[["2614", "3360"]])
    park_type: Code | None = Field(default=None, examples=["ECONOMIC_DEVELOPMENT_ZONE"])
    key_area_code: Code | None = None
    member_credit_codes: list[CreditCode] = Field(default_factory=list, max_length=10_000)


class PilotObjectAmendment(PatchModel):
    """Only the fields sent change; `null` clears `park_type` or `key_area_code`, nothing else."""

    clearable = frozenset({"park_type", "key_area_code"})

    reason: str = Field(min_length=1, max_length=MAX_NAME * 5)
    kind: PilotObjectKind | None = None
    name: Name | None = None
    province_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    division_codes: list[DivisionCode] | None = None
    industry_codes: list[Code] | None = None
    park_type: Code | None = None
    key_area_code: Code | None = None


class Members(Strict):
    credit_codes: list[CreditCode] = Field(min_length=1, max_length=10_000)


class MembersRemoval(Members):
    reason: str = Field(min_length=1, max_length=MAX_NAME * 5)


class PilotObjectView(BaseModel):
    id: str
    kind: str
    name: str
    province_code: str
    division_codes: list[str]
    industry_codes: list[str]
    park_type: str | None
    key_area_code: str | None
    member_credit_codes: list[str]
    version: int


class FindingRecord(Strict):
    source: FindingSource = Field(examples=["CENTRAL_INSPECTION"], description="督察或媒体曝光的来源")
    media_level: MediaLevel | None = Field(default=None, examples=[None], description="媒体级别（仅媒体曝光）")
    disclosed_on: date = Field(examples=["2022-06-15"], description="Not after business today / 不得晚于当前业务日期")
    pilot_object_id: UUID
    enterprise_credit_code: CreditCode | None = None
    province_code: str = Field(pattern=r"^\d{6}$")
    summary: str = Field(
        min_length=1, max_length=5_000, examples=["第二轮中央生态环境保护督察指出园区污水处理设施长期超标排放"]
    )
    reference: Name = Field(examples=["督察反馈意见（2022年6月）"])
    prominent_problem: bool | None = Field(
        default=None,
        examples=[True],
        description="Central inspection only (required there): whether it names a prominent problem "
        "(突出生态环境问题); false e.g. for a complaint referral (信访转办件)",
    )


class FindingCorrection(PatchModel):
    """Only the fields sent change; `null` clears `media_level` or `enterprise_credit_code`, nothing else."""

    clearable = frozenset({"media_level", "enterprise_credit_code"})

    reason: str = Field(min_length=1, max_length=MAX_NAME * 5)
    source: FindingSource | None = None
    media_level: MediaLevel | None = None
    disclosed_on: date | None = None
    pilot_object_id: UUID | None = None
    enterprise_credit_code: CreditCode | None = None
    province_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    summary: str | None = Field(default=None, min_length=1, max_length=5_000)
    reference: Name | None = None
    prominent_problem: bool | None = None


class FindingView(BaseModel):
    id: str
    source: str
    media_level: str | None
    disclosed_on: str
    pilot_object_id: str
    enterprise_credit_code: str | None
    province_code: str
    summary: str
    reference: str
    prominent_problem: bool | None = None
    recorded_by: str
    disqualifying: bool
    retracted: bool
    retraction_reason: str | None
    version: int


class MilestonePlan(Strict):
    title: Name
    due: date


class MilestoneCompletion(Strict):
    on: date
    note: str = Field(default="", max_length=MAX_NAME * 5)


class ReportFiling(Strict):
    kind: ReportKind = Field(examples=["PROGRESS"], description="进展报告或总结报告")
    title: Name
    document_ref: Name
    filed_on: date


class AssessmentRecord(Strict):
    passed: bool
    reason: str = Field(min_length=1, max_length=MAX_NAME * 5)
    assessed_on: date


class PilotView(BaseModel):
    id: str
    programme_id: str
    application_id: str
    project_name: str
    pilot_type: str
    province_code: str
    status: str
    approval_document_number: str
    start_date: str
    end_date: str
    milestones_total: int
    milestones_completed: int
    reports_filed: int
    version: int


class PilotDetail(PilotView):
    milestones: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    assessment: dict[str, Any] | None
    member_credit_codes: list[str]


class CreatedId(BaseModel):
    id: str
    version: int


class DeemedAuditCreditView(BaseModel):
    credit_code: str
    pilot_id: str
    programme_id: str
    project_name: str
    credited_on: str
    wording: str
