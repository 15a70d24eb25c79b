"""The ranking (排名) overall and per pilot type, and its exports.

Who sees it: ministry staff and auditors always; reviewers only once the approved list is published (before
that: 403 RANKING_NOT_PUBLISHED, so that no reviewer learns how others scored); nobody else. The exports (with
every reviewer's points) are for staff and auditors only.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import select

from evaluation.api.deps import Evaluation, StaffReader
from evaluation.api.exports import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    detail_table,
    not_ranked_table,
    ranking_table,
    to_csv,
    to_xlsx,
)
from evaluation.api.models import NotRankedView, RankingEntryView, RankingView
from evaluation.application import EvaluationService
from evaluation.domain import SheetStatus
from evaluation.domain.ranking import DecidedBy
from evaluation.projections import current_ranking
from evaluation.projections.scores import STATE_TEXT
from evaluation.projections.tables import application_scores, applications, reviewers, score_sheets
from evaluation.projections.upstream_copy import in_evaluation, programme_row
from pilot_common.auth import Principal, require_roles
from pilot_common.context import Role
from pilot_common.contracts.programme import ScoringCriterion, ScoringRules
from pilot_common.inputs import content_disposition
from pilot_common.problems import forbidden, not_found, problem_responses
from pilot_common.reference import PILOT_TYPES, provincial_unit

router = APIRouter(prefix="/programmes", tags=["ranking 排名"], responses=problem_responses(401, 403, 404, 422))

_NOT_SCORED_TEXT = {
    "NOT_ASSIGNED": ("尚未分配评审专家", "no reviewer assigned yet"),
    "NOT_SUBMITTED": ("申报未提交", "the application was not submitted"),
}

PilotTypeFilter = Annotated[
    str | None, Query(description="Only this pilot type (positions restart at 1)", examples=["PARK_CLUSTER"])
]


def ranking_reader(
    programme_id: UUID,
    principal: Annotated[Principal, Depends(require_roles(Role.MINISTRY, Role.AUDITOR, Role.REVIEWER))],
    service: Evaluation,
) -> Principal:
    if principal.role is Role.REVIEWER and not service.is_published(str(programme_id)):
        raise forbidden(
            "the ranking is visible to reviewers only after the approved list is published",
            code="RANKING_NOT_PUBLISHED",
            title_zh="名单公布前评审专家不能查看排名",
            title_en="The ranking is not published yet",
        )
    return principal


RankingReader = Annotated[Principal, Depends(ranking_reader)]


def _scoring(service: EvaluationService, programme_id: str) -> ScoringRules:
    with service.reading() as session:
        row = programme_row(session, programme_id)
    if row is None:
        raise not_found("programme", programme_id)
    return ScoringRules.model_validate(row["rules"]["scoring"])


def _check_pilot_type(pilot_type: str | None) -> None:
    if pilot_type is not None and pilot_type not in PILOT_TYPES:
        raise not_found("pilot type", pilot_type)


ASSUMED_COVERAGE_ZH = "优先支持依据的此前批次覆盖范围部分为推定，尚未按第一批名单核实"
ASSUMED_COVERAGE_EN = "priority rests on earlier batches' coverage that is partly assumed, not yet checked"


def _coverage_provisional(service: EvaluationService, programme_id: str) -> bool:
    with service.reading() as session:
        row = programme_row(session, programme_id)
    return bool(row and row["rules"].get("coverage_provisional"))


def ranking_view(service: EvaluationService, programme_id: str, pilot_type: str | None) -> RankingView:
    """The ranking as the API shows it (and the exports write it)."""
    _scoring(service, programme_id)
    _check_pilot_type(pilot_type)
    assumed = _coverage_provisional(service, programme_id)
    with service.reading() as session:
        ranking = current_ranking(session, programme_id, pilot_type)
    entries = []
    for e in ranking.entries:
        application, score, ranked = e.application, e.score, e.ranked
        unit = provincial_unit(str(application["province"]))
        entries.append(
            RankingEntryView(
                position=ranked.position,
                application_id=ranked.application_id,
                project_name=str(application["project_name"]),
                province=ranked.province,
                province_name=unit.name if unit else ranked.province,
                pilot_type=ranked.pilot_type,
                applicant_organisation_id=str(application["applicant_organisation_id"]),
                score=ranked.score,
                spread=float(score["spread"]),
                innovation_score=ranked.entry.innovation_score,
                criterion_means=dict(score["criterion_means"]),
                priority=ranked.entry.priority,
                priority_rests_on_assumption=assumed,
                submitted_at=ranked.entry.submitted_at.isoformat(),
                sheet_count=int(score["sheet_count"]),
                tied=ranked.tied,
                decided_by=str(ranked.decided_by),
                why_zh=_with_assumption(ranked.why_zh, "（", "）", assumed and ranked.decided_by is DecidedBy.PRIORITY),
                why_en=_with_assumption(ranked.why_en, " (", ")", assumed and ranked.decided_by is DecidedBy.PRIORITY),
            )
        )
    not_ranked = []
    for n in ranking.not_ranked:
        zh, en = STATE_TEXT.get(n.state) or _NOT_SCORED_TEXT.get(n.state, (n.state, n.state))
        s = n.score or {}
        not_ranked.append(
            NotRankedView(
                application_id=str(n.application["id"]),
                project_name=str(n.application["project_name"]),
                province=str(n.application["province"]),
                pilot_type=str(n.application["pilot_type"]),
                state=n.state,
                state_zh=zh,
                state_en=en,
                sheet_count=int(s.get("sheet_count") or 0),
                open_sheets=int(s.get("open_sheets") or 0),
                required_sheets=int(s.get("required_sheets") or 0),
                pending_moderation=list(s.get("pending_moderation") or []),
                detail=s.get("detail"),
            )
        )
    return RankingView(
        programme_id=programme_id,
        pilot_type=pilot_type,
        published=service.is_published(programme_id),
        entries=entries,
        not_ranked=not_ranked,
        coverage_note_zh=ASSUMED_COVERAGE_ZH if assumed else None,
        coverage_note_en=ASSUMED_COVERAGE_EN if assumed else None,
    )


def _with_assumption(text: str, open_: str, close: str, applies: bool) -> str:
    if not applies:
        return text
    note = ASSUMED_COVERAGE_ZH if open_ == "（" else ASSUMED_COVERAGE_EN
    return f"{text}{open_}{note}{close}"


@router.get("/{programme_id}/ranking", response_model=RankingView)
def get_ranking(
    programme_id: UUID, _: RankingReader, service: Evaluation, pilot_type: PilotTypeFilter = None
) -> RankingView:
    """Applications whose evaluation is complete (every sheet submitted, no outlier pending moderation), by total
    score, then priority (industries and park types not covered by earlier batches), then the 特色与创新 score, then
    the earlier submission; `why_zh`/`why_en` say what decided each place, `tied` marks a tie on everything.
    Applications still being evaluated are listed under `not_ranked` with why."""
    return ranking_view(service, str(programme_id), pilot_type)


def _submitted_sheets(service: EvaluationService, programme_id: str) -> list[dict[str, Any]]:
    with service.reading() as session:
        rows = session.execute(
            select(
                score_sheets,
                applications.c.project_name,
                reviewers.c.name.label("reviewer_name"),
                application_scores.c.outliers,
            )
            .join_from(score_sheets, applications, applications.c.id == score_sheets.c.application_id)
            .join_from(score_sheets, reviewers, reviewers.c.id == score_sheets.c.reviewer_id, isouter=True)
            .join_from(
                score_sheets,
                application_scores,
                application_scores.c.application_id == score_sheets.c.application_id,
                isouter=True,
            )
            .where(
                score_sheets.c.programme_id == programme_id,
                score_sheets.c.status == SheetStatus.SUBMITTED,
                in_evaluation(),
            )
            .order_by(score_sheets.c.application_id, score_sheets.c.reviewer_id)
        ).mappings()
        return [{**r, "outlier": str(r["id"]) in (r["outliers"] or [])} for r in rows]


def _criteria(service: EvaluationService, programme_id: str) -> list[ScoringCriterion]:
    return list(_scoring(service, programme_id).criteria)


def _attachment(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content=content, media_type=media_type, headers={"Content-Disposition": content_disposition(filename)}
    )


@router.get(
    "/{programme_id}/ranking.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "排名、未排名、评分明细 (three worksheets)"}},
)
def ranking_xlsx(
    programme_id: UUID, _: StaffReader, service: Evaluation, pilot_type: PilotTypeFilter = None
) -> Response:
    """The ranking (排名), the applications not ranked yet (未排名) and every submitted sheet (评分明细)."""
    pid = str(programme_id)
    ranking = ranking_view(service, pid, pilot_type)
    criteria = _criteria(service, pid)
    sheets = _submitted_sheets(service, pid)
    if pilot_type is not None:
        ids = {e.application_id for e in ranking.entries} | {n.application_id for n in ranking.not_ranked}
        sheets = [s for s in sheets if s["application_id"] in ids]
    content = to_xlsx([ranking_table(ranking, criteria), not_ranked_table(ranking), detail_table(sheets, criteria)])
    return _attachment(content, XLSX_MEDIA_TYPE, f"ranking-{pid}.xlsx")


@router.get(
    "/{programme_id}/ranking.csv",
    response_class=Response,
    responses={200: {"content": {CSV_MEDIA_TYPE: {}}, "description": "UTF-8 with BOM, Chinese headers"}},
)
def ranking_csv(
    programme_id: UUID, _: StaffReader, service: Evaluation, pilot_type: PilotTypeFilter = None
) -> Response:
    """The ranking with each criterion's mean points (UTF-8 with a BOM for Excel)."""
    pid = str(programme_id)
    table = ranking_table(ranking_view(service, pid, pilot_type), _criteria(service, pid))
    return _attachment(to_csv(table), CSV_MEDIA_TYPE, f"ranking-{pid}.csv")


@router.get(
    "/{programme_id}/score-details.csv",
    response_class=Response,
    responses={200: {"content": {CSV_MEDIA_TYPE: {}}, "description": "UTF-8 with BOM, Chinese headers"}},
)
def score_details_csv(programme_id: UUID, _: StaffReader, service: Evaluation) -> Response:
    """Every submitted sheet of the applications in evaluation: each reviewer's points and weighted total."""
    pid = str(programme_id)
    table = detail_table(_submitted_sheets(service, pid), _criteria(service, pid))
    return _attachment(to_csv(table), CSV_MEDIA_TYPE, f"score-details-{pid}.csv")
