"""Request and response bodies of the registry API (pydantic at the edge)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from pilot_common.contracts.programme import AdministrativeLevel, OrganisationKind, ProgrammeRules


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reason(Strict):
    reason: str = Field(min_length=1, examples=["依据部领导批示调整"])


class OptionalReason(Strict):
    reason: str | None = None


class ProgrammeClosing(Strict):
    """Closing the batch: after the deadline the reason may be left out; before it ``early`` and a reason."""

    reason: str | None = Field(default=None, examples=["申报截止"])
    early: bool = Field(default=False, description="closing before the deadline's end (needs a reason)")


class ProgrammeDraft(Strict):
    code: str = Field(examples=["2024-B3"])
    name: str = Field(examples=["第三批清洁生产审核创新试点"])
    rules: ProgrammeRules


class RulesRevision(Strict):
    rules: ProgrammeRules
    reason: str | None = None


class QuotaExceptionGrant(Strict):
    province_code: str = Field(pattern=r"^\d{6}$", examples=["320000"])
    extra_slots: int = Field(ge=1, examples=[1])
    reason: str = Field(min_length=1, examples=["该省园区数量多，经部务会同意增加1个名额"])


class DeadlineExtension(Strict):
    new_deadline: date
    reason: str = Field(min_length=1)


class ResultsPublication(Strict):
    document_number: str = Field(examples=["环办科财函〔2023〕261号"])


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
    name: str = Field(examples=["苏州工业园区管理委员会"])
    credit_code: str = Field(examples=["11320500MB1737893R"])
    kind: OrganisationKind
    administrative_level: AdministrativeLevel | None = None
    province_code: str = Field(pattern=r"^\d{6}$", examples=["320000"])
    division_code: str | None = Field(default=None, pattern=r"^\d{6}$", examples=["320571"])


class OrganisationAmendment(Strict):
    reason: str = Field(min_length=1)
    name: str | None = None
    credit_code: str | None = None
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
    kind: str = Field(examples=["INDUSTRIAL_PARK"])
    name: str = Field(examples=["苏州工业园区"])
    province_code: str = Field(pattern=r"^\d{6}$")
    division_codes: list[str] = Field(examples=[["320571"]])
    industry_codes: list[str] = Field(default_factory=list, examples=[["2614", "3360"]])
    park_type: str | None = Field(default=None, examples=["ECONOMIC_DEVELOPMENT_ZONE"])
    key_area_code: str | None = None
    member_credit_codes: list[str] = Field(default_factory=list)


class PilotObjectAmendment(Strict):
    reason: str = Field(min_length=1)
    kind: str | None = None
    name: str | None = None
    province_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    division_codes: list[str] | None = None
    industry_codes: list[str] | None = None
    park_type: str | None = None
    key_area_code: str | None = None


class Members(Strict):
    credit_codes: list[str] = Field(min_length=1)


class MembersRemoval(Members):
    reason: str = Field(min_length=1)


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
    source: str = Field(examples=["CENTRAL_INSPECTION"], description="CENTRAL_INSPECTION, PROVINCIAL_INSPECTION, MEDIA")
    media_level: str | None = Field(default=None, examples=[None], description="NATIONAL, PROVINCIAL, CITY (media)")
    disclosed_on: date = Field(examples=["2022-06-15"])
    pilot_object_id: UUID
    enterprise_credit_code: str | None = None
    province_code: str = Field(pattern=r"^\d{6}$")
    summary: str = Field(examples=["第二轮中央生态环境保护督察指出园区污水处理设施长期超标排放"])
    reference: str = Field(examples=["督察反馈意见（2022年6月）"])
    prominent_problem: bool | None = Field(
        default=None,
        examples=[True],
        description="Central inspection only (required there): whether it names a prominent problem "
        "(突出生态环境问题); false e.g. for a complaint referral (信访转办件)",
    )


class FindingCorrection(Strict):
    reason: str = Field(min_length=1)
    source: str | None = None
    media_level: str | None = None
    disclosed_on: date | None = None
    pilot_object_id: UUID | None = None
    enterprise_credit_code: str | None = None
    province_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    summary: str | None = None
    reference: str | None = None
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
    title: str = Field(min_length=1)
    due: date


class MilestoneCompletion(Strict):
    on: date
    note: str = ""


class ReportFiling(Strict):
    kind: str = Field(examples=["PROGRESS"], description="PROGRESS or FINAL")
    title: str
    document_ref: str
    filed_on: date


class AssessmentRecord(Strict):
    passed: bool
    reason: str = Field(min_length=1)
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
