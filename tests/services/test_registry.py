"""pilot-registry over HTTP on real PostgreSQL and Kafka: what ministry staff, provinces and auditors see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Column, MetaData, String, Table, delete, insert, select

from pilot_common.consumer import EventConsumer
from pilot_common.contracts.catalogue import REGISTRY, event_types
from pilot_common.contracts.events import registry as public
from pilot_common.contracts.events.base import IntegrationEvent
from pilot_common.service import HandlerTable, Handling, ServiceApplication
from pilot_common.transport import service_topic
from pilot_common.transport.kafka import KafkaTransport
from pilot_registry.bootstrap import build_registry
from tests.schema import with_platform_tables
from tests.services.conftest import AUDITOR, JIANGSU, MINISTRY, ZHEJIANG, Deployment, eventually
from tests.services.registry_data import credit_code, enterprise, industrial_park, park_body


@pytest.fixture
def registry(deployment: Deployment, start_service: Callable[..., TestClient]) -> TestClient:
    return start_service(build_registry, deployment.settings("pilot-registry"), deployment.bus)


def batch_2(registry: TestClient) -> dict[str, Any]:
    page = registry.get("/programmes", headers=MINISTRY).json()
    return next(p for p in page["items"] if p["code"] == "2023-B2")


def assert_problem(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["title"] and body["title_en"]
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


def event_count(registry: TestClient) -> int:
    return int(registry.get("/audit/verify", headers=AUDITOR).json()["events_checked"])


# --- programmes --------------------------------------------------------------------------------------------------


def test_batch_2_is_seeded_exactly_as_the_notice_says(registry: TestClient) -> None:
    programme = batch_2(registry)
    rules = programme["rules"]
    assert programme["status"] == "DRAFT"
    assert programme["name"] == "第二批清洁生产审核创新试点"
    assert rules["deadline"] == "2023-04-07" and rules["timezone"] == "Asia/Shanghai"
    assert rules["quota_per_province"] == 5
    assert rules["findings_lookback_years"] == 3
    assert rules["max_package_bytes"] == 52_428_800
    assert rules["subject_template"] == "{year}+{project_name}+{applicant_name}"
    assert rules["implementation_months"] == 12
    assert [s["title"] for s in rules["plan_outline"]] == [
        "试点对象基本概况",
        "试点基础",
        "试点工作目标",
        "试点工作内容",
        "试点工作特色及主要创新点",
        "试点项目实施计划",
        "试点预期产出成果及效益",
    ]
    assert [t["pilot_type"] for t in rules["pilot_types"]] == [
        "KEY_INDUSTRY",
        "PARK_CLUSTER",
        "SIMPLIFIED_ENTERPRISE",
        "REGION_BASIN",
    ]


def test_programme_lifecycle_guards(registry: TestClient) -> None:
    programme = batch_2(registry)
    pid = programme["id"]
    incomplete = {**programme["rules"], "plan_outline": programme["rules"]["plan_outline"][:5]}
    draft = registry.post(
        "/programmes", json={"code": "2024-B3", "name": "第三批", "rules": incomplete}, headers=MINISTRY
    )
    assert draft.status_code == 201, draft.text
    assert_problem(
        registry.post(f"/programmes/{draft.json()['id']}/open", json={}, headers=MINISTRY),
        409,
        "PROGRAMME_RULES_INCOMPLETE",
    )
    assert_problem(
        registry.post(f"/programmes/{pid}/close", json={"reason": "x"}, headers=MINISTRY), 409, "INVALID_TRANSITION"
    )

    opened = registry.post(f"/programmes/{pid}/open", json={"reason": "通知印发"}, headers=MINISTRY)
    assert opened.status_code == 200 and opened.json()["status"] == "OPEN"
    # After opening every change needs a reason.
    assert_problem(
        registry.put(f"/programmes/{pid}/rules", json={"rules": programme["rules"]}, headers=MINISTRY),
        422,
        "REASON_REQUIRED",
    )
    granted = registry.post(
        f"/programmes/{pid}/quota-exceptions",
        json={"province_code": "320000", "extra_slots": 1, "reason": "园区数量多，部务会同意增加1个"},
        headers=MINISTRY,
    )
    assert granted.json()["quota_exceptions"]["320000"]["extra_slots"] == 1
    assert registry.post(f"/programmes/{pid}/close", json={"reason": "截止"}, headers=MINISTRY).json()["status"] == (
        "CLOSED"
    )
    # No quota change after closing.
    assert_problem(
        registry.post(
            f"/programmes/{pid}/quota-exceptions",
            json={"province_code": "330000", "extra_slots": 1, "reason": "补充"},
            headers=MINISTRY,
        ),
        409,
        "QUOTA_LOCKED_AFTER_CLOSING",
    )
    history = registry.get(f"/audit/aggregates/{pid}/history", headers=AUDITOR).json()
    assert [e["type"].rsplit(".", 1)[1] for e in history] == ["Drafted", "Opened", "QuotaExceptionGranted", "Closed"]
    assert history[1]["actor_user_id"] == "wang.mee" and history[2]["data"]["reason"].startswith("园区数量多")


def test_only_ministry_writes_programmes(registry: TestClient) -> None:
    pid = batch_2(registry)["id"]
    assert_problem(registry.post(f"/programmes/{pid}/open", json={}, headers=JIANGSU), 403, "FORBIDDEN_ROLE")
    assert_problem(registry.post(f"/programmes/{pid}/open", json={}, headers=AUDITOR), 403, "FORBIDDEN_ROLE")
    assert_problem(registry.post(f"/programmes/{pid}/open", json={}), 401, "UNAUTHENTICATED")


# --- organisations -------------------------------------------------------------------------------------------


def test_credit_codes_are_validated(registry: TestClient) -> None:
    good = park_body()
    assert registry.post("/organisations", json=good, headers=MINISTRY).status_code == 201
    bad_check = {
        **park_body(),
        "credit_code": good["credit_code"][:-1] + ("0" if good["credit_code"][-1] != "0" else "1"),
    }
    before = event_count(registry)
    assert_problem(
        registry.post("/organisations", json=bad_check, headers=MINISTRY), 422, "INVALID_CREDIT_CODE", "credit_code"
    )
    bad_chars = {**park_body(), "credit_code": "91320500MB00000I0Z"}
    assert_problem(
        registry.post("/organisations", json=bad_chars, headers=MINISTRY), 422, "INVALID_CREDIT_CODE", "credit_code"
    )
    assert_problem(registry.post("/organisations", json=good, headers=MINISTRY), 409, "DUPLICATE_CREDIT_CODE")
    # Nothing half-written.
    assert event_count(registry) == before
    assert registry.get("/organisations", headers=MINISTRY).json()["total"] == 1


def test_malformed_input_is_a_problem_with_field_codes(registry: TestClient) -> None:
    body = {**park_body(), "kind": "EMPEROR", "province_code": "32"}
    problem = assert_problem(registry.post("/organisations", json=body, headers=MINISTRY), 422, "VALIDATION_FAILED")
    assert {e["field"] for e in problem["errors"]} >= {"body.kind", "body.province_code"}
    assert_problem(
        registry.post("/organisations", content=b"{not json", headers={**MINISTRY, "content-type": "application/json"}),
        422,
        "VALIDATION_FAILED",
    )
    assert_problem(registry.get("/organisations/not-a-uuid", headers=MINISTRY), 422, "VALIDATION_FAILED")
    assert_problem(
        registry.get("/organisations/00000000-0000-0000-0000-000000000000", headers=MINISTRY), 404, "NOT_FOUND"
    )
    assert registry.get("/organisations", headers=MINISTRY).json()["total"] == 0


def test_a_province_reads_only_its_own(registry: TestClient) -> None:
    js = registry.post("/organisations", json=park_body(), headers=MINISTRY).json()
    zj = registry.post(
        "/organisations",
        json=park_body("330000", "330100", "杭州经济技术开发区管理委员会"),
        headers=MINISTRY,
    ).json()
    mine = registry.get("/organisations", headers=JIANGSU).json()
    assert [o["id"] for o in mine["items"]] == [js["id"]]
    assert registry.get(f"/organisations/{js['id']}", headers=JIANGSU).status_code == 200
    assert_problem(registry.get(f"/organisations/{zj['id']}", headers=JIANGSU), 403, "FORBIDDEN_PROVINCE")
    assert [o["id"] for o in registry.get("/organisations", headers=ZHEJIANG).json()["items"]] == [zj["id"]]
    assert registry.get("/organisations", headers=AUDITOR).json()["total"] == 2
    assert_problem(registry.post("/organisations", json=park_body(), headers=JIANGSU), 403, "FORBIDDEN_ROLE")


# --- findings ----------------------------------------------------------------------------------------------------


def test_findings_are_recorded_corrected_and_retracted(registry: TestClient) -> None:
    member = enterprise()
    park = registry.post("/pilot-objects", json=industrial_park(members=[member]), headers=MINISTRY).json()
    finding = {
        "source": "CENTRAL_INSPECTION",
        "prominent_problem": True,
        "disclosed_on": "2021-11-02",
        "pilot_object_id": park["id"],
        "enterprise_credit_code": member,
        "province_code": "320000",
        "summary": "中央生态环境保护督察指出园区内企业长期超标排放",
        "reference": "督察反馈意见",
    }
    recorded = registry.post("/findings", json=finding, headers=MINISTRY)
    assert recorded.status_code == 201, recorded.text
    fid = recorded.json()["id"]
    assert recorded.json()["disqualifying"] is True and recorded.json()["recorded_by"] == "wang.mee"
    # A media finding needs its level; an enterprise outside the object is refused.
    assert_problem(
        registry.post("/findings", json={**finding, "source": "MEDIA"}, headers=MINISTRY), 422, "MEDIA_LEVEL_REQUIRED"
    )
    assert_problem(
        registry.post("/findings", json={**finding, "enterprise_credit_code": enterprise()}, headers=MINISTRY),
        422,
        "NOT_A_MEMBER",
    )
    retracted = registry.post(f"/findings/{fid}/retract", json={"reason": "经核实系误报"}, headers=MINISTRY).json()
    assert retracted["retracted"] is True and retracted["retraction_reason"] == "经核实系误报"
    assert_problem(
        registry.post(f"/findings/{fid}/retract", json={"reason": "again"}, headers=MINISTRY),
        409,
        "FINDING_ALREADY_RETRACTED",
    )
    assert_problem(
        registry.post(f"/findings/{fid}/corrections", json={"reason": "改", "summary": "新"}, headers=MINISTRY),
        409,
        "FINDING_RETRACTED",
    )
    in_force = registry.get("/findings", params={"include_retracted": "false"}, headers=JIANGSU).json()
    assert in_force["total"] == 0


# --- reference data ------------------------------------------------------------------------------------------


def test_reference_data_is_whole(registry: TestClient) -> None:
    provinces = registry.get("/reference/provinces", headers=JIANGSU).json()
    codes = {p["code"] for p in provinces["items"]}
    assert provinces["count"] == 32 and "660000" in codes and "110000" in codes
    industries = registry.get("/reference/key-industries", headers=JIANGSU).json()["items"]
    assert len(industries) == 13
    assert all(i["mappings"] or i["division_rule"] for i in industries)
    for area in registry.get("/reference/key-areas", headers=JIANGSU).json()["items"]:
        assert area["provinces"] and set(area["provinces"]) <= codes
    assert registry.get("/reference/pilot-types/REGION_BASIN", headers=JIANGSU).json()["number"] == 4
    assert_problem(registry.get("/reference/provinces"), 401, "UNAUTHENTICATED")


# --- the other side of Kafka -------------------------------------------------------------------------------------

mirror_metadata = MetaData()
mirror = Table(
    "mirror_rows",
    mirror_metadata,
    Column("kind", String(20), primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("province_code", String(6), nullable=False),
)


class RegistryMirror(ServiceApplication):
    """Another service's copy of the registry's organisations, objects and findings, kept from its events."""

    service = "registry-mirror"


def _mirror_handler(kind: str, name_field: str) -> Callable[[Any, Handling], None]:
    def handle(event: Any, handling: Handling) -> None:
        changed = getattr(event, "changed", [name_field, "province_code"])
        key = (mirror.c.kind == kind) & (mirror.c.id == handling.envelope.aggregateid)
        current = handling.session.execute(select(mirror).where(key)).mappings().first() or {}
        row = {
            "kind": kind,
            "id": handling.envelope.aggregateid,
            "name": getattr(event, name_field) if name_field in changed else current.get("name"),
            "province_code": event.province_code if "province_code" in changed else current.get("province_code"),
        }
        handling.session.execute(delete(mirror).where(key))
        handling.session.execute(insert(mirror).values(**row))

    return handle


def test_a_consumer_across_kafka_rebuilds_the_same_registry(registry: TestClient, deployment: Deployment) -> None:
    org = registry.post("/organisations", json=park_body(), headers=MINISTRY).json()
    park = registry.post("/pilot-objects", json=industrial_park(), headers=MINISTRY).json()
    registry.patch(
        f"/organisations/{org['id']}", json={"reason": "更名", "name": "苏州工业园区管委会"}, headers=MINISTRY
    )
    finding = registry.post(
        "/findings",
        json={
            "source": "MEDIA",
            "media_level": "NATIONAL",
            "disclosed_on": "2022-03-15",
            "pilot_object_id": park["id"],
            "province_code": "320000",
            "summary": "央视曝光园区偷排",
            "reference": "焦点访谈 2022-03-15",
        },
        headers=MINISTRY,
    ).json()
    registry.post(
        f"/findings/{finding['id']}/corrections",
        json={"reason": "日期有误", "summary": "央视曝光园区企业偷排"},
        headers=MINISTRY,
    )

    handled: dict[type[IntegrationEvent], Callable[[Any, Handling], None]] = {
        public.OrganisationRegistered: _mirror_handler("organisation", "name"),
        public.OrganisationAmended: _mirror_handler("organisation", "name"),
        public.PilotObjectRegistered: _mirror_handler("pilot_object", "name"),
        public.PilotObjectAmended: _mirror_handler("pilot_object", "name"),
        public.FindingRecorded: _mirror_handler("finding", "summary"),
        public.FindingCorrected: _mirror_handler("finding", "summary"),
    }
    handlers = HandlerTable(handled, ignores=event_types(REGISTRY) - {m.event_type for m in handled})
    handlers.check({REGISTRY: event_types(REGISTRY)})
    url = with_platform_tables(deployment.database_url("registry-mirror"), RegistryMirror.name, mirror_metadata)
    app = RegistryMirror(url, handlers)
    assert deployment.kafka is not None
    consumer = EventConsumer(
        app, KafkaTransport(deployment.kafka, "mirror", namespace=deployment.namespace), [service_topic(REGISTRY)]
    )

    def rows() -> list[tuple[str, str, str, str]]:
        consumer.poll_once(0.5)
        with app.reading() as session:
            return sorted(tuple(r) for r in session.execute(select(mirror)).all())  # type: ignore[misc]

    expected = sorted(
        [
            ("organisation", o["id"], o["name"], o["province_code"])
            for o in registry.get("/organisations", headers=AUDITOR).json()["items"]
        ]
        + [
            ("pilot_object", o["id"], o["name"], o["province_code"])
            for o in registry.get("/pilot-objects", headers=AUDITOR).json()["items"]
        ]
        + [
            ("finding", f["id"], f["summary"], f["province_code"])
            for f in registry.get("/findings", headers=AUDITOR).json()["items"]
        ]
    )
    assert expected[0][2] and len(expected) == 3
    eventually(lambda: rows() == expected, timeout=90)
    consumer.close()
    app.close()


def test_the_audit_trail_verifies_and_read_models_rebuild(registry: TestClient) -> None:
    registry.post("/organisations", json=park_body(), headers=MINISTRY)
    registry.post("/pilot-objects", json=industrial_park(), headers=MINISTRY)
    verify = registry.get("/audit/verify", headers=AUDITOR).json()
    assert verify["ok"] is True and verify["events_checked"] >= 3
    check = registry.get("/audit/read-models/check", headers=AUDITOR).json()
    assert check["ok"] is True, check
    assert check["compared"]["rm_organisations"] == 1 and check["compared"]["rm_programmes"] == 1
    assert_problem(registry.get("/audit/verify", headers=JIANGSU), 403, "FORBIDDEN_ROLE")


def test_credit_code_helper_makes_valid_codes() -> None:
    from pilot_common.credit_code import is_valid_credit_code

    assert is_valid_credit_code(credit_code())
