"""The longer schemathesis run: the three services (SQLite and the in-process bus, or PostgreSQL where
DATABASE_URL_TEMPLATE is given, e.g. postgresql+psycopg://u:p@h/{service}), a seeded flow, every operation with
positive and negative input under five roles; prints requests sent, 5xx found and response-schema violations.

    uv run --frozen python -m bench.fuzz --examples 40          # ~30 000 requests
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from application_intake.bootstrap import build_intake
from evaluation.bootstrap import build_evaluation
from pilot_common.context import Role
from pilot_common.settings import ServiceSettings
from pilot_common.transport.inprocess import InProcessBus
from pilot_registry.bootstrap import build_registry
from tests.fuzz import FuzzReport, fuzz
from tests.services.conftest import AUDITOR, JIANGSU, MINISTRY, TEST_JWT_SECRET, ZHEJIANG, bearer
from tests.services.evaluation_support import register_reviewer
from tests.services.intake_support import (
    IN_WINDOW,
    draft,
    open_batch_2,
    pdf,
    register_province,
    upload,
    wait_until_intake_knows,
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=40, help="per operation, generation mode and role")
    parser.add_argument("--seed", type=int, default=1, help="0: the same cases as the test suite's run")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="pilot-fuzz-"))
    template = os.environ.get("DATABASE_URL_TEMPLATE", f"sqlite:///{data}/{{service}}.db")
    bus = InProcessBus()

    def settings(service: str, **extra: object) -> ServiceSettings:
        return ServiceSettings(
            service_name=service,
            database_url=template.format(service=service.replace("-", "_")),
            jwt_secret=TEST_JWT_SECRET,
            **extra,  # type: ignore[arg-type]
        )

    registry_svc = build_registry(settings("pilot-registry"), bus)
    intake_svc = build_intake(settings("application-intake", clock_start=IN_WINDOW), bus)
    evaluation_svc = build_evaluation(settings("evaluation"), bus)
    with (
        TestClient(registry_svc.api, raise_server_exceptions=False) as registry,
        TestClient(intake_svc.api, raise_server_exceptions=False) as intake,
        TestClient(evaluation_svc.api, raise_server_exceptions=False) as evaluation,
    ):
        programme = open_batch_2(registry)
        jiangsu = register_province(registry)
        wait_until_intake_knows(intake, "programmes", programme["id"], status="OPEN")
        wait_until_intake_knows(intake, "organisations", jiangsu.applicant_id)
        wait_until_intake_knows(intake, "pilot-objects", jiangsu.object_id)
        application_id = draft(intake, JIANGSU, programme["id"], jiangsu)
        attachment = upload(intake, JIANGSU, application_id, "OTHER", pdf(marker="x"), "申报书.pdf").json()
        reviewer_id = register_reviewer(evaluation, "李明", "110000", "清华大学环境学院", "li.ming", ("STEEL",))
        ids = {
            "programme_id": programme["id"],
            "pid": programme["id"],
            "organisation_id": jiangsu.applicant_id,
            "object_id": jiangsu.object_id,
            "aggregate_id": jiangsu.applicant_id,
            "application_id": application_id,
            "attachment_id": attachment["id"],
            "reviewer_id": reviewer_id,
            "province_code": "320000",
            "province": "320000",
        }
        roles = {
            "ministry": MINISTRY,
            "province": JIANGSU,
            "other province": ZHEJIANG,
            "reviewer": bearer(Role.REVIEWER, "li.ming"),
            "auditor": AUDITOR,
        }
        total = FuzzReport()
        began = time.monotonic()
        for name, client in (("pilot-registry", registry), ("application-intake", intake), ("evaluation", evaluation)):
            report = fuzz(client, roles, ids, args.examples, seed=args.seed)
            alive = client.get("/livez").status_code == 200
            print(
                f"{name:<20} requests {report.requests:>6}  5xx {len(report.server_errors):>3}  "
                f"schema violations {len(report.schema_violations):>3}  still up {alive}  "
                f"statuses {dict(sorted(report.statuses.items()))}",
                flush=True,
            )
            for line in (report.server_errors + report.schema_violations)[:10]:
                print("   ", line)
            total.add(report)
        print(
            f"TOTAL requests {total.requests}  5xx {len(total.server_errors)}  "
            f"schema violations {len(total.schema_violations)}  in {time.monotonic() - began:.0f} s"
        )
    return 1 if total.server_errors or total.schema_violations else 0


if __name__ == "__main__":
    sys.exit(main())
