"""The CLEAN_RECORD edges end to end: findings recorded in the real registry, carried by Kafka into intake's copy,
judged at submission (business clock 2023-03-20, Beijing: the three-year lookback starts on 2020-03-20)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.services.conftest import JIANGSU, MINISTRY
from tests.services.intake_support import register_province, wait_until_intake_knows
from tests.services.test_intake import Batch, start_batch  # noqa: F401 - the fixture

SCENARIOS = [
    pytest.param({"source": "CENTRAL_INSPECTION", "disclosed_on": "2020-03-20"}, "FAIL", id="central-first-day-inside"),
    pytest.param({"source": "CENTRAL_INSPECTION", "disclosed_on": "2020-03-19"}, "PASS", id="central-day-outside"),
    pytest.param({"source": "PROVINCIAL_INSPECTION", "disclosed_on": "2022-01-10"}, "WARNING", id="provincial"),
    pytest.param(
        {"source": "MEDIA", "media_level": "NATIONAL", "disclosed_on": "2022-01-10"}, "FAIL", id="media-national"
    ),
    pytest.param(
        {"source": "MEDIA", "media_level": "PROVINCIAL", "disclosed_on": "2022-01-10"}, "FAIL", id="media-provincial"
    ),
    pytest.param({"source": "MEDIA", "media_level": "CITY", "disclosed_on": "2022-01-10"}, "WARNING", id="media-city"),
    pytest.param(
        {"source": "CENTRAL_INSPECTION", "disclosed_on": "2021-06-01", "against_member": True}, "FAIL", id="member"
    ),
    pytest.param(
        {"source": "CENTRAL_INSPECTION", "disclosed_on": "2021-06-01", "retract": True}, "PASS", id="retracted"
    ),
    # 四(二) "指出突出生态环境问题": a central-inspection complaint referral (信访转办件) is only a warning.
    pytest.param(
        {"source": "CENTRAL_INSPECTION", "disclosed_on": "2022-01-10", "prominent_problem": False},
        "WARNING",
        id="central-not-prominent",
    ),
]


@pytest.mark.parametrize(("finding", "expected"), SCENARIOS)
def test_clean_record_edges_through_the_services(
    start_batch: Callable[..., Batch],  # noqa: F811
    finding: dict[str, Any],
    expected: str,
) -> None:
    batch = start_batch()
    park = register_province(batch.registry, name="昆山经济技术开发区", division="320583")
    body = {
        "source": finding["source"],
        "media_level": finding.get("media_level"),
        "prominent_problem": (
            finding.get("prominent_problem", True) if finding["source"] == "CENTRAL_INSPECTION" else None
        ),
        "disclosed_on": finding["disclosed_on"],
        "pilot_object_id": park.object_id,
        "enterprise_credit_code": park.members[1] if finding.get("against_member") else None,
        "province_code": "320000",
        "summary": "问题记录",
        "reference": "文号",
    }
    recorded = batch.registry.post("/findings", json=body, headers=MINISTRY)
    assert recorded.status_code == 201, recorded.text
    fid = recorded.json()["id"]
    if finding.get("retract"):
        batch.registry.post(f"/findings/{fid}/retract", json={"reason": "误报"}, headers=MINISTRY)
    wait_until_intake_knows(batch.intake, "organisations", park.applicant_id)
    wait_until_intake_knows(batch.intake, "findings", fid, retracted=bool(finding.get("retract")))

    application_id = batch.complete_draft(setup=park)
    submitted = batch.submit(application_id)
    assert submitted.status_code == 200, submitted.text
    clean = next(r for r in submitted.json()["verdict"]["results"] if r["code"] == "CLEAN_RECORD")
    assert clean["status"] == expected, clean
    assert clean["reason_zh"] and clean["reason_en"]
    if expected != "PASS":
        assert fid in str(clean["evidence"])
    status = batch.intake.get(f"/applications/{application_id}", headers=JIANGSU).json()["status"]
    assert status == {"FAIL": "INELIGIBLE", "WARNING": "ELIGIBLE_WITH_WARNINGS", "PASS": "ELIGIBLE"}[expected]
