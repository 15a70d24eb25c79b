"""Pilot types and applicants end to end: organisations and objects registered in the real registry, carried by
Kafka to intake, judged by APPLICANT_LEVEL and TYPE_SCOPE at submission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.services.conftest import JIANGSU, MINISTRY
from tests.services.intake_support import ProvinceSetup, complete, draft, wait_until_intake_knows
from tests.services.registry_data import credit_code, enterprise
from tests.services.test_intake import Batch, start_batch  # noqa: F401 - the fixture

PARK = {"kind": "INDUSTRIAL_PARK", "park_type": "CHEMICAL_PARK"}
REGION = {"kind": "KEY_REGION_PART", "key_area_code": "YANGTZE_RIVER_DELTA"}

CASES = [
    # (pilot type, applicant kind, level, object, target industries, extra details) -> (APPLICANT_LEVEL, TYPE_SCOPE)
    pytest.param(
        "REGION_BASIN",
        "PROVINCIAL_DEPARTMENT",
        "PROVINCE",
        REGION,
        ["2614"],
        {"key_area_code": "YANGTZE_RIVER_DELTA", "target_pollutants": ["PM25", "O3"]},
        ("PASS", "PASS"),
        id="type4-provincial-department",
    ),
    pytest.param(
        "REGION_BASIN",
        "PARK_MANAGEMENT_BODY",
        "PREFECTURE",
        REGION,
        ["2614"],
        {"key_area_code": "YANGTZE_RIVER_DELTA", "target_pollutants": ["PM25", "O3"]},
        ("FAIL", "PASS"),
        id="type4-park-body",
    ),
    pytest.param(
        "KEY_INDUSTRY",
        "GOVERNMENT",
        "COUNTY",
        PARK,
        ["2614", "3360"],
        {},
        ("PASS", "PASS"),
        id="type1-county-government",
    ),
    pytest.param(
        "KEY_INDUSTRY",
        "GOVERNMENT_DEPARTMENT",
        "COUNTY",
        PARK,
        ["2614"],
        {},
        ("FAIL", "PASS"),
        id="type1-county-department",
    ),
    pytest.param(
        "SIMPLIFIED_ENTERPRISE",
        "GOVERNMENT",
        "PREFECTURE",
        PARK,
        ["2110"],
        {},
        ("PASS", "PASS"),
        id="type3-non-key-industry",
    ),
    pytest.param(
        "SIMPLIFIED_ENTERPRISE",
        "GOVERNMENT",
        "PREFECTURE",
        PARK,
        ["2614"],
        {},
        ("PASS", "FAIL"),
        id="type3-key-industry",
    ),
    pytest.param(
        "PARK_CLUSTER",
        "PARK_MANAGEMENT_BODY",
        "PREFECTURE",
        REGION,
        ["2614"],
        {},
        ("PASS", "FAIL"),
        id="type2-not-a-park",
    ),
]


@pytest.mark.parametrize(("pilot_type", "kind", "level", "obj", "industries", "extra", "expected"), CASES)
def test_applicant_and_type_scope_through_the_services(
    start_batch: Callable[..., Batch],  # noqa: F811
    pilot_type: str,
    kind: str,
    level: str,
    obj: dict[str, Any],
    industries: list[str],
    extra: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    batch = start_batch()
    division = "320000" if kind == "PROVINCIAL_DEPARTMENT" else "320583"
    org = batch.registry.post(
        "/organisations",
        json={
            "name": f"{kind}-{level}",
            "credit_code": credit_code("11", division),
            "kind": kind,
            "administrative_level": level,
            "province_code": "320000",
            "division_code": division,
        },
        headers=MINISTRY,
    )
    assert org.status_code == 201, org.text
    pilot_object = batch.registry.post(
        "/pilot-objects",
        json={
            **obj,
            "name": "试点对象",
            "province_code": "320000",
            "division_codes": ["320583"],
            "industry_codes": industries,
            "member_credit_codes": [enterprise("320583")],
        },
        headers=MINISTRY,
    )
    assert pilot_object.status_code == 201, pilot_object.text
    setup = ProvinceSetup("320000", org.json()["id"], pilot_object.json()["id"], [])
    wait_until_intake_knows(batch.intake, "organisations", setup.applicant_id)
    wait_until_intake_knows(batch.intake, "pilot-objects", setup.object_id)

    application_id = draft(batch.intake, JIANGSU, batch.programme["id"], setup, pilot_type=pilot_type)
    complete(batch.intake, JIANGSU, application_id, batch.programme)
    changed = batch.intake.patch(
        f"/applications/{application_id}/details", json={"target_industries": industries, **extra}, headers=JIANGSU
    )
    assert changed.status_code == 200, changed.text
    submitted = batch.submit(application_id)
    assert submitted.status_code == 200, submitted.text
    results = {r["code"]: r for r in submitted.json()["verdict"]["results"]}
    got = (results["APPLICANT_LEVEL"]["status"], results["TYPE_SCOPE"]["status"])
    assert got == expected, (results["APPLICANT_LEVEL"], results["TYPE_SCOPE"])
