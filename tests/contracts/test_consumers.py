"""Contract tests per consumer: for every (consumer service, event type it handles), a message built by the real
producing aggregate and translated by the producer's publication table parses in the consumer's model and its
handler runs — along one batch's story through the three services, without a broker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.persistence import Tracking
from sqlalchemy import select

from application_intake.consumers import HANDLERS as INTAKE_HANDLERS
from application_intake.domain import commands as ic
from application_intake.projections.tables import organisations as intake_organisations
from application_intake.projections.tables import pilot_objects as intake_pilot_objects
from application_intake.projections.tables import programmes as intake_programmes
from evaluation.consumers import HANDLERS as EVALUATION_HANDLERS
from evaluation.domain import ProjectDetails, RankingEntry, ScoreSheet, Selection, rank
from evaluation.projections.kept import application_row, submitted_at
from pilot_common.contracts.catalogue import published_events
from pilot_common.contracts.errors import ContractViolation
from pilot_common.contracts.events.evaluation import reader_key_of
from pilot_common.contracts.programme import batch_2_2023
from pilot_common.merkle import CheckpointSigner
from pilot_common.service import HandlerTable
from pilot_common.translog import publish_checkpoint, witnessed_checkpoints
from pilot_registry.application import BATCH_2_CODE
from pilot_registry.consumers import HANDLERS as REGISTRY_HANDLERS
from pilot_registry.domain import Pilot, Programme, ProgrammeStatus
from pilot_registry.domain import commands as reg
from tests.contracts.world import JIANGSU, MINISTRY, World, as_actor, build_world, published
from tests.services.intake_support import docx, pdf
from tests.services.registry_data import enterprise, industrial_park, park_body

CONSUMERS: dict[str, HandlerTable] = {
    "application-intake": INTAKE_HANDLERS,
    "evaluation": EVALUATION_HANDLERS,
    "pilot-registry": REGISTRY_HANDLERS,
}
PAIRS = sorted((consumer, t) for consumer, table in CONSUMERS.items() for t in table.handles)
DOCUMENT = "环办科财函〔2023〕261号"


def _complete(world: World, application_id: UUID) -> None:
    """Everything a complete, eligible package holds (as `tests.services.intake_support.complete` over HTTP)."""
    intake = world.intake

    def attach(kind: str, file_name: str, declared_type: str | None, content: bytes) -> dict[str, str]:
        command = ic.AttachFile(
            application_id=application_id, kind=kind, file_name=file_name, declared_type=declared_type, content=content
        )
        attached: dict[str, str] = intake.handle(command)
        return attached

    commitment = attach("OTHER", "资金承诺函.pdf", "application/pdf", pdf(marker="承诺"))
    intake.handle(ic.UpdateDetails(application_id=application_id, changes={"target_industries": ["2614", "3360"]}))
    intake.handle(ic.UpdateFoundation(application_id=application_id, text="园区2019年起组织52家企业完成清洁生产审核。"))
    funding = [
        {"funder": "园区财政局", "amount_cny": "3000000", "committed": True, "evidence_document_id": commitment["id"]}
    ]
    intake.handle(ic.SetFunding(application_id=application_id, sources=funding))
    outline = batch_2_2023().plan_outline
    codes = [s.code for s in outline] + [sub.code for s in outline for sub in s.subsections]
    intake.handle(ic.UpdatePlanSections(application_id=application_id, sections={c: f"第{c}节内容" for c in codes}))
    milestones = [
        {"title": "启动", "start": "2023-08-01", "due": "2023-09-30"},
        {"title": "验收", "start": "2024-05-01", "due": "2024-07-31"},
    ]
    intake.handle(ic.SetSchedule(application_id=application_id, milestones=milestones))
    for kind in ("IMPLEMENTATION_PLAN", "ECO_ENVIRONMENT_DEPARTMENT_LETTER", "DEVELOPMENT_REFORM_DEPARTMENT_LETTER"):
        attach(kind, f"{kind.lower()}.pdf", "application/pdf", pdf(marker=kind))
    attach("OTHER", "附件.docx", None, docx())


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = build_world(Path(tmp_path_factory.mktemp("contracts")))
    registry, intake, evaluation = world.registry, world.intake, world.evaluation
    programme_id = Programme.create_id(BATCH_2_CODE)
    pid = str(programme_id)

    with as_actor(MINISTRY):  # the registry: a batch, organisations, pilot objects and findings
        rules = batch_2_2023().model_copy(update={"quota_per_province": 6})
        registry.handle(reg.ReviseRules(programme_id=programme_id, rules=rules, reason="名额调整"))
        registry.handle(reg.OpenProgramme(programme_id=programme_id, reason="通知印发"))
        registry.handle(
            reg.GrantQuotaException(programme_id=programme_id, province_code="320000", extra_slots=1, reason="试点")
        )
        registry.handle(reg.RevokeQuotaException(programme_id=programme_id, province_code="320000", reason="撤销"))
        registry.handle(reg.ExtendDeadline(programme_id=programme_id, new_deadline=date(2023, 4, 14), reason="延期"))
        applicant = registry.handle(reg.RegisterOrganisation(**park_body()))
        registry.handle(
            reg.AmendOrganisation(organisation_id=applicant.id, reason="更名", changes={"name": "苏州工业园区管委会"})
        )
        other = registry.handle(reg.RegisterOrganisation(**park_body("320000", "320505", "苏州高新区管理委员会")))
        registry.handle(reg.DeactivateOrganisation(organisation_id=other.id, reason="合并"))
        park = registry.handle(reg.RegisterPilotObject(**industrial_park()))
        registry.handle(
            reg.AmendPilotObject(object_id=park.id, reason="更名", changes={"name": "苏州工业园区（含综保区）"})
        )
        joining = enterprise()
        registry.handle(reg.AddMembers(object_id=park.id, credit_codes=[joining]))
        registry.handle(reg.RemoveMembers(object_id=park.id, credit_codes=[joining], reason="迁出"))
        elsewhere = registry.handle(
            reg.RegisterPilotObject(**{**industrial_park("320000", "320505"), "name": "苏州高新区"})
        )
        finding = registry.handle(
            reg.RecordFinding(
                source="MEDIA",
                media_level="NATIONAL",
                disclosed_on=date(2022, 3, 15),
                pilot_object_id=elsewhere.id,
                province_code="320000",
                summary="央视曝光园区偷排",
                reference="焦点访谈 2022-03-15",
            )
        )
        registry.handle(
            reg.CorrectFinding(finding_id=finding.id, reason="摘要有误", changes={"summary": "央视曝光园区企业偷排"})
        )
        registry.handle(reg.RetractFinding(finding_id=finding.id, reason="误报"))
    world.settle()

    with as_actor(JIANGSU):  # intake: one complete application, one withdrawn
        details = {
            "pilot_type": "PARK_CLUSTER",
            "applicant_organisation_id": str(applicant.id),
            "implementer_organisation_id": str(applicant.id),
            "pilot_object_id": str(park.id),
        }
        chosen = intake.handle(
            ic.CreateDraft(
                province="320000",
                programme_id=pid,
                details={"project_name": "苏州工业园区清洁生产整体审核创新试点", **details},
            )
        )
        _complete(world, chosen.id)
        intake.handle(ic.Submit(application_id=chosen.id))
        dropped = intake.handle(
            ic.CreateDraft(province="320000", programme_id=pid, details={"project_name": "园区第二个项目", **details})
        )
        intake.handle(ic.Submit(application_id=dropped.id))
        intake.handle(ic.Withdraw(application_id=dropped.id, reason="重复申报"))
    world.settle()

    with as_actor(MINISTRY):
        registry.handle(
            reg.CloseProgramme(
                programme_id=programme_id,
                reason="截止申报",
                now=datetime(2023, 4, 15, tzinfo=ZoneInfo("Asia/Shanghai")),
            )
        )
        registry.handle(reg.StartEvaluation(programme_id=programme_id))
        world.settle()
        intake.handle(ic.RequestAmendment(application_id=chosen.id, sections=["PLAN"], reason="实施方案技术路线不清"))
    with as_actor(JIANGSU):
        intake.handle(ic.CompleteAmendment(application_id=chosen.id, note="补正技术路线"))
    world.settle()

    application_id = str(chosen.id)
    with as_actor(MINISTRY):  # evaluation: a sheet opened and scored, the list published
        criteria = batch_2_2023().scoring.criteria
        sheet = ScoreSheet.open("reviewer-1", application_id, criteria, 2, pid)
        evaluation.save(sheet)
        sheet.record_scores({c.code: c.max_points - 1 for c in criteria}, {c.code: "依据充分" for c in criteria})
        evaluation.save(sheet)
        # A second reviewer, assigned and then taken off it (a reassignment): intake opens and closes their access.
        other = ScoreSheet.open("reviewer-2", application_id, criteria, 2, pid, reader_key=reader_key_of("expert.2"))
        evaluation.save(other)
        other.withdraw("改派其他专家")
        evaluation.save(other)
        world.settle()
        selection = Selection.start(pid, 1)
        at = submission_time(world, application_id)
        ranking = rank([RankingEntry(application_id, "PARK_CLUSTER", "320000", 93.0, False, 19.0, at)])
        selection.propose(ranking)
        selection.sign_off("MEE", "mee.li")
        selection.sign_off("NDRC", "ndrc.zhang")
        project = ProjectDetails("苏州工业园区清洁生产整体审核创新试点", str(applicant.id), str(park.id))
        selection.publish(DOCUMENT, {application_id: project})
        evaluation.save(selection)
        world.settle()
        registry.handle(reg.ConcludeProgramme(programme_id=programme_id))
    world.settle()
    # Each service's Merkle log checkpoint, twice (the second carries its consistency proof); the others witness it.
    signers = {name: CheckpointSigner.generated(name) for name in world.apps}
    for _ in range(2):
        for name, app in world.apps.items():
            publish_checkpoint(app, signers[name])
        world.settle()
    yield world


def submission_time(world: World, application_id: str) -> datetime:
    """When the application was submitted, as evaluation learnt it from intake."""
    with world.evaluation.reading() as session:
        row = application_row(session, application_id)
    assert row is not None
    at = submitted_at(row)
    assert at is not None
    return at


@pytest.mark.parametrize(("consumer", "event_type"), PAIRS, ids=[f"{c}<-{t}" for c, t in PAIRS])
def test_each_consumed_event_parses_and_its_handler_runs(world: World, consumer: str, event_type: str) -> None:
    assert world.handled[(consumer, event_type)] >= 1, f"{consumer} never handled a real {event_type}"


def test_every_consumed_type_is_published_and_every_handler_table_passes_its_check() -> None:
    catalogue = published_events()
    for consumer, table in CONSUMERS.items():
        upstream = {t.split(".", 1)[0] for t in table.upstream_types}
        table.check({service: catalogue[service] for service in upstream})
        assert set(table.handles) <= {t for types in catalogue.values() for t in types}, consumer


def test_the_read_models_are_as_useful_as_before(world: World) -> None:
    with world.intake.reading() as session:
        org = session.execute(select(intake_organisations).where(intake_organisations.c.name.like("%管委会"))).one()
        park = session.execute(select(intake_pilot_objects).where(intake_pilot_objects.c.name.like("%综保区%"))).one()
        programme = session.execute(select(intake_programmes)).one()
    assert org.active and org.credit_code and org.province_code == "320000"
    assert len(park.member_credit_codes) == 2 and park.industry_codes == ["2614", "3360"]
    assert programme.status == "CONCLUDED" and programme.rules["deadline"] == "2023-04-14"
    assert programme.rules["quota_per_province"] == 6 and programme.quota_exceptions == {}

    pid = str(Programme.create_id(BATCH_2_CODE))
    created = [e.data["application_id"] for e in published(world.intake) if e.type.endswith("PilotApplication.Created")]
    with world.evaluation.reading() as session:  # (one app's session at a time: they share a scoped session)
        rows = [application_row(session, application_id) for application_id in created]
    by_status = {str(r["intake_status"]): r for r in rows if r is not None}
    assert set(by_status) == {"APPROVED", "WITHDRAWN"}
    approved = by_status["APPROVED"]
    assert approved["revision"] == 2 and approved["eligibility_outcome"] in {"ELIGIBLE", "ELIGIBLE_WITH_WARNINGS"}
    assert approved["target_industries"] == ["2614", "3360"] and approved["outcome_document_number"] == DOCUMENT

    pilot = world.registry.pilot(next(p for p in _pilots(world)))
    assert pilot.approval_document_number == DOCUMENT and str(pilot.programme_id) == pid
    assert world.registry.programme(UUID(pid)).status is ProgrammeStatus.CONCLUDED


def _pilots(world: World) -> list[UUID]:
    return [a.id for a in world.registry.all_aggregates() if isinstance(a, Pilot)]


def test_no_internal_evaluation_event_is_published(world: World) -> None:
    stored = {
        n.topic.rsplit(".", 1)[-1] for n in world.evaluation.recorder.select_notifications(start=None, limit=1000)
    }
    assert {"ScoresRecorded", "Proposed", "SignedOff"} <= stored  # they happened ...
    sent = {e.type for e in published(world.evaluation)}
    # ... and stayed inside; a withdrawal tells intake only whose access ends (a digest of the login, no identity);
    # the log's checkpoints carry no business data
    assert sent == {
        "evaluation.ScoreSheet.Created",
        "evaluation.ScoreSheet.Withdrawn",
        "evaluation.Selection.Published",
        "evaluation.Checkpoint.Signed",
    }
    for envelope in published(world.evaluation):
        assert "reviewer" not in str(envelope.data) and "scores" not in envelope.data
        assert "expert.2" not in str(envelope.data)


def test_a_message_that_breaks_the_contract_is_refused_with_no_effect(world: World) -> None:
    """The consumer gets a ContractViolation (it dead-letters it at once) and nothing of the message is kept."""
    (good,) = [e for e in published(world.evaluation) if e.type == "evaluation.Selection.Published"]
    broken = good.model_copy(
        update={"data": {**good.data, "entries": [{"application_id": "A-1"}]}, "notificationid": 10**6}
    )
    tracking = Tracking(f"{broken.upstream}#p0", broken.notificationid)
    before = world.registry.recorder.max_notification_id()
    with pytest.raises(ContractViolation) as caught, as_actor(MINISTRY):
        world.registry.process_event(broken, tracking)
    assert (
        caught.value.event_type == "evaluation.Selection.Published" and "entries.0.project_name" in caught.value.reason
    )
    assert world.registry.recorder.max_notification_id() == before
    assert not world.registry.process_recorder.has_tracking_id(tracking.application_name, tracking.notification_id)


def test_every_consumer_witnesses_the_checkpoints_of_the_services_it_consumes(world: World) -> None:
    for consumer, origins in (
        (world.registry, {"evaluation"}),
        (world.intake, {"pilot-registry", "evaluation"}),
        (world.evaluation, {"pilot-registry", "application-intake"}),
    ):
        seen = witnessed_checkpoints(consumer.audited_recorder)
        assert {w.checkpoint.origin for w in seen} == origins
        assert [w.status for w in seen] == ["ACCEPTED"] * 2 * len(origins), [w.reason for w in seen]
