"""The evaluation service's pure domain: reviewers, assignment, score sheets, scoring, ranking and selection.

No I/O here: the aggregates are eventsourcing aggregates (``AuditedAggregate``) and the rest are pure functions.
Event types on ``evaluation.events`` are ``evaluation.<Aggregate>.<Event>``; :data:`EVENT_TYPES` lists them all.
"""

from __future__ import annotations

from evaluation.domain.assignment import (
    ApplicationToReview,
    Assignment,
    AssignmentPlan,
    IneligibilityReason,
    InvalidExisting,
    Reassignment,
    Shortage,
    ShortageReason,
    assign_reviewers,
    ineligibility,
    is_conflicted,
    reassign,
)
from evaluation.domain.errors import CONFLICT_CODES, ErrorCode, EvaluationRuleViolation
from evaluation.domain.event_types import EVENT_TYPES, EVENTS_BY_AGGREGATE, SERVICE
from evaluation.domain.ranking import DecidedBy, RankedEntry, RankingEntry, rank, rank_by_type
from evaluation.domain.reviewers import Reviewer, ReviewerProfile
from evaluation.domain.score_sheet import ScoreSheet, SheetStatus, score_sheet_id
from evaluation.domain.scoring import (
    SCORE_DECIMALS,
    ApplicationScore,
    Criterion,
    SubmittedScores,
    aggregate,
    outliers,
    score_application,
    spread,
    validate_scores,
    weighted_total,
)
from evaluation.domain.scoring_deadline import ScoringDeadline, scoring_deadline_id
from evaluation.domain.selection import Outcome, Party, ProjectDetails, Selection, SelectionStatus, selection_id

__all__ = [
    "CONFLICT_CODES",
    "EVENTS_BY_AGGREGATE",
    "EVENT_TYPES",
    "SCORE_DECIMALS",
    "SERVICE",
    "ApplicationScore",
    "ApplicationToReview",
    "Assignment",
    "AssignmentPlan",
    "Criterion",
    "DecidedBy",
    "ErrorCode",
    "EvaluationRuleViolation",
    "IneligibilityReason",
    "InvalidExisting",
    "Outcome",
    "Party",
    "ProjectDetails",
    "RankedEntry",
    "RankingEntry",
    "Reassignment",
    "Reviewer",
    "ReviewerProfile",
    "ScoreSheet",
    "ScoringDeadline",
    "Selection",
    "SelectionStatus",
    "SheetStatus",
    "Shortage",
    "ShortageReason",
    "SubmittedScores",
    "aggregate",
    "assign_reviewers",
    "ineligibility",
    "is_conflicted",
    "outliers",
    "rank",
    "rank_by_type",
    "reassign",
    "score_application",
    "score_sheet_id",
    "scoring_deadline_id",
    "selection_id",
    "spread",
    "validate_scores",
    "weighted_total",
]
