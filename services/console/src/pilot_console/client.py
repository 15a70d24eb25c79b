"""The three services' public HTTP APIs, called with the signed-in user's bearer token. The console keeps no data
and no rule of its own: whatever a service refuses comes back as an `ApiError` carrying its problem+json."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from pilot_console.i18n import Lang


@dataclass
class ApiError(Exception):
    """A service's refusal (problem+json), or the service being unreachable (status 502)."""

    status: int
    code: str
    title: str
    title_en: str
    detail: str | None = None
    detail_zh: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def message(self, lang: Lang) -> str:
        title = self.title if lang == "zh" else self.title_en
        detail = self.detail_zh if lang == "zh" else self.detail
        texts = [title] + ([detail] if detail and detail != title else [])
        for error in self.errors[:10]:
            text = error.get("message_zh") if lang == "zh" else error.get("message")
            where = str(error.get("field", "")).removeprefix("body.")
            if text:
                texts.append(f"{where}: {text}" if where else str(text))
        return "；".join(texts) if lang == "zh" else "; ".join(texts)

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        return cls(
            status=response.status_code,
            code=str(body.get("code", f"HTTP_{response.status_code}")),
            title=str(body.get("title", "服务返回错误")),
            title_en=str(body.get("title_en", f"The service answered {response.status_code}")),
            detail=body.get("detail"),
            detail_zh=body.get("detail_zh"),
            errors=[e for e in body.get("errors") or [] if isinstance(e, dict)],
        )


@dataclass(frozen=True)
class Download:
    content: bytes
    media_type: str
    file_name: str | None


class ServiceApi:
    """One service's API for one user."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str | None) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, self._base + path, headers=self._headers, **kwargs)
        except httpx.HTTPError as exc:
            unreachable = ApiError(502, "SERVICE_UNAVAILABLE", "服务暂时无法访问", "Service unreachable", str(exc))
            raise unreachable from exc
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        return response

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._send(method, path, **kwargs)
        return response.json() if response.content else None

    async def get(self, path: str, **params: Any) -> Any:
        return await self.call("GET", path, params={k: v for k, v in params.items() if v is not None})

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return await self.call("POST", path, json=json, **kwargs)

    async def put(self, path: str, json: Any) -> Any:
        return await self.call("PUT", path, json=json)

    async def patch(self, path: str, json: Any) -> Any:
        return await self.call("PATCH", path, json=json)

    async def delete(self, path: str) -> Any:
        return await self.call("DELETE", path)

    async def download(self, path: str) -> Download:
        response = await self._send("GET", path)
        disposition = response.headers.get("content-disposition", "")
        name = disposition.split("filename*=UTF-8''", 1)[1] if "filename*=UTF-8''" in disposition else None
        return Download(response.content, response.headers.get("content-type", "application/octet-stream"), name)


@dataclass(frozen=True)
class ServiceUrls:
    registry: str
    intake: str
    evaluation: str


class Services:
    """The three services as one user sees them."""

    def __init__(self, http: httpx.AsyncClient, urls: ServiceUrls, token: str | None) -> None:
        self.registry = ServiceApi(http, urls.registry, token)
        self.intake = ServiceApi(http, urls.intake, token)
        self.evaluation = ServiceApi(http, urls.evaluation, token)
