"""Issue 11, "the notice read nationally", end to end: registry data posted over HTTP, carried by Kafka to intake,
judged at submission. One test per reading of notice 003 (seed 003) that DESIGN's rules table corrects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pilot_common.context import Role
from tests.services.conftest import JIANGSU, MINISTRY, bearer
from tests.services.intake_support import ProvinceSetup, complete, draft, wait_until_intake_knows
from tests.services.registry_data import credit_code, enterprise
from tests.services.test_intake import Batch, start_batch  # noqa: F401 - the fixture

SHAANXI = bearer(Role.PROVINCE, "shaan.1", province="610000")
PARK = {"kind": "INDUSTRIAL_PARK", "park_type": "CHEMICAL_PARK"}


@dataclass
class Case:
    application_id: str
    results: dict[str, dict[str, Any]]


def organisation(batch: Batch, kind: str, level: str, province: str, division: str, name: str) -> str:
    org = batch.registry.post(
        "/organisations",
        json={
            "name": name,
            "credit_code": credit_code("11", division),
            "kind": kind,
            "administrative_level": level,
            "province_code": province,
            "division_code": division,
        },
        headers=MINISTRY,
    )
    assert org.status_code == 201, org.text
    org_id = str(org.json()["id"])
    wait_until_intake_knows(batch.intake, "organisations", org_id)
    return org_id


def pilot_object(batch: Batch, province: str, division: str, industries: list[str], **fields: Any) -> str:
    body = {**PARK, **fields}
    response = batch.registry.post(
        "/pilot-objects",
        json={
            **body,
            "name": fields.get("name", "试点对象"),
            "province_code": province,
            "division_codes": [division],
            "industry_codes": industries,
            "member_credit_codes": [enterprise(division)],
        },
        headers=MINISTRY,
    )
    assert response.status_code == 201, response.text
    object_id = str(response.json()["id"])
    wait_until_intake_knows(batch.intake, "pilot-objects", object_id)
    return object_id


def submit(
    batch: Batch,
    headers: dict[str, str],
    setup: ProvinceSetup,
    pilot_type: str,
    industries: list[str],
    implementer_id: str | None = None,
    **details: Any,
) -> Case:
    application_id = draft(
        batch.intake,
        headers,
        batch.programme["id"],
        setup,
        pilot_type=pilot_type,
        implementer_organisation_id=implementer_id or setup.applicant_id,
    )
    complete(batch.intake, headers, application_id, batch.programme)
    changed = batch.intake.patch(
        f"/applications/{application_id}/details", json={"target_industries": industries, **details}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    submitted = batch.submit(application_id, headers)
    assert submitted.status_code == 200, submitted.text
    return Case(application_id, {r["code"]: r for r in submitted.json()["verdict"]["results"]})


# --- 1. key industries: the national mapping, Shanxi's list as a provincial layer ----------------------------------


def test_steel_rolling_is_a_key_industry_and_a_foundry_is_not_electroplating(
    start_batch: Callable[..., Batch],  # noqa: F811
) -> None:
    batch = start_batch()
    government = organisation(batch, "GOVERNMENT", "COUNTY", "320000", "320583", "昆山市人民政府")
    steel = pilot_object(batch, "320000", "320583", ["3130"], name="昆山钢压延加工企业群")
    rolling = submit(batch, JIANGSU, ProvinceSetup("320000", government, steel, []), "KEY_INDUSTRY", ["3130"])
    assert rolling.results["TYPE_SCOPE"]["status"] == "PASS", rolling.results["TYPE_SCOPE"]
    assert rolling.results["TYPE_SCOPE"]["evidence"]["industries"][0]["key_industries"] == ["STEEL"]

    foundry_object = pilot_object(batch, "320000", "320583", ["3391"], name="昆山铸造企业群")
    foundry = submit(
        batch, JIANGSU, ProvinceSetup("320000", government, foundry_object, []), "SIMPLIFIED_ENTERPRISE", ["3391"]
    )
    scope = foundry.results["TYPE_SCOPE"]
    assert scope["status"] == "PASS", scope
    assert "电镀" not in scope["reason_zh"]

    # The registry serves both layers, each under its own name.
    national = batch.registry.get("/reference/key-industries/STEEL", headers=JIANGSU).json()
    assert [m["code"] for m in national["mappings"] if not m["reading"]] == ["31"]
    shanxi = batch.registry.get("/reference/provincial-audit-lists/140000", headers=JIANGSU).json()
    rows = {c["code"]: c for c in shanxi["classes"]}
    assert rows["3391"]["list_group"] == "电镀" and rows["3391"]["audit_scope"] == "large_medium"
    assert "3130" not in rows
