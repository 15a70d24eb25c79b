"""Request and response bodies of the intake API (pydantic at the edge)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

AttachmentKindName = Literal[
    "IMPLEMENTATION_PLAN",
    "ECO_ENVIRONMENT_DEPARTMENT_LETTER",
    "DEVELOPMENT_REFORM_DEPARTMENT_LETTER",
    "SENDING_EVIDENCE",
    "OTHER",
]
PilotTypeName = Literal["KEY_INDUSTRY", "PARK_CLUSTER", "SIMPLIFIED_ENTERPRISE", "REGION_BASIN"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftRequest(Strict):
    programme_id: str = Field(examples=["5b0c3c3e-0f7a-5a55-9a8e-6f2d3c1b2a10"])
    pilot_type: PilotTypeName = Field(examples=["PARK_CLUSTER"])
    project_name: str = Field(min_length=1, max_length=200, examples=["苏州工业园区清洁生产整体审核创新试点"])
    applicant_organisation_id: str
    implementer_organisation_id: str
    pilot_object_id: str


class DetailsChange(Strict):
    project_name: str | None = Field(default=None, min_length=1, max_length=200)
    pilot_type: PilotTypeName | None = None
    applicant_organisation_id: str | None = None
    implementer_organisation_id: str | None = None
    pilot_object_id: str | None = None
    target_industries: list[str] | None = Field(default=None, examples=[["2614", "3360"]])
    has_coating_process: bool | None = None
    key_area_code: str | None = None
    target_pollutants: list[str] | None = None


class FoundationText(Strict):
    text: str = Field(max_length=20_000, examples=["园区自2019年起组织52家企业开展清洁生产审核……"])


class FundingSourceIn(Strict):
    funder: str = Field(min_length=1, examples=["苏州工业园区财政局"])
    amount_cny: Decimal = Field(ge=0, examples=["3000000"])
    committed: bool
    evidence_document_id: str | None = None


class Funding(Strict):
    sources: list[FundingSourceIn]


class PlanSections(Strict):
    sections: dict[str, str] = Field(examples=[{"1.1": "试点对象范围与区位……", "3": "试点工作目标……"}])


class MilestoneIn(Strict):
    title: str = Field(min_length=1)
    start: date
    due: date


class Schedule(Strict):
    milestones: list[MilestoneIn]


class ReasonIn(Strict):
    reason: str = Field(min_length=1, examples=["项目调整，撤回申报"])


class LateEntryIn(Strict):
    """A package received after the deadline that was sent on or before it (notice 六: 于…前…寄送…同时…发送)."""

    sent_on: AwareDatetime = Field(
        description="Postmark or e-mail time, with its offset", examples=["2023-04-07T17:30:00+08:00"]
    )
    channel: Literal["POST", "EMAIL"] = Field(description="POST: 邮寄 (postmark); EMAIL: 电子邮件 (sending time)")
    evidence_attachment_id: str = Field(description="The application's SENDING_EVIDENCE attachment (邮戳或发送记录)")


class AmendmentRequestIn(Strict):
    sections: list[str] = Field(min_length=1, examples=[["ATTACHMENTS", "FUNDING"]])
    reason: str = Field(min_length=1, examples=["缺少省级发展改革部门推荐函，资金来源未落实"])
    detail_fields: list[str] | None = Field(
        default=None,
        description="With DETAILS: the fields that may change (default: all but the pilot type, applicant, "
        "implementer and pilot object, which never change after submission)",
        examples=[["target_industries"]],
    )


class AmendmentIn(Strict):
    note: str = Field(default="", examples=["已补充推荐函和资金承诺函"])


class ApplicationSummary(BaseModel):
    id: str
    programme_id: str
    province: str
    pilot_type: str
    project_name: str
    applicant_organisation_id: str
    implementer_organisation_id: str | None
    pilot_object_id: str | None
    status: str
    revision: int
    submitted_at: str | None
    slot_number: int | None
    subject_line: str | None
    outcome: str | None
    verdict_count: int
    version: int


class ApplicationDetail(BaseModel):
    id: str
    programme_id: str
    province: str
    status: str
    revision: int
    version: int
    details: dict[str, Any]
    foundation: str
    funding_sources: list[dict[str, Any]]
    plan_sections: dict[str, str]
    milestones: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    submitted_at: str | None
    slot_number: int | None
    subject_line: str | None
    verdict: dict[str, Any] | None
    amendment_sections: list[str]
    amendment_detail_fields: list[str] = Field(default_factory=list)
    late_entry: dict[str, Any] | None = Field(
        default=None, description="Sent on time, received late: sent_on, channel, evidence_attachment_id, recorded_by"
    )
    withdrawal_reason: str | None
    outcome_document: str | None


class VerdictRecord(BaseModel):
    version: int
    trigger: str
    changes: list[str]
    revision: int
    outcome: str
    verdict: dict[str, Any]


class QuotaView(BaseModel):
    programme_id: str
    province: str
    held: int
    allowed: int
    holders: list[str]
