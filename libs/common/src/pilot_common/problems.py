"""Errors as RFC 9457 problem details (`application/problem+json`), with a stable machine code.

Every error any service returns has the same shape, so that a province's client can show the Chinese
title, branch on `code` and point at the offending field, and support can find the request by its
correlation id.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from pilot_common import context as _context
from pilot_common.faults import is_infrastructure_error
from pilot_common.violations import DomainRuleViolation, ViolationKind

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://pilots.example/problems/"

_log = logging.getLogger(__name__)
_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_MEMBERS = frozenset(
    {"type", "title", "title_en", "status", "code", "detail", "detail_zh", "instance", "correlation_id", "errors"}
)


class FieldError(BaseModel):
    """One invalid input: where it is, a machine code, and a human message."""

    model_config = ConfigDict(frozen=True)

    field: str = Field(description="Dotted path of the input, e.g. `body.projectName`.")
    code: str = Field(description="Machine code, e.g. the pydantic error type `missing`.")
    message: str = Field(description="What is wrong, in English.")
    message_zh: str | None = Field(default=None, description="同上，中文。")
    allowed: list[str] | None = Field(default=None, description="The valid values, where the value is from a set.")


class Problem(BaseModel):
    """The body of every error response (RFC 9457), plus `code`, `title_en`, `correlation_id`, `errors`."""

    model_config = ConfigDict(extra="allow")  # problem-specific extension members, e.g. quota figures

    type: str = Field(description="URI identifying the problem type.")
    title: str = Field(description="Short summary in Chinese.")
    title_en: str = Field(description="Short summary in English.")
    status: int
    code: str = Field(description="Stable machine code, e.g. `QUOTA_EXCEEDED`.")
    detail: str | None = Field(default=None, description="What happened, in English.")
    detail_zh: str | None = Field(default=None, description="具体情况（中文）。")
    instance: str | None = Field(default=None, description="Path of the request that failed.")
    correlation_id: str | None = Field(default=None, description="Quote it when reporting the error.")
    errors: list[FieldError] = Field(default_factory=list)


def type_uri_for(code: str) -> str:
    return PROBLEM_TYPE_BASE + code.lower().replace("_", "-")


class ProblemError(Exception):
    """Raise anywhere in request handling; the installed handler renders it as problem+json."""

    def __init__(
        self,
        status: int,
        code: str,
        title_zh: str,
        title_en: str,
        detail: str | None = None,
        *,
        errors: Iterable[FieldError] = (),
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        type_uri: str | None = None,
        detail_zh: str | None = None,
    ) -> None:
        if not _CODE.match(code):
            raise ValueError(f"problem code must be UPPER_SNAKE_CASE, got {code!r}")
        clash = _MEMBERS.intersection(extra or {})
        if clash:
            raise ValueError(f"extra must not overwrite standard members: {sorted(clash)}")
        super().__init__(f"{code}: {detail or title_en}")
        self.status = status
        self.code = code
        self.title_zh = title_zh
        self.title_en = title_en
        self.detail = detail
        self.detail_zh = detail_zh
        self.errors = list(errors)
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})
        self.type_uri = type_uri or type_uri_for(code)

    def to_body(self, *, instance: str | None, correlation_id: str | None) -> dict[str, Any]:
        return {
            **self.extra,
            "type": self.type_uri,
            "title": self.title_zh,
            "title_en": self.title_en,
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
            "detail_zh": self.detail_zh,
            "instance": instance,
            "correlation_id": correlation_id,
            "errors": [e.model_dump() for e in self.errors],
        }


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_response(problem: ProblemError, instance: str | None) -> ProblemResponse:
    """Render a problem for the current request; the correlation id comes from the call context."""
    ctx = _context._current.get()  # peek: an error path must not invent a context
    body = problem.to_body(instance=instance, correlation_id=ctx.correlation_id if ctx else None)
    return ProblemResponse(body, status_code=problem.status, headers=problem.headers)


# --- catalogue --------------------------------------------------------------------------------------------

# Fallbacks for errors raised by the framework (unknown route, wrong method, ...), keyed by status.
_HTTP_PROBLEMS: dict[int, tuple[str, str, str]] = {
    400: ("BAD_REQUEST", "请求格式错误", "Bad request"),
    401: ("UNAUTHENTICATED", "未提供身份凭证", "Authentication required"),
    403: ("FORBIDDEN", "无权执行此操作", "Forbidden"),
    404: ("NOT_FOUND", "资源不存在", "Not found"),
    405: ("METHOD_NOT_ALLOWED", "不支持该请求方法", "Method not allowed"),
    406: ("NOT_ACCEPTABLE", "无法提供所请求的格式", "Not acceptable"),
    409: ("CONFLICT", "与当前状态冲突", "Conflict with the current state"),
    413: ("PAYLOAD_TOO_LARGE", "请求内容过大", "Payload too large"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "不支持的内容类型", "Unsupported media type"),
    422: ("VALIDATION_FAILED", "请求参数校验失败", "Validation failed"),
    429: ("TOO_MANY_REQUESTS", "请求过于频繁", "Too many requests"),
    500: ("INTERNAL_ERROR", "服务器内部错误", "Internal server error"),
    503: ("SERVICE_UNAVAILABLE", "服务暂不可用", "Service unavailable"),
}

_UNAUTHORIZED_TITLES: dict[str, tuple[str, str]] = {
    "UNAUTHENTICATED": ("未提供身份凭证", "Authentication required"),
    "TOKEN_INVALID": ("身份凭证无效", "Invalid token"),
    "TOKEN_EXPIRED": ("身份凭证已过期", "Token expired"),
}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def http_problem(status: int, detail: str | None = None, headers: Mapping[str, str] | None = None) -> ProblemError:
    """The problem for a bare HTTP status, as raised by the framework (unknown route, wrong method, ...)."""
    code, title_zh, title_en = _HTTP_PROBLEMS.get(status, (f"HTTP_{status}", _phrase(status), _phrase(status)))
    return ProblemError(status, code, title_zh, title_en, detail, headers=headers)


def unauthorized(code: str = "UNAUTHENTICATED", detail: str | None = None) -> ProblemError:
    """401 with `WWW-Authenticate` (RFC 6750); code is UNAUTHENTICATED, TOKEN_INVALID or TOKEN_EXPIRED."""
    title_zh, title_en = _UNAUTHORIZED_TITLES.get(code, _UNAUTHORIZED_TITLES["TOKEN_INVALID"])
    challenge = "Bearer" if code == "UNAUTHENTICATED" else 'Bearer error="invalid_token"'
    return ProblemError(401, code, title_zh, title_en, detail, headers={"WWW-Authenticate": challenge})


def forbidden(
    detail: str | None = None,
    *,
    code: str = "FORBIDDEN",
    title_zh: str = "无权执行此操作",
    title_en: str = "Forbidden",
) -> ProblemError:
    return ProblemError(403, code, title_zh, title_en, detail)


def forbidden_role(detail: str | None = None) -> ProblemError:
    return forbidden(
        detail, code="FORBIDDEN_ROLE", title_zh="当前角色无权执行此操作", title_en="Not allowed for this role"
    )


def forbidden_province(detail: str | None = None) -> ProblemError:
    return forbidden(
        detail,
        code="FORBIDDEN_PROVINCE",
        title_zh="无权访问其他省份的数据",
        title_en="Not allowed for another province",
    )


def not_found(what: str, identifier: str | None = None) -> ProblemError:
    """`what` names the kind of thing in English, e.g. `not_found("application", app_id)`."""
    detail = f"{what} {identifier!r} does not exist" if identifier is not None else f"{what} does not exist"
    return ProblemError(404, "NOT_FOUND", "资源不存在", "Not found", detail, extra={"resource": what})


def conflict(
    detail: str | None = None,
    *,
    code: str = "CONFLICT",
    title_zh: str = "与当前状态冲突",
    title_en: str = "Conflict with the current state",
    extra: Mapping[str, Any] | None = None,
) -> ProblemError:
    return ProblemError(409, code, title_zh, title_en, detail, extra=extra)


def validation_failed(errors: Iterable[FieldError], detail: str | None = None) -> ProblemError:
    return ProblemError(422, "VALIDATION_FAILED", "请求参数校验失败", "Validation failed", detail, errors=errors)


def internal_error() -> ProblemError:
    return ProblemError(
        500,
        "INTERNAL_ERROR",
        "服务器内部错误",
        "Internal server error",
        "An unexpected error occurred; quote the correlation id when reporting it.",
        detail_zh="发生意外错误；报告时请提供 correlation_id。",
    )


def service_unavailable() -> ProblemError:
    """The database or the broker did not answer the request: an ordinary fault, retried by the client, not a bug."""
    return ProblemError(
        503,
        "SERVICE_UNAVAILABLE",
        "服务暂不可用",
        "Service unavailable",
        "The database or the event broker cannot be reached at the moment; retry in a few seconds. A change sent"
        " just as the fault began may have been recorded: look at the current state before sending it again.",
        detail_zh="数据库或消息服务暂时无法访问，请几秒后重试。故障发生时提交的修改可能已经记录，重新提交前请先查看当前状态。",
        headers={"Retry-After": "5"},
    )


def unexpected_problem(error: BaseException, method: str, path: str) -> ProblemError:
    """What an error no handler took is answered with, logged: 503 when the database or broker failed (one warning
    line per request), else 500 (a bug, with its traceback)."""
    if is_infrastructure_error(error):
        _log.warning("%s %s: database or broker unavailable (%s)", method, path, repr(error)[:300])
        return service_unavailable()
    _log.error("unhandled error in %s %s", method, path, exc_info=error)
    return internal_error()


def store_damaged(what: str, identifier: str) -> ProblemError:
    """The event store holds records that cannot be read back: reported, not a 500 (nothing is changed)."""
    return ProblemError(
        409,
        "STORE_DAMAGED",
        "事件存储记录已损坏，无法读取",
        "Stored events are damaged and cannot be read",
        f"the stored events of {what} {identifier} cannot be read back; run GET /audit/verify and restore from backup",
        detail_zh=f"{identifier} 的事件记录无法读取；请运行 GET /audit/verify 并从备份恢复",
        extra={"resource": what},
    )


# --- handlers ---------------------------------------------------------------------------------------------


def _field_path(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(exc, request.url.path)


# Chinese wording of pydantic's error types; `{…}` are filled from the error's context.
_FIELD_MESSAGES_ZH: dict[str, str] = {
    "missing": "必填项缺失",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确（应符合 {pattern}）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为布尔值（true/false）",
    "bool_parsing": "应为布尔值（true/false）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "too_short": "至少应有 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "enum": "取值无效，可选值：{expected}",
    "literal_error": "取值无效，可选值：{expected}",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "日期格式不正确（YYYY-MM-DD）",
    "date_from_datetime_parsing": "日期格式不正确（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期，不含时间",
    "datetime_type": "应为时间（ISO 8601）",
    "datetime_parsing": "时间格式不正确（ISO 8601）",
    "datetime_from_date_parsing": "时间格式不正确（ISO 8601）",
    "timezone_aware": "时间须带时区",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "decimal_type": "应为十进制数",
    "decimal_parsing": "应为十进制数",
    "decimal_max_digits": "数字位数不能超过 {max_digits} 位",
    "decimal_max_places": "小数位数不能超过 {decimal_places} 位",
    "decimal_whole_digits": "整数位数不能超过 {whole_digits} 位",
    "finite_number": "应为有限数值",
    "json_invalid": "JSON 格式错误",
    "json_type": "应为 JSON",
    "none_required": "应为空",
    "null_not_allowed": "不能为 null；不修改的字段请省略",
    "unsafe_characters": "含有不允许的控制字符或双向文本字符",
    "url_parsing": "网址格式不正确",
    "bytes_type": "应为文件",
    "value_error": "取值无效",
    "assertion_error": "取值无效",
}
_QUOTED = re.compile(r"'([^']*)'")


def _zh_message(error_type: str, ctx: Mapping[str, Any]) -> str:
    template = _FIELD_MESSAGES_ZH.get(error_type, "取值无效")
    try:
        return template.format(**{k: v for k, v in ctx.items() if isinstance(v, str | int | float)})
    except (KeyError, IndexError, ValueError):
        return _FIELD_MESSAGES_ZH.get(error_type.split("_")[0], "取值无效")


def field_error(loc: Sequence[Any], error_type: str, message: str, ctx: Mapping[str, Any] | None = None) -> FieldError:
    """One invalid input in both languages; the valid values listed where the value is from a set."""
    ctx = dict(ctx or {})
    allowed = _QUOTED.findall(str(ctx["expected"])) if error_type in {"enum", "literal_error"} else []
    return FieldError(
        field=_field_path(loc),
        code=error_type,
        message=message,
        message_zh=_zh_message(error_type, ctx),
        allowed=allowed or None,
    )


def refuse_before_validation(request: Request, check: Callable[[], object]) -> None:
    """For a route that runs its access check itself, in the same worker-thread call as its command (one thread
    hop per request), instead of in a dependency: `check` (sync, may read the database) raises the refusal
    (ProblemError, e.g. 404/403). Registered by the route's dependency, it runs before a 422 for the request's
    input is answered, so that a refusal still comes first, as it did from a checking dependency."""
    request.state.refuse_before_validation = check


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    check: Callable[[], object] | None = getattr(request.state, "refuse_before_validation", None)
    if check is not None:
        try:
            await run_in_threadpool(check)
        except ProblemError as refused:
            return problem_response(refused, request.url.path)
    # The rejected input is not echoed back: it can be large, or be somebody's personal data.
    errors = [
        field_error(err.get("loc", ()), str(err.get("type", "invalid")), str(err.get("msg", "")), err.get("ctx"))
        for err in exc.errors()
    ]
    problem = validation_failed(errors, f"{len(errors)} input(s) are invalid; see errors")
    problem.detail_zh = f"{len(errors)} 项输入不符合要求，详见 errors"
    return problem_response(problem, request.url.path)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    # Starlette's default detail is just the status phrase, which the title already says.
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _phrase(exc.status_code) else None
    problem = http_problem(exc.status_code, detail, exc.headers)
    if exc.status_code == 404 and detail is None:
        problem.detail, problem.detail_zh = "no such route", "没有这个地址"
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        problem.detail = f"allowed methods: {allowed}"
        problem.detail_zh = f"该地址支持的请求方法：{allowed}"
    return problem_response(problem, request.url.path)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    # Only reached when the app runs without the request middleware of `web.py`, which catches first.
    return problem_response(unexpected_problem(exc, request.method, request.url.path), request.url.path)


#: How each kind of domain refusal is answered over HTTP (the domain knows kinds, not statuses).
STATUS_OF_KIND: dict[ViolationKind, int] = {
    ViolationKind.INVALID: 422,
    ViolationKind.CONFLICT: 409,
    ViolationKind.NOT_FOUND: 404,
    ViolationKind.TOO_LARGE: 413,
    ViolationKind.UNSUPPORTED_TYPE: 415,
    ViolationKind.BUSY: 503,
}


def rule_problem(violation: DomainRuleViolation) -> ProblemError:
    """A broken domain rule as problem+json: its code, both messages, the field it concerns."""
    errors = (
        [
            FieldError(
                field=violation.field,
                code=violation.code,
                message=violation.message_en,
                message_zh=violation.message_zh,
            )
        ]
        if violation.field
        else []
    )
    return ProblemError(
        STATUS_OF_KIND[violation.kind],
        violation.code,
        violation.message_zh,
        violation.message_en,
        detail=violation.message_en,
        detail_zh=violation.message_zh,
        errors=errors,
        extra={k: v for k, v in violation.details.items() if k not in _MEMBERS},
    )


async def _on_rule_violation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainRuleViolation)
    return await _on_problem(request, rule_problem(exc))


async def _on_concurrent_change(request: Request, exc: Exception) -> Response:
    # The event store refused a second change of the same aggregate version: nothing was written.
    problem = conflict(
        "another change of the same record was saved first; nothing was written: reload and retry",
        code="CONCURRENT_CHANGE",
        title_zh="数据已被同时修改，本次操作未保存，请刷新后重试",
        title_en="Changed concurrently; nothing was saved",
    )
    return problem_response(problem, request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error as problem+json and document problem responses under that media type."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(DomainRuleViolation, _on_rule_violation)
    app.add_exception_handler(IntegrityError, _on_concurrent_change)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
    _document_problems_as_problem_json(app)


# --- OpenAPI ----------------------------------------------------------------------------------------------


def _example(status: int) -> dict[str, Any]:
    problem = (
        validation_failed([FieldError(field="body.projectName", code="missing", message="Field required")])
        if status == 422
        else http_problem(status)
    )
    return problem.to_body(instance="/applications/3f2c9a1e", correlation_id="6d1f0c2e-8f1b-4c53-9d1e-2b7f3c4a5e60")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries documenting these error statuses, e.g. `responses=problem_responses(404, 409)`."""
    return {
        status: {
            "model": Problem,
            "description": _HTTP_PROBLEMS.get(status, ("", "", _phrase(status)))[2],
            "content": {PROBLEM_MEDIA_TYPE: {"example": _example(status)}},
        }
        for status in statuses
    }


def _document_problems_as_problem_json(app: FastAPI) -> None:
    # FastAPI puts a `model=` response schema under the route's media type (application/json); move it to
    # application/problem+json, which is what the handlers actually send.
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if not isinstance(operation, dict):
                    continue
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    json_entry = content.get("application/json", {})
                    if PROBLEM_MEDIA_TYPE in content and str(json_entry.get("schema", {}).get("$ref", "")).endswith(
                        "/Problem"
                    ):
                        content[PROBLEM_MEDIA_TYPE]["schema"] = content.pop("application/json")["schema"]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
