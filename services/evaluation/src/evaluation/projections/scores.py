"""Each application's score as its evaluation stands: the read model the ranking is computed from.

Refreshed in the same transaction as whatever changes its inputs: a score sheet of the application (every save of
a sheet, see ``EvaluationService._record``) or the programme's scoring rules (a revision in the registry). The
application's row is locked first, so that two reviewers submitting at once cannot each compute the score
without the other's sheet.

States: COMPLETE (every sheet submitted, at least the programme's reviewers per application, no outlier pending
moderation: ranked); AWAITING_SHEETS; STALE_SHEETS (the application was amended after scoring: the reviewers must
confirm or rescore); PENDING_MODERATION (an outlying total waits for a moderator); RULES_UNKNOWN (the programme's
rules have not arrived); UNSCORABLE (the sheets' criteria disagree, ``detail`` says how).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evaluation.domain import EvaluationRuleViolation, SheetStatus, SubmittedScores, score_application
from evaluation.projections.tables import application_scores, applications, programmes, score_sheets
from pilot_common.contracts.programme import ScoringCriterion, ScoringRules
from pilot_common.read_models import replace_rows


class ScoreState(StrEnum):
    COMPLETE = "COMPLETE"
    AWAITING_SHEETS = "AWAITING_SHEETS"
    STALE_SHEETS = "STALE_SHEETS"
    PENDING_MODERATION = "PENDING_MODERATION"
    RULES_UNKNOWN = "RULES_UNKNOWN"
    UNSCORABLE = "UNSCORABLE"


STATE_TEXT: dict[str, tuple[str, str]] = {
    ScoreState.COMPLETE: ("评审完成", "evaluation complete"),
    ScoreState.AWAITING_SHEETS: ("评分未全部提交", "waiting for score sheets"),
    ScoreState.STALE_SHEETS: ("申报已补正，待专家确认或重新评分", "amended: reviewers must confirm or rescore"),
    ScoreState.PENDING_MODERATION: ("存在偏离评分，待复核", "an outlying score waits for moderation"),
    ScoreState.RULES_UNKNOWN: ("尚未收到批次评分规则", "the programme's scoring rules have not arrived"),
    ScoreState.UNSCORABLE: ("评分表评分项不一致，无法计分", "the sheets' criteria disagree: cannot score"),
}


def lock_applications(session: Session, application_ids: Iterable[str]) -> None:
    """Locks the applications' rows until the transaction ends (in id order: no deadlock between two such locks;
    SQLite has one writer at a time anyway)."""
    ids = sorted(set(application_ids))
    if ids:
        session.execute(
            select(applications.c.id).where(applications.c.id.in_(ids)).order_by(applications.c.id).with_for_update()
        ).all()


def refresh_scores(session: Session, application_ids: Iterable[str], chunk: int = 1000) -> None:
    """Recomputes the score rows of these applications (locking their rows in id order: no deadlock): per chunk of
    applications one read of their programmes, one of their sheets and one upsert of their rows."""
    ids = sorted(set(application_ids))
    rules: dict[str, ScoringRules | None] = {}
    for start in range(0, len(ids), chunk):
        _refresh(session, ids[start : start + chunk], rules)


def refresh_programme_scores(session: Session, programme_id: str) -> None:
    """After the programme's scoring rules changed (threshold, aggregation, reviewers per application)."""
    ids = session.execute(select(applications.c.id).where(applications.c.programme_id == programme_id)).scalars()
    refresh_scores(session, list(ids))


#: A criterion's words for the reader: sheets that differ only in these score alike.
_READING_AIDS = frozenset({"name_zh", "name_en", "guidance_zh", "guidance_en"})


def _scoring_terms(criteria: Sequence[Mapping[str, Any]]) -> list[tuple[tuple[str, Any], ...]]:
    return [tuple(sorted((k, v) for k, v in c.items() if k not in _READING_AIDS)) for c in criteria]


def _sheet_rules(rules: ScoringRules, sheets: Sequence[Mapping[str, Any]]) -> ScoringRules:
    """The programme's rules with the criteria the sheets were opened with (fixed at assignment)."""
    criteria = _scoring_terms(sheets[0]["criteria"])
    for sheet in sheets[1:]:
        if _scoring_terms(sheet["criteria"]) != criteria:
            raise EvaluationRuleViolation(
                ScoreState.UNSCORABLE,
                "各评分表的评分细则不一致",
                f"sheets {sheets[0]['id']} and {sheet['id']} were opened with different criteria",
            )
    return rules.model_copy(update={"criteria": [ScoringCriterion.model_validate(c) for c in sheets[0]["criteria"]]})


def _refresh(session: Session, ids: Sequence[str], rules: dict[str, ScoringRules | None]) -> None:
    programme_of = {
        str(a): str(p)
        for a, p in session.execute(
            select(applications.c.id, applications.c.programme_id)
            .where(applications.c.id.in_(ids))
            .order_by(applications.c.id)
            .with_for_update()
        ).tuples()
        if p is not None
    }
    if not programme_of:
        return
    unknown = sorted(set(programme_of.values()) - rules.keys())
    if unknown:
        query = select(programmes.c.id, programmes.c.rules).where(programmes.c.id.in_(unknown))
        found = {str(p): r for p, r in session.execute(query).tuples()}
        rules.update({p: _scoring_rules(found.get(p)) for p in unknown})
    sheets: dict[str, list[dict[str, Any]]] = {a: [] for a in programme_of}
    for sheet in session.execute(
        select(score_sheets)
        .where(score_sheets.c.application_id.in_(list(programme_of)), score_sheets.c.status != SheetStatus.WITHDRAWN)
        .order_by(score_sheets.c.application_id, score_sheets.c.id)
    ).mappings():
        sheets[str(sheet["application_id"])].append(dict(sheet))
    replace_rows(
        session,
        application_scores,
        [_score(a, p, rules[p], sheets[a]) for a, p in programme_of.items()],
    )


def _scoring_rules(rules_json: Mapping[str, Any] | None) -> ScoringRules | None:
    return None if rules_json is None else ScoringRules.model_validate(rules_json["scoring"])


def check_application_scores(session: Session) -> tuple[int, list[str]]:
    """The auditors' check of this derived read model: every stored score row recomputed from the sheets and the
    rules as they stand, and compared. Returns how many rows were compared and the differences."""
    stored = [dict(r) for r in session.execute(select(application_scores)).mappings()]
    programme_of = dict(session.execute(select(applications.c.id, applications.c.programme_id)).tuples().all())
    differences: list[str] = []
    for found in stored:
        application_id = str(found["application_id"])
        programme_id = programme_of.get(application_id)
        if programme_id is None:
            differences.append(f"{application_scores.name} {application_id}: no such application")
            continue
        expected = score_row(session, application_id, str(programme_id))
        changed = sorted(k for k, v in expected.items() if found.get(k) != v)
        if changed:
            differences.append(f"{application_scores.name} {application_id}: {', '.join(changed)} differ")
    return len(stored), differences


def score_row(session: Session, application_id: str, programme_id: str) -> dict[str, Any]:
    """The application's score row as its sheets and the programme's rules give it now (reads only)."""
    rules_json = session.execute(select(programmes.c.rules).where(programmes.c.id == programme_id)).scalar()
    sheets = [
        dict(r)
        for r in session.execute(
            select(score_sheets)
            .where(score_sheets.c.application_id == application_id, score_sheets.c.status != SheetStatus.WITHDRAWN)
            .order_by(score_sheets.c.id)
        ).mappings()
    ]
    return score_of(application_id, programme_id, rules_json, sheets)


def score_of(
    application_id: str,
    programme_id: str,
    rules_json: Mapping[str, Any] | None,
    sheets: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The score row from the application's live sheets (rows as ``ev_score_sheets`` has them, withdrawn ones left
    out, in id order) and the programme's rules (None: not known): pure, so that a replay from the events computes
    exactly what the read model holds."""
    return _score(application_id, programme_id, _scoring_rules(rules_json), sheets)


def _score(
    application_id: str,
    programme_id: str,
    rules: ScoringRules | None,
    sheets: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    submitted = [s for s in sheets if s["status"] == SheetStatus.SUBMITTED]
    row: dict[str, Any] = {
        "application_id": application_id,
        "programme_id": programme_id,
        "state": ScoreState.AWAITING_SHEETS,
        "detail": None,
        "score": None,
        "spread": None,
        "innovation_score": None,
        "criterion_means": {},
        "totals": {},
        "outliers": [],
        "pending_moderation": [],
        "sheet_count": len(submitted),
        "open_sheets": len(sheets) - len(submitted),
        "required_sheets": 0,
        "aggregation": None,
    }
    if rules is None:
        row["state"] = ScoreState.RULES_UNKNOWN
    else:
        row["required_sheets"] = rules.reviewers_per_application
        row["aggregation"] = str(rules.aggregation)
        if submitted:
            try:
                result = score_application(
                    application_id,
                    [SubmittedScores(str(s["id"]), s["scores"]) for s in submitted],
                    _sheet_rules(rules, submitted),
                    accepted_outliers={str(s["id"]) for s in submitted if s["moderation_accepted"]},
                )
            except EvaluationRuleViolation as problem:
                row["state"] = ScoreState.UNSCORABLE
                row["detail"] = problem.message_en
            else:
                row.update(
                    score=result.score,
                    spread=result.spread,
                    innovation_score=result.innovation_score,
                    criterion_means=dict(result.criterion_means),
                    totals=dict(result.totals),
                    outliers=list(result.outliers),
                    pending_moderation=list(result.pending_moderation),
                )
                if any(s["stale"] for s in sheets):
                    row["state"] = ScoreState.STALE_SHEETS
                elif row["open_sheets"] or result.sheet_count < result.required_sheets:
                    row["state"] = ScoreState.AWAITING_SHEETS
                elif result.pending_moderation:
                    row["state"] = ScoreState.PENDING_MODERATION
                else:
                    row["state"] = ScoreState.COMPLETE
        elif any(s["stale"] for s in sheets):
            row["state"] = ScoreState.STALE_SHEETS
    row["state"] = str(row["state"])
    return row
