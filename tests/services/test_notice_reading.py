"""Issue 11, "the notice read nationally", end to end: registry data posted over HTTP, carried by Kafka to intake,
judged at submission. One test per reading of notice 003 (seed 003) that DESIGN's rules table corrects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pilot_common.context import Role
from tests.services.conftest import JIANGSU, MINISTRY, bearer, eventually
from tests.services.intake_support import (
    ProvinceSetup,
    complete,
    draft,
    pdf,
    register_province,
    upload,
    wait_until_intake_knows,
)
from tests.services.registry_data import credit_code, enterprise
from tests.services.test_intake import Batch, start_batch  # noqa: F401 - the fixture
from tests.services.test_registry import assert_problem

SHAANXI = bearer(Role.PROVINCE, "shaan.1", province="610000")
PARK = {"kind": "INDUSTRIAL_PARK", "park_type": "CHEMICAL_PARK"}


@dataclass
class Case:
    application_id: str
    results: dict[str, dict[str, Any]]
    priority: dict[str, Any]


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
    verdict = submitted.json()["verdict"]
    return Case(application_id, {r["code"]: r for r in verdict["results"]}, verdict["priority"])


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
    # 7. Batch 1's coverage of 钢铁 is assumed, and the verdict says so rather than stating it as fact.
    assert rolling.priority["priority"] is False and rolling.priority["rests_on_assumption"] is True
    assert "钢铁的覆盖为推定" in rolling.priority["reason_zh"]

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


# --- 2. basins by their laws -----------------------------------------------------------------------------------


def test_a_shaanxi_yangtze_basin_pilot_is_registered_and_eligible(start_batch: Callable[..., Batch]) -> None:  # noqa: F811
    batch = start_batch()
    department = organisation(batch, "PROVINCIAL_DEPARTMENT", "PROVINCE", "610000", "610000", "陕西省生态环境厅")
    # 安康市 on the 汉江: in the 长江流域 of 长江保护法 art. 2, outside the 11-province 长江经济带.
    basin = pilot_object(
        batch,
        "610000",
        "610900",
        ["2221", "1351"],
        kind="BASIN_SECTION",
        park_type=None,
        key_area_code="YANGTZE",
        name="长江流域（汉江安康段）",
    )
    case = submit(
        batch,
        SHAANXI,
        ProvinceSetup("610000", department, basin, []),
        "REGION_BASIN",
        ["2221", "1351"],
        key_area_code="YANGTZE",
        target_pollutants=["NH3N", "TP"],
    )
    for code in ("APPLICANT_LEVEL", "SAME_ENTITY", "PROVINCE_MATCH", "TYPE_SCOPE"):
        assert case.results[code]["status"] == "PASS", case.results[code]
    # A basin that does not reach the province is still refused, by name.
    refused = batch.registry.post(
        "/pilot-objects",
        json={
            "kind": "BASIN_SECTION",
            "name": "黄河流域（苏州段）",
            "province_code": "320000",
            "division_codes": ["320500"],
            "industry_codes": ["2221"],
            "key_area_code": "YELLOW_RIVER",
            "member_credit_codes": [],
        },
        headers=MINISTRY,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "KEY_AREA_OUTSIDE_PROVINCE"
    assert "黄河流域不涉及江苏省" in refused.json()["title"]


# --- 3. SAME_ENTITY: types 1–3 only ------------------------------------------------------------------------------


def test_a_type_4_pilot_by_two_provincial_departments_is_eligible(start_batch: Callable[..., Batch]) -> None:  # noqa: F811
    batch = start_batch()
    eco = organisation(batch, "PROVINCIAL_DEPARTMENT", "PROVINCE", "320000", "320000", "江苏省生态环境厅")
    drc = organisation(batch, "PROVINCIAL_DEPARTMENT", "PROVINCE", "320000", "320000", "江苏省发展和改革委员会")
    region = pilot_object(
        batch,
        "320000",
        "320500",
        ["2614"],
        kind="KEY_REGION_PART",
        park_type=None,
        key_area_code="YANGTZE_RIVER_DELTA",
        name="长三角地区（苏州）",
    )
    setup = ProvinceSetup("320000", eco, region, [])
    case = submit(
        batch,
        JIANGSU,
        setup,
        "REGION_BASIN",
        ["2614"],
        implementer_id=drc,
        key_area_code="YANGTZE_RIVER_DELTA",
        target_pollutants=["PM25", "O3"],
    )
    same = case.results["SAME_ENTITY"]
    assert same["status"] == "PASS", same
    assert "不要求为同一主体" in same["reason_zh"]
    # For a type 1–3 pilot two bodies still fail.
    park_body = organisation(batch, "PARK_MANAGEMENT_BODY", "PREFECTURE", "320000", "320583", "昆山开发区管委会")
    park = pilot_object(batch, "320000", "320583", ["2614"], name="昆山开发区")
    type2 = submit(
        batch, JIANGSU, ProvinceSetup("320000", park_body, park, []), "PARK_CLUSTER", ["2614"], implementer_id=eco
    )
    assert type2.results["SAME_ENTITY"]["status"] == "FAIL"


# --- 8. one rule for 新疆生产建设兵团 divisions -----------------------------------------------------------------


def test_the_corps_divisions_follow_one_rule_in_registry_and_intake(start_batch: Callable[..., Batch]) -> None:  # noqa: F811
    batch = start_batch()
    corps = bearer(Role.PROVINCE, "bingtuan.1", province="660000")
    urumqi = batch.registry.post(
        "/pilot-objects",
        json={**PARK, "name": "乌鲁木齐园区", "province_code": "660000", "division_codes": ["650100"]},
        headers=MINISTRY,
    )
    assert urumqi.status_code == 422, urumqi.text  # 乌鲁木齐 is Xinjiang's, not the Corps'
    body = organisation(batch, "PARK_MANAGEMENT_BODY", "PREFECTURE", "660000", "659001", "石河子经济技术开发区管委会")
    park = pilot_object(batch, "660000", "659001", ["2614"], name="石河子经济技术开发区")
    case = submit(batch, corps, ProvinceSetup("660000", body, park, []), "PARK_CLUSTER", ["2614"])
    assert case.results["PROVINCE_MATCH"]["status"] == "PASS", case.results["PROVINCE_MATCH"]


# --- 4. late entry only as DESIGN says: sent on or before the deadline, with its evidence -----------------------


def test_a_late_entry_needs_a_timely_sending_date_and_its_evidence(start_batch: Callable[..., Batch]) -> None:  # noqa: F811
    # Three days after the deadline in Beijing; the programme is still OPEN in the registry (not closed yet).
    batch = start_batch(clock_start=datetime(2023, 4, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    on_time = batch.complete_draft(project_name="苏州工业园区清洁生产整体审核创新试点")
    late = batch.complete_draft(project_name="苏州高新区清洁生产整体审核创新试点")
    assert_problem(batch.submit(on_time), 409, "WINDOW_CLOSED")
    evidence = {}
    for application_id in (on_time, late):
        uploaded = upload(batch.intake, JIANGSU, application_id, "SENDING_EVIDENCE", pdf(marker="邮戳"), "邮戳.pdf")
        assert uploaded.status_code == 201, uploaded.text
        evidence[application_id] = uploaded.json()["id"]
    base = "/applications/{}/late-entry"

    # Without naming its evidence, nothing is recorded.
    missing = batch.intake.post(
        base.format(on_time),
        json={"sent_on": "2023-04-07T17:30:00+08:00", "channel": "POST", "evidence_attachment_id": "nothing"},
        headers=MINISTRY,
    )
    assert_problem(missing, 422, "SENDING_EVIDENCE_REQUIRED")
    # Posted one second after the deadline: refused (逾期不予受理), and so is the submission.
    too_late = batch.intake.post(
        base.format(late),
        json={"sent_on": "2023-04-08T00:00:01+08:00", "channel": "POST", "evidence_attachment_id": evidence[late]},
        headers=MINISTRY,
    )
    assert "逾期不予受理" in assert_problem(too_late, 422, "SENT_AFTER_DEADLINE")["title"]
    assert_problem(batch.submit(late), 409, "WINDOW_CLOSED")

    # Posted on the deadline day, evidence attached: recorded with who recorded it, then judged on time.
    recorded = batch.intake.post(
        base.format(on_time),
        json={"sent_on": "2023-04-07T17:30:00+08:00", "channel": "POST", "evidence_attachment_id": evidence[on_time]},
        headers=MINISTRY,
    )
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["late_entry"]["recorded_by"] == "wang.mee"
    submitted = batch.submit(on_time)
    assert submitted.status_code == 200, submitted.text
    window = next(r for r in submitted.json()["verdict"]["results"] if r["code"] == "WINDOW")
    assert window["status"] == "PASS", window
    assert "2023年4月7日 17:30:00（北京时间）寄出" in window["reason_zh"] and "邮戳.pdf" in window["reason_zh"]


# --- 5. amendments change only what the request names ---------------------------------------------------------


def test_an_amendment_cannot_change_the_type_applicant_or_object(start_batch: Callable[..., Batch]) -> None:  # noqa: F811
    batch = start_batch()
    application_id = batch.complete_draft(project_name="苏州工业园区清洁生产整体审核创新试点")
    assert batch.submit(application_id).status_code == 200
    base = f"/applications/{application_id}"
    # The ministry cannot even ask for it.
    asked = batch.intake.post(
        f"{base}/amendment-requests",
        json={"sections": ["DETAILS"], "reason": "改为第1类", "detail_fields": ["pilot_type"]},
        headers=MINISTRY,
    )
    assert_problem(asked, 422, "FIXED_AFTER_SUBMISSION")
    requested = batch.intake.post(
        f"{base}/amendment-requests",
        json={"sections": ["DETAILS", "FUNDING"], "reason": "目标行业填写不全", "detail_fields": ["target_industries"]},
        headers=MINISTRY,
    )
    assert requested.status_code == 200, requested.text
    assert requested.json()["amendment_detail_fields"] == ["target_industries"]

    changed_type = batch.intake.patch(f"{base}/details", json={"pilot_type": "KEY_INDUSTRY"}, headers=JIANGSU)
    assert "试点类型" in assert_problem(changed_type, 409, "FIXED_AFTER_SUBMISSION")["title"]
    # Another of the province's own pilot objects (the edge refuses ids that are not): the domain refuses the change.
    second = register_province(batch.registry, "320000", "320505", "苏州高新区")
    wait_until_intake_knows(batch.intake, "pilot-objects", second.object_id)
    other = batch.intake.patch(f"{base}/details", json={"pilot_object_id": second.object_id}, headers=JIANGSU)
    assert_problem(other, 409, "FIXED_AFTER_SUBMISSION")
    renamed = batch.intake.patch(f"{base}/details", json={"project_name": "另一个项目"}, headers=JIANGSU)
    assert "项目名称" in assert_problem(renamed, 409, "FIELD_NOT_UNDER_AMENDMENT")["title"]
    plan = batch.intake.put(f"{base}/plan", json={"sections": {"3": "新目标"}}, headers=JIANGSU)
    assert "实施方案" in assert_problem(plan, 409, "SECTION_NOT_UNDER_AMENDMENT")["title"]
    named = batch.intake.patch(f"{base}/details", json={"target_industries": ["2614", "2710"]}, headers=JIANGSU)
    assert named.status_code == 200, named.text

    amended = batch.intake.post(f"{base}/amendment", json={"note": "已补充目标行业"}, headers=JIANGSU)
    assert amended.status_code == 200, amended.text
    mine = batch.intake.get(base, headers=JIANGSU).json()
    assert mine["details"]["pilot_type"] == "PARK_CLUSTER" and mine["details"]["project_name"].startswith(
        "苏州工业园区"
    )
    assert mine["details"]["target_industries"] == ["2614", "2710"]


# --- 6. only a prominent problem named by the central inspection disqualifies ----------------------------------


def test_a_central_finding_that_names_no_prominent_problem_only_warns(start_batch: Callable[..., Batch]) -> None:  # noqa: F811
    batch = start_batch()
    body = {
        "source": "CENTRAL_INSPECTION",
        "prominent_problem": False,
        "disclosed_on": "2022-05-10",
        "pilot_object_id": batch.jiangsu.object_id,
        "enterprise_credit_code": batch.jiangsu.members[0],
        "province_code": "320000",
        "summary": "中央生态环境保护督察信访转办件：群众反映企业夜间异味",
        "reference": "信访转办件（2022年5月）",
    }
    unmarked = batch.registry.post("/findings", json={**body, "prominent_problem": None}, headers=MINISTRY)
    assert_problem(unmarked, 422, "PROMINENT_PROBLEM_REQUIRED")
    recorded = batch.registry.post("/findings", json=body, headers=MINISTRY)
    assert recorded.status_code == 201, recorded.text
    fid = recorded.json()["id"]
    wait_until_intake_knows(batch.intake, "findings", fid, prominent_problem=False)

    application_id = batch.complete_draft(project_name="苏州工业园区清洁生产整体审核创新试点")
    submitted = batch.submit(application_id)
    assert submitted.status_code == 200, submitted.text
    clean = next(r for r in submitted.json()["verdict"]["results"] if r["code"] == "CLEAN_RECORD")
    assert clean["status"] == "WARNING", clean
    assert "未被指出为突出生态环境问题" in clean["reason_zh"]
    assert submitted.json()["status"] == "ELIGIBLE_WITH_WARNINGS"

    # Corrected to a prominent problem: the registry copy keeps the field and the re-check disqualifies.
    corrected = batch.registry.post(
        f"/findings/{fid}/corrections",
        json={"reason": "督察反馈意见将其列为突出生态环境问题", "prominent_problem": True},
        headers=MINISTRY,
    )
    assert corrected.status_code == 200, corrected.text
    wait_until_intake_knows(batch.intake, "findings", fid, prominent_problem=True)
    eventually(
        lambda: batch.intake.get(f"/applications/{application_id}", headers=JIANGSU).json()["status"] == "INELIGIBLE",
        timeout=90,
    )
