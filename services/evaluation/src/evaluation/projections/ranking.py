"""The ranking of one programme, computed from the read models: the one function the ranking API, the exports and
the selection proposal all use.

Ranked: every application in evaluation (eligible, not withdrawn) whose score is COMPLETE, ordered by the
domain's :func:`evaluation.domain.rank` (score, then priority, innovation, submission time). The others are
listed as not ranked, with why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evaluation.domain import RankedEntry, RankingEntry, rank
from evaluation.projections.kept import in_evaluation, submitted_at
from evaluation.projections.scores import ScoreState
from evaluation.projections.tables import application_scores, applications


@dataclass(frozen=True)
class RankedApplication:
    ranked: RankedEntry
    application: Mapping[str, Any]  # the row of ev_applications
    score: Mapping[str, Any]  # the row of ev_application_scores


@dataclass(frozen=True)
class UnrankedApplication:
    application: Mapping[str, Any]
    state: str  # a ScoreState other than COMPLETE, or NOT_ASSIGNED / NOT_SUBMITTED
    score: Mapping[str, Any] | None


@dataclass(frozen=True)
class Ranking:
    programme_id: str
    pilot_type: str | None
    entries: list[RankedApplication]
    not_ranked: list[UnrankedApplication]

    @property
    def ranked_entries(self) -> list[RankedEntry]:
        return [e.ranked for e in self.entries]


NOT_ASSIGNED = "NOT_ASSIGNED"
NOT_SUBMITTED = "NOT_SUBMITTED"


def current_ranking(session: Session, programme_id: str, pilot_type: str | None = None) -> Ranking:
    """The programme's ranking overall, or of one pilot type (positions restart at 1, as in ``rank_by_type``)."""
    score_columns = [c.label(f"score__{c.name}") for c in application_scores.c]
    query = (
        select(applications, *score_columns)
        .join_from(
            applications,
            application_scores,
            application_scores.c.application_id == applications.c.id,
            isouter=True,
        )
        .where(applications.c.programme_id == programme_id, in_evaluation())
        .order_by(applications.c.id)
    )
    if pilot_type is not None:
        query = query.where(applications.c.pilot_type == pilot_type)
    rankable: dict[str, tuple[RankingEntry, Mapping[str, Any], Mapping[str, Any]]] = {}
    not_ranked: list[UnrankedApplication] = []
    application_columns = set(applications.c.keys())
    for row in session.execute(query).mappings():
        application = {k: row[k] for k in application_columns}
        score = (
            {c.name: row[f"score__{c.name}"] for c in application_scores.c}
            if row["score__application_id"] is not None
            else None
        )
        moment = submitted_at(application)
        if score is None:
            not_ranked.append(UnrankedApplication(application, NOT_ASSIGNED, None))
        elif moment is None:
            not_ranked.append(UnrankedApplication(application, NOT_SUBMITTED, score))
        elif score["state"] != ScoreState.COMPLETE:
            not_ranked.append(UnrankedApplication(application, str(score["state"]), score))
        else:
            entry = RankingEntry(
                application_id=str(application["id"]),
                pilot_type=str(application["pilot_type"]),
                province=str(application["province"]),
                score=float(score["score"]),
                priority=bool(application["priority"]),
                innovation_score=float(score["innovation_score"]),
                submitted_at=moment,
            )
            rankable[entry.application_id] = (entry, application, score)
    ranked = rank([entry for entry, _, _ in rankable.values()])
    entries = [RankedApplication(r, rankable[r.application_id][1], rankable[r.application_id][2]) for r in ranked]
    return Ranking(programme_id, pilot_type, entries, not_ranked)
