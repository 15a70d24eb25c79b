"""EvaluationService: the evaluation service's commands, as the API and the consumers call them.

Thin: read what the command needs from the read models, load the aggregates, call the domain, save them together
(one transaction: events, read-model rows and the application scores they change). The rules live in the domain
(`evaluation.domain`); what needs other aggregates or other services' data (the reviewer pool, the application
an assignment concerns, the ranking a proposal starts from) is gathered here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as DatabaseIntegrityError
from sqlalchemy.orm import Session

from evaluation.domain import (
    AssignmentPlan,
    ErrorCode,
    EvaluationRuleViolation,
    ProjectDetails,
    Reviewer,
    ReviewerProfile,
    ScoreSheet,
    ScoringDeadline,
    Selection,
    SheetStatus,
    assign_reviewers,
    commands,
    reassign,
    score_sheet_id,
    scoring_deadline_id,
    selection_id,
)
from evaluation.projections import EVALUATION_VIEWS, current_ranking, refresh_scores
from evaluation.projections.scores import check_application_scores, lock_applications
from evaluation.projections.tables import (
    application_scores,
    applications,
    programmes,
    reviewers,
    score_sheets,
    selections,
)
from evaluation.projections.upstream_copy import (
    all_rows,
    first_row,
    in_evaluation,
    is_in_evaluation,
    programme_row,
    programme_status,
    require_application,
    scoring_rules,
    to_review,
)
from evaluation.published import PUBLICATIONS
from pilot_common.commands import Command, CommandTable, commands_in
from pilot_common.contracts.events.evaluation import reader_key_of
from pilot_common.programme_state import require_state
from pilot_common.publishing import PublicationTable
from pilot_common.service import HandlerTable, ServiceApplication
from pilot_common.violations import ViolationKind

SERVICE_NAME = "evaluation"


def _not_found(what_zh: str, what_en: str, identifier: object) -> EvaluationRuleViolation:
    return EvaluationRuleViolation(
        ErrorCode.NOT_FOUND,
        f"{what_zh}不存在：{identifier}",
        f"no {what_en} {identifier}",
        kind=ViolationKind.NOT_FOUND,
    )


def profile_of(row: Mapping[str, Any]) -> ReviewerProfile:
    """A reviewer's row as the assignment rules see it."""
    return ReviewerProfile(
        reviewer_id=str(row["id"]),
        province=str(row["province"]),
        organisation_id=str(row["organisation_id"]),
        expertise=frozenset(row["expertise"] or ()),
        available=bool(row["available"]),
    )


@dataclass(frozen=True)
class AssignmentRun:
    """One run of the automatic assignment for a programme: the domain's plan and the sheets it opened."""

    programme_id: str
    reviewers_per_application: int
    applications: int  # applications in evaluation that were considered
    plan: AssignmentPlan
    sheet_ids: Mapping[tuple[str, str], str]  # (application id, reviewer id) -> the new sheet's id

    @property
    def complete(self) -> bool:
        return not self.plan.shortages


@dataclass(frozen=True)
class ReassignmentDone:
    application_id: str
    from_reviewer_id: str
    to_reviewer_id: str
    reason: str
    withdrawn_sheet_id: str
    new_sheet_id: str


@dataclass
class AssignedSheets:
    """Score sheets as the read model has them: who holds a live sheet on which application, and which pairs are
    barred (a withdrawn sheet; a declared conflict)."""

    active: dict[str, set[str]] = field(default_factory=dict)  # application id -> reviewers with a live sheet
    declared: set[tuple[str, str]] = field(default_factory=set)  # (reviewer, application): conflict declared
    withdrawn: set[tuple[str, str]] = field(default_factory=set)  # (reviewer, application): sheet withdrawn


def _sheets_by_state(rows: Sequence[Mapping[str, Any]]) -> AssignedSheets:
    found = AssignedSheets()
    for row in rows:
        pair = (str(row["reviewer_id"]), str(row["application_id"]))
        if row["status"] == SheetStatus.WITHDRAWN:
            found.withdrawn.add(pair)
            if row["conflict_declared"]:
                found.declared.add(pair)
        else:
            found.active.setdefault(pair[1], set()).add(pair[0])
    return found


class EvaluationService(ServiceApplication):
    service: ClassVar[str] = SERVICE_NAME
    publications: ClassVar[PublicationTable] = PUBLICATIONS
    name = "Evaluation"

    def __init__(self, database_url: str, handlers: HandlerTable | None = None) -> None:
        super().__init__(database_url, handlers, projections=[EVALUATION_VIEWS])

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        # A changed score sheet changes its application's score: refreshed in the same transaction. The
        # applications' rows are locked first (as the consumers' updates of an application do), so that concurrent
        # changes of one application's sheets queue up instead of deadlocking or missing each other's sheets.
        touched = {a.application_id for a in processing_event.aggregates.values() if isinstance(a, ScoreSheet)}
        with self.unit_of_work() as session:
            lock_applications(session, touched)
            recordings = super()._record(processing_event)
            refresh_scores(session, touched)
        return recordings

    def rebuild_check(self) -> tuple[dict[str, int], list[str]]:
        """The read models of the own aggregates rebuilt from the store and compared, and every application's
        score recomputed from its sheets and the programme's rules and compared."""
        compared, differences = super().rebuild_check()
        with self.reading() as session:
            checked, score_differences = check_application_scores(session)
        compared[application_scores.name] = checked
        return compared, [*differences, *score_differences]

    def require_state(self, programme_id: str, action: str) -> None:
        """Refuses what the programme's state (as the registry last said) does not allow (DESIGN's table)."""
        with self.reading() as session:
            status = programme_status(session, programme_id)
        require_state(action, status, programme_id)

    def story_aggregates(self, application_id: str) -> list[tuple[UUID, bool]]:
        """The application's score sheets (all their events), and its programme's selection (the events naming
        it)."""
        with self.reading() as session:
            sheets = session.execute(
                select(score_sheets.c.id)
                .where(score_sheets.c.application_id == application_id)
                .order_by(score_sheets.c.id)
            ).scalars()
            found: list[tuple[UUID, bool]] = [(UUID(i), True) for i in sheets]
            row = session.execute(
                select(applications.c.programme_id).where(applications.c.id == application_id)
            ).first()
        if row is not None and self._has_selection(str(row.programme_id)):
            found.append((selection_id(str(row.programme_id)), False))
        return found

    # --- reviewers -------------------------------------------------------------------------------------------

    def reviewer(self, reviewer_id: UUID) -> Reviewer:
        return self.load(reviewer_id, Reviewer, "评审专家", "reviewer")

    def _check_user_id_free(self, session: Session, user_id: str | None) -> None:
        if user_id is None:
            return
        taken = session.execute(select(reviewers.c.id).where(reviewers.c.user_id == user_id)).first()
        if taken is not None:
            raise EvaluationRuleViolation(
                ErrorCode.DUPLICATE_USER_ID,
                f"登录账号 {user_id} 已对应另一名评审专家",
                f"login {user_id} already belongs to another reviewer",
                "user_id",
            )

    def handle(self, command: Command) -> Any:
        """Runs one command (`domain/commands.py`) by its entry in `COMMAND_HANDLERS`."""
        return COMMAND_HANDLERS.handle(self, command)

    def register_reviewer(self, command: commands.RegisterReviewer) -> Reviewer:
        c = command
        reviewer = Reviewer.register(
            c.name, c.organisation_id, c.province, c.expertise, available=c.available, user_id=c.user_id
        )
        try:
            with self.unit_of_work() as session:
                self._check_user_id_free(session, reviewer.user_id)
                self.save(reviewer)
        except (IntegrityError, DatabaseIntegrityError):  # registered at the same time with the same login
            with self.reading() as session:
                self._check_user_id_free(session, reviewer.user_id)
            raise
        return reviewer

    def update_reviewer(self, command: commands.UpdateReviewer) -> Reviewer:
        """Changes availability, expertise and/or affiliation in one save (all or nothing)."""
        available, expertise = command.available, command.expertise
        organisation_id, province = command.organisation_id, command.province
        reviewer = self.reviewer(command.reviewer_id)
        if available is not None:
            reviewer.set_availability(available, command.availability_reason)
        if expertise is not None:
            reviewer.update_expertise(expertise)
        if organisation_id is not None or province is not None:
            reviewer.update_affiliation(organisation_id or reviewer.organisation_id, province or reviewer.province)
        self.save(reviewer)
        return reviewer

    def reviewer_of_user(self, user_id: str) -> Mapping[str, Any] | None:
        """The reviewer a login (a token's `sub`) belongs to, from the read model."""
        with self.reading() as session:
            return first_row(session, select(reviewers).where(reviewers.c.user_id == user_id))

    # --- assignment ------------------------------------------------------------------------------------------

    _SHEETS_PER_SAVE = 1500

    def assign(self, command: commands.AssignReviewers) -> AssignmentRun:
        """Assigns reviewers to every application of the programme in evaluation that lacks them, and opens their
        score sheets. An application that cannot get enough eligible reviewers gets none and is reported as a
        shortage. Runs of one programme are serialised (the programme's row is locked)."""
        programme_id = command.programme_id
        with self.unit_of_work() as session:
            session.execute(select(programmes.c.id).where(programmes.c.id == programme_id).with_for_update())
            rules = scoring_rules(session, programme_id)
            require_state("assignment", programme_status(session, programme_id), programme_id)
            rows = all_rows(
                session,
                select(applications)
                .where(applications.c.programme_id == programme_id, in_evaluation())
                .order_by(applications.c.id),
            )
            sheets = _sheets_by_state(
                all_rows(session, select(score_sheets).where(score_sheets.c.programme_id == programme_id))
            )
            pool_rows = all_rows(session, select(reviewers).order_by(reviewers.c.id))
            pool = [profile_of(r) for r in pool_rows]
            keys = {str(r["id"]): reader_key_of(str(r["user_id"])) for r in pool_rows if r["user_id"]}
            plan = assign_reviewers(
                [to_review(r) for r in rows],
                pool,
                rules.reviewers_per_application,
                existing=sheets.active,
                # A reviewer whose sheet on an application was withdrawn (a declared conflict, or taken off it by a
                # reassignment) is never assigned to it again: reported as DECLARED_CONFLICT in a shortage.
                conflicts=sheets.withdrawn,
            )
            revision = {str(r["id"]): int(r["revision"]) for r in rows}
            opened = [
                ScoreSheet.open(
                    a.reviewer_id,
                    a.application_id,
                    rules.criteria,
                    revision[a.application_id],
                    programme_id,
                    reader_key=keys.get(a.reviewer_id),
                )
                for a in plan.new_assignments
            ]
            # Saved in chunks (bounded statements and memory per save), all in this one transaction: the run stays
            # all or nothing and the programme's row stays locked to the end.
            for start in range(0, len(opened), self._SHEETS_PER_SAVE):
                self.save(*opened[start : start + self._SHEETS_PER_SAVE])
        return AssignmentRun(
            programme_id=programme_id,
            reviewers_per_application=rules.reviewers_per_application,
            applications=len(rows),
            plan=plan,
            sheet_ids={(s.application_id, s.reviewer_id): str(s.id) for s in opened},
        )

    def reassign(self, command: commands.Reassign) -> ReassignmentDone:
        """Ministry staff take the application from one reviewer (their sheet is withdrawn, with the reason) and
        give it to another (a new sheet), under the same conflict rules as the automatic assignment."""
        application_id, reason = command.application_id, command.reason
        from_reviewer_id, to_reviewer_id = command.from_reviewer_id, command.to_reviewer_id
        with self.unit_of_work() as session:
            application = require_application(session, application_id)
            programme_id = str(application["programme_id"])
            require_state("assignment", programme_status(session, programme_id), programme_id)
            self._require_in_evaluation(application)
            rules = scoring_rules(session, programme_id)
            to_row = first_row(session, select(reviewers).where(reviewers.c.id == to_reviewer_id))
            if to_row is None:
                raise _not_found("评审专家", "reviewer", to_reviewer_id)
            sheets = _sheets_by_state(
                all_rows(session, select(score_sheets).where(score_sheets.c.application_id == application_id))
            )
            pair = (to_reviewer_id, application_id)
            if pair in sheets.withdrawn and pair not in sheets.declared:
                raise EvaluationRuleViolation(
                    ErrorCode.REVIEWER_WITHDRAWN_FROM_APPLICATION,
                    f"专家 {to_reviewer_id} 的该申报评分表已撤回，不能再次分配",
                    f"reviewer {to_reviewer_id} was taken off this application before: cannot be assigned again",
                    "to_reviewer_id",
                )
            decision = reassign(
                to_review(application),
                from_reviewer_id,
                profile_of(to_row),
                reason,
                current=sheets.active.get(application_id, set()),
                conflicts=sheets.declared,
            )
            old = self.load(score_sheet_id(from_reviewer_id, application_id), ScoreSheet, "评分表", "score sheet")
            old.withdraw(f"改派给专家 {to_reviewer_id}：{decision.reason}")
            new = ScoreSheet.open(
                to_reviewer_id,
                application_id,
                rules.criteria,
                int(application["revision"]),
                str(application["programme_id"]),
                reader_key=reader_key_of(str(to_row["user_id"])) if to_row["user_id"] else None,
            )
            self.save(old, new)
        return ReassignmentDone(
            application_id=application_id,
            from_reviewer_id=from_reviewer_id,
            to_reviewer_id=to_reviewer_id,
            reason=decision.reason,
            withdrawn_sheet_id=str(old.id),
            new_sheet_id=str(new.id),
        )

    # --- score sheets ----------------------------------------------------------------------------------------

    def sheet(self, sheet_id: UUID) -> ScoreSheet:
        return self.load(sheet_id, ScoreSheet, "评分表", "score sheet")

    @staticmethod
    def _require_in_evaluation(application: Mapping[str, Any]) -> None:
        if not is_in_evaluation(application):
            why_zh = "已撤回" if application["withdrawn"] else f"资格审查结论为 {application['eligibility_outcome']}"
            why_en = "withdrawn" if application["withdrawn"] else f"eligibility {application['eligibility_outcome']}"
            raise EvaluationRuleViolation(
                ErrorCode.APPLICATION_NOT_IN_EVALUATION,
                f"申报 {application['id']} 不在评审中（{why_zh}）",
                f"application {application['id']} is not in evaluation ({why_en})",
                "application_id",
            )

    def change_sheet(self, command: commands.SheetCommand) -> None:
        """Runs one command of a sheet. With `reviewer_id`, only that reviewer's own sheet: another's is reported
        as not found (a reviewer learns nothing about other reviewers' sheets)."""
        sheet = self.sheet(command.sheet_id)
        if command.reviewer_id is not None and sheet.reviewer_id != command.reviewer_id:
            raise _not_found("评分表", "score sheet", command.sheet_id)
        with self.reading() as session:
            application = require_application(session, sheet.application_id)
            programme_id = str(application["programme_id"])
            require_state("scoring", programme_status(session, programme_id), programme_id)
            self._require_in_evaluation(application)
        command.apply(sheet)
        self.save(sheet)

    # --- applications leaving evaluation or amended (called by the consumers) ------------------------------

    def _sheets_of(self, session: Session, application_id: str, statuses: Sequence[str]) -> list[ScoreSheet]:
        ids = session.execute(
            select(score_sheets.c.id)
            .where(score_sheets.c.application_id == application_id, score_sheets.c.status.in_(list(statuses)))
            .order_by(score_sheets.c.id)
        ).scalars()
        return [self.sheet(UUID(i)) for i in ids]

    def leaving_evaluation(self, session: Session, application_id: str, reason: str) -> list[Any]:
        """The application was withdrawn or found ineligible: its open sheets are withdrawn and it comes off an
        unpublished selection list. Returns the changed aggregates, unsaved (the consumer records them with its
        tracking record)."""
        changed: list[Any] = []
        for sheet in self._sheets_of(session, application_id, [SheetStatus.OPEN]):
            sheet.withdraw(reason)
            changed.append(sheet)
        programme_id = str(require_application(session, application_id)["programme_id"])
        if self._has_selection(programme_id):
            selection = self.selection(programme_id)
            if not selection.published and application_id in selection.selected:
                selection.exclude(application_id, f"申报已退出评审：{reason}")
                changed.append(selection)
        return changed

    def amended(self, session: Session, application_id: str, revision: int, reason: str) -> list[ScoreSheet]:
        """The application was amended to `revision`: every live sheet is marked stale (a sheet not scored yet just
        moves to the new revision). Returns the changed sheets, unsaved."""
        changed = []
        for sheet in self._sheets_of(session, application_id, [SheetStatus.OPEN, SheetStatus.SUBMITTED]):
            before = sheet.version
            sheet.mark_stale(revision, reason)
            if sheet.version != before:
                changed.append(sheet)
        return changed

    # --- the scoring due date ------------------------------------------------------------------------------------

    def business_today(self, programme_id: str | None = None) -> date:
        """Today in the programme's calendar (business time; Asia/Shanghai unless its rules say otherwise)."""
        zone = "Asia/Shanghai"
        if programme_id is not None:
            with self.reading() as session:
                row = programme_row(session, programme_id)
            if row is not None:
                zone = str(row["rules"].get("timezone") or zone)
        return self.clock.now().astimezone(ZoneInfo(zone)).date()

    def set_scoring_deadline(self, command: commands.SetScoringDeadline) -> ScoringDeadline:
        """The first due date, or a change of it (a reason required); with the assignment or on starting the
        evaluation, until the list is published."""
        programme_id = command.programme_id
        with self.reading() as session:
            scoring_rules(session, programme_id)  # the programme must be known
        self.require_state(programme_id, "assignment")
        today = self.business_today(programme_id)
        if scoring_deadline_id(programme_id) not in self.repository:
            deadline = ScoringDeadline.set(programme_id, command.due_date, today)
            try:
                self.save(deadline)
            except (IntegrityError, DatabaseIntegrityError):
                pass  # set meanwhile by another call: this one is a change of it
            else:
                return deadline
        deadline = self.load(scoring_deadline_id(programme_id), ScoringDeadline, "评审截止日期", "scoring due date")
        deadline.change(command.due_date, command.reason or "", today)
        self.save(deadline)
        return deadline

    # --- selection -------------------------------------------------------------------------------------------

    def _has_selection(self, programme_id: str) -> bool:
        return selection_id(programme_id) in self.repository

    def selection(self, programme_id: str) -> Selection:
        return self.load(selection_id(programme_id), Selection, "遴选名单", "selection")

    def start_selection(self, command: commands.StartSelection) -> Selection:
        programme_id = command.programme_id
        with self.reading() as session:
            scoring_rules(session, programme_id)  # the programme must be known
        self.require_state(programme_id, "selection")
        exists = EvaluationRuleViolation(
            ErrorCode.SELECTION_EXISTS,
            f"试点批次 {programme_id} 已开始遴选",
            f"the selection of programme {programme_id} has already started",
            "programme_id",
        )
        if self._has_selection(programme_id):
            raise exists
        selection = Selection.start(
            programme_id, command.target_count, command.type_caps, command.province_caps, command.default_province_cap
        )
        try:
            self.save(selection)
        except (IntegrityError, DatabaseIntegrityError):
            raise exists from None
        return selection

    def set_selection_limits(self, command: commands.SetSelectionLimits) -> Selection:
        """Replaces the caps and/or the target (each change voids existing sign-offs)."""
        c = command
        self.require_state(c.programme_id, "selection")
        selection = self.selection(c.programme_id)
        selection.set_caps(c.type_caps, c.province_caps, c.default_province_cap, reason=c.reason)
        if c.target_count is not None:
            selection.set_target(c.target_count, reason=c.reason)
        self.save(selection)
        return selection

    def propose(self, command: commands.ProposeSelection) -> Selection:
        """A new proposal from the current ranking (the same one the ranking API shows)."""
        programme_id = command.programme_id
        self.require_state(programme_id, "selection")
        selection = self.selection(programme_id)
        with self.reading() as session:
            ranking = current_ranking(session, programme_id)
            programme = programme_row(session, programme_id)
        basis = (
            {"rules_version": int(programme["rules_version"]), "scoring": dict(programme["rules"]["scoring"])}
            if programme is not None
            else None
        )
        selection.propose(ranking.ranked_entries, basis)
        self.save(selection)
        return selection

    def include(self, command: commands.IncludeInSelection) -> Selection:
        programme_id, application_id, reason = command.programme_id, command.application_id, command.reason
        self.require_state(programme_id, "selection")
        selection = self.selection(programme_id)
        with self.reading() as session:
            self._require_in_evaluation(require_application(session, application_id))
        selection.include(application_id, reason)
        self.save(selection)
        return selection

    def exclude(self, command: commands.ExcludeFromSelection) -> Selection:
        programme_id, application_id, reason = command.programme_id, command.application_id, command.reason
        self.require_state(programme_id, "selection")
        selection = self.selection(programme_id)
        selection.exclude(application_id, reason)
        self.save(selection)
        return selection

    def sign_off(self, command: commands.SignOff) -> Selection:
        self.require_state(command.programme_id, "selection")
        selection = self.selection(command.programme_id)
        selection.sign_off(command.party, command.user_id)
        self.save(selection)
        return selection

    def publish(self, command: commands.PublishList) -> Selection:
        """Publishes the signed list; every approved application must still be in evaluation."""
        programme_id, document_number = command.programme_id, command.document_number
        self.require_state(programme_id, "selection")
        selection = self.selection(programme_id)
        with self.reading() as session:
            rows = {
                str(r["id"]): r
                for r in all_rows(session, select(applications).where(applications.c.id.in_(selection.approved)))
            }
        for application_id in selection.approved:
            row = rows.get(application_id)
            if row is None:
                raise _not_found("申报", "application", application_id)
            self._require_in_evaluation(row)
        projects = {
            a: ProjectDetails(
                project_name=str(r["project_name"]),
                applicant_organisation_id=str(r["applicant_organisation_id"]),
                pilot_object_id=str(r["pilot_object_id"]),
                milestones=tuple(r["milestones"] or ()),
            )
            for a, r in rows.items()
        }
        selection.publish(document_number, projects)
        self.save(selection)
        return selection

    def is_published(self, programme_id: str) -> bool:
        """Whether the programme's approved list is published (results are public from then on)."""
        with self.reading() as session:
            published_at = session.execute(
                select(selections.c.published_at).where(selections.c.programme_id == programme_id)
            ).scalar()
        return published_at is not None


#: Which handler takes which command: every command of `domain/commands.py`, one handler each (checked below).
COMMAND_HANDLERS: CommandTable[EvaluationService] = CommandTable(
    {
        commands.RegisterReviewer: EvaluationService.register_reviewer,
        commands.UpdateReviewer: EvaluationService.update_reviewer,
        commands.AssignReviewers: EvaluationService.assign,
        commands.Reassign: EvaluationService.reassign,
        commands.RecordScores: EvaluationService.change_sheet,
        commands.SubmitSheet: EvaluationService.change_sheet,
        commands.DeclareConflict: EvaluationService.change_sheet,
        commands.ConfirmCurrent: EvaluationService.change_sheet,
        commands.RequestRescore: EvaluationService.change_sheet,
        commands.AcceptModeration: EvaluationService.change_sheet,
        commands.SetScoringDeadline: EvaluationService.set_scoring_deadline,
        commands.StartSelection: EvaluationService.start_selection,
        commands.SetSelectionLimits: EvaluationService.set_selection_limits,
        commands.ProposeSelection: EvaluationService.propose,
        commands.IncludeInSelection: EvaluationService.include,
        commands.ExcludeFromSelection: EvaluationService.exclude,
        commands.SignOff: EvaluationService.sign_off,
        commands.PublishList: EvaluationService.publish,
    }
)
COMMAND_HANDLERS.check(commands_in(commands))
