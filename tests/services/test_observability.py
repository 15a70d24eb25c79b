"""What an operator reads: /metrics (lags that move when a consumer stops and comes back) and one trace from an
HTTP submission in one service to its event's handling in another. Real PostgreSQL and Kafka; the spans go to an
in-memory exporter instead of an OTLP collector."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from application_intake.bootstrap import build_intake
from pilot_common.runtime import AssembledService
from pilot_registry.bootstrap import build_registry
from tests.infra import answers, free_port
from tests.services.conftest import MINISTRY, Deployment, eventually
from tests.services.registry_data import park_body

REGISTRY_TOPIC = "pilot-registry.events"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    """The process's tracer provider (set once per process), exporting to memory."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.fixture
def services(deployment: Deployment) -> Iterator[tuple[AssembledService, AssembledService]]:
    """The registry and intake (which consumes the registry's events), each with its runtime at hand."""
    registry = build_registry(deployment.settings("pilot-registry"), deployment.bus)
    intake = build_intake(deployment.settings("application-intake"), deployment.bus)
    with TestClient(registry.api), TestClient(intake.api):
        yield registry, intake


def samples(client: TestClient, name: str, **labels: str) -> list[float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    found = []
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                found.append(sample.value)
    return found


def test_lag_gauges_move_when_a_consumer_stops_and_comes_back(
    services: tuple[AssembledService, AssembledService],
) -> None:
    registry, intake = services
    reg, ink = TestClient(registry.api), TestClient(intake.api)
    consumer = intake.runtime.consumer
    assert consumer is not None
    assert reg.post("/organisations", json=park_body(), headers=MINISTRY).status_code == 201
    # Running and caught up: one lag figure per partition of the registry's topic, all 0.
    lag = {"service": "application-intake", "topic": REGISTRY_TOPIC}
    eventually(
        lambda: (
            len(samples(ink, "pilot_consumer_lag_messages", **lag)) == 3
            and sum(samples(ink, "pilot_consumer_lag_messages", **lag)) == 0
            and samples(ink, "pilot_consumer_processed_total", service="application-intake") >= [1.0]
        ),
        timeout=90,
    )
    assert samples(ink, "pilot_backbone_thread_running", service="application-intake", part="consumer") == [1.0]

    consumer.stop()
    assert ink.get("/readyz").status_code == 503  # readiness sees the consumer gone
    assert samples(ink, "pilot_backbone_thread_running", service="application-intake", part="consumer") == [0.0]
    published_before = samples(reg, "pilot_relay_published_messages_total", service="pilot-registry")[0]
    backlog = 24
    for _ in range(backlog):
        assert reg.post("/organisations", json=park_body(), headers=MINISTRY).status_code == 201
    # The registry's relay publishes them all: its lag returns to 0 and its count grows by the backlog.
    eventually(lambda: samples(reg, "pilot_relay_lag_events", service="pilot-registry") == [0.0], timeout=60)
    assert samples(reg, "pilot_relay_published_messages_total", service="pilot-registry")[0] >= (
        published_before + backlog
    )
    assert sum(samples(reg, "pilot_events_published_total", service="pilot-registry")) >= backlog + 1

    # Back, reading one message a poll and measuring after each: the backlog shows, then drains to 0.
    consumer.max_records, consumer.lag_every_seconds = 1, 0.0
    processed_before = samples(ink, "pilot_consumer_processed_total", service="application-intake")[0]
    consumer.start()
    seen = eventually(lambda: [v for v in samples(ink, "pilot_consumer_lag_messages", **lag) if v > 0], 90, 0.0)
    assert 0 < sum(seen) <= backlog  # measured before or after the first message of the backlog is handled
    eventually(
        lambda: (
            samples(ink, "pilot_consumer_processed_total", service="application-intake")[0]
            >= processed_before + backlog
            and sum(samples(ink, "pilot_consumer_lag_messages", **lag)) == 0
        ),
        timeout=90,
    )
    assert ink.get("/readyz").status_code == 200
    # HTTP figures are per route template, not per URL.
    assert samples(reg, "pilot_http_requests_total", service="pilot-registry", route="/organisations", status="201")
    assert samples(reg, "pilot_event_store_append_seconds_count", service="pilot-registry")[0] >= backlog + 1


def test_one_submission_is_one_trace_across_services(
    spans: InMemorySpanExporter, services: tuple[AssembledService, AssembledService]
) -> None:
    registry, intake = services
    trace_id, parent_span = secrets.token_hex(16), secrets.token_hex(8)
    response = TestClient(registry.api).post(
        "/organisations",
        json=park_body(name="常州经济开发区管理委员会"),
        headers={**MINISTRY, "traceparent": f"00-{trace_id}-{parent_span}-01"},
    )
    assert response.status_code == 201
    organisation_id = response.json()["id"]

    def of_trace() -> list[ReadableSpan]:
        return [
            s
            for s in spans.get_finished_spans()
            if s.context is not None and format(s.context.trace_id, "032x") == trace_id
        ]

    def handled_in_intake() -> list[ReadableSpan]:
        return [
            s
            for s in of_trace()
            if s.name == "consume pilot-registry.Organisation.Registered"
            and (s.attributes or {}).get("pilot.service") == "application-intake"
        ]

    [handling] = eventually(handled_in_intake, timeout=90)
    [server] = [s for s in of_trace() if s.kind == trace.SpanKind.SERVER]
    assert server.name == "POST /organisations" and server.parent is not None
    assert format(server.parent.span_id, "016x") == parent_span  # the caller's span continued
    assert handling.kind == trace.SpanKind.CONSUMER
    assert handling.parent is not None and handling.parent.span_id == server.context.span_id
    assert (handling.attributes or {}).get("messaging.message.id")
    # The handling did its work: the intake's copy of the registry has the organisation.
    eventually(
        lambda: (
            organisation_id
            in TestClient(intake.api).get(f"/registry-copy/organisations/{organisation_id}", headers=MINISTRY).text
        ),
        timeout=30,
    )


def test_a_served_request_writes_one_access_line(deployment: Deployment, tmp_path: Path) -> None:
    """`python -m application_intake` at INFO: one JSON access line per request (the middleware's, with the
    correlation id and duration), not a second one from uvicorn."""
    port = free_port()
    env = deployment.process_env(
        "application-intake", port, PILOT_JWT_SECRET=secrets.token_urlsafe(48), PILOT_LOG_LEVEL="INFO"
    )
    log = tmp_path / "intake.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "application_intake"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    path = f"/applications/{uuid.uuid4()}"
    try:
        eventually(lambda: answers(f"{base}/readyz"), timeout=90)
        assert httpx.get(f"{base}{path}", timeout=10).status_code == 401
        eventually(lambda: path in log.read_text(), timeout=10)
    finally:
        server.terminate()
        server.wait(30)
    lines = [json.loads(line) for line in log.read_text().splitlines() if path in line]
    assert len(lines) == 1, lines
    assert lines[0]["logger"] == "pilot_common.access" and lines[0]["correlation_id"]
