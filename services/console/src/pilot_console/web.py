"""What every page shares: the signed-in user (from the session cookie), the language, CSRF protection, the
services as that user sees them, rendering and the answers to refusals."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from pilot_console import i18n
from pilot_console.client import ApiError, Services, ServiceUrls
from pilot_console.i18n import Lang

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
_env = templates.env
_env.globals.update(
    label=i18n.label,
    section_number=i18n.section_number,
    as_date=i18n.as_date,
    as_moment=i18n.as_moment,
    as_money=i18n.as_money,
    as_megabytes=i18n.as_megabytes,
    as_points=i18n.as_points,
    days_left=i18n.days_left,
    yuan_to_wan=i18n.yuan_to_wan,
    APPLICATION_STATUS=i18n.APPLICATION_STATUS,
    PROGRAMME_STATUS=i18n.PROGRAMME_STATUS,
    PILOT_TYPES=i18n.PILOT_TYPES,
    RULES=i18n.RULES,
    RULE_STATUS=i18n.RULE_STATUS,
    ATTACHMENT_KINDS=i18n.ATTACHMENT_KINDS,
    SECTIONS=i18n.SECTIONS,
    DETAIL_FIELDS=i18n.DETAIL_FIELDS,
    ORGANISATIONS=i18n.ORGANISATIONS,
    SHEET_STATUS=i18n.SHEET_STATUS,
    ROLES=i18n.ROLES,
    ORGANISATION_KINDS=i18n.ORGANISATION_KINDS,
    PILOT_OBJECT_KINDS=i18n.PILOT_OBJECT_KINDS,
    FINDING_SOURCES=i18n.FINDING_SOURCES,
    MEDIA_LEVELS=i18n.MEDIA_LEVELS,
    PARK_TYPE_NAMES=i18n.PARK_TYPE_NAMES,
    KEY_INDUSTRY_NAMES=i18n.KEY_INDUSTRY_NAMES,
)


@dataclass(frozen=True)
class User:
    sub: str
    name: str
    role: str
    province: str | None


class SignInRequired(Exception):
    """No (or an expired) session: the page answers with the sign-in page."""


class NotAllowed(Exception):
    """The signed-in user's role has no such page."""


class CsrfRejected(Exception):
    pass


def session_user(request: Request) -> User | None:
    data = request.session.get("user")
    if not isinstance(data, dict) or not request.session.get("token"):
        return None
    return User(str(data["sub"]), str(data.get("name") or data["sub"]), str(data["role"]), data.get("province"))


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


class Page:
    """One request of one user: their services, language, flash messages; renders templates."""

    def __init__(self, request: Request) -> None:
        self.request = request
        asked = request.query_params.get("lang")
        if asked in i18n.LANGS:
            request.session["lang"] = asked
        lang = request.session.get("lang", "zh")
        self.lang: Lang = "en" if lang == "en" else "zh"
        self.user = session_user(request)
        state = request.app.state
        urls: ServiceUrls = state.service_urls
        self.services = Services(state.http, urls, request.session.get("token"))

    def tr(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def flash(self, text: str, kind: str = "error") -> None:
        self.request.session.setdefault("flash", []).append({"kind": kind, "text": text})

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    def refused(self, error: ApiError, back: str) -> RedirectResponse:
        """A form the service refused: back to the form with the service's reason (its Chinese title)."""
        if error.status == 401:
            raise error
        self.flash(error.message(self.lang))
        return self.redirect(back)

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        flashes = self.request.session.pop("flash", [])
        context = {
            "page": self,
            "user": self.user,
            "lang": self.lang,
            "tr": self.tr,
            "csrf": csrf_token(self.request),
            "flashes": flashes,
            "demo_sign_in": self.request.app.state.settings.demo_sign_in,
            **values,
        }
        return templates.TemplateResponse(self.request, template, context, status_code=status_code)


def page(request: Request) -> Page:
    return Page(request)


def signed_in(current: Annotated[Page, Depends(page)]) -> Page:
    if current.user is None:
        raise SignInRequired
    return current


def province_page(current: Annotated[Page, Depends(signed_in)]) -> Page:
    if current.user is None or current.user.role != "province":
        raise NotAllowed
    return current


def reviewer_page(current: Annotated[Page, Depends(signed_in)]) -> Page:
    if current.user is None or current.user.role != "reviewer":
        raise NotAllowed
    return current


async def csrf_protect(request: Request) -> None:
    """Every state-changing request carries the session's CSRF token (form field or X-CSRF-Token header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get("csrf")
    given = request.headers.get("x-csrf-token")
    if given is None:
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not isinstance(expected, str) or given is None or not hmac.compare_digest(expected, given):
        raise CsrfRejected


AnyPage = Annotated[Page, Depends(page)]
SignedIn = Annotated[Page, Depends(signed_in)]
ProvincePage = Annotated[Page, Depends(province_page)]
ReviewerPage = Annotated[Page, Depends(reviewer_page)]


async def form_of(request: Request) -> FormData:
    return await request.form()


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    return [v.strip() if isinstance(v, str) else "" for v in form.getlist(name)]


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{request.scope.get('root_path', '')}/signin?next={quote(target)}"


def error_page(request: Request, status: int, error: ApiError | None = None) -> Response:
    current = Page(request)
    return current.render("error.html", status_code=status, status=status, error=error)
