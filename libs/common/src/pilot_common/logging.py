"""JSON-lines logging on stderr, one object per record, stamped with the current call context and trace.

Log shippers (Loki, ELK, Cloud Logging) parse JSON lines without per-service grok rules; the correlation id
follows one application's story through all three services' logs, the trace id links a line to its trace.
The JSON itself is python-json-logger's; this module only says which fields every line has.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter as _JsonLinesFormatter

from pilot_common import context as _context
from pilot_common.context import CallContext

# Fields the formatter owns; `extra=` cannot overwrite them. `service`, `correlation_id` and `actor` may be
# given by the caller (a consumer logging for a message it handles, the embedded mode's several services).
_FIXED_FIELDS = ("time", "level", "logger", "message")


def _peek_context() -> CallContext | None:
    # current_context() would install a fresh context (with a made-up correlation id) as a side effect;
    # a log call must not change what the code being logged later records.
    return _context._current.get()


class JsonFormatter(_JsonLinesFormatter):
    def __init__(self, service_name: str) -> None:
        # default=str: a stray datetime or UUID in `extra=` must not lose the whole line.
        super().__init__(json_default=str, json_ensure_ascii=False)
        self.service_name = service_name

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.getMessage()
        log_data["service"] = self.service_name
        ctx = _peek_context()
        if ctx is not None:
            log_data["correlation_id"] = ctx.correlation_id
            log_data["actor"] = ctx.actor.user_id
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            log_data["trace_id"] = format(span.trace_id, "032x")
            log_data["span_id"] = format(span.span_id, "016x")
        fixed = {key: log_data[key] for key in _FIXED_FIELDS}
        super().add_fields(log_data, record, message_dict)  # the record's `extra=` fields
        log_data.update(fixed)
        log_data.pop("exc_info", None)
        log_data.pop("stack_info", None)
        if record.exc_info:
            log_data["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            log_data["exception"] = record.exc_text
        if record.stack_info:
            log_data["stack"] = self.formatStack(record.stack_info)


class _PilotHandler(logging.StreamHandler[TextIO]):
    """Marks the handler we install so that configuring again replaces it instead of adding another."""


def configure_logging(service_name: str, level: str = "INFO", *, stream: TextIO | None = None) -> None:
    """Send all records (root logger) as JSON lines to stderr, or to `stream` (tests). Idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _PilotHandler):
            root.removeHandler(handler)
            handler.close()
    handler = _PilotHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter(service_name))
    root.addHandler(handler)
    root.setLevel(level.upper())
