"""A batch end to end, through HTTP only, run twice with the same code: on the embedded default (the README's run
command: one process, SQLite, in-process bus) and in distributed mode (three processes on PostgreSQL and Kafka,
started by scripts/run-distributed.sh)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from pilot_common.auth import TokenIssuer
from pilot_common.context import Role
from pilot_common.settings import ServiceSettings
from tests.idp import IdentityProvider
from tests.infra import answers, free_port, stop_process_group
from tests.services.conftest import eventually
from tests.services.intake_support import IN_WINDOW, outline_codes, pdf
from tests.services.registry_data import credit_code, enterprise

ROOT = Path(__file__).resolve().parents[1]
WAIT = 150.0
#: Business time the morning after batch 2's deadline (2023-04-07, Beijing): where a restart moves the clock on.
AFTER_DEADLINE = datetime(2023, 4, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class Platform:
    registry: str
    intake: str
    evaluation: str
    mode: str
    #: Stops the platform and starts it again on the same data with PILOT_CLOCK_START at the given instant.
    restart: Callable[[datetime], None]


def _wait_ready(urls: list[str], process: subprocess.Popen[bytes]) -> None:
    def ready() -> bool:
        assert process.poll() is None, "the platform process exited"
        return all(answers(f"{u}/readyz") for u in urls)

    eventually(ready, timeout=120, interval=0.5)


@pytest.fixture(params=["embedded", "distributed"])
def platform(
    request: pytest.FixtureRequest, tmp_path: Path, unique_name: str, identity_provider: IdentityProvider
) -> Iterator[Platform]:
    port = free_port()
    env = {**os.environ, "PILOT_LOG_LEVEL": "WARNING"}
    if request.param == "embedded":
        base = f"http://127.0.0.1:{port}"
        urls = [f"{base}/registry", f"{base}/intake", f"{base}/evaluation"]

        def command(clock_start: datetime) -> list[str]:
            data = ["--data", str(tmp_path / "data"), "--port", str(port)]
            return ["./scripts/run.sh", *data, "--clock-start", clock_start.isoformat()]

    else:
        server = request.getfixturevalue("postgres_server")
        broker = request.getfixturevalue("kafka_broker")
        ports = [free_port() for _ in range(3)]
        env.update(
            REGISTRY_DATABASE_URL=server.create_database(f"{unique_name}_registry"),
            INTAKE_DATABASE_URL=server.create_database(f"{unique_name}_intake"),
            EVALUATION_DATABASE_URL=server.create_database(f"{unique_name}_evaluation"),
            KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers,
            PILOT_KAFKA_NAMESPACE=unique_name,
            **identity_provider.env(),
            PILOT_REGISTRY_PORT=str(ports[0]),
            PILOT_INTAKE_PORT=str(ports[1]),
            PILOT_EVALUATION_PORT=str(ports[2]),
        )
        urls = [f"http://127.0.0.1:{p}" for p in ports]

        def command(clock_start: datetime) -> list[str]:
            env["PILOT_CLOCK_START"] = clock_start.isoformat()
            return ["./scripts/run-distributed.sh"]

    running: list[subprocess.Popen[bytes]] = []

    def start(clock_start: datetime) -> None:
        process = subprocess.Popen(command(clock_start), cwd=ROOT, env=env, start_new_session=True)
        running.append(process)
        _wait_ready(urls, process)

    def restart(clock_start: datetime) -> None:
        stop_process_group(running[-1])
        start(clock_start)

    try:
        start(IN_WINDOW)
        yield Platform(*urls, mode=request.param, restart=restart)
    finally:
        for process in running:
            stop_process_group(process)


class Http:
    """A user of the platform: one bearer token, JSON in and out, every error a problem+json."""

    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:800]}"
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            return response.json()
        return response.json() if response.content else None

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, expect: int = 200, **kwargs: Any) -> Any:
        return self.call("POST", path, expect, **kwargs)


def token_minter(platform: Platform, identity_provider: IdentityProvider) -> Callable[..., str]:
    """Tokens as each mode gets them: the embedded default's development secret (its demo tokens are signed
    with it); in distributed mode the identity provider's, which the services verify against its JWKS."""
    demo = TokenIssuer.from_settings(ServiceSettings(service_name="tests"))

    def mint(sub: str, role: str, province: str | None = None, org: str | None = None) -> str:
        if platform.mode == "embedded":
            return demo.issue(sub, Role(role), name=sub, province=province, org=org)
        return identity_provider.token(sub, role, province=province, org=org)

    return mint


PROVINCES = {"320000": "320571", "330000": "330603", "370000": "370303"}


def audit_state(platform: Platform, token: str, aggregate_id: str, at: str, time: str) -> dict[str, Any]:
    """An aggregate of intake as it stood at `at`, read as business or recorded time."""
    path = f"/audit/aggregates/{aggregate_id}/state"
    state: dict[str, Any] = Http(platform.intake, token).get(path, params={"at": at, "time": time})
    return state


def application_story(platform: Platform, token: str, application_id: str) -> list[dict[str, Any]]:
    """One application's story: merged by the embedded default; asked of each service and merged in distributed
    mode (each answers its part)."""
    path = f"/audit/applications/{application_id}/story"
    if platform.mode == "embedded":
        merged: list[dict[str, Any]] = Http(platform.intake, token).get(path, params={"scope": "deployment"})
        return merged
    parts = [e for url in (platform.registry, platform.intake, platform.evaluation) for e in Http(url, token).get(path)]
    return sorted(parts, key=lambda e: (datetime.fromisoformat(e["business_time"]), e["recorded_time"]))


@dataclass
class Batch:
    """What the phases of one batch share: the platform, who acts, and what the registry was told."""

    platform: Platform
    mint: Callable[..., str]
    province_tokens: dict[str, str]
    reg: Http
    intake: Http
    ev: Http
    programme: dict[str, Any] = field(default_factory=dict)
    setups: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def pid(self) -> str:
        return str(self.programme["id"])

    def province(self, code: str, service: str = "intake") -> Http:
        return Http(getattr(self.platform, service), self.province_tokens[code])

    def draft_body(self, province: str, name: str) -> dict[str, Any]:
        setup = self.setups[province]
        return {
            "programme_id": self.pid,
            "pilot_type": "PARK_CLUSTER",
            "project_name": name,
            "applicant_organisation_id": setup["org"],
            "implementer_organisation_id": setup["org"],
            "pilot_object_id": setup["object"],
        }

    def complete_application(self, province: str, name: str) -> str:
        p = self.province(province)
        app = p.post("/applications", expect=201, json=self.draft_body(province, name))
        base = f"/applications/{app['id']}"
        evidence = p.post(
            f"{base}/attachments",
            expect=201,
            data={"kind": "OTHER"},
            files={"file": ("资金承诺函.pdf", pdf(marker=name + "资金"), "application/pdf")},
        )
        p.call("PATCH", f"{base}/details", json={"target_industries": ["2614", "3360"]})
        p.call("PUT", f"{base}/foundation", json={"text": "园区已组织重点企业完成清洁生产审核，建成能源管理中心。"})
        p.call(
            "PUT",
            f"{base}/funding",
            json={
                "sources": [
                    {
                        "funder": "园区财政局",
                        "amount_cny": "5000000",
                        "committed": True,
                        "evidence_document_id": evidence["id"],
                    }
                ]
            },
        )
        p.call("PUT", f"{base}/plan", json={"sections": {c: f"{name}：第{c}节" for c in outline_codes(self.programme)}})
        p.call(
            "PUT",
            f"{base}/schedule",
            json={
                "milestones": [
                    {"title": "启动", "start": "2023-08-01", "due": "2023-09-30"},
                    {"title": "评估", "start": "2024-05-01", "due": "2024-07-31"},
                ]
            },
        )
        for kind in (
            "IMPLEMENTATION_PLAN",
            "ECO_ENVIRONMENT_DEPARTMENT_LETTER",
            "DEVELOPMENT_REFORM_DEPARTMENT_LETTER",
        ):
            p.post(
                f"{base}/attachments",
                expect=201,
                data={"kind": kind},
                files={"file": (f"{kind}.pdf", pdf(marker=name + kind), "application/pdf")},
            )
        return str(app["id"])

    def submit(self, province: str, application_id: str, expect: int = 200) -> Any:
        return self.province(province).post(f"/applications/{application_id}/submit", expect)


def test_a_batch_from_opening_to_deemed_audit_credits(platform: Platform, identity_provider: IdentityProvider) -> None:
    mint = token_minter(platform, identity_provider)
    mee, ndrc, auditor = (
        mint("mee.flow", "ministry", org="MEE"),
        mint("ndrc.flow", "ministry", org="NDRC"),
        mint("audit.flow", "auditor"),
    )
    b = Batch(
        platform,
        mint,
        {code: mint(f"flow.{code}", "province", province=code) for code in PROVINCES},
        Http(platform.registry, mee),
        Http(platform.intake, mee),
        Http(platform.evaluation, mee),
    )
    _ministry_opens_batch_2(b)
    _registry_knows_each_province(b)
    jiangsu = _jiangsu_submits_up_to_its_quota(b)
    _out_of_order_while_open_is_refused(b)
    zhejiang, shandong = _after_a_restart_business_time_moves_on(b, auditor, jiangsu)
    eligible = jiangsu[:4] + zhejiang
    _the_deadline_passes_and_the_batch_closes(b, jiangsu)
    run, reviewer_user = _reviewers_are_assigned(b, eligible, shandong)
    _blind_scoring_with_an_outlier(b, run, reviewer_user, eligible)
    approved, published = _ranking_selection_and_publication(b, ndrc, eligible, shandong)
    pilots = _pilots_start_and_outcomes_reach_intake(b, approved, eligible)
    _a_passed_pilot_credits_its_enterprises(b, pilots)
    _the_batch_concludes(b, jiangsu, shandong)
    _an_auditor_reads_and_verifies(b, auditor, approved, published)


def _ministry_opens_batch_2(b: Batch) -> None:
    b.programme = next(p for p in b.reg.get("/programmes")["items"] if p["code"] == "2023-B2")
    b.programme = b.reg.post(f"/programmes/{b.pid}/open", json={"reason": "环办科财函〔2023〕79号印发"})
    assert b.programme["status"] == "OPEN"


def _registry_knows_each_province(b: Batch) -> None:
    """Each province's applicant, pilot object and member enterprises; intake's copy catches up."""
    reg, intake, pid = b.reg, b.intake, b.pid
    for province, division in PROVINCES.items():
        org = reg.post(
            "/organisations",
            expect=201,
            json={
                "name": f"{division}园区管理委员会",
                "credit_code": credit_code("11", division),
                "kind": "PARK_MANAGEMENT_BODY",
                "administrative_level": "PREFECTURE",
                "province_code": province,
                "division_code": division,
            },
        )
        members = [enterprise(division), enterprise(division)]
        park = reg.post(
            "/pilot-objects",
            expect=201,
            json={
                "kind": "INDUSTRIAL_PARK",
                "name": f"{division}工业园区",
                "province_code": province,
                "division_codes": [division],
                "industry_codes": ["2614", "3360"],
                "park_type": "CHEMICAL_PARK",
                "member_credit_codes": members,
            },
        )
        b.setups[province] = {"org": org["id"], "object": park["id"], "members": members}
    # 山东's park was named by the central inspection in 2022: its application will be ineligible.
    reg.post(
        "/findings",
        expect=201,
        json={
            "source": "CENTRAL_INSPECTION",
            "prominent_problem": True,
            "disclosed_on": "2022-09-01",
            "pilot_object_id": b.setups["370000"]["object"],
            "province_code": "370000",
            "summary": "中央生态环境保护督察指出园区环境风险防控不到位",
            "reference": "督察反馈意见（2022年）",
        },
    )
    for setup in b.setups.values():
        eventually(
            lambda s=setup: intake.client.get(f"/registry-copy/pilot-objects/{s['object']}").status_code == 200,
            timeout=WAIT,
        )
    eventually(lambda: intake.client.get(f"/registry-copy/programmes/{pid}").json().get("status") == "OPEN", WAIT)


def _jiangsu_submits_up_to_its_quota(b: Batch) -> list[str]:
    """Six complete applications from 江苏: five submitted and eligible, the sixth over the quota."""
    jiangsu = [b.complete_application("320000", f"江苏试点项目{i}") for i in range(6)]
    for application_id in jiangsu[:5]:
        assert b.submit("320000", application_id)["status"] == "ELIGIBLE"
    sixth = b.submit("320000", jiangsu[5], expect=409)
    assert sixth["code"] == "QUOTA_EXCEEDED"
    js = b.province("320000")
    # The province checks its sixth draft before spending a slot: the full verdict, nothing recorded.
    checked = js.post(f"/applications/{jiangsu[5]}/dry-run")
    assert (
        checked["dry_run"] is True and next(r for r in checked["results"] if r["code"] == "QUOTA")["status"] == "FAIL"
    )
    assert js.get(f"/applications/{jiangsu[5]}")["status"] == "DRAFT"
    # A draft made by mistake is discarded: hidden from the list, kept in the history.
    junk = js.post("/applications", expect=201, json=b.draft_body("320000", "误建草稿"))
    assert js.post(f"/applications/{junk['id']}/discard", json={"reason": "误建"})["status"] == "DISCARDED"
    assert junk["id"] not in {a["id"] for a in js.get("/applications", params={"page_size": 200})["items"]}
    return jiangsu


def _out_of_order_while_open_is_refused(b: Batch) -> None:
    """The services refuse, naming the programme's state."""
    ev, reg, pid = b.ev, b.reg, b.pid
    eventually(lambda: ev.get(f"/programmes/{pid}")["status"] == "OPEN", WAIT)
    assert ev.post(f"/programmes/{pid}/assignments", expect=409)["code"] == "PROGRAMME_NOT_CLOSED"
    refused = ev.post(f"/programmes/{pid}/selection", expect=409, json={"target_count": 3})
    assert refused["code"] == "PROGRAMME_NOT_UNDER_EVALUATION"
    assert reg.post(f"/programmes/{pid}/close", expect=409, json={"reason": "申报截止"})["code"] == (
        "DEADLINE_NOT_PASSED"
    )


def _after_a_restart_business_time_moves_on(b: Batch, auditor: str, jiangsu: list[str]) -> tuple[list[str], str]:
    """A restart with the same configured start: business time keeps moving forward; more provinces submit.
    Returns 浙江's two eligible applications and 山东's ineligible one."""
    platform = b.platform
    before_restart = max(e["business_time"] for e in application_story(platform, auditor, jiangsu[0]))
    platform.restart(IN_WINDOW)
    withdrawn = b.province("320000").post(
        f"/applications/{jiangsu[4]}/withdraw", json={"reason": "园区规划调整，撤回申报"}
    )
    assert withdrawn["status"] == "WITHDRAWN"
    withdrawal = [e for e in application_story(platform, auditor, jiangsu[4]) if e["type"].endswith(".Withdrawn")]
    assert datetime.fromisoformat(withdrawal[0]["business_time"]) > datetime.fromisoformat(before_restart)
    zhejiang = [b.complete_application("330000", f"浙江试点项目{i}") for i in range(2)]
    for application_id in zhejiang:
        assert b.submit("330000", application_id)["status"] == "ELIGIBLE"
    shandong = b.complete_application("370000", "山东试点项目")
    ineligible = b.submit("370000", shandong)
    assert ineligible["status"] == "INELIGIBLE"
    clean = next(r for r in ineligible["verdict"]["results"] if r["code"] == "CLEAN_RECORD")
    assert clean["status"] == "FAIL"
    return zhejiang, shandong


def _the_deadline_passes_and_the_batch_closes(b: Batch, jiangsu: list[str]) -> None:
    """The business clock passes the deadline (a restart with a later start moves it on); the batch closes."""
    platform, reg, pid = b.platform, b.reg, b.pid
    platform.restart(AFTER_DEADLINE)
    if platform.mode == "embedded":  # one clock for the deployment, read and moved at /registry/clock
        assert datetime.fromisoformat(reg.get("/clock")["business_time"]) >= AFTER_DEADLINE
        back = reg.post("/clock/advance", json={"to": IN_WINDOW.isoformat()})  # never backwards
        assert datetime.fromisoformat(back["business_time"]) >= AFTER_DEADLINE
        refused_clock = b.province("320000", "registry").post(
            "/clock/advance", expect=403, json={"to": "2024-01-01T00:00:00+08:00"}
        )
        assert refused_clock["code"] == "FORBIDDEN_ROLE"
    closed = reg.post(f"/programmes/{pid}/close", json={})
    assert closed["status"] == "CLOSED"
    eventually(lambda: b.intake.client.get(f"/registry-copy/programmes/{pid}").json().get("status") == "CLOSED", WAIT)
    late = b.province("320000").post("/applications", expect=409, json=b.draft_body("320000", "截止后的新申报"))
    assert late["code"] == "PROGRAMME_NOT_OPEN"
    assert b.submit("320000", jiangsu[5], expect=409)["code"] == "PROGRAMME_NOT_OPEN"


def _reviewers_are_assigned(b: Batch, eligible: list[str], shandong: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Reviewers from other provinces; assignment once the batch is closed; a reviewer reads only what is theirs.
    Returns the assignment run and each reviewer's user id."""
    ev, pid, platform = b.ev, b.pid, b.platform
    for n, province in enumerate(["110000", "310000", "440000", "510000"], start=1):
        ev.post(
            "/reviewers",
            expect=201,
            json={
                "name": f"评审专家{n}",
                "organisation_id": f"flow-expert-org-{n}",
                "province": province,
                "expertise": ["PETROCHEMICAL_CHEMICAL"],
                "user_id": f"flow.expert.{n}",
            },
        )

    def evaluation_knows_all() -> bool:
        apps = ev.get("/applications", params={"programme_id": pid, "page_size": 200})["items"]
        outcome = {a["id"]: a["eligibility_outcome"] for a in apps if not a["withdrawn"]}
        return all(outcome.get(a) == "ELIGIBLE" for a in eligible) and outcome.get(shandong) == "INELIGIBLE"

    eventually(evaluation_knows_all, timeout=WAIT)
    eventually(lambda: ev.get(f"/programmes/{pid}")["status"] == "CLOSED", WAIT)
    run: dict[str, Any] = ev.post(f"/programmes/{pid}/assignments")  # reviewers are assigned once the batch is closed
    assert run["complete"] is True and len(run["new_assignments"]) == 3 * len(eligible)
    assert {a["application_id"] for a in run["new_assignments"]} == set(eligible)
    reviewer_user = {r["id"]: r["user_id"] for r in ev.get("/reviewers", params={"page_size": 200})["items"]}
    first = run["new_assignments"][0]
    early = Http(platform.evaluation, b.mint(reviewer_user[first["reviewer_id"]], "reviewer"))
    assert early.post(f"/score-sheets/{first['sheet_id']}/submit", expect=409)["code"] == (
        "PROGRAMME_NOT_UNDER_EVALUATION"
    )
    # The reviewer reads what is assigned to them (details, plan, funding, schedule, attachments), nothing else.
    reader = Http(platform.intake, early.client.headers["Authorization"].split(" ", 1)[1])
    assigned = eventually(
        lambda: (lambda r: r.json() if r.status_code == 200 else None)(
            reader.client.get(f"/applications/{first['application_id']}")
        ),
        timeout=WAIT,
    )
    assert assigned["plan_sections"] and assigned["funding_sources"] and len(assigned["milestones"]) == 2
    plan = next(a for a in assigned["attachments"] if a["kind"] == "IMPLEMENTATION_PLAN")
    document = reader.client.get(f"/applications/{first['application_id']}/attachments/{plan['id']}")
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    theirs = {a["application_id"] for a in run["new_assignments"] if a["reviewer_id"] == first["reviewer_id"]}
    other = next(a for a in eligible if a not in theirs)
    assert reader.get(f"/applications/{other}", expect=404)["code"] == "NOT_FOUND"
    assert reader.get(f"/applications/{other}/attachments/{plan['id']}", expect=404)["code"] == "NOT_FOUND"
    assert reader.get("/applications", expect=403)["code"] == "FORBIDDEN_ROLE"

    b.reg.post(f"/programmes/{pid}/start-evaluation")
    eventually(lambda: ev.get(f"/programmes/{pid}")["status"] == "UNDER_EVALUATION", WAIT)
    return run, reviewer_user


def _blind_scoring_with_an_outlier(
    b: Batch, run: dict[str, Any], reviewer_user: dict[str, str], eligible: list[str]
) -> None:
    """Blind scoring, with one outlier for the moderator."""
    ev, pid = b.ev, b.pid
    criteria = ev.get(f"/programmes/{pid}")["scoring"]["criteria"]
    quality = {application_id: 0.9 - 0.05 * i for i, application_id in enumerate(eligible)}
    outlier_app = eligible[1]
    outlier_sheet = None
    for assignment in run["new_assignments"]:
        reviewer = Http(b.platform.evaluation, b.mint(reviewer_user[assignment["reviewer_id"]], "reviewer"))
        share = quality[assignment["application_id"]]
        if assignment["application_id"] == outlier_app and outlier_sheet is None:
            share, outlier_sheet = 0.35, assignment["sheet_id"]
        scores = {c["code"]: round(c["max_points"] * share, 1) for c in criteria}
        justifications = {c["code"]: f"{c['name_zh']}：依据申报材料评分" for c in criteria}
        sheet = f"/score-sheets/{assignment['sheet_id']}"
        reviewer.post(f"{sheet}/scores", json={"scores": scores, "justifications": justifications})
        reviewer.post(f"{sheet}/submit")
        # Blind: no ranking for reviewers before publication.
        assert reviewer.get(f"/programmes/{pid}/ranking", expect=403)["code"] == "RANKING_NOT_PUBLISHED"
    waiting = {n["application_id"]: n for n in ev.get(f"/programmes/{pid}/ranking")["not_ranked"]}
    assert waiting[outlier_app]["pending_moderation"] == [outlier_sheet]
    ev.post(
        f"/score-sheets/{outlier_sheet}/accept-moderation",
        json={"reason": "专家对技术路线有保留意见，评分依据充分，予以确认"},
    )


def _ranking_selection_and_publication(
    b: Batch, ndrc: str, eligible: list[str], shandong: str
) -> tuple[list[str], dict[str, Any]]:
    """Ranking, selection, both ministries sign off, publication. Returns the approved applications and the
    published selection."""
    ev, pid = b.ev, b.pid
    ranking = ev.get(f"/programmes/{pid}/ranking")
    assert ranking["entries"][0]["application_id"] == eligible[0]
    assert len(ranking["entries"]) == len(eligible) and all(e["why_zh"] for e in ranking["entries"])
    assert shandong not in {e["application_id"] for e in ranking["entries"]}
    ev.post(f"/programmes/{pid}/selection", expect=201, json={"target_count": 3})
    proposal = ev.post(f"/programmes/{pid}/selection/propose")
    approved: list[str] = proposal["approved"]
    assert len(approved) == 3
    ev.post(f"/programmes/{pid}/selection/sign-off")
    Http(b.platform.evaluation, ndrc).post(f"/programmes/{pid}/selection/sign-off")
    published: dict[str, Any] = ev.post(
        f"/programmes/{pid}/selection/publish", json={"document_number": "环办科财函〔2023〕261号"}
    )
    assert published["status"] == "PUBLISHED"
    return approved, published


def _pilots_start_and_outcomes_reach_intake(b: Batch, approved: list[str], eligible: list[str]) -> list[dict[str, Any]]:
    """The registry holds the pilots; intake knows the outcomes; nothing new after publication; the pilots start
    on the approval's business date and carry the approved schedule."""
    reg, intake, ev, pid = b.reg, b.intake, b.ev, b.pid
    pilots: list[dict[str, Any]] = eventually(
        lambda: (lambda page: page["items"] if page["total"] == 3 else None)(
            reg.get("/pilots", params={"programme_id": pid})
        ),
        timeout=WAIT,
    )
    assert {p["application_id"] for p in pilots} == set(approved)
    eventually(lambda: reg.get(f"/programmes/{pid}")["status"] == "RESULTS_PUBLISHED", timeout=WAIT)
    eventually(lambda: intake.get(f"/applications/{approved[0]}")["status"] == "APPROVED", timeout=WAIT)
    not_chosen = next(a for a in eligible if a not in approved)
    eventually(lambda: intake.get(f"/applications/{not_chosen}")["status"] == "NOT_APPROVED", timeout=WAIT)

    # --- nothing new after publication ---
    eventually(lambda: ev.get(f"/programmes/{pid}")["status"] == "RESULTS_PUBLISHED", WAIT)
    assert ev.post(f"/programmes/{pid}/assignments", expect=409)["code"] == "PROGRAMME_RESULTS_PUBLISHED"
    eventually(
        lambda: intake.client.get(f"/registry-copy/programmes/{pid}").json().get("status") == "RESULTS_PUBLISHED",
        WAIT,
    )
    after = b.province("320000").post("/applications", expect=409, json=b.draft_body("320000", "公布后的新申报"))
    assert after["code"] == "PROGRAMME_RESULTS_PUBLISHED"

    # --- the pilots start on the approval's business date and carry the approved schedule ---
    for listed in pilots:
        assert listed["start_date"] == AFTER_DEADLINE.date().isoformat(), listed
        assert listed["milestones_total"] == 2, listed
    return pilots


def _a_passed_pilot_credits_its_enterprises(b: Batch, pilots: list[dict[str, Any]]) -> None:
    """A pilot passes its final assessment; its enterprises get the deemed-audit credit."""
    reg = b.reg
    pilot = reg.get(f"/pilots/{pilots[0]['id']}")
    reg.post(
        f"/pilots/{pilot['id']}/reports",
        expect=201,
        json={
            "kind": "FINAL",
            "title": "试点总结报告",
            "document_ref": "总结报告.pdf",
            "filed_on": pilot["end_date"],
        },
    )
    assessed = reg.post(
        f"/pilots/{pilot['id']}/assessment",
        json={
            "passed": True,
            "reason": "完成试点目标，形成可推广经验",
            "assessed_on": pilot["end_date"],
        },
    )
    assert assessed["status"] == "PASSED"
    member = pilot["member_credit_codes"][0]
    credits = b.province("320000", "registry").get(f"/deemed-audit-credits/{member}")
    assert [(c["pilot_id"], c["wording"]) for c in credits] == [(pilot["id"], "视同开展一次清洁生产审核")]
    assert date.fromisoformat(credits[0]["credited_on"]) == date.fromisoformat(pilot["end_date"])


def _the_batch_concludes(b: Batch, jiangsu: list[str], shandong: str) -> None:
    """What can no longer move is closed out, with the reason."""
    b.reg.post(f"/programmes/{b.pid}/conclude", json={"reason": "第二批试点名单已公布，批次结束"})
    for stuck in (jiangsu[5], shandong):
        eventually(lambda a=stuck: b.intake.get(f"/applications/{a}")["status"] == "CLOSED_OUT", timeout=WAIT)


def _an_auditor_reads_and_verifies(b: Batch, auditor: str, approved: list[str], published: dict[str, Any]) -> None:
    """The application as it stood at a business time and at a recorded time; its story across the three services,
    in business-time order; each aggregate's history; every store verified."""
    platform, pid = b.platform, b.pid
    as_submitted = audit_state(platform, auditor, approved[0], "2023-04-01T00:00:00+08:00", "business")
    assert as_submitted["state"]["status"] == "ELIGIBLE"
    now_recorded = audit_state(platform, auditor, approved[0], datetime.now(ZoneInfo("UTC")).isoformat(), "recorded")
    assert now_recorded["state"]["status"] == "APPROVED"

    # --- one application's story across the three services, in business-time order ---
    told = application_story(platform, auditor, approved[0])
    assert {e["service"] for e in told} == {"application-intake", "evaluation", "pilot-registry"}
    times = [datetime.fromisoformat(e["business_time"]) for e in told]
    assert times == sorted(times)
    assert all(t.year == 2023 for t in times), times
    assert all(e["application_id"] == approved[0] and e["recorded_time"] for e in told)

    # --- an auditor reads each aggregate's history and verifies every store ---
    urls = {"registry": platform.registry, "intake": platform.intake, "evaluation": platform.evaluation}
    audit = {name: Http(url, auditor) for name, url in urls.items()}
    programme_history = audit["registry"].get(f"/audit/aggregates/{pid}/history")
    assert [e["type"].rsplit(".", 1)[1] for e in programme_history][:2] == ["Drafted", "Opened"]
    assert programme_history[1]["actor_user_id"] == "mee.flow"
    story = audit["intake"].get(f"/audit/aggregates/{approved[0]}/history")
    kinds = [e["type"].rsplit(".", 1)[1] for e in story]
    assert (
        kinds[0] == "Created" and "Submitted" in kinds and "VerdictRecorded" in kinds and kinds[-1] == "OutcomeRecorded"
    )
    selection_id = published["id"]
    selection_history = audit["evaluation"].get(f"/audit/aggregates/{selection_id}/history")
    signers = [e["actor_user_id"] for e in selection_history if e["type"].endswith(".SignedOff")]
    assert signers == ["mee.flow", "ndrc.flow"]
    correlation = story[0]["correlation_id"]
    assert audit["intake"].get(f"/audit/correlations/{correlation}")
    for name, http in audit.items():
        assert http.get("/audit/verify")["ok"] is True, name
        check = http.get("/audit/read-models/check")
        assert check["ok"] is True, (name, check)
        # Auditors change nothing.
        assert http.client.post("/audit/verify").status_code in (403, 405)
