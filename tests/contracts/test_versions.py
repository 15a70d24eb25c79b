"""Versions of the contract: unknown fields are ignored, an older version is upcast by the upcaster registered with
its model, and a message that does not fit raises ContractViolation (the consumer dead-letters it at once)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic_core import to_jsonable_python

from evaluation.domain import ProjectDetails, Selection, rank
from evaluation.domain.ranking import RankingEntry
from pilot_common.context import Actor, CallContext, Role, acting
from pilot_common.contracts.catalogue import model_for
from pilot_common.contracts.errors import ContractViolation
from pilot_common.contracts.events.evaluation import ListPublished
from pilot_common.contracts.events.registry import FindingRetracted
from pilot_common.envelope import EnvelopeActor, EventEnvelope
from pilot_registry.consumers import HANDLERS as REGISTRY_HANDLERS

AT = datetime(2023, 3, 20, 1, 0, tzinfo=UTC)
ACTOR = Actor(user_id="mee.li", role=Role.MINISTRY)


def v1_list_published() -> dict[str, Any]:
    """`evaluation.Selection.Published` as v1 put it on the topic: the stored event's own fields (`province`)."""
    with acting(CallContext(actor=ACTOR)):
        selection = Selection.start("P-1", 1)
        selection.propose(rank([RankingEntry("A-1", "PARK_CLUSTER", "320000", 91.0, True, 18.0, AT)]))
        selection.sign_off("MEE", "mee.li")
        selection.sign_off("NDRC", "ndrc.zhang")
        selection.publish("环办科财函〔2023〕261号", {"A-1": ProjectDetails("苏州项目", "ORG-1", "OBJ-1")}, at=AT)
    published = selection.collect_events()[-1]
    internal = {"originator_id", "originator_version", "timestamp", "originator_topic"}
    data: dict[str, Any] = to_jsonable_python({k: v for k, v in vars(published).items() if k not in internal})
    return data


def envelope(event_type: str, data: dict[str, Any], version: int) -> EventEnvelope:
    return EventEnvelope(
        id="e-1",
        source="/services/evaluation",
        type=event_type,
        subject="S-1",
        time=AT,
        aggregatetype="Selection",
        aggregateid="S-1",
        aggregateversion=7,
        schemaversion=version,
        actor=EnvelopeActor(user_id="mee.li", role="ministry"),
        correlationid="c-1",
        upstream="evaluation",
        notificationid=1,
        data=data,
    )


def test_a_v1_list_is_upcast_to_v2_and_the_registry_reads_it() -> None:
    old = v1_list_published()
    assert old["entries"][0]["province"] == "320000" and "province_code" not in old["entries"][0]
    parsed = REGISTRY_HANDLERS.parse(envelope(ListPublished.event_type, old, version=1))
    assert isinstance(parsed, ListPublished) and ListPublished.schema_version == 2
    entry = parsed.entries[0]
    assert (entry.application_id, entry.province_code, entry.project_name, entry.position) == (
        "A-1",
        "320000",
        "苏州项目",
        1,
    )
    assert parsed.published_at == AT and parsed.document_number == "环办科财函〔2023〕261号"


def test_v2_names_the_province_code_and_carries_no_score() -> None:
    current = ListPublished.parse(ListPublished.parse(v1_list_published(), 1).payload(), 2)
    assert set(current.payload()["entries"][0]) == {
        "application_id",
        "position",
        "project_name",
        "pilot_type",
        "province_code",
        "applicant_organisation_id",
        "pilot_object_id",
        "milestones",  # the approved schedule (optional: a list published before it carries none)
    }
    assert current.payload()["entries"][0]["milestones"] == []


def test_unknown_fields_are_ignored() -> None:
    parsed = FindingRetracted.parse({"finding_id": "F-1", "retracted_by": "someone", "new_field": [1, 2]}, 1)
    assert parsed == FindingRetracted(finding_id="F-1")


@pytest.mark.parametrize(
    ("data", "version", "reason"),
    [
        ({"programme_id": "P-1"}, 2, "document_number"),  # a required field missing
        ({**v1_list_published(), "published_at": "yesterday"}, 1, "published_at"),  # a field of the wrong type
        ({"programme_id": "P-1", "entries": [{"no_province": 1}]}, 1, "cannot upcast"),
        (v1_list_published(), 3, "versions up to 2"),  # newer than this consumer knows
    ],
)
def test_a_message_that_does_not_fit_is_a_contract_violation(data: dict[str, Any], version: int, reason: str) -> None:
    with pytest.raises(ContractViolation) as caught:
        REGISTRY_HANDLERS.parse(envelope(ListPublished.event_type, data, version))
    assert caught.value.event_type == ListPublished.event_type and caught.value.schema_version == version
    assert reason in caught.value.reason


def test_a_type_nobody_publishes_is_a_contract_violation() -> None:
    with pytest.raises(ContractViolation, match="not a published event type"):
        model_for("evaluation.ScoreSheet.ScoresRecorded")


def test_rules_published_before_criterion_guidance_still_read_and_the_new_ones_carry_it() -> None:
    from pilot_common.contracts.events.registry import ProgrammeRulesRevised
    from pilot_common.contracts.programme import batch_2_2023

    current = batch_2_2023().model_dump(mode="json")
    old = {
        **current,
        "scoring": {
            **current["scoring"],
            "criteria": [
                {k: v for k, v in c.items() if not k.startswith("guidance")} for c in current["scoring"]["criteria"]
            ],
        },
    }
    parsed = ProgrammeRulesRevised.parse({"programme_id": "P-1", "rules": old}, ProgrammeRulesRevised.schema_version)
    assert [(c.guidance_zh, c.guidance_en) for c in parsed.rules.scoring.criteria] == [("", "")] * 6
    fresh = ProgrammeRulesRevised.parse({"programme_id": "P-1", "rules": current}, ProgrammeRulesRevised.schema_version)
    innovation = next(c for c in fresh.rules.scoring.criteria if c.code == "INNOVATION")
    assert "试点工作特色及主要创新点" in innovation.guidance_zh and "section 5" in innovation.guidance_en
