"""Domain errors of the evaluation service: one exception type with a stable, machine-readable code.

:class:`EvaluationRuleViolation` is a :class:`pilot_common.violations.DomainRuleViolation`, which the web layer maps to
a problem+json response (the code is the rule code, ``field`` the offending input field). Codes are a published
contract: add new ones, never rename.
"""

from __future__ import annotations

from enum import StrEnum

from pilot_common.violations import DomainRuleViolation


class ErrorCode(StrEnum):
    """Every code an :class:`EvaluationRuleViolation` can carry."""

    # input shape
    BLANK_FIELD = "BLANK_FIELD"
    REASON_REQUIRED = "REASON_REQUIRED"
    INVALID_PROVINCE = "INVALID_PROVINCE"
    UNKNOWN_INDUSTRY = "UNKNOWN_INDUSTRY"
    UNKNOWN_PILOT_TYPE = "UNKNOWN_PILOT_TYPE"
    INVALID_COUNT = "INVALID_COUNT"
    DUPLICATE_ID = "DUPLICATE_ID"
    NAIVE_TIMESTAMP = "NAIVE_TIMESTAMP"
    # reviewer assignment
    REVIEWER_UNAVAILABLE = "REVIEWER_UNAVAILABLE"
    REVIEWER_CONFLICTED = "REVIEWER_CONFLICTED"
    REVIEWER_ALREADY_ASSIGNED = "REVIEWER_ALREADY_ASSIGNED"
    REVIEWER_NOT_ASSIGNED = "REVIEWER_NOT_ASSIGNED"
    # scoring criteria and score sheets
    NO_CRITERIA = "NO_CRITERIA"
    DUPLICATE_CRITERION = "DUPLICATE_CRITERION"
    INVALID_CRITERION = "INVALID_CRITERION"
    UNKNOWN_CRITERION = "UNKNOWN_CRITERION"
    SCORE_MISSING = "SCORE_MISSING"
    SCORE_OUT_OF_RANGE = "SCORE_OUT_OF_RANGE"
    JUSTIFICATION_REQUIRED = "JUSTIFICATION_REQUIRED"
    INVALID_REVISION = "INVALID_REVISION"
    SHEET_SUBMITTED = "SHEET_SUBMITTED"
    SHEET_NOT_SUBMITTED = "SHEET_NOT_SUBMITTED"
    SHEET_WITHDRAWN = "SHEET_WITHDRAWN"
    SHEET_INCOMPLETE = "SHEET_INCOMPLETE"
    SHEET_STALE = "SHEET_STALE"
    SHEET_NOT_STALE = "SHEET_NOT_STALE"
    NO_SCORES = "NO_SCORES"
    INVALID_THRESHOLD = "INVALID_THRESHOLD"
    # selection
    NOT_A_CANDIDATE = "NOT_A_CANDIDATE"
    ALREADY_SELECTED = "ALREADY_SELECTED"
    NOT_SELECTED = "NOT_SELECTED"
    TARGET_REACHED = "TARGET_REACHED"
    TYPE_CAP_REACHED = "TYPE_CAP_REACHED"
    PROVINCE_CAP_REACHED = "PROVINCE_CAP_REACHED"
    SELECTION_VIOLATES_LIMITS = "SELECTION_VIOLATES_LIMITS"
    NOTHING_PROPOSED = "NOTHING_PROPOSED"
    UNKNOWN_PARTY = "UNKNOWN_PARTY"
    ALREADY_SIGNED = "ALREADY_SIGNED"
    SIGN_OFF_MISSING = "SIGN_OFF_MISSING"
    SELECTION_PUBLISHED = "SELECTION_PUBLISHED"
    PROJECT_DETAILS_MISSING = "PROJECT_DETAILS_MISSING"
    # the service around the domain (state it keeps from other services' events, identities)
    NOT_FOUND = "NOT_FOUND"
    PROGRAMME_RULES_UNKNOWN = "PROGRAMME_RULES_UNKNOWN"
    APPLICATION_NOT_IN_EVALUATION = "APPLICATION_NOT_IN_EVALUATION"
    REVIEWER_WITHDRAWN_FROM_APPLICATION = "REVIEWER_WITHDRAWN_FROM_APPLICATION"
    DUPLICATE_USER_ID = "DUPLICATE_USER_ID"
    SELECTION_EXISTS = "SELECTION_EXISTS"
    NOTHING_TO_CHANGE = "NOTHING_TO_CHANGE"
    # the scoring due date
    DUE_DATE_PAST = "DUE_DATE_PAST"


#: Codes that mean "not in this state" rather than "bad input": HTTP 409 (all others 422).
CONFLICT_CODES: frozenset[str] = frozenset(
    {
        ErrorCode.REVIEWER_UNAVAILABLE,
        ErrorCode.REVIEWER_CONFLICTED,
        ErrorCode.REVIEWER_ALREADY_ASSIGNED,
        ErrorCode.REVIEWER_NOT_ASSIGNED,
        ErrorCode.SHEET_SUBMITTED,
        ErrorCode.SHEET_NOT_SUBMITTED,
        ErrorCode.SHEET_WITHDRAWN,
        ErrorCode.SHEET_INCOMPLETE,
        ErrorCode.SHEET_STALE,
        ErrorCode.SHEET_NOT_STALE,
        ErrorCode.NO_SCORES,
        ErrorCode.NOT_A_CANDIDATE,
        ErrorCode.ALREADY_SELECTED,
        ErrorCode.NOT_SELECTED,
        ErrorCode.TARGET_REACHED,
        ErrorCode.TYPE_CAP_REACHED,
        ErrorCode.PROVINCE_CAP_REACHED,
        ErrorCode.SELECTION_VIOLATES_LIMITS,
        ErrorCode.NOTHING_PROPOSED,
        ErrorCode.ALREADY_SIGNED,
        ErrorCode.SIGN_OFF_MISSING,
        ErrorCode.SELECTION_PUBLISHED,
        ErrorCode.PROJECT_DETAILS_MISSING,
        ErrorCode.PROGRAMME_RULES_UNKNOWN,
        ErrorCode.APPLICATION_NOT_IN_EVALUATION,
        ErrorCode.REVIEWER_WITHDRAWN_FROM_APPLICATION,
        ErrorCode.DUPLICATE_USER_ID,
        ErrorCode.SELECTION_EXISTS,
    }
)


class EvaluationRuleViolation(DomainRuleViolation):
    """A command broke an evaluation rule; nothing was changed (no event pending, state as before).

    A :class:`pilot_common.violations.DomainRuleViolation` of kind NOT_FOUND for NOT_FOUND, CONFLICT for the
    :data:`CONFLICT_CODES`, INVALID otherwise; the edge maps kinds to HTTP statuses."""

    conflict_codes = frozenset(str(c) for c in CONFLICT_CODES)

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en, "field": self.field}


def require_text(value: str, field: str, *, code: str = ErrorCode.BLANK_FIELD, label_zh: str | None = None) -> str:
    """The value stripped; raises when it is blank."""
    if not isinstance(value, str) or not value.strip():
        raise EvaluationRuleViolation(code, f"{label_zh or field}不能为空", f"{field} must not be blank", field)
    return value.strip()


def require_reason(reason: str, field: str = "reason") -> str:
    return require_text(reason, field, code=ErrorCode.REASON_REQUIRED, label_zh="理由")
