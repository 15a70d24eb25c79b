"""Request and response bodies of the evaluation API (pydantic at the edge), with OpenAPI examples."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field

from pilot_common.inputs import MAX_NAME, EdgeModel, Name, PatchModel

_APPLICATION_ID = "6f0c7f0e-3b7a-4d4e-9a51-2f3b1c9d8e70"
_REVIEWER_ID = "a3d5c2b1-7e4f-4a8b-9c0d-1e2f3a4b5c6d"
_CRITERIA_EXAMPLE = {"FOUNDATION": 16, "GOALS": 21, "METHOD": 12, "INNOVATION": 17, "PLAN": 8, "OUTCOMES": 8}


Id = Annotated[str, Field(min_length=1, max_length=64)]
Code = Annotated[str, Field(min_length=1, max_length=32)]
ReasonText = Annotated[str, Field(min_length=1, max_length=MAX_NAME * 5)]
Cap = Annotated[int, Field(ge=0, le=10_000)]
# A criterion's score: finite and bounded; the programme's own range (0..max points) is the domain's rule.
Score = Annotated[float, Field(ge=-1_000, le=1_000, allow_inf_nan=False)]


class Strict(EdgeModel):
    """Request bodies: bounded, no unknown fields (see `pilot_common.inputs`)."""


class Reason(Strict):
    reason: str = Field(
        min_length=1, max_length=MAX_NAME * 5, examples=["与另两位专家评分偏离较大，请复核创新点评分依据"]
    )


# --- reviewers ---------------------------------------------------------------------------------------------------


class ReviewerRegistration(Strict):
    name: Name = Field(examples=["李明"])
    organisation_id: Name = Field(description="The reviewer's organisation", examples=["清华大学环境学院"])
    province: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 code of the affiliation", examples=["110000"])
    expertise: list[Code] = Field(
        default_factory=list, description="Key-industry codes", examples=[["STEEL", "COKING"]]
    )
    available: bool = True
    user_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="The `sub` of the reviewer's bearer tokens",
        examples=["li.ming"],
    )


class ReviewerUpdate(PatchModel):
    """Only the fields sent change; `null` clears only `availability_reason`."""

    clearable = frozenset({"availability_reason"})

    available: bool | None = Field(default=None, examples=[False])
    availability_reason: str | None = Field(default=None, max_length=MAX_NAME * 5, examples=["出国访问至2023年6月"])
    expertise: list[Code] | None = Field(default=None, examples=[["PAPER", "DYEING_PRINTING"]])
    organisation_id: Name | None = None
    province: str | None = Field(default=None, pattern=r"^\d{6}$")


class ReviewerView(BaseModel):
    id: str
    name: str
    organisation_id: str
    province: str
    expertise: list[str]
    available: bool
    user_id: str | None
    version: int


# --- assignment --------------------------------------------------------------------------------------------------


class NewAssignmentView(BaseModel):
    application_id: str
    reviewer_id: str
    sheet_id: str
    matched_expertise: list[str]


class ShortageReasonView(BaseModel):
    code: str = Field(description="SAME_PROVINCE, SAME_ORGANISATION, DECLARED_CONFLICT, UNAVAILABLE, …")
    reviewers: int = Field(description="How many reviewers of the pool this reason excludes")
    message_zh: str
    message_en: str


class ShortageView(BaseModel):
    """An application that could not get enough eligible reviewers: it got none (never a partial assignment)."""

    code: str = Field(default="REVIEWER_SHORTAGE", examples=["REVIEWER_SHORTAGE"])
    application_id: str
    needed: int
    eligible: int
    reasons: list[ShortageReasonView]
    message_zh: str
    message_en: str


class InvalidExistingView(BaseModel):
    application_id: str
    reviewer_id: str
    reason: str


class AssignmentRunView(BaseModel):
    """One run of the automatic assignment. `complete` is false when any application has a shortage."""

    programme_id: str
    reviewers_per_application: int
    applications_considered: int
    complete: bool
    new_assignments: list[NewAssignmentView]
    shortages: list[ShortageView]
    covered: list[str]
    invalid_existing: list[InvalidExistingView]
    loads: dict[str, int]


class AssignedSheetView(BaseModel):
    sheet_id: str
    reviewer_id: str
    reviewer_name: str | None
    status: str
    stale: bool


class ApplicationAssignmentsView(BaseModel):
    application_id: str
    project_name: str
    province: str
    pilot_type: str
    applicant_organisation_id: str
    revision: int
    reviewers_required: int
    missing: int
    sheets: list[AssignedSheetView]


class ReassignmentRequest(Strict):
    from_reviewer_id: Id = Field(examples=[_REVIEWER_ID])
    to_reviewer_id: Id = Field(examples=["c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"])
    reason: ReasonText = Field(examples=["原专家因病无法按期完成评审"])


class ReassignmentView(BaseModel):
    application_id: str
    from_reviewer_id: str
    to_reviewer_id: str
    reason: str
    withdrawn_sheet_id: str
    new_sheet_id: str


# --- applications and programmes as this service keeps them --------------------------------------------------


class ApplicationView(BaseModel):
    id: str
    programme_id: str
    province: str
    pilot_type: str
    project_name: str
    applicant_organisation_id: str
    pilot_object_id: str
    key_industries: list[str]
    submitted_at: str | None
    revision: int
    intake_status: str
    eligibility_outcome: str | None
    priority: bool
    withdrawn: bool
    in_evaluation: bool
    score_state: str | None


class ProgrammeView(BaseModel):
    id: str
    code: str
    name: str
    rules_version: int
    scoring: dict[str, Any]
    status: str | None = Field(default=None, description="the programme's state as the registry last said")


# --- score sheets ------------------------------------------------------------------------------------------------


class ScoresRecording(Strict):
    """A complete set of scores: every criterion of the programme, within 0..max, each with a justification."""

    scores: dict[Code, Score] = Field(max_length=50, examples=[_CRITERIA_EXAMPLE])
    justifications: dict[Code, Annotated[str, Field(max_length=5_000)]] = Field(
        max_length=50,
        examples=[
            {
                "FOUNDATION": "园区已完成两轮强制性审核，基础扎实",
                "GOALS": "目标量化，减排指标明确",
                "METHOD": "技术路线清楚",
                "INNOVATION": "首创园区级集中审核模式",
                "PLAN": "进度安排合理",
                "OUTCOMES": "可复制推广性强",
            }
        ],
    )


class ScoreSheetView(BaseModel):
    id: str
    reviewer_id: str
    application_id: str
    programme_id: str | None
    project_name: str | None
    pilot_type: str | None
    status: str
    scoring_round: int
    application_revision: int
    stale: bool
    pending_revision: int | None
    stale_reason: str | None
    criteria: list[dict[str, Any]]
    scores: dict[str, float]
    justifications: dict[str, str]
    weighted_total: float | None
    submitted_total: float | None
    submitted_at: str | None
    submissions: int
    rescore_reason: str | None
    moderation_accepted: bool
    conflict_declared: bool
    withdrawal_reason: str | None
    outlier: bool | None = Field(
        default=None, description="Staff only: the submitted total is an outlier under the programme's threshold"
    )
    due_date: date | None = Field(
        default=None, description="The programme's scoring due date (评审截止日期, business date); null: not set"
    )
    days_left: int | None = Field(
        default=None, description="Days from business today to the due date (0: due today; negative: past it)"
    )
    overdue: bool = Field(
        default=False, description="Past the due date and not submitted (shown only: scoring is not refused)"
    )
    version: int


# --- the scoring due date ----------------------------------------------------------------------------------------


class ScoringDeadlineIn(Strict):
    due_date: date = Field(description="Business date (the programme's calendar) by which experts should score")
    reason: str | None = Field(
        default=None,
        max_length=MAX_NAME * 5,
        description="Required when changing a due date already set",
        examples=["部分专家申请延期，经司务会同意顺延"],
    )


class ScoringDeadlineChange(BaseModel):
    due_date: date
    previous: date
    reason: str


class ScoringDeadlineView(BaseModel):
    programme_id: str
    due_date: date
    days_left: int = Field(description="Days from business today to the due date (negative: past it)")
    changes: list[ScoringDeadlineChange] = Field(description="Each later change of the due date, with its reason")
    version: int


# --- ranking -----------------------------------------------------------------------------------------------------


class RankingEntryView(BaseModel):
    position: int
    application_id: str
    project_name: str
    province: str
    province_name: str
    pilot_type: str
    applicant_organisation_id: str
    score: float
    spread: float
    innovation_score: float
    criterion_means: dict[str, float]
    priority: bool
    priority_rests_on_assumption: bool = Field(
        default=False, description="The priority tie-break rests on partly assumed earlier-batch coverage"
    )
    submitted_at: str
    sheet_count: int
    tied: bool
    decided_by: str
    why_zh: str
    why_en: str


class NotRankedView(BaseModel):
    application_id: str
    project_name: str
    province: str
    pilot_type: str
    state: str
    state_zh: str
    state_en: str
    sheet_count: int
    open_sheets: int
    required_sheets: int
    pending_moderation: list[str]
    detail: str | None


class RankingView(BaseModel):
    programme_id: str
    pilot_type: str | None
    published: bool
    entries: list[RankingEntryView]
    not_ranked: list[NotRankedView]
    coverage_note_zh: str | None = Field(default=None, description="Set when priority rests on assumed coverage")
    coverage_note_en: str | None = None


# --- selection ---------------------------------------------------------------------------------------------------


class SelectionStart(Strict):
    target_count: int = Field(ge=1, le=10_000, examples=[38])
    type_caps: dict[Code, Cap] = Field(default_factory=dict, examples=[{"REGION_BASIN": 4}])
    province_caps: dict[Code, Cap] = Field(default_factory=dict, examples=[{"320000": 3}])
    default_province_cap: int | None = Field(default=None, ge=0, le=10_000, examples=[2])


class SelectionLimits(Strict):
    """Replaces every cap (omitted: no cap) and optionally the target; voids existing sign-offs."""

    target_count: int | None = Field(default=None, ge=1, le=10_000)
    type_caps: dict[Code, Cap] = Field(default_factory=dict)
    province_caps: dict[Code, Cap] = Field(default_factory=dict)
    default_province_cap: int | None = Field(default=None, ge=0, le=10_000)
    reason: str | None = Field(default=None, max_length=MAX_NAME * 5, examples=["部务会要求各类型均衡"])


class SelectionChoice(Strict):
    application_id: Id = Field(examples=[_APPLICATION_ID])
    reason: str = Field(
        min_length=1, max_length=MAX_NAME * 5, examples=["该项目覆盖第一批未覆盖的化学原料药行业，予以增补"]
    )


class Publication(Strict):
    document_number: Name = Field(examples=["环办科财函〔2023〕261号"])


class SelectionView(BaseModel):
    id: str
    programme_id: str
    status: str
    target_count: int
    type_caps: dict[str, int]
    province_caps: dict[str, int]
    default_province_cap: int | None
    approved: list[str]
    proposal: list[dict[str, Any]]
    inclusions: dict[str, str]
    exclusions: dict[str, str]
    sign_offs: dict[str, Any]
    voided_sign_offs: list[dict[str, Any]]
    tied_at_cut: list[str]
    limit_violations: list[dict[str, Any]]
    document_number: str | None
    published_at: str | None
    version: int
