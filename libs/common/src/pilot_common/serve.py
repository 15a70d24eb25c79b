"""Running one service as its own process (distributed mode): logs, settings, uvicorn."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from pilot_common.auth import distributed_identity_problems
from pilot_common.logging import configure_logging
from pilot_common.runtime import AssembledService
from pilot_common.settings import ServiceSettings


def serve(
    settings: ServiceSettings,
    build: Callable[[ServiceSettings], AssembledService],
    factory: str | None = None,
) -> None:
    """Serves one service; with `PILOT_WORKERS` > 1 (and an app `factory` import string) in several processes
    that share the database (one relay among them publishes, the consumers share the group's partitions)."""
    configure_logging(settings.service_name, settings.log_level)
    if not settings.kafka_bootstrap_servers:
        raise SystemExit("distributed mode needs KAFKA_BOOTSTRAP_SERVERS (the embedded mode is ./scripts/run.sh)")
    refused = distributed_identity_problems(settings)
    if refused:
        raise SystemExit(f"{settings.service_name} refuses to start: " + "; ".join(refused))
    # Loopback unless told otherwise: a container or a host behind a proxy sets PILOT_HOST=0.0.0.0 on purpose.
    host = os.environ.get("PILOT_HOST", "127.0.0.1")
    port = int(os.environ.get("PILOT_PORT", "8000"))
    workers = int(os.environ.get("PILOT_WORKERS", "1"))
    # access_log=False: the request middleware writes the one access line per request (with the correlation id and
    # the duration); uvicorn's would be a second one.
    if workers > 1 and factory is not None:
        uvicorn.run(factory, factory=True, host=host, port=port, workers=workers, log_config=None, access_log=False)
    else:
        uvicorn.run(served_app(settings, build), host=host, port=port, log_config=None, access_log=False)


def served_app(settings: ServiceSettings, build: Callable[[ServiceSettings], AssembledService]) -> FastAPI:
    """The app of one served process (the only one, or each worker of a `factory`): its logs, the service built,
    then its heap settled."""
    configure_logging(settings.service_name, settings.log_level)
    api = build(settings).api
    settle_heap()
    return api


def settle_heap() -> None:
    """The process's start-up is over: what exists now (modules, the app's routes and schemas, the mappings, the
    runtime's parts) lives as long as the process does. Collected once, then frozen out of the garbage collector's
    sight: a full collection otherwise walked all of it (~180 k objects, 113 ms on a 2-vCPU VM) about once every 60
    applications' commands, ~6 % of their CPU; after the freeze it takes 2 ms (docs/performance.md, round 8).
    Objects made later are collected as before."""
    gc.collect()
    gc.freeze()
