"""Reviewer assignment: the conflict-of-interest rules hold for any pool, and load stays balanced."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.domain import (
    ApplicationToReview,
    ErrorCode,
    EvaluationRuleViolation,
    IneligibilityReason,
    ReviewerProfile,
    assign_reviewers,
    is_conflicted,
    reassign,
)

PROVINCES = ["110000", "320000", "330000", "440000", "510000"]
ORGS = [f"ORG-{i}" for i in range(6)]
INDUSTRIES = ["STEEL", "PAPER", "COKING", "CHEMICAL_API"]


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[list[ApplicationToReview], list[ReviewerProfile], int, dict[str, set[str]], set[tuple[str, str]]]:
    n_reviewers = draw(st.integers(0, 14))
    reviewers = [
        ReviewerProfile(
            reviewer_id=f"R{i:02d}",
            province=draw(st.sampled_from(PROVINCES)),
            organisation_id=draw(st.sampled_from(ORGS)),
            expertise=frozenset(draw(st.sets(st.sampled_from(INDUSTRIES), max_size=3))),
            available=draw(st.sampled_from([True, True, True, False])),
        )
        for i in range(n_reviewers)
    ]
    n_apps = draw(st.integers(1, 8))
    apps = [
        ApplicationToReview(
            application_id=f"A{i:02d}",
            province=draw(st.sampled_from(PROVINCES)),
            organisation_id=draw(st.sampled_from(ORGS)),
            key_industries=frozenset(draw(st.sets(st.sampled_from(INDUSTRIES), max_size=2))),
        )
        for i in range(n_apps)
    ]
    pairs = [(r.reviewer_id, a.application_id) for r in reviewers for a in apps]
    conflicts = set(draw(st.lists(st.sampled_from(pairs), max_size=10))) if pairs else set()
    existing: dict[str, set[str]] = {}
    if pairs:
        for reviewer_id, app_id in draw(st.lists(st.sampled_from(pairs), max_size=6)):
            existing.setdefault(app_id, set()).add(reviewer_id)
    per_application = draw(st.integers(1, 4))
    return apps, reviewers, per_application, existing, conflicts


def _may_take(r: ReviewerProfile, a: ApplicationToReview, conflicts: set[tuple[str, str]], already: set[str]) -> bool:
    """The rules written out independently of the implementation."""
    return (
        r.available
        and r.province != a.province
        and r.organisation_id != a.organisation_id
        and (r.reviewer_id, a.application_id) not in conflicts
        and r.reviewer_id not in already
    )


def _still_valid(r: ReviewerProfile, a: ApplicationToReview, conflicts: set[tuple[str, str]]) -> bool:
    return (
        r.province != a.province
        and r.organisation_id != a.organisation_id
        and (r.reviewer_id, a.application_id) not in conflicts
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_no_assignment_breaks_a_rule_and_every_application_is_served_or_short(
    scenario: tuple[list[ApplicationToReview], list[ReviewerProfile], int, dict[str, set[str]], set[tuple[str, str]]],
) -> None:
    apps, reviewers, per_application, existing, conflicts = scenario
    plan = assign_reviewers(apps, reviewers, per_application, existing=existing, conflicts=conflicts)
    pool = {r.reviewer_id: r for r in reviewers}
    by_app = {a.application_id: a for a in apps}

    # every new assignment respects every rule
    for a in plan.new_assignments:
        r, app = pool[a.reviewer_id], by_app[a.application_id]
        already = existing.get(app.application_id, set())
        assert r.available, a
        assert r.province != app.province, a
        assert r.organisation_id != app.organisation_id, a
        assert (r.reviewer_id, app.application_id) not in conflicts, a
        assert r.reviewer_id not in already, a
        assert set(a.matched_expertise) == r.expertise & app.key_industries

    # nobody twice on one application
    pair_counts = Counter((a.application_id, a.reviewer_id) for a in plan.new_assignments)
    assert all(n == 1 for n in pair_counts.values())

    new_per_app = Counter(a.application_id for a in plan.new_assignments)
    short = {s.application_id: s for s in plan.shortages}
    for app in apps:
        app_id = app.application_id
        already = existing.get(app_id, set())
        valid_existing = sum(1 for rid in already if rid not in pool or _still_valid(pool[rid], app, conflicts))
        needed = max(0, per_application - valid_existing)
        eligible = sum(1 for r in reviewers if _may_take(r, app, conflicts, already))
        # exactly one of: fully served, or a shortage entry with nothing assigned
        assert (app_id in plan.covered) != (app_id in short), app_id
        if app_id in short:
            s = short[app_id]
            assert new_per_app[app_id] == 0, "a short application gets no partial assignment"
            assert s.needed == needed
            assert s.eligible == eligible < needed
            assert s.reasons, "a shortage always says why"
            assert all(reason.reviewers > 0 for reason in s.reasons)
            excluded = sum(
                reason.reviewers for reason in s.reasons if reason.code != IneligibilityReason.POOL_TOO_SMALL
            )
            assert excluded == len(reviewers) - eligible
            assert s.message_zh and s.message_en
        else:
            assert new_per_app[app_id] == needed
            assert eligible >= needed
            assert len(plan.assignments[app_id]) == needed

    # existing reviewers that now break a rule are reported, the others are not
    reported = {(i.application_id, i.reviewer_id) for i in plan.invalid_existing}
    expected = {
        (app.application_id, rid)
        for app in apps
        for rid in existing.get(app.application_id, set())
        if rid in pool and not _still_valid(pool[rid], app, conflicts)
    }
    assert reported == expected

    # loads: existing plus new, for every reviewer of the pool
    expected_load = Counter({r.reviewer_id: 0 for r in reviewers})
    for rids in existing.values():
        for rid in rids:
            if rid in pool:
                expected_load[rid] += 1
    for a in plan.new_assignments:
        expected_load[a.reviewer_id] += 1
    assert dict(plan.loads) == dict(expected_load)


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_plan_does_not_depend_on_input_order(
    scenario: tuple[list[ApplicationToReview], list[ReviewerProfile], int, dict[str, set[str]], set[tuple[str, str]]],
    rnd: random.Random,
) -> None:
    apps, reviewers, per_application, existing, conflicts = scenario
    plan = assign_reviewers(apps, reviewers, per_application, existing=existing, conflicts=conflicts)
    shuffled_apps, shuffled_reviewers = apps[:], reviewers[:]
    rnd.shuffle(shuffled_apps)
    rnd.shuffle(shuffled_reviewers)
    again = assign_reviewers(shuffled_apps, shuffled_reviewers, per_application, existing=existing, conflicts=conflicts)
    assert sorted(plan.new_assignments, key=repr) == sorted(again.new_assignments, key=repr)
    assert plan.shortages == again.shortages
    assert plan.loads == again.loads


def _uniform(n_apps: int, n_reviewers: int) -> tuple[list[ApplicationToReview], list[ReviewerProfile]]:
    """Applicants from Jiangsu, reviewers from elsewhere: everyone may review everything."""
    apps = [ApplicationToReview(f"A{i:03d}", "320000", f"APPLICANT-{i}") for i in range(n_apps)]
    reviewers = [
        ReviewerProfile(f"R{i:03d}", ("110000", "440000")[i % 2], f"UNIVERSITY-{i}") for i in range(n_reviewers)
    ]
    return apps, reviewers


@pytest.mark.parametrize(("n_apps", "n_reviewers", "per_application"), [(38, 12, 3), (10, 7, 4), (5, 30, 2)])
def test_load_is_balanced_in_a_uniform_pool(n_apps: int, n_reviewers: int, per_application: int) -> None:
    apps, reviewers = _uniform(n_apps, n_reviewers)
    plan = assign_reviewers(apps, reviewers, per_application)
    assert not plan.shortages
    loads = list(plan.loads.values())
    assert sum(loads) == n_apps * per_application
    assert max(loads) - min(loads) <= 1, plan.loads


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 40), st.integers(4, 20), st.integers(1, 4))
def test_load_stays_balanced_for_any_uniform_size(n_apps: int, n_reviewers: int, per_application: int) -> None:
    apps, reviewers = _uniform(n_apps, n_reviewers)
    plan = assign_reviewers(apps, reviewers, per_application)
    assert max(plan.loads.values()) - min(plan.loads.values()) <= 1


def test_existing_load_is_counted_when_balancing() -> None:
    apps, reviewers = _uniform(2, 4)
    # R000 and R001 already carry two applications of an earlier round each
    existing = {"OLD-1": {"R000", "R001"}, "OLD-2": {"R000", "R001"}}
    plan = assign_reviewers(apps, reviewers, 2, existing=existing)
    assert {a.reviewer_id for a in plan.new_assignments} == {"R002", "R003"}
    assert plan.loads == {"R000": 2, "R001": 2, "R002": 2, "R003": 2}


def test_matching_expertise_is_preferred_at_equal_load() -> None:
    app = ApplicationToReview("A1", "320000", "APPLICANT", key_industries=frozenset({"PAPER"}))
    reviewers = [
        ReviewerProfile("R1", "110000", "U1", frozenset({"STEEL"})),
        ReviewerProfile("R2", "110000", "U2", frozenset({"STEEL"})),
        ReviewerProfile("R3", "110000", "U3", frozenset({"PAPER"})),
    ]
    plan = assign_reviewers([app], reviewers, 2)
    # R3 matches; then R1 before R2 on reviewer id
    assert plan.assignments["A1"] == ("R3", "R1")
    assert plan.new_assignments[0].matched_expertise == ("PAPER",)


def test_existing_reviewers_count_toward_the_application() -> None:
    apps, reviewers = _uniform(1, 5)
    plan = assign_reviewers(apps, reviewers, 3, existing={"A000": {"R004"}})
    assert len(plan.assignments["A000"]) == 2
    assert "R004" not in plan.assignments["A000"]


def test_shortage_says_how_many_are_missing_and_why() -> None:
    app = ApplicationToReview("A1", "320000", "ORG-A")
    reviewers = [
        ReviewerProfile("R1", "320000", "U1"),  # same province
        ReviewerProfile("R2", "320000", "U2"),  # same province
        ReviewerProfile("R3", "110000", "ORG-A"),  # same organisation
        ReviewerProfile("R4", "110000", "U4", available=False),
        ReviewerProfile("R5", "110000", "U5"),  # declared a conflict
        ReviewerProfile("R6", "110000", "U6"),  # eligible
    ]
    plan = assign_reviewers([app], reviewers, 3, conflicts={("R5", "A1")})
    assert plan.assignments == {}
    assert plan.new_assignments == ()
    (shortage,) = plan.shortages
    assert (shortage.application_id, shortage.needed, shortage.eligible) == ("A1", 3, 1)
    assert {r.code: r.reviewers for r in shortage.reasons} == {
        "SAME_PROVINCE": 2,
        "SAME_ORGANISATION": 1,
        "UNAVAILABLE": 1,
        "DECLARED_CONFLICT": 1,
    }
    assert "仅 1 名符合条件" in shortage.message_zh
    assert "needs 3 more reviewers, only 1 are eligible" in shortage.message_en


def test_shortage_of_a_small_pool_without_exclusions() -> None:
    apps, reviewers = _uniform(1, 2)
    (shortage,) = assign_reviewers(apps, reviewers, 3).shortages
    assert [(r.code, r.reviewers) for r in shortage.reasons] == [(IneligibilityReason.POOL_TOO_SMALL, 1)]


def test_province_rule_compares_provincial_units() -> None:
    # a reviewer recorded with a prefecture code (苏州 320500) is still from Jiangsu
    app = ApplicationToReview("A1", "320000", "ORG-A")
    assert is_conflicted(ReviewerProfile("R1", "320500", "U1"), app) == IneligibilityReason.SAME_PROVINCE
    assert is_conflicted(ReviewerProfile("R2", "330000", "U2"), app) is None


def test_invalid_input_is_refused() -> None:
    apps, reviewers = _uniform(1, 3)
    with pytest.raises(EvaluationRuleViolation) as err:
        assign_reviewers(apps, reviewers, 0)
    assert err.value.code == ErrorCode.INVALID_COUNT
    with pytest.raises(EvaluationRuleViolation) as err:
        assign_reviewers(apps, [*reviewers, reviewers[0]], 1)
    assert err.value.code == ErrorCode.DUPLICATE_ID


class TestReassign:
    app = ApplicationToReview("A1", "320000", "ORG-A")

    def test_reassignment_to_an_eligible_reviewer(self) -> None:
        result = reassign(self.app, "R1", ReviewerProfile("R9", "110000", "U9"), " 专家出差 ", current={"R1", "R2"})
        assert (result.from_reviewer_id, result.to_reviewer_id, result.reason) == ("R1", "R9", "专家出差")

    @pytest.mark.parametrize(
        ("to", "conflicts", "code"),
        [
            (ReviewerProfile("R9", "320000", "U9"), set(), ErrorCode.REVIEWER_CONFLICTED),
            (ReviewerProfile("R9", "110000", "ORG-A"), set(), ErrorCode.REVIEWER_CONFLICTED),
            (ReviewerProfile("R9", "110000", "U9"), {("R9", "A1")}, ErrorCode.REVIEWER_CONFLICTED),
            (ReviewerProfile("R9", "110000", "U9", available=False), set(), ErrorCode.REVIEWER_UNAVAILABLE),
            (ReviewerProfile("R2", "110000", "U2"), set(), ErrorCode.REVIEWER_ALREADY_ASSIGNED),
        ],
    )
    def test_reassignment_checks_the_same_rules(
        self, to: ReviewerProfile, conflicts: set[tuple[str, str]], code: ErrorCode
    ) -> None:
        with pytest.raises(EvaluationRuleViolation) as err:
            reassign(self.app, "R1", to, "reason", current={"R1", "R2"}, conflicts=conflicts)
        assert err.value.code == code
        assert err.value.field == "to_reviewer_id"

    def test_reassignment_needs_a_reason_and_an_assigned_reviewer(self) -> None:
        to = ReviewerProfile("R9", "110000", "U9")
        with pytest.raises(EvaluationRuleViolation) as err:
            reassign(self.app, "R1", to, "  ", current={"R1"})
        assert err.value.code == ErrorCode.REASON_REQUIRED
        with pytest.raises(EvaluationRuleViolation) as err:
            reassign(self.app, "R7", to, "reason", current={"R1"})
        assert err.value.code == ErrorCode.REVIEWER_NOT_ASSIGNED
