"""The one place where a service's FastAPI app gets its common pieces: errors, auth, context, probes, logs."""

import logging
import re
import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import replace

from fastapi import FastAPI, Response
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Lifespan, Message, Receive, Scope, Send

from pilot_common import observability
from pilot_common.auth import ANONYMOUS_ACTOR, TokenIssuer, TokenVerifier, authenticate, dev_token_router
from pilot_common.context import CallContext, acting, new_id
from pilot_common.health import ReadinessCheck, health_router
from pilot_common.problems import install_problem_handlers, internal_error, problem_response, problem_responses
from pilot_common.settings import ServiceSettings

CORRELATION_HEADER = "X-Correlation-ID"
REQUEST_HEADER = "X-Request-ID"
# A client-chosen id ends up in logs and in every stored event: accept only a plain token, else make one.
_VALID_CORRELATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_PROBE_PATHS = frozenset({"/livez", "/readyz", "/metrics"})

_log = logging.getLogger(__name__)
_access = logging.getLogger("pilot_common.access")


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

        principal, auth_problem = None, None
        authorization = headers.get("authorization")
        if authorization is not None:
            verifier = getattr(scope["app"].state, "token_verifier", None)
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
                await self.app(scope, receive, send_with_ids)
            except Exception:
                _log.exception("unhandled error in %s %s", method, path)
                if started:
                    raise  # too late for a problem response; let the server drop the connection
                await problem_response(internal_error(), path)(scope, receive, send_with_ids)
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
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        # Any route can fail validation or crash; routers add their own statuses with problem_responses().
        responses=problem_responses(422, 500),
    )
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier.from_settings(settings)
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware, service_name=settings.service_name)
    app.include_router(health_router(readiness_checks or {}))
    app.add_api_route("/metrics", _metrics, methods=["GET"], include_in_schema=False)
    if settings.dev_tokens_enabled:
        app.include_router(dev_token_router(TokenIssuer.from_settings(settings)))
    if settings.uses_dev_secret:
        _log.warning(
            "%s uses the DEVELOPMENT JWT secret: anyone can forge tokens; set PILOT_JWT_SECRET",
            settings.service_name,
        )
    return app
