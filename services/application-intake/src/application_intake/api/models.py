"""Request and response bodies of the intake API (pydantic at the edge)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from pilot_common.inputs import MAX_NAME, MAX_TEXT, AmountCNY, EdgeModel, Name, PatchModel

AttachmentKindName = Literal[
    "IMPLEMENTATION_PLAN",
    "ECO_ENVIRONMENT_DEPARTMENT_LETTER",
    "DEVELOPMENT_REFORM_DEPARTMENT_LETTER",
    "SENDING_EVIDENCE",
    "OTHER",
]
PilotTypeName = Literal["KEY_INDUSTRY", "PARK_CLUSTER", "SIMPLIFIED_ENTERPRISE", "REGION_BASIN"]


RegistryId = Annotated[str, Field(min_length=1, max_length=64, examples=["0b8f6c1e-5d7a-4e0f-9c3b-2a1d4e5f6a7b"])]
Code = Annotated[str, Field(min_length=1, max_length=32)]
Reason = Annotated[str, Field(min_length=1, max_length=MAX_NAME * 5)]


class Strict(EdgeModel):
    """Request bodies: bounded, no unknown fields (see `pilot_common.inputs`)."""


class DraftRequest(Strict):
    programme_id: RegistryId = Field(examples=["5b0c3c3e-0f7a-5a55-9a8e-6f2d3c1b2a10"])
    pilot_type: PilotTypeName = Field(examples=["PARK_CLUSTER"])
    project_name: Name = Field(examples=["苏州工业园区清洁生产整体审核创新试点"])
    applicant_organisation_id: RegistryId = Field(description="本省登记的申报主体 / the province's own organisation")
    implementer_organisation_id: RegistryId = Field(description="本省登记的实施主体")
    pilot_object_id: RegistryId = Field(description="本省登记的试点对象 / one of the province's pilot objects")


class DetailsChange(PatchModel):
    """Only the fields sent change; `null` clears only `key_area_code` (an empty list clears the industries or
    pollutants)."""

    clearable = frozenset({"key_area_code"})

    project_name: Name | None = None
    pilot_type: PilotTypeName | None = None
    applicant_organisation_id: RegistryId | None = None
    implementer_organisation_id: RegistryId | None = None
    pilot_object_id: RegistryId | None = None
    target_industries: list[Code] | None = Field(default=None, examples=[["2614", "3360"]])
    has_coating_process: bool | None = None
    key_area_code: Code | None = None
    target_pollutants: list[Code] | None = None


class FoundationText(Strict):
    text: str = Field(max_length=MAX_TEXT, examples=["园区自2019年起组织52家企业开展清洁生产审核……"])


class FundingSourceIn(Strict):
    funder: Name = Field(examples=["苏州工业园区财政局"])
    amount_cny: AmountCNY = Field(description="金额（元），最多两位小数 / yuan, at most 2 decimal places")
    committed: bool
    evidence_document_id: str | None = Field(default=None, max_length=64)


class Funding(Strict):
    sources: list[FundingSourceIn] = Field(max_length=50)


class PlanSections(Strict):
    sections: dict[Annotated[str, Field(max_length=16)], Annotated[str, Field(max_length=MAX_TEXT)]] = Field(
        max_length=100, examples=[{"1.1": "试点对象范围与区位……", "3": "试点工作目标……"}]
    )


class MilestoneIn(Strict):
    title: Name
    start: date
    due: date


class Schedule(Strict):
    milestones: list[MilestoneIn] = Field(max_length=100)


class ReasonIn(Strict):
    reason: Reason = Field(examples=["项目调整，撤回申报"])


class LateEntryIn(Strict):
    """A package received after the deadline that was sent on or before it (notice 六: 于…前…寄送…同时…发送)."""

    sent_on: AwareDatetime = Field(
        description="Postmark or e-mail time, with its offset", examples=["2023-04-07T17:30:00+08:00"]
    )
    channel: Literal["POST", "EMAIL"] = Field(description="POST: 邮寄 (postmark); EMAIL: 电子邮件 (sending time)")
    evidence_attachment_id: RegistryId = Field(
        description="The application's SENDING_EVIDENCE attachment (邮戳或发送记录)"
    )


class AmendmentRequestIn(Strict):
    sections: list[Code] = Field(min_length=1, max_length=50, examples=[["ATTACHMENTS", "FUNDING"]])
    reason: Reason = Field(examples=["缺少省级发展改革部门推荐函，资金来源未落实"])
    detail_fields: list[Code] | None = Field(
        default=None,
        max_length=50,
        description="With DETAILS: the fields that may change (default: all but the pilot type, applicant, "
        "implementer and pilot object, which never change after submission)",
        examples=[["target_industries"]],
    )


class AmendmentIn(Strict):
    note: str = Field(default="", max_length=MAX_NAME * 5, examples=["已补充推荐函和资金承诺函"])


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


class OpenAmendmentRequest(BaseModel):
    """The 补正 request the province is answering: what was asked, why, by whom and when (business time)."""

    sections: list[str] = Field(description="DETAILS, FOUNDATION, FUNDING, PLAN, SCHEDULE, ATTACHMENTS")
    detail_fields: list[str] = Field(description="Of DETAILS, the fields that may change")
    reason: str
    requested_by: str = Field(description="The login of the ministry staff member who asked")
    requested_by_organisation: str | None = Field(default=None, description="MEE or NDRC")
    requested_at: str = Field(description="Business time of the request, ISO 8601")


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
    amendment_request: OpenAmendmentRequest | None = Field(
        default=None, description="The open 补正 request (while the status is AMENDMENT_REQUESTED), else null"
    )
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
