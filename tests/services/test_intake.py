"""application-intake over HTTP on real PostgreSQL and Kafka, with the real registry publishing to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from application_intake.bootstrap import build_intake
from pilot_registry.bootstrap import build_registry
from tests.services.conftest import AUDITOR, JIANGSU, MINISTRY, ZHEJIANG, Deployment, eventually
from tests.services.intake_support import (
    IN_WINDOW,
    ProvinceSetup,
    complete,
    docx,
    draft,
    open_batch_2,
    pdf,
    register_province,
    upload,
    wait_until_intake_knows,
)
from tests.services.test_registry import assert_problem

RULE_CODES = [
    "WINDOW",
    "QUOTA",
    "APPLICANT_LEVEL",
    "SAME_ENTITY",
    "PROVINCE_MATCH",
    "CLEAN_RECORD",
    "TYPE_SCOPE",
    "FOUNDATION",
    "PLAN",
    "PACKAGE",
]


class Batch:
    """The real registry and intake of one test, with batch 2 open and Jiangsu's park registered."""

    def __init__(self, registry: TestClient, intake: TestClient) -> None:
        self.registry = registry
        self.intake = intake
        self.programme = open_batch_2(registry)
        self.jiangsu = register_province(registry)
        wait_until_intake_knows(intake, "programmes", self.programme["id"], status="OPEN")
        wait_until_intake_knows(intake, "organisations", self.jiangsu.applicant_id)
        wait_until_intake_knows(intake, "pilot-objects", self.jiangsu.object_id)

    def complete_draft(
        self, headers: dict[str, str] = JIANGSU, setup: ProvinceSetup | None = None, **extra: Any
    ) -> str:
        application_id = draft(self.intake, headers, self.programme["id"], setup or self.jiangsu, **extra)
        complete(self.intake, headers, application_id, self.programme)
        return application_id

    def submit(self, application_id: str, headers: dict[str, str] = JIANGSU) -> Any:
        return self.intake.post(f"/applications/{application_id}/submit", headers=headers)


@pytest.fixture
def start_batch(deployment: Deployment, start_service: Callable[..., TestClient]) -> Callable[..., Batch]:
    def start(clock_start: datetime = IN_WINDOW) -> Batch:
        registry = start_service(build_registry, deployment.settings("pilot-registry"), deployment.bus)
        intake = start_service(
            build_intake, deployment.settings("application-intake", clock_start=clock_start), deployment.bus
        )
        return Batch(registry, intake)

    return start


def test_a_complete_submission_is_eligible_with_every_rule_listed(start_batch: Callable[..., Batch]) -> None:
    batch = start_batch()
    application_id = batch.complete_draft(project_name="苏州工业园区清洁生产整体审核创新试点")
    submitted = batch.submit(application_id, headers={**JIANGSU, "X-Correlation-ID": "js-submit-0001"})
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["status"] == "ELIGIBLE", [r for r in body["verdict"]["results"] if r["status"] != "PASS"]
    # As an auditor reads it: every event of the application recorded as the province user who sent the request,
    # the submission's under the correlation id its request carried (the commands run in the request's context).
    history = batch.intake.get(f"/audit/aggregates/{application_id}/history", headers=AUDITOR).json()
    assert {(e["actor_user_id"], e["actor_province"]) for e in history} == {("su.1", "320000")}
    submission = [e for e in history if e["type"].endswith((".Submitted", ".VerdictRecorded"))]
    assert {e["type"].rsplit(".", 1)[1] for e in submission} == {"Submitted", "VerdictRecorded"}
    assert {e["correlation_id"] for e in submission} == {"js-submit-0001"}
    assert history[0]["correlation_id"] != "js-submit-0001"
    assert body["slot_number"] == 1
    assert body["subject_line"] == "2023+苏州工业园区清洁生产整体审核创新试点+苏州工业园区管理委员会"
    verdict = body["verdict"]
    assert [r["code"] for r in verdict["results"]] == RULE_CODES
    assert all(r["status"] == "PASS" and r["reason_zh"] and r["reason_en"] for r in verdict["results"])
    assert verdict["programme_version"] >= 2 and verdict["registry_position"]
    # A second submission of the same application is refused.
    assert_problem(batch.submit(application_id), 409, "ALREADY_SUBMITTED")


def test_naming_something_the_registry_never_had_is_refused_clearly(start_batch: Callable[..., Batch]) -> None:
    batch = start_batch()
    ghost = "7f9d6c1e-0000-4000-8000-000000000001"
    body = {
        "programme_id": batch.programme["id"],
        "pilot_type": "PARK_CLUSTER",
        "project_name": "园区清洁生产整体审核创新试点",
        "applicant_organisation_id": ghost,
        "implementer_organisation_id": ghost,
        "pilot_object_id": batch.jiangsu.object_id,
    }
    # refused when the draft is made (intake's registry copy is checked), before anything is written
    problem = assert_problem(
        batch.intake.post("/applications", json=body, headers=JIANGSU),
        422,
        "REGISTRY_ID_UNKNOWN",
        "body.applicant_organisation_id",
    )
    assert [e["field"] for e in problem["errors"]] == [
        "body.applicant_organisation_id",
        "body.implementer_organisation_id",
    ]
    assert batch.intake.get("/applications", headers=JIANGSU).json()["total"] == 0


def test_a_finding_recorded_after_submission_flips_the_verdict(start_batch: Callable[..., Batch]) -> None:
    batch = start_batch()
    application_id = batch.complete_draft()
    assert batch.submit(application_id).json()["status"] == "ELIGIBLE"

    finding = batch.registry.post(
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

    def flipped() -> dict[str, Any] | None:
        app = batch.intake.get(f"/applications/{application_id}", headers=JIANGSU).json()
        return app if app["status"] == "INELIGIBLE" else None

    app = eventually(flipped, timeout=90)
    clean = next(r for r in app["verdict"]["results"] if r["code"] == "CLEAN_RECORD")
    assert clean["status"] == "FAIL" and finding["id"] in str(clean["evidence"])
    history = batch.intake.get(f"/applications/{application_id}/verdicts", headers=JIANGSU).json()
    assert [h["trigger"] for h in history] == ["SUBMISSION", "FINDING_RECORDED"]
    assert finding["id"] in history[1]["changes"][0]

    # Retracting the finding makes it eligible again.
    batch.registry.post(f"/findings/{finding['id']}/retract", json={"reason": "经核实系误报"}, headers=MINISTRY)
    eventually(
        lambda: batch.intake.get(f"/applications/{application_id}", headers=JIANGSU).json()["status"] == "ELIGIBLE",
        timeout=90,
    )


def test_quota_withdrawal_and_exception(start_batch: Callable[..., Batch]) -> None:
    batch = start_batch()
    ids = [batch.complete_draft(project_name=f"试点项目{i}") for i in range(7)]
    for application_id in ids[:5]:
        assert batch.submit(application_id).status_code == 200
    sixth = assert_problem(batch.submit(ids[5]), 409, "QUOTA_EXCEEDED")
    assert (sixth["slots_held"], sixth["slots_allowed"], sixth["rule"]) == (5, 5, "QUOTA")
    assert batch.intake.get(f"/applications/{ids[5]}", headers=JIANGSU).json()["status"] == "DRAFT"

    withdrawn = batch.intake.post(f"/applications/{ids[0]}/withdraw", json={"reason": "项目调整"}, headers=JIANGSU)
    assert withdrawn.json()["status"] == "WITHDRAWN"
    assert batch.submit(ids[5]).status_code == 200
    assert_problem(batch.submit(ids[6]), 409, "QUOTA_EXCEEDED")

    batch.registry.post(
        f"/programmes/{batch.programme['id']}/quota-exceptions",
        json={"province_code": "320000", "extra_slots": 1, "reason": "园区多，部务会同意增加1个名额"},
        headers=MINISTRY,
    )
    wait_until_intake_knows(
        batch.intake, "programmes", batch.programme["id"], quota_exceptions={"320000": {"extra_slots": 1}}
    )
    assert batch.submit(ids[6]).status_code == 200
    quota = batch.intake.get(f"/quotas/{batch.programme['id']}/320000", headers=JIANGSU).json()
    assert (quota["held"], quota["allowed"]) == (6, 6)


def test_submission_after_the_deadline_is_refused(start_batch: Callable[..., Batch]) -> None:
    # One second into 2023-04-08 in Beijing is 2023-04-07T16:00:01Z.
    batch = start_batch(clock_start=datetime(2023, 4, 7, 16, 0, 1, tzinfo=ZoneInfo("UTC")))
    application_id = batch.complete_draft()
    problem = assert_problem(batch.submit(application_id), 409, "WINDOW_CLOSED")
    assert "逾期不予受理" in problem["title"]
    # A ministry decision is no way in any more (DESIGN WINDOW: no other override); see test_notice_reading for
    # the one late entry there is, a package sent on time.
    refused = batch.intake.post(
        f"/applications/{application_id}/late-entry", json={"reason": "经司务会同意补收"}, headers=MINISTRY
    )
    assert refused.status_code == 422, refused.text


def test_amendment_request_and_new_verdict(start_batch: Callable[..., Batch]) -> None:
    batch = start_batch()
    application_id = draft(batch.intake, JIANGSU, batch.programme["id"], batch.jiangsu)
    complete(batch.intake, JIANGSU, application_id, batch.programme)
    letters = [
        a
        for a in batch.intake.get(f"/applications/{application_id}", headers=JIANGSU).json()["attachments"]
        if a["kind"] == "DEVELOPMENT_REFORM_DEPARTMENT_LETTER"
    ]
    batch.intake.delete(f"/applications/{application_id}/attachments/{letters[0]['id']}", headers=JIANGSU)
    submitted = batch.submit(application_id).json()
    package = next(r for r in submitted["verdict"]["results"] if r["code"] == "PACKAGE")
    assert submitted["status"] == "INELIGIBLE" and package["status"] == "FAIL"
    assert "发展改革" in package["reason_zh"]

    # Only the named sections may change.
    requested = batch.intake.post(
        f"/applications/{application_id}/amendment-requests",
        json={"sections": ["ATTACHMENTS"], "reason": "缺少省级发展改革部门推荐函"},
        headers=MINISTRY,
    )
    assert requested.json()["status"] == "AMENDMENT_REQUESTED"
    # The province reads what was asked, why, by whom and when (business time) on its application
    asked = batch.intake.get(f"/applications/{application_id}", headers=JIANGSU).json()["amendment_request"]
    assert {k: v for k, v in asked.items() if k != "requested_at"} == {
        "sections": ["ATTACHMENTS"],
        "detail_fields": [],
        "reason": "缺少省级发展改革部门推荐函",
        "requested_by": "wang.mee",
        "requested_by_organisation": "MEE",
    }
    assert datetime.fromisoformat(asked["requested_at"]).tzinfo is not None
    assert_problem(
        batch.intake.put(f"/applications/{application_id}/foundation", json={"text": "改"}, headers=JIANGSU),
        409,
        "SECTION_NOT_UNDER_AMENDMENT",
    )
    assert (
        upload(batch.intake, JIANGSU, application_id, "DEVELOPMENT_REFORM_DEPARTMENT_LETTER", pdf()).status_code == 201
    )
    amended = batch.intake.post(f"/applications/{application_id}/amendment", json={"note": "已补充"}, headers=JIANGSU)
    assert amended.json()["status"] == "ELIGIBLE" and amended.json()["revision"] == 2
    assert amended.json()["amendment_request"] is None  # answered: nothing open any more
    history = batch.intake.get(f"/applications/{application_id}/verdicts", headers=MINISTRY).json()
    assert [h["trigger"] for h in history] == ["SUBMISSION", "AMENDMENT"]


def test_bad_files_and_input_leave_nothing_stored(start_batch: Callable[..., Batch]) -> None:
    batch = start_batch()
    application_id = draft(batch.intake, JIANGSU, batch.programme["id"], batch.jiangsu)
    before = batch.intake.get(f"/audit/aggregates/{application_id}/history", headers=AUDITOR).json()

    exe = b"MZ\x90\x00" + b"\x00" * 500
    assert_problem(
        upload(batch.intake, JIANGSU, application_id, "IMPLEMENTATION_PLAN", exe, "plan.pdf"),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    assert_problem(
        upload(batch.intake, JIANGSU, application_id, "IMPLEMENTATION_PLAN", docx(), "plan.pdf"),
        415,
        "MEDIA_TYPE_MISMATCH",
    )
    too_big = pdf(batch.programme["rules"]["max_package_bytes"] + 1)
    assert_problem(upload(batch.intake, JIANGSU, application_id, "IMPLEMENTATION_PLAN", too_big), 413, "FILE_TOO_LARGE")
    assert_problem(upload(batch.intake, JIANGSU, application_id, "PASSPORT", pdf()), 422, "VALIDATION_FAILED")
    assert_problem(
        batch.intake.put(
            f"/applications/{application_id}/funding",
            json={"sources": [{"funder": "x", "amount_cny": "lots", "committed": "maybe"}]},
            headers=JIANGSU,
        ),
        422,
        "VALIDATION_FAILED",
    )
    assert_problem(
        batch.intake.put(f"/applications/{application_id}/plan", json={"sections": {"9.9": "?"}}, headers=JIANGSU),
        422,
        "UNKNOWN_PLAN_SECTION",
    )
    assert_problem(
        batch.intake.post("/applications", json={"programme_id": 5}, headers=JIANGSU), 422, "VALIDATION_FAILED"
    )
    after = batch.intake.get(f"/audit/aggregates/{application_id}/history", headers=AUDITOR).json()
    assert after == before
    assert batch.intake.get(f"/applications/{application_id}", headers=JIANGSU).json()["attachments"] == []
    # A real DOCX under its own name is accepted.
    assert (
        upload(
            batch.intake,
            JIANGSU,
            application_id,
            "OTHER",
            docx(),
            "说明.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ).status_code
        == 201
    )


def test_a_province_cannot_touch_another_provinces_application(start_batch: Callable[..., Batch]) -> None:
    batch = start_batch()
    application_id = batch.complete_draft()
    attachment = batch.intake.get(f"/applications/{application_id}", headers=JIANGSU).json()["attachments"][0]["id"]
    base = f"/applications/{application_id}"
    province_routes: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", base, {}),
        ("GET", f"{base}/verdict", {}),
        ("GET", f"{base}/verdicts", {}),
        ("GET", f"{base}/attachments/{attachment}", {}),
        ("PATCH", f"{base}/details", {"json": {"project_name": "改名"}}),
        ("PUT", f"{base}/foundation", {"json": {"text": "x"}}),
        ("PUT", f"{base}/funding", {"json": {"sources": []}}),
        ("PUT", f"{base}/plan", {"json": {"sections": {}}}),
        ("PUT", f"{base}/schedule", {"json": {"milestones": []}}),
        (
            "POST",
            f"{base}/attachments",
            {"data": {"kind": "OTHER"}, "files": {"file": ("a.pdf", pdf(), "application/pdf")}},
        ),
        ("DELETE", f"{base}/attachments/{attachment}", {}),
        ("POST", f"{base}/submit", {}),
        ("POST", f"{base}/withdraw", {"json": {"reason": "x"}}),
        ("POST", f"{base}/amendment", {"json": {"note": "x"}}),
    ]
    for method, path, kwargs in province_routes:
        response = batch.intake.request(method, path, headers=ZHEJIANG, **kwargs)
        assert_problem(response, 403, "FORBIDDEN_PROVINCE")
    # The refusal comes before the input's validation (the hot routes check access in their command's thread call):
    # another province's application, or none at all, is not told apart by a 422 for a bad body.
    bad_input: list[tuple[str, str, dict[str, Any]]] = [
        ("PATCH", "details", {"json": {"target_industries": "not a list"}}),
        ("PUT", "foundation", {"json": {"text": 5}}),
        ("PUT", "funding", {"json": {"sources": [{"funder": "x", "amount_cny": "lots"}]}}),
        ("PUT", "plan", {"json": {}}),
        ("PUT", "schedule", {"json": {"milestones": "soon"}}),
        ("POST", "attachments", {"data": {"kind": "PASSPORT"}, "files": {"file": ("a.pdf", pdf(), "application/pdf")}}),
    ]
    nobody = "/applications/00000000-0000-4000-8000-000000000000"
    for method, tail, kwargs in bad_input:
        assert_problem(
            batch.intake.request(method, f"{base}/{tail}", headers=ZHEJIANG, **kwargs), 403, "FORBIDDEN_PROVINCE"
        )
        assert_problem(batch.intake.request(method, f"{nobody}/{tail}", headers=JIANGSU, **kwargs), 404, "NOT_FOUND")
        assert_problem(
            batch.intake.request(method, f"{base}/{tail}", headers=JIANGSU, **kwargs), 422, "VALIDATION_FAILED"
        )
    assert_problem(
        batch.intake.get("/applications", params={"province": "320000"}, headers=ZHEJIANG), 403, "FORBIDDEN_PROVINCE"
    )
    assert batch.intake.get("/applications", headers=ZHEJIANG).json()["total"] == 0
    assert_problem(
        batch.intake.get(f"/quotas/{batch.programme['id']}/320000", headers=ZHEJIANG), 403, "FORBIDDEN_PROVINCE"
    )
    # Ministry-only actions are not for provinces; auditors change nothing.
    assert_problem(batch.intake.post(f"{base}/dry-run", headers=ZHEJIANG), 403, "FORBIDDEN_PROVINCE")
    for path in (f"{base}/late-entry", f"{base}/amendment-requests"):
        assert_problem(
            batch.intake.post(path, json={"reason": "x", "sections": ["PLAN"]}, headers=JIANGSU), 403, "FORBIDDEN_ROLE"
        )
    for method, path, kwargs in province_routes[4:]:
        assert_problem(batch.intake.request(method, path, headers=AUDITOR, **kwargs), 403, "FORBIDDEN_ROLE")
    # Nothing changed.
    mine = batch.intake.get(base, headers=JIANGSU).json()
    assert mine["status"] == "DRAFT" and mine["details"]["project_name"] == "园区清洁生产整体审核创新试点"
    assert batch.intake.get(base, headers=AUDITOR).status_code == 200


def test_ministry_dry_run_on_a_draft_records_nothing(start_batch: Callable[..., Batch]) -> None:
    batch = start_batch()
    application_id = draft(batch.intake, JIANGSU, batch.programme["id"], batch.jiangsu)
    verdict = batch.intake.post(f"/applications/{application_id}/dry-run", headers=MINISTRY).json()
    assert verdict["dry_run"] is True and verdict["outcome"] == "INELIGIBLE"
    failing = {r["code"] for r in verdict["results"] if r["status"] == "FAIL"}
    assert {"FOUNDATION", "PLAN", "PACKAGE"} <= failing
    assert batch.intake.get(f"/applications/{application_id}", headers=JIANGSU).json()["verdict"] is None
