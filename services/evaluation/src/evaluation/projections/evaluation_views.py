"""Rows of the service's own aggregates, written from their state after the events just recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import Table
from sqlalchemy.orm import Session

from evaluation.domain import Reviewer, ScoreSheet, ScoringDeadline, Selection
from evaluation.projections.tables import metadata, reviewers, score_sheets, scoring_deadlines, selections
from pilot_common.read_models import ReadModel, replace_row


def _replace(session: Session, table: Table, row: dict[str, Any]) -> None:
    replace_row(session, table, row)


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if isinstance(moment, datetime) else None


def write_reviewer(r: Reviewer, session: Session) -> None:
    _replace(
        session,
        reviewers,
        {
            "id": str(r.id),
            "name": r.name,
            "organisation_id": r.organisation_id,
            "province": r.province,
            "expertise": list(r.expertise),
            "available": r.available,
            "user_id": r.user_id,
            "version": r.version,
        },
    )


def write_score_sheet(s: ScoreSheet, session: Session) -> None:
    _replace(session, score_sheets, score_sheet_row(s))


def score_sheet_row(s: ScoreSheet) -> dict[str, Any]:
    """The sheet's row of ``ev_score_sheets`` (also what a replay scores an application from)."""
    latest = s.latest_submission if s.submitted else None
    return {
        "id": str(s.id),
        "reviewer_id": s.reviewer_id,
        "application_id": s.application_id,
        "programme_id": s.programme_id,
        "status": str(s.status),
        "scoring_round": s.scoring_round,
        "application_revision": s.application_revision,
        "stale": s.stale,
        "pending_revision": s.pending_revision,
        "stale_reason": s.stale_reason,
        "criteria": [dict(c) for c in s.criteria],
        "scores": dict(s.scores),
        "justifications": dict(s.justifications),
        "weighted_total": s.weighted_total,
        "submitted_total": float(latest["weighted_total"]) if latest else None,
        "submitted_at": _iso(latest["submitted_at"]) if latest else None,
        "submissions": len(s.submissions),
        "rescore_reason": s.rescore_requests[-1]["reason"] if s.rescore_requests else None,
        "moderation_accepted": s.moderation_accepted,
        "conflict_declared": s.conflict_declared,
        "withdrawal_reason": s.withdrawal_reason,
        "version": s.version,
    }


def write_selection(s: Selection, session: Session) -> None:
    publication = s.publication or {}
    _replace(
        session,
        selections,
        {
            "id": str(s.id),
            "programme_id": s.programme_id,
            "status": str(s.status),
            "target_count": s.target_count,
            "type_caps": dict(s.type_caps),
            "province_caps": dict(s.province_caps),
            "default_province_cap": s.default_province_cap,
            "approved": list(s.approved),
            "proposal": to_jsonable_python(s.proposal),
            "inclusions": dict(s.inclusions),
            "exclusions": dict(s.exclusions),
            "sign_offs": to_jsonable_python(s.sign_offs),
            "voided_sign_offs": to_jsonable_python(s.voided_sign_offs),
            "tied_at_cut": s.tied_at_cut,
            "limit_violations": to_jsonable_python(s.limit_violations()) if s.proposals else [],
            "document_number": publication.get("document_number"),
            "published_at": _iso(publication.get("published_at")),
            "version": s.version,
        },
    )


def write_scoring_deadline(d: ScoringDeadline, session: Session) -> None:
    _replace(
        session,
        scoring_deadlines,
        {
            "id": str(d.id),
            "programme_id": d.programme_id,
            "due_date": d.due_date.isoformat(),
            "changes": list(d.changes),
            "version": d.version,
        },
    )


EVALUATION_VIEWS = ReadModel(
    "evaluation-views",
    metadata,
    {
        Reviewer: write_reviewer,
        ScoreSheet: write_score_sheet,
        Selection: write_selection,
        ScoringDeadline: write_scoring_deadline,
    },
)
