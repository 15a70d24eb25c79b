"""The auditor's command line against a running service: verify (with the auditor's own checkpoint copy), prove,
history exports in 北京时间, and exit statuses a script can rely on."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from pilot_audit.cli import run
from pilot_registry.bootstrap import build_registry
from tests.services.conftest import AUDITOR, MINISTRY, Deployment, deployment, start_service  # noqa: F401
from tests.services.registry_data import park_body

EMBEDDED = pytest.mark.parametrize("deployment", ["embedded"], indirect=True)
URL = "pilot-registry=http://registry"


@pytest.fixture
def registry(deployment: Deployment, start_service: Callable[..., TestClient]) -> TestClient:  # noqa: F811
    client = start_service(build_registry, deployment.settings("pilot-registry"), deployment.bus)
    return client


def _cli(registry: TestClient, *argv: str) -> int:
    auditor = TestClient(registry.app, headers=AUDITOR)
    return run(argv, client_for=lambda _url: auditor)


@EMBEDDED
def test_verify_prove_and_export_then_a_rollback_past_the_auditors_copy_fails_verification(
    registry: TestClient, tmp_path: Path
) -> None:
    created = registry.post("/organisations", json=park_body(), headers=MINISTRY)
    assert created.status_code == 201, created.text
    org = created.json()["id"]
    assert registry.post("/audit/log/checkpoints", headers=MINISTRY).status_code == 201
    state = tmp_path / "auditor.json"

    assert _cli(registry, "verify", "--service", URL, "--state", str(state)) == 0
    held = json.loads(state.read_text(encoding="utf-8"))["pilot-registry"]["checkpoint"]
    assert _cli(registry, "prove", "--service", URL, "--aggregate", org, "--version", "1") == 0

    out_csv, out_xlsx = tmp_path / "history.csv", tmp_path / "history.xlsx"
    assert (
        _cli(registry, "history", "--service", URL, "--aggregate", org, "--csv", str(out_csv), "--xlsx", str(out_xlsx))
        == 0
    )
    with out_csv.open(encoding="utf-8-sig") as f:
        (row,) = list(csv.DictReader(f))
    assert row["type"] == "pilot-registry.Organisation.Registered" and row["recorded_at"].endswith("北京时间")
    assert row["actor_user_id"] == "wang.mee"
    sheet: Any = load_workbook(out_xlsx).active
    assert sheet.cell(row=2, column=3).value == row["recorded_at"]

    # Someone with database access rolls the store back past the checkpoint the auditor holds.
    app: Any = registry.app.state.registry  # type: ignore[attr-defined]
    r = app.audited_recorder
    events = r.events_record_cls.__table__
    with app.datastore.engine.begin() as c:
        doomed = c.execute(
            sa.select(r.merkle.c.originator_id, r.merkle.c.originator_version).where(
                r.merkle.c.leaf_index >= held["size"] - 1
            )
        ).all()
        for oid, version in doomed:
            for table in (events, r.audit, r.merkle):
                c.execute(
                    sa.delete(table).where((table.c.originator_id == oid) & (table.c.originator_version == version))
                )
        c.execute(sa.delete(r.checkpoints))
    assert registry.get("/audit/verify", headers=AUDITOR).json()["ok"] is True  # the service alone sees nothing
    assert _cli(registry, "verify", "--service", URL, "--state", str(state)) == 1
    report = registry.post(
        "/audit/verify/held-checkpoints", json={"checkpoints": [{**held, "source": "auditor"}]}, headers=AUDITOR
    ).json()
    assert [p["code"] for p in report["problems"]] == ["TRUNCATED"]


def test_a_service_that_does_not_answer_is_exit_status_2() -> None:
    assert run(["verify", "--service", "pilot-registry=http://127.0.0.1:9"]) == 2
