"""Concurrent submissions for one province through HTTP to two API worker processes sharing one PostgreSQL:
exactly the quota is accepted, every other one is refused with the QUOTA code — twenty rounds in a row."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from pilot_registry.bootstrap import build_registry
from tests.infra import answers, free_port
from tests.services.conftest import JIANGSU, MINISTRY, TEST_JWT_SECRET, Deployment, eventually
from tests.services.intake_support import IN_WINDOW, open_batch_2, register_province

ROOT = Path(__file__).resolve().parents[2]
SUBMITTERS = 20
ROUNDS = 20
QUOTA = 5


@pytest.fixture
def intake_workers(deployment: Deployment) -> Iterator[str]:
    """application-intake as its own server: uvicorn with two worker processes."""
    port = free_port()
    env = deployment.process_env(
        "application-intake",
        port,
        PILOT_CLOCK_START=IN_WINDOW.isoformat(),
        PILOT_WORKERS="2",
        PILOT_JWT_SECRET=TEST_JWT_SECRET,
        PILOT_LOG_LEVEL="WARNING",
    )
    server = subprocess.Popen([sys.executable, "-m", "application_intake"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: answers(f"{base}/readyz"), timeout=60)
        workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        assert len(workers) >= 2, "uvicorn should serve with two worker processes"
        yield base
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


def test_concurrent_submissions_never_exceed_the_quota(
    deployment: Deployment, start_service: Callable[..., TestClient], intake_workers: str
) -> None:
    registry = start_service(build_registry, deployment.settings("pilot-registry"), deployment.bus)
    programme = open_batch_2(registry)
    jiangsu = register_province(registry)
    client = httpx.Client(base_url=intake_workers, timeout=60)
    for kind, row_id in (("organisations", jiangsu.applicant_id), ("pilot-objects", jiangsu.object_id)):
        path = f"/registry-copy/{kind}/{row_id}"
        eventually(lambda path=path: client.get(path, headers=MINISTRY).status_code == 200, 90)
    eventually(
        lambda: (
            client.get(f"/registry-copy/programmes/{programme['id']}", headers=MINISTRY).json().get("status") == "OPEN"
        ),
        90,
    )
    body = {
        "programme_id": programme["id"],
        "pilot_type": "PARK_CLUSTER",
        "applicant_organisation_id": jiangsu.applicant_id,
        "implementer_organisation_id": jiangsu.applicant_id,
        "pilot_object_id": jiangsu.object_id,
    }
    outcomes_per_round = []
    with ThreadPoolExecutor(SUBMITTERS) as pool:
        for round_number in range(ROUNDS):
            drafts = [
                client.post(
                    "/applications", json={**body, "project_name": f"第{round_number}轮项目{i}"}, headers=JIANGSU
                ).json()["id"]
                for i in range(SUBMITTERS)
            ]
            start = threading.Barrier(SUBMITTERS)

            def submit(application_id: str, start: threading.Barrier = start) -> tuple[str, int, str]:
                with httpx.Client(base_url=intake_workers, timeout=120) as own:
                    start.wait()
                    response = own.post(f"/applications/{application_id}/submit", headers=JIANGSU)
                code = response.json().get("code", "") if response.status_code != 200 else ""
                return application_id, response.status_code, code

            results = list(pool.map(submit, drafts))
            outcomes = Counter((status, code) for _, status, code in results)
            outcomes_per_round.append(outcomes)
            assert outcomes == Counter({(200, ""): QUOTA, (409, "QUOTA_EXCEEDED"): SUBMITTERS - QUOTA}), (
                round_number,
                outcomes,
            )
            quota = client.get(f"/quotas/{programme['id']}/320000", headers=JIANGSU).json()
            accepted = sorted(a for a, status, _ in results if status == 200)
            assert quota["held"] == QUOTA and sorted(quota["holders"]) == accepted
            slots = sorted(client.get(f"/applications/{a}", headers=JIANGSU).json()["slot_number"] for a in accepted)
            assert slots == [1, 2, 3, 4, 5]
            # Withdrawal frees the slots for the next round.
            for application_id in accepted:
                withdrawn = client.post(
                    f"/applications/{application_id}/withdraw", json={"reason": "下一轮"}, headers=JIANGSU
                )
                assert withdrawn.status_code == 200, withdrawn.text
    assert len(outcomes_per_round) == ROUNDS
    verify = client.get("/audit/verify", headers=MINISTRY).json()
    assert verify["ok"] is True
