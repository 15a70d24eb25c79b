"""Evaluation at scale: the ranking of N applications scored by 3 reviewers each, and the assignment of N × 3.

The evaluation read models are filled in bulk as the consumers and the score refresh leave them (applications
kept from intake's events, each with a COMPLETE score row of 3 sheets; scores spread so that ties happen).

- ranking: product `current_ranking` (what the ranking API, the exports and the selection proposal call) vs raw:
  one SELECT of the columns a ranking orders by, joined, and a Python sort by the same key;
- assignment: product `EvaluationService.assign` (plan and open every score sheet) over N applications in
  evaluation and a pool of reviewers; no raw counterpart, the target is absolute (10 k × 3 under 15 s).
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select
from sqlalchemy.pool import NullPool

from bench.servers import Servers, servers
from evaluation.application import EvaluationService
from evaluation.domain.commands import AssignReviewers, RegisterReviewer
from evaluation.projections import current_ranking
from evaluation.projections.kept import in_evaluation
from evaluation.projections.tables import application_scores, applications, programmes
from pilot_common.contracts.programme import batch_2_2023
from pilot_common.reference import PROVINCIAL_UNITS

CRITERIA = ("FOUNDATION", "TARGETS", "METHOD", "INNOVATION", "PLAN", "OUTCOMES")
SUBMITTED = datetime(2023, 3, 20, 1, 0, tzinfo=UTC)
PROVINCES = [u.code for u in PROVINCIAL_UNITS]


def seed(url: str, size: int, status: str, scored: bool, seed_value: int = 13) -> str:
    """One programme in `status` with `size` eligible applications (and their COMPLETE scores if `scored`)."""
    rnd = random.Random(seed_value)
    programme_id = str(uuid.uuid4())
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            insert(programmes).values(
                id=programme_id,
                code="2023-B2",
                name="第二批清洁生产审核创新试点",
                rules=batch_2_2023().model_dump(mode="json"),
                rules_version=2,
                status=status,
            )
        )
        app_rows: list[dict[str, Any]] = []
        score_rows: list[dict[str, Any]] = []
        for n in range(size):
            app_id = str(uuid.UUID(int=n + 1))
            province = PROVINCES[n % len(PROVINCES)]
            app_rows.append(
                {
                    "id": app_id,
                    "programme_id": programme_id,
                    "province": province,
                    "pilot_type": ("KEY_INDUSTRY", "PARK_CLUSTER", "SIMPLIFIED_ENTERPRISE")[n % 3],
                    "project_name": f"园区清洁生产整体审核创新试点{n}",
                    "applicant_organisation_id": str(uuid.UUID(int=10_000_000 + n)),
                    "implementer_organisation_id": str(uuid.UUID(int=10_000_000 + n)),
                    "pilot_object_id": str(uuid.UUID(int=20_000_000 + n)),
                    "target_industries": ["2614", "3360"],
                    "has_coating_process": False,
                    "key_industries": ["PETROCHEMICAL_CHEMICAL", "ELECTROPLATING"][: 1 + n % 2],
                    "submitted_at": (SUBMITTED + timedelta(seconds=n)).isoformat(),
                    "revision": 1,
                    "intake_status": "IN_EVALUATION",
                    "eligibility_outcome": "ELIGIBLE",
                    "priority": n % 7 == 0,
                    "priority_reason_zh": "批次未覆盖的行业" if n % 7 == 0 else None,
                    "withdrawn": False,
                    "withdrawal_reason": None,
                    "outcome_document_number": None,
                    "approved": None,
                    "intake_version": 14,
                    "milestones": [
                        {"title": "启动", "start": "2023-08-01", "due": "2023-09-30"},
                        {"title": "验收", "start": "2024-05-01", "due": "2024-07-31"},
                    ],
                }
            )
            if scored:
                totals = {str(uuid.uuid4()): float(rnd.randint(70, 95)) for _ in range(3)}
                score = round(sum(totals.values()) / 3, 2)
                score_rows.append(
                    {
                        "application_id": app_id,
                        "programme_id": programme_id,
                        "state": "COMPLETE",
                        "detail": None,
                        "score": score,
                        "spread": max(totals.values()) - min(totals.values()),
                        "innovation_score": float(rnd.randint(10, 20)),
                        "criterion_means": {c: round(rnd.uniform(5, 20), 2) for c in CRITERIA},
                        "totals": totals,
                        "outliers": [],
                        "pending_moderation": [],
                        "sheet_count": 3,
                        "open_sheets": 0,
                        "required_sheets": 3,
                        "aggregation": "MEAN",
                    }
                )
            if len(app_rows) >= 5000 or n == size - 1:
                connection.execute(insert(applications), app_rows)
                if score_rows:
                    connection.execute(insert(application_scores), score_rows)
                app_rows, score_rows = [], []
    engine.dispose()
    return programme_id


def _best_of(times: int, call: Any) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def raw_ranking(engine: Engine, programme_id: str) -> list[Any]:
    query = (
        select(
            applications.c.id,
            applications.c.pilot_type,
            applications.c.province,
            applications.c.priority,
            applications.c.submitted_at,
            application_scores.c.score,
            application_scores.c.innovation_score,
        )
        .join_from(applications, application_scores, application_scores.c.application_id == applications.c.id)
        .where(applications.c.programme_id == programme_id, in_evaluation(), application_scores.c.state == "COMPLETE")
    )
    with engine.connect() as connection:
        rows = list(connection.execute(query))
    return sorted(rows, key=lambda r: (-r.score, not r.priority, -r.innovation_score, r.submitted_at, r.id))


def ranking(env: Servers, size: int) -> dict[str, float]:
    url = env.database(f"ranking{size}")
    from tests.schema import migrated

    migrated("evaluation", url)
    programme_id = seed(url, size, "UNDER_EVALUATION", scored=True)
    service = EvaluationService(url)
    engine = service.datastore.engine
    assert isinstance(engine, Engine)

    def product() -> None:
        with service.reading() as session:
            result = current_ranking(session, programme_id)
        assert len(result.entries) == size
        for e in result.entries:  # what the ranking API reads of each entry besides the ranked fields
            dict(e.score["criterion_means"])

    product_s = _best_of(3, product)
    raw_s = _best_of(3, lambda: raw_ranking(engine, programme_id))
    service.close()
    print(f"ranking {size} applications × 3 reviewers (best of 3)")
    print(
        f"   product current_ranking {product_s * 1000:>8.0f} ms | raw SELECT + sort {raw_s * 1000:>6.0f} ms | "
        f"{product_s / raw_s:.1f}× slower (target ≤ 2×)",
        flush=True,
    )
    return {"ranking_slowdown": product_s / raw_s}


def assignment(env: Servers, size: int, reviewers: int = 90) -> dict[str, float]:
    from tests.schema import migrated

    url = migrated("evaluation", env.database(f"assign{size}"))
    programme_id = seed(url, size, "CLOSED", scored=False)
    service = EvaluationService(url)
    for n in range(reviewers):
        service.handle(
            RegisterReviewer(
                name=f"评审专家{n}",
                organisation_id=str(uuid.UUID(int=30_000_000 + n)),
                province=PROVINCES[n % len(PROVINCES)],
                expertise=["PETROCHEMICAL_CHEMICAL"] if n % 2 else ["ELECTROPLATING"],
                user_id=f"reviewer{n}",
            )
        )
    started = time.perf_counter()
    run = service.handle(AssignReviewers(programme_id=programme_id))
    seconds = time.perf_counter() - started
    service.close()
    sheets = len(run.sheet_ids)
    assert sheets == size * 3, f"{sheets} sheets opened for {size} applications"
    print(
        f"assignment {size} applications × 3 reviewers ({reviewers} in the pool): {seconds:.1f} s, "
        f"{sheets / seconds:.0f} sheets/s (target: 10 k × 3 under 15 s)",
        flush=True,
    )
    return {"assignment_seconds": seconds}


def run(ranking_size: int, assignment_size: int, env: Servers | None = None) -> dict[str, float]:
    env = env or servers()
    out = {}
    if ranking_size:
        out.update(ranking(env, ranking_size))
    if assignment_size:
        out.update(assignment(env, assignment_size))
    return out
