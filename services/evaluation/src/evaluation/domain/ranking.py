"""Ranking applications by score, with the programme's tie-breaks (pure functions).

Order: total score, highest first; on equal score (as given: :class:`ApplicationScore` figures are rounded to
0.01) the tie-breaks, in this order:

1. PRIORITY — an application in an industry or park type not covered by earlier batches (notice 四(一)) first;
2. INNOVATION — the higher 特色与创新 (innovation criterion) score first;
3. SUBMISSION_TIME — the earlier submission first.

Entries equal on all of these still get distinct positions, ordered by application id so that the result is
deterministic, but every member of such a group carries ``tied=True``: the order inside it decided nothing and
the selection must treat it as a tie (e.g. a manual decision with a reason).

Each ranked entry says what decided its place relative to the entry just above it (``decided_by``, ``why_zh``,
``why_en``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from evaluation.domain._checks import require_aware
from evaluation.domain.errors import ErrorCode, EvaluationRuleViolation
from pilot_common.reference import PILOT_TYPES


class RankingEntry(NamedTuple):
    """One application to rank. Entries and ranked entries are named tuples (immutable like the frozen dataclasses
    they were, about three times cheaper to make): a ranking builds one of each per application, thousands a call."""

    application_id: str
    pilot_type: str
    province: str
    score: float
    priority: bool  # industries / park types not covered by earlier batches
    innovation_score: float  # the 特色与创新 criterion's score
    submitted_at: datetime  # timezone-aware


class DecidedBy(StrEnum):
    """What decided an entry's place below its neighbour above."""

    FIRST = "FIRST"  # no neighbour above
    SCORE = "SCORE"
    PRIORITY = "PRIORITY"
    INNOVATION = "INNOVATION"
    SUBMISSION_TIME = "SUBMISSION_TIME"
    TIED = "TIED"  # equal on everything: ordered by application id only


class RankedEntry(NamedTuple):
    entry: RankingEntry
    position: int  # 1-based, distinct
    tied: bool  # equal on score and every tie-break with a neighbour
    decided_by: DecidedBy
    why_zh: str
    why_en: str

    @property
    def application_id(self) -> str:
        return self.entry.application_id

    @property
    def pilot_type(self) -> str:
        return self.entry.pilot_type

    @property
    def province(self) -> str:
        return self.entry.province

    @property
    def score(self) -> float:
        return self.entry.score


def _pts(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


_PRIORITY_ZH = "与上一名总分相同，因优先支持领域排在其后"
_PRIORITY_EN = (
    "Same total score as the entry above, which is in a priority area (industry or park type not covered "
    "by earlier batches) while this one is not"
)
_SUBMISSION_ZH = "与上一名总分、优先支持情况及特色与创新得分均相同，提交时间晚于上一名"
_SUBMISSION_EN = "Same total score, priority and innovation score as the entry above; submitted later"
_TIED_ZH = "与上一名总分、优先支持情况、特色与创新得分及提交时间均相同（并列），仅按申报编号排列"
_TIED_EN = (
    "Equal to the entry above on total score, priority, innovation score and submission time (tied); "
    "ordered by application id only"
)


class _Explainer:
    """What decided an entry's place below the one above, with its reasons. The reasons depend only on the two
    entries' figures, which repeat across a ranking (scores are rounded to 0.01), so each distinct text is built
    once per ranking and shared."""

    def __init__(self) -> None:
        self._texts: dict[tuple[DecidedBy, float, float], tuple[DecidedBy, str, str]] = {}

    def __call__(self, entry: RankingEntry, above: RankingEntry | None) -> tuple[DecidedBy, str, str]:
        if above is None:
            return (
                DecidedBy.FIRST,
                f"总分 {_pts(entry.score)} 最高，排名第一",
                f"Highest total score ({_pts(entry.score)}): ranked first",
            )
        if entry.score != above.score:
            return self._text(DecidedBy.SCORE, entry.score, above.score)
        if entry.priority != above.priority:
            return DecidedBy.PRIORITY, _PRIORITY_ZH, _PRIORITY_EN
        if entry.innovation_score != above.innovation_score:
            return self._text(DecidedBy.INNOVATION, entry.innovation_score, above.innovation_score)
        if entry.submitted_at != above.submitted_at:
            return DecidedBy.SUBMISSION_TIME, _SUBMISSION_ZH, _SUBMISSION_EN
        return DecidedBy.TIED, _TIED_ZH, _TIED_EN

    def _text(self, decided_by: DecidedBy, value: float, above: float) -> tuple[DecidedBy, str, str]:
        key = (decided_by, value, above)
        found = self._texts.get(key)
        if found is None:
            if decided_by is DecidedBy.SCORE:
                found = (
                    decided_by,
                    f"总分 {_pts(value)} 低于上一名（{_pts(above)}）",
                    f"Total score {_pts(value)} is lower than the entry above ({_pts(above)})",
                )
            else:
                found = (
                    decided_by,
                    f"与上一名总分及优先支持情况相同，特色与创新得分 {_pts(value)} 低于上一名（{_pts(above)}）",
                    f"Same total score and priority as the entry above; its innovation score {_pts(value)} "
                    f"is lower ({_pts(above)})",
                )
            self._texts[key] = found
        return found


def rank(entries: Sequence[RankingEntry]) -> list[RankedEntry]:
    """All entries ranked (see the module doc); positions 1..n."""
    if not entries:
        return []
    if len({e.application_id for e in entries}) != len(entries):
        dupes = sorted(k for k, n in Counter(e.application_id for e in entries).items() if n > 1)
        raise EvaluationRuleViolation(
            ErrorCode.DUPLICATE_ID, f"申报重复：{', '.join(dupes)}", f"duplicate applications: {', '.join(dupes)}"
        )
    for e in entries:
        if e.submitted_at.utcoffset() is None:
            require_aware(e.submitted_at, f"submitted_at ({e.application_id})")
    # The order (score, priority, innovation, submission, then id), each key computed once; ids are unique, so the
    # entry itself is never compared.
    keyed = [(-e.score, not e.priority, -e.innovation_score, e.submitted_at, e.application_id, e) for e in entries]
    ordered = [k[5] for k in sorted(keyed)]
    explain = _Explainer()
    reasons = [explain(e, above) for e, above in zip(ordered, [None, *ordered], strict=False)]  # the one above
    # TIED is "equal on every key with the entry above": an entry is tied when it or the entry below is TIED.
    below = [r[0] for r in reasons[1:]]
    below.append(DecidedBy.FIRST)
    return [
        RankedEntry(e, i, decided_by is DecidedBy.TIED or next_by is DecidedBy.TIED, decided_by, why_zh, why_en)
        for i, (e, (decided_by, why_zh, why_en), next_by) in enumerate(zip(ordered, reasons, below, strict=True), 1)
    ]


def rank_by_type(entries: Sequence[RankingEntry]) -> dict[str, list[RankedEntry]]:
    """A separate ranking per pilot type (positions restart at 1), keyed in the notice's order of pilot types
    (1 KEY_INDUSTRY … 4 REGION_BASIN), unknown types after them alphabetically."""
    order = {code: i for i, code in enumerate(PILOT_TYPES.codes)}
    types = sorted({e.pilot_type for e in entries}, key=lambda t: (order.get(t, len(order)), t))
    return {t: rank([e for e in entries if e.pilot_type == t]) for t in types}
