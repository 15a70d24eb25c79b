"""Liveness and readiness probes (Kubernetes `livenessProbe` / `readinessProbe`, compose healthchecks).

Liveness says only that the process answers, so a database outage does not get every pod restarted;
readiness runs the service's checks (database, Kafka, ...) so traffic goes elsewhere while one fails.
"""

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
from fastapi import APIRouter

from pilot_common.problems import ProblemError, problem_responses

ReadinessCheck = Callable[[], bool | Awaitable[bool]]

_log = logging.getLogger(__name__)


async def _run_check(check: ReadinessCheck) -> bool:
    if inspect.iscoroutinefunction(check):
        result: Any = await check()
    else:
        # A blocking check (a DB ping) must not stall the event loop; if it hangs past the timeout the
        # thread is abandoned, not killed, which is why checks should set their own driver timeouts too.
        result = await anyio.to_thread.run_sync(check, abandon_on_cancel=True)
        if inspect.isawaitable(result):
            result = await result
    return bool(result)


async def run_checks(checks: Mapping[str, ReadinessCheck], timeout: float) -> dict[str, str]:
    """Run all checks concurrently; each gives "ok", "failed" (False or an exception) or "timeout"."""
    outcome: dict[str, str] = {}

    async def one(name: str, check: ReadinessCheck) -> None:
        try:
            with anyio.fail_after(timeout):
                passed = await _run_check(check)
            outcome[name] = "ok" if passed else "failed"
        except TimeoutError:
            outcome[name] = "timeout"
            _log.warning("readiness check %s timed out after %ss", name, timeout)
        except Exception:
            outcome[name] = "failed"
            _log.warning("readiness check %s raised", name, exc_info=True)

    async with anyio.create_task_group() as group:
        for name, check in checks.items():
            group.start_soon(one, name, check)
    return {name: outcome[name] for name in checks}


def health_router(checks: Mapping[str, ReadinessCheck], *, timeout: float = 2.0) -> APIRouter:
    router = APIRouter(tags=["health"])
    checks = dict(checks)

    @router.get("/livez", summary="Liveness: the process answers")
    async def livez() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: all dependencies answer", responses=problem_responses(503))
    async def readyz() -> dict[str, Any]:
        results = await run_checks(checks, timeout)
        failing = [name for name, result in results.items() if result != "ok"]
        if not failing:
            return {"status": "ready", "checks": results}
        raise ProblemError(
            503,
            "NOT_READY",
            "服务尚未就绪",
            "Service not ready",
            f"failing checks: {', '.join(failing)}",
            extra={"failing": failing, "checks": results},
            headers={"Retry-After": "5"},
        )

    return router
