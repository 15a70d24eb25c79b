"""The console's composition root: `create_console(settings)` is the whole web front end, a thin client of the
services' public APIs (embedded: mounted at `/` of the platform; distributed: `python -m pilot_console`)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from pilot_common.auth import DemoUser, Verifier, token_verifier
from pilot_common.problems import ProblemError
from pilot_common.settings import ServiceSettings
from pilot_common.web import SecurityHeadersMiddleware
from pilot_console import signin
from pilot_console.client import ApiError, ServiceUrls
from pilot_console.pages import auditor, ministry, province, reviewer
from pilot_console.settings import ConsoleSettings
from pilot_console.web import HERE, CsrfRejected, NotAllowed, Page, SignInRequired, error_page, sign_in_url

# Everything from this origin: no CDN, no inline script; frames only of the console's own attachment views.
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
)


# The console's own headers, set before the platform's usual security headers (which do not override them).
CONSOLE_HEADERS = {"Content-Security-Policy": CONSOLE_CSP, "X-Frame-Options": "SAMEORIGIN"}


def create_console(
    settings: ConsoleSettings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    verifier: Verifier | None = None,
    demo_users: Sequence[DemoUser] = (),
) -> FastAPI:
    app = FastAPI(title="清洁生产审核创新试点 — 控制台", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.service_urls = ServiceUrls(settings.registry_url, settings.intake_url, settings.evaluation_url)
    app.state.http = httpx.AsyncClient(transport=transport, timeout=settings.timeout_seconds)
    app.state.verifier = verifier or token_verifier(ServiceSettings(service_name="pilot-console"))
    app.state.demo_users = tuple(demo_users)
    app.state.oauth = None
    if settings.oidc_metadata_url and settings.oidc_client_id:
        oauth = signin.OAuth()
        oauth.register(
            "idp",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_metadata_url,
            client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
        )
        app.state.oauth = oauth

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, _: Exception) -> Response:
        return RedirectResponse(sign_in_url(request), status_code=303)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, _: Exception) -> Response:
        return error_page(request, 403)

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, _: Exception) -> Response:
        expired = ApiError(403, "CSRF_REJECTED", "表单已失效，请刷新页面后重试", "The form expired; reload the page")
        return error_page(request, 403, expired)

    @app.exception_handler(ApiError)
    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiError)
        if error.status == 401:  # the token expired or was revoked: sign in again
            request.session.clear()
            return RedirectResponse(sign_in_url(request), status_code=303)
        return error_page(request, error.status, error)

    @app.exception_handler(StarletteHTTPException)
    async def no_such_page(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        return error_page(request, error.status_code)

    @app.exception_handler(ProblemError)
    async def token_refused(request: Request, _: Exception) -> Response:
        current = Page(request)
        current.flash(current.tr("登录凭证无效", "The sign-in token was refused"))
        return RedirectResponse("/signin", status_code=303)

    @app.get("/livez", include_in_schema=False)
    async def alive() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/readyz", include_in_schema=False)
    async def ready() -> Response:
        """Ready when the three services answer (their own liveness): a console without them shows only errors."""
        urls: ServiceUrls = app.state.service_urls
        down = []
        for name, base in (("registry", urls.registry), ("intake", urls.intake), ("evaluation", urls.evaluation)):
            try:
                answer = await app.state.http.get(f"{base.rstrip('/')}/livez", timeout=3)
                if answer.status_code != 200:
                    down.append(name)
            except httpx.HTTPError:
                down.append(name)
        status = 503 if down else 200
        return JSONResponse({"status": "ready" if not down else "waiting", "unreachable": down}, status_code=status)

    app.include_router(signin.router)
    app.include_router(province.router)
    app.include_router(reviewer.router)
    app.include_router(ministry.router)
    app.include_router(auditor.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret or secrets.token_urlsafe(48),
        session_cookie="pilot_console",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(SecurityHeadersMiddleware, first=CONSOLE_HEADERS)
    return app
