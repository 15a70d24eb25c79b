"""The eligibility verdict: one result per rule code, in a fixed order, plus the (non-gating) PRIORITY mark.

A verdict is stored in events, so it converts to and from plain JSON data (:meth:`EligibilityVerdict.to_dict`,
:meth:`EligibilityVerdict.from_dict`) and refuses to be built in an inconsistent state (a missing or repeated
rule code, or an outcome that does not follow from the results).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator, model_validator

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class RuleCode(StrEnum):
    WINDOW = "WINDOW"
    QUOTA = "QUOTA"
    APPLICANT_LEVEL = "APPLICANT_LEVEL"
    SAME_ENTITY = "SAME_ENTITY"
    PROVINCE_MATCH = "PROVINCE_MATCH"
    CLEAN_RECORD = "CLEAN_RECORD"
    TYPE_SCOPE = "TYPE_SCOPE"
    FOUNDATION = "FOUNDATION"
    PLAN = "PLAN"
    PACKAGE = "PACKAGE"


RULE_ORDER: tuple[RuleCode, ...] = tuple(RuleCode)
"""Every gating rule code, in the order a verdict lists them."""

PRIORITY_CODE = "PRIORITY"


class RuleStatus(StrEnum):
    PASS = "PASS"
    WARNING = "WARNING"
    FAIL = "FAIL"


class Outcome(StrEnum):
    ELIGIBLE = "ELIGIBLE"
    ELIGIBLE_WITH_WARNINGS = "ELIGIBLE_WITH_WARNINGS"
    INELIGIBLE = "INELIGIBLE"


def _json_data(value: Any) -> dict[str, Any]:
    """The evidence as plain JSON data (tuples become lists), so that a stored verdict reads back equal."""
    try:
        data = json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"evidence must be JSON data: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError("evidence must be a JSON object")
    return data


class RuleResult(BaseModel):
    model_config = _FROZEN
    code: RuleCode
    status: RuleStatus
    reason_zh: str
    reason_en: str
    evidence: dict[str, Any]

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence_is_json(cls, value: Any) -> dict[str, Any]:
        return _json_data(value)


class PriorityResult(BaseModel):
    """PRIORITY (notice 003 四(一)): not a gate; ranking uses it as the first tie-break."""

    model_config = _FROZEN
    priority: bool
    reason_zh: str
    reason_en: str
    uncovered_industries: tuple[str, ...] = ()  # key-industry codes earlier batches did not cover
    uncovered_park_type: str | None = None  # park-type code earlier batches did not cover
    # The decision rests on earlier batches' coverage that is partly assumed (the reason says so too).
    rests_on_assumption: bool = False
    evidence: dict[str, Any]

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence_is_json(cls, value: Any) -> dict[str, Any]:
        return _json_data(value)


def outcome_of(statuses: Iterable[RuleStatus]) -> Outcome:
    """Any FAIL → INELIGIBLE; otherwise any WARNING → ELIGIBLE_WITH_WARNINGS; otherwise ELIGIBLE."""
    seen = set(statuses)
    if RuleStatus.FAIL in seen:
        return Outcome.INELIGIBLE
    if RuleStatus.WARNING in seen:
        return Outcome.ELIGIBLE_WITH_WARNINGS
    return Outcome.ELIGIBLE


class EligibilityVerdict(BaseModel):
    model_config = _FROZEN
    application_id: str
    programme_id: str
    programme_version: int
    registry_position: int | str  # how far intake had read the registry when it assembled the snapshot
    reference_data_version: str
    submitted_at: AwareDatetime
    evaluated_at: AwareDatetime
    dry_run: bool
    outcome: Outcome
    results: tuple[RuleResult, ...]
    priority: PriorityResult
    subject_line: str | None  # 邮件题目 "2023+项目名称+申报单位名称"; None while the applicant is unknown

    @model_validator(mode="after")
    def _consistent(self) -> EligibilityVerdict:
        codes = tuple(r.code for r in self.results)
        if codes != RULE_ORDER:
            raise ValueError(f"a verdict lists every rule code once, in order {list(RULE_ORDER)}; got {list(codes)}")
        expected = outcome_of(r.status for r in self.results)
        if self.outcome is not expected:
            raise ValueError(f"outcome {self.outcome} does not follow from the results ({expected})")
        return self

    @property
    def eligible(self) -> bool:
        return self.outcome is not Outcome.INELIGIBLE

    def result(self, code: RuleCode | str) -> RuleResult:
        wanted = RuleCode(code)
        return next(r for r in self.results if r.code is wanted)

    def codes_with(self, status: RuleStatus) -> tuple[RuleCode, ...]:
        return tuple(r.code for r in self.results if r.status is status)

    @property
    def failed(self) -> tuple[RuleCode, ...]:
        return self.codes_with(RuleStatus.FAIL)

    @property
    def warned(self) -> tuple[RuleCode, ...]:
        return self.codes_with(RuleStatus.WARNING)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (strings, numbers, booleans, lists, objects) for an event payload."""
        data: dict[str, Any] = self.model_dump(mode="json")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EligibilityVerdict:
        return cls.model_validate(data)
