"""Everything the eligibility rules read, assembled by the application service before it calls the engine.

The application service builds an :class:`EligibilitySnapshot` from its own state (the application draft,
its quota slots) and from the read models it keeps from the registry's events (programme, organisations,
pilot objects, findings). The engine never looks anything up itself: what is not in the snapshot is unknown,
and the rules that need it FAIL with a reason saying so.

All models are frozen pydantic models; times are timezone-aware.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from pilot_common.contracts.programme import AdministrativeLevel, OrganisationKind, ProgrammeRules

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class PilotTypeCode(StrEnum):
    """The four pilot types of notice 003 二(一)–(四)."""

    KEY_INDUSTRY = "KEY_INDUSTRY"  # 1 重点行业清洁生产整体审核创新
    PARK_CLUSTER = "PARK_CLUSTER"  # 2 工业园区（产业集群）清洁生产整体审核创新
    SIMPLIFIED_ENTERPRISE = "SIMPLIFIED_ENTERPRISE"  # 3 企业简易清洁生产审核创新
    REGION_BASIN = "REGION_BASIN"  # 4 重点区域和流域清洁生产协同审核创新


class AttachmentKind(StrEnum):
    IMPLEMENTATION_PLAN = "IMPLEMENTATION_PLAN"  # 试点实施方案
    ECO_ENVIRONMENT_DEPARTMENT_LETTER = "ECO_ENVIRONMENT_DEPARTMENT_LETTER"  # 省级生态环境部门推荐函
    DEVELOPMENT_REFORM_DEPARTMENT_LETTER = "DEVELOPMENT_REFORM_DEPARTMENT_LETTER"  # 省级发展改革部门推荐函
    SENDING_EVIDENCE = "SENDING_EVIDENCE"  # 寄送/发送凭证: postmark or e-mail sending record (WINDOW)
    OTHER = "OTHER"


class PilotObjectKind(StrEnum):
    INDUSTRIAL_PARK = "INDUSTRIAL_PARK"  # 工业园区
    INDUSTRIAL_CLUSTER = "INDUSTRIAL_CLUSTER"  # 产业集群
    KEY_REGION_PART = "KEY_REGION_PART"  # 重点区域（的省内部分）
    BASIN_SECTION = "BASIN_SECTION"  # 流域（的省内河段）
    INDUSTRY_IN_AREA = "INDUSTRY_IN_AREA"  # 区域内的（重点）行业企业
    ENTERPRISE_GROUP = "ENTERPRISE_GROUP"  # 企业群（集中连片）


class FindingSource(StrEnum):
    CENTRAL_INSPECTION = "CENTRAL_INSPECTION"  # 中央生态环境保护督察
    PROVINCIAL_INSPECTION = "PROVINCIAL_INSPECTION"  # 省级生态环境保护督察
    MEDIA = "MEDIA"  # 媒体曝光


class MediaLevel(StrEnum):
    NATIONAL = "NATIONAL"  # 国家级（中央）媒体
    PROVINCIAL = "PROVINCIAL"  # 省级媒体
    CITY = "CITY"  # 地市级媒体


class FundingSource(BaseModel):
    model_config = _FROZEN
    funder: str
    amount_cny: Decimal
    committed: bool
    evidence_document_id: str | None = None


class Milestone(BaseModel):
    model_config = _FROZEN
    title: str
    start: dt.date
    due: dt.date


class Attachment(BaseModel):
    model_config = _FROZEN
    id: str
    kind: AttachmentKind
    file_name: str
    media_type: str
    size_bytes: int = Field(ge=0)
    sha256: str


class ApplicationFacts(BaseModel):
    """The application as the intake service holds it."""

    model_config = _FROZEN
    application_id: str
    programme_id: str
    pilot_type: str  # a PilotTypeCode value; anything else FAILs APPLICANT_LEVEL and TYPE_SCOPE
    project_name: str
    recommending_province: str  # six-digit provincial-unit code
    applicant_organisation_id: str
    implementer_organisation_id: str | None
    pilot_object_id: str | None
    target_industries: tuple[str, ...] = ()  # GB/T 4754-2017 codes (2–4 digits, optional section letter)
    # 工业涂装: the target enterprises in divisions 33–43 have a coating process (涉及工业涂装工序), so codes
    # in those divisions count as the key industry INDUSTRIAL_COATING.
    has_coating_process: bool = False
    key_area_code: str | None = None  # a KEY_AREAS code (type 4)
    target_pollutants: tuple[str, ...] = ()  # POLLUTANTS codes (type 4)
    foundation: str = ""  # 清洁生产工作基础
    funding_sources: tuple[FundingSource, ...] = ()
    plan_sections: dict[str, str] = Field(default_factory=dict)  # outline code ("1", "1.1", …) → text
    milestones: tuple[Milestone, ...] = ()
    attachments: tuple[Attachment, ...] = ()


class ProgrammeFacts(BaseModel):
    model_config = _FROZEN
    programme_id: str
    programme_version: int
    rules: ProgrammeRules
    quota_exceptions: dict[str, int] = Field(default_factory=dict)  # province code → extra slots granted

    def quota_allowed(self, province: str) -> int:
        """Base quota plus the exception granted to the province, if any."""
        return self.rules.quota_per_province + self.quota_exceptions.get(province, 0)


class OrganisationFacts(BaseModel):
    model_config = _FROZEN
    id: str
    name: str
    credit_code: str | None
    kind: OrganisationKind
    level: AdministrativeLevel | None
    province: str  # provincial-unit code (660000 for units of 新疆生产建设兵团)
    division_code: str | None = None


class PilotObjectFacts(BaseModel):
    model_config = _FROZEN
    id: str
    kind: PilotObjectKind
    name: str
    province: str
    division_codes: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    park_type: str | None = None  # PARK_TYPES code
    member_credit_codes: tuple[str, ...] = ()  # enterprises inside the object
    key_area_code: str | None = None


class FindingFacts(BaseModel):
    """An inspection or media finding the registry recorded against a pilot object or an enterprise."""

    model_config = _FROZEN
    id: str
    source: FindingSource
    media_level: MediaLevel | None = None
    prominent_problem: bool | None = None  # central inspection: named a prominent problem (None: not recorded)
    date: dt.date  # the date the problem was named or exposed
    subject_pilot_object_id: str | None = None
    subject_enterprise_credit_code: str | None = None
    retracted: bool = False
    summary: str = ""
    reference: str = ""


class QuotaFacts(BaseModel):
    model_config = _FROZEN
    slots_held: int = Field(ge=0)  # by the province, counting this application (or as if, for a dry run)
    slots_allowed: int = Field(ge=0)  # base + exception, as the quota aggregate holds it
    slot_number: int | None = None  # this application's slot; None for a dry run


class LateEntryFacts(BaseModel):
    """Ministry staff recorded a package as received that was sent (posted or e-mailed) at ``sent_on``.

    Notice 六 sets the deadline on *sending* ("于2023年4月7日前…寄送…同时…发送"); this is the only late entry.
    """

    model_config = _FROZEN
    sent_on: AwareDatetime  # the postmark or e-mail time
    channel: str  # POST (邮寄) or EMAIL (电子邮件)
    evidence_attachment_id: str  # the attached postmark scan or sending record
    recorded_by: str  # the ministry user who recorded it


class EligibilitySnapshot(BaseModel):
    """The engine's whole input. ``evaluated_at`` is the engine's "now": the engine reads no clock."""

    model_config = _FROZEN
    application: ApplicationFacts
    programme: ProgrammeFacts
    applicant: OrganisationFacts | None
    implementer: OrganisationFacts | None
    pilot_object: PilotObjectFacts | None
    findings: tuple[FindingFacts, ...] = ()
    quota: QuotaFacts
    submitted_at: AwareDatetime
    evaluated_at: AwareDatetime
    late_entry: LateEntryFacts | None = None  # a package recorded as sent on time but entered after the deadline
    registry_position: int | str
    dry_run: bool = False

    @model_validator(mode="after")
    def _facts_belong_together(self) -> EligibilitySnapshot:
        """Facts about another application, programme or object are an assembly bug, not an unknown."""
        app = self.application
        if app.programme_id != self.programme.programme_id:
            raise ValueError(f"programme {self.programme.programme_id} is not the application's {app.programme_id}")
        if self.applicant is not None and self.applicant.id != app.applicant_organisation_id:
            raise ValueError(f"applicant facts are for {self.applicant.id}, not {app.applicant_organisation_id}")
        if self.implementer is not None and self.implementer.id != app.implementer_organisation_id:
            raise ValueError(f"implementer facts are for {self.implementer.id}, not {app.implementer_organisation_id}")
        if self.pilot_object is not None and self.pilot_object.id != app.pilot_object_id:
            raise ValueError(f"pilot-object facts are for {self.pilot_object.id}, not {app.pilot_object_id}")
        return self
