"""Province users keep editing their drafts over HTTP while intake's PostgreSQL goes away and comes back: every
request is answered 200 or 503 SERVICE_UNAVAILABLE (problem+json in Chinese and English, Retry-After), never a 500,
and the store holds each confirmed change exactly once and none twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from application_intake.bootstrap import build_intake
from pilot_common.problems import PROBLEM_MEDIA_TYPE
from tests.outage import database_outage
from tests.services.conftest import AUDITOR, JIANGSU, Deployment, eventually
from tests.services.intake_support import IN_WINDOW, ProvinceSetup, draft, seed_registry_copy

EDITORS = 4


@dataclass(frozen=True)
class Answer:
    application_id: str
    correlation_id: str
    text: str
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


def test_a_database_outage_under_command_requests_answers_503_and_loses_or_doubles_nothing(
    deployment: Deployment,
    start_service: Callable[..., TestClient],
    postgres_server: Any,
) -> None:
    settings = deployment.settings("application-intake", clock_start=IN_WINDOW)
    programme_id, org_id, object_id = seed_registry_copy(settings.database_url)
    intake = start_service(build_intake, settings, deployment.bus)
    jiangsu = ProvinceSetup("320000", org_id, object_id, members=[])
    drafts = [draft(intake, JIANGSU, programme_id, jiangsu) for _ in range(EDITORS)]

    answers: list[Answer] = []
    guard = threading.Lock()
    stop = threading.Event()

    def edit(application_id: str) -> None:
        n = 0
        while not stop.is_set():
            correlation_id = f"edit-{application_id[:8]}-{n}"
            text = f"园区清洁生产基础第{n}版（{application_id[:8]}）"
            response = intake.put(
                f"/applications/{application_id}/foundation",
                json={"text": text},
                headers={**JIANGSU, "X-Correlation-ID": correlation_id},
            )
            body = response.json() if response.content else {}
            answer = Answer(application_id, correlation_id, text, response.status_code, dict(response.headers), body)
            with guard:
                answers.append(answer)
            n += 1

    def answered(since: int, confirmed: bool) -> dict[str, int]:
        """Per draft: its answers since the `since`-th, confirmed (200) or not."""
        with guard:
            recent = answers[since:]
        return {a: sum(1 for x in recent if x.application_id == a and (x.status == 200) == confirmed) for a in drafts}

    editors = [threading.Thread(target=edit, args=(a,)) for a in drafts]
    for thread in editors:
        thread.start()
    try:
        eventually(lambda: min(answered(0, True).values()) >= 2, 60)
        with guard:
            began = len(answers)
        with database_outage(postgres_server, [settings.database_url]):
            # The fault lasts until every editor has met it twice.
            eventually(lambda: min(answered(began, False).values()) >= 2, 60)
        with guard:
            ended = len(answers)
        eventually(lambda: min(answered(ended, True).values()) >= 3, 90)  # and every editor works again
    finally:
        stop.set()
        for thread in editors:
            thread.join(60)

    statuses = {a.status for a in answers}
    assert statuses <= {200, 503}, [(a.status, a.body) for a in answers if a.status not in (200, 503)][:3]
    refused = [a for a in answers if a.status == 503]
    assert refused, "the outage was met"
    for answer in refused:
        assert answer.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
        assert answer.body["code"] == "SERVICE_UNAVAILABLE"
        assert (answer.body["title"], answer.body["title_en"]) == ("服务暂不可用", "Service unavailable")
        assert answer.body["detail_zh"] and answer.body["correlation_id"] == answer.correlation_id
        assert answer.headers["retry-after"] == "5"

    sent = {a.correlation_id: a for a in answers}
    for application_id in drafts:
        history = intake.get(f"/audit/aggregates/{application_id}/history", headers=AUDITOR)
        assert history.status_code == 200, history.text
        recorded = [e for e in history.json() if e["type"].endswith("FoundationUpdated")]
        ids = [e["correlation_id"] for e in recorded]
        assert len(ids) == len(set(ids)), "a change was recorded twice"
        assert set(ids) <= set(sent), "an event that no request asked for"
        confirmed = {a.correlation_id for a in answers if a.application_id == application_id and a.status == 200}
        assert confirmed <= set(ids), "a confirmed change is missing from the store"
        assert all(e["data"]["text"] == sent[e["correlation_id"]].text for e in recorded)
        # What the province reads now is the last change recorded.
        detail = intake.get(f"/applications/{application_id}", headers=JIANGSU).json()
        assert detail["foundation"] == recorded[-1]["data"]["text"]
