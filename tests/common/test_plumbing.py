"""The shared web plumbing, in process: problem+json errors, bearer tokens, roles, call context, probes, logs."""

import io
import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

import anyio
import jwt
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from pilot_common.auth import (
    CurrentPrincipal,
    Principal,
    TokenIssuer,
    TokenVerifier,
    VerifiedTokens,
    ensure_province_access,
    require_roles,
    require_writer,
)
from pilot_common.context import Role, current_context
from pilot_common.health import ReadinessCheck, health_router
from pilot_common.logging import configure_logging
from pilot_common.problems import (
    PROBLEM_MEDIA_TYPE,
    ProblemError,
    install_problem_handlers,
    problem_responses,
)
from pilot_common.settings import DEV_JWT_SECRET, ServiceSettings
from pilot_common.web import create_service_app

SECRET = "test-only-secret-0123456789-abcdefghij"
ISSUER = "pilot-dev-issuer"
AUDIENCE = "cleaner-production-pilots"


class NewItem(BaseModel):
    projectName: str
    capacity: int


def _context_view(principal: Principal | None = None) -> dict[str, Any]:
    ctx = current_context()
    return {
        "user_id": principal.user_id if principal else None,
        "role": str(principal.role) if principal else None,
        "province": principal.province if principal else None,
        "ctx_correlation_id": ctx.correlation_id,
        "ctx_actor": ctx.actor.user_id,
        "ctx_actor_province": ctx.actor.province,
        "ctx_causation_id": ctx.causation_id,
    }


def build_app(*, dev_tokens: bool = True, checks: dict[str, ReadinessCheck] | None = None) -> FastAPI:
    settings = ServiceSettings(service_name="test-service", jwt_secret=SECRET, dev_tokens_enabled=dev_tokens)
    app = create_service_app(
        settings, title="Test", description="test service", version="0.0.1", readiness_checks=checks
    )

    @app.get("/whoami")
    async def whoami_async(principal: CurrentPrincipal) -> dict[str, Any]:
        return _context_view(principal)

    @app.get("/whoami-sync")
    def whoami_sync(principal: CurrentPrincipal) -> dict[str, Any]:
        return _context_view(principal)

    @app.get("/anonymous-sync")
    def anonymous_sync() -> dict[str, Any]:
        return _context_view()

    @app.post("/items", status_code=201, responses=problem_responses(401, 403))
    async def create_item(item: NewItem, principal: Annotated[Principal, Depends(require_writer)]) -> dict[str, str]:
        return {"created": item.projectName, "by": principal.user_id}

    @app.get("/ministry-only")
    async def ministry_only(
        principal: Annotated[Principal, Depends(require_roles(Role.MINISTRY))],
    ) -> dict[str, str]:
        return {"ok": principal.user_id}

    @app.get("/provinces/{code}/applications")
    async def province_applications(code: str, principal: CurrentPrincipal) -> dict[str, str]:
        ensure_province_access(principal, code)
        return {"province": code}

    @app.get("/quota")
    async def quota() -> None:
        raise ProblemError(
            409,
            "QUOTA_EXCEEDED",
            "推荐数量超过本省名额",
            "Province quota exceeded",
            "370000 may recommend at most 5 projects",
            extra={"quota": 5, "used": 5},
        )

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("connection to postgres://admin:hunter2@db failed")

    return app


@pytest.fixture
def app() -> FastAPI:
    return build_app()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def issuer() -> TokenIssuer:
    return TokenIssuer(SECRET, ISSUER, AUDIENCE, ttl=600)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(
    issuer: TokenIssuer,
    role: Role,
    sub: str = "u1",
    *,
    name: str | None = None,
    province: str | None = None,
    org: str | None = None,
) -> dict[str, str]:
    return bearer(issuer.issue(sub, role, name=name, province=province, org=org))


def raw_token(secret: str = SECRET, **overrides: Any) -> str:
    """A token built by hand, for claims our issuer would refuse to produce."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "u1",
        "role": "ministry",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256")


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == "https://pilots.example/problems/" + code.lower().replace("_", "-")
    assert body["title"] and body["title_en"]
    # Without the request middleware (a bare app) there is no correlation id to report.
    assert body["correlation_id"] == response.headers.get("X-Correlation-ID")
    return body


# --- problem+json -----------------------------------------------------------------------------------------


def test_validation_error_lists_each_field(client: TestClient, issuer: TokenIssuer) -> None:
    response = client.post("/items", json={"capacity": "about-XYZZY"}, headers=token_for(issuer, Role.MINISTRY))
    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert body["title"] == "请求参数校验失败"
    assert body["instance"] == "/items"
    errors = {e["field"]: e for e in body["errors"]}
    assert set(errors) == {"body.projectName", "body.capacity"}
    assert errors["body.projectName"]["code"] == "missing"
    assert errors["body.capacity"]["code"] == "int_parsing"
    assert errors["body.capacity"]["message"]
    assert "XYZZY" not in response.text  # rejected input is not echoed


def test_malformed_json_is_a_validation_problem(client: TestClient, issuer: TokenIssuer) -> None:
    response = client.post(
        "/items",
        content=b"{not json",
        headers={**token_for(issuer, Role.MINISTRY), "Content-Type": "application/json"},
    )
    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert body["errors"][0]["code"] == "json_invalid"


def test_unknown_route_and_wrong_method(client: TestClient) -> None:
    body = assert_problem(client.get("/no/such/route"), 404, "NOT_FOUND")
    assert body["instance"] == "/no/such/route"
    assert body["title"] == "资源不存在"

    response = client.delete("/livez")
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["Allow"]


def test_problem_error_renders_code_titles_and_extra(client: TestClient) -> None:
    response = client.get("/quota", headers={"X-Correlation-ID": "batch2-sd-0001"})
    body = assert_problem(response, 409, "QUOTA_EXCEEDED")
    assert body["title"] == "推荐数量超过本省名额"
    assert body["title_en"] == "Province quota exceeded"
    assert body["detail"] == "370000 may recommend at most 5 projects"
    assert (body["quota"], body["used"]) == (5, 5)
    assert body["correlation_id"] == "batch2-sd-0001"
    assert body["errors"] == []


def test_problem_extra_cannot_overwrite_standard_members() -> None:
    with pytest.raises(ValueError, match="status"):
        ProblemError(409, "QUOTA_EXCEEDED", "名额", "Quota", extra={"status": 200})
    with pytest.raises(ValueError, match="UPPER_SNAKE_CASE"):
        ProblemError(409, "quota-exceeded", "名额", "Quota")


def test_unhandled_exception_is_a_500_problem_without_internals(app: FastAPI) -> None:
    stream = io.StringIO()
    configure_logging("test-service", stream=stream)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/boom", headers={"X-Correlation-ID": "corr-boom-1"})
    finally:
        _reset_logging()
    body = assert_problem(response, 500, "INTERNAL_ERROR")
    assert body["correlation_id"] == "corr-boom-1"
    for leak in ("hunter2", "postgres", "RuntimeError", "Traceback", "test_plumbing"):
        assert leak not in response.text
    # ... but the operator gets the stack, under the same correlation id.
    errors = [line for line in _lines(stream) if line["level"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["correlation_id"] == "corr-boom-1"
    assert "RuntimeError: connection to postgres" in errors[0]["exception"]


def test_openapi_documents_problems_as_problem_json(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    responses = spec["paths"]["/items"]["post"]["responses"]
    for status in ("401", "403", "422", "500"):
        content = responses[status]["content"]
        assert list(content) == [PROBLEM_MEDIA_TYPE], status
        assert content[PROBLEM_MEDIA_TYPE]["schema"]["$ref"] == "#/components/schemas/Problem"
    assert responses["422"]["content"][PROBLEM_MEDIA_TYPE]["example"]["code"] == "VALIDATION_FAILED"
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert "errors" in spec["components"]["schemas"]["Problem"]["properties"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


# --- tokens -----------------------------------------------------------------------------------------------


def test_token_round_trip(client: TestClient, issuer: TokenIssuer) -> None:
    headers = token_for(issuer, Role.PROVINCE, sub="prov-sd-1", province="370000", name="张三", org="SD-EEB")
    body = client.get("/whoami", headers=headers).json()
    assert (body["user_id"], body["role"], body["province"]) == ("prov-sd-1", "province", "370000")
    # The verifier gives back every claim the issuer put in.
    verifier = TokenVerifier(SECRET, ISSUER, AUDIENCE)
    verified = verifier.verify(headers["Authorization"].removeprefix("Bearer "))
    assert verified == Principal("prov-sd-1", Role.PROVINCE, "张三", "370000", "SD-EEB")
    assert verified.actor.as_dict() == {
        "user_id": "prov-sd-1",
        "role": "province",
        "province": "370000",
        "organisation": "SD-EEB",
    }


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "UNAUTHENTICATED"),
        ("Basic dXNlcjpwYXNz", "UNAUTHENTICATED"),
        ("Bearer not.a.jwt", "TOKEN_INVALID"),
        (f"Bearer {raw_token(exp=int(time.time()) - 3600)}", "TOKEN_EXPIRED"),
        (f"Bearer {raw_token(aud='some-other-system')}", "TOKEN_INVALID"),
        (f"Bearer {raw_token(iss='someone-else')}", "TOKEN_INVALID"),
        (f"Bearer {raw_token(secret='a-different-secret-of-sufficient-length')}", "TOKEN_INVALID"),
        (f"Bearer {raw_token(role='superuser')}", "TOKEN_INVALID"),
        (f"Bearer {raw_token(role='province')}", "TOKEN_INVALID"),  # no province claim
        (f"Bearer {raw_token(role='province', province='37')}", "TOKEN_INVALID"),
        (f"Bearer {raw_token(exp=None)}", "TOKEN_INVALID"),  # a token must expire
    ],
)
def test_bad_credentials_are_401(client: TestClient, authorization: str | None, code: str) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for path in ("/whoami", "/whoami-sync"):
        response = client.get(path, headers=headers)
        assert_problem(response, 401, code)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_from_our_issuer_is_rejected(client: TestClient) -> None:
    past = TokenIssuer(SECRET, ISSUER, AUDIENCE, ttl=60, clock=lambda: time.time() - 3600)
    assert_problem(client.get("/whoami", headers=token_for(past, Role.MINISTRY)), 401, "TOKEN_EXPIRED")


def test_issuer_refuses_province_token_without_valid_province(issuer: TokenIssuer) -> None:
    with pytest.raises(ValueError, match="province"):
        issuer.issue("p1", Role.PROVINCE)
    with pytest.raises(ValueError, match="six-digit"):
        issuer.issue("p1", Role.PROVINCE, province="Shandong")
    with pytest.raises(ValueError, match="32 bytes"):
        TokenIssuer("short", ISSUER, AUDIENCE)


def test_dev_token_endpoint_mints_only_for_the_fixed_demo_users(client: TestClient) -> None:
    response = client.post("/dev/tokens", json={"sub": "expert.1"})
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["token_type"] == "bearer"
    body = client.get("/whoami", headers=bearer(token["access_token"])).json()
    assert (body["user_id"], body["role"]) == ("expert.1", "reviewer")

    # anyone else, or a role of one's choosing, is refused, with the demo users listed
    bad = assert_problem(client.post("/dev/tokens", json={"sub": "attacker"}), 422, "VALIDATION_FAILED")
    assert "mee.li" in bad["errors"][0]["allowed"]
    assert_problem(client.post("/dev/tokens", json={"sub": "js.wang", "role": "ministry"}), 422, "VALIDATION_FAILED")


def test_dev_token_endpoint_absent_unless_enabled() -> None:
    with TestClient(build_app(dev_tokens=False)) as client:
        response = client.post("/dev/tokens", json={"sub": "mee.li"})
    assert_problem(response, 404, "NOT_FOUND")


# --- roles ------------------------------------------------------------------------------------------------


def test_role_guard(client: TestClient, issuer: TokenIssuer) -> None:
    assert client.get("/ministry-only", headers=token_for(issuer, Role.MINISTRY, org="MEE")).status_code == 200
    for role in (Role.REVIEWER, Role.AUDITOR):
        response = client.get("/ministry-only", headers=token_for(issuer, role))
        assert_problem(response, 403, "FORBIDDEN_ROLE")
    # A missing token is still a 401, not a 403.
    assert_problem(client.get("/ministry-only"), 401, "UNAUTHENTICATED")


def test_auditor_reads_but_cannot_write(client: TestClient, issuer: TokenIssuer) -> None:
    auditor = token_for(issuer, Role.AUDITOR, sub="aud-1")
    assert client.get("/whoami", headers=auditor).json()["user_id"] == "aud-1"
    item = {"projectName": "园区清洁生产审核", "capacity": 3}
    assert_problem(client.post("/items", json=item, headers=auditor), 403, "FORBIDDEN_ROLE")
    writer = token_for(issuer, Role.PROVINCE, sub="p1", province="370000")
    response = client.post("/items", json=item, headers=writer)
    assert response.status_code == 201
    assert response.json() == {"created": "园区清洁生产审核", "by": "p1"}


def test_province_user_only_reaches_own_province(client: TestClient, issuer: TokenIssuer) -> None:
    shandong = token_for(issuer, Role.PROVINCE, province="370000")
    assert client.get("/provinces/370000/applications", headers=shandong).status_code == 200
    response = client.get("/provinces/440000/applications", headers=shandong)
    assert_problem(response, 403, "FORBIDDEN_PROVINCE")
    ministry = token_for(issuer, Role.MINISTRY, org="NDRC")
    assert client.get("/provinces/440000/applications", headers=ministry).status_code == 200


# --- call context -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/whoami", "/whoami-sync"])
def test_correlation_id_and_actor_reach_async_and_sync_endpoints(
    client: TestClient, issuer: TokenIssuer, path: str
) -> None:
    headers = {
        **token_for(issuer, Role.PROVINCE, sub="prov-gd-1", province="440000"),
        "X-Correlation-ID": "app-7f3a",
    }
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    assert response.headers["X-Correlation-ID"] == "app-7f3a"
    body = response.json()
    assert body["ctx_correlation_id"] == "app-7f3a"
    assert (body["ctx_actor"], body["ctx_actor_province"]) == ("prov-gd-1", "440000")
    # The request is the cause of whatever it records.
    assert body["ctx_causation_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize("path", ["/whoami", "/whoami-sync"])
def test_correlation_id_generated_when_missing_or_unsafe(client: TestClient, issuer: TokenIssuer, path: str) -> None:
    headers = token_for(issuer, Role.MINISTRY)
    first = client.get(path, headers=headers)
    second = client.get(path, headers={**headers, "X-Correlation-ID": "two words"})
    ids = [r.headers["X-Correlation-ID"] for r in (first, second)]
    for response, correlation_id in zip((first, second), ids, strict=True):
        uuid.UUID(correlation_id)
        assert response.json()["ctx_correlation_id"] == correlation_id
    assert ids[0] != ids[1]


def test_anonymous_request_is_not_attributed_to_a_user(client: TestClient) -> None:
    body = client.get("/anonymous-sync", headers={"X-Correlation-ID": "anon-1"}).json()
    assert body["ctx_correlation_id"] == "anon-1"
    assert body["ctx_actor"] == "anonymous"


# --- probes -----------------------------------------------------------------------------------------------


def test_livez_and_readyz_when_all_checks_pass() -> None:
    async def kafka_ok() -> bool:
        return True

    with TestClient(build_app(checks={"database": lambda: True, "kafka": kafka_ok})) as client:
        assert client.get("/livez").json() == {"status": "ok"}
        ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "kafka": "ok"}}


def test_readyz_reports_failing_raising_and_hanging_checks() -> None:
    async def hangs() -> bool:
        await anyio.sleep(30)
        return True

    def raises() -> bool:
        raise ConnectionError("db down")

    app = FastAPI()
    install_problem_handlers(app)
    checks: dict[str, ReadinessCheck] = {
        "database": raises,
        "kafka": lambda: False,
        "outbox": hangs,
        "disk": lambda: True,
    }
    app.include_router(health_router(checks, timeout=0.2))
    with TestClient(app) as client:
        assert client.get("/livez").status_code == 200  # liveness ignores the checks
        started = time.monotonic()
        response = client.get("/readyz")
        assert time.monotonic() - started < 5
    body = assert_problem(response, 503, "NOT_READY")
    assert body["failing"] == ["database", "kafka", "outbox"]
    assert body["checks"] == {"database": "failed", "kafka": "failed", "outbox": "timeout", "disk": "ok"}
    assert "db down" not in response.text


# --- logging ----------------------------------------------------------------------------------------------


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _reset_logging() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler).__name__ == "_PilotHandler":
            root.removeHandler(handler)
    root.setLevel(logging.WARNING)


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("test-service", "INFO", stream=io.StringIO())
    configure_logging("test-service", "INFO", stream=stream)  # again: must replace, not add
    yield stream
    _reset_logging()


def test_configure_logging_is_idempotent(log_stream: io.StringIO) -> None:
    pilot_handlers = [h for h in logging.getLogger().handlers if type(h).__name__ == "_PilotHandler"]
    assert len(pilot_handlers) == 1
    logging.getLogger("pilot.test").info("once")
    assert [line["message"] for line in _lines(log_stream)] == ["once"]


def test_request_log_line_carries_correlation_id(
    log_stream: io.StringIO, client: TestClient, issuer: TokenIssuer
) -> None:
    headers = {**token_for(issuer, Role.MINISTRY, sub="mee-1"), "X-Correlation-ID": "corr-log-1"}
    assert client.get("/whoami-sync", headers=headers).status_code == 200
    access = [line for line in _lines(log_stream) if line["logger"] == "pilot_common.access"]
    assert len(access) == 1
    line = access[0]
    assert line["correlation_id"] == "corr-log-1"
    assert line["actor"] == "mee-1"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/whoami-sync", 200)
    assert line["service"] == "test-service"
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")


def test_log_line_has_extra_fields_and_exception(log_stream: io.StringIO) -> None:
    log = logging.getLogger("pilot.test")
    log.info("application %s submitted", "A-1", extra={"application_id": "A-1", "province": "370000"})
    try:
        raise KeyError("missing section")
    except KeyError:
        log.exception("could not check eligibility")
    submitted, failed = _lines(log_stream)
    assert submitted["message"] == "application A-1 submitted"
    assert (submitted["application_id"], submitted["province"]) == ("A-1", "370000")
    assert submitted["level"] == "INFO" and submitted["service"] == "test-service"
    assert "correlation_id" not in submitted  # no context set here, and logging must not invent one
    assert failed["level"] == "ERROR"
    assert "KeyError: 'missing section'" in failed["exception"]


# --- settings ---------------------------------------------------------------------------------------------


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://intake@db/intake")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("PILOT_DEV_TOKENS", "true")
    monkeypatch.setenv("PILOT_CONSUMER_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("PILOT_LOG_LEVEL", "debug")
    monkeypatch.setenv("PILOT_JWT_SECRET", SECRET)
    settings = ServiceSettings(service_name="application-intake")
    assert settings.database_url == "postgresql+psycopg://intake@db/intake"
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.dev_tokens_enabled is True
    assert settings.consumer_max_attempts == 5
    assert settings.log_level == "DEBUG"
    assert not settings.uses_dev_secret


def test_settings_defaults_are_embedded_and_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "PILOT_DEV_TOKENS", "PILOT_JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    settings = ServiceSettings(service_name="evaluation")
    assert settings.database_url == "sqlite:///./data/evaluation.db"
    assert settings.kafka_bootstrap_servers is None
    assert settings.dev_tokens_enabled is False
    assert settings.jwt_secret == DEV_JWT_SECRET and settings.uses_dev_secret
    assert DEV_JWT_SECRET not in repr(settings)


def test_verified_token_memo_honours_expiry_and_never_shares_an_entry() -> None:
    # leeway 0: the token stops verifying the moment its exp passes
    verifier = TokenVerifier(SECRET, ISSUER, AUDIENCE, leeway=0)
    issuer = TokenIssuer(SECRET, ISSUER, AUDIENCE)
    short = issuer.issue("m1", Role.MINISTRY, ttl=1)
    first = verifier.verify(short)
    assert verifier.verify(short) == first == Principal(user_id="m1", role=Role.MINISTRY)
    assert len(verifier.verified) == 1

    # another token (another user; the same claims with a forged signature) is verified on its own
    other = issuer.issue("p1", Role.PROVINCE, province="370000")
    assert verifier.verify(other) == Principal(user_id="p1", role=Role.PROVINCE, province="370000")
    forged = jwt.encode(jwt.decode(short, options={"verify_signature": False}), "x" * 32, algorithm="HS256")
    with pytest.raises(ProblemError) as refused:
        verifier.verify(forged)
    assert refused.value.code == "TOKEN_INVALID"
    assert len(verifier.verified) == 2  # refusals are not remembered

    # once exp has passed, the remembered token is refused exactly as an unremembered one
    exp = jwt.decode(short, options={"verify_signature": False})["exp"]
    while time.time() < exp:  # wait for the clock, not a fixed time
        time.sleep(0.05)
    for candidate in (verifier, TokenVerifier(SECRET, ISSUER, AUDIENCE, leeway=0)):
        with pytest.raises(ProblemError) as expired:
            candidate.verify(short)
        assert expired.value.code == "TOKEN_EXPIRED"


def test_verified_token_memo_is_bounded_in_age_and_size() -> None:
    now = [1000.0]
    memo = VerifiedTokens(max_entries=2, max_age=60, clock=lambda: now[0])
    a, b, c = (Principal(user_id=name, role=Role.MINISTRY) for name in "abc")
    memo.put("ta", a, valid_until=5000)
    memo.put("tb", b, valid_until=1010)  # expires before the max age
    assert memo.get("ta") == a and memo.get("tb") == b
    now[0] = 1010
    assert memo.get("tb") is None and memo.get("ta") == a
    now[0] = 1060
    assert memo.get("ta") is None  # never older than max_age
    memo.put("ta", a, 5000)
    memo.put("tb", b, 5000)
    memo.get("ta")
    memo.put("tc", c, 5000)  # evicts the least recently used: tb
    assert memo.get("tb") is None and memo.get("ta") == a and memo.get("tc") == c
