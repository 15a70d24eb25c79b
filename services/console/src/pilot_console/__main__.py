"""Distributed mode: `python -m pilot_console` serves the console on its own (PILOT_HOST, PILOT_PORT), talking to the
three services at PILOT_CONSOLE_{REGISTRY,INTAKE,EVALUATION}_URL, signing users in with the organisation's IdP."""

from __future__ import annotations

import os

import uvicorn

from pilot_common.logging import configure_logging
from pilot_console.app import create_console
from pilot_console.settings import ConsoleSettings


def main() -> None:
    configure_logging("pilot-console", os.environ.get("PILOT_LOG_LEVEL", "INFO"))
    settings = ConsoleSettings()
    refused = settings.refusals()
    if refused:
        raise SystemExit("pilot-console refuses to start: " + "; ".join(refused))
    host = os.environ.get("PILOT_HOST", "127.0.0.1")
    port = int(os.environ.get("PILOT_PORT", "8000"))
    uvicorn.run(create_console(settings), host=host, port=port, log_config=None, proxy_headers=True)


if __name__ == "__main__":
    main()
