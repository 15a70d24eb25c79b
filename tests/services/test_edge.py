"""The HTTP edge of every service as a client meets it: no 5xx on odd input, bounded input, errors in both
languages, security headers and docs that work without internet. On real PostgreSQL and Kafka."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from application_intake.bootstrap import build_intake
from evaluation.bootstrap import build_evaluation
from pilot_common.auth import TokenIssuer
from pilot_common.context import Role
from pilot_common.settings import DEV_ISSUER
from pilot_common.web import MAX_JSON_BODY
from pilot_registry.bootstrap import build_registry
from tests.fuzz import FuzzReport, fuzz
from tests.services.conftest import (
    AUDITOR,
    JIANGSU,
    MINISTRY,
    TEST_JWT_SECRET,
    ZHEJIANG,
    Deployment,
    bearer,
)
from tests.services.evaluation_support import register_reviewer
from tests.services.intake_support import (
    IN_WINDOW,
    ProvinceSetup,
    draft,
    open_batch_2,
    pdf,
    register_province,
    upload,
    wait_until_intake_knows,
)
from tests.services.registry_data import park_body


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["title"] and body["title_en"] and body["title"] != body["title_en"]
    for error in body["errors"]:
        assert error["message"] and error["message_zh"], error
    return body


def field_codes(body: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["code"] for e in body["errors"]}


@pytest.fixture
def registry(deployment: Deployment, start_service: Callable[..., TestClient]) -> TestClient:
    return start_service(build_registry, deployment.settings("pilot-registry"), deployment.bus)


@pytest.fixture
def intake_pair(
    deployment: Deployment, start_service: Callable[..., TestClient], registry: TestClient
) -> tuple[TestClient, dict[str, Any], ProvinceSetup]:
    intake = start_service(
        build_intake, deployment.settings("application-intake", clock_start=IN_WINDOW), deployment.bus
    )
    programme = open_batch_2(registry)
    jiangsu = register_province(registry)
    wait_until_intake_knows(intake, "programmes", programme["id"], status="OPEN")
    wait_until_intake_knows(intake, "organisations", jiangsu.applicant_id)
    wait_until_intake_knows(intake, "pilot-objects", jiangsu.object_id)
    return intake, programme, jiangsu


# --- the five causes of a 500, and their kind --------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("申报书.pdf", "申报书.pdf"),
        ("资金承诺函.pdf", "资金承诺函.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ('a";b=c.pdf', "a%22_b=c.pdf"),  # the client sends the quote percent-encoded
        ("\u202efdp.exe.pdf", "fdp.exe.pdf"),
    ],
)
def test_attachments_with_any_file_name_download_with_an_encoded_name(
    intake_pair: tuple[TestClient, dict[str, Any], ProvinceSetup], sent: str, stored: str
) -> None:
    intake, programme, jiangsu = intake_pair
    application_id = draft(intake, JIANGSU, programme["id"], jiangsu)
    uploaded = upload(intake, JIANGSU, application_id, "OTHER", pdf(marker="x"), sent)
    assert uploaded.status_code == 201, uploaded.text
    attachment_id = uploaded.json()["id"]
    shown = intake.get(f"/applications/{application_id}", headers=JIANGSU).json()["attachments"]
    assert [a["file_name"] for a in shown] == [stored]

    response = intake.get(f"/applications/{application_id}/attachments/{attachment_id}", headers=JIANGSU)
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert disposition.isascii()
    fallback = re.search(r'filename="([^"]*)"', disposition)
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert fallback and encoded, disposition
    assert unquote(encoded.group(1)) == stored
    assert "/" not in fallback.group(1) and ";" not in fallback.group(1)


def test_huge_page_numbers_are_refused_on_every_list(
    registry: TestClient, intake_pair: tuple[TestClient, dict[str, Any], ProvinceSetup]
) -> None:
    intake, _, _ = intake_pair
    for client in (registry, intake):
        spec = client.get("/openapi.json").json()
        lists = [
            path
            for path, operations in spec["paths"].items()
            if "get" in operations
            and "{" not in path
            and any(p["name"] == "page" for p in operations["get"].get("parameters", []))
        ]
        assert lists
        for path in lists:
            response = client.get(path, params={"page": 10**18}, headers=MINISTRY)
            body = assert_problem(response, 422, "VALIDATION_FAILED")
            assert field_codes(body) == {"query.page": "less_than_equal"}, path
            assert client.get(path, params={"page": 100_000}, headers=MINISTRY).status_code == 200, path


def test_explicit_null_is_refused_unless_the_field_may_be_cleared(registry: TestClient) -> None:
    jiangsu = register_province(registry)
    org, obj = f"/organisations/{jiangsu.applicant_id}", f"/pilot-objects/{jiangsu.object_id}"
    cases = [
        (org, {"reason": "更正", "credit_code": None}, "body.credit_code"),
        (obj, {"reason": "更正", "division_codes": None}, "body.division_codes"),
    ]
    for path, body, field in cases:
        response = registry.patch(path, json=body, headers=MINISTRY)
        problem = assert_problem(response, 422, "VALIDATION_FAILED")
        assert field_codes(problem) == {field: "null_not_allowed"}
    finding = registry.post(
        "/findings",
        json={
            "source": "MEDIA",
            "media_level": "CITY",
            "disclosed_on": "2022-05-01",
            "pilot_object_id": jiangsu.object_id,
            "province_code": "320000",
            "summary": "媒体报道",
            "reference": "报道",
        },
        headers=MINISTRY,
    )
    assert finding.status_code == 201, finding.text
    path = f"/findings/{finding.json()['id']}/corrections"
    problem = assert_problem(
        registry.post(path, json={"reason": "更正", "pilot_object_id": None}, headers=MINISTRY),
        422,
        "VALIDATION_FAILED",
    )
    assert field_codes(problem) == {"body.pilot_object_id": "null_not_allowed"}
    # null is still accepted where the field may be cleared
    cleared = registry.patch(org, json={"reason": "更正", "administrative_level": None}, headers=MINISTRY)
    assert cleared.status_code == 200, cleared.text


def test_a_damaged_store_is_reported_not_a_500(registry: TestClient) -> None:
    jiangsu = register_province(registry)
    app = registry.app.state.registry  # type: ignore[attr-defined]
    events = app.audited_recorder.events_record_cls.__table__
    with app.datastore.engine.begin() as conn:
        conn.execute(
            sa.update(events).where(events.c.originator_id == jiangsu.applicant_id).values(state=b"\x00damaged")
        )
    # The history shows what is stored, each unreadable event marked as damaged; the state cannot be rebuilt.
    history = registry.get(f"/audit/aggregates/{jiangsu.applicant_id}/history", headers=AUDITOR)
    assert history.status_code == 200, history.text
    assert [e["damage"] for e in history.json()] == ["UNREADABLE"]
    state = registry.get(f"/audit/aggregates/{jiangsu.applicant_id}/state", headers=AUDITOR)
    assert assert_problem(state, 409, "DAMAGED_AGGREGATE")["detail"]


# --- errors people can read -------------------------------------------------------------------------------


def test_validation_errors_speak_both_languages_and_list_the_valid_values(registry: TestClient) -> None:
    response = registry.post(
        "/pilot-objects",
        json={"kind": "SPACESHIP", "province_code": "320000", "division_codes": ["320571"]},
        headers=MINISTRY,
    )
    body = assert_problem(response, 422, "VALIDATION_FAILED")
    errors = {e["field"]: e for e in body["errors"]}
    assert errors["body.name"]["message_zh"] == "必填项缺失"
    assert "INDUSTRIAL_PARK" in errors["body.kind"]["allowed"]
    assert "可选值" in errors["body.kind"]["message_zh"]
    assert body["detail"] and body["detail_zh"]

    finding = registry.post("/findings", json={"source": "RUMOUR"}, headers=MINISTRY).json()
    source = next(e for e in finding["errors"] if e["field"] == "body.source")
    assert source["allowed"] == ["CENTRAL_INSPECTION", "PROVINCIAL_INSPECTION", "MEDIA"]


def test_framework_errors_and_token_errors_are_problems_without_internals(registry: TestClient) -> None:
    body = assert_problem(registry.get("/no/such/thing"), 404, "NOT_FOUND")
    assert body["detail_zh"]
    response = registry.delete("/organisations")
    body = assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] in body["detail"] and body["detail_zh"]
    response = registry.get("/organisations", headers={"Authorization": b"Bearer \xff\xfe.abc.def"})
    body = assert_problem(response, 401, "TOKEN_INVALID")
    for internal in ("utf-8", "codec", "Invalid header", "jwt", "Traceback"):
        assert internal not in response.text


# --- bounded input ----------------------------------------------------------------------------------------


def test_an_oversized_body_is_refused_before_it_is_parsed(registry: TestClient) -> None:
    huge = b'{"name": "' + b"x" * (MAX_JSON_BODY + 10) + b'"}'
    response = registry.post("/organisations", content=huge, headers={**MINISTRY, "Content-Type": "application/json"})
    body = assert_problem(response, 413, "PAYLOAD_TOO_LARGE")
    assert body["max_bytes"] == MAX_JSON_BODY

    def chunks() -> Any:
        for _ in range(5):
            yield b"x" * (MAX_JSON_BODY // 2)

    streamed = registry.post(
        "/organisations", content=chunks(), headers={**MINISTRY, "Content-Type": "application/json"}
    )
    assert_problem(streamed, 413, "PAYLOAD_TOO_LARGE")


def test_strings_lists_amounts_and_names_are_bounded(
    intake_pair: tuple[TestClient, dict[str, Any], ProvinceSetup],
) -> None:
    intake, programme, jiangsu = intake_pair
    application_id = draft(intake, JIANGSU, programme["id"], jiangsu)
    base = f"/applications/{application_id}"

    def funding(**source: Any) -> Any:
        body = {"funder": "园区财政局", "amount_cny": "3000000", "committed": True, **source}
        return intake.put(f"{base}/funding", json={"sources": [body]}, headers=JIANGSU)

    refused = {
        "2 M-character funder": (funding(funder="资" * 2_000_000), 413),
        "201-character funder": (funding(funder="资" * 201), 422),
        "1e400 yuan": (funding(amount_cny="1e400"), 422),
        "three decimal places": (funding(amount_cny="1.005"), 422),
        "NaN": (funding(amount_cny="NaN"), 422),
        "100 k target industries": (
            intake.patch(f"{base}/details", json={"target_industries": ["2614"] * 100_000}, headers=JIANGSU),
            422,
        ),
        "1 000 target industries": (
            intake.patch(f"{base}/details", json={"target_industries": ["2614"] * 1_000}, headers=JIANGSU),
            422,
        ),
        "huge plan section": (
            intake.put(f"{base}/plan", json={"sections": {"1": "节" * 20_001}}, headers=JIANGSU),
            422,
        ),
        "long milestone title": (
            intake.put(
                f"{base}/schedule",
                json={"milestones": [{"title": "里" * 201, "start": "2023-08-01", "due": "2023-09-30"}]},
                headers=JIANGSU,
            ),
            422,
        ),
    }
    for name, (response, status) in refused.items():
        assert_problem(response, status, "PAYLOAD_TOO_LARGE" if status == 413 else "VALIDATION_FAILED"), name
    for hidden in ("\x00", "\u202e", "\u200b", "\n"):
        response = intake.patch(f"{base}/details", json={"project_name": f"试点{hidden}项目"}, headers=JIANGSU)
        body = assert_problem(response, 422, "VALIDATION_FAILED")
        assert field_codes(body) == {"body.project_name": "unsafe_characters"}, repr(hidden)
    for listed in ("target_industries", "target_pollutants", "has_coating_process", "project_name", "pilot_object_id"):
        response = intake.patch(f"{base}/details", json={listed: None}, headers=JIANGSU)
        assert field_codes(assert_problem(response, 422, "VALIDATION_FAILED")) == {f"body.{listed}": "null_not_allowed"}
    dry_run = intake.post(f"{base}/dry-run", headers=MINISTRY)
    assert dry_run.status_code < 500, dry_run.text
    huge_version = intake.get(f"/audit/aggregates/{application_id}/state", params={"version": 10**19}, headers=AUDITOR)
    assert_problem(huge_version, 422, "VALIDATION_FAILED")
    assert funding(amount_cny="3000000.50").status_code == 200
    # nothing refused above was written
    history = intake.get(f"/audit/aggregates/{application_id}/history", headers=AUDITOR).json()
    assert [e["type"].rsplit(".", 1)[-1] for e in history][-1] == "FundingSet"
    assert len(history) == 2


def test_a_draft_names_only_the_provinces_own_registry_entries(
    registry: TestClient, intake_pair: tuple[TestClient, dict[str, Any], ProvinceSetup]
) -> None:
    intake, programme, jiangsu = intake_pair
    zhejiang = register_province(registry, "330000", "330603", "绍兴柯桥")
    wait_until_intake_knows(intake, "organisations", zhejiang.applicant_id)
    wait_until_intake_knows(intake, "pilot-objects", zhejiang.object_id)
    body = {
        "programme_id": programme["id"],
        "pilot_type": "PARK_CLUSTER",
        "project_name": "试点项目",
        "applicant_organisation_id": jiangsu.applicant_id,
        "implementer_organisation_id": jiangsu.applicant_id,
        "pilot_object_id": jiangsu.object_id,
    }
    for field, value in (
        ("pilot_object_id", zhejiang.object_id),
        ("applicant_organisation_id", zhejiang.applicant_id),
        ("implementer_organisation_id", "nope"),
    ):
        response = intake.post("/applications", json={**body, field: value}, headers=JIANGSU)
        problem = assert_problem(response, 422, "REGISTRY_ID_UNKNOWN")
        assert field_codes(problem) == {f"body.{field}": "REGISTRY_ID_UNKNOWN"}
        assert "330000" not in response.text  # says nothing of the other province
    # the other province's entry and an unknown id get the same answer
    other = intake.post("/applications", json={**body, "pilot_object_id": zhejiang.object_id}, headers=JIANGSU)
    unknown = intake.post("/applications", json={**body, "pilot_object_id": "nope"}, headers=JIANGSU)
    assert other.json()["errors"] == unknown.json()["errors"]
    created = intake.post("/applications", json=body, headers=JIANGSU)
    assert created.status_code == 201, created.text
    changed = intake.patch(
        f"/applications/{created.json()['id']}/details", json={"pilot_object_id": zhejiang.object_id}, headers=JIANGSU
    )
    assert_problem(changed, 422, "REGISTRY_ID_UNKNOWN")
    # Zhejiang itself may use its own
    assert (
        intake.post(
            "/applications",
            json={
                **body,
                "applicant_organisation_id": zhejiang.applicant_id,
                "implementer_organisation_id": zhejiang.applicant_id,
                "pilot_object_id": zhejiang.object_id,
            },
            headers=ZHEJIANG,
        ).status_code
        == 201
    )


def test_a_finding_may_not_be_dated_after_business_today(registry: TestClient) -> None:
    jiangsu = register_province(registry)
    # After any business today (the test clock never runs ahead of the real one).
    today = date.today()
    body = {
        "source": "CENTRAL_INSPECTION",
        "disclosed_on": (today.replace(year=today.year + 1)).isoformat(),
        "pilot_object_id": jiangsu.object_id,
        "province_code": "320000",
        "summary": "督察反馈",
        "reference": "反馈意见",
        "prominent_problem": True,
    }
    problem = assert_problem(registry.post("/findings", json=body, headers=MINISTRY), 422, "VALIDATION_FAILED")
    assert field_codes(problem) == {"body.disclosed_on": "date_in_future"}
    assert registry.post("/findings", json={**body, "disclosed_on": "2022-09-01"}, headers=MINISTRY).status_code == 201


def test_an_organisation_name_with_a_bidi_override_is_refused(registry: TestClient) -> None:
    body = park_body("320000", "320571", "苏州\u202e会员委理管")
    problem = assert_problem(registry.post("/organisations", json=body, headers=MINISTRY), 422, "VALIDATION_FAILED")
    assert field_codes(problem) == {"body.name": "unsafe_characters"}


# --- headers and docs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("build", [build_registry, build_intake, build_evaluation])
def test_docs_render_from_the_service_itself_and_answers_carry_security_headers(
    build: Callable[..., Any], deployment: Deployment, start_service: Callable[..., TestClient]
) -> None:
    name = {build_registry: "pilot-registry", build_intake: "application-intake"}.get(build, "evaluation")
    client = start_service(build, deployment.settings(name), deployment.bus)
    for page in ("/docs", "/redoc"):
        response = client.get(page)
        assert response.status_code == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assets = re.findall(r'(?:src|href)="([^"]+)"', response.text) + re.findall(r"url: '([^']+)'", response.text)
        assert not [a for a in assets if a.startswith(("http:", "https:", "//"))], assets
        scripts = [a for a in assets if a.endswith(".js")]
        assert scripts, response.text
        for asset in assets:
            fetched = client.get(asset)
            assert fetched.status_code == 200, asset
            assert len(fetched.content) > 100, asset
        assert any(len(client.get(s).content) > 500_000 for s in scripts)  # the UI itself, not a stub
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert re.search(r"[\u4e00-\u9fff]", operation["summary"]), (method, path, operation["summary"])
            if "requestBody" in operation:
                assert "413" in operation["responses"], (method, path)
    if name == "application-intake":
        upload_responses = spec["paths"]["/applications/{application_id}/attachments"]["post"]["responses"]
        assert {"413", "415", "422"} <= set(upload_responses)
    api = client.get("/livez")
    for header, value in (
        ("x-content-type-options", "nosniff"),
        ("cache-control", "no-store"),
        ("x-frame-options", "DENY"),
        ("content-security-policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    ):
        assert api.headers[header] == value, header
    problem = client.get("/no/such/route")
    assert problem.headers["cache-control"] == "no-store"
    assert problem.headers["x-content-type-options"] == "nosniff"


# --- a bounded schemathesis run (the longer one: bench/fuzz.py) ----------------------------------------------

EXAMPLES = 2  # per operation, generation mode and role: about 1 500 requests in all


def _check(report: FuzzReport, client: TestClient) -> None:
    assert report.requests > 300, report
    assert report.server_errors == [], "\n".join(report.server_errors[:20])
    assert report.schema_violations == [], "\n".join(report.schema_violations[:20])
    assert client.get("/livez").status_code == 200
    assert set(report.statuses) - {200, 201}, report.statuses  # errors were provoked, not only happy paths


def test_fuzzing_registry_and_intake_finds_no_5xx_and_no_schema_violation(
    registry: TestClient, intake_pair: tuple[TestClient, dict[str, Any], ProvinceSetup]
) -> None:
    intake, programme, jiangsu = intake_pair
    application_id = draft(intake, JIANGSU, programme["id"], jiangsu)
    attachment = upload(intake, JIANGSU, application_id, "OTHER", pdf(marker="x"), "申报书.pdf").json()
    finding = registry.post(
        "/findings",
        json={
            "source": "MEDIA",
            "media_level": "CITY",
            "disclosed_on": "2022-05-01",
            "pilot_object_id": jiangsu.object_id,
            "province_code": "320000",
            "summary": "媒体报道",
            "reference": "报道",
        },
        headers=MINISTRY,
    ).json()
    ids = {
        "programme_id": programme["id"],
        "pid": programme["id"],
        "organisation_id": jiangsu.applicant_id,
        "object_id": jiangsu.object_id,
        "finding_id": finding["id"],
        "aggregate_id": jiangsu.applicant_id,
        "application_id": application_id,
        "attachment_id": attachment["id"],
        "province_code": "320000",
        "province": "320000",
    }
    roles = {"ministry": MINISTRY, "province": JIANGSU, "other province": ZHEJIANG, "auditor": AUDITOR}
    for client in (registry, intake):
        _check(fuzz(client, roles, ids, EXAMPLES), client)


def test_fuzzing_evaluation_finds_no_5xx_and_no_schema_violation(
    deployment: Deployment, start_service: Callable[..., TestClient], registry: TestClient
) -> None:
    evaluation = start_service(build_evaluation, deployment.settings("evaluation"), deployment.bus)
    reviewer_id = register_reviewer(evaluation, "李明", "110000", "清华大学环境学院", "li.ming", ("STEEL",))
    programme_id = registry.get("/programmes", headers=MINISTRY).json()["items"][0]["id"]
    ids = {"programme_id": programme_id, "pid": programme_id, "reviewer_id": reviewer_id, "aggregate_id": reviewer_id}
    roles = {"ministry": MINISTRY, "reviewer": bearer(Role.REVIEWER, "li.ming"), "province": JIANGSU}
    _check(fuzz(evaluation, roles, ids, EXAMPLES), evaluation)


# --- the authorization matrix, generated from the OpenAPI documents -----------------------------------------

PUBLIC = {"/livez", "/readyz"}
MARKER = "江苏矩阵测试专用项目"


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: ids.get(m.group(1), "00000000-0000-4000-8000-000000000000"), path)


def test_authorization_matrix_from_the_openapi_documents_shows_no_leak(
    deployment: Deployment,
    start_service: Callable[..., TestClient],
    registry: TestClient,
    intake_pair: tuple[TestClient, dict[str, Any], ProvinceSetup],
) -> None:
    """Every route of every service × province A (the owner) / province B / ministry / reviewer / auditor /
    no token / bad signature / expired: outsiders get 401, province B and a reviewer never see province A's
    data (lists and exports included), auditors change nothing."""
    intake, programme, jiangsu = intake_pair
    evaluation = start_service(build_evaluation, deployment.settings("evaluation"), deployment.bus)
    application_id = draft(intake, JIANGSU, programme["id"], jiangsu, project_name=MARKER)
    attachment = upload(intake, JIANGSU, application_id, "OTHER", pdf(marker="x"), "申报书.pdf").json()
    ids = {
        "programme_id": programme["id"],
        "pid": programme["id"],
        "organisation_id": jiangsu.applicant_id,
        "object_id": jiangsu.object_id,
        "aggregate_id": application_id,
        "application_id": application_id,
        "attachment_id": attachment["id"],
        "province_code": "320000",
        "province": "320000",
        "row_id": jiangsu.applicant_id,
        "kind": "organisations",
    }
    secrets_of_a = [application_id, attachment["id"], MARKER, jiangsu.applicant_id, jiangsu.object_id]
    other_key = TokenIssuer("another-secret-nobody-configured-0123456789", DEV_ISSUER, "cleaner-production-pilots")
    past = TokenIssuer(TEST_JWT_SECRET, DEV_ISSUER, "cleaner-production-pilots", clock=lambda: time.time() - 7200)
    outsiders = {
        "no token": {},
        "bad signature": {"Authorization": f"Bearer {other_key.issue('x', Role.MINISTRY)}"},
        "expired": {"Authorization": f"Bearer {past.issue('x', Role.MINISTRY, ttl=60)}"},
    }
    foreign = {"province B": ZHEJIANG, "reviewer (not assigned)": bearer(Role.REVIEWER, "expert.9")}
    insiders = {"province A": JIANGSU, "ministry": MINISTRY, "auditor": AUDITOR}
    cells = 0
    leaks: list[str] = []
    for client in (registry, intake, evaluation):
        spec = client.get("/openapi.json").json()
        for template, operations in spec["paths"].items():
            path = _fill(template, ids)
            for method in operations:
                if method not in {"get", "post", "put", "patch", "delete"}:
                    continue
                write = method != "get"

                def call(
                    headers: dict[str, str],
                    method: str = method,
                    path: str = path,
                    write: bool = write,
                    client: TestClient = client,
                ) -> Any:
                    return client.request(method, path, headers=headers, json={} if write else None)

                for role, headers in outsiders.items():
                    cells += 1
                    response = call(headers)
                    if template not in PUBLIC and response.status_code != 401:
                        leaks.append(f"{role} {method.upper()} {template} -> {response.status_code}")
                for role, headers in foreign.items():
                    cells += 1
                    response = call(headers)
                    if response.status_code < 300 and (write or any(s in response.text for s in secrets_of_a)):
                        leaks.append(f"{role} {method.upper()} {template} -> {response.status_code}")
                for role, headers in insiders.items():
                    cells += 1
                    response = call(headers)
                    assert response.status_code < 500, (role, method, template, response.text)
                    if role == "auditor" and write and response.status_code < 300 and template not in PUBLIC:
                        leaks.append(f"auditor {method.upper()} {template} -> {response.status_code}")
    assert cells > 500
    assert leaks == [], "\n".join(leaks)
