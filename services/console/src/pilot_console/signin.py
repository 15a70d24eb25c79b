"""Sign-in and sign-out. Embedded default: the demo users, one click (their tokens come from the registry's
`/dev/tokens`). Distributed mode: the OpenID Connect authorization-code flow (with PKCE) against the organisation's
identity provider; the access token it gives is what the console sends to the services."""

from __future__ import annotations

import warnings
from typing import Any

with warnings.catch_warnings():  # Authlib warns about its own httpx integration on import; nothing for us to do
    warnings.simplefilter("ignore")
    from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pilot_common.auth import DemoUser, Principal, Verifier
from pilot_common.problems import ProblemError
from pilot_console.client import ApiError
from pilot_console.settings import ConsoleSettings
from pilot_console.web import AnyPage, Page, csrf_protect, form_of, text

__all__ = ["OAuth", "router"]

router = APIRouter()


def home_of(role: str) -> str:
    return {"province": "/province", "reviewer": "/reviewer", "ministry": "/ministry", "auditor": "/auditor"}.get(
        role, "/"
    )


def _safe_next(target: str | None) -> str | None:
    # Only a path of this console (no scheme, no host): never an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


async def start_session(current: Page, token: str) -> Principal:
    verifier: Verifier = current.request.app.state.verifier
    authorization = f"Bearer {token}"
    if verifier.blocking:
        principal = await run_in_threadpool(verifier.verify_authorization, authorization)
    else:
        principal = verifier.verify_authorization(authorization)
    session = current.request.session
    lang = session.get("lang", "zh")
    session.clear()  # a new session for a new user: nothing of the previous one survives
    session["lang"] = lang
    session["token"] = token
    session["user"] = {
        "sub": principal.user_id,
        "name": principal.name or principal.user_id,
        "role": principal.role.value,
        "province": principal.province,
    }
    return principal


@router.get("/signin")
async def sign_in_page(current: AnyPage, next: str | None = None) -> Response:
    state = current.request.app.state
    users: tuple[DemoUser, ...] = state.demo_users if state.settings.demo_sign_in else ()
    return current.render("signin.html", users=users, next=_safe_next(next), oidc=state.oauth is not None)


@router.post("/signin/demo", dependencies=[Depends(csrf_protect)])
async def sign_in_demo(current: AnyPage, request: Request) -> Response:
    state = request.app.state
    form = await form_of(request)
    sub = text(form, "sub")
    if not state.settings.demo_sign_in or sub not in {u.sub for u in state.demo_users}:
        current.flash(current.tr("没有这个演示用户", "No such demo user"))
        return current.redirect("/signin")
    try:
        issued = await current.services.registry.post("/dev/tokens", json={"sub": sub})
    except ApiError as error:
        return current.refused(error, "/signin")
    principal = await start_session(current, issued["access_token"])
    return current.redirect(_safe_next(text(form, "next")) or home_of(principal.role.value))


def _redirect_uri(request: Request, settings: ConsoleSettings) -> str:
    return settings.oidc_redirect_url or str(request.url_for("oidc_callback"))


@router.get("/signin/oidc")
async def sign_in_oidc(request: Request, next: str | None = None) -> Response:
    oauth: OAuth | None = request.app.state.oauth
    if oauth is None:
        return RedirectResponse("/signin", status_code=303)
    request.session["after_sign_in"] = _safe_next(next)
    client: Any = oauth.create_client("idp")
    response: Response = await client.authorize_redirect(request, _redirect_uri(request, request.app.state.settings))
    return response


@router.get("/auth/callback", name="oidc_callback")
async def oidc_callback(current: AnyPage, request: Request) -> Response:
    oauth: OAuth | None = request.app.state.oauth
    if oauth is None:
        return current.redirect("/signin")
    client: Any = oauth.create_client("idp")
    after = request.session.pop("after_sign_in", None)
    try:
        token = await client.authorize_access_token(request)
        principal = await start_session(current, token["access_token"])
    except (OAuthError, ProblemError, KeyError) as error:
        current.flash(current.tr("统一身份认证登录失败：", "Sign-in with the identity provider failed: ") + str(error))
        return current.redirect("/signin")
    return current.redirect(_safe_next(after) or home_of(principal.role.value))


@router.post("/signout", dependencies=[Depends(csrf_protect)])
async def sign_out(current: AnyPage) -> Response:
    lang = current.request.session.get("lang", "zh")
    current.request.session.clear()
    current.request.session["lang"] = lang
    return current.redirect("/signin")


@router.get("/")
async def home(current: AnyPage) -> Response:
    if current.user is None:
        return current.redirect("/signin")
    if current.user.role in ("province", "reviewer", "ministry", "auditor"):
        return current.redirect(home_of(current.user.role))
    return current.render("home.html")
