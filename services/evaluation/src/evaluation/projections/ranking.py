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
from datetime import datetime
from json.scanner import make_scanner
from typing import Any, NamedTuple

from sqlalchemy import Select, Text, cast, select
from sqlalchemy.orm import Session

from evaluation.domain import RankedEntry, RankingEntry, rank
from evaluation.projections.scores import ScoreState
from evaluation.projections.tables import application_scores, applications
from evaluation.projections.upstream_copy import in_evaluation


class RankedApplication(NamedTuple):
    """A ranked entry and its row (a named tuple, as the entry: one per application, thousands a call)."""

    ranked: RankedEntry
    row: tuple[Any, ...]  # APPLICATION_COLUMNS then SCORE_COLUMNS, as fetched

    @property
    def application(self) -> Mapping[str, Any]:
        """The APPLICATION_COLUMNS of the row of ev_applications."""
        return _Columns(self.row, _APPLICATION_AT)

    @property
    def score(self) -> Mapping[str, Any]:
        """The SCORE_COLUMNS of the row of ev_application_scores."""
        return _Columns(self.row, _SCORE_AT)


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
#: the exports and the selection read of it; each column fetched for 10 k rows costs).
APPLICATION_COLUMNS = (
    "id",
    "province",
    "pilot_type",
    "project_name",
    "applicant_organisation_id",
    "submitted_at",
    "priority",
)
SCORE_COLUMNS = (
    "state",  # NOT NULL: None when the application has no score row
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
_APPLICATION_AT = {name: i for i, name in enumerate(APPLICATION_COLUMNS)}
_SCORE_AT = {name: i + len(APPLICATION_COLUMNS) for i, name in enumerate(SCORE_COLUMNS)}
# The C scanner of the standard decoder without `json.loads`'s wrapper (half the time of a small document).
_DECODER: Any = json.JSONDecoder()  # typeshed types the scanner's argument as a scanner (it is duck-typed)
_scan_json = make_scanner(_DECODER)


class _Columns(Mapping[str, Any]):
    """Some columns of a fetched row by name (a view made when asked for, not a dict per table and entry); the JSON
    columns come as text and are decoded when read (the selection proposal never reads them)."""

    __slots__ = ("_at", "_row")

    def __init__(self, row: tuple[Any, ...], at: dict[str, int]) -> None:
        self._row = row
        self._at = at

    def __getitem__(self, key: str) -> Any:
        value = self._row[self._at[key]]
        if key in _SCORE_JSON and isinstance(value, str):
            try:
                decoded, end = _scan_json(value, 0)
                if end == len(value):
                    return decoded
            except StopIteration:
                pass
            return json.loads(value)  # what the scanner alone does not take (e.g. spaces around the document)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)


NOT_ASSIGNED = "NOT_ASSIGNED"
NOT_SUBMITTED = "NOT_SUBMITTED"


def current_ranking(session: Session, programme_id: str, pilot_type: str | None = None) -> Ranking:
    """The programme's ranking overall, or of one pilot type (positions restart at 1, as in ``rank_by_type``)."""
    # Only the columns the ranking and its readers use: the JSON columns the ranking never shows (industries,
    # schedule, sheet totals, outliers) are not fetched nor decoded (they were most of its time at 10 k applications).
    # The two JSON columns it shows come as text and are decoded only when read (`_Columns`): the selection
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
    )
    if pilot_type is not None:
        query = query.where(applications.c.pilot_type == pilot_type)
    with _collector_paused():
        return _ranking(session, query, programme_id, pilot_type)


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Building 10 k entries allocates tens of thousands of objects that all survive, which triggers collections of
    # the older generations, up to the whole process's heap: measured, they cost more than building the entries. The
    # entries hold no cycles (reference counting frees them), so the cyclic collector waits until the ranking is
    # built; then one young collection stops tracking the tuples of plain values (rows, entries), and what stays
    # tracked (a ranked entry and its pair per application) is too little to trigger a full collection by itself.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _ranking(session: Session, query: Select[Any], programme_id: str, pilot_type: str | None) -> Ranking:
    rankable: list[RankingEntry] = []
    rows: dict[str, tuple[Any, ...]] = {}
    not_ranked: list[UnrankedApplication] = []
    a, s = _APPLICATION_AT, _SCORE_AT
    i_id, i_type, i_province, i_priority, i_submitted = (
        a["id"],
        a["pilot_type"],
        a["province"],
        a["priority"],
        a["submitted_at"],
    )
    i_state, i_score, i_innovation = s["state"], s["score"], s["innovation_score"]
    complete = ScoreState.COMPLETE.value
    fromisoformat = datetime.fromisoformat
    # One fetch (per-row fetches cost more than the rows), kept as plain tuples: the collector stops tracking a tuple
    # of plain values, and what survives a ranking decides how often the whole heap is collected (see below).
    for row in map(tuple, session.execute(query).tuples().all()):
        moment = row[i_submitted]
        if row[i_state] is None:
            not_ranked.append(UnrankedApplication(_Columns(row, a), NOT_ASSIGNED, None))
        elif not moment:
            not_ranked.append(UnrankedApplication(_Columns(row, a), NOT_SUBMITTED, _Columns(row, s)))
        elif row[i_state] != complete:
            not_ranked.append(UnrankedApplication(_Columns(row, a), str(row[i_state]), _Columns(row, s)))
        else:
            entry = RankingEntry(
                str(row[i_id]),
                str(row[i_type]),
                str(row[i_province]),
                float(row[i_score]),
                bool(row[i_priority]),
                float(row[i_innovation]),
                fromisoformat(moment),
            )
            rankable.append(entry)
            rows[entry.application_id] = row
    entries = [RankedApplication(r, rows[r.entry.application_id]) for r in rank(rankable)]
    # Not sorted by the database: the ranked entries are ordered by `rank`, the few others here.
    not_ranked.sort(key=lambda n: str(n.application["id"]))
    return Ranking(programme_id, pilot_type, entries, not_ranked)
