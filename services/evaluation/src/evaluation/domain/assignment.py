"""Assigning expert reviewers to applications, with the conflict-of-interest rules (pure functions).

Rules (DESIGN: evaluation): a reviewer never scores an application from their own provincial unit or their own
organisation, nor one for which they declared a conflict; only available reviewers get new assignments; one
reviewer at most once per application. :func:`is_conflicted` is the one place the conflict rules live.

Choice among eligible reviewers, for each application:

1. fewest assignments first (load, counting the ``existing`` ones), so the load stays balanced;
2. then most matching expertise (reviewer expertise ∩ the application's key industries);
3. then reviewer id (a deterministic tie-break: the same input always gives the same plan).

Applications are served most-constrained first (fewest eligible reviewers, then application id), so that the
scarce reviewers go where they are needed. An application that cannot get enough eligible reviewers gets no new
assignment at all and a :class:`Shortage` entry instead: never a partial assignment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from evaluation.domain._checks import provincial_unit_code
from evaluation.domain.errors import ErrorCode, EvaluationRuleViolation, require_reason
from evaluation.domain.reviewers import ReviewerProfile

ReviewerId = str
ApplicationId = str
Conflicts = Collection[tuple[ReviewerId, ApplicationId]]


@dataclass(frozen=True)
class ApplicationToReview:
    """What the assignment rules need to know about a submitted application."""

    application_id: str
    province: str  # six-digit code of the recommending provincial unit
    organisation_id: str  # the applicant (= implementer, rule SAME_ENTITY)
    key_industries: frozenset[str] = frozenset()
    pilot_type: str | None = None


class IneligibilityReason(StrEnum):
    """Why a reviewer may not take (another) assignment on an application."""

    UNAVAILABLE = "UNAVAILABLE"
    DECLARED_CONFLICT = "DECLARED_CONFLICT"
    SAME_ORGANISATION = "SAME_ORGANISATION"
    SAME_PROVINCE = "SAME_PROVINCE"
    ALREADY_ASSIGNED = "ALREADY_ASSIGNED"
    POOL_TOO_SMALL = "POOL_TOO_SMALL"  # shortage only: not enough reviewers at all

    @property
    def message_zh(self) -> str:
        return _REASON_TEXT[self][0]

    @property
    def message_en(self) -> str:
        return _REASON_TEXT[self][1]


_REASON_TEXT: dict[IneligibilityReason, tuple[str, str]] = {
    IneligibilityReason.UNAVAILABLE: ("专家当前不可用", "the reviewer is not available"),
    IneligibilityReason.DECLARED_CONFLICT: ("专家已声明利益冲突", "the reviewer declared a conflict of interest"),
    IneligibilityReason.SAME_ORGANISATION: ("专家与申报单位为同一单位", "the reviewer works for the applicant"),
    IneligibilityReason.SAME_PROVINCE: ("专家与申报单位属同一省份", "the reviewer is from the applicant's province"),
    IneligibilityReason.ALREADY_ASSIGNED: ("专家已分配到该申报", "the reviewer is already assigned to it"),
    IneligibilityReason.POOL_TOO_SMALL: ("专家库人数不足", "the reviewer pool is too small"),
}


def is_conflicted(
    reviewer: ReviewerProfile, application: ApplicationToReview, conflicts: Conflicts = frozenset()
) -> IneligibilityReason | None:
    """The conflict of interest between this reviewer and application, if any (the first that applies of
    DECLARED_CONFLICT, SAME_ORGANISATION, SAME_PROVINCE). Availability is not a conflict; see
    :func:`ineligibility`."""
    if (reviewer.reviewer_id, application.application_id) in conflicts:
        return IneligibilityReason.DECLARED_CONFLICT
    if reviewer.organisation_id.strip() == application.organisation_id.strip():
        return IneligibilityReason.SAME_ORGANISATION
    if provincial_unit_code(reviewer.province) == provincial_unit_code(application.province):
        return IneligibilityReason.SAME_PROVINCE
    return None


def ineligibility(
    reviewer: ReviewerProfile,
    application: ApplicationToReview,
    conflicts: Conflicts = frozenset(),
    assigned: Collection[ReviewerId] = frozenset(),
) -> IneligibilityReason | None:
    """Why this reviewer may not be newly assigned to this application, or None when they may."""
    if reviewer.reviewer_id in assigned:
        return IneligibilityReason.ALREADY_ASSIGNED
    if not reviewer.available:
        return IneligibilityReason.UNAVAILABLE
    return is_conflicted(reviewer, application, conflicts)


@dataclass(frozen=True)
class Assignment:
    application_id: str
    reviewer_id: str
    matched_expertise: tuple[str, ...]  # reviewer expertise ∩ application key industries, sorted


@dataclass(frozen=True)
class ShortageReason:
    code: IneligibilityReason
    reviewers: int  # how many reviewers of the pool this reason excludes (for POOL_TOO_SMALL: how many are missing)
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class Shortage:
    """An application that could not get enough reviewers; it got no new assignment."""

    application_id: str
    needed: int  # new reviewers it still needs
    eligible: int  # eligible reviewers found (fewer than needed)
    reasons: tuple[ShortageReason, ...]  # why the rest of the pool is excluded, most frequent first

    @property
    def message_zh(self) -> str:
        detail = "；".join(f"{r.message_zh} {r.reviewers} 人" for r in self.reasons)
        return f"申报 {self.application_id} 还需 {self.needed} 名评审专家，仅 {self.eligible} 名符合条件（{detail}）"

    @property
    def message_en(self) -> str:
        detail = "; ".join(f"{r.message_en}: {r.reviewers}" for r in self.reasons)
        return (
            f"application {self.application_id} needs {self.needed} more reviewers, "
            f"only {self.eligible} are eligible ({detail})"
        )


@dataclass(frozen=True)
class InvalidExisting:
    """An existing assignment that now breaks a conflict rule (e.g. a conflict declared since): not counted."""

    application_id: str
    reviewer_id: str
    reason: IneligibilityReason


@dataclass(frozen=True)
class AssignmentPlan:
    new_assignments: tuple[Assignment, ...]  # in the order they were made
    shortages: tuple[Shortage, ...]  # ordered by application id
    loads: Mapping[str, int]  # reviewer id -> assignments after the plan (existing + new), every pool reviewer
    covered: tuple[str, ...]  # applications that have all their reviewers after the plan, by application id
    invalid_existing: tuple[InvalidExisting, ...] = field(default=())

    @property
    def assignments(self) -> dict[str, tuple[str, ...]]:
        """Application id -> the new reviewer ids (covered applications only; empty when none were needed)."""
        result: dict[str, tuple[str, ...]] = {app: () for app in self.covered}
        for a in self.new_assignments:
            result[a.application_id] = (*result[a.application_id], a.reviewer_id)
        return result

    def shortage_for(self, application_id: str) -> Shortage | None:
        return next((s for s in self.shortages if s.application_id == application_id), None)


def _unique(ids: Sequence[str], what: str) -> None:
    dupes = sorted(k for k, n in Counter(ids).items() if n > 1)
    if dupes:
        raise EvaluationRuleViolation(
            ErrorCode.DUPLICATE_ID, f"{what}编号重复：{', '.join(dupes)}", f"duplicate {what} ids: {', '.join(dupes)}"
        )


def assign_reviewers(
    applications: Sequence[ApplicationToReview],
    reviewers: Sequence[ReviewerProfile],
    per_application: int,
    existing: Mapping[ApplicationId, Collection[ReviewerId]] | None = None,
    conflicts: Conflicts = frozenset(),
) -> AssignmentPlan:
    """Plans new assignments so that every application has ``per_application`` reviewers (see module doc).

    ``existing`` maps an application id to the reviewers already assigned to it (any application, in this call or
    not: they all count toward the reviewers' load); existing reviewers of an application count toward its
    ``per_application`` unless they now break a conflict rule (listed in ``invalid_existing``).
    ``conflicts`` holds the declared (reviewer id, application id) conflicts.
    """
    if isinstance(per_application, bool) or not isinstance(per_application, int) or per_application < 1:
        raise EvaluationRuleViolation(
            ErrorCode.INVALID_COUNT,
            "每个申报的评审专家人数至少为 1",
            "reviewers per application must be at least 1",
            "per_application",
        )
    _unique([a.application_id for a in applications], "申报/application")
    _unique([r.reviewer_id for r in reviewers], "专家/reviewer")
    existing = existing or {}
    conflict_set = frozenset(conflicts)
    pool = {r.reviewer_id: r for r in reviewers}
    load: Counter[str] = Counter({r.reviewer_id: 0 for r in reviewers})
    for assigned in existing.values():
        for reviewer_id in set(assigned):
            if reviewer_id in pool:
                load[reviewer_id] += 1

    invalid: list[InvalidExisting] = []
    needs: dict[str, int] = {}
    assigned_to: dict[str, frozenset[str]] = {}
    eligible: dict[str, list[ReviewerProfile]] = {}
    for app in applications:
        already = frozenset(existing.get(app.application_id, ()))
        valid = 0
        for reviewer_id in sorted(already):
            profile = pool.get(reviewer_id)
            reason = is_conflicted(profile, app, conflict_set) if profile is not None else None
            if reason is None:
                valid += 1
            else:
                invalid.append(InvalidExisting(app.application_id, reviewer_id, reason))
        needs[app.application_id] = max(0, per_application - valid)
        assigned_to[app.application_id] = already
        eligible[app.application_id] = [r for r in reviewers if ineligibility(r, app, conflict_set, already) is None]

    new: list[Assignment] = []
    shortages: list[Shortage] = []
    covered: list[str] = []
    order = sorted(applications, key=lambda a: (len(eligible[a.application_id]), a.application_id))
    for app in order:
        needed = needs[app.application_id]
        candidates = eligible[app.application_id]
        if len(candidates) < needed:
            shortages.append(_shortage(app, needed, reviewers, conflict_set, assigned_to[app.application_id]))
            continue
        ranked = sorted(
            candidates,
            key=lambda r: (load[r.reviewer_id], -len(r.expertise & app.key_industries), r.reviewer_id),
        )
        for reviewer in ranked[:needed]:
            load[reviewer.reviewer_id] += 1
            new.append(
                Assignment(
                    app.application_id, reviewer.reviewer_id, tuple(sorted(reviewer.expertise & app.key_industries))
                )
            )
        covered.append(app.application_id)
    return AssignmentPlan(
        new_assignments=tuple(new),
        shortages=tuple(sorted(shortages, key=lambda s: s.application_id)),
        loads=dict(sorted(load.items())),
        covered=tuple(sorted(covered)),
        invalid_existing=tuple(sorted(invalid, key=lambda i: (i.application_id, i.reviewer_id))),
    )


def _shortage(
    app: ApplicationToReview,
    needed: int,
    reviewers: Sequence[ReviewerProfile],
    conflicts: frozenset[tuple[str, str]],
    assigned: frozenset[str],
) -> Shortage:
    excluded: Counter[IneligibilityReason] = Counter()
    eligible = 0
    for reviewer in reviewers:
        reason = ineligibility(reviewer, app, conflicts, assigned)
        if reason is None:
            eligible += 1
        else:
            excluded[reason] += 1
    missing = needed - eligible
    if not excluded:
        excluded[IneligibilityReason.POOL_TOO_SMALL] = missing
    reasons = tuple(
        ShortageReason(code, count, code.message_zh, code.message_en)
        for code, count in sorted(excluded.items(), key=lambda kv: (-kv[1], kv[0].value))
    )
    return Shortage(app.application_id, needed, eligible, reasons)


@dataclass(frozen=True)
class Reassignment:
    application_id: str
    from_reviewer_id: str
    to_reviewer_id: str
    reason: str


def reassign(
    application: ApplicationToReview,
    from_reviewer_id: str,
    to_reviewer: ReviewerProfile,
    reason: str,
    current: Collection[ReviewerId],
    conflicts: Conflicts = frozenset(),
) -> Reassignment:
    """A manual reassignment by ministry staff: checks the same rules as :func:`assign_reviewers`.

    ``current`` are the reviewers assigned to the application now (``from_reviewer_id`` among them). The caller
    withdraws the old reviewer's score sheet and opens one for the new reviewer.
    """
    why = require_reason(reason)
    if from_reviewer_id not in current:
        raise EvaluationRuleViolation(
            ErrorCode.REVIEWER_NOT_ASSIGNED,
            f"专家 {from_reviewer_id} 未分配到申报 {application.application_id}",
            f"reviewer {from_reviewer_id} is not assigned to application {application.application_id}",
            "from_reviewer_id",
        )
    problem = ineligibility(to_reviewer, application, conflicts, current)
    if problem is not None:
        code = {
            IneligibilityReason.ALREADY_ASSIGNED: ErrorCode.REVIEWER_ALREADY_ASSIGNED,
            IneligibilityReason.UNAVAILABLE: ErrorCode.REVIEWER_UNAVAILABLE,
        }.get(problem, ErrorCode.REVIEWER_CONFLICTED)
        raise EvaluationRuleViolation(
            code,
            f"不能改派给专家 {to_reviewer.reviewer_id}：{problem.message_zh}（{problem.value}）",
            f"cannot reassign to reviewer {to_reviewer.reviewer_id}: {problem.message_en} ({problem.value})",
            "to_reviewer_id",
        )
    return Reassignment(application.application_id, from_reviewer_id, to_reviewer.reviewer_id, why)
