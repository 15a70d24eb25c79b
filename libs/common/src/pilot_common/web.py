"""The one place where a service's FastAPI app gets its common pieces: errors, auth, context, probes, logs."""

import logging
import re
import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import replace
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import anyio
from fastapi import Depends, FastAPI, Response
from fastapi_offline import FastAPIOffline
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Lifespan, Message, Receive, Scope, Send

from pilot_common import observability
from pilot_common.auth import (
    ANONYMOUS_ACTOR,
    TokenIssuer,
    Verifier,
    authenticate,
    dev_token_router,
    token_verifier,
)
from pilot_common.clock import business_clock_now
from pilot_common.context import CallContext, acting, new_id
from pilot_common.health import ReadinessCheck, health_router
from pilot_common.problems import (
    PROBLEM_MEDIA_TYPE,
    FieldError,
    ProblemError,
    install_problem_handlers,
    problem_response,
    problem_responses,
    unexpected_problem,
    validation_failed,
)
from pilot_common.settings import ServiceSettings
from pilot_common.summaries_zh import SUMMARIES_ZH

CORRELATION_HEADER = "X-Correlation-ID"
REQUEST_HEADER = "X-Request-ID"
# A client-chosen id ends up in logs and in every stored event: accept only a plain token, else make one.
_VALID_CORRELATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_PROBE_PATHS = frozenset({"/livez", "/readyz", "/metrics"})
# Request bodies: JSON is refused past 2 MiB before it is parsed; uploads (multipart) have their own per-file limit
# in the application, checked while reading, and this ceiling above it.
MAX_JSON_BODY = 2 * 1024 * 1024
MAX_UPLOAD_BODY = 64 * 1024 * 1024


DOCS_STATIC = "/static-offline-docs"
_DOCS_PAGES = ("/docs", "/redoc", "/docs/oauth2-redirect")
# The docs pages run Swagger UI / ReDoc from this service's own files (inline bootstrap script, data: images,
# ReDoc's blob: worker); every other answer is data and may load nothing at all.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def security_headers(path: str, headers: MutableHeaders) -> None:
    """The headers every answer carries; API answers are never cached (they are per user)."""
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if DOCS_STATIC in path:
        headers.setdefault("Cache-Control", "public, max-age=86400")
        headers.setdefault("Content-Security-Policy", API_CSP)
    elif path.endswith(_DOCS_PAGES):
        headers.setdefault("Cache-Control", "no-store")
        headers.setdefault("Content-Security-Policy", DOCS_CSP)
    else:
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Content-Security-Policy", API_CSP)


def _body_limit(headers: Headers) -> int:
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return MAX_UPLOAD_BODY if media_type == "multipart/form-data" else MAX_JSON_BODY


def body_too_large(limit: int) -> ProblemError:
    return ProblemError(
        413,
        "PAYLOAD_TOO_LARGE",
        "请求内容过大",
        "Payload too large",
        f"the request body exceeds {limit} bytes",
        detail_zh=f"请求内容超过 {limit} 字节的上限",
        extra={"max_bytes": limit},
    )


class _BodyTooLarge(StarletteHTTPException):
    """Raised while the body is read; FastAPI passes HTTP exceptions through to the problem handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")
        self.limit = limit


_log = logging.getLogger(__name__)
_access = logging.getLogger("pilot_common.access")


class SecurityHeadersMiddleware:
    """Only the security headers, for an app that mounts services (the embedded platform) or the console; `first`
    are headers of the app's own that the usual ones do not override (e.g. the console's content policy)."""

    def __init__(self, app: ASGIApp, first: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.first = dict(first or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.first.items():
                    headers.setdefault(name, value)
                security_headers(scope["path"], headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestContextMiddleware:
    """Per HTTP request: correlation and request ids, the token's principal, the call context, one log line.

    Pure ASGI rather than BaseHTTPMiddleware, and it catches unhandled errors itself: Starlette's
    last-resort handler runs outside all middleware, where the call context (and thus the correlation id
    in the 500 body and the error log) would already be gone.
    """

    def __init__(self, app: ASGIApp, service_name: str) -> None:
        self.app = app
        self.service_name = service_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        offered = headers.get(CORRELATION_HEADER, "")
        correlation_id = offered if _VALID_CORRELATION_ID.match(offered) else new_id()
        request_id = new_id()

        limit = _body_limit(headers)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:

            async def send_refusal(message: Message) -> None:
                if message["type"] == "http.response.start":
                    security_headers(scope["path"], MutableHeaders(scope=message))
                await send(message)

            await problem_response(body_too_large(limit), scope["path"])(scope, receive, send_refusal)
            return
        received = 0

        async def receive_bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        principal, auth_problem = None, None
        authorization = headers.get("authorization")
        if authorization is not None:
            verifier: Verifier | None = getattr(scope["app"].state, "token_verifier", None)
            if verifier is not None and verifier.blocking:
                # may fetch the identity provider's keys: not on the event loop
                principal, auth_problem = await anyio.to_thread.run_sync(authenticate, verifier, authorization)
            else:
                principal, auth_problem = authenticate(verifier, authorization)
        state = Request(scope).state  # read by `auth.authenticated`
        state.principal = principal
        state.auth_problem = auth_problem
        state.request_id = request_id

        ctx = CallContext(
            actor=principal.actor if principal is not None else ANONYMOUS_ACTOR,
            correlation_id=correlation_id,
            causation_id=request_id,
        )
        status = 500
        started = False

        async def send_with_ids(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                response_headers = MutableHeaders(scope=message)
                response_headers[CORRELATION_HEADER] = correlation_id
                response_headers[REQUEST_HEADER] = request_id
                security_headers(scope["path"], response_headers)
            await send(message)

        method, path = scope["method"], scope["path"]
        began = time.perf_counter()
        # One server span per request, continuing the caller's W3C trace: FastAPI's own when it traces (an SDK
        # tracer provider is installed), else ours; the call context carries it into every event recorded.
        own_span = not trace.get_current_span().get_span_context().is_valid
        with (
            (
                observability.span(
                    f"{method} {path}",
                    kind=SpanKind.SERVER,
                    parent=observability.extract({k: v for k, v in headers.items() if k == "traceparent"}),
                    attributes={"http.request.method": method, "pilot.service": self.service_name},
                )
                if own_span
                else nullcontext(trace.get_current_span())
            ) as server_span,
            acting(replace(ctx, traceparent=observability.current_traceparent())),
        ):
            try:
                await self.app(scope, receive_bounded, send_with_ids)
            except Exception as error:
                problem = unexpected_problem(error, method, path)
                if started:
                    raise  # too late for a problem response; let the server drop the connection
                await problem_response(problem, path)(scope, receive, send_with_ids)
            finally:
                elapsed = time.perf_counter() - began
                duration_ms = round(elapsed * 1000, 1)
                route = getattr(scope.get("route"), "path", None) or observability.UNMATCHED_ROUTE
                if own_span:
                    server_span.update_name(f"{method} {route}")
                    server_span.set_attribute("http.route", route)
                    server_span.set_attribute("http.response.status_code", status)
                observability.HTTP_REQUESTS.labels(self.service_name, method, route, str(status)).inc()
                observability.HTTP_LATENCY.labels(self.service_name, method, route).observe(elapsed)
                _access.log(
                    logging.DEBUG if path in _PROBE_PATHS else logging.INFO,  # probes every few seconds
                    "%s %s %s",
                    method,
                    path,
                    status,
                    extra={
                        "service": self.service_name,
                        "method": method,
                        "path": path,
                        "status": status,
                        "duration_ms": duration_ms,
                    },
                )


def _metrics() -> Response:
    # Operators' figures, no business data; the NetworkPolicy lets only the monitoring namespace scrape it.
    body, content_type = observability.metrics_payload()
    return Response(body, media_type=content_type)


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    version: str,
    readiness_checks: Mapping[str, ReadinessCheck] | None = None,
    lifespan: Lifespan[FastAPI] | None = None,
) -> FastAPI:
    """A FastAPI app with problem+json errors, bearer auth, call context, request logs and probes.

    Logging is process-wide, so it is not configured here: call `configure_logging` once at start-up.
    """
    app = FastAPIOffline(  # Swagger UI and ReDoc from this service's own files: no CDN, works on an intranet
        static_url=DOCS_STATIC,
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        # Any route can fail validation, meet a database or broker outage (503, Retry-After) or crash; routers add
        # their own statuses with problem_responses().
        responses=problem_responses(422, 500, 503),
        # FastAPI's own OpenTelemetry covers traces only: metrics are Prometheus (/metrics) and logs JSON lines.
        # (It asks the global providers on every request whether it has anything to do.)
        telemetry={"metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.token_verifier = token_verifier(settings)
    install_problem_handlers(app)
    _document_edge(app)
    app.add_middleware(RequestContextMiddleware, service_name=settings.service_name)
    app.include_router(health_router(readiness_checks or {}))
    app.add_api_route("/metrics", _metrics, methods=["GET"], include_in_schema=False)
    if settings.dev_tokens_enabled:
        app.include_router(dev_token_router(TokenIssuer.from_settings(settings)))
    if settings.uses_dev_secret and not settings.oidc_jwks_url:
        _log.warning(
            "%s uses the DEVELOPMENT JWT secret (embedded default and tests only; a service started on its own "
            "refuses it)",
            settings.service_name,
        )
    return app


# --- business dates at the edge ---------------------------------------------------------------------------

BUSINESS_TIME_ZONE = ZoneInfo("Asia/Shanghai")


def business_today() -> date:
    """Today's date in Beijing on the service's business clock (`pilot_common.clock`, persisted per service)."""
    return business_clock_now().astimezone(BUSINESS_TIME_ZONE).date()


BusinessToday = Annotated[date, Depends(business_today)]


def ensure_not_after_today(value: date | None, today: date, field: str) -> None:
    """422 when a date that records something past (a finding's disclosure) lies in the future."""
    if value is not None and value > today:
        raise validation_failed(
            [
                FieldError(
                    field=field,
                    code="date_in_future",
                    message=f"must not be after today ({today.isoformat()})",
                    message_zh=f"不得晚于今天（{today.isoformat()}）",
                )
            ],
            f"{field} lies in the future",
        )


# --- OpenAPI: Chinese summaries, the edge's own statuses ---------------------------------------------------


def _document_edge(app: FastAPI) -> None:
    """Chinese summaries (`中文 · English`), and the statuses the edge itself answers: 413 for any body over
    the limit, 415 for uploads of an unaccepted type."""
    generate = app.openapi
    too_large, unsupported = problem_responses(413, 415).values()

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if not isinstance(operation, dict):
                    continue
                zh = SUMMARIES_ZH.get(f"{method.upper()} {path}")
                english = operation.get("summary", "")
                if zh and zh not in english:
                    operation["summary"] = f"{zh} · {english}" if english else zh
                body = operation.get("requestBody")
                if body is None:
                    continue
                responses = operation.setdefault("responses", {})
                responses.setdefault("413", _problem_entry(too_large))
                if "multipart/form-data" in body.get("content", {}):
                    responses.setdefault("415", _problem_entry(unsupported))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problem_entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": entry["description"],
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                **entry["content"][PROBLEM_MEDIA_TYPE],
            }
        },
    }
