"""The evaluation service's read models: its own aggregates (reviewers, score sheets, selections), what it keeps
from the registry and intake (programmes, applications), each application's score, and the ranking computed from
them."""

from evaluation.projections.evaluation_views import EVALUATION_VIEWS
from evaluation.projections.ranking import Ranking, current_ranking
from evaluation.projections.scores import ScoreState, refresh_programme_scores, refresh_scores

__all__ = [
    "EVALUATION_VIEWS",
    "Ranking",
    "ScoreState",
    "current_ranking",
    "refresh_programme_scores",
    "refresh_scores",
]
