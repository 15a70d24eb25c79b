"""The ranking of one programme, computed from the read models: the one function the ranking API, the exports and
the selection proposal all use.

Ranked: every application in evaluation (eligible, not withdrawn) whose score is COMPLETE, ordered by the
domain's :func:`evaluation.domain.rank` (score, then priority, innovation, submission time). The others are
listed as not ranked, with why.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Text, cast, select
from sqlalchemy.orm import Session

from evaluation.domain import RankedEntry, RankingEntry, rank
from evaluation.projections.scores import ScoreState
from evaluation.projections.tables import application_scores, applications
from evaluation.projections.upstream_copy import in_evaluation, submitted_at


@dataclass(frozen=True)
class RankedApplication:
    ranked: RankedEntry
    application: Mapping[str, Any]  # APPLICATION_COLUMNS of the row of ev_applications
    score: Mapping[str, Any]  # SCORE_COLUMNS of the row of ev_application_scores


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


#: The columns of ``ev_applications`` and ``ev_application_scores`` a ranking entry carries (what the ranking API,
#: the exports and the selection read of it).
APPLICATION_COLUMNS = (
    "id",
    "programme_id",
    "province",
    "pilot_type",
    "project_name",
    "applicant_organisation_id",
    "submitted_at",
    "priority",
    "priority_reason_zh",
)
SCORE_COLUMNS = (
    "application_id",
    "state",
    "detail",
    "score",
    "spread",
    "innovation_score",
    "criterion_means",
    "pending_moderation",
    "sheet_count",
    "open_sheets",
    "required_sheets",
)

_SCORE_JSON = frozenset({"criterion_means", "pending_moderation"})


class _ScoreRow(Mapping[str, Any]):
    """A score row whose JSON columns are decoded on first read."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        if key in _SCORE_JSON and isinstance(value, str):
            value = self._values[key] = json.loads(value)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


NOT_ASSIGNED = "NOT_ASSIGNED"
NOT_SUBMITTED = "NOT_SUBMITTED"


def current_ranking(session: Session, programme_id: str, pilot_type: str | None = None) -> Ranking:
    """The programme's ranking overall, or of one pilot type (positions restart at 1, as in ``rank_by_type``)."""
    # Only the columns the ranking and its readers use: the JSON columns the ranking never shows (industries,
    # schedule, sheet totals, outliers) are not fetched nor decoded (they were most of its time at 10 k applications).
    # The two JSON columns it shows come as text and are decoded only when read (`_ScoreRow`): the selection
    # proposal never reads them.
    score_columns = [
        (cast(application_scores.c[name], Text) if name in _SCORE_JSON else application_scores.c[name]).label(
            f"score__{name}"
        )
        for name in SCORE_COLUMNS
    ]
    query = (
        select(*(applications.c[name] for name in APPLICATION_COLUMNS), *score_columns)
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
    with _collector_paused():
        return _ranking(session, query, programme_id, pilot_type)


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Building 10 k entries allocates ~100 k objects that all survive, which triggers full collections of the whole
    # process's heap: measured, they cost more than building the entries. The entries hold no cycles (reference
    # counting frees them), so the cyclic collector waits until the ranking is built.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _ranking(session: Session, query: Select[Any], programme_id: str, pilot_type: str | None) -> Ranking:
    rankable: dict[str, tuple[RankingEntry, Mapping[str, Any], Mapping[str, Any]]] = {}
    not_ranked: list[UnrankedApplication] = []
    split = len(APPLICATION_COLUMNS)
    for row in session.execute(query).tuples().all():  # one fetch: per-row fetches cost more than the rows
        application = dict(zip(APPLICATION_COLUMNS, row[:split], strict=True))
        score = _ScoreRow(dict(zip(SCORE_COLUMNS, row[split:], strict=True))) if row[split] is not None else None
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
