"""The audit endpoints as an auditor meets them: checkpoints with their public key, proofs an auditor checks on
their own machine, and a damaged store reported (2xx/4xx with the report), never a server error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from pilot_common.merkle import (
    Checkpoint,
    leaf_hash,
    load_public_key,
    unb64,
    verify_consistency,
    verify_inclusion,
)
from pilot_registry.bootstrap import build_registry
from tests.services.conftest import AUDITOR, MINISTRY, Deployment, deployment, start_service  # noqa: F401
from tests.services.registry_data import park_body

BOTH = pytest.mark.parametrize("deployment", ["embedded", "distributed"], indirect=True)


@pytest.fixture
def registry(deployment: Deployment, start_service: Callable[..., TestClient]) -> TestClient:  # noqa: F811
    return start_service(build_registry, deployment.settings("pilot-registry"), deployment.bus)


def _organisation(registry: TestClient, name: str = "苏州工业园区管理委员会") -> str:
    created = registry.post("/organisations", json=park_body("320000", "320571", name), headers=MINISTRY)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _checkpoint(body: dict[str, Any]) -> Checkpoint:
    return Checkpoint(**{k: body[k] for k in ("origin", "size", "root_hash", "signed_at", "key_id", "signature")})


@BOTH
def test_an_auditor_checks_a_signed_checkpoint_and_proofs_with_the_services_public_key(registry: TestClient) -> None:
    org = _organisation(registry)
    first = registry.post("/audit/log/checkpoints", headers=MINISTRY)
    assert first.status_code == 201, first.text
    head = registry.get("/audit/log", headers=AUDITOR).json()
    key = load_public_key(head["public_key"])
    signed = _checkpoint(first.json())
    assert signed.verify(key) and signed.origin == "pilot-registry" and head["size"] == signed.size + 1

    proof = registry.get(
        "/audit/log/inclusion", params={"aggregate_id": org, "version": 1, "tree_size": signed.size}, headers=AUDITOR
    ).json()
    leaf = leaf_hash(unb64(proof["leaf_data"]))
    assert org.encode() in unb64(proof["leaf_data"])
    path = [unb64(p) for p in proof["path"]]
    assert verify_inclusion(leaf, proof["leaf_index"], signed.size, path, unb64(signed.root_hash))

    _organisation(registry, "苏州高新区管理委员会")
    second = _checkpoint(registry.post("/audit/log/checkpoints", headers=MINISTRY).json())
    consistency = registry.get(
        "/audit/log/consistency", params={"first": signed.size, "second": second.size}, headers=AUDITOR
    ).json()
    assert verify_consistency(
        signed.size,
        second.size,
        unb64(signed.root_hash),
        unb64(second.root_hash),
        [unb64(p) for p in consistency["proof"]],
    )
    report = registry.get("/audit/verify", headers=AUDITOR).json()
    assert report["ok"] is True, report["problems"]
    assert report["latest_checkpoint"]["size"] == second.size and report["latest_checkpoint"]["status"] == "OK"
    assert len(registry.get("/audit/log/checkpoints", headers=AUDITOR).json()) == 2


@BOTH
def test_a_damaged_aggregate_is_reported_not_a_server_error(registry: TestClient) -> None:
    org = UUID(_organisation(registry))
    amended = registry.patch(
        f"/organisations/{org}", json={"name": "苏州工业园区管委会", "reason": "更名"}, headers=MINISTRY
    )
    assert amended.status_code == 200, amended.text
    registry.post("/audit/log/checkpoints", headers=MINISTRY)
    app: Any = registry.app.state.registry  # type: ignore[attr-defined]
    events = app.audited_recorder.events_record_cls.__table__
    engine = app.datastore.engine
    with engine.begin() as c:
        # The first event becomes unreadable; the last one is deleted (its audit row stays behind).
        first = (events.c.originator_id == org) & (events.c.originator_version == 1)
        c.execute(sa.update(events).where(first).values(state=b"\xff not json"))
        c.execute(sa.delete(events).where((events.c.originator_id == org) & (events.c.originator_version == 2)))

    history = registry.get(f"/audit/aggregates/{org}/history", headers=AUDITOR)
    assert history.status_code == 200, history.text
    assert [e["damage"] for e in history.json()] == ["UNREADABLE", "MISSING_EVENT"]
    state = registry.get(f"/audit/aggregates/{org}/state", headers=AUDITOR)
    assert state.status_code == 409 and state.json()["code"] == "DAMAGED_AGGREGATE", state.text
    report = registry.get("/audit/verify", headers=AUDITOR)
    assert report.status_code == 200
    assert report.json()["ok"] is False
    assert {p["code"] for p in report.json()["problems"]} == {"HASH_MISMATCH", "DELETED"}
    one = registry.get("/audit/verify", params={"aggregate_id": str(org)}, headers=AUDITOR).json()
    assert {p["code"] for p in one["problems"]} == {"HASH_MISMATCH", "MISSING_EVENT"}
