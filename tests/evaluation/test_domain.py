"""The evaluation domain: reviewers, score sheets, scoring, ranking and selection (pure, no I/O)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from evaluation.domain import (
    EVENT_TYPES,
    SERVICE,
    DecidedBy,
    ErrorCode,
    EvaluationRuleViolation,
    Outcome,
    ProjectDetails,
    RankedEntry,
    RankingEntry,
    Reviewer,
    ScoreSheet,
    ScoringDeadline,
    Selection,
    SelectionStatus,
    SubmittedScores,
    aggregate,
    outliers,
    rank,
    rank_by_type,
    score_application,
    score_sheet_id,
    scoring_deadline_id,
    spread,
    weighted_total,
)
from pilot_common.context import Actor, CallContext, Role, acting
from pilot_common.contracts.programme import SCORING_2023, Aggregation, ScoringCriterion, ScoringRules
from pilot_common.envelope import event_type
from pilot_common.violations import DomainRuleViolation, ViolationKind

T0 = datetime(2023, 4, 1, 9, 0, tzinfo=UTC)
MINISTRY = CallContext(actor=Actor("mee-staff-1", Role.MINISTRY, organisation="MEE"), correlation_id="corr-1")
# maxima: FOUNDATION 20, GOALS 25, METHOD 15, INNOVATION 20, PLAN 10, OUTCOMES 10
CODES = [c.code for c in SCORING_2023.criteria]


def violation(fn: Any, *args: Any, **kwargs: Any) -> EvaluationRuleViolation:
    with pytest.raises(EvaluationRuleViolation) as err:
        fn(*args, **kwargs)
    return err.value


def event_names(aggregate_: Aggregate) -> list[str]:
    return [type(e).__qualname__.split(".")[-1] for e in aggregate_.collect_events()]


def round_trip(aggregate_: Aggregate) -> Any:
    """Saved through the JSON transcoder and read back: the events are JSON-friendly and replay the state."""
    app: Application[Any] = Application()
    app.save(aggregate_)
    return app.repository.get(aggregate_.id)


def full(points: dict[str, float] | None = None, /, **overrides: float) -> dict[str, float]:
    scores = dict(points or {"FOUNDATION": 16, "GOALS": 20, "METHOD": 12, "INNOVATION": 15, "PLAN": 8, "OUTCOMES": 8})
    scores.update(overrides)
    return scores


def reasons(text: str = "依据充分") -> dict[str, str]:
    return dict.fromkeys(CODES, text)


# ---- reviewers ---------------------------------------------------------------------------------------------


class TestReviewer:
    def test_registration_validates_province_and_expertise(self) -> None:
        assert violation(Reviewer.register, "张三", "ORG-1", "999999").code == ErrorCode.INVALID_PROVINCE
        err = violation(Reviewer.register, "张三", "ORG-1", "110000", ["STEEL", "SPACE_MINING"])
        assert (err.code, err.field) == (ErrorCode.UNKNOWN_INDUSTRY, "expertise")
        assert "SPACE_MINING" in err.message_en
        assert violation(Reviewer.register, "  ", "ORG-1", "110000").code == ErrorCode.BLANK_FIELD

    def test_availability_and_expertise_changes_are_events_carrying_the_actor(self) -> None:
        with acting(MINISTRY):
            reviewer = Reviewer.register("张三", "ORG-1", "110000", ["PAPER", "STEEL", "PAPER"])
            reviewer.set_availability(False, "出国")
            reviewer.set_availability(False)  # no change, no event
            reviewer.update_expertise(["COKING"])
        assert reviewer.expertise == ["COKING"]
        assert reviewer.available is False
        profile = reviewer.profile()
        assert (profile.reviewer_id, profile.available, profile.expertise) == (
            str(reviewer.id),
            False,
            frozenset({"COKING"}),
        )
        events = reviewer.collect_events()
        assert [type(e).__qualname__ for e in events] == [
            "Reviewer.Created",
            "Reviewer.AvailabilityChanged",
            "Reviewer.ExpertiseUpdated",
        ]
        assert events[0].actor["user_id"] == "mee-staff-1"  # type: ignore[attr-defined]
        assert events[1].correlation_id == "corr-1"  # type: ignore[attr-defined]

    def test_reviewer_replays_from_its_events(self) -> None:
        reviewer = Reviewer.register("李四", "ORG-2", "320000", ["PAPER"], user_id="rev-li")
        reviewer.update_affiliation("ORG-3", "330000")
        copy = round_trip(reviewer)
        assert (copy.organisation_id, copy.province, copy.expertise, copy.user_id) == (
            "ORG-3",
            "330000",
            ["PAPER"],
            "rev-li",
        )


# ---- score sheets ------------------------------------------------------------------------------------------


@pytest.fixture
def sheet() -> ScoreSheet:
    return ScoreSheet.open("R1", "A1", SCORING_2023.criteria, application_revision=1, programme_id="P-2023-2")


class TestScoreSheetValidation:
    @pytest.mark.parametrize(("code", "value"), [("FOUNDATION", 21), ("GOALS", -0.5), ("METHOD", float("nan"))])
    def test_score_out_of_range_is_refused_and_nothing_recorded(
        self, sheet: ScoreSheet, code: str, value: float
    ) -> None:
        err = violation(sheet.record_scores, full(**{code: value}), reasons())
        assert (err.code, err.field, err.kind) == (
            ErrorCode.SCORE_OUT_OF_RANGE,
            f"scores.{code}",
            ViolationKind.INVALID,
        )
        assert sheet.scores == {}
        assert event_names(sheet) == ["Created"]

    def test_bounds_are_inclusive(self, sheet: ScoreSheet) -> None:
        sheet.record_scores(full(FOUNDATION=20, GOALS=0), reasons())
        assert sheet.scores["FOUNDATION"] == 20.0

    def test_every_criterion_needs_a_score(self, sheet: ScoreSheet) -> None:
        scores = full()
        del scores["INNOVATION"]
        err = violation(sheet.record_scores, scores, reasons())
        assert (err.code, err.field) == (ErrorCode.SCORE_MISSING, "scores.INNOVATION")
        err = violation(sheet.record_scores, full(EXTRA=1), reasons())
        assert err.code == ErrorCode.UNKNOWN_CRITERION

    @pytest.mark.parametrize("blank", ["", "   ", None])
    def test_every_criterion_needs_a_justification(self, sheet: ScoreSheet, blank: str | None) -> None:
        why: dict[str, Any] = reasons()
        if blank is None:
            del why["PLAN"]
        else:
            why["PLAN"] = blank
        err = violation(sheet.record_scores, full(), why)
        assert (err.code, err.field) == (ErrorCode.JUSTIFICATION_REQUIRED, "justifications.PLAN")
        assert sheet.scores == {}

    def test_cannot_submit_before_scoring(self, sheet: ScoreSheet) -> None:
        assert violation(sheet.submit).code == ErrorCode.SHEET_INCOMPLETE

    def test_weighted_total_uses_the_weights(self) -> None:
        criteria = [
            ScoringCriterion(code="A", name_zh="甲", name_en="A", max_points=10, weight=2),
            ScoringCriterion(code="B", name_zh="乙", name_en="B", max_points=10, weight=0.5),
        ]
        sheet = ScoreSheet.open("R1", "A1", criteria, 1)
        assert sheet.weighted_total is None
        sheet.record_scores({"A": 7, "B": 4}, {"A": "好", "B": "一般"})
        assert sheet.weighted_total == 16.0  # 7×2 + 4×0.5

    def test_one_sheet_per_reviewer_and_application(self) -> None:
        a = ScoreSheet.open("R1", "A1", SCORING_2023.criteria, 1)
        b = ScoreSheet.open("R1", "A1", SCORING_2023.criteria, 1)
        c = ScoreSheet.open("R2", "A1", SCORING_2023.criteria, 1)
        assert a.id == b.id == score_sheet_id("R1", "A1")
        assert c.id != a.id

    def test_a_sheet_shows_each_criterions_guidance_and_guidance_never_changes_the_scoring(self) -> None:
        from evaluation.projections.scores import _sheet_rules

        sheet = ScoreSheet.open("R1", "A1", SCORING_2023.criteria, 1)
        guidance = {c["code"]: c.get("guidance_zh", "") for c in sheet.criteria}
        assert "第四部分第（二）节“试点方法及技术路线”" in guidance["METHOD"]
        assert all(guidance.values())
        # A sheet opened before criteria had guidance (or after the ministry reworded it) scores alike.
        bare = [ScoringCriterion(**c.model_dump(exclude={"guidance_zh", "guidance_en"})) for c in SCORING_2023.criteria]
        older = ScoreSheet.open("R2", "A1", bare, 1)
        assert all("guidance_zh" not in c for c in older.criteria)
        rows = [{"id": str(s.id), "criteria": s.criteria} for s in (sheet, older)]
        assert [c.code for c in _sheet_rules(SCORING_2023, rows).criteria] == [c.code for c in SCORING_2023.criteria]
        heavier = [c.model_copy(update={"weight": 2}) if c.code == "GOALS" else c for c in SCORING_2023.criteria]
        rows.append({"id": "S3", "criteria": ScoreSheet.open("R3", "A1", heavier, 1).criteria})
        assert violation(_sheet_rules, SCORING_2023, rows).code == "UNSCORABLE"

    def test_criteria_are_checked_when_opening(self) -> None:
        assert violation(ScoreSheet.open, "R1", "A1", [], 1).code == ErrorCode.NO_CRITERIA
        dup = [SCORING_2023.criteria[0], SCORING_2023.criteria[0]]
        assert violation(ScoreSheet.open, "R1", "A1", dup, 1).code == ErrorCode.DUPLICATE_CRITERION
        assert violation(ScoreSheet.open, "R1", "A1", SCORING_2023.criteria, 0).code == ErrorCode.INVALID_REVISION


class TestScoreSheetLifecycle:
    def test_submitted_sheet_is_locked(self, sheet: ScoreSheet) -> None:
        sheet.record_scores(full(), reasons())
        sheet.submit(at=T0)
        assert sheet.submitted
        err = violation(sheet.record_scores, full(GOALS=25), reasons())
        assert err.code == ErrorCode.SHEET_SUBMITTED
        assert isinstance(err, DomainRuleViolation)
        assert err.kind is ViolationKind.CONFLICT  # the state forbids it (bad input is INVALID)
        assert sheet.scores["GOALS"] == 20.0
        assert violation(sheet.submit).code == ErrorCode.SHEET_SUBMITTED

    def test_rescore_opens_a_new_round_and_keeps_history(self, sheet: ScoreSheet) -> None:
        sheet.record_scores(full(), reasons())  # total 79
        sheet.submit(at=T0)
        assert violation(sheet.request_rescore, " ").code == ErrorCode.REASON_REQUIRED
        with acting(MINISTRY):
            sheet.request_rescore("总分偏离中位数超过15分，请复核")
        assert not sheet.submitted
        assert sheet.scoring_round == 2
        sheet.record_scores(full(INNOVATION=19), reasons("复核后调整"))
        sheet.submit(at=T0 + timedelta(days=1))
        assert [(s["scoring_round"], s["weighted_total"], s["submitted_at"]) for s in sheet.submissions] == [
            (1, 79.0, T0),
            (2, 83.0, T0 + timedelta(days=1)),
        ]
        assert sheet.submissions[0]["scores"]["INNOVATION"] == 15.0
        assert sheet.submissions[0]["justifications"]["INNOVATION"] == "依据充分"
        assert sheet.rescore_requests[0]["reason"] == "总分偏离中位数超过15分，请复核"
        copy = round_trip(sheet)
        assert copy.submissions == sheet.submissions
        assert copy.weighted_total == 83.0

    def test_rescore_only_of_a_submitted_sheet(self, sheet: ScoreSheet) -> None:
        assert violation(sheet.request_rescore, "复核").code == ErrorCode.SHEET_NOT_SUBMITTED

    def test_amendment_makes_the_sheet_stale_until_confirmed(self, sheet: ScoreSheet) -> None:
        sheet.record_scores(full(), reasons())
        sheet.submit(at=T0)
        sheet.mark_stale(2, "实施方案修改")
        sheet.mark_stale(2, "实施方案修改")  # redelivered: no second event
        assert sheet.stale and sheet.submitted
        assert sheet.application_revision == 1
        sheet.confirm_current()
        assert not sheet.stale
        assert sheet.application_revision == 2
        assert sheet.weighted_total == 79.0
        assert len(sheet.submissions) == 1
        assert event_names(sheet) == [
            "Created",
            "ScoresRecorded",
            "Submitted",
            "MarkedStale",
            "CurrentRevisionConfirmed",
        ]
        assert violation(sheet.confirm_current).code == ErrorCode.SHEET_NOT_STALE

    def test_rescoring_a_stale_submitted_sheet_opens_a_new_round_on_the_new_revision(self, sheet: ScoreSheet) -> None:
        sheet.record_scores(full(), reasons())
        sheet.submit(at=T0)
        sheet.mark_stale(3, "补充材料")
        sheet.record_scores(full(METHOD=14), reasons("按新版本评分"))
        assert not sheet.stale and not sheet.submitted
        assert (sheet.application_revision, sheet.scoring_round) == (3, 2)
        sheet.submit(at=T0 + timedelta(hours=2))
        assert [s["application_revision"] for s in sheet.submissions] == [1, 3]

    def test_stale_draft_cannot_be_submitted(self, sheet: ScoreSheet) -> None:
        sheet.record_scores(full(), reasons())
        sheet.mark_stale(2, "实施方案修改")
        err = violation(sheet.submit)
        assert err.code == ErrorCode.SHEET_STALE
        sheet.confirm_current()
        sheet.submit(at=T0)
        assert sheet.submitted

    def test_amendment_before_any_score_just_moves_the_revision(self, sheet: ScoreSheet) -> None:
        sheet.mark_stale(2, "修改")
        assert not sheet.stale
        assert sheet.application_revision == 2

    def test_declared_conflict_withdraws_the_sheet(self, sheet: ScoreSheet) -> None:
        sheet.record_scores(full(), reasons())
        sheet.declare_conflict("曾为申报单位提供咨询")
        assert sheet.withdrawn and sheet.conflict_declared
        assert violation(sheet.record_scores, full(), reasons()).code == ErrorCode.SHEET_WITHDRAWN
        assert violation(sheet.submit).code == ErrorCode.SHEET_WITHDRAWN
        assert violation(sheet.declare_conflict, "again").code == ErrorCode.SHEET_WITHDRAWN
        sheet.mark_stale(5, "修改")  # a withdrawn sheet ignores amendments
        assert sheet.application_revision == 1


# ---- scoring -----------------------------------------------------------------------------------------------


class TestScoring:
    def test_weighted_total_needs_every_criterion(self) -> None:
        assert weighted_total(full(), SCORING_2023.criteria) == 79.0
        scores = full()
        del scores["PLAN"]
        assert violation(weighted_total, scores, SCORING_2023.criteria).code == ErrorCode.SCORE_MISSING

    def test_mean_and_median(self) -> None:
        assert aggregate([60, 80, 85], Aggregation.MEAN) == 75.0
        assert aggregate([60, 80, 85], Aggregation.MEDIAN) == 80.0
        assert aggregate([60, 80, 85, 95], Aggregation.MEDIAN) == 82.5
        assert violation(aggregate, [], Aggregation.MEAN).code == ErrorCode.NO_SCORES

    def test_spread_is_the_population_standard_deviation(self) -> None:
        assert spread([2, 4, 4, 4, 5, 5, 7, 9]) == 2.0  # the sample deviation would be 2.14
        assert spread([80]) == 0.0

    def test_outliers_are_more_than_the_threshold_from_the_median(self) -> None:
        totals = {"s1": 80.0, "s2": 95.0, "s3": 65.0}  # median 80
        assert outliers(totals, 15) == []  # exactly 15 away is not an outlier
        assert outliers(totals, 14.9) == ["s2", "s3"]
        assert outliers({"s1": 80.0, "s2": 82.0, "s3": 60.0, "s4": 81.0}, 15) == ["s3"]  # median 80.5
        assert violation(outliers, totals, -1).code == ErrorCode.INVALID_THRESHOLD

    def test_application_score(self) -> None:
        sheets = [
            SubmittedScores("s1", full()),  # 79
            SubmittedScores("s2", full(INNOVATION=20, GOALS=25)),  # 89
            SubmittedScores("s3", full(FOUNDATION=0, GOALS=5, INNOVATION=5)),  # 38
        ]
        result = score_application("A1", sheets, SCORING_2023)
        assert result.totals == {"s1": 79.0, "s2": 89.0, "s3": 38.0}
        assert result.score == 68.67  # mean, to 0.01
        assert result.spread == 22.07  # population σ of 79, 89, 38 (the sample s would be 27.03)
        assert result.criterion_means["INNOVATION"] == 13.33
        assert result.innovation_score == 13.33
        assert result.sheet_count == 3
        assert result.outliers == ("s3",)  # 41 from the median 79; s2 is 10 away
        assert result.pending_moderation == ("s3",)
        assert not result.complete
        accepted = score_application("A1", sheets, SCORING_2023, accepted_outliers={"s3"})
        assert accepted.pending_moderation == ()
        assert accepted.complete

    def test_application_score_by_median_and_too_few_sheets(self) -> None:
        rules = ScoringRules(
            criteria=SCORING_2023.criteria,
            reviewers_per_application=3,
            aggregation=Aggregation.MEDIAN,
            outlier_threshold=50,
            innovation_criterion="INNOVATION",
        )
        result = score_application("A1", [SubmittedScores("s1", full()), SubmittedScores("s2", full(GOALS=10))], rules)
        assert result.score == 74.0  # median of 79 and 69
        assert not result.complete  # 2 of 3 sheets

    def test_moderator_acceptance_is_recorded_on_the_sheet(self, sheet: ScoreSheet) -> None:
        sheet.record_scores(full(), reasons())
        sheet.submit(at=T0)
        sheet.accept_moderation("评分有据，予以保留")
        assert sheet.moderation_accepted
        sheet.request_rescore("仍需复核")
        assert not sheet.moderation_accepted


# ---- ranking -----------------------------------------------------------------------------------------------


def entry(
    app_id: str,
    score: float,
    *,
    priority: bool = False,
    innovation: float = 10,
    at: datetime = T0,
    pilot_type: str = "KEY_INDUSTRY",
    province: str = "320000",
) -> RankingEntry:
    return RankingEntry(app_id, pilot_type, province, score, priority, innovation, at)


class TestRanking:
    def test_score_decides_first(self) -> None:
        ranked = rank([entry("A", 70), entry("B", 90, priority=True), entry("C", 80)])
        assert [(r.application_id, r.position) for r in ranked] == [("B", 1), ("C", 2), ("A", 3)]
        assert ranked[0].decided_by == DecidedBy.FIRST
        assert ranked[0].why_zh == "总分 90 最高，排名第一"
        assert ranked[1].decided_by == DecidedBy.SCORE
        assert ranked[1].why_zh == "总分 80 低于上一名（90）"
        assert ranked[1].why_en == "Total score 80 is lower than the entry above (90)"

    def test_priority_breaks_a_score_tie_before_innovation_and_time(self) -> None:
        plain = entry("A", 85, innovation=20, at=T0)  # better innovation and earlier, but not priority
        prio = entry("B", 85, priority=True, innovation=5, at=T0 + timedelta(days=3))
        ranked = rank([plain, prio])
        assert [r.application_id for r in ranked] == ["B", "A"]
        assert ranked[1].decided_by == DecidedBy.PRIORITY
        assert ranked[1].why_zh == "与上一名总分相同，因优先支持领域排在其后"
        assert "priority area" in ranked[1].why_en
        assert not any(r.tied for r in ranked)

    def test_innovation_breaks_a_tie_of_score_and_priority_before_time(self) -> None:
        early = entry("A", 85, priority=True, innovation=12, at=T0)
        innovative = entry("B", 85, priority=True, innovation=18.5, at=T0 + timedelta(days=3))
        ranked = rank([early, innovative])
        assert [r.application_id for r in ranked] == ["B", "A"]
        assert ranked[1].decided_by == DecidedBy.INNOVATION
        assert ranked[1].why_zh == "与上一名总分及优先支持情况相同，特色与创新得分 12 低于上一名（18.5）"

    def test_earlier_submission_breaks_the_remaining_tie(self) -> None:
        late = entry("A", 85, innovation=15, at=T0 + timedelta(minutes=1))
        early = entry("B", 85, innovation=15, at=T0)
        ranked = rank([late, early])
        assert [r.application_id for r in ranked] == ["B", "A"]
        assert ranked[1].decided_by == DecidedBy.SUBMISSION_TIME
        assert ranked[1].why_zh == "与上一名总分、优先支持情况及特色与创新得分均相同，提交时间晚于上一名"

    def test_full_tie_gets_distinct_positions_by_application_id_and_is_flagged(self) -> None:
        ranked = rank([entry("Z", 85), entry("M", 85), entry("B", 90), entry("C", 70)])
        assert [(r.application_id, r.position, r.tied) for r in ranked] == [
            ("B", 1, False),
            ("M", 2, True),
            ("Z", 3, True),
            ("C", 4, False),
        ]
        assert ranked[2].decided_by == DecidedBy.TIED
        assert "并列" in ranked[2].why_zh

    def test_per_type_ranking_restarts_positions(self) -> None:
        entries = [
            entry("P1", 88, pilot_type="PARK_CLUSTER"),
            entry("K1", 80),
            entry("K2", 90),
            entry("R1", 70, pilot_type="REGION_BASIN"),
        ]
        by_type = rank_by_type(entries)
        assert list(by_type) == ["KEY_INDUSTRY", "PARK_CLUSTER", "REGION_BASIN"]
        assert [(r.application_id, r.position) for r in by_type["KEY_INDUSTRY"]] == [("K2", 1), ("K1", 2)]
        assert [(r.application_id, r.position) for r in by_type["PARK_CLUSTER"]] == [("P1", 1)]

    def test_timestamps_must_carry_a_time_zone(self) -> None:
        err = violation(rank, [entry("A", 80, at=datetime(2023, 4, 1, 9, 0))])
        assert err.code == ErrorCode.NAIVE_TIMESTAMP

    def test_an_empty_ranking_is_empty(self) -> None:
        assert rank([]) == [] and rank_by_type([]) == {}

    def test_a_large_ranking_with_many_ties_reads_as_each_pair_of_neighbours(self) -> None:
        # Few distinct figures, so every tie-break and full ties occur; the same instant written in two time zones
        # is the same submission time.
        rnd = random.Random(13)
        beijing = timezone(timedelta(hours=8))
        entries = [
            entry(
                f"A{n:05d}",
                rnd.choice([80, 85.5, 90]),
                priority=rnd.random() < 0.3,
                innovation=rnd.choice([12, 18.5]),
                at=(T0 + timedelta(minutes=rnd.randint(0, 2))).astimezone(rnd.choice([UTC, beijing])),
            )
            for n in range(3000)
        ]
        rnd.shuffle(entries)
        ranked = rank(entries)

        def key(e: RankingEntry) -> tuple[float, bool, float, datetime]:
            return (-e.score, not e.priority, -e.innovation_score, e.submitted_at)

        expected = sorted(entries, key=lambda e: (*key(e), e.application_id))
        assert [r.entry for r in ranked] == expected
        assert [r.position for r in ranked] == list(range(1, len(entries) + 1))
        for i, r in enumerate(ranked):
            above = ranked[i - 1].entry if i else None
            below = ranked[i + 1].entry if i + 1 < len(ranked) else None
            same = [b is not None and key(b) == key(r.entry) for b in (above, below)]
            assert r.tied == any(same), r
            if above is None:
                assert r.decided_by is DecidedBy.FIRST and r.why_zh == "总分 90 最高，排名第一"
            elif above.score != r.score:
                assert r.decided_by is DecidedBy.SCORE
                assert r.why_zh == f"总分 {r.score:g} 低于上一名（{above.score:g}）"
            elif above.priority != r.entry.priority:
                assert r.decided_by is DecidedBy.PRIORITY
            elif above.innovation_score != r.entry.innovation_score:
                assert r.decided_by is DecidedBy.INNOVATION
                assert r.why_en.endswith(f"is lower ({above.innovation_score:g})")
            elif above.submitted_at != r.entry.submitted_at:
                assert r.decided_by is DecidedBy.SUBMISSION_TIME
            else:
                assert r.decided_by is DecidedBy.TIED and "并列" in r.why_zh
        assert {r.decided_by for r in ranked} == set(DecidedBy)


# ---- selection ---------------------------------------------------------------------------------------------


def ranking() -> list[RankedEntry]:
    return rank(
        [
            entry("K1", 95, province="320000"),
            entry("K2", 94, province="320000"),
            entry("K3", 93, province="330000"),
            entry("P1", 92, pilot_type="PARK_CLUSTER", province="320000"),
            entry("P2", 91, pilot_type="PARK_CLUSTER", province="440000"),
            entry("S1", 90, pilot_type="SIMPLIFIED_ENTERPRISE", province="510000"),
        ]
    )


def projects(*app_ids: str) -> dict[str, ProjectDetails]:
    """What intake said about each application (the published list names the project, applicant and object)."""
    ids = app_ids or tuple(r.application_id for r in ranking())
    return {a: ProjectDetails(f"{a} 清洁生产审核创新试点项目", f"ORG-{a}", f"OBJ-{a}") for a in ids}


def status(selection: Selection) -> SelectionStatus:
    """The status read through a call (so that the type checker does not narrow it across commands)."""
    return selection.status


def outcome_of(selection: Selection, app_id: str) -> dict[str, Any]:
    return next(p for p in selection.proposal if p["application_id"] == app_id)


@pytest.fixture
def signed_ready() -> Iterator[Selection]:
    selection = Selection.start("P-2023-2", target_count=3)
    selection.propose(ranking())
    yield selection


class TestSelectionProposal:
    def test_fills_in_rank_order_up_to_the_target(self) -> None:
        selection = Selection.start("P-2023-2", target_count=3)
        assert status(selection) == SelectionStatus.DRAFT
        selection.propose(ranking())
        assert selection.approved == ["K1", "K2", "K3"]
        assert status(selection) == SelectionStatus.PROPOSED
        assert outcome_of(selection, "P1")["outcome"] == Outcome.BELOW_CUT

    def test_type_cap_skips_and_records_why(self) -> None:
        selection = Selection.start("P-2023-2", target_count=4, type_caps={"KEY_INDUSTRY": 2})
        selection.propose(ranking())
        assert selection.approved == ["K1", "K2", "P1", "P2"]
        skipped = outcome_of(selection, "K3")
        assert skipped["outcome"] == Outcome.SKIPPED_TYPE_CAP
        assert skipped["why_zh"] == "试点类型 KEY_INDUSTRY 已达上限 2 个"

    def test_province_caps_named_and_default(self) -> None:
        selection = Selection.start("P-2023-2", target_count=4, province_caps={"320000": 1})
        selection.propose(ranking())
        assert selection.approved == ["K1", "K3", "P2", "S1"]
        assert outcome_of(selection, "K2")["outcome"] == Outcome.SKIPPED_PROVINCE_CAP
        assert outcome_of(selection, "P1")["why_en"] == "province 320000 already has its cap of 1"
        everywhere = Selection.start("P-2023-2", target_count=6, default_province_cap=1)
        everywhere.propose(ranking())
        assert everywhere.approved == ["K1", "K3", "P2", "S1"]

    def test_caps_are_checked_when_set(self) -> None:
        err = violation(Selection.start, "P", 3, type_caps={"MOON_BASE": 1})
        assert err.code == ErrorCode.UNKNOWN_PILOT_TYPE
        assert violation(Selection.start, "P", 3, province_caps={"32": 1}).code == ErrorCode.INVALID_PROVINCE
        assert violation(Selection.start, "P", 0).code == ErrorCode.INVALID_COUNT

    def test_tie_across_the_cut_is_flagged(self) -> None:
        selection = Selection.start("P-2023-2", target_count=1)
        selection.propose(rank([entry("A", 90), entry("B", 90), entry("C", 80)]))
        assert selection.approved == ["A"]
        assert selection.tied_at_cut == ["B"]
        assert "并列" in outcome_of(selection, "B")["why_zh"]

    def test_manual_changes_need_a_reason_and_respect_target_and_caps(self, signed_ready: Selection) -> None:
        selection = signed_ready
        assert violation(selection.exclude, "K2", " ").code == ErrorCode.REASON_REQUIRED
        assert violation(selection.include, "P1", "").code == ErrorCode.REASON_REQUIRED
        assert violation(selection.include, "P1", "重要园区").code == ErrorCode.TARGET_REACHED
        assert violation(selection.include, "X9", "不在排名中").code == ErrorCode.NOT_A_CANDIDATE
        assert violation(selection.exclude, "P1", "不在名单").code == ErrorCode.NOT_SELECTED
        selection.exclude("K2", "新发现中央督察通报问题")
        selection.include("S1", "非重点行业代表")
        assert selection.approved == ["K1", "K3", "S1"]
        assert selection.exclusions == {"K2": "新发现中央督察通报问题"}
        # a later proposal keeps the manual exclusion and starts again from the ranking otherwise
        selection.propose(ranking())
        assert selection.approved == ["K1", "K3", "P1"]
        assert outcome_of(selection, "K2")["outcome"] == Outcome.EXCLUDED

    def test_manual_include_refused_beyond_a_cap(self) -> None:
        selection = Selection.start("P-2023-2", target_count=3, province_caps={"320000": 1})
        selection.propose(ranking())
        selection.exclude("K3", "调整")
        err = violation(selection.include, "K2", "重点行业")
        assert err.code == ErrorCode.PROVINCE_CAP_REACHED


class TestSignOff:
    def test_publication_needs_both_parties(self, signed_ready: Selection) -> None:
        selection = signed_ready
        selection.sign_off("MEE", "mee-director", at=T0)
        assert status(selection) == SelectionStatus.PARTIALLY_SIGNED
        err = violation(selection.publish, "环办科财函〔2023〕261号", projects())
        assert err.code == ErrorCode.SIGN_OFF_MISSING
        assert "国家发展改革委" in err.message_zh
        assert violation(selection.sign_off, "MEE", "mee-other").code == ErrorCode.ALREADY_SIGNED
        assert violation(selection.sign_off, "MOF", "x").code == ErrorCode.UNKNOWN_PARTY
        selection.sign_off("NDRC", "ndrc-director", at=T0)
        assert status(selection) == SelectionStatus.SIGNED
        assert violation(selection.publish, "环办科财函〔2023〕261号", projects("K1", "K3")).code == (
            ErrorCode.PROJECT_DETAILS_MISSING
        )
        selection.publish("环办科财函〔2023〕261号", projects(), at=T0 + timedelta(days=1))
        assert status(selection) == SelectionStatus.PUBLISHED
        assert selection.publication is not None
        assert selection.publication["approved"] == ["K1", "K2", "K3"]
        for change in (
            lambda: selection.exclude("K1", "late"),
            lambda: selection.propose(ranking()),
            lambda: selection.set_caps(type_caps={"KEY_INDUSTRY": 1}),
            lambda: selection.sign_off("MEE", "again"),
            lambda: selection.publish("again", projects()),
        ):
            assert violation(change).code == ErrorCode.SELECTION_PUBLISHED
        assert selection.approved == ["K1", "K2", "K3"]
        copy = round_trip(selection)
        assert (copy.status, copy.approved) == (SelectionStatus.PUBLISHED, ["K1", "K2", "K3"])

    def test_a_change_after_a_sign_off_voids_it(self, signed_ready: Selection) -> None:
        selection = signed_ready
        selection.sign_off("MEE", "mee-director", at=T0)
        selection.collect_events()
        selection.exclude("K3", "申报材料不实")
        events = selection.collect_events()
        assert [type(e).__qualname__ for e in events] == ["Selection.SignOffsVoided", "Selection.Excluded"]
        voided = events[0]
        assert voided.cause == "EXCLUDED"  # type: ignore[attr-defined]
        assert voided.reason_zh == "人工排除 K3：申报材料不实"  # type: ignore[attr-defined]
        assert voided.voided == ["MEE"]  # type: ignore[attr-defined]
        assert selection.sign_offs == {}
        assert status(selection) == SelectionStatus.PROPOSED
        assert violation(selection.publish, "doc", projects()).code == ErrorCode.SIGN_OFF_MISSING

    def test_caps_change_after_both_signed_voids_both(self, signed_ready: Selection) -> None:
        selection = signed_ready
        selection.sign_off("MEE", "m", at=T0)
        selection.sign_off("NDRC", "n", at=T0)
        selection.set_caps(type_caps={"KEY_INDUSTRY": 2}, reason="类型均衡")
        assert status(selection) == SelectionStatus.PROPOSED
        assert selection.voided_sign_offs[-1]["cause"] == "CAPS_CHANGED"
        assert set(selection.voided_sign_offs[-1]["sign_offs"]) == {"MEE", "NDRC"}
        # the list now breaks the new cap: nobody may sign it until it is proposed again
        err = violation(selection.sign_off, "MEE", "m")
        assert err.code == ErrorCode.SELECTION_VIOLATES_LIMITS
        selection.propose(ranking())
        assert selection.approved == ["K1", "K2", "P1"]
        selection.sign_off("MEE", "m", at=T0)
        assert status(selection) == SelectionStatus.PARTIALLY_SIGNED

    def test_a_refused_change_voids_nothing(self, signed_ready: Selection) -> None:
        selection = signed_ready
        selection.sign_off("MEE", "m", at=T0)
        selection.collect_events()
        assert violation(selection.include, "P1", "超出目标").code == ErrorCode.TARGET_REACHED
        assert violation(selection.set_caps, type_caps={"NOPE": 1}).code == ErrorCode.UNKNOWN_PILOT_TYPE
        assert selection.collect_events() == []
        assert selection.signed_parties == ["MEE"]

    def test_unchanged_caps_do_not_void(self, signed_ready: Selection) -> None:
        selection = signed_ready
        selection.sign_off("MEE", "m", at=T0)
        selection.set_caps()
        selection.set_target(3)
        assert selection.signed_parties == ["MEE"]

    def test_published_event_carries_the_list_the_registry_acts_on(self, signed_ready: Selection) -> None:
        selection = signed_ready
        selection.exclude("K2", "材料不实")
        selection.include("P1", "园区类代表")
        selection.sign_off("MEE", "m", at=T0)
        selection.sign_off("NDRC", "n", at=T0)
        selection.publish("环办科财函〔2023〕261号", projects(), at=T0 + timedelta(days=2))
        app: Application[Any] = Application()
        app.save(selection)  # through the JSON transcoder, as the relay reads it
        published = list(app.events.get(selection.id))[-1]
        assert type(published).__qualname__ == "Selection.Published"
        data: dict[str, Any] = vars(published)
        assert data["programme_id"] == "P-2023-2"
        assert data["document_number"] == "环办科财函〔2023〕261号"
        assert data["published_at"] == T0 + timedelta(days=2)
        assert data["approved"] == ["K1", "K3", "P1"]
        assert data["entries"] == [
            {
                "application_id": "K1",
                "project_name": "K1 清洁生产审核创新试点项目",
                "pilot_type": "KEY_INDUSTRY",
                "province": "320000",
                "applicant_organisation_id": "ORG-K1",
                "pilot_object_id": "OBJ-K1",
                "milestones": [],
                "score": 95,
                "position": 1,
                "ranking_position": 1,
            },
            {
                "application_id": "K3",
                "project_name": "K3 清洁生产审核创新试点项目",
                "pilot_type": "KEY_INDUSTRY",
                "province": "330000",
                "applicant_organisation_id": "ORG-K3",
                "pilot_object_id": "OBJ-K3",
                "milestones": [],
                "score": 93,
                "position": 2,
                "ranking_position": 3,
            },
            {
                "application_id": "P1",
                "project_name": "P1 清洁生产审核创新试点项目",
                "pilot_type": "PARK_CLUSTER",
                "province": "320000",
                "applicant_organisation_id": "ORG-P1",
                "pilot_object_id": "OBJ-P1",
                "milestones": [],
                "score": 92,
                "position": 3,
                "ranking_position": 4,
            },
        ]
        copy: Any = app.repository.get(selection.id)
        assert copy.publication["entries"] == data["entries"]


# ---- the published event contract -------------------------------------------------------------------------


def test_every_event_raised_is_in_the_published_list() -> None:
    seen: set[str] = set()
    reviewer = Reviewer.register("王五", "ORG", "110000", ["STEEL"])
    reviewer.set_availability(False)
    reviewer.update_expertise(["PAPER"])
    reviewer.update_affiliation("ORG-2", "120000")
    sheets = [ScoreSheet.open(f"R{i}", "A1", SCORING_2023.criteria, 1) for i in range(5)]
    s0, s1, s2, s3, s4 = sheets
    s0.record_scores(full(), reasons())
    s0.submit()
    s0.accept_moderation("ok")
    s0.request_rescore("again")
    s1.record_scores(full(), reasons())
    s1.submit()
    s1.mark_stale(2, "amended")
    s1.record_scores(full(), reasons())
    s2.mark_stale(2, "amended")
    s2.record_scores(full(), reasons())
    s2.mark_stale(3, "amended")
    s2.confirm_current()
    s3.declare_conflict("conflict")
    s4.withdraw("reassigned")
    selection = Selection.start("P", 3)
    selection.propose(ranking())
    selection.sign_off("MEE", "m")
    selection.exclude("K1", "why")
    selection.include("P1", "why")
    selection.set_caps(type_caps={"PARK_CLUSTER": 2})
    selection.set_target(4)
    selection.sign_off("MEE", "m")
    selection.sign_off("NDRC", "n")
    selection.publish("doc", projects())
    deadline = ScoringDeadline.set("P", date(2023, 4, 20), today=date(2023, 4, 8))
    deadline.change(date(2023, 4, 25), "延期", today=date(2023, 4, 8))
    for agg in [reviewer, *sheets, selection, deadline]:
        seen |= {event_type(SERVICE, get_topic(type(e))) for e in agg.collect_events()}
    assert seen == set(EVENT_TYPES)


class TestScoringDeadline:
    """评审截止日期: the ministry's business date; a change needs a reason; never before business today."""

    def test_set_then_moved_with_a_reason_kept(self) -> None:
        deadline = ScoringDeadline.set("P-1", date(2023, 4, 20), today=date(2023, 4, 8))
        assert deadline.id == scoring_deadline_id("P-1") and deadline.due_date == date(2023, 4, 20)
        assert violation(deadline.change, date(2023, 4, 25), " ", date(2023, 4, 8)).code == ErrorCode.REASON_REQUIRED
        same = violation(deadline.change, date(2023, 4, 20), "再议", date(2023, 4, 8))
        assert same.code == ErrorCode.NOTHING_TO_CHANGE and "2023年4月20日" in same.message_zh
        deadline.change(date(2023, 4, 25), "部分专家申请延期", today=date(2023, 4, 10))
        deadline.change(date(2023, 4, 15), "提前完成", today=date(2023, 4, 10))  # earlier is allowed too
        assert deadline.due_date == date(2023, 4, 15) and deadline.last_reason == "提前完成"
        assert deadline.changes[0] == {"due_date": "2023-04-25", "previous": "2023-04-20", "reason": "部分专家申请延期"}
        assert event_names(deadline) == ["Created", "Changed", "Changed"]

    def test_never_before_business_today(self) -> None:
        past = violation(ScoringDeadline.set, "P-1", date(2023, 4, 7), date(2023, 4, 8))
        assert (past.code, past.field) == (ErrorCode.DUE_DATE_PAST, "due_date")
        assert "今天（2023年4月8日）" in past.message_zh, "dates in Chinese as readers write them"
        assert "2023-04-08" in past.message_en
        deadline = ScoringDeadline.set("P-1", date(2023, 4, 8), today=date(2023, 4, 8))  # today itself is fine
        assert violation(deadline.change, date(2023, 4, 9), "延期", date(2023, 4, 10)).code == ErrorCode.DUE_DATE_PAST
