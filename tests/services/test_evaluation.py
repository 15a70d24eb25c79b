"""evaluation over HTTP on real PostgreSQL and Kafka, with the real registry beside it.

The programme and its rules come from the real pilot-registry over Kafka; intake's application events come from
a stand-in of the intake service through the real broker (`evaluation_support.IntakeStandIn`). What ministry
staff, reviewers and auditors see and may do: assignment under the conflict rules, blind scoring, moderation,
ranking with its tie-breaks, selection with caps and the two-party sign-off, publication creating the pilots in
the registry, and applications that are amended, withdrawn or found ineligible while being evaluated.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, TopicPartition
from openpyxl import load_workbook

from evaluation.application import EvaluationService
from evaluation.bootstrap import build_evaluation
from pilot_common.context import Role
from pilot_registry.bootstrap import build_registry
from tests.services.conftest import AUDITOR, JIANGSU, MINISTRY, NDRC, Deployment, bearer, eventually
from tests.services.evaluation_support import (
    CRITERIA_MAXIMA,
    CROSSING_SECONDS,
    Applicant,
    IntakeStandIn,
    assert_problem,
    batch_2,
    justifications,
    points,
    register_applicant,
    register_reviewer,
    reviewer_token,
    revise_scoring,
    score_and_submit,
    under_evaluation,
    wait_for_scoring,
    wait_in_evaluation,
)

SHANGHAI_TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2023, 4, 3, 10, 0, tzinfo=SHANGHAI_TZ)
DOCUMENT_NUMBER = "环办科财函〔2023〕261号"


@dataclass
class World:
    registry: TestClient
    evaluation: TestClient
    intake: IntakeStandIn
    programme_id: str
    reviewer_logins: dict[str, str] = field(default_factory=dict)  # reviewer id -> login

    def reviewer(self, name: str, province: str, organisation_id: str, login: str, **kwargs: Any) -> str:
        reviewer_id = register_reviewer(self.evaluation, name, province, organisation_id, login, **kwargs)
        self.reviewer_logins[reviewer_id] = login
        return reviewer_id

    def submit(self, applicant: Applicant, project_name: str, pilot_type: str, **kwargs: Any) -> str:
        kwargs.setdefault("submitted_at", T0)
        return self.intake.submit(
            self.programme_id,
            province=applicant.province,
            pilot_type=pilot_type,
            project_name=project_name,
            applicant_organisation_id=applicant.organisation_id,
            pilot_object_id=applicant.pilot_object_id,
            **kwargs,
        )

    def assign(self) -> dict[str, Any]:
        under_evaluation(self.registry, self.evaluation, self.programme_id)
        response = self.evaluation.post(f"/programmes/{self.programme_id}/assignments", headers=MINISTRY)
        assert response.status_code == 200, response.text
        run: dict[str, Any] = response.json()
        return run

    def sheets(self, application_id: str, status: str | None = None) -> list[dict[str, Any]]:
        params = {"application_id": application_id, **({"status": status} if status else {})}
        page = self.evaluation.get("/score-sheets", params=params, headers=MINISTRY).json()
        items: list[dict[str, Any]] = page["items"]
        return items

    def score(self, application_id: str, total: float, innovation: float) -> list[dict[str, Any]]:
        """Every open sheet of the application scored `total` (with `innovation` for 特色与创新) and submitted."""
        return [
            score_and_submit(
                self.evaluation, s["id"], self.reviewer_logins[s["reviewer_id"]], points(total, innovation)
            )
            for s in self.sheets(application_id, "OPEN")
        ]

    def ranking(self, headers: dict[str, str] = MINISTRY, **params: str) -> dict[str, Any]:
        response = self.evaluation.get(f"/programmes/{self.programme_id}/ranking", params=params, headers=headers)
        assert response.status_code == 200, response.text
        ranking: dict[str, Any] = response.json()
        return ranking

    def ranked_ids(self) -> list[str]:
        return [e["application_id"] for e in self.ranking()["entries"]]

    def selection(
        self, action: str = "", body: dict[str, Any] | None = None, headers: dict[str, str] = MINISTRY
    ) -> Any:
        path = f"/programmes/{self.programme_id}/selection" + (f"/{action}" if action else "")
        return self.evaluation.post(path, json=body or {}, headers=headers)

    def one_reviewer_per_application(self) -> None:
        scoring = revise_scoring(self.registry, self.programme_id, reviewers_per_application=1)
        wait_for_scoring(self.evaluation, self.programme_id, scoring)


@pytest.fixture
def world(deployment: Deployment, start_service: Callable[..., TestClient]) -> Iterator[World]:
    registry = start_service(build_registry, deployment.settings("pilot-registry"), deployment.bus)
    evaluation = start_service(build_evaluation, deployment.settings("evaluation"), deployment.bus)
    intake = IntakeStandIn(deployment)
    programme_id = batch_2(registry)["id"]
    # The registry's seeded programme (Drafted) reaches the evaluation service over Kafka.
    eventually(
        lambda: evaluation.get(f"/programmes/{programme_id}", headers=MINISTRY).status_code == 200,
        timeout=CROSSING_SECONDS,
    )
    yield World(registry, evaluation, intake, programme_id)
    intake.close()


def suzhou(world: World) -> Applicant:
    return register_applicant(world.registry, "320000", "320571", "苏州工业园区管理委员会")


def hangzhou(world: World) -> Applicant:
    return register_applicant(world.registry, "330000", "330100", "杭州经济技术开发区管理委员会")


def shenzhen(world: World) -> Applicant:
    return register_applicant(world.registry, "440000", "440300", "深圳市生态环境局")


def chengdu(world: World) -> Applicant:
    return register_applicant(world.registry, "510000", "510100", "成都市生态环境局")


def qingdao(world: World) -> Applicant:
    return register_applicant(world.registry, "370000", "370200", "青岛市生态环境局")


# --- assignment --------------------------------------------------------------------------------------------------


def test_an_assignment_saved_in_several_chunks_is_all_or_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    ev = world.evaluation
    a = world.submit(suzhou(world), "苏州工业园区清洁生产整体审核创新试点", "PARK_CLUSTER")
    b = world.submit(hangzhou(world), "杭州经开区印染行业清洁生产整体审核创新试点", "KEY_INDUSTRY")
    wait_in_evaluation(ev, world.programme_id, 2)
    for n, province in enumerate(("440000", "510000", "370000")):
        world.reviewer(f"评审专家{n}", province, f"高校{n}", f"chunk.reviewer{n}")
    monkeypatch.setattr(EvaluationService, "_SHEETS_PER_SAVE", 2)  # 6 sheets: three saves in the run
    saves = 0
    save = EvaluationService.save

    def second_save_fails(self: EvaluationService, *objs: Any, **kwargs: Any) -> Any:
        nonlocal saves
        saves += 1
        if saves == 2:
            raise RuntimeError("the database went away in the middle of the run")
        return save(self, *objs, **kwargs)

    with monkeypatch.context() as failing:
        failing.setattr(EvaluationService, "save", second_save_fails)
        under_evaluation(world.registry, ev, world.programme_id)
        try:
            failed = ev.post(f"/programmes/{world.programme_id}/assignments", headers=MINISTRY).status_code >= 500
        except RuntimeError:
            failed = True
    assert failed and saves == 2
    assert world.sheets(a) == [] and world.sheets(b) == []  # the first chunk was not kept either

    run = world.assign()
    assert run["complete"] is True and len(run["new_assignments"]) == 6
    listing = {
        x["application_id"]: x for x in ev.get(f"/programmes/{world.programme_id}/assignments", headers=MINISTRY).json()
    }
    assert listing[a]["missing"] == 0 and listing[b]["missing"] == 0
    assert {len(world.sheets(a, "OPEN")), len(world.sheets(b, "OPEN"))} == {3}


def test_assignment_respects_conflicts_of_interest_and_reports_a_shortage(world: World) -> None:
    ev, pid = world.evaluation, world.programme_id
    js, zj = suzhou(world), hangzhou(world)
    a = world.submit(js, "苏州工业园区清洁生产整体审核创新试点", "PARK_CLUSTER")
    b = world.submit(zj, "杭州经开区印染行业清洁生产整体审核创新试点", "KEY_INDUSTRY", target_industries=("1713",))
    wait_in_evaluation(ev, pid, 2)
    r_js = world.reviewer("周建", "320000", "南京大学环境学院", "zhou.jian")
    r_zj = world.reviewer("钱敏", "330000", "浙江大学环境与资源学院", "qian.min")
    r_org_b = world.reviewer("黄涛", "440000", zj.organisation_id, "huang.tao", expertise=("DYEING_PRINTING",))
    r_sc = world.reviewer("李娜", "510000", "四川大学建筑与环境学院", "li.na")
    r_sd = world.reviewer("孙强", "370000", "山东大学环境科学与工程学院", "sun.qiang", available=False)
    province_of = {r_js: "320000", r_zj: "330000", r_org_b: "440000", r_sc: "510000", r_sd: "370000"}
    organisation_of = {r_org_b: zj.organisation_id}
    applicant_of = {a: js, b: zj}

    def check_no_conflict(run: dict[str, Any]) -> None:
        for made in run["new_assignments"]:
            applicant = applicant_of[made["application_id"]]
            assert province_of[made["reviewer_id"]] != applicant.province
            assert organisation_of.get(made["reviewer_id"]) != applicant.organisation_id

    # B (Zhejiang) cannot get three: 钱敏 is from Zhejiang, 黄涛 works for B's applicant, 孙强 is unavailable.
    first = world.assign()
    check_no_conflict(first)
    assert first["complete"] is False and first["reviewers_per_application"] == 3
    (shortage,) = first["shortages"]
    assert shortage["code"] == "REVIEWER_SHORTAGE" and shortage["application_id"] == b
    assert (shortage["needed"], shortage["eligible"]) == (3, 2)
    assert {r["code"] for r in shortage["reasons"]} == {"SAME_PROVINCE", "SAME_ORGANISATION", "UNAVAILABLE"}
    assert "还需 3 名评审专家" in shortage["message_zh"]
    assert {m["reviewer_id"] for m in first["new_assignments"] if m["application_id"] == a} == {r_zj, r_org_b, r_sc}
    assert all(m["application_id"] == a for m in first["new_assignments"])  # never a partial assignment
    listing = {x["application_id"]: x for x in ev.get(f"/programmes/{pid}/assignments", headers=MINISTRY).json()}
    assert listing[b]["sheets"] == [] and listing[b]["missing"] == 3
    assert listing[a]["missing"] == 0 and {s["reviewer_id"] for s in listing[a]["sheets"]} == {r_zj, r_org_b, r_sc}

    # 钱敏 declares a conflict on A: the sheet is withdrawn and nobody else is eligible yet.
    sheet_zj = next(s for s in world.sheets(a) if s["reviewer_id"] == r_zj)
    declared = ev.post(
        f"/score-sheets/{sheet_zj['id']}/conflict",
        json={"reason": "本人曾参与该园区清洁生产审核咨询"},
        headers=reviewer_token("qian.min"),
    )
    assert declared.status_code == 200 and declared.json()["status"] == "WITHDRAWN"
    second = world.assign()
    shortages = {s["application_id"]: s for s in second["shortages"]}
    assert set(shortages) == {a, b} and shortages[a]["needed"] == 1
    conflict_reasons = {r["code"] for r in shortages[a]["reasons"]}
    assert {"DECLARED_CONFLICT", "SAME_PROVINCE", "UNAVAILABLE", "ALREADY_ASSIGNED"} <= conflict_reasons
    assert second["new_assignments"] == []

    # 孙强 is back: A gets him, B gets its three; 钱敏 is never given A again.
    assert ev.patch(f"/reviewers/{r_sd}", json={"available": True}, headers=MINISTRY).json()["available"] is True
    third = world.assign()
    check_no_conflict(third)
    assert third["complete"] is True and third["shortages"] == []
    assert {(m["application_id"], m["reviewer_id"]) for m in third["new_assignments"]} == {
        (a, r_sd),
        (b, r_js),
        (b, r_sc),
        (b, r_sd),
    }
    assert world.assign()["new_assignments"] == []  # nothing lacking any more

    # Manual reassignment checks the same rules.
    def reassign(application: str, source: str, target: str) -> Any:
        body = {"from_reviewer_id": source, "to_reviewer_id": target, "reason": "原专家因出差无法按期完成评审"}
        return ev.post(f"/applications/{application}/reassignments", json=body, headers=MINISTRY)

    assert_problem(reassign(b, r_sc, r_zj), 409, "REVIEWER_CONFLICTED", "to_reviewer_id")  # Zhejiang
    assert_problem(reassign(b, r_sc, r_org_b), 409, "REVIEWER_CONFLICTED")  # B's own organisation
    assert_problem(reassign(a, r_sc, r_zj), 409, "REVIEWER_CONFLICTED")  # declared a conflict on A
    assert_problem(reassign(a, r_sc, r_sd), 409, "REVIEWER_ALREADY_ASSIGNED")
    r_bj = world.reviewer("王芳", "110000", "中国环境科学研究院", "wang.fang")
    moved = reassign(a, r_org_b, r_bj)
    assert moved.status_code == 201, moved.text
    assert {s["reviewer_id"] for s in world.sheets(a) if s["status"] != "WITHDRAWN"} == {r_sc, r_sd, r_bj}
    old = ev.get(f"/score-sheets/{moved.json()['withdrawn_sheet_id']}", headers=MINISTRY).json()
    assert old["status"] == "WITHDRAWN" and "原专家因出差" in old["withdrawal_reason"]
    assert_problem(reassign(a, r_bj, r_org_b), 409, "REVIEWER_WITHDRAWN_FROM_APPLICATION")

    # Only ministry staff assign.
    assert_problem(ev.post(f"/programmes/{pid}/assignments", headers=AUDITOR), 403, "FORBIDDEN_ROLE")
    assert_problem(ev.post(f"/programmes/{pid}/assignments", headers=reviewer_token("li.na")), 403, "FORBIDDEN_ROLE")


# --- blind scoring and bad input ---------------------------------------------------------------------------------


def test_reviewers_are_blind_and_bad_scores_are_refused_whole(world: World) -> None:
    ev, pid = world.evaluation, world.programme_id
    a = world.submit(suzhou(world), "苏州工业园区清洁生产整体审核创新试点", "PARK_CLUSTER")
    wait_in_evaluation(ev, pid, 1)
    r1 = world.reviewer("钱敏", "330000", "浙江大学环境与资源学院", "qian.min")
    world.reviewer("黄涛", "440000", "华南理工大学环境与能源学院", "huang.tao")
    world.reviewer("李娜", "510000", "四川大学建筑与环境学院", "li.na")
    assert world.assign()["complete"] is True
    sheets = {s["reviewer_id"]: s for s in world.sheets(a)}
    first = score_and_submit(ev, sheets[r1]["id"], "qian.min", points(82, 16))
    assert first["submitted_total"] == 82

    huang = reviewer_token("huang.tao")
    mine = ev.get("/score-sheets", headers=huang).json()
    assert mine["total"] == 1 and mine["items"][0]["reviewer_id"] != r1
    own = mine["items"][0]
    assert own["outlier"] is None  # nothing derived from the other sheets
    assert ev.get("/score-sheets", params={"reviewer_id": r1}, headers=huang).json()["total"] == 0
    assert_problem(ev.get(f"/score-sheets/{sheets[r1]['id']}", headers=huang), 404, "NOT_FOUND")
    assert_problem(
        ev.post(
            f"/score-sheets/{sheets[r1]['id']}/scores",
            json={"scores": points(60, 10), "justifications": justifications()},
            headers=huang,
        ),
        404,
        "NOT_FOUND",
    )
    assert_problem(ev.get(f"/programmes/{pid}/ranking", headers=huang), 403, "RANKING_NOT_PUBLISHED")
    assert_problem(ev.get(f"/programmes/{pid}/ranking.xlsx", headers=huang), 403, "FORBIDDEN_ROLE")
    assert_problem(ev.get("/applications", headers=huang), 403, "FORBIDDEN_ROLE")
    assert_problem(ev.get(f"/programmes/{pid}/selection", headers=huang), 403, "FORBIDDEN_ROLE")
    assert [r["name"] for r in ev.get("/reviewers", headers=huang).json()["items"]] == ["黄涛"]
    assert_problem(ev.get(f"/reviewers/{r1}", headers=huang), 404, "NOT_FOUND")
    assert_problem(ev.get("/score-sheets", headers=reviewer_token("stranger")), 403, "REVIEWER_NOT_REGISTERED")
    assert_problem(ev.get(f"/programmes/{pid}/ranking", headers=JIANGSU), 403, "FORBIDDEN_ROLE")

    # Bad scores: a problem with the rule code and the field; nothing is recorded.
    before = ev.get("/audit/verify", headers=AUDITOR).json()["events_checked"]
    url = f"/score-sheets/{own['id']}/scores"
    too_many = {**points(80, 15), "INNOVATION": 25.0}
    assert_problem(
        ev.post(url, json={"scores": too_many, "justifications": justifications()}, headers=huang),
        422,
        "SCORE_OUT_OF_RANGE",
        "scores.INNOVATION",
    )
    negative = {**points(80, 15), "PLAN": -1.0}
    assert_problem(
        ev.post(url, json={"scores": negative, "justifications": justifications()}, headers=huang),
        422,
        "SCORE_OUT_OF_RANGE",
        "scores.PLAN",
    )
    unjustified = {**justifications(), "PLAN": "  "}
    assert_problem(
        ev.post(url, json={"scores": points(80, 15), "justifications": unjustified}, headers=huang),
        422,
        "JUSTIFICATION_REQUIRED",
        "justifications.PLAN",
    )
    partial = {k: v for k, v in points(80, 15).items() if k != "OUTCOMES"}
    assert_problem(
        ev.post(url, json={"scores": partial, "justifications": justifications()}, headers=huang),
        422,
        "SCORE_MISSING",
        "scores.OUTCOMES",
    )
    wording = {**points(80, 15), "GOALS": "高"}
    problem = assert_problem(
        ev.post(url, json={"scores": wording, "justifications": justifications()}, headers=huang),
        422,
        "VALIDATION_FAILED",
    )
    assert "body.scores.GOALS" in [e["field"] for e in problem["errors"]]
    assert_problem(ev.post(f"/score-sheets/{own['id']}/submit", headers=huang), 409, "SHEET_INCOMPLETE")
    assert ev.get("/audit/verify", headers=AUDITOR).json()["events_checked"] == before
    unchanged = ev.get(f"/score-sheets/{own['id']}", headers=huang).json()
    assert unchanged["scores"] == {} and unchanged["version"] == own["version"]

    # Auditors read every sheet and change nothing; reviewers do not moderate.
    assert ev.get("/score-sheets", headers=AUDITOR).json()["total"] == 3
    reason = {"reason": "复核"}
    assert_problem(ev.post(f"/score-sheets/{own['id']}/rescore", json=reason, headers=AUDITOR), 403, "FORBIDDEN_ROLE")
    assert_problem(
        ev.post(f"/score-sheets/{sheets[r1]['id']}/rescore", json=reason, headers=huang), 403, "FORBIDDEN_ROLE"
    )
    assert_problem(ev.post(f"/score-sheets/{own['id']}/submit", headers=AUDITOR), 403, "FORBIDDEN_ROLE")


# --- moderation --------------------------------------------------------------------------------------------------


def test_outlying_scores_wait_for_moderation_under_the_programmes_threshold(world: World) -> None:
    ev, pid = world.evaluation, world.programme_id
    scoring = revise_scoring(world.registry, pid, outlier_threshold=5)
    wait_for_scoring(ev, pid, scoring)
    a = world.submit(suzhou(world), "苏州工业园区清洁生产整体审核创新试点", "PARK_CLUSTER")
    b = world.submit(hangzhou(world), "杭州经开区印染行业清洁生产整体审核创新试点", "KEY_INDUSTRY")
    wait_in_evaluation(ev, pid, 2)
    world.reviewer("黄涛", "440000", "华南理工大学环境与能源学院", "huang.tao")
    world.reviewer("李娜", "510000", "四川大学建筑与环境学院", "li.na")
    world.reviewer("孙强", "370000", "山东大学环境科学与工程学院", "sun.qiang")
    assert world.assign()["complete"] is True

    def submit_all(application: str, totals: list[int]) -> list[dict[str, Any]]:
        sheets = sorted(world.sheets(application), key=lambda s: s["reviewer_id"])
        return [
            score_and_submit(ev, s["id"], world.reviewer_logins[s["reviewer_id"]], points(t, 15))
            for s, t in zip(sheets, totals, strict=True)
        ]

    # 70 is 8 points from the median 78: an outlier under this programme's threshold of 5 (not under 15).
    low = submit_all(a, [80, 78, 70])[2]
    outlier = submit_all(b, [90, 88, 60])[2]
    ranking = world.ranking()
    assert ranking["entries"] == []
    waiting = {n["application_id"]: n for n in ranking["not_ranked"]}
    assert waiting[a]["state"] == "PENDING_MODERATION" and waiting[a]["pending_moderation"] == [low["id"]]
    assert waiting[a]["state_zh"] == "存在偏离评分，待复核"
    assert ev.get(f"/score-sheets/{low['id']}", headers=MINISTRY).json()["outlier"] is True

    # A moderator sends A's low sheet back; its reviewer rescores.
    blank = ev.post(f"/score-sheets/{low['id']}/rescore", json={"reason": " "}, headers=MINISTRY)
    assert_problem(blank, 422, "REASON_REQUIRED", "reason")
    sent_back = ev.post(
        f"/score-sheets/{low['id']}/rescore", json={"reason": "创新点评分依据不足，请复核"}, headers=MINISTRY
    ).json()
    assert (sent_back["status"], sent_back["scoring_round"]) == ("OPEN", 2)
    assert sent_back["rescore_reason"] == "创新点评分依据不足，请复核"
    score_and_submit(ev, low["id"], world.reviewer_logins[low["reviewer_id"]], points(76, 15))
    # B's outlier is kept, with the moderator's reason.
    kept = ev.post(
        f"/score-sheets/{outlier['id']}/accept-moderation",
        json={"reason": "经专家组讨论，该专家对技术路线可行性的质疑成立"},
        headers=MINISTRY,
    ).json()
    assert kept["moderation_accepted"] is True

    ranking = world.ranking()
    assert [(e["application_id"], e["score"]) for e in ranking["entries"]] == [(b, 79.33), (a, 78.0)]
    assert ranking["not_ranked"] == []
    assert ranking["entries"][0]["spread"] > 10  # the accepted outlier spreads B's totals
    history = ev.get(f"/audit/aggregates/{low['id']}/history", headers=AUDITOR).json()
    assert [e["type"].rsplit(".", 1)[1] for e in history] == [
        "Created",
        "ScoresRecorded",
        "Submitted",
        "RescoreRequested",
        "ScoresRecorded",
        "Submitted",
    ]
    assert history[3]["actor_user_id"] == "wang.mee" and history[3]["data"]["reason"] == "创新点评分依据不足，请复核"


# --- ranking and exports -----------------------------------------------------------------------------------------


def test_ranking_explains_every_tie_break_and_exports_the_same_numbers(world: World) -> None:
    ev, pid = world.evaluation, world.programme_id
    world.one_reviewer_per_application()
    js = suzhou(world)
    earlier = T0 - timedelta(hours=2)
    p = world.submit(js, "苏州造纸行业整体审核创新试点", "KEY_INDUSTRY", priority=True)
    q = world.submit(js, "苏州工业园区清洁生产整体审核创新试点", "PARK_CLUSTER")
    r = world.submit(js, "苏州化学原料药行业整体审核创新试点", "KEY_INDUSTRY", submitted_at=earlier)
    s = world.submit(js, "昆山开发区清洁生产整体审核创新试点", "PARK_CLUSTER")
    u = world.submit(js, "吴江开发区清洁生产整体审核创新试点", "PARK_CLUSTER")
    v = world.submit(js, "苏州小微企业简易审核创新试点", "SIMPLIFIED_ENTERPRISE", target_industries=("1810",))
    wait_in_evaluation(ev, pid, 6)
    world.reviewer("王芳", "110000", "中国环境科学研究院", "wang.fang")
    world.reviewer("陈刚", "310000", "同济大学环境科学与工程学院", "chen.gang")
    assert world.assign()["complete"] is True
    world.score(p, 80, 15)
    world.score(q, 80, 18)
    for application in (r, s, u):
        world.score(application, 80, 15)
    world.score(v, 70, 10)

    ranking = world.ranking()
    entries = ranking["entries"]
    assert [e["position"] for e in entries] == [1, 2, 3, 4, 5, 6]
    assert [e["application_id"] for e in entries[:3]] == [p, q, r]
    assert {e["application_id"] for e in entries[3:5]} == {s, u} and entries[5]["application_id"] == v
    assert [e["decided_by"] for e in entries] == ["FIRST", "PRIORITY", "INNOVATION", "SUBMISSION_TIME", "TIED", "SCORE"]
    assert entries[0]["why_zh"] == "总分 80 最高，排名第一" and entries[0]["priority"] is True
    # Batch 1's coverage is partly assumed: the priority tie-break says so where it decides a place.
    assert (
        entries[1]["why_zh"]
        == "与上一名总分相同，因优先支持领域排在其后（优先支持依据的此前批次覆盖范围部分为推定，尚未按第一批名单核实）"
    )
    assert all(e["priority_rests_on_assumption"] for e in entries) and ranking["coverage_note_zh"]
    assert "特色与创新得分 15 低于上一名（18）" in entries[2]["why_zh"]
    assert "提交时间晚于上一名" in entries[3]["why_zh"]
    assert "并列" in entries[4]["why_zh"] and "tied" in entries[4]["why_en"]
    assert [e["tied"] for e in entries] == [False, False, False, True, True, False]
    assert entries[5]["why_en"] == "Total score 70 is lower than the entry above (80)"
    assert entries[0]["province_name"] == "江苏省" and entries[0]["criterion_means"]["INNOVATION"] == 15

    parks = world.ranking(pilot_type="PARK_CLUSTER")["entries"]
    assert parks[0]["application_id"] == q and {e["application_id"] for e in parks[1:]} == {s, u}
    assert [(e["position"], e["decided_by"]) for e in parks] == [(1, "FIRST"), (2, "INNOVATION"), (3, "TIED")]
    assert_problem(
        ev.get(f"/programmes/{pid}/ranking", params={"pilot_type": "MOON_BASE"}, headers=MINISTRY), 404, "NOT_FOUND"
    )
    assert world.ranking(headers=AUDITOR)["entries"] == entries

    # The spreadsheet holds the same numbers under Chinese headers.
    xlsx = ev.get(f"/programmes/{pid}/ranking.xlsx", headers=MINISTRY)
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["排名", "未排名", "评分明细"]
    rows = list(workbook["排名"].iter_rows(values_only=True))
    headers = list(rows[0])
    assert headers[:7] == ["排名", "申报编号", "项目名称", "省份", "省份代码", "试点类型", "总分"]
    assert {"特色与创新得分", "优先支持", "并列", "排序依据", "特色与创新（均分）"} <= set(headers)
    column = {h: i for i, h in enumerate(headers)}
    assert [
        (row[column["排名"]], row[column["申报编号"]], row[column["总分"]], row[column["排序依据"]]) for row in rows[1:]
    ] == [(e["position"], e["application_id"], e["score"], e["why_zh"]) for e in entries]
    assert (
        rows[1][column["试点类型"]] == "重点行业清洁生产整体审核创新"
        and rows[1][column["优先支持"]] == "是（覆盖范围部分为推定）"
    )
    details = list(workbook["评分明细"].iter_rows(values_only=True))
    assert details[0][:3] == ("申报编号", "项目名称", "评审专家") and len(details) == 7
    assert sorted(d[details[0].index("加权总分")] for d in details[1:]) == [70, 80, 80, 80, 80, 80]

    exported = ev.get(f"/programmes/{pid}/ranking.csv", headers=AUDITOR)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Chinese headers
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["排名", "申报编号", "项目名称"]
    assert [(int(row[0]), row[1], float(row[6])) for row in table[1:]] == [
        (e["position"], e["application_id"], e["score"]) for e in entries
    ]
    sheet_details = ev.get(f"/programmes/{pid}/score-details.csv", headers=MINISTRY)
    assert sheet_details.status_code == 200
    assert sheet_details.content.decode("utf-8-sig").splitlines()[0].startswith("申报编号,项目名称,评审专家")


# --- selection, sign-off, publication ----------------------------------------------------------------------------


def test_selection_honours_caps_and_needs_both_signatures_on_the_final_list(world: World) -> None:
    ev, reg, pid = world.evaluation, world.registry, world.programme_id
    world.one_reviewer_per_application()
    js, zj, gd, sc, sd = suzhou(world), hangzhou(world), shenzhen(world), chengdu(world), qingdao(world)
    a1 = world.submit(js, "苏州造纸行业整体审核创新试点", "KEY_INDUSTRY")
    a2 = world.submit(js, "苏州工业园区清洁生产整体审核创新试点", "PARK_CLUSTER")
    a3 = world.submit(zj, "杭州印染行业整体审核创新试点", "KEY_INDUSTRY", target_industries=("1713",))
    a4 = world.submit(gd, "深圳宝安工业园区整体审核创新试点", "PARK_CLUSTER")
    a5 = world.submit(sc, "成都小微企业简易审核创新试点", "SIMPLIFIED_ENTERPRISE", target_industries=("1810",))
    a6 = world.submit(sd, "青岛家具制造企业简易审核创新试点", "SIMPLIFIED_ENTERPRISE", target_industries=("2110",))
    wait_in_evaluation(ev, pid, 6)
    world.reviewer("王芳", "110000", "中国环境科学研究院", "wang.fang")
    world.reviewer("陈刚", "310000", "同济大学环境科学与工程学院", "chen.gang")
    assert world.assign()["complete"] is True
    for application, total in ((a1, 90), (a2, 88), (a3, 86), (a4, 84), (a5, 82), (a6, 80)):
        world.score(application, total, 15)
    assert world.ranked_ids() == [a1, a2, a3, a4, a5, a6]

    started = world.selection(
        body={"target_count": 3, "type_caps": {"KEY_INDUSTRY": 1}, "province_caps": {"320000": 1}}
    )
    assert started.status_code == 201, started.text
    assert_problem(world.selection(body={"target_count": 3}), 409, "SELECTION_EXISTS")
    proposed = world.selection("propose").json()
    assert proposed["approved"] == [a1, a4, a5] and proposed["status"] == "PROPOSED"
    outcomes = {c["application_id"]: c for c in proposed["proposal"]}
    assert outcomes[a2]["outcome"] == "SKIPPED_PROVINCE_CAP" and outcomes[a2]["why_zh"] == "省份 320000 已达上限 1 个"
    assert (
        outcomes[a3]["outcome"] == "SKIPPED_TYPE_CAP"
        and outcomes[a3]["why_zh"] == "试点类型 KEY_INDUSTRY 已达上限 1 个"
    )
    assert outcomes[a6]["outcome"] == "BELOW_CUT"

    # Only MEE or NDRC staff sign; auditors and reviewers do not act.
    assert_problem(
        world.selection("sign-off", headers=bearer(Role.MINISTRY, "liu.mof", org="MOF")), 403, "SIGN_OFF_PARTY_REQUIRED"
    )
    assert_problem(world.selection("sign-off", headers=bearer(Role.MINISTRY, "no.org")), 403, "SIGN_OFF_PARTY_REQUIRED")
    assert_problem(world.selection("sign-off", headers=AUDITOR), 403, "FORBIDDEN_ROLE")
    assert world.selection("sign-off").json()["status"] == "PARTIALLY_SIGNED"  # MEE
    assert_problem(world.selection("sign-off"), 409, "ALREADY_SIGNED")

    # A change after MEE's signature voids it: NDRC's signature alone is not enough.
    exclusion = {"application_id": a5, "reason": "申报材料中资金来源证明不全"}
    changed = world.selection("exclude", exclusion).json()
    assert changed["status"] == "PROPOSED" and changed["sign_offs"] == {}
    assert (
        changed["voided_sign_offs"][-1]["cause"] == "EXCLUDED"
        and "资金来源证明不全" in changed["voided_sign_offs"][-1]["reason_zh"]
    )
    assert_problem(
        world.selection("include", {"application_id": a2, "reason": "园区代表性强"}), 409, "PROVINCE_CAP_REACHED"
    )
    assert_problem(world.selection("include", {"application_id": a3, "reason": "印染行业"}), 409, "TYPE_CAP_REACHED")
    assert_problem(world.selection("include", {"application_id": a6, "reason": ""}), 422, "VALIDATION_FAILED")
    included = world.selection("include", {"application_id": a6, "reason": "第一批未覆盖家具制造业，予以增补"}).json()
    assert included["approved"] == [a1, a4, a6]
    assert world.selection("sign-off", headers=NDRC).json()["status"] == "PARTIALLY_SIGNED"
    problem = assert_problem(world.selection("publish", {"document_number": DOCUMENT_NUMBER}), 409, "SIGN_OFF_MISSING")
    assert "生态环境部" in problem["title"]
    signed = world.selection("sign-off").json()
    assert signed["status"] == "SIGNED" and set(signed["sign_offs"]) == {"MEE", "NDRC"}
    assert signed["sign_offs"]["MEE"]["approved"] == [a1, a4, a6]

    # Before publication reviewers see no ranking; after it they do.
    assert_problem(
        ev.get(f"/programmes/{pid}/ranking", headers=reviewer_token("wang.fang")), 403, "RANKING_NOT_PUBLISHED"
    )
    published = world.selection("publish", {"document_number": DOCUMENT_NUMBER}).json()
    assert published["status"] == "PUBLISHED" and published["document_number"] == DOCUMENT_NUMBER
    assert_problem(world.selection("exclude", {"application_id": a1, "reason": "迟到"}), 409, "SELECTION_PUBLISHED")
    assert world.ranking(headers=reviewer_token("wang.fang"))["published"] is True

    history = ev.get(f"/audit/aggregates/{published['id']}/history", headers=AUDITOR).json()
    event = history[-1]
    assert event["type"] == "evaluation.Selection.Published" and event["actor_user_id"] == "wang.mee"
    assert event["data"]["programme_id"] == pid and event["data"]["approved"] == [a1, a4, a6]
    assert [(e["application_id"], e["position"], e["score"]) for e in event["data"]["entries"]] == [
        (a1, 1, 90.0),
        (a4, 2, 84.0),
        (a6, 3, 80.0),
    ]
    assert event["data"]["entries"][1]["pilot_object_id"] == gd.pilot_object_id

    # The registry creates the approved pilots from the published list.
    def pilots() -> list[dict[str, Any]] | None:
        page = reg.get("/pilots", params={"programme_id": pid}, headers=MINISTRY).json()
        items: list[dict[str, Any]] = page["items"]
        return items if page["total"] == 3 else None

    created = {p["application_id"]: p for p in eventually(pilots, timeout=CROSSING_SECONDS)}
    assert set(created) == {a1, a4, a6}
    assert created[a4]["project_name"] == "深圳宝安工业园区整体审核创新试点"
    assert created[a4]["province_code"] == "440000" and created[a4]["pilot_type"] == "PARK_CLUSTER"
    assert {p["approval_document_number"] for p in created.values()} == {DOCUMENT_NUMBER}
    assert ev.get("/audit/verify", headers=AUDITOR).json()["ok"] is True
    check = ev.get("/audit/read-models/check", headers=AUDITOR).json()
    assert check["ok"] is True, check
    assert check["compared"]["ev_score_sheets"] == 6 and check["compared"]["ev_application_scores"] == 6


# --- amended, withdrawn, ineligible ------------------------------------------------------------------------------


def test_an_amendment_makes_submitted_sheets_stale_until_confirmed_or_rescored(world: World) -> None:
    ev, pid = world.evaluation, world.programme_id
    world.one_reviewer_per_application()
    js = suzhou(world)
    a = world.submit(js, "苏州工业园区清洁生产整体审核创新试点", "PARK_CLUSTER")
    b = world.submit(js, "苏州造纸行业整体审核创新试点", "KEY_INDUSTRY")
    wait_in_evaluation(ev, pid, 2)
    world.reviewer("王芳", "110000", "中国环境科学研究院", "wang.fang")
    assert world.assign()["complete"] is True
    (sheet_a,) = world.score(a, 84, 16)
    (sheet_b,) = world.score(b, 80, 15)
    assert world.ranked_ids() == [a, b]

    assert world.intake.amend(a, "补充技术路线图及第三方监测方案") == 2
    assert world.intake.amend(b, "补充资金承诺函") == 2

    def stale(sheet_id: str) -> dict[str, Any] | None:
        sheet: dict[str, Any] = ev.get(f"/score-sheets/{sheet_id}", headers=MINISTRY).json()
        return sheet if sheet["stale"] else None

    amended = eventually(lambda: stale(sheet_a["id"]), timeout=CROSSING_SECONDS)
    assert (amended["status"], amended["application_revision"], amended["pending_revision"]) == ("SUBMITTED", 1, 2)
    assert amended["stale_reason"] == "申报已补正为第 2 版：补充技术路线图及第三方监测方案"
    eventually(lambda: stale(sheet_b["id"]), timeout=CROSSING_SECONDS)
    ranking = world.ranking()
    assert ranking["entries"] == []
    assert {n["state"] for n in ranking["not_ranked"]} == {"STALE_SHEETS"}

    wang = reviewer_token("wang.fang")
    assert_problem(ev.post(f"/score-sheets/{sheet_a['id']}/submit", headers=wang), 409, "SHEET_SUBMITTED")
    confirmed = ev.post(f"/score-sheets/{sheet_a['id']}/confirm", headers=wang).json()
    assert (confirmed["stale"], confirmed["application_revision"], confirmed["submitted_total"]) == (False, 2, 84)
    assert_problem(ev.post(f"/score-sheets/{sheet_a['id']}/confirm", headers=wang), 409, "SHEET_NOT_STALE")
    # B's reviewer rescores the amended application instead: a new round on revision 2.
    rescored = score_and_submit(ev, sheet_b["id"], "wang.fang", points(86, 17))
    assert (rescored["scoring_round"], rescored["application_revision"], rescored["submitted_total"]) == (2, 2, 86)
    assert [(e["application_id"], e["score"]) for e in world.ranking()["entries"]] == [(b, 86.0), (a, 84.0)]
    # The evaluation keeps the application's current revision (sheets opened from now on score it).
    assert {x["revision"] for x in ev.get(f"/programmes/{pid}/assignments", headers=MINISTRY).json()} == {2}


def test_withdrawn_or_ineligible_applications_leave_evaluation_at_once(world: World) -> None:
    ev, pid = world.evaluation, world.programme_id
    world.one_reviewer_per_application()
    js, zj = suzhou(world), hangzhou(world)
    a = world.submit(js, "苏州工业园区清洁生产整体审核创新试点", "PARK_CLUSTER")
    b = world.submit(zj, "杭州印染行业整体审核创新试点", "KEY_INDUSTRY", target_industries=("1713",))
    c = world.submit(js, "苏州造纸行业整体审核创新试点", "KEY_INDUSTRY")
    wait_in_evaluation(ev, pid, 3)
    world.reviewer("王芳", "110000", "中国环境科学研究院", "wang.fang")
    assert world.assign()["complete"] is True
    world.score(a, 84, 16)
    world.score(b, 88, 15)
    (open_sheet_c,) = world.sheets(c, "OPEN")
    assert world.ranked_ids() == [b, a]
    assert world.selection(body={"target_count": 2}).status_code == 201
    assert world.selection("propose").json()["approved"] == [b, a]
    assert world.selection("sign-off").json()["status"] == "PARTIALLY_SIGNED"

    # Hangzhou withdraws B: out of the ranking, off the list (which voids the signature), not a candidate.
    world.intake.withdraw(b, "园区规划调整，申报单位主动撤回", T0 + timedelta(days=1))
    eventually(lambda: world.ranked_ids() == [a], timeout=CROSSING_SECONDS)
    selection = ev.get(f"/programmes/{pid}/selection", headers=MINISTRY).json()
    assert selection["approved"] == [a] and selection["sign_offs"] == {}
    assert "园区规划调整" in selection["exclusions"][b]
    assert_problem(
        world.selection("include", {"application_id": b, "reason": "恢复"}), 409, "APPLICATION_NOT_IN_EVALUATION"
    )
    withdrawn_view = ev.get(f"/applications/{b}", headers=MINISTRY).json()
    assert (withdrawn_view["in_evaluation"], withdrawn_view["intake_status"]) == (False, "WITHDRAWN")

    # A central-inspection finding makes C ineligible on re-check: its open sheet is withdrawn at once.
    world.intake.recheck(c, "INELIGIBLE", "FINDING_RECORDED", T0 + timedelta(days=2))

    def withdrawn_sheet() -> dict[str, Any] | None:
        sheet: dict[str, Any] = ev.get(f"/score-sheets/{open_sheet_c['id']}", headers=MINISTRY).json()
        return sheet if sheet["status"] == "WITHDRAWN" else None

    assert "资格复核结论为INELIGIBLE" in eventually(withdrawn_sheet, timeout=CROSSING_SECONDS)["withdrawal_reason"]
    ranking = world.ranking()
    assert [e["application_id"] for e in ranking["entries"]] == [a] and ranking["not_ranked"] == []
    assert_problem(
        ev.post(
            f"/score-sheets/{open_sheet_c['id']}/scores",
            json={"scores": points(80, 15), "justifications": justifications()},
            headers=reviewer_token("wang.fang"),
        ),
        409,
        "APPLICATION_NOT_IN_EVALUATION",
    )
    assert world.assign()["applications_considered"] == 1
    assert [x["application_id"] for x in ev.get(f"/programmes/{pid}/assignments", headers=MINISTRY).json()] == [a]


# --- what leaves the service ------------------------------------------------------------------------------------


def _read_topic(deployment: Deployment, topic: str) -> list[dict[str, Any]]:
    """Every record on the topic from its beginning, as a stranger with read access to the cluster would see it."""
    assert deployment.kafka is not None
    name = f"{deployment.namespace}.{topic}" if deployment.namespace else topic
    consumer = KafkaConsumer(bootstrap_servers=deployment.kafka, enable_auto_commit=False, group_id=None)
    try:
        partitions = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
        assert partitions, f"no topic {name}"
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        records: list[dict[str, Any]] = []
        deadline = time.monotonic() + CROSSING_SECONDS
        while any(consumer.position(p) < end[p] for p in partitions) and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend({**json.loads(r.value), "headers": {k: v.decode() for k, v in r.headers}} for r in batch)
        assert all(consumer.position(p) >= end[p] for p in partitions), "the topic was not read to its end"
        return records
    finally:
        consumer.close()


def _keys(value: Any) -> set[str]:
    """Every key of every object nested in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_no_individual_reviewer_scores_leave_the_service_on_its_topic(world: World, deployment: Deployment) -> None:
    ev, reg, pid = world.evaluation, world.registry, world.programme_id
    world.one_reviewer_per_application()
    a1 = world.submit(suzhou(world), "苏州工业园区清洁生产整体审核创新试点", "PARK_CLUSTER")
    a2 = world.submit(hangzhou(world), "杭州印染行业整体审核创新试点", "KEY_INDUSTRY", target_industries=("1713",))
    wait_in_evaluation(ev, pid, 2)
    world.reviewer("王芳", "110000", "中国环境科学研究院", "wang.fang")
    world.reviewer("陈刚", "310000", "同济大学环境科学与工程学院", "chen.gang")
    assert world.assign()["complete"] is True
    sheets = [*world.score(a1, 91, 17), *world.score(a2, 83, 12)]
    assert len(sheets) == 2 and all(s["status"] == "SUBMITTED" for s in sheets)
    assert world.selection(body={"target_count": 1}).status_code == 201
    assert world.selection("propose").json()["approved"] == [a1]
    world.selection("sign-off")
    world.selection("sign-off", headers=NDRC)
    assert world.selection("publish", {"document_number": DOCUMENT_NUMBER}).status_code == 200
    eventually(  # the list crossed Kafka: everything evaluation committed before it is on the topic too
        lambda: reg.get("/pilots", params={"programme_id": pid}, headers=MINISTRY).json()["total"] == 1,
        timeout=CROSSING_SECONDS,
    )

    # Inside the service every score was recorded ...
    stored = [e["type"] for s in sheets for e in ev.get(f"/audit/aggregates/{s['id']}/history", headers=AUDITOR).json()]
    assert stored.count("evaluation.ScoreSheet.ScoresRecorded") == 2

    # ... and on the topic there is no trace of them, nor of who reviewed what.
    records = _read_topic(deployment, "evaluation.events")
    types = [r["type"] for r in records]
    assert sorted(set(types)) == ["evaluation.ScoreSheet.Created", "evaluation.Selection.Published"], types
    assert [r["headers"]["ce_type"] for r in records] == types
    criteria = set(CRITERIA_MAXIMA)
    for record in records:
        keys = _keys(record["data"])
        assert not keys & {"scores", "score", "justifications", "reviewer_id", "criteria", *criteria}, record
        text = json.dumps(record["data"], ensure_ascii=False)
        assert not [r for r in world.reviewer_logins if r in text], record  # no reviewer's id either

    # What the registry and intake need is all there.
    opened = [r["data"] for r in records if r["type"] == "evaluation.ScoreSheet.Created"]
    assert sorted(o["application_id"] for o in opened) == sorted([a1, a2])
    assert all(o["programme_id"] == pid and o["application_revision"] == 1 for o in opened)
    (listed,) = [r for r in records if r["type"] == "evaluation.Selection.Published"]
    assert listed["schemaversion"] == 2 and listed["data"]["document_number"] == DOCUMENT_NUMBER
    (entry,) = listed["data"]["entries"]
    assert entry["application_id"] == a1 and entry["province_code"] == "320000" and entry["position"] == 1


# --- the scoring due date (评审截止日期) ------------------------------------------------------------------------


def test_the_ministry_sets_and_moves_the_scoring_due_date_and_each_sheet_shows_it(world: World) -> None:
    ev, pid = world.evaluation, world.programme_id
    url = f"/programmes/{pid}/scoring-deadline"
    assert_problem(ev.get(url, headers=MINISTRY), 404, "NOT_FOUND")
    assert_problem(ev.put(url, json={"due_date": "2099-06-30"}, headers=MINISTRY), 409, "PROGRAMME_NOT_CLOSED")
    a = world.submit(suzhou(world), "苏州工业园区清洁生产整体审核创新试点", "PARK_CLUSTER")
    wait_in_evaluation(ev, pid, 1)
    world.reviewer("钱敏", "330000", "浙江大学环境与资源学院", "qian.min")
    world.reviewer("黄涛", "440000", "华南理工大学环境与能源学院", "huang.tao")
    world.reviewer("李娜", "510000", "四川大学建筑与环境学院", "li.na")
    assert world.assign()["complete"] is True
    assert all(s["due_date"] is None and s["days_left"] is None for s in world.sheets(a))

    qian = reviewer_token("qian.min")
    assert_problem(ev.put(url, json={"due_date": "2099-06-30"}, headers=qian), 403, "FORBIDDEN_ROLE")
    first = ev.put(url, json={"due_date": "2099-06-30"}, headers=MINISTRY)
    assert first.status_code == 200, first.text
    assert first.json()["due_date"] == "2099-06-30" and first.json()["changes"] == []
    today = date(2099, 6, 30) - timedelta(days=first.json()["days_left"])  # business today, as the service has it
    # A change needs a reason; the same date, or one before business today, is refused; nothing is recorded.
    assert_problem(ev.put(url, json={"due_date": "2099-07-15"}, headers=MINISTRY), 422, "REASON_REQUIRED", "reason")
    same = {"due_date": "2099-06-30", "reason": "再议"}
    assert_problem(ev.put(url, json=same, headers=MINISTRY), 422, "NOTHING_TO_CHANGE", "due_date")
    past = {"due_date": (today - timedelta(days=1)).isoformat(), "reason": "提前"}
    assert_problem(ev.put(url, json=past, headers=MINISTRY), 422, "DUE_DATE_PAST", "due_date")
    assert ev.get(url, headers=MINISTRY).json()["version"] == first.json()["version"]

    moved = ev.put(url, json={"due_date": today.isoformat(), "reason": "评审进度加快，提前截止"}, headers=MINISTRY)
    assert moved.status_code == 200, moved.text
    assert moved.json()["days_left"] == 0
    assert moved.json()["changes"] == [
        {"due_date": today.isoformat(), "previous": "2099-06-30", "reason": "评审进度加快，提前截止"}
    ]
    own = ev.get("/score-sheets", headers=qian).json()["items"]
    assert [(s["due_date"], s["days_left"], s["overdue"]) for s in own] == [(today.isoformat(), 0, False)]
    assert {s["due_date"] for s in world.sheets(a)} == {today.isoformat()}
    # The read model rebuilt from the events says the same
    check = ev.get("/audit/read-models/check", headers=AUDITOR).json()
    assert check["ok"] is True and check["compared"]["ev_scoring_deadlines"] == 1, check


def test_a_sheet_past_its_due_date_is_overdue_until_submitted_but_never_refused() -> None:
    from evaluation.api.score_sheets import _view

    row = {
        "id": "S-1",
        "reviewer_id": "R-1",
        "application_id": "A-1",
        "programme_id": "P-1",
        "status": "OPEN",
        "scoring_round": 1,
        "application_revision": 1,
        "stale": False,
        "pending_revision": None,
        "stale_reason": None,
        "criteria": [],
        "scores": {},
        "justifications": {},
        "weighted_total": None,
        "submitted_total": None,
        "submitted_at": None,
        "submissions": 0,
        "rescore_reason": None,
        "moderation_accepted": False,
        "conflict_declared": False,
        "withdrawal_reason": None,
        "version": 1,
        "project_name": "苏州",
        "pilot_type": "PARK_CLUSTER",
        "outliers": [],
        "due_date": "2023-04-20",
    }
    on_time = _view(row, staff=False, today=date(2023, 4, 20))
    assert (on_time.days_left, on_time.overdue) == (0, False)
    late = _view(row, staff=False, today=date(2023, 4, 23))
    assert (late.days_left, late.overdue) == (-3, True)
    submitted = _view({**row, "status": "SUBMITTED"}, staff=False, today=date(2023, 4, 23))
    assert (submitted.days_left, submitted.overdue) == (-3, False)
    unset = _view({**row, "due_date": None}, staff=False, today=date(2023, 4, 23))
    assert (unset.due_date, unset.days_left, unset.overdue) == (None, None, False)
