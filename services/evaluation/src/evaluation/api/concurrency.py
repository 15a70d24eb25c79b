"""A command that lost a race (another change of the same aggregate was recorded first) is a 409, not a 500:
nothing was written, and the client reloads and retries."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request
from starlette.responses import Response

from pilot_common.problems import conflict, problem_response


async def _on_concurrent_change(request: Request, exc: Exception) -> Response:
    problem = conflict(
        "another change of the same record was saved first; nothing was written: reload and retry",
        code="CONCURRENT_CHANGE",
        title_zh="数据已被同时修改，本次操作未保存，请刷新后重试",
        title_en="Changed concurrently; nothing was saved",
    )
    return problem_response(problem, request.url.path)


def install_concurrency_problem(app: FastAPI) -> None:
    app.add_exception_handler(IntegrityError, _on_concurrent_change)
