"""What the evaluation service tests need around the service: intake's events on the real broker, the real
registry's programme and organisations, reviewers, and score sheets filled in through HTTP.

Intake's events come from a stand-in of the intake service: a real `ServiceApplication` named
`application-intake` that saves `PilotApplication` aggregates whose events have intake's names and payloads, and
an `OutboxRelay` that publishes them onto `application-intake.events` through `KafkaTransport` (the deployment's
namespace): the evaluation service consumes them from the broker exactly as it will consume the real intake's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event
from fastapi.testclient import TestClient

from application_intake.published import publication_table
from pilot_common.aggregate import AuditedAggregate
from pilot_common.context import Role
from pilot_common.relay import OutboxRelay
from pilot_common.service import ServiceApplication
from pilot_common.transport.kafka import KafkaTransport
from tests.schema import with_platform_tables
from tests.services.conftest import MINISTRY, Deployment, bearer, eventually
from tests.services.registry_data import industrial_park, park_body

# maxima of the batch-2 criteria (all weights 1): FOUNDATION 20, GOALS 25, METHOD 15, INNOVATION 20, PLAN 10,
# OUTCOMES 10 — 100 points in all
CRITERIA_MAXIMA = {"FOUNDATION": 20, "GOALS": 25, "METHOD": 15, "INNOVATION": 20, "PLAN": 10, "OUTCOMES": 10}
#: How long an event may take to cross Kafka into another service (generous: the suite may share a busy machine).
CROSSING_SECONDS = 90.0
RULE_CODES = [
    "WINDOW",
    "QUOTA",
    "APPLICANT_LEVEL",
    "SAME_ENTITY",
    "PROVINCE_MATCH",
    "CLEAN_RECORD",
    "TYPE_SCOPE",
    "FOUNDATION",
    "PLAN",
    "PACKAGE",
]


class PilotApplication(AuditedAggregate):
    """Intake's application as its events show it (same aggregate name, event names and payloads)."""

    @event("Created")
    def __init__(
        self,
        programme_id: str,
        province: str,
        pilot_type: str,
        project_name: str,
        applicant_organisation_id: str,
        implementer_organisation_id: str,
        pilot_object_id: str,
    ) -> None:
        self.programme_id = programme_id
        self.revision = 1

    @event("DetailsUpdated")
    def update_details(self, changes: dict[str, Any]) -> None:
        pass

    @event("Submitted")
    def submit(self, submitted_at: datetime, slot_number: int, subject_line: str) -> None:
        pass

    @event("VerdictRecorded")
    def record_verdict(
        self, verdict: dict[str, Any], outcome: str, trigger: str, changes: list[str], revision: int, status: str
    ) -> None:
        pass

    @event("Withdrawn")
    def withdraw(self, reason: str, at: datetime) -> None:
        pass

    @event("AmendmentRequested")
    def request_amendment(self, sections: list[str], reason: str) -> None:
        pass

    @event("Amended")
    def amend(self, note: str, revision: int, sections: list[str]) -> None:
        self.revision = revision

    @event("EnteredEvaluation")
    def enter_evaluation(self) -> None:
        pass

    @event("OutcomeRecorded")
    def record_outcome(self, approved: bool, document_number: str) -> None:
        pass


class IntakeEvents(ServiceApplication):
    """Publishes through intake's own publication table: the same public models, built by the same adapters."""

    service = "application-intake"
    publications = publication_table(PilotApplication)


def verdict(application_id: str, programme_id: str, outcome: str, priority: bool, at: datetime) -> dict[str, Any]:
    """An eligibility verdict as intake records it: every rule with its status and reasons, and PRIORITY."""
    failed: set[str] = {"CLEAN_RECORD"} if outcome == "INELIGIBLE" else set()
    warned: set[str] = {"TYPE_SCOPE"} if outcome == "ELIGIBLE_WITH_WARNINGS" else set()
    results: list[dict[str, Any]] = [
        {
            "code": code,
            "status": "FAIL" if code in failed else "WARNING" if code in warned else "PASS",
            "reason_zh": "试点对象3年内被中央生态环境保护督察指出突出问题" if code in failed else "符合要求",
            "reason_en": "named by the central inspection within 3 years" if code in failed else "satisfied",
            "evidence": {},
        }
        for code in RULE_CODES
    ]
    return {
        "application_id": application_id,
        "programme_id": programme_id,
        "programme_version": 1,
        "registry_position": 0,
        "reference_data_version": "2023.1",
        "submitted_at": at.isoformat(),
        "evaluated_at": at.isoformat(),
        "dry_run": False,
        "outcome": outcome,
        "results": results,
        "priority": {
            "priority": priority,
            "reason_zh": "涉及第一批未覆盖的重点行业" if priority else "第一批已覆盖",
            "reason_en": "an industry earlier batches did not cover" if priority else "covered by batch 1",
            "uncovered_industries": ["PAPER"] if priority else [],
            "uncovered_park_type": None,
            "evidence": {},
        },
        "subject_line": None,
    }


class IntakeStandIn:
    """Publishes intake's application events onto the real broker (committed first, then relayed in order)."""

    def __init__(self, deployment: Deployment) -> None:
        assert deployment.kafka is not None
        url = with_platform_tables(deployment.database_url("intake-stand-in"), IntakeEvents.name)
        self.app = IntakeEvents(url)
        self.transport = KafkaTransport(deployment.kafka, "intake-stand-in", namespace=deployment.namespace)
        self.relay = OutboxRelay(self.app, self.transport)

    def close(self) -> None:
        self.transport.close()
        self.app.close()

    def _publish(self, application: PilotApplication) -> None:
        self.app.save(application)
        self.relay.drain()

    def application(self, application_id: str) -> PilotApplication:
        found: PilotApplication = self.app.repository.get(UUID(application_id))
        return found

    def submit(
        self,
        programme_id: str,
        *,
        province: str,
        pilot_type: str,
        project_name: str,
        applicant_organisation_id: str,
        pilot_object_id: str,
        submitted_at: datetime,
        target_industries: tuple[str, ...] = ("2221",),
        priority: bool = False,
        outcome: str = "ELIGIBLE",
    ) -> str:
        """Drafted, completed, submitted and judged, as a province and intake's eligibility engine do it."""
        application = PilotApplication(
            programme_id=programme_id,
            province=province,
            pilot_type=pilot_type,
            project_name=project_name,
            applicant_organisation_id=applicant_organisation_id,
            implementer_organisation_id=applicant_organisation_id,
            pilot_object_id=pilot_object_id,
        )
        application.update_details(changes={"target_industries": list(target_industries), "has_coating_process": False})
        application.submit(
            submitted_at=submitted_at, slot_number=1, subject_line=f"2023+{project_name}+{applicant_organisation_id}"
        )
        application_id = str(application.id)
        application.record_verdict(
            verdict=verdict(application_id, programme_id, outcome, priority, submitted_at),
            outcome=outcome,
            trigger="SUBMISSION",
            changes=[],
            revision=1,
            status=outcome,
        )
        self._publish(application)
        return application_id

    def withdraw(self, application_id: str, reason: str, at: datetime) -> None:
        application = self.application(application_id)
        application.withdraw(reason=reason, at=at)
        self._publish(application)

    def amend(self, application_id: str, note: str) -> int:
        """The ministry asks for an amendment (补正) and the province completes it: a new revision."""
        application = self.application(application_id)
        application.request_amendment(sections=["PLAN"], reason="实施方案第四部分技术路线不清")
        application.amend(note=note, revision=application.revision + 1, sections=["PLAN"])
        self._publish(application)
        return application.revision

    def recheck(self, application_id: str, outcome: str, trigger: str, at: datetime) -> None:
        """A re-check of the verdict (e.g. a central-inspection finding recorded after submission)."""
        application = self.application(application_id)
        application.record_verdict(
            verdict=verdict(application_id, application.programme_id, outcome, False, at),
            outcome=outcome,
            trigger=trigger,
            changes=["CLEAN_RECORD"],
            revision=application.revision,
            status=outcome,
        )
        self._publish(application)


# --- the registry ------------------------------------------------------------------------------------------------


def batch_2(registry: TestClient) -> dict[str, Any]:
    page = registry.get("/programmes", headers=MINISTRY).json()
    programme: dict[str, Any] = next(p for p in page["items"] if p["code"] == "2023-B2")
    return programme


def revise_scoring(registry: TestClient, programme_id: str, **scoring: Any) -> dict[str, Any]:
    """Changes the programme's scoring rules in the registry (a draft programme: no reason needed)."""
    programme = registry.get(f"/programmes/{programme_id}", headers=MINISTRY).json()
    rules = {**programme["rules"], "scoring": {**programme["rules"]["scoring"], **scoring}}
    response = registry.put(f"/programmes/{programme_id}/rules", json={"rules": rules}, headers=MINISTRY)
    assert response.status_code == 200, response.text
    revised: dict[str, Any] = response.json()["rules"]["scoring"]
    return revised


def under_evaluation(registry: TestClient, evaluation: TestClient, programme_id: str) -> None:
    """Moves the registry's programme on to UNDER_EVALUATION (open, close after its deadline, start evaluation),
    as far as it still has to go, and waits until evaluation has heard: evaluation refuses assignment, scoring and
    selection before (DESIGN: the batch is one process)."""
    steps: dict[str, list[tuple[str, dict[str, str] | None]]] = {
        "DRAFT": [("open", {"reason": "通知印发"}), ("close", {}), ("start-evaluation", None)],
        "OPEN": [("close", {}), ("start-evaluation", None)],
        "CLOSED": [("start-evaluation", None)],
    }
    status = registry.get(f"/programmes/{programme_id}", headers=MINISTRY).json()["status"]
    for step, body in steps.get(status, []):
        response = registry.post(f"/programmes/{programme_id}/{step}", json=body, headers=MINISTRY)
        assert response.status_code == 200, response.text
    eventually(
        lambda: (
            evaluation.get(f"/programmes/{programme_id}", headers=MINISTRY).json()["status"]
            in {"UNDER_EVALUATION", "RESULTS_PUBLISHED"}
        ),
        timeout=CROSSING_SECONDS,
    )


def wait_for_scoring(evaluation: TestClient, programme_id: str, scoring: dict[str, Any]) -> None:
    """Until the evaluation service has the registry's scoring rules (they travel over Kafka)."""

    def arrived() -> bool:
        response = evaluation.get(f"/programmes/{programme_id}", headers=MINISTRY)
        return response.status_code == 200 and bool(response.json()["scoring"] == scoring)

    eventually(arrived, timeout=CROSSING_SECONDS)


@dataclass(frozen=True)
class Applicant:
    """An applicant (= implementer) and its pilot object, registered in the registry."""

    province: str
    organisation_id: str
    pilot_object_id: str
    name: str


def register_applicant(registry: TestClient, province: str, division: str, name: str) -> Applicant:
    organisation = registry.post("/organisations", json=park_body(province, division, name), headers=MINISTRY)
    assert organisation.status_code == 201, organisation.text
    park = {**industrial_park(province, division), "name": name.removesuffix("管理委员会")}
    pilot_object = registry.post("/pilot-objects", json=park, headers=MINISTRY)
    assert pilot_object.status_code == 201, pilot_object.text
    return Applicant(province, organisation.json()["id"], pilot_object.json()["id"], name)


# --- reviewers and score sheets ----------------------------------------------------------------------------------


def reviewer_token(user_id: str) -> dict[str, str]:
    return bearer(Role.REVIEWER, user_id)


def register_reviewer(
    evaluation: TestClient,
    name: str,
    province: str,
    organisation_id: str,
    user_id: str,
    expertise: tuple[str, ...] = (),
    available: bool = True,
) -> str:
    response = evaluation.post(
        "/reviewers",
        json={
            "name": name,
            "organisation_id": organisation_id,
            "province": province,
            "expertise": list(expertise),
            "available": available,
            "user_id": user_id,
        },
        headers=MINISTRY,
    )
    assert response.status_code == 201, response.text
    reviewer_id: str = response.json()["id"]
    return reviewer_id


def points(total: float, innovation: float) -> dict[str, float]:
    """Scores per criterion adding up to `total`, with `innovation` for 特色与创新 (the rest filled in order)."""
    rest = total - innovation
    scores = {"INNOVATION": float(innovation)}
    for code in ("FOUNDATION", "GOALS", "METHOD", "PLAN", "OUTCOMES"):
        given = min(float(CRITERIA_MAXIMA[code]), rest)
        scores[code] = given
        rest -= given
    assert rest == 0, "total out of reach"
    return scores


def justifications(text: str = "依据实施方案相应章节评定") -> dict[str, str]:
    return dict.fromkeys(CRITERIA_MAXIMA, text)


def score_and_submit(evaluation: TestClient, sheet_id: str, user_id: str, scores: dict[str, float]) -> dict[str, Any]:
    token = reviewer_token(user_id)
    recorded = evaluation.post(
        f"/score-sheets/{sheet_id}/scores", json={"scores": scores, "justifications": justifications()}, headers=token
    )
    assert recorded.status_code == 200, recorded.text
    submitted = evaluation.post(f"/score-sheets/{sheet_id}/submit", headers=token)
    assert submitted.status_code == 200, submitted.text
    sheet: dict[str, Any] = submitted.json()
    return sheet


def wait_in_evaluation(evaluation: TestClient, programme_id: str, count: int) -> list[dict[str, Any]]:
    """Until `count` applications of the programme are in evaluation here (intake's events crossed Kafka)."""

    def arrived() -> list[dict[str, Any]] | None:
        page = evaluation.get(
            "/applications", params={"programme_id": programme_id, "evaluated": "true"}, headers=MINISTRY
        ).json()
        items: list[dict[str, Any]] = page["items"]
        return items if page["total"] == count else None

    found: list[dict[str, Any]] = eventually(arrived, timeout=CROSSING_SECONDS)
    return found


def assert_problem(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["title"] and body["title_en"]
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body
