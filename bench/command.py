"""The command path on PostgreSQL: intake's commands, in process, against the same 11-save shape on the bare library.

Product: `ApplicationIntake` on a migrated intake database (registry copy seeded with batch 2's rules, an
organisation and a pilot object): per application a draft, 4 attachments, 5 edits (details, foundation, funding,
plan, schedule) and the submission (with its verdict and the province quota), each command its own call as the API
makes it. Raw: the eventsourcing library's own `Application` on its plain SQLAlchemy recorder, one aggregate per
application, 11 commands each loading the aggregate, triggering one event of a similar payload and saving it.

Printed: events/s, command latency p50/p99 and SQL statements per application (every statement the engine sent,
counted by an engine listener), and product ÷ raw.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from sqlalchemy import Engine
from sqlalchemy import event as sa_event

from application_intake.application import ApplicationIntake
from application_intake.domain.commands import (
    AttachFile,
    CreateDraft,
    SetFunding,
    SetSchedule,
    Submit,
    UpdateDetails,
    UpdateFoundation,
    UpdatePlanSections,
)
from bench.servers import Servers, servers
from pilot_common.clock import ShiftedClock
from pilot_common.commands import Command
from pilot_common.contracts.programme import batch_2_2023
from tests.schema import migrated
from tests.services.intake_support import seed_registry_copy

T = TypeVar("T")
IN_WINDOW = datetime(2023, 3, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PROVINCE = "320000"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n" + b"0" * 2000 + b"\n%%EOF\n"
KINDS = ("OTHER", "IMPLEMENTATION_PLAN", "ECO_ENVIRONMENT_DEPARTMENT_LETTER", "DEVELOPMENT_REFORM_DEPARTMENT_LETTER")
FOUNDATION = "园区2019年起组织52家企业完成清洁生产审核，建成能源管理中心。"
MILESTONES = [
    {"title": "启动", "start": "2023-08-01", "due": "2023-09-30"},
    {"title": "验收", "start": "2024-05-01", "due": "2024-07-31"},
]


def p99(values: list[float]) -> float:
    """The 99th percentile (nearest rank) of a run's latencies; NaN for none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


class Latencies:
    """The median and 99th percentile of a run's latencies (in milliseconds)."""

    latencies_ms: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99(self) -> float:
        return p99(self.latencies_ms)


@dataclass
class Figures(Latencies):
    events: int
    seconds: float
    latencies_ms: list[float]
    statements: int
    applications: int

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds

    @property
    def commands_per_s(self) -> float:
        return len(self.latencies_ms) / self.seconds

    @property
    def statements_per_application(self) -> float:
        return self.statements / self.applications


class StatementCounter:
    """Counts what an engine sends to the server (an executemany counts once: one round trip)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        sa_event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


def _timed(latencies: list[float], call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    started = time.perf_counter()
    result = call(*args, **kwargs)
    latencies.append((time.perf_counter() - started) * 1000)
    return result


def _event_count(app: Application[uuid.UUID]) -> int:
    return app.recorder.max_notification_id() or 0


def one_application(
    intake: ApplicationIntake, programme_id: str, org_id: str, object_id: str, lat: list[float]
) -> None:
    """The 11 commands of one application, each timed into `lat`."""
    details = {
        "pilot_type": "PARK_CLUSTER",
        "project_name": "园区清洁生产整体审核创新试点",
        "applicant_organisation_id": org_id,
        "implementer_organisation_id": org_id,
        "pilot_object_id": object_id,
    }
    draft = CreateDraft(province=PROVINCE, programme_id=programme_id, details=details)
    app_id = _timed(lat, intake.handle, draft).id
    first: list[dict[str, Any]] = []
    for kind in KINDS:
        attach = AttachFile(
            application_id=app_id, kind=kind, file_name=f"{kind.lower()}.pdf", declared_type=None, content=PDF
        )
        first.append(_timed(lat, intake.handle, attach))
    outline = batch_2_2023().plan_outline
    codes = [s.code for s in outline] + [sub.code for s in outline for sub in s.subsections]
    funding = [
        {"funder": "园区财政局", "amount_cny": "3000000", "committed": True, "evidence_document_id": first[0]["id"]}
    ]
    edits: list[Command] = [
        UpdateDetails(application_id=app_id, changes={"target_industries": ["2614", "3360"]}),
        UpdateFoundation(application_id=app_id, text=FOUNDATION),
        SetFunding(application_id=app_id, sources=funding),
        UpdatePlanSections(application_id=app_id, sections={code: f"第{code}节内容" for code in codes}),
        SetSchedule(application_id=app_id, milestones=MILESTONES),
    ]
    for command in edits:
        _timed(lat, intake.handle, command)
    _timed(lat, intake.handle, Submit(application_id=app_id))


def product(env: Servers, applications: int) -> Figures:
    url = migrated("application-intake", env.database("intake"))
    programme_id, org_id, object_id = seed_registry_copy(url, extra_slots=1_000_000)
    intake = ApplicationIntake(url, clock=ShiftedClock(IN_WINDOW))
    engine = intake.datastore.engine
    assert isinstance(engine, Engine)
    counter = StatementCounter(engine)
    latencies: list[float] = []
    one_application(intake, programme_id, org_id, object_id, [])  # warm-up: caches, connections
    before_events, before_statements = _event_count(intake), counter.count
    started = time.perf_counter()
    for _ in range(applications):
        one_application(intake, programme_id, org_id, object_id, latencies)
    seconds = time.perf_counter() - started
    statements = counter.count - before_statements
    events = _event_count(intake) - before_events
    intake.close()
    return Figures(events, seconds, latencies, statements, applications)


# --- raw: the library's own application and recorder, the same 11-save shape ------------------------------------


class Draft(Aggregate):
    """An application-like aggregate with events of similar payloads (no audit chain, no read model)."""

    def __init__(self, province: str, details: dict[str, Any]) -> None:
        self.province = province
        self.details = details
        self.attachments: dict[str, dict[str, Any]] = {}
        self.sections: dict[str, Any] = {}
        self.submitted = False

    @event("FileAttached")
    def attach(self, attachment: dict[str, Any]) -> None:
        self.attachments[attachment["id"]] = attachment

    @event("SectionSet")
    def set_section(self, name: str, value: Any) -> None:
        self.sections[name] = value

    @event("Submitted")
    def submit(self, subject: str, verdict: dict[str, Any]) -> None:
        self.submitted = True


class RawStore(Application[uuid.UUID]):
    pass


def raw_application(store: RawStore, lat: list[float]) -> None:
    def draft() -> Draft:
        d = Draft(PROVINCE, {"project_name": "园区清洁生产整体审核创新试点", "pilot_type": "PARK_CLUSTER"})
        store.save(d)
        return d

    draft_id = _timed(lat, draft).id

    def command(method: Callable[..., None], *args: Any) -> None:
        d: Draft = store.repository.get(draft_id)
        method(d, *args)
        store.save(d)

    for kind in KINDS:
        attachment = {"id": str(uuid.uuid4()), "kind": kind, "file_name": "f.pdf", "media_type": "application/pdf"}
        _timed(lat, command, Draft.attach, attachment)
    for name, value in (
        ("details", {"target_industries": ["2614", "3360"]}),
        ("foundation", FOUNDATION),
        ("funding", [{"funder": "园区财政局", "amount_cny": "3000000"}]),
        ("plan", {f"S{i}": f"第{i}节内容" for i in range(14)}),
        ("schedule", MILESTONES),
    ):
        _timed(lat, command, Draft.set_section, name, value)
    _timed(lat, command, Draft.submit, "2023+园区+管委会", {"outcome": "ELIGIBLE"})


def raw(env: Servers, applications: int) -> Figures:
    url = env.database("rawcmd")
    store = RawStore(env={"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": url, "CREATE_TABLE": "y"})
    engine = store.factory.datastore.engine  # type: ignore[attr-defined]
    counter = StatementCounter(engine)
    raw_application(store, [])
    before_events, before_statements = _event_count(store), counter.count
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(applications):
        raw_application(store, latencies)
    seconds = time.perf_counter() - started
    statements = counter.count - before_statements
    events = _event_count(store) - before_events
    store.close()
    return Figures(events, seconds, latencies, statements, applications)


def run(applications: int = 300, env: Servers | None = None) -> dict[str, float]:
    env = env or servers()
    p = product(env, applications)
    r = raw(env, applications)
    print(f"command path, PostgreSQL: {applications} applications × 11 commands (in process, one thread)")
    print(f"{'':>8} | {'events':>7} {'events/s':>9} {'commands/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'stmts/app':>9}")
    for name, f in (("product", p), ("raw", r)):
        print(
            f"{name:>8} | {f.events:>7} {f.events_per_s:>9.1f} {f.commands_per_s:>10.1f} {f.p50:>7.2f} "
            f"{f.p99:>7.2f} {f.statements_per_application:>9.1f}"
        )
    ratio = p.events_per_s / r.events_per_s
    print(
        f"   ratio | events/s product ÷ raw {ratio:.2f} (target ≥ 0.7; commands/s "
        f"{p.commands_per_s / r.commands_per_s:.2f}); statements per application "
        f"{p.statements_per_application:.0f} vs {r.statements_per_application:.0f} (target ≤ 50)",
        flush=True,
    )
    return {"ratio": ratio, "statements": p.statements_per_application}
