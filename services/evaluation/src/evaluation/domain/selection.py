"""The decision on which projects of one programme are approved, and its publication.

Ministry staff set how many projects to approve (``target_count``) and optional caps per pilot type and per
provincial unit (a cap for every province, ``default_province_cap``, and/or caps for named ones). A proposal fills
the list in rank order, skipping an entry that would exceed a cap and recording why for every candidate. Staff may
then include or exclude single applications, each with a reason. Manual exclusions are vetoes that later
proposals keep honouring; manual inclusions belong to one proposal (a new proposal starts from the ranking again
and records the inclusions it dropped).

Approval needs the sign-off of both MEE and NDRC. Any change (proposal, include, exclude, caps, target) after a
sign-off first voids the existing sign-offs (``SignOffsVoided``, with the reason), so a signature always covers
exactly the list it was given. Publication needs both sign-offs; after it nothing changes.

Events: ``evaluation.Selection.Created``, ``.Proposed``, ``.Included``, ``.Excluded``, ``.CapsChanged``,
``.TargetChanged``, ``.SignedOff``, ``.SignOffsVoided``, ``.Published``.

``Published`` is the approved list other services act on (the registry creates one pilot per entry): it carries
``programme_id``, ``document_number``, ``published_at``, ``approved`` (application ids in rank order) and
``entries`` (one dict per approved application in rank order: ``application_id``, ``project_name``,
``pilot_type``, ``province``, ``applicant_organisation_id``, ``pilot_object_id``, ``score``, ``position``,
``ranking_position``).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from eventsourcing.domain import event

from evaluation.domain._checks import (
    now_or,
    provincial_unit_code,
    require_count,
    require_pilot_type,
    require_province,
)
from evaluation.domain.errors import ErrorCode, EvaluationRuleViolation, require_reason, require_text
from evaluation.domain.ranking import RankedEntry
from pilot_common.aggregate import AuditedAggregate

_SELECTION_NS = uuid.UUID("3d9a6c1e-8f4b-4a27-b5e0-6e2c9d7f1a38")


class Party(StrEnum):
    MEE = "MEE"  # 生态环境部
    NDRC = "NDRC"  # 国家发展改革委


PARTY_NAMES_ZH = {Party.MEE: "生态环境部", Party.NDRC: "国家发展改革委"}


class SelectionStatus(StrEnum):
    DRAFT = "DRAFT"  # nothing proposed yet
    PROPOSED = "PROPOSED"  # a list exists, no sign-off
    PARTIALLY_SIGNED = "PARTIALLY_SIGNED"  # one of MEE / NDRC signed
    SIGNED = "SIGNED"  # both signed: ready to publish
    PUBLISHED = "PUBLISHED"


class Outcome(StrEnum):
    """What a proposal did with a candidate."""

    SELECTED = "SELECTED"
    SKIPPED_TYPE_CAP = "SKIPPED_TYPE_CAP"
    SKIPPED_PROVINCE_CAP = "SKIPPED_PROVINCE_CAP"
    EXCLUDED = "EXCLUDED"  # a manual exclusion
    BELOW_CUT = "BELOW_CUT"  # the target count was already reached


@dataclass(frozen=True)
class ProjectDetails:
    """What the published list names for one approved application (kept by the service from intake's events)."""

    project_name: str
    applicant_organisation_id: str
    pilot_object_id: str
    #: The application's schedule (title, start, due as ISO dates): the approved pilot's milestones.
    milestones: tuple[Mapping[str, str], ...] = ()


def selection_id(programme_id: str) -> uuid.UUID:
    """One selection per programme."""
    return uuid.uuid5(_SELECTION_NS, programme_id)


def _clean_caps(caps: Mapping[str, int] | None, kind: str) -> dict[str, int]:
    result: dict[str, int] = {}
    for key, value in (caps or {}).items():
        code = require_pilot_type(key, "type_caps") if kind == "type" else require_province(key, "province_caps")
        result[code] = require_count(value, f"{kind}_caps.{code}")
    return dict(sorted(result.items()))


class Selection(AuditedAggregate):
    """Create with :meth:`start`; the id is :func:`selection_id` of the programme."""

    @staticmethod
    def create_id(programme_id: str) -> uuid.UUID:
        return selection_id(programme_id)

    def __init__(
        self,
        programme_id: str,
        target_count: int,
        type_caps: dict[str, int],
        province_caps: dict[str, int],
        default_province_cap: int | None,
    ) -> None:
        self.programme_id = programme_id
        self.target_count = target_count
        self.type_caps = dict(type_caps)
        self.province_caps = dict(province_caps)
        self.default_province_cap = default_province_cap
        self.candidates: dict[str, dict[str, Any]] = {}  # from the latest proposal, by application id
        self.proposal: list[dict[str, Any]] = []  # the latest proposal's outcome for each candidate, in rank order
        self.proposals = 0
        self.selected: list[str] = []  # kept in rank order
        self.inclusions: dict[str, str] = {}  # manual inclusions: application id -> reason
        self.exclusions: dict[str, str] = {}  # manual exclusions: application id -> reason
        self.sign_offs: dict[str, dict[str, Any]] = {}  # party -> {user_id, signed_at, approved}
        self.voided_sign_offs: list[dict[str, Any]] = []
        self.publication: dict[str, Any] | None = None

    @classmethod
    def start(
        cls,
        programme_id: str,
        target_count: int,
        type_caps: Mapping[str, int] | None = None,
        province_caps: Mapping[str, int] | None = None,
        default_province_cap: int | None = None,
    ) -> Self:
        """The selection of one programme, approving at most ``target_count`` projects.

        ``type_caps``: pilot type → maximum; ``province_caps``: provincial-unit code → maximum;
        ``default_province_cap``: maximum for a province not named in ``province_caps`` (None: no cap)."""
        return cls(
            programme_id=require_text(programme_id, "programme_id"),
            target_count=require_count(target_count, "target_count", minimum=1),
            type_caps=_clean_caps(type_caps, "type"),
            province_caps=_clean_caps(province_caps, "province"),
            default_province_cap=(
                require_count(default_province_cap, "default_province_cap")
                if default_province_cap is not None
                else None
            ),
        )

    # ---- queries --------------------------------------------------------------------------------------------

    @property
    def approved(self) -> list[str]:
        """The application ids on the list, in rank order (the published list once published)."""
        return list(self.selected)

    @property
    def published(self) -> bool:
        return self.publication is not None

    @property
    def status(self) -> SelectionStatus:
        if self.publication is not None:
            return SelectionStatus.PUBLISHED
        if not self.proposals:
            return SelectionStatus.DRAFT
        if len(self.sign_offs) == len(Party):
            return SelectionStatus.SIGNED
        if self.sign_offs:
            return SelectionStatus.PARTIALLY_SIGNED
        return SelectionStatus.PROPOSED

    @property
    def signed_parties(self) -> list[str]:
        return sorted(self.sign_offs)

    def province_cap(self, province: str) -> int | None:
        return self.province_caps.get(province, self.default_province_cap)

    @property
    def tied_at_cut(self) -> list[str]:
        """Candidates left below the cut although tied (equal on score and every tie-break) with a selected one:
        the cut line falls inside a tie, which needs a decision."""
        return [p["application_id"] for p in self.proposal if p.get("tied_with_selected")]

    def limit_violations(self) -> list[dict[str, Any]]:
        """How the current list breaks the target or a cap (after caps or the target were lowered)."""
        problems: list[dict[str, Any]] = []
        if len(self.selected) > self.target_count:
            problems.append({"limit": "TARGET", "allowed": self.target_count, "selected": len(self.selected)})
        by_type = Counter(self.candidates[a]["pilot_type"] for a in self.selected)
        for pilot_type, n in sorted(by_type.items()):
            cap = self.type_caps.get(pilot_type)
            if cap is not None and n > cap:
                problems.append({"limit": "TYPE_CAP", "key": pilot_type, "allowed": cap, "selected": n})
        by_province = Counter(self.candidates[a]["province"] for a in self.selected)
        for province, n in sorted(by_province.items()):
            cap = self.province_cap(province)
            if cap is not None and n > cap:
                problems.append({"limit": "PROVINCE_CAP", "key": province, "allowed": cap, "selected": n})
        return problems

    # ---- commands -------------------------------------------------------------------------------------------

    def propose(self, ranking: Sequence[RankedEntry], basis: Mapping[str, Any] | None = None) -> None:
        """Fills the list from the ranking in rank order, honouring the target, the caps and manual exclusions.

        Each candidate's row keeps the ranking's inputs (priority, innovation score, submission time) and ``basis``
        the programme's scoring rules the scores were computed under (``rules_version``, ``scoring``): with the
        score sheets' events, a replay re-derives the proposal from the store alone (`evaluation.replay`)."""
        self._refuse_if_published()
        if not ranking:
            raise EvaluationRuleViolation(
                ErrorCode.NOTHING_PROPOSED, "排名为空，无法提出建议名单", "the ranking is empty", "ranking"
            )
        ids = Counter(r.application_id for r in ranking)
        dupes = sorted(k for k, n in ids.items() if n > 1)
        if dupes:
            raise EvaluationRuleViolation(
                ErrorCode.DUPLICATE_ID,
                f"排名中申报重复：{', '.join(dupes)}",
                f"duplicate in ranking: {dupes}",
                "ranking",
            )
        ordered = sorted(ranking, key=lambda r: r.position)
        rows: list[dict[str, Any]] = []
        selected: list[str] = []
        selected_keys: set[tuple[Any, ...]] = set()
        by_type: Counter[str] = Counter()
        by_province: Counter[str] = Counter()
        for r in ordered:
            province = provincial_unit_code(r.province)
            key = (r.score, r.entry.priority, r.entry.innovation_score, r.entry.submitted_at)
            row: dict[str, Any] = {
                "application_id": r.application_id,
                "position": r.position,
                "pilot_type": r.pilot_type,
                "province": province,
                "score": r.score,
                "tied": r.tied,
                "tied_with_selected": False,
                # The ranking's other inputs, as they stood (intake's facts, the sheets' innovation score).
                "priority": r.entry.priority,
                "innovation_score": r.entry.innovation_score,
                "submitted_at": r.entry.submitted_at.isoformat(),
            }
            type_cap = self.type_caps.get(r.pilot_type)
            province_cap = self.province_cap(province)
            if r.application_id in self.exclusions:
                outcome = Outcome.EXCLUDED
                why_zh = f"已人工排除：{self.exclusions[r.application_id]}"
                why_en = f"excluded manually: {self.exclusions[r.application_id]}"
            elif len(selected) >= self.target_count:
                outcome = Outcome.BELOW_CUT
                why_zh = f"已选满 {self.target_count} 个名额"
                why_en = f"the {self.target_count} places were already filled"
                if r.tied and key in selected_keys:
                    row["tied_with_selected"] = True
                    why_zh += "（与已入选项目并列，需人工决定）"
                    why_en += " (tied with a selected entry: needs a decision)"
            elif type_cap is not None and by_type[r.pilot_type] >= type_cap:
                outcome = Outcome.SKIPPED_TYPE_CAP
                why_zh = f"试点类型 {r.pilot_type} 已达上限 {type_cap} 个"
                why_en = f"pilot type {r.pilot_type} already has its cap of {type_cap}"
            elif province_cap is not None and by_province[province] >= province_cap:
                outcome = Outcome.SKIPPED_PROVINCE_CAP
                why_zh = f"省份 {province} 已达上限 {province_cap} 个"
                why_en = f"province {province} already has its cap of {province_cap}"
            else:
                outcome = Outcome.SELECTED
                why_zh = f"按排名第 {r.position} 位入选"
                why_en = f"selected at rank {r.position}"
                selected.append(r.application_id)
                selected_keys.add(key)
                by_type[r.pilot_type] += 1
                by_province[province] += 1
            row.update({"outcome": str(outcome), "why_zh": why_zh, "why_en": why_en})
            rows.append(row)
        self._void_sign_offs("PROPOSED", "重新提出建议名单", "a new proposal was made")
        self._proposed(
            candidates=rows,
            approved=selected,
            dropped_inclusions=sorted(self.inclusions),
            basis=dict(basis) if basis is not None else None,
        )

    def include(self, application_id: str, reason: str) -> None:
        """Adds a candidate of the latest proposal by hand (within the target and caps), with a reason."""
        self._refuse_if_published()
        why = require_reason(reason)
        candidate = self.candidates.get(application_id)
        if candidate is None:
            raise EvaluationRuleViolation(
                ErrorCode.NOT_A_CANDIDATE,
                f"申报 {application_id} 不在建议名单的候选排名中",
                f"application {application_id} is not a candidate of the latest proposal",
                "application_id",
            )
        if application_id in self.selected:
            raise EvaluationRuleViolation(
                ErrorCode.ALREADY_SELECTED, f"申报 {application_id} 已在名单中", f"{application_id} is already selected"
            )
        if len(self.selected) >= self.target_count:
            raise EvaluationRuleViolation(
                ErrorCode.TARGET_REACHED,
                f"名单已满 {self.target_count} 个，请先排除一项或调整目标数",
                f"the list already has {self.target_count} entries: exclude one or raise the target first",
                "target_count",
            )
        pilot_type, province = candidate["pilot_type"], candidate["province"]
        type_cap = self.type_caps.get(pilot_type)
        if (
            type_cap is not None
            and sum(self.candidates[a]["pilot_type"] == pilot_type for a in self.selected) >= type_cap
        ):
            raise EvaluationRuleViolation(
                ErrorCode.TYPE_CAP_REACHED,
                f"试点类型 {pilot_type} 已达上限 {type_cap} 个",
                f"pilot type {pilot_type} already has its cap of {type_cap}",
                "type_caps",
            )
        province_cap = self.province_cap(province)
        if (
            province_cap is not None
            and sum(self.candidates[a]["province"] == province for a in self.selected) >= province_cap
        ):
            raise EvaluationRuleViolation(
                ErrorCode.PROVINCE_CAP_REACHED,
                f"省份 {province} 已达上限 {province_cap} 个",
                f"province {province} already has its cap of {province_cap}",
                "province_caps",
            )
        self._void_sign_offs("INCLUDED", f"人工增加 {application_id}：{why}", f"{application_id} included: {why}")
        self._included(application_id=application_id, reason=why)

    def exclude(self, application_id: str, reason: str) -> None:
        """Removes an application from the list by hand, with a reason; later proposals keep it out."""
        self._refuse_if_published()
        why = require_reason(reason)
        if application_id not in self.selected:
            raise EvaluationRuleViolation(
                ErrorCode.NOT_SELECTED,
                f"申报 {application_id} 不在名单中",
                f"application {application_id} is not on the list",
                "application_id",
            )
        self._void_sign_offs("EXCLUDED", f"人工排除 {application_id}：{why}", f"{application_id} excluded: {why}")
        self._excluded(application_id=application_id, reason=why)

    def set_caps(
        self,
        type_caps: Mapping[str, int] | None = None,
        province_caps: Mapping[str, int] | None = None,
        default_province_cap: int | None = None,
        reason: str | None = None,
    ) -> None:
        """Replaces all caps (None / empty: no cap). The list is not changed: propose again to apply them; sign-off
        and publication are refused while the list breaks a cap (:meth:`limit_violations`)."""
        self._refuse_if_published()
        types = _clean_caps(type_caps, "type")
        provinces = _clean_caps(province_caps, "province")
        default = (
            require_count(default_province_cap, "default_province_cap") if default_province_cap is not None else None
        )
        if (types, provinces, default) == (self.type_caps, self.province_caps, self.default_province_cap):
            return
        note = (reason or "").strip() or None
        self._void_sign_offs(
            "CAPS_CHANGED", f"调整名额上限{'：' + note if note else ''}", f"caps changed{': ' + note if note else ''}"
        )
        self._caps_changed(type_caps=types, province_caps=provinces, default_province_cap=default, reason=note)

    def set_target(self, target_count: int, reason: str | None = None) -> None:
        """Changes the number of projects to approve (the list is not changed: propose again)."""
        self._refuse_if_published()
        target = require_count(target_count, "target_count", minimum=1)
        if target == self.target_count:
            return
        note = (reason or "").strip() or None
        self._void_sign_offs(
            "TARGET_CHANGED", f"目标数改为 {target}{'：' + note if note else ''}", f"target changed to {target}"
        )
        self._target_changed(target_count=target, reason=note)

    def sign_off(self, party: str, user_id: str, at: datetime | None = None) -> None:
        """MEE or NDRC approves the current list (the signature records the list it covers)."""
        self._refuse_if_published()
        try:
            who = Party(party)
        except ValueError:
            raise EvaluationRuleViolation(
                ErrorCode.UNKNOWN_PARTY,
                f"会签方只能是生态环境部或国家发展改革委，不能是“{party}”",
                f"party must be MEE or NDRC: {party}",
                "party",
            ) from None
        user = require_text(user_id, "user_id")
        if not self.selected:
            raise EvaluationRuleViolation(
                ErrorCode.NOTHING_PROPOSED, "名单为空，无法会签", "the list is empty: nothing to sign", "approved"
            )
        if who in self.sign_offs:
            raise EvaluationRuleViolation(
                ErrorCode.ALREADY_SIGNED, f"{PARTY_NAMES_ZH[who]}已会签", f"{who} has already signed", "party"
            )
        self._refuse_if_violating()
        self._signed_off(party=str(who), user_id=user, signed_at=now_or(at), approved=list(self.selected))

    def publish(self, document_number: str, projects: Mapping[str, ProjectDetails], at: datetime | None = None) -> None:
        """Publishes the approved list under the notice's document number (e.g. 环办科财函〔2023〕261号).

        ``projects`` gives, for each approved application id, what the published list names (project, applicant,
        pilot object); the event carries one entry per approved project in rank order (see :meth:`entries`)."""
        self._refuse_if_published()
        number = require_text(document_number, "document_number", label_zh="文号")
        missing = [p for p in Party if p not in self.sign_offs]
        if missing:
            raise EvaluationRuleViolation(
                ErrorCode.SIGN_OFF_MISSING,
                f"尚缺{'、'.join(PARTY_NAMES_ZH[p] for p in missing)}会签",
                f"sign-off missing from {', '.join(missing)}",
                "sign_offs",
            )
        self._refuse_if_violating()
        unknown = [a for a in self.selected if a not in projects]
        if unknown:
            raise EvaluationRuleViolation(
                ErrorCode.PROJECT_DETAILS_MISSING,
                f"缺少入选项目的申报信息：{', '.join(unknown)}",
                f"no project details for approved applications: {', '.join(unknown)}",
                "approved",
            )
        self._published(
            programme_id=self.programme_id,
            document_number=number,
            published_at=now_or(at),
            approved=list(self.selected),
            entries=self.entries(projects),
        )

    def entries(self, projects: Mapping[str, ProjectDetails]) -> list[dict[str, Any]]:
        """The approved list as published: one entry per approved application, in rank order, with its place on
        the list (``position``, 1..n), its place in the ranking the list was proposed from (``ranking_position``),
        its score, and the pilot type and provincial unit the caps were checked against."""
        result: list[dict[str, Any]] = []
        for place, application_id in enumerate(self.selected, start=1):
            candidate = self.candidates[application_id]
            project = projects[application_id]
            result.append(
                {
                    "application_id": application_id,
                    "project_name": project.project_name,
                    "pilot_type": candidate["pilot_type"],
                    "province": candidate["province"],
                    "applicant_organisation_id": project.applicant_organisation_id,
                    "pilot_object_id": project.pilot_object_id,
                    "milestones": [dict(m) for m in project.milestones],
                    "score": candidate["score"],
                    "position": place,
                    "ranking_position": candidate["position"],
                }
            )
        return result

    def _refuse_if_published(self) -> None:
        if self.publication is not None:
            raise EvaluationRuleViolation(
                ErrorCode.SELECTION_PUBLISHED, "名单已公布，不能再修改", "the list is published: no more changes"
            )

    def _refuse_if_violating(self) -> None:
        problems = self.limit_violations()
        if problems:
            detail = ", ".join(f"{p['limit']} {p.get('key', '')} {p['selected']}>{p['allowed']}" for p in problems)
            raise EvaluationRuleViolation(
                ErrorCode.SELECTION_VIOLATES_LIMITS,
                f"名单超出目标数或上限（{detail}），请重新提出或调整",
                f"the list breaks the target or a cap ({detail}): propose again or adjust",
            )

    def _void_sign_offs(self, cause: str, reason_zh: str, reason_en: str) -> None:
        if self.sign_offs:
            self._sign_offs_voided(cause=cause, reason_zh=reason_zh, reason_en=reason_en, voided=self.signed_parties)

    # ---- events ---------------------------------------------------------------------------------------------

    class Proposed(AuditedAggregate.Event):
        """A proposal. Version 2 added ``basis`` (the scoring rules the ranking was computed under)."""

        candidates: list[dict[str, Any]]
        approved: list[str]
        dropped_inclusions: list[str]
        basis: dict[str, Any] | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["basis"] = None  # proposed before the basis was kept: a replay says so

    @event(Proposed)
    def _proposed(
        self,
        candidates: list[dict[str, Any]],
        approved: list[str],
        dropped_inclusions: list[str],
        basis: dict[str, Any] | None = None,
    ) -> None:
        self.proposal = [dict(c) for c in candidates]
        self.candidates = {c["application_id"]: dict(c) for c in candidates}
        self.selected = list(approved)
        self.inclusions = {}
        self.proposals += 1

    @event("Included")
    def _included(self, application_id: str, reason: str) -> None:
        self.exclusions.pop(application_id, None)
        self.inclusions[application_id] = reason
        self.selected = sorted([*self.selected, application_id], key=lambda a: self.candidates[a]["position"])

    @event("Excluded")
    def _excluded(self, application_id: str, reason: str) -> None:
        self.inclusions.pop(application_id, None)
        self.exclusions[application_id] = reason
        self.selected = [a for a in self.selected if a != application_id]

    @event("CapsChanged")
    def _caps_changed(
        self,
        type_caps: dict[str, int],
        province_caps: dict[str, int],
        default_province_cap: int | None,
        reason: str | None,
    ) -> None:
        self.type_caps = dict(type_caps)
        self.province_caps = dict(province_caps)
        self.default_province_cap = default_province_cap

    @event("TargetChanged")
    def _target_changed(self, target_count: int, reason: str | None) -> None:
        self.target_count = target_count

    @event("SignedOff")
    def _signed_off(self, party: str, user_id: str, signed_at: datetime, approved: list[str]) -> None:
        self.sign_offs[party] = {"user_id": user_id, "signed_at": signed_at, "approved": list(approved)}

    @event("SignOffsVoided")
    def _sign_offs_voided(self, cause: str, reason_zh: str, reason_en: str, voided: list[str]) -> None:
        self.voided_sign_offs.append(
            {"cause": cause, "reason_zh": reason_zh, "reason_en": reason_en, "sign_offs": dict(self.sign_offs)}
        )
        self.sign_offs = {}

    @event("Published")
    def _published(
        self,
        programme_id: str,
        document_number: str,
        published_at: datetime,
        approved: list[str],
        entries: list[dict[str, Any]],
    ) -> None:
        self.publication = {
            "document_number": document_number,
            "published_at": published_at,
            "approved": approved,
            "entries": [dict(e) for e in entries],
        }
        self.selected = list(approved)
