"""Replaying a decision (issue 14 item 5): the programme's published list re-derived from evaluation's stored events
alone, up to the notification position of its publication, and compared entry by entry with what was recorded.

Read-only. Walks the store in notification order up to ``Selection.Published`` and rebuilds the programme's score
sheets from their events; at each recorded step of the selection it runs the same domain code the service ran:

* ``Proposed``: every application's score and moderation state from its sheets as they stood at that position
  (:func:`evaluation.projections.scores.score_of`, under the scoring rules the proposal recorded as its basis), the
  ranking (:func:`evaluation.domain.rank`, with intake's facts the proposal kept per candidate: type, province,
  priority, submission time) and the proposal itself (:meth:`Selection.propose`): compared with the recorded one;
* ``Included`` / ``Excluded`` / caps / target / ``SignedOff``: the recorded human decisions run again as commands
  (so the domain's rules check them again);
* ``Published``: :meth:`Selection.publish` on the replayed list, compared entry by entry with the recorded event.

Each difference names the events that explain it (the selection's event and the application's sheet events, with
their notification positions). The read models are then compared with the replay (``read_model_drift``): a row
changed after publication shows there, named by table and key; the replay itself never reads them.

Evaluation knows only what it published; the registry's pilots are compared with the published entries by the
auditor's CLI (`pilot-audit replay`), which reads both services' APIs.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from pydantic_core import to_jsonable_python
from sqlalchemy import select

from evaluation.domain import (
    EVENTS_BY_AGGREGATE,
    EvaluationRuleViolation,
    ProjectDetails,
    RankedEntry,
    RankingEntry,
    ScoreSheet,
    Selection,
    SheetStatus,
    rank,
    selection_id,
)
from evaluation.projections.evaluation_views import score_sheet_row
from evaluation.projections.ranking import current_ranking
from evaluation.projections.scores import ScoreState, score_of
from evaluation.projections.tables import application_scores, selections
from pilot_common.service import ServiceApplication

#: What an entry of the published list is compared on (the project's own details come from intake and are
#: carried, not derived).
ENTRY_FIELDS = ("application_id", "position", "ranking_position", "score", "pilot_type", "province")
#: What a proposal's candidate is compared on.
CANDIDATE_FIELDS = ("position", "score", "outcome", "tied")
#: The score read model's columns compared with the replay.
SCORE_FIELDS = ("state", "score", "innovation_score", "outliers", "pending_moderation", "sheet_count")

_PAGE = 500


@dataclass(frozen=True)
class EventRef:
    """A stored event of evaluation: its aggregate, version, type and notification position (its Merkle leaf is
    position - 1 in notification order)."""

    aggregate_id: str
    version: int
    type: str
    position: int


@dataclass(frozen=True)
class Difference:
    code: str
    message_zh: str
    message_en: str
    application_id: str | None = None
    field: str | None = None
    recorded: Any = None  # what the store (or the read model, for drift) holds
    replayed: Any = None  # what the replay derives
    row: str | None = None  # the read-model row, for drift: "<table>[<key>]"
    events: list[EventRef] = dataclasses.field(default_factory=list)


@dataclass
class DecisionReplay:
    programme_id: str
    selection_id: str
    published_position: int | None  # the notification position of Selection.Published
    document_number: str | None
    published_at: str | None
    published: list[dict[str, Any]]  # the recorded entries (the event that published the list)
    replayed: list[dict[str, Any]]  # the entries the replay derives
    scores: dict[str, dict[str, Any]]  # application id -> score and moderation state at publication
    ranking: list[dict[str, Any]]  # the last proposal's ranking as replayed
    proposals: int
    differences: list[Difference]
    read_model_drift: list[Difference]
    notes: list[str]

    @property
    def reproduced(self) -> bool:
        """The published list is exactly what the events give."""
        return self.published_position is not None and not self.differences

    @property
    def ok(self) -> bool:
        return self.reproduced and not self.read_model_drift


class NotPublished(LookupError):
    pass


def _topics(aggregate: type[Any]) -> list[str]:
    return [get_topic(getattr(aggregate, name)) for name in EVENTS_BY_AGGREGATE[aggregate.__name__]]


def _stored(app: ServiceApplication, topics: Sequence[str]) -> Iterator[tuple[int, Any]]:
    """(notification position, domain event) of the given types, in notification order."""
    start = 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=_PAGE, topics=topics)
        for notification in page:
            yield notification.id, app.mapper.to_domain_event(notification)
        if len(page) < _PAGE:
            return
        start = page[-1].id + 1


def _ref(position: int, event: Any) -> EventRef:
    return EventRef(str(event.originator_id), int(event.originator_version), type(event).__qualname__, position)


def _kwargs(method: Callable[..., Any], event: Any) -> dict[str, Any]:
    """The recorded event's fields a trigger method takes."""
    names = [p for p in inspect.signature(method).parameters if p != "self"]
    state = vars(event)
    return {n: state[n] for n in names if n in state}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
    return bool(to_jsonable_python(a, fallback=str) == to_jsonable_python(b, fallback=str))


@dataclass
class _Walk:
    programme_id: str
    sheets: dict[UUID, ScoreSheet] = dataclasses.field(default_factory=dict)
    foreign: set[UUID] = dataclasses.field(default_factory=set)
    sheet_events: dict[str, list[EventRef]] = dataclasses.field(
        default_factory=dict
    )  # application id -> its sheets' events
    differences: list[Difference] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    scores: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    ranking: list[RankedEntry] = dataclasses.field(default_factory=list)
    scoring: Mapping[str, Any] | None = None  # the scoring rules of the last proposal's basis
    proposals: int = 0

    def sheet_event(self, position: int, event: Any) -> None:
        sheet_id = event.originator_id
        if sheet_id in self.foreign:
            return
        if sheet_id not in self.sheets:
            if type(event).__qualname__ != "ScoreSheet.Created" or getattr(event, "programme_id", None) != (
                self.programme_id
            ):
                self.foreign.add(sheet_id)  # another programme's sheet (or one opened before sheets named theirs)
                return
            self.sheets[sheet_id] = event.mutate(None)
        else:
            self.sheets[sheet_id] = event.mutate(self.sheets[sheet_id])
        application_id = self.sheets[sheet_id].application_id
        self.sheet_events.setdefault(application_id, []).append(_ref(position, event))

    def score_all(self, scoring: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
        """Each application's score row from its sheets as they stand in the walk."""
        by_application: dict[str, list[dict[str, Any]]] = {}
        for sheet in self.sheets.values():
            rows = by_application.setdefault(sheet.application_id, [])
            if sheet.status != SheetStatus.WITHDRAWN:
                rows.append(score_sheet_row(sheet))
        rules = {"scoring": dict(scoring)} if scoring is not None else None
        return {
            a: score_of(a, self.programme_id, rules, sorted(rows, key=lambda r: str(r["id"])))
            for a, rows in sorted(by_application.items())
        }

    def explain(self, application_id: str | None, *also: EventRef) -> list[EventRef]:
        return [*also, *(self.sheet_events.get(application_id, []) if application_id else [])]

    def differ(
        self, code: str, zh: str, en: str, *, at: EventRef, application_id: str | None = None, **kw: Any
    ) -> None:
        self.differences.append(
            Difference(code, zh, en, application_id=application_id, events=self.explain(application_id, at), **kw)
        )

    # --- the selection's steps ----------------------------------------------------------------------------------

    def propose(self, replayed: Selection, event: Any, at: EventRef) -> None:
        self.proposals += 1
        basis = getattr(event, "basis", None)
        candidates: list[dict[str, Any]] = list(event.candidates)
        if basis is None or any("submitted_at" not in c for c in candidates):
            self.notes.append(
                f"proposal at position {at.position} was recorded before proposals kept their basis: not re-derived, "
                "taken as recorded"
            )
            replayed._proposed(**_kwargs(replayed._proposed, event))  # the recorded outcome, unchecked
            return
        self.scoring = basis.get("scoring")
        self.scores = self.score_all(self.scoring)
        entries: list[RankingEntry] = []
        for c in candidates:
            application_id = str(c["application_id"])
            score = self.scores.get(application_id)
            state = score["state"] if score else "NO_SHEETS"
            if score is None or state != ScoreState.COMPLETE:
                self.differ(
                    "CANDIDATE_NOT_COMPLETE",
                    f"申报 {application_id} 被列为候选，但按其评分表事件评审未完成（{state}）",
                    f"application {application_id} was a candidate but its sheets' events give {state}",
                    at=at,
                    application_id=application_id,
                    field="state",
                    recorded=ScoreState.COMPLETE.value,
                    replayed=state,
                )
                continue
            entries.append(
                RankingEntry(
                    application_id=application_id,
                    pilot_type=str(c["pilot_type"]),
                    province=str(c["province"]),
                    score=float(score["score"]),
                    priority=bool(c["priority"]),
                    innovation_score=float(score["innovation_score"]),
                    submitted_at=datetime.fromisoformat(str(c["submitted_at"])),
                )
            )
        recorded_ids = {str(c["application_id"]) for c in candidates}
        for application_id, score in self.scores.items():
            if score["state"] == ScoreState.COMPLETE and application_id not in recorded_ids:
                self.notes.append(
                    f"application {application_id} is complete by its sheets but was not a candidate at position "
                    f"{at.position} (intake had it out of evaluation, or not submitted: facts evaluation keeps, not "
                    "its events)"
                )
        self.ranking = rank(entries)
        try:
            replayed.propose(self.ranking, basis)
        except EvaluationRuleViolation as refused:
            self.differ("PROPOSAL_REFUSED", refused.message_zh, refused.message_en, at=at)
            replayed._proposed(**_kwargs(replayed._proposed, event))
            return
        derived = {str(r["application_id"]): r for r in replayed.proposal}
        for c in candidates:
            application_id = str(c["application_id"])
            mine = derived.get(application_id)
            for name in CANDIDATE_FIELDS:
                if mine is not None and not _same(c.get(name), mine.get(name)):
                    self.differ(
                        "PROPOSAL_DIFFERS",
                        f"建议名单中申报 {application_id} 的 {name} 记录为 {c.get(name)}，重放得 {mine.get(name)}",
                        f"proposal: {name} of {application_id} recorded {c.get(name)}, replayed {mine.get(name)}",
                        at=at,
                        application_id=application_id,
                        field=name,
                        recorded=c.get(name),
                        replayed=mine.get(name),
                    )
        if list(event.approved) != replayed.approved:
            self.differ(
                "PROPOSAL_LIST_DIFFERS",
                "建议名单与重放结果不一致",
                "the proposed list differs from the replay",
                at=at,
                field="approved",
                recorded=list(event.approved),
                replayed=replayed.approved,
            )

    def decide(self, replayed: Selection, event: Any, at: EventRef) -> None:
        """A recorded human decision run again as the command (the domain checks it again)."""
        name = type(event).__name__
        commands: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
            "Included": (
                lambda: replayed.include(event.application_id, event.reason),
                replayed._included,
            ),
            "Excluded": (
                lambda: replayed.exclude(event.application_id, event.reason),
                replayed._excluded,
            ),
            "CapsChanged": (
                lambda: replayed.set_caps(
                    event.type_caps, event.province_caps, event.default_province_cap, reason=event.reason
                ),
                replayed._caps_changed,
            ),
            "TargetChanged": (
                lambda: replayed.set_target(event.target_count, reason=event.reason),
                replayed._target_changed,
            ),
            "SignedOff": (
                lambda: replayed.sign_off(event.party, event.user_id, at=event.signed_at),
                replayed._signed_off,
            ),
        }
        if name not in commands:
            return  # SignOffsVoided: the commands above make their own
        command, record = commands[name]
        try:
            command()
        except EvaluationRuleViolation as refused:
            application_id = getattr(event, "application_id", None)
            self.differ(
                "DECISION_REFUSED_ON_REPLAY",
                f"重放时该决定被拒绝：{refused.message_zh}",
                f"the recorded decision is refused on replay: {refused.message_en}",
                at=at,
                application_id=application_id,
            )
            record(**_kwargs(record, event))  # follow the record from here on
        if name == "SignedOff" and list(event.approved) != replayed.approved:
            self.differ(
                "SIGNED_LIST_DIFFERS",
                f"{event.party} 会签的名单与重放名单不一致",
                f"the list {event.party} signed differs from the replayed one",
                at=at,
                field="approved",
                recorded=list(event.approved),
                replayed=replayed.approved,
            )

    def publish(self, replayed: Selection, event: Any, at: EventRef) -> list[dict[str, Any]]:
        recorded: list[dict[str, Any]] = [dict(e) for e in event.entries]
        projects = {
            str(e["application_id"]): ProjectDetails(
                project_name=str(e.get("project_name", "")),
                applicant_organisation_id=str(e.get("applicant_organisation_id", "")),
                pilot_object_id=str(e.get("pilot_object_id", "")),
                milestones=tuple(e.get("milestones") or ()),
            )
            for e in recorded
        }
        missing = [a for a in replayed.approved if a not in projects]
        for application_id in missing:
            self.differ(
                "MISSING_FROM_PUBLISHED_LIST",
                f"按事件重放，申报 {application_id} 应在公布名单中，但公布的名单没有它",
                f"the replay approves {application_id}, the published list does not name it",
                at=at,
                application_id=application_id,
            )
            projects[application_id] = ProjectDetails("", "", "")
        try:
            replayed.publish(event.document_number, projects, at=event.published_at)
        except EvaluationRuleViolation as refused:
            self.differ("PUBLICATION_REFUSED_ON_REPLAY", refused.message_zh, refused.message_en, at=at)
            return []
        derived: list[dict[str, Any]] = [dict(e) for e in (replayed.publication or {}).get("entries", [])]
        self.compare_entries(recorded, derived, at)
        return derived

    def compare_entries(self, recorded: list[dict[str, Any]], derived: list[dict[str, Any]], at: EventRef) -> None:
        mine = {str(e["application_id"]): e for e in derived}
        for entry in recorded:
            application_id = str(entry["application_id"])
            found = mine.get(application_id)
            if found is None:
                self.differ(
                    "NOT_DERIVED",
                    f"公布名单第 {entry['position']} 位的申报 {application_id} 按事件重放不会入选",
                    f"entry {entry['position']} ({application_id}) is published but the replay does not approve it",
                    at=at,
                    application_id=application_id,
                    recorded=entry,
                )
                continue
            for name in ENTRY_FIELDS:
                if not _same(entry.get(name), found.get(name)):
                    self.differ(
                        "ENTRY_DIFFERS",
                        f"公布名单中申报 {application_id} 的 {name} 为 {entry.get(name)}，重放得 {found.get(name)}",
                        f"published {name} of {application_id} is {entry.get(name)}, replayed {found.get(name)}",
                        at=at,
                        application_id=application_id,
                        field=name,
                        recorded=entry.get(name),
                        replayed=found.get(name),
                    )


def replay_decision(app: ServiceApplication, programme_id: str) -> DecisionReplay:
    """The programme's published list replayed from the store (see the module doc). Raises :class:`NotPublished`
    when the programme has no selection or its list is not published."""
    sid = selection_id(programme_id)
    walk = _Walk(programme_id)
    recorded: Selection | None = None
    replayed: Selection | None = None
    published_event: Any = None
    published_ref: EventRef | None = None
    derived: list[dict[str, Any]] = []
    selection_topics = set(_topics(Selection))
    for position, event in _stored(app, [*_topics(ScoreSheet), *selection_topics]):
        if get_topic(type(event)) not in selection_topics:
            walk.sheet_event(position, event)
            continue
        if event.originator_id != sid:
            continue
        at = _ref(position, event)
        recorded = event.mutate(recorded)
        name = type(event).__name__
        if name == "Created":
            replayed = event.mutate(None)
        elif replayed is None:
            raise NotPublished(programme_id)
        elif name == "Proposed":
            walk.propose(replayed, event, at)
        elif name == "Published":
            if walk.scoring is not None:
                walk.scores = walk.score_all(walk.scoring)  # the sheets as they stood at publication
            derived = walk.publish(replayed, event, at)
            published_event, published_ref = event, at
            break
        else:
            walk.decide(replayed, event, at)
    if published_event is None or published_ref is None:
        raise NotPublished(programme_id)
    result = DecisionReplay(
        programme_id=programme_id,
        selection_id=str(sid),
        published_position=published_ref.position,
        document_number=str(published_event.document_number),
        published_at=published_event.published_at.isoformat(),
        published=to_jsonable_python([dict(e) for e in published_event.entries], fallback=str),
        replayed=to_jsonable_python(derived, fallback=str),
        scores=to_jsonable_python(walk.scores, fallback=str),
        ranking=[
            {
                "application_id": r.application_id,
                "position": r.position,
                "score": r.score,
                "tied": r.tied,
                "decided_by": str(r.decided_by),
                "why_zh": r.why_zh,
            }
            for r in walk.ranking
        ],
        proposals=walk.proposals,
        differences=walk.differences,
        read_model_drift=[],
        notes=walk.notes,
    )
    result.read_model_drift = read_model_drift(app, result, walk)
    return result


def read_model_drift(app: ServiceApplication, result: DecisionReplay, walk: _Walk) -> list[Difference]:
    """The read models as they stand now against the replay at publication, row by row (named by table and key)."""
    drift: list[Difference] = []
    with app.reading() as session:
        rows = {
            str(r["application_id"]): dict(r)
            for r in session.execute(
                select(application_scores).where(application_scores.c.programme_id == result.programme_id)
            ).mappings()
        }
        try:
            live_ranking = current_ranking(session, result.programme_id)
        except EvaluationRuleViolation:
            live_ranking = None
        selection_row = (
            session.execute(select(selections).where(selections.c.programme_id == result.programme_id))
            .mappings()
            .first()
        )

    def drifted(row: str, application_id: str | None, name: str, live: Any, derived: Any) -> None:
        drift.append(
            Difference(
                "READ_MODEL_DRIFT",
                f"读模型 {row} 的 {name} 为 {live}，按事件重放应为 {derived}",
                f"read model {row}: {name} is {live}, the events give {derived}",
                application_id=application_id,
                field=name,
                recorded=live,
                replayed=derived,
                row=row,
                events=walk.explain(application_id),
            )
        )

    for application_id, derived in sorted(result.scores.items()):
        row_name = f"{application_scores.name}[application_id={application_id}]"
        live = rows.pop(application_id, None)
        if live is None:
            drifted(row_name, application_id, "row", None, "present")
            continue
        for name in SCORE_FIELDS:
            if not _same(live.get(name), derived.get(name)):
                drifted(row_name, application_id, name, live.get(name), derived.get(name))
    if live_ranking is not None and result.ranking:
        live_positions = {e.ranked.application_id: e.ranked.position for e in live_ranking.entries}
        for entry in result.ranking:
            application_id = entry["application_id"]
            if live_positions.get(application_id) != entry["position"]:
                drifted(
                    f"ranking[application_id={application_id}]",
                    application_id,
                    "position",
                    live_positions.get(application_id),
                    entry["position"],
                )
    if selection_row is not None:
        approved = [e["application_id"] for e in result.published]
        if list(selection_row["approved"]) != approved:
            drifted(
                f"{selections.name}[programme_id={result.programme_id}]",
                None,
                "approved",
                selection_row["approved"],
                approved,
            )
        if selection_row["document_number"] != result.document_number:
            drifted(
                f"{selections.name}[programme_id={result.programme_id}]",
                None,
                "document_number",
                selection_row["document_number"],
                result.document_number,
            )
    return drift
