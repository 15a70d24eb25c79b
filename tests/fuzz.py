"""Schemathesis over a running service: every operation of its OpenAPI document, generated input, several
roles, path ids taken from a seeded flow half of the time; counts requests, 5xx and response-schema violations."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import response_schema_conformance
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok


@dataclass
class FuzzReport:
    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    schema_violations: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def add(self, other: FuzzReport) -> None:
        self.requests += other.requests
        self.server_errors += other.server_errors
        self.schema_violations += other.schema_violations
        self.statuses.update(other.statuses)


def _requests_kwargs_to_httpx(kwargs: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in kwargs.items() if k in {"method", "url", "headers", "params", "json", "files", "cookies"}}
    if "data" in kwargs:
        data = kwargs["data"]
        out["content" if isinstance(data, bytes | str) else "data"] = data
    return out


def fuzz(
    client: Any,
    roles: Mapping[str, Mapping[str, str]],
    ids: Mapping[str, str],
    examples: int,
    *,
    seed: int = 0,
) -> FuzzReport:
    """Fuzz every operation of `client`'s app with each role's headers; `ids` names seeded path parameters."""
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    report = FuzzReport()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # our own documents always load
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        seeded = {name: ids[name] for name in names if name in ids}
        strategies = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        if seeded:
            strategies.append(operation.as_strategy(path_parameters=seeded))
        for role, headers in roles.items():
            for strategy in strategies:
                _run_one(client, strategy, role, headers, examples, seed, report)
    return report


def _run_one(
    client: Any,
    strategy: Any,
    role: str,
    headers: Mapping[str, str],
    examples: int,
    seed: int,
    report: FuzzReport,
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed == 0,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        kwargs = _requests_kwargs_to_httpx(case.as_transport_kwargs(base_url="http://testserver"))
        kwargs["headers"] = {**(kwargs.get("headers") or {}), **headers}
        response = client.request(**kwargs)
        report.requests += 1
        report.statuses[response.status_code] += 1
        where = f"{role} {case.method} {case.formatted_path}"
        if response.status_code >= 500:
            report.server_errors.append(f"{where} -> {response.status_code} {response.text[:300]}")
            return
        try:
            response.request.read()  # a streamed (multipart) request body, which the validation reads back
        except Exception:
            response.request._content = b"<streamed upload>"  # already sent; the validation only reports it
        try:
            case.validate_response(response, checks=[response_schema_conformance])
        except (FailureGroup, Failure, AssertionError) as failure:
            report.schema_violations.append(f"{where} -> {response.status_code}: {str(failure)[:400]}")

    with contextlib.suppress(Unsatisfiable):  # no negative input exists for some operations (no parameters)
        run()
