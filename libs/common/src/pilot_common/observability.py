"""Metrics (Prometheus) and traces (OpenTelemetry W3C trace context) for every service.

Metrics: HTTP requests and latencies per route template, event-store append latency and published events by type
and outcome are counted where they happen; the backbone's figures (relay lag, consumer lag per partition, dead
letters) are read from each running `ServiceRuntime` when Prometheus scrapes, so they are never stale counters.

Traces: one submission is one trace. The HTTP middleware continues the caller's `traceparent` (or starts a trace),
the call context carries it into every event the request records (a stored `traceparent`, the CloudEvents
distributed-tracing attribute), the relay puts it on the Kafka message, and the consumer continues it in the other
service. Spans are exported only when `OTEL_TRACES_EXPORTER=otlp` (endpoint from the standard
`OTEL_EXPORTER_OTLP_ENDPOINT`); otherwise the trace ids still travel (and appear in logs), nothing is sent.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from pilot_common.runtime import ServiceRuntime

log = logging.getLogger(__name__)

# --- metrics counted where they happen ---------------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "pilot_http_requests", "HTTP requests by route template and status", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "pilot_http_request_duration_seconds", "HTTP request latency by route template", ["service", "method", "route"]
)
STORE_APPEND = Histogram(
    "pilot_event_store_append_seconds",
    "Latency of one event-store append (events, read-model rows and tracking in one transaction)",
    ["service"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
EVENTS_PUBLISHED = Counter(
    "pilot_events_published",
    "Integration events handed to the broker by the relay, by type and (for verdicts) outcome; a batch republished "
    "after a crash counts again",
    ["service", "type", "outcome"],
)

# Spans of unknown routes share one label, so a scan of random URLs cannot blow up the series count.
UNMATCHED_ROUTE = "<unmatched>"


def observe_publication(service: str, event_type: str, data: Mapping[str, Any]) -> None:
    outcome = data.get("outcome")
    EVENTS_PUBLISHED.labels(service, event_type, outcome if isinstance(outcome, str) else "").inc()


class BackboneCollector(Collector):
    """Reads relay and consumer figures off every started runtime at scrape time."""

    def __init__(self) -> None:
        self._runtimes: weakref.WeakSet[ServiceRuntime] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, runtime: ServiceRuntime) -> None:
        with self._lock:
            self._runtimes.add(runtime)

    def collect(self) -> Iterable[Metric]:
        relay_lag = GaugeMetricFamily(
            "pilot_relay_lag_events", "Events committed but not yet published by the relay", labels=["service"]
        )
        lease = GaugeMetricFamily(
            "pilot_relay_lease_held", "1 when this replica's relay holds the publishing lease", labels=["service"]
        )
        published = CounterMetricFamily(
            "pilot_relay_published_messages", "Messages handed to the broker by this relay", labels=["service"]
        )
        consumer_lag = GaugeMetricFamily(
            "pilot_consumer_lag_messages",
            "Messages on an assigned partition not yet read by this consumer",
            labels=["service", "topic", "partition"],
        )
        running = GaugeMetricFamily(
            "pilot_backbone_thread_running", "1 when the relay or consumer thread is alive", labels=["service", "part"]
        )
        processed = CounterMetricFamily("pilot_consumer_processed", "Messages handled", labels=["service"])
        dead = CounterMetricFamily("pilot_consumer_dead_lettered", "Messages sent to a .dlq topic", labels=["service"])
        interrupted = CounterMetricFamily(
            "pilot_consumer_interruptions", "Batches interrupted by an infrastructure fault", labels=["service"]
        )
        with self._lock:
            runtimes = [r for r in self._runtimes if r.started]
        for runtime in runtimes:
            service = runtime.app.service
            try:
                relay_lag.add_metric([service], runtime.relay.lag())
            except Exception:  # the database is away: no figure rather than a failed scrape
                log.debug("relay lag not read", exc_info=True)
            lease.add_metric([service], 1 if runtime.relay.lease.held else 0)
            published.add_metric([service], runtime.relay.published)
            running.add_metric([service, "relay"], 1 if runtime.relay.running else 0)
            consumer = runtime.consumer
            if consumer is None:
                continue
            running.add_metric([service, "consumer"], 1 if consumer.running else 0)
            for key, lag in consumer.status.lag.items():
                topic, _, partition = key.rpartition("#p")
                consumer_lag.add_metric([service, topic, partition], lag)
            processed.add_metric([service], consumer.status.processed)
            dead.add_metric([service], consumer.status.dead_lettered)
            interrupted.add_metric([service], consumer.status.interruptions)
        yield from (relay_lag, lease, published, consumer_lag, running, processed, dead, interrupted)


BACKBONE = BackboneCollector()
REGISTRY.register(BACKBONE)


def metrics_payload() -> tuple[bytes, str]:
    """The Prometheus text exposition of this process (every service in it, labelled by `service`)."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


# --- tracing -----------------------------------------------------------------------------------------------------

_propagator = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("pilot_common")
_configured = False


def configure_tracing(service_name: str) -> None:
    """Installs an exporting tracer provider when OTEL_TRACES_EXPORTER=otlp; else leaves the no-op one (the ids
    still propagate). Process-wide and idempotent, like logging."""
    global _configured
    if _configured or os.environ.get("OTEL_TRACES_EXPORTER", "none").strip().lower() != "otlp":
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _configured = True


def extract(carrier: Mapping[str, str]) -> Context:
    return _propagator.extract(carrier)


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, or None when there is no valid trace."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


def trace_id_of(traceparent: str | None) -> str | None:
    """The 32-hex trace id of a `traceparent` header value."""
    if not traceparent:
        return None
    parts = traceparent.split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


@contextmanager
def span(
    name: str, *, kind: SpanKind, parent: Context | None = None, attributes: Mapping[str, str | int] | None = None
) -> Iterator[Span]:
    with _tracer.start_as_current_span(name, context=parent, kind=kind, attributes=dict(attributes or {})) as s:
        yield s


def consumer_span(traceparent: str | None, service: str, event_type: str, event_id: str) -> Any:
    """The consumer's span for one message, a child of the span that recorded the event upstream."""
    parent = extract({"traceparent": traceparent}) if traceparent else None
    return span(
        f"consume {event_type}",
        kind=SpanKind.CONSUMER,
        parent=parent,
        attributes={"pilot.service": service, "messaging.message.id": event_id, "pilot.event_type": event_type},
    )
