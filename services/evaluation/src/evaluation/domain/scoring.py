"""Scores: weighted totals, aggregation over reviewers, spread and outliers (pure functions).

Numbers: a sheet's weighted total is rounded to 6 decimals (to drop binary floating-point noise, so that equal
totals compare equal); an application's published figures (:class:`ApplicationScore`) are rounded to
:data:`SCORE_DECIMALS` = 2 decimals, and the ranking compares those, so two applications equal to 0.01 points
are tied.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from evaluation.domain.errors import ErrorCode, EvaluationRuleViolation
from pilot_common.contracts.programme import Aggregation, ScoringRules

SCORE_DECIMALS = 2
_TOTAL_DECIMALS = 6


class CriterionLike(Protocol):
    """Anything with a criterion's code, maximum points and weight (e.g. the programme's ``ScoringCriterion``)."""

    @property
    def code(self) -> str: ...

    @property
    def max_points(self) -> float: ...

    @property
    def weight(self) -> float: ...


@dataclass(frozen=True)
class Criterion:
    """One scoring criterion as a score sheet keeps it (a copy of the programme's, fixed at assignment)."""

    code: str
    max_points: float
    weight: float
    name_zh: str = ""
    name_en: str = ""
    guidance_zh: str = ""  # what the reviewer should look at: shown, never scored
    guidance_en: str = ""

    @classmethod
    def of(cls, criterion: CriterionLike) -> Criterion:
        return cls(
            code=criterion.code,
            max_points=float(criterion.max_points),
            weight=float(criterion.weight),
            name_zh=str(getattr(criterion, "name_zh", "") or ""),
            name_en=str(getattr(criterion, "name_en", "") or ""),
            guidance_zh=str(getattr(criterion, "guidance_zh", "") or ""),
            guidance_en=str(getattr(criterion, "guidance_en", "") or ""),
        )

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "max_points": self.max_points,
            "weight": self.weight,
        }
        # Only when given: a sheet opened without guidance keeps the shape it always had.
        if self.guidance_zh:
            found["guidance_zh"] = self.guidance_zh
        if self.guidance_en:
            found["guidance_en"] = self.guidance_en
        return found

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Criterion:
        return cls(
            code=str(data["code"]),
            max_points=float(data["max_points"]),
            weight=float(data["weight"]),
            name_zh=str(data.get("name_zh", "")),
            name_en=str(data.get("name_en", "")),
            guidance_zh=str(data.get("guidance_zh", "")),
            guidance_en=str(data.get("guidance_en", "")),
        )


def criteria_of(criteria: Iterable[CriterionLike]) -> list[Criterion]:
    """Checked copies: at least one, unique codes, positive finite maximum and weight."""
    result = [Criterion.of(c) for c in criteria]
    if not result:
        raise EvaluationRuleViolation(ErrorCode.NO_CRITERIA, "评分细则为空", "no scoring criteria", "criteria")
    seen: set[str] = set()
    for c in result:
        if not c.code.strip():
            raise EvaluationRuleViolation(
                ErrorCode.INVALID_CRITERION, "评分项代码不能为空", "criterion code must not be blank", "criteria"
            )
        if c.code in seen:
            raise EvaluationRuleViolation(
                ErrorCode.DUPLICATE_CRITERION, f"评分项重复：{c.code}", f"duplicate criterion {c.code}", "criteria"
            )
        seen.add(c.code)
        if not (math.isfinite(c.max_points) and c.max_points > 0 and math.isfinite(c.weight) and c.weight > 0):
            raise EvaluationRuleViolation(
                ErrorCode.INVALID_CRITERION,
                f"评分项 {c.code} 的满分和权重必须为正数",
                f"criterion {c.code} needs a positive maximum and weight",
                "criteria",
            )
    return result


def _check_codes(given: Collection[str], criteria: Sequence[CriterionLike], field: str) -> None:
    codes = [c.code for c in criteria]
    unknown = sorted(set(given) - set(codes))
    if unknown:
        raise EvaluationRuleViolation(
            ErrorCode.UNKNOWN_CRITERION,
            f"不是本批次的评分项：{', '.join(unknown)}",
            f"not criteria of this programme: {', '.join(unknown)}",
            f"{field}.{unknown[0]}",
        )
    missing = [c for c in codes if c not in given]
    if missing:
        raise EvaluationRuleViolation(
            ErrorCode.SCORE_MISSING,
            f"评分项未打分：{', '.join(missing)}",
            f"criteria without a score: {', '.join(missing)}",
            f"{field}.{missing[0]}",
        )


def validate_scores(
    scores: Mapping[str, float], justifications: Mapping[str, str], criteria: Sequence[CriterionLike]
) -> tuple[dict[str, float], dict[str, str]]:
    """Every criterion, and only those, has a score within [0, max] and a non-blank justification.

    Returns the scores as floats and the justifications stripped, in criterion order. Raises on the first problem
    in criterion order (SCORE_MISSING / UNKNOWN_CRITERION / SCORE_OUT_OF_RANGE / JUSTIFICATION_REQUIRED).
    """
    _check_codes(scores.keys(), criteria, "scores")
    clean_scores: dict[str, float] = {}
    clean_reasons: dict[str, str] = {}
    unknown_reasons = sorted(set(justifications) - {c.code for c in criteria})
    if unknown_reasons:
        raise EvaluationRuleViolation(
            ErrorCode.UNKNOWN_CRITERION,
            f"不是本批次的评分项：{', '.join(unknown_reasons)}",
            f"not criteria of this programme: {', '.join(unknown_reasons)}",
            f"justifications.{unknown_reasons[0]}",
        )
    for c in criteria:
        value = scores[c.code]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            ok = False
        else:
            ok = 0 <= value <= c.max_points
        if not ok:
            raise EvaluationRuleViolation(
                ErrorCode.SCORE_OUT_OF_RANGE,
                f"评分项 {c.code} 的得分 {value} 不在 0 至 {c.max_points:g} 分之间",
                f"score {value} for {c.code} is outside 0..{c.max_points:g}",
                f"scores.{c.code}",
            )
        reason = justifications.get(c.code)
        if not isinstance(reason, str) or not reason.strip():
            raise EvaluationRuleViolation(
                ErrorCode.JUSTIFICATION_REQUIRED,
                f"评分项 {c.code} 需要填写评分理由",
                f"criterion {c.code} needs a justification",
                f"justifications.{c.code}",
            )
        clean_scores[c.code] = float(value)
        clean_reasons[c.code] = reason.strip()
    return clean_scores, clean_reasons


def weighted_total(scores: Mapping[str, float], criteria: Sequence[CriterionLike]) -> float:
    """Σ score × weight over the criteria (every criterion must be scored, no others); rounded to 6 decimals."""
    _check_codes(scores.keys(), criteria, "scores")
    return round(math.fsum(float(scores[c.code]) * float(c.weight) for c in criteria), _TOTAL_DECIMALS)


def _require_some(totals: Sequence[float]) -> list[float]:
    values = [float(t) for t in totals]
    if not values:
        raise EvaluationRuleViolation(ErrorCode.NO_SCORES, "没有已提交的评分", "no submitted scores", "totals")
    return values


def aggregate(totals: Sequence[float], method: Aggregation = Aggregation.MEAN) -> float:
    """The application's score from its sheets' totals: arithmetic mean or median (mean of the middle two)."""
    values = _require_some(totals)
    if method is Aggregation.MEDIAN:
        return float(statistics.median(values))
    return math.fsum(values) / len(values)


def spread(totals: Sequence[float]) -> float:
    """The **population** standard deviation of the totals (σ, divides by n, not n − 1): the reviewers of one
    application are the whole set of its scores, not a sample. One total has spread 0."""
    return float(statistics.pstdev(_require_some(totals)))


def outliers(totals_by_sheet: Mapping[str, float], threshold: float) -> list[str]:
    """Sheet ids whose total is **more than** ``threshold`` points from the median of all totals (exactly
    ``threshold`` away is not an outlier), sorted by id."""
    if isinstance(threshold, bool) or not math.isfinite(threshold) or threshold < 0:
        raise EvaluationRuleViolation(
            ErrorCode.INVALID_THRESHOLD, "偏离阈值必须为非负数", "threshold must be non-negative", "threshold"
        )
    if not totals_by_sheet:
        return []
    median = statistics.median(float(t) for t in totals_by_sheet.values())
    return sorted(sheet for sheet, total in totals_by_sheet.items() if abs(float(total) - median) > threshold)


@dataclass(frozen=True)
class SubmittedScores:
    """One submitted sheet's scores, as the read model hands them to :func:`score_application`."""

    sheet_id: str
    scores: Mapping[str, float]


@dataclass(frozen=True)
class ApplicationScore:
    """An application's moderated score (figures rounded to :data:`SCORE_DECIMALS`)."""

    application_id: str
    aggregation: Aggregation
    score: float  # the aggregate of the sheets' weighted totals
    spread: float  # population standard deviation of the totals
    criterion_means: Mapping[str, float]  # mean raw points per criterion, over the sheets
    innovation_criterion: str
    innovation_score: float  # criterion_means[innovation_criterion]: the 特色与创新 tie-break
    sheet_count: int
    required_sheets: int
    totals: Mapping[str, float]  # sheet id -> weighted total
    outliers: tuple[str, ...]  # sheet ids beyond the threshold
    pending_moderation: tuple[str, ...]  # outliers a moderator has neither accepted nor sent back

    @property
    def complete(self) -> bool:
        """Ready to rank: enough sheets and no outlier waiting for moderation."""
        return self.sheet_count >= self.required_sheets and not self.pending_moderation


def score_application(
    application_id: str,
    sheets: Sequence[SubmittedScores],
    rules: ScoringRules,
    accepted_outliers: Collection[str] = frozenset(),
) -> ApplicationScore:
    """Scores one application from its submitted sheets under the programme's scoring rules.

    ``accepted_outliers`` are the sheet ids whose outlying total a moderator accepted (the sheet's
    ``moderation_accepted`` flag); a sent-back sheet is no longer submitted and so not among ``sheets``.
    """
    if not sheets:
        raise EvaluationRuleViolation(
            ErrorCode.NO_SCORES,
            f"申报 {application_id} 没有已提交的评分",
            f"application {application_id} has no scores",
        )
    dupes = sorted(k for k, n in Counter(s.sheet_id for s in sheets).items() if n > 1)
    if dupes:
        raise EvaluationRuleViolation(
            ErrorCode.DUPLICATE_ID, f"评分表重复：{', '.join(dupes)}", f"duplicate sheets: {', '.join(dupes)}", "sheets"
        )
    criteria = rules.criteria
    if rules.innovation_criterion not in {c.code for c in criteria}:
        raise EvaluationRuleViolation(
            ErrorCode.UNKNOWN_CRITERION,
            f"特色与创新评分项 {rules.innovation_criterion} 不在评分细则中",
            f"innovation criterion {rules.innovation_criterion} is not among the criteria",
            "innovation_criterion",
        )
    totals = {s.sheet_id: weighted_total(s.scores, criteria) for s in sheets}
    values = list(totals.values())
    means = {
        c.code: round(math.fsum(float(s.scores[c.code]) for s in sheets) / len(sheets), SCORE_DECIMALS)
        for c in criteria
    }
    found = outliers(totals, rules.outlier_threshold)
    return ApplicationScore(
        application_id=application_id,
        aggregation=rules.aggregation,
        score=round(aggregate(values, rules.aggregation), SCORE_DECIMALS),
        spread=round(spread(values), SCORE_DECIMALS),
        criterion_means=means,
        innovation_criterion=rules.innovation_criterion,
        innovation_score=means[rules.innovation_criterion],
        sheet_count=len(sheets),
        required_sheets=rules.reviewers_per_application,
        totals=totals,
        outliers=tuple(found),
        pending_moderation=tuple(s for s in found if s not in accepted_outliers),
    )
