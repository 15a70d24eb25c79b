"""JSON-lines logging on stderr, one object per record, stamped with the current call context.

Log shippers (Loki, ELK, Cloud Logging) parse JSON lines without per-service grok rules, and the
correlation id lets one application's story be followed through all three services' logs.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from pilot_common import context as _context
from pilot_common.context import CallContext

# Attributes every LogRecord has; anything else on a record came from `extra=` and is emitted as a field.
_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
# Fields the formatter owns; `extra=` cannot overwrite them. `service`, `correlation_id` and `actor` may be
# given by the caller (a consumer logging for a message it handles, the embedded mode's several services).
_FIXED_FIELDS = ("time", "level", "logger", "message")


def _peek_context() -> CallContext | None:
    # current_context() would install a fresh context (with a made-up correlation id) as a side effect;
    # a log call must not change what the code being logged later records.
    return _context._current.get()


class JsonFormatter(logging.Formatter):
    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service_name,
        }
        ctx = _peek_context()
        if ctx is not None:
            entry["correlation_id"] = ctx.correlation_id
            entry["actor"] = ctx.actor.user_id
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRS and key not in _FIXED_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: a stray datetime or UUID in `extra=` must not lose the whole line.
        return json.dumps(entry, ensure_ascii=False, default=str)


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
