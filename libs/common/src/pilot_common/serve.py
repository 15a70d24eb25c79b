"""Running one service as its own process (distributed mode): logs, settings, uvicorn."""

from __future__ import annotations

import os
from collections.abc import Callable

import uvicorn

from pilot_common.logging import configure_logging
from pilot_common.runtime import AssembledService
from pilot_common.settings import ServiceSettings


def serve(settings: ServiceSettings, build: Callable[[ServiceSettings], AssembledService]) -> None:
    configure_logging(settings.service_name, settings.log_level)
    if not settings.kafka_bootstrap_servers:
        raise SystemExit("distributed mode needs KAFKA_BOOTSTRAP_SERVERS (the embedded mode is ./scripts/run.sh)")
    service = build(settings)
    uvicorn.run(
        service.api,
        host=os.environ.get("PILOT_HOST", "0.0.0.0"),
        port=int(os.environ.get("PILOT_PORT", "8000")),
        log_config=None,
    )
