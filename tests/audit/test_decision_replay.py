"""Replaying a decision as an auditor does it (issue 14 item 5): the published list of a batch re-derived from
evaluation's stored events alone, on real PostgreSQL and Kafka with the real registry, and a read-model row of the
ranking changed after publication named as drift (the replay is from the events, so the published list stands)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from pilot_audit.cli import run
from tests.services.conftest import AUDITOR, MINISTRY, NDRC, deployment, eventually, start_service  # noqa: F401
from tests.services.evaluation_support import CROSSING_SECONDS
from tests.services.test_evaluation import (  # noqa: F401  (the evaluation tests' world: registry, evaluation, intake)
    DOCUMENT_NUMBER,
    World,
    chengdu,
    hangzhou,
    qingdao,
    shenzhen,
    suzhou,
    world,
)


def publish_a_batch(w: World) -> dict[str, str]:
    """Six applications scored, a proposal under caps, one exclusion and one inclusion by hand (voiding MEE's first
    signature), both sign-offs, publication; the registry creates the pilots."""
    w.one_reviewer_per_application()
    js, zj, gd, sc, sd = suzhou(w), hangzhou(w), shenzhen(w), chengdu(w), qingdao(w)
    ids = {
        "a1": w.submit(js, "苏州造纸行业整体审核创新试点", "KEY_INDUSTRY", priority=True),
        "a2": w.submit(js, "苏州工业园区清洁生产整体审核创新试点", "PARK_CLUSTER"),
        "a3": w.submit(zj, "杭州印染行业整体审核创新试点", "KEY_INDUSTRY", target_industries=("1713",)),
        "a4": w.submit(gd, "深圳宝安工业园区整体审核创新试点", "PARK_CLUSTER"),
        "a5": w.submit(sc, "成都小微企业简易审核创新试点", "SIMPLIFIED_ENTERPRISE", target_industries=("1810",)),
        "a6": w.submit(sd, "青岛家具制造企业简易审核创新试点", "SIMPLIFIED_ENTERPRISE", target_industries=("2110",)),
    }
    from tests.services.evaluation_support import wait_in_evaluation

    wait_in_evaluation(w.evaluation, w.programme_id, 6)
    w.reviewer("王芳", "110000", "中国环境科学研究院", "wang.fang")
    w.reviewer("陈刚", "310000", "同济大学环境科学与工程学院", "chen.gang")
    assert w.assign()["complete"] is True
    # a1 and a2 tie on the total: the priority decides; a5 and a6 tie on total and priority: innovation decides.
    for key, total, innovation in (("a1", 90, 15), ("a2", 90, 15), ("a3", 86, 15), ("a4", 84, 15)):
        w.score(ids[key], total, innovation)
    w.score(ids["a5"], 80, 18)
    w.score(ids["a6"], 80, 15)
    started = w.selection(body={"target_count": 3, "type_caps": {"KEY_INDUSTRY": 1}, "province_caps": {"320000": 1}})
    assert started.status_code == 201, started.text
    assert w.selection("propose").json()["approved"] == [ids["a1"], ids["a4"], ids["a5"]]
    assert w.selection("sign-off").json()["status"] == "PARTIALLY_SIGNED"
    w.selection("exclude", {"application_id": ids["a5"], "reason": "申报材料中资金来源证明不全"})
    included = w.selection("include", {"application_id": ids["a6"], "reason": "第一批未覆盖家具制造业，予以增补"})
    assert included.json()["approved"] == [ids["a1"], ids["a4"], ids["a6"]], included.text
    w.selection("sign-off", headers=NDRC)
    w.selection("sign-off")
    published = w.selection("publish", {"document_number": DOCUMENT_NUMBER})
    assert published.json()["status"] == "PUBLISHED", published.text
    return ids


def replay(w: World) -> dict[str, Any]:
    response = w.evaluation.get(f"/audit/decisions/{w.programme_id}/replay", headers=AUDITOR)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def registry_pilots(w: World) -> list[dict[str, Any]]:
    def pilots() -> list[dict[str, Any]] | None:
        page = w.registry.get("/pilots", params={"programme_id": w.programme_id}, headers=MINISTRY).json()
        items: list[dict[str, Any]] = page["items"]
        return items if page["total"] == 3 else None

    found: list[dict[str, Any]] = eventually(pilots, timeout=CROSSING_SECONDS)
    return found


def cli_replay(w: World) -> int:
    """`pilot-audit replay` against both services' APIs, as an auditor."""
    clients = {
        "evaluation": TestClient(w.evaluation.app, headers=AUDITOR),
        "registry": TestClient(w.registry.app, headers=AUDITOR),
    }
    argv = ["replay", "--service", "evaluation=http://evaluation", "--service", "pilot-registry=http://registry"]
    return run([*argv, "--programme", w.programme_id], client_for=lambda url: clients[url.removeprefix("http://")])


def test_a_published_batch_replays_from_the_events_to_exactly_its_list(world: World) -> None:  # noqa: F811
    ids = publish_a_batch(world)
    history = world.evaluation.get(f"/audit/aggregates/{replay(world)['selection_id']}/history", headers=AUDITOR).json()
    published_event = history[-1]
    assert published_event["type"] == "evaluation.Selection.Published"

    result = replay(world)
    assert result["differences"] == [] and result["read_model_drift"] == [], result
    assert result["reproduced"] is True and result["ok"] is True and result["notes"] == []
    assert result["published"] == published_event["data"]["entries"]
    assert result["replayed"] == result["published"]  # entry by entry, every field
    assert [(e["application_id"], e["position"], e["ranking_position"], e["score"]) for e in result["replayed"]] == [
        (ids["a1"], 1, 1, 90.0),
        (ids["a4"], 2, 4, 84.0),
        (ids["a6"], 3, 6, 80.0),
    ]
    # The ranking and the moderation outcome as the events give them, with the tie-breaks that decided.
    assert [e["application_id"] for e in result["ranking"]] == [ids[k] for k in ("a1", "a2", "a3", "a4", "a5", "a6")]
    assert [e["decided_by"] for e in result["ranking"]][:2] == ["FIRST", "PRIORITY"]
    assert result["ranking"][5]["decided_by"] == "INNOVATION"
    assert {a: s["state"] for a, s in result["scores"].items()} == {a: "COMPLETE" for a in ids.values()}
    assert result["proposals"] == 1 and result["document_number"] == DOCUMENT_NUMBER
    assert result["published_position"] > 0

    # Only auditors and ministry staff read it; an unpublished programme has nothing decided to replay.
    assert world.evaluation.get(f"/audit/decisions/{world.programme_id}/replay", headers=NDRC).status_code == 200
    other = "00000000-0000-4000-8000-000000000001"
    assert world.evaluation.get(f"/audit/decisions/{other}/replay", headers=AUDITOR).status_code == 404

    # The auditor's CLI: the events give the published list, and the registry's pilots are its entries.
    assert {p["application_id"] for p in registry_pilots(world)} == {ids[k] for k in ("a1", "a4", "a6")}
    assert cli_replay(world) == 0


def test_a_ranking_row_changed_after_publication_is_named_by_the_replay(world: World) -> None:  # noqa: F811
    ids = publish_a_batch(world)
    # Someone with database access lifts a6's score after publication: the ranking API now shows it first.
    service = world.evaluation.app.state.evaluation  # type: ignore[attr-defined]
    with service.unit_of_work() as session:
        changed = session.execute(
            sa.text("UPDATE ev_application_scores SET score = 99.5 WHERE application_id = :a"), {"a": ids["a6"]}
        )
        assert changed.rowcount == 1
    assert world.ranked_ids()[0] == ids["a6"]

    result = replay(world)
    # The decision replays from the events: the published list stands, the drift is named row by row.
    assert result["reproduced"] is True and result["differences"] == []
    assert result["ok"] is False
    drift = {(d["row"], d["field"]): d for d in result["read_model_drift"]}
    score = drift[(f"ev_application_scores[application_id={ids['a6']}]", "score")]
    assert score["recorded"] == 99.5 and score["replayed"] == 80.0
    # The events that give the replayed score: a6's score sheet, opened, scored and submitted.
    assert [e["type"] for e in score["events"]] == [
        "ScoreSheet.Created",
        "ScoreSheet.ScoresRecorded",
        "ScoreSheet.Submitted",
    ]
    assert all(e["position"] < result["published_position"] for e in score["events"])
    position = drift[(f"ranking[application_id={ids['a6']}]", "position")]
    assert position["recorded"] == 1 and position["replayed"] == 6
    assert {d["application_id"] for d in result["read_model_drift"]} == {
        ids["a6"],
        *(ids[k] for k in ("a1", "a2", "a3", "a4", "a5")),
    }  # every other entry moved down one place in the read model's ranking

    # The registry's pilots are the published entries (evaluation knows only what it published); the CLI, which
    # reads both, exits 1 on the drift.
    assert {p["application_id"] for p in registry_pilots(world)} == {e["application_id"] for e in result["published"]}
    assert cli_replay(world) == 1
