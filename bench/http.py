"""The command path over HTTP: intake served by uvicorn (1 and 2 worker processes) against the same commands in
process.

Product: `python -m application_intake` (distributed mode: its database, Kafka, a fresh token secret) with
PILOT_WORKERS=1 and =2; 4 clients (threads) each drafting applications of the command bench's shape over the API,
one connection per application (`_session`): POST the draft, 4 multipart uploads, 5 edits (details, foundation,
funding, plan, schedule) and the submission, each request a province user's bearer token. Raw: the same 11 commands by
`ApplicationIntake.handle` in this process, 4 threads, on a database seeded the same way. Each side has its own
freshly migrated database with the same registry copy (`tests.services.intake_support.seed_registry_copy`); all
three sides are up for the whole run and take turns in slices of `SLICE` applications (`run`).

The clients are load generators on the same 2 cores as the service, which the in-process side does not have: they
speak HTTP/1.1 with the standard library's `http.client` (`Client`), about a fifth of httpx's CPU per request, and
the CPU they took per application is printed beside the figures, as is the service's (the served process and its
workers, from /proc).

To compare a scratch copy of the code on the served sides only, set `BENCH_SERVED_PYTHONPATH` (the served processes'
PYTHONPATH; the in-process side keeps this process's code, so that the yardstick does not move with the variant).

Printed: applications/s, request latency p50/p99, the service's and the clients' CPU per application, and HTTP ÷
in process, for each of `rounds` rounds, and the median of the rounds' ratios.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from application_intake.application import ApplicationIntake
from bench.command import (
    FOUNDATION,
    IN_WINDOW,
    KINDS,
    MILESTONES,
    PDF,
    PROVINCE,
    Latencies,
    one_application,
)
from bench.servers import Servers, servers
from pilot_common.auth import TokenIssuer
from pilot_common.clock import ShiftedClock
from pilot_common.context import Role
from pilot_common.contracts.programme import batch_2_2023
from pilot_common.settings import ServiceSettings
from tests.infra import answers, free_port
from tests.schema import migrated
from tests.services.intake_support import seed_registry_copy

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 4
#: Applications per turn of a side: long enough that the clients' start and finish (fewer than 4 busy) stay small.
SLICE = 40


@dataclass
class Run(Latencies):
    """One side's applications, time and CPU, summed over the slices of a round."""

    name: str
    applications: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    client_cpu_s: float | None = None  # the load generator's share of the machine (over HTTP)
    server_cpu_s: float = 0.0  # the service: this process in process; the served process and its workers over HTTP

    @property
    def per_s(self) -> float:
        return self.applications / self.seconds

    def add(self, applications: int, seconds: float, latencies: list[float]) -> None:
        self.applications += applications
        self.seconds += seconds
        self.latencies_ms += latencies

    def per_application_ms(self, cpu_s: float | None) -> float | None:
        return None if cpu_s is None else cpu_s * 1000 / self.applications


def _in_clients(
    work: Callable[[list[float]], None], applications: int, clients: int
) -> tuple[float, list[float], float]:
    """Runs `work(latencies)` `applications` times, spread over `clients` threads; (seconds, latencies, this
    process's CPU seconds meanwhile)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    start = threading.Barrier(clients + 1)

    def client(c: int) -> None:
        start.wait()
        try:
            for _ in range(c, applications, clients):
                work(latencies[c])
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    started, cpu = time.perf_counter(), time.process_time()
    for t in threads:
        t.join()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if errors:
        raise errors[0]
    return seconds, [ms for lat in latencies for ms in lat], cpu


class InProcess:
    """`ApplicationIntake` in this process on its own database: the raw side."""

    name = "in process"

    def __init__(self, env: Servers) -> None:
        url = migrated("application-intake", env.database("http_inproc"))
        self.ids = seed_registry_copy(url, extra_slots=1_000_000)
        self.intake = ApplicationIntake(url, clock=ShiftedClock(IN_WINDOW))

    def application(self, lat: list[float]) -> None:
        one_application(self.intake, *self.ids, lat)

    def measure(self, run: Run, applications: int, clients: int) -> None:
        seconds, latencies, cpu = _in_clients(self.application, applications, clients)
        run.add(applications, seconds, latencies)
        run.server_cpu_s += cpu  # this process's CPU is the service's (the clients are plain threads calling it)

    def stop(self) -> None:
        self.intake.close()


class Served:
    """`python -m application_intake` on its own database, with `workers` worker processes."""

    def __init__(self, env: Servers, workers: int) -> None:
        self.workers = workers
        self.url = migrated("application-intake", env.database(f"http_w{workers}"))
        self.ids = seed_registry_copy(self.url, extra_slots=1_000_000)
        secret = secrets.token_urlsafe(48)
        issuer = TokenIssuer.from_settings(ServiceSettings(service_name="bench", jwt_secret=secret))
        token = issuer.issue(sub="bench.province", role=Role.PROVINCE, province=PROVINCE, org=None)
        self.headers = {"Authorization": f"Bearer {token}"}
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        environment = {
            **os.environ,
            "DATABASE_URL": self.url,
            "KAFKA_BOOTSTRAP_SERVERS": env.kafka.bootstrap_servers,
            "PILOT_KAFKA_NAMESPACE": f"benchhttp{uuid.uuid4().hex[:8]}",
            "PILOT_CLOCK_START": IN_WINDOW.isoformat(),
            "PILOT_WORKERS": str(workers),
            "PILOT_PORT": str(port),
            "PILOT_HOST": "127.0.0.1",
            "PILOT_JWT_SECRET": secret,
            "PILOT_LOG_LEVEL": "WARNING",
        }
        if "BENCH_SERVED_PYTHONPATH" in os.environ:
            environment["PYTHONPATH"] = os.environ["BENCH_SERVED_PYTHONPATH"]
        self.process = subprocess.Popen([sys.executable, "-m", "application_intake"], cwd=ROOT, env=environment)
        deadline = time.monotonic() + 90
        while not answers(f"{self.base}/readyz"):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"intake with {workers} workers did not start")
            time.sleep(0.2)

    @property
    def name(self) -> str:
        return f"HTTP, {self.workers} worker{'s' if self.workers > 1 else ''}"

    def application(self, lat: list[float]) -> None:
        _session(self, lat)

    def measure(self, run: Run, applications: int, clients: int) -> None:
        before = self.cpu_seconds()
        seconds, latencies, cpu = _in_clients(self.application, applications, clients)
        run.add(applications, seconds, latencies)
        run.server_cpu_s += self.cpu_seconds() - before
        run.client_cpu_s = (run.client_cpu_s or 0.0) + cpu  # this process's: the HTTP clients'

    def cpu_seconds(self) -> float:
        """User + system CPU of the served process and its worker processes so far (Linux /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total, pending = 0, [self.process.pid]
        while pending:
            pid = pending.pop()
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                pending += [int(child) for child in children.read().split()]
        return total / ticks

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Client:
    """One keep-alive HTTP/1.1 connection with the province's token: JSON and multipart requests, the reply's JSON."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        self.headers = headers

    def post(self, path: str, **body: Any) -> Any:
        return self.request("POST", path, **body)

    def put(self, path: str, **body: Any) -> Any:
        return self.request("PUT", path, **body)

    def patch(self, path: str, **body: Any) -> Any:
        return self.request("PATCH", path, **body)

    def request(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        fields: dict[str, str] | None = None,
        file: tuple[str, bytes, str] | None = None,
    ) -> Any:
        headers = dict(self.headers)
        content = b""
        if file is not None:
            boundary = uuid.uuid4().hex
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
            content = _multipart(boundary, fields or {}, file)
        elif json_body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(json_body).encode()
        self.connection.request(method, path, body=content, headers=headers)
        response = self.connection.getresponse()
        reply = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {reply.decode(errors='replace')}")
        return json.loads(reply) if reply else None

    def close(self) -> None:
        self.connection.close()


def _multipart(boundary: str, fields: dict[str, str], file: tuple[str, bytes, str]) -> bytes:
    name, data, content_type = file
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def _timed(lat: list[float], call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    reply = call(*args, **kwargs)
    lat.append((time.perf_counter() - started) * 1000)
    return reply


def http_application(client: Client, ids: tuple[str, str, str], lat: list[float]) -> None:
    """The 11 commands of `bench.command.one_application`, as a province's client sends them."""
    programme_id, org_id, object_id = ids
    draft = {
        "programme_id": programme_id,
        "pilot_type": "PARK_CLUSTER",
        "project_name": "园区清洁生产整体审核创新试点",
        "applicant_organisation_id": org_id,
        "implementer_organisation_id": org_id,
        "pilot_object_id": object_id,
    }
    app_id = _timed(lat, client.post, "/applications", json_body=draft)["id"]
    path = f"/applications/{app_id}"
    first = []
    for kind in KINDS:
        file = (f"{kind.lower()}.pdf", PDF, "application/pdf")
        first.append(_timed(lat, client.post, f"{path}/attachments", fields={"kind": kind}, file=file))
    outline = batch_2_2023().plan_outline
    codes = [s.code for s in outline] + [sub.code for s in outline for sub in s.subsections]
    evidence = first[0]["id"]
    funding = [{"funder": "园区财政局", "amount_cny": "3000000", "committed": True, "evidence_document_id": evidence}]
    _timed(lat, client.patch, f"{path}/details", json_body={"target_industries": ["2614", "3360"]})
    _timed(lat, client.put, f"{path}/foundation", json_body={"text": FOUNDATION})
    _timed(lat, client.put, f"{path}/funding", json_body={"sources": funding})
    _timed(lat, client.put, f"{path}/plan", json_body={"sections": {code: f"第{code}节内容" for code in codes}})
    _timed(lat, client.put, f"{path}/schedule", json_body={"milestones": MILESTONES})
    _timed(lat, client.post, f"{path}/submit")


def _session(served: Served, lat: list[float]) -> None:
    """One province user's session: a connection of its own for one application's 11 requests. (Keep-alive
    connections stay with the worker that accepted them: 4 long-lived ones over 2 workers split 2:2 only 3 times in
    8, and the figure measured that split rather than the service.)"""
    client = Client(served.base, served.headers)
    try:
        http_application(client, served.ids, lat)
    finally:
        client.close()


def _or_dash(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def run(
    applications: int = 120, env: Servers | None = None, clients: int = CLIENTS, rounds: int = 3
) -> dict[str, float]:
    """`rounds` rounds; in each, every side (in process, 2 workers, 1 worker) drafts `applications` applications in
    slices of `SLICE`, the sides taking turns slice by slice (ABC, CBA, ...), so that all three sample the same
    spells of the host's steal time; the round's ratio is its applications/s over HTTP ÷ in process, the figure the
    median of the rounds' ratios. (Run one after the other, each side ~10 s, a single ratio moved from 0.51 to 1.06
    between rounds of the same code a minute apart.) Each side has its own freshly migrated database and keeps it,
    and its server, for the whole run."""
    env = env or servers()
    slices = max(1, round(applications / SLICE))
    print(
        f"HTTP pair: {applications} applications × 11 commands per side and round, {clients} concurrent clients,"
        f" {rounds} rounds of {slices} slices taking turns"
    )
    print(
        f"{'':>25} | {'apps/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'service CPU ms/app':>18} {'clients CPU ms/app':>18}"
        f" {'÷ in process':>12}"
    )
    sides: list[InProcess | Served] = []  # each stopped at the end, however far the start got
    try:
        base_side = InProcess(env)
        sides.append(base_side)
        served: list[Served] = []
        for workers in (2, 1):
            served.append(Served(env, workers))
            sides.append(served[-1])
        for side in sides:  # warm-up: caches, pools, connections
            _in_clients(side.application, 2 * clients, clients)
        ratios: dict[int, list[float]] = {1: [], 2: []}
        for round_ in range(1, rounds + 1):
            runs = {side.name: Run(side.name) for side in sides}
            for n in range(slices):
                share = applications * (n + 1) // slices - applications * n // slices
                for side in sides if n % 2 == 0 else sides[::-1]:
                    side.measure(runs[side.name], share, clients)
            base = runs[base_side.name]
            for r in runs.values():
                print(
                    f"{f'round {round_}, {r.name}':>25} | {r.per_s:>7.1f} {r.p50:>7.2f} {r.p99:>7.2f}"
                    f" {_or_dash(r.per_application_ms(r.server_cpu_s)):>18}"
                    f" {_or_dash(r.per_application_ms(r.client_cpu_s)):>18} {r.per_s / base.per_s:>12.2f}"
                )
            for side in served:
                ratios[side.workers].append(runs[side.name].per_s / base.per_s)
    finally:
        for side in sides:
            side.stop()
    figure = {workers: statistics.median(values) for workers, values in ratios.items()}
    each = ", ".join(f"{value:.2f}" for value in ratios[2])
    print(
        f"   ratio | 2 workers ÷ in process, median of {rounds} rounds: {figure[2]:.2f} ({each}; target ≥ 0.85);"
        f" 1 worker {figure[1]:.2f}"
    )
    return {"ratio_2_workers": figure[2], "ratio_1_worker": figure[1]}
