"""Makes the "previous schema" fixtures of the migration test: each service's PostgreSQL database as the code
before migrations existed (commit affda7c, tables created at start-up) left it after a short real flow, dumped as
plain SQL into `tests/migrations/fixtures/<service>.sql`.

Run it against that code, not the current one (the point is the schema the old code made):

    git worktree add /tmp/prev affda7c
    cd /tmp/prev && uv sync --frozen
    PYTHONPATH=. uv run --frozen python $REPO/tests/migrations/make_previous_schema.py $REPO/tests/migrations/fixtures

It starts a throwaway PostgreSQL (tests/infra, as the tests do), runs the three services in one process on it with
the in-process bus, drives them over HTTP (batch 2 opened, two provinces' organisations and parks, three
submitted applications, five reviewers, assignment, one application fully scored and one sheet scored but not
submitted), stops them and dumps each database with `pg_dump --inserts` (plain INSERTs: restorable through any
driver, no psql needed).
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import warnings
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import make_url

from application_intake.bootstrap import build_intake
from evaluation.bootstrap import build_evaluation
from pilot_common.settings import ServiceSettings
from pilot_common.transport.inprocess import InProcessBus
from pilot_registry.bootstrap import build_registry
from tests.infra.postgres import start_postgres
from tests.services.conftest import JIANGSU, MINISTRY, ZHEJIANG, eventually
from tests.services.evaluation_support import (
    justifications,
    points,
    register_reviewer,
    score_and_submit,
    wait_in_evaluation,
)
from tests.services.evaluation_support import reviewer_token as reviewer
from tests.services.intake_support import (
    IN_WINDOW,
    complete,
    draft,
    open_batch_2,
    register_province,
    wait_until_intake_knows,
)

SERVICES = {"pilot-registry": build_registry, "application-intake": build_intake, "evaluation": build_evaluation}


def pg_dump() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    return os.environ.get("PG_DUMP") or (found[-1] if found else "pg_dump")


def main(out: Path) -> None:
    warnings.filterwarnings("ignore")
    server = start_postgres()
    try:
        urls = {name: server.create_database(f"prev_{name.replace('-', '_')}") for name in SERVICES}
        bus = InProcessBus()
        clients: dict[str, TestClient] = {}
        for name, build in SERVICES.items():
            settings = ServiceSettings(
                service_name=name, database_url=urls[name], kafka_bootstrap_servers=None, clock_start=IN_WINDOW
            )
            clients[name] = TestClient(build(settings, bus).api)
        for client in clients.values():
            client.__enter__()
        flow(clients["pilot-registry"], clients["application-intake"], clients["evaluation"])
        for client in reversed(clients.values()):
            client.__exit__(None, None, None)
        out.mkdir(parents=True, exist_ok=True)
        for name, url in urls.items():
            u = make_url(url)
            dump = subprocess.run(
                [
                    pg_dump(),
                    "--inserts",
                    "--no-owner",
                    "--no-privileges",
                    "--no-comments",
                    "-h",
                    str(u.host),
                    "-p",
                    str(u.port),
                    "-U",
                    str(u.username),
                    str(u.database),
                ],
                env={**os.environ, "PGPASSWORD": u.password or ""},
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            (out / f"{name}.sql").write_text(dump)
            print(f"{name}: {len(dump)} bytes -> {out / f'{name}.sql'}")
    finally:
        server.close()


def flow(registry: TestClient, intake: TestClient, evaluation: TestClient) -> None:
    programme = open_batch_2(registry)
    pid = programme["id"]
    jiangsu = register_province(registry)
    zhejiang = register_province(registry, "330000", "330603", "绍兴滨海新区")
    wait_until_intake_knows(intake, "programmes", pid, status="OPEN")
    for setup in (jiangsu, zhejiang):
        wait_until_intake_knows(intake, "organisations", setup.applicant_id)
        wait_until_intake_knows(intake, "pilot-objects", setup.object_id)
    submitted = []
    for headers, setup, name in (
        (JIANGSU, jiangsu, "苏州工业园区清洁生产整体审核创新试点"),
        (JIANGSU, jiangsu, "苏州工业园区电子行业清洁生产审核创新试点"),
        (ZHEJIANG, zhejiang, "绍兴滨海新区印染集聚区清洁生产整体审核创新试点"),
    ):
        application_id = draft(intake, headers, pid, setup, project_name=name)
        complete(intake, headers, application_id, programme)
        response = intake.post(f"/applications/{application_id}/submit", headers=headers)
        assert response.status_code == 200, response.text
        submitted.append(application_id)
    draft(intake, ZHEJIANG, pid, zhejiang, project_name="仍在起草的申报")  # one left as a draft
    wait_in_evaluation(evaluation, pid, 3)
    logins = {}
    for name, province, org, login in (
        ("周建", "110000", "清华大学环境学院", "zhou.jian"),
        ("李娜", "510000", "四川大学建筑与环境学院", "li.na"),
        ("孙强", "370000", "山东大学环境科学与工程学院", "sun.qiang"),
        ("黄涛", "440000", "中山大学环境科学与工程学院", "huang.tao"),
        ("钱敏", "420000", "武汉大学资源与环境科学学院", "qian.min"),
    ):
        logins[register_reviewer(evaluation, name, province, org, login)] = login
    run = evaluation.post(f"/programmes/{pid}/assignments", headers=MINISTRY)
    assert run.status_code == 200, run.text

    def sheets(application_id: str) -> list[dict[str, object]]:
        page = evaluation.get("/score-sheets", params={"application_id": application_id}, headers=MINISTRY).json()
        items: list[dict[str, object]] = page["items"]
        return items

    for sheet in sheets(submitted[0]):
        score_and_submit(evaluation, str(sheet["id"]), logins[str(sheet["reviewer_id"])], points(86, 17))
    one = sheets(submitted[1])[0]
    recorded = evaluation.post(
        f"/score-sheets/{one['id']}/scores",
        json={"scores": points(74, 12), "justifications": justifications()},
        headers=reviewer(logins[str(one["reviewer_id"])]),
    )
    assert recorded.status_code == 200, recorded.text
    # The registry has seen evaluation's events too (e.g. the programme's state): wait for the relays to settle.
    eventually(lambda: evaluation.get(f"/programmes/{pid}", headers=MINISTRY).status_code == 200)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
