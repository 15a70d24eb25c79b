"""Replaying one application's verdicts (issue 14 item 5): each verdict re-evaluated from the snapshot it was made
on, on SQLite (embedded) and PostgreSQL with Kafka (distributed); verdicts stored before the snapshot was kept are
listed as not replayable, and a verdict whose snapshot does not give its outcome is named."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from application_intake.replay import replay_verdict
from pilot_audit.cli import run
from tests.services.conftest import AUDITOR, JIANGSU, MINISTRY, deployment, eventually, start_service  # noqa: F401
from tests.services.test_intake import Batch, start_batch  # noqa: F401

BOTH = pytest.mark.parametrize("deployment", ["embedded", "distributed"], indirect=True)


def central_inspection(batch: Batch) -> dict[str, Any]:
    finding: dict[str, Any] = batch.registry.post(
        "/findings",
        json={
            "source": "CENTRAL_INSPECTION",
            "prominent_problem": True,
            "disclosed_on": "2022-05-10",
            "pilot_object_id": batch.jiangsu.object_id,
            "enterprise_credit_code": batch.jiangsu.members[0],
            "province_code": "320000",
            "summary": "第二轮中央生态环境保护督察指出园区企业违法排污",
            "reference": "督察反馈意见",
        },
        headers=MINISTRY,
    ).json()
    return finding


def verdict_replay(intake: TestClient, application_id: str) -> dict[str, Any]:
    response = intake.get(f"/audit/applications/{application_id}/verdicts/replay", headers=AUDITOR)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@BOTH
def test_each_verdict_re_evaluates_from_its_snapshot_to_the_same_outcome(start_batch: Callable[..., Batch]) -> None:  # noqa: F811
    batch = start_batch()
    application_id = batch.complete_draft()
    assert batch.submit(application_id).json()["status"] == "ELIGIBLE"
    central_inspection(batch)
    eventually(
        lambda: batch.intake.get(f"/applications/{application_id}", headers=JIANGSU).json()["status"] == "INELIGIBLE",
        timeout=90,
    )

    result = verdict_replay(batch.intake, application_id)
    assert result["reproduced"] is True
    assert [(v["trigger"], v["recorded_outcome"], v["replayed_outcome"], v["status"]) for v in result["verdicts"]] == [
        ("SUBMISSION", "ELIGIBLE", "ELIGIBLE", "REPRODUCED"),
        ("FINDING_RECORDED", "INELIGIBLE", "INELIGIBLE", "REPRODUCED"),
    ]
    assert all(v["differences"] == [] and v["programme_version"] >= 1 for v in result["verdicts"])
    assert batch.intake.get(f"/audit/applications/{application_id}/verdicts/replay", headers=JIANGSU).status_code == 403
    auditor = TestClient(batch.intake.app, headers=AUDITOR)
    argv = ["replay", "--service", "application-intake=http://intake", "--application", application_id]
    assert run(argv, client_for=lambda _url: auditor) == 0
    unknown = "00000000-0000-4000-8000-000000000001"
    assert batch.intake.get(f"/audit/applications/{unknown}/verdicts/replay", headers=AUDITOR).status_code == 404

    # The same events as stored before verdicts kept their snapshot (version 1): listed, not failed.
    service = batch.intake.app.state.intake  # type: ignore[attr-defined]
    recorded = [e for e in service.events.get(UUID(application_id)) if type(e).__name__ == "VerdictRecorded"]
    stored = service.mapper.to_stored_event(recorded[0])
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2 and state.pop("snapshot") is not None
    old = service.mapper.to_domain_event(
        StoredEvent(stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode())
    )
    assert old.snapshot is None
    found = replay_verdict(old.originator_version, old)
    assert found.status == "NOT_REPLAYABLE" and found.recorded_outcome == "ELIGIBLE" and found.replayed_outcome is None

    # A verdict whose snapshot does not give it (here: the finding taken out of the facts) is named, rule by rule.
    tampered = copy.copy(recorded[1])
    snapshot = copy.deepcopy(recorded[1].snapshot)
    snapshot["findings"] = []
    object.__setattr__(tampered, "snapshot", snapshot)
    differs = replay_verdict(tampered.originator_version, tampered)
    assert differs.status == "DIFFERS" and differs.replayed_outcome == "ELIGIBLE"
    assert {d["field"] for d in differs.differences} >= {"outcome", "results.CLEAN_RECORD"}
