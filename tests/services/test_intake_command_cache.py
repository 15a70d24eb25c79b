"""Intake's aggregate cache (`ServiceApplication.run_command`) across processes: two `ApplicationIntake` instances on
one PostgreSQL stand for two API worker processes, each with its own cache. Whatever one of them changes behind
the other's back, the other's next command is decided on the stored state: it is applied on top of the other's
change, or refused exactly as a fresh instance refuses it, never a spurious conflict, never a lost change."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from application_intake.api.access import ProvinceAccess
from application_intake.application import ApplicationIntake
from application_intake.domain.commands import CreateDraft, SetFunding, Submit, UpdateFoundation, Withdraw
from pilot_common.auth import Principal
from pilot_common.clock import ShiftedClock
from pilot_common.context import Role
from pilot_common.persistence import verify_audit_chain
from pilot_common.problems import ProblemError
from pilot_common.runtime import CommandThreads
from pilot_common.violations import DomainRuleViolation
from tests.schema import migrated
from tests.services.intake_support import IN_WINDOW, seed_registry_copy
from tests.statements import statements_sent

_NO_THREADS = CommandThreads("unused")  # the check alone runs in the test's thread

PROVINCE = "320000"
QUOTA = 5  # batch 2's quota for a province without an exception


@pytest.fixture
def two_workers(postgres_server: Any, unique_name: str) -> Iterator[tuple[ApplicationIntake, ApplicationIntake, dict]]:
    url = migrated("application-intake", str(postgres_server.create_database(f"{unique_name}_intake")))
    programme_id, org_id, object_id = seed_registry_copy(url)
    ids = {"programme": programme_id, "org": org_id, "object": object_id}
    a = ApplicationIntake(url, clock=ShiftedClock(IN_WINDOW))
    b = ApplicationIntake(url, clock=ShiftedClock(IN_WINDOW))
    try:
        yield a, b, ids
    finally:
        a.close()
        b.close()


def _draft(intake: ApplicationIntake, ids: dict[str, str], name: str = "园区清洁生产整体审核创新试点") -> uuid.UUID:
    details = {
        "pilot_type": "PARK_CLUSTER",
        "project_name": name,
        "applicant_organisation_id": ids["org"],
        "implementer_organisation_id": ids["org"],
        "pilot_object_id": ids["object"],
    }
    return intake.handle(CreateDraft(province=PROVINCE, programme_id=ids["programme"], details=details)).id


def _refusal(intake: ApplicationIntake, command: Any) -> str:
    with pytest.raises(DomainRuleViolation) as refused:
        intake.handle(command)
    return refused.value.code


def _events_selects(intake: ApplicationIntake) -> list[str]:
    table = intake.audited_recorder.events_table_name
    return statements_sent(intake, lambda s: s.lstrip().upper().startswith("SELECT") and table in s)


def test_a_change_made_by_the_other_worker_is_never_lost(two_workers: Any) -> None:
    a, b, ids = two_workers
    app_id = _draft(a, ids)
    a.handle(UpdateFoundation(application_id=app_id, text="甲写的基础"))
    selects = _events_selects(a)
    a.handle(UpdateFoundation(application_id=app_id, text="甲改过的基础"))
    assert selects == [], "a worker's next command on an aggregate it just saved does not read its events"

    b.handle(UpdateFoundation(application_id=app_id, text="乙写的基础"))  # behind a's back
    sources = [{"funder": "园区财政局", "amount_cny": "3000000", "committed": True, "evidence_document_id": None}]
    changed = a.handle(SetFunding(application_id=app_id, sources=sources))  # a's copy is one version behind

    assert changed.foundation == "乙写的基础" and changed.funding_sources[0]["funder"] == "园区财政局"
    stored = ApplicationIntake.application(b, app_id)
    assert (stored.version, stored.foundation) == (changed.version, "乙写的基础")
    assert verify_audit_chain(a.audited_recorder).ok


def test_a_refusal_is_the_one_the_stored_state_gives(two_workers: Any) -> None:
    a, b, ids = two_workers
    app_id = _draft(a, ids)
    a.handle(UpdateFoundation(application_id=app_id, text="基础"))  # a has the draft cached
    b.handle(Submit(application_id=app_id))

    assert _refusal(a, Submit(application_id=app_id)) == "ALREADY_SUBMITTED"
    # Withdrawal is allowed on the stored state (submitted), though a's cached copy was still a draft.
    withdrawn = a.handle(Withdraw(application_id=app_id, reason="园区规划调整"))
    assert withdrawn.status == "WITHDRAWN"


def test_the_quota_holds_when_both_workers_submit(two_workers: Any) -> None:
    a, b, ids = two_workers
    drafts = [_draft(a, ids, f"项目{i}") for i in range(QUOTA + 2)]
    for app_id in drafts[:3]:
        a.handle(Submit(application_id=app_id))  # a caches the quota at 3 held
    for app_id in drafts[3:5]:
        b.handle(Submit(application_id=app_id))  # now 5 held, a does not know
    assert _refusal(a, Submit(application_id=drafts[5])) == "QUOTA_EXCEEDED"

    a.handle(Withdraw(application_id=drafts[3], reason="让出名额"))  # b's submission, withdrawn through a
    assert b.handle(Submit(application_id=drafts[6])).slot_number is not None  # b's cached quota was full
    quota = a.quota(ids["programme"], PROVINCE)
    assert quota.held == QUOTA
    assert sorted(quota.holders) == sorted(str(d) for d in (*drafts[:3], drafts[4], drafts[6]))


def test_a_withdrawal_frees_the_slot_whoever_cached_the_quota(two_workers: Any) -> None:
    """The quota a worker cached does not hold the application the other worker submitted: releasing it there
    changes nothing, and the quota must still be read afresh rather than 'saved' unchanged (the slot was lost)."""
    a, b, ids = two_workers
    drafts = [_draft(a, ids, f"项目{i}") for i in range(QUOTA + 1)]
    a.handle(Submit(application_id=drafts[0]))  # a caches the quota with one holder
    for app_id in drafts[1:QUOTA]:
        b.handle(Submit(application_id=app_id))  # the quota is full; a's copy still holds one
    a.handle(Withdraw(application_id=drafts[1], reason="让出名额"))  # b's submission, withdrawn through a

    quota = ApplicationIntake.quota(b, ids["programme"], PROVINCE)
    assert quota.held == QUOTA - 1 and str(drafts[1]) not in quota.holders
    assert b.handle(Submit(application_id=drafts[QUOTA])).slot_number == QUOTA


def test_a_submission_catches_up_the_quota_the_other_worker_changed(two_workers: Any) -> None:
    """Every submission of a province changes its quota, in whichever worker takes it: the next one through the
    other worker reads only the quota's new events (not all of them, not after a conflict and a second attempt)."""
    a, b, ids = two_workers
    drafts = [_draft(a, ids, f"项目{i}") for i in range(3)]
    a.handle(Submit(application_id=drafts[0]))  # a caches the quota (one holder) and the application
    b.handle(Submit(application_id=drafts[1]))  # a's quota is one version behind
    a.handle(UpdateFoundation(application_id=drafts[2], text="基础"))  # a has this draft cached
    selects = _events_selects(a)
    submitted = a.handle(Submit(application_id=drafts[2]))

    assert submitted.slot_number == 3
    assert len(selects) == 1 and "originator_version >" in selects[0], selects  # the quota's new events only
    quota = ApplicationIntake.quota(b, ids["programme"], PROVINCE)
    assert sorted(quota.holders) == sorted(str(d) for d in drafts)
    assert verify_audit_chain(a.audited_recorder).ok


def test_the_access_check_knows_what_this_worker_committed(two_workers: Any) -> None:
    """A province route's access check reads nothing for an application this worker committed (its province and
    programme never change) and refuses another province exactly as the read-model check does; an application
    only the other worker has seen is checked on its read-model row."""
    a, b, ids = two_workers
    app_id = _draft(a, ids)
    own = Principal(user_id="js", role=Role.PROVINCE, province=PROVINCE)
    other = Principal(user_id="zj", role=Role.PROVINCE, province="330000")
    statements = statements_sent(a)

    owned = ProvinceAccess(own, app_id, a, _NO_THREADS).check()
    assert (owned.province, owned.programme_id, statements) == (PROVINCE, ids["programme"], [])
    for worker in (a, b):  # a from its committed copy, b from the read model: the same refusal
        with pytest.raises(ProblemError) as refused:
            ProvinceAccess(other, app_id, worker, _NO_THREADS).check()
        assert (refused.value.status, refused.value.code) == (403, "FORBIDDEN_PROVINCE")
    assert statements == []
    assert ProvinceAccess(own, app_id, b, _NO_THREADS).check() == owned
    with pytest.raises(ProblemError) as missing:
        ProvinceAccess(own, uuid.uuid4(), a, _NO_THREADS).check()
    assert (missing.value.status, missing.value.code) == (404, "NOT_FOUND")
