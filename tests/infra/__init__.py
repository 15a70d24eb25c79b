"""Real PostgreSQL and Kafka servers for the tests (and for local development).

Order of choice, per server:

1. an existing server named in the environment (``DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS``);
2. testcontainers, when a Docker engine answers;
3. throwaway local processes (Debian's PostgreSQL binaries; Kafka jars from Maven Central).

``PILOT_INFRA=local`` or ``PILOT_INFRA=docker`` forces step 2 or 3 (the environment URLs still win).

The pytest side lives in :mod:`tests.infra.plugin`; ``python -m tests.infra up`` starts both servers outside
pytest.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import urllib.request
from pathlib import Path

log = logging.getLogger("tests.infra")

DOCKER_PROBE_TIMEOUT_S = 5.0

# One line per server started in this process, e.g. for pytest's terminal summary.
STARTUP_REPORT: list[str] = []


def report(line: str) -> None:
    STARTUP_REPORT.append(line)
    log.warning("%s", line)


def infra_mode() -> str:
    """``auto`` (default), ``local`` or ``docker``, from ``PILOT_INFRA``."""
    mode = os.environ.get("PILOT_INFRA", "auto").strip().lower() or "auto"
    if mode not in {"auto", "local", "docker"}:
        raise ValueError(f"PILOT_INFRA must be auto, local or docker, not {mode!r}")
    return mode


@functools.cache
def docker_available() -> bool:
    """True when a Docker engine answers within a few seconds (``docker info``, else the Docker SDK)."""
    mode = infra_mode()
    if mode == "local":
        return False
    if mode == "docker":
        return True
    if shutil.which("docker"):
        try:
            subprocess.run(
                ["docker", "info"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=DOCKER_PROBE_TIMEOUT_S,
                check=True,
            )
        except (subprocess.SubprocessError, OSError):
            return False
        return True
    if not os.environ.get("DOCKER_HOST"):
        return False
    try:
        import docker

        docker.from_env(timeout=int(DOCKER_PROBE_TIMEOUT_S)).ping()
    except Exception:
        return False
    return True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str) -> bool:
    """The URL answers 200 now (a served process's readiness probe)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:  # refused, reset, timed out, or an HTTP error status (urllib's HTTPError is an OSError)
        return False


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """Stops a process started in its own session and everything it started: SIGTERM, then SIGKILL after 30 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pilot-infra"


_sigterm_lock = threading.Lock()
_sigterm_installed = False


def install_sigterm_handler() -> None:
    """Turn SIGTERM into KeyboardInterrupt so fixture finalizers and ``atexit`` cleanups still run.

    Only done from the main thread and only when nobody else has installed a handler.
    """
    global _sigterm_installed
    with _sigterm_lock:
        if _sigterm_installed or threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            _sigterm_installed = True
            return

        def _on_sigterm(signum: int, frame: object) -> None:
            raise KeyboardInterrupt(f"signal {signum}")

        signal.signal(signal.SIGTERM, _on_sigterm)
        _sigterm_installed = True


def run_checked(cmd: list[str], what: str, timeout: float, **kwargs: object) -> str:
    """Run a command, return its stdout; raise RuntimeError with its output on failure."""
    try:
        proc = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kwargs,  # type: ignore[call-overload]
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{what}: timed out after {timeout} s: {cmd}") from exc
    if proc.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {proc.returncode}): {cmd}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return str(proc.stdout)
