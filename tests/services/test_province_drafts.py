"""A province checks its own draft before it takes a slot (dry run) and discards drafts it never submitted
(DESIGN: each role sees what its work needs). Real registry and intake on PostgreSQL and Kafka."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from application_intake.bootstrap import build_intake
from pilot_registry.bootstrap import build_registry
from tests.services.conftest import AUDITOR, JIANGSU, MINISTRY, ZHEJIANG, Deployment
from tests.services.intake_support import IN_WINDOW, complete, draft
from tests.services.test_intake import Batch
from tests.services.test_registry import assert_problem


def start(deployment: Deployment, start_service: Callable[..., TestClient]) -> Batch:
    registry = start_service(build_registry, deployment.settings("pilot-registry"), deployment.bus)
    intake = start_service(
        build_intake, deployment.settings("application-intake", clock_start=IN_WINDOW), deployment.bus
    )
    return Batch(registry, intake)


def test_a_province_dry_runs_its_own_draft_without_taking_a_slot(
    deployment: Deployment, start_service: Callable[..., TestClient]
) -> None:
    batch = start(deployment, start_service)
    pid = batch.programme["id"]
    application_id = draft(batch.intake, JIANGSU, pid, batch.jiangsu)
    base = f"/applications/{application_id}"

    incomplete = batch.intake.post(f"{base}/dry-run", headers=JIANGSU)
    assert incomplete.status_code == 200, incomplete.text
    verdict = incomplete.json()
    assert verdict["dry_run"] is True and verdict["outcome"] == "INELIGIBLE"
    assert [r["code"] for r in verdict["results"]][:2] == ["WINDOW", "QUOTA"]  # the full verdict, every rule
    assert {"FOUNDATION", "PLAN", "PACKAGE"} <= {r["code"] for r in verdict["results"] if r["status"] == "FAIL"}

    complete(batch.intake, JIANGSU, application_id, batch.programme)
    ready = batch.intake.post(f"{base}/dry-run", headers=JIANGSU).json()
    assert ready["outcome"] in {"ELIGIBLE", "ELIGIBLE_WITH_WARNINGS"}, ready

    # Nothing recorded: still a draft, no verdict, no slot held, no submission event.
    mine = batch.intake.get(base, headers=JIANGSU).json()
    assert (mine["status"], mine["verdict"], mine["slot_number"], mine["submitted_at"]) == ("DRAFT", None, None, None)
    assert batch.intake.get(f"/quotas/{pid}/320000", headers=JIANGSU).json()["held"] == 0
    history = batch.intake.get(f"/audit/aggregates/{application_id}/history", headers=AUDITOR).json()
    assert not [e for e in history if e["type"].endswith(("Submitted", "VerdictRecorded"))]

    # Another province may not; once submitted, the province reads its recorded verdict instead.
    assert_problem(batch.intake.post(f"{base}/dry-run", headers=ZHEJIANG), 403, "FORBIDDEN_PROVINCE")
    assert batch.submit(application_id).status_code == 200
    assert_problem(batch.intake.post(f"{base}/dry-run", headers=JIANGSU), 403, "FORBIDDEN_ROLE")
    assert batch.intake.post(f"{base}/dry-run", headers=MINISTRY).status_code == 200


def test_a_province_discards_a_draft_it_never_submitted(
    deployment: Deployment, start_service: Callable[..., TestClient]
) -> None:
    batch = start(deployment, start_service)
    pid = batch.programme["id"]
    junk = draft(batch.intake, JIANGSU, pid, batch.jiangsu, project_name="误建的草稿")
    kept = draft(batch.intake, JIANGSU, pid, batch.jiangsu, project_name="园区清洁生产整体审核创新试点")

    assert_problem(
        batch.intake.post(f"/applications/{junk}/discard", json={"reason": "误建"}, headers=ZHEJIANG),
        403,
        "FORBIDDEN_PROVINCE",
    )
    discarded = batch.intake.post(f"/applications/{junk}/discard", json={"reason": "误建，重复草稿"}, headers=JIANGSU)
    assert discarded.status_code == 200, discarded.text
    assert discarded.json()["status"] == "DISCARDED"

    # Hidden from the lists; shown when asked for by status; kept in the history for auditors.
    listed = [a["id"] for a in batch.intake.get("/applications", headers=JIANGSU).json()["items"]]
    assert listed == [kept]
    asked = batch.intake.get("/applications", params={"status": "DISCARDED"}, headers=MINISTRY).json()["items"]
    assert [a["id"] for a in asked] == [junk]
    history = batch.intake.get(f"/audit/aggregates/{junk}/history", headers=AUDITOR).json()
    assert history[-1]["type"].endswith("PilotApplication.Discarded")
    assert history[-1]["data"]["reason"] == "误建，重复草稿"

    # A discarded draft changes no more; a submitted application is withdrawn, not discarded.
    assert_problem(
        batch.intake.patch(f"/applications/{junk}/details", json={"project_name": "复活"}, headers=JIANGSU),
        409,
        "APPLICATION_NOT_EDITABLE",
    )
    assert_problem(batch.submit(junk), 409, "APPLICATION_DISCARDED")
    assert batch.submit(kept).status_code == 200
    assert_problem(
        batch.intake.post(f"/applications/{kept}/discard", json={"reason": "x"}, headers=JIANGSU), 409, "NOT_A_DRAFT"
    )
    assert batch.intake.get(f"/quotas/{pid}/320000", headers=JIANGSU).json()["held"] == 1
