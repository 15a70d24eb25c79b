"""审计人员: find by application, aggregate, correlation id or credit code; one application's story across the three
services as a timeline (who, role, province, business and recorded time, what changed); its state as of a date with
a diff to now; verification of every service (hash chain, Merkle log, checkpoints, read models) as a report; the
replay of the published decision and of the verdicts; a history as CSV. Read-only: every page here is a GET and
calls only the services' read endpoints (the CSRF dependency guards nothing, as nothing here posts)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from pilot_common.inputs import content_disposition
from pilot_console.client import ApiError, ServiceApi
from pilot_console.documents import beijing, province_name
from pilot_console.i18n import APPLICATION_STATUS, ATTACHMENT_KINDS, PILOT_TYPES, Lang, as_date, as_moment, label
from pilot_console.pages.common import BEIJING, programmes
from pilot_console.web import NotAllowed, Page, signed_in

router = APIRouter(prefix="/auditor")


def auditor_page(current: Annotated[Page, Depends(signed_in)]) -> Page:
    # Ministry staff read the audit trail too (the services let them); the pages stay read-only for both.
    if current.user is None or current.user.role not in ("auditor", "ministry"):
        raise NotAllowed
    return current


AuditorPage = Annotated[Page, Depends(auditor_page)]

SERVICE_LABELS = {
    "pilot-registry": ("登记服务", "Registry"),
    "application-intake": ("申报受理服务", "Intake"),
    "evaluation": ("评审服务", "Evaluation"),
}

# What an event type says, in the glossary's words (`<Aggregate>.<Event>`, the end of `<service>.<Aggregate>.<Event>`).
EVENT_WORDS = {
    "PilotApplication.Created": ("创建申报草稿", "Draft created"),
    "PilotApplication.DetailsUpdated": ("修改基本信息", "Details updated"),
    "PilotApplication.FoundationUpdated": ("填写工作基础", "Foundation written"),
    "PilotApplication.FundingSet": ("填写资金计划", "Funding set"),
    "PilotApplication.PlanSectionsUpdated": ("填写实施方案", "Plan written"),
    "PilotApplication.ScheduleSet": ("填写进度安排", "Schedule set"),
    "PilotApplication.FileAttached": ("上传附件", "File attached"),
    "PilotApplication.Submitted": ("提交申报", "Submitted"),
    "PilotApplication.VerdictRecorded": ("记录资格审查结论", "Verdict recorded"),
    "PilotApplication.EnteredEvaluation": ("进入评审", "Entered evaluation"),
    "PilotApplication.OutcomeRecorded": ("记录评审结果", "Outcome recorded"),
    "ScoreSheet.Created": ("开出评分表", "Score sheet opened"),
    "ScoreSheet.ScoresRecorded": ("记录评分", "Scores recorded"),
    "ScoreSheet.Submitted": ("提交评分表", "Sheet submitted"),
    "ScoreSheet.ModerationAccepted": ("复核确认偏离评分", "Outlier kept by the moderator"),
    "ScoreSheet.RescoreRequested": ("退回重评", "Sent back for rescoring"),
    "Selection.Proposed": ("提出建议名单", "List proposed"),
    "Selection.SignedOff": ("会签", "Signed off"),
    "Selection.Published": ("公布名单", "List published"),
    "Pilot.Approved": ("试点立项", "Pilot approved"),
    "Pilot.MilestoneAdded": ("列入进度节点", "Milestone added"),
}


def _services(current: Page) -> dict[str, ServiceApi]:
    s = current.services
    return {"application-intake": s.intake, "evaluation": s.evaluation, "pilot-registry": s.registry}


async def _quiet(call: Any) -> Any:
    """A service that does not know the id answers 404: that is "nothing here", not an error."""
    try:
        return await call
    except ApiError as error:
        if error.status in (404, 422):
            return None
        raise


def _what(event: dict[str, Any], lang: str) -> str:
    short = ".".join(event["type"].split(".")[-2:])
    words = EVENT_WORDS.get(short)
    return (words[0] if lang == "zh" else words[1]) if words else short.rsplit(".", 1)[-1]


# Every event carries these; the timeline's columns already say them (or they say nothing to a reader).
_PLUMBING = {"originator_id", "originator_version", "originator_topic", "timestamp", "actor", "traceparent"}
_PLUMBING |= {"correlation_id", "causation_id", "business_time"}


# An event field's name as the auditor reads it; a field not listed keeps its code.
FIELD_WORDS: dict[str, tuple[str, str]] = {
    "project_name": ("项目名称", "Project"),
    "pilot_type": ("试点类型", "Pilot type"),
    "province": ("省份", "Province"),
    "province_code": ("省份", "Province"),
    "programme_id": ("批次", "Batch"),
    "application_id": ("申报", "Application"),
    "application_revision": ("申报修订版本", "Application revision"),
    "applicant_organisation_id": ("申报单位", "Applicant"),
    "implementer_organisation_id": ("实施单位", "Implementer"),
    "pilot_object_id": ("试点对象", "Pilot object"),
    "attachment": ("附件", "Attachment"),
    "changes": ("修改内容", "Changes"),
    "text": ("内容", "Text"),
    "sources": ("资金来源", "Funding sources"),
    "sections": ("方案章节", "Plan sections"),
    "milestones": ("进度节点", "Milestones"),
    "submitted_at": ("提交时间", "Submitted at"),
    "slot_number": ("占用名额", "Quota slot"),
    "subject_line": ("申报标题", "Subject line"),
    "verdict": ("审查结论", "Verdict"),
    "outcome": ("结论", "Outcome"),
    "trigger": ("触发原因", "Trigger"),
    "revision": ("版本", "Revision"),
    "status": ("状态", "Status"),
    "reviewer_id": ("评审专家", "Reviewer"),
    "reader_key": ("阅读权限", "Reader key"),
    "criteria": ("评分项", "Criteria"),
    "scores": ("评分", "Scores"),
    "justifications": ("评分理由", "Justifications"),
    "weighted_total": ("加权总分", "Weighted total"),
    "scoring_round": ("评分轮次", "Scoring round"),
    "candidates": ("候选项目", "Candidates"),
    "approved": ("入选", "Approved"),
    "dropped": ("未入选", "Not approved"),
    "inclusions": ("调入", "Included"),
    "exclusions": ("调出", "Excluded"),
    "basis": ("依据", "Basis"),
    "party": ("会签方", "Party"),
    "user_id": ("签署人", "Signed by"),
    "signed_at": ("会签时间", "Signed at"),
    "document_number": ("文号", "Document number"),
    "published_at": ("公布时间", "Published at"),
    "entries": ("名单条目", "Entries"),
    "milestone_id": ("节点", "Milestone"),
    "title": ("名称", "Title"),
    "due": ("到期日", "Due"),
    "reason": ("理由", "Reason"),
    "snapshot": ("审查所依据的材料快照", "Facts the engine read"),
    "member_credit_codes": ("成员企业信用代码", "Members' credit codes"),
    "approval_document_number": ("批准文号", "Approval document"),
    "start_date": ("开始日期", "Start"),
    "end_date": ("结束日期", "End"),
    "implementation_months": ("实施期限（月）", "Months"),
    "dropped_inclusions": ("失效的调入", "Dropped inclusions"),
}
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _shown(key: str, value: Any, lang: Lang) -> str:
    """One value as a reader takes it in: times in Beijing time, ids shortened, codes named, collections counted."""
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, dict) and value.get("file_name"):
        return f"{label(ATTACHMENT_KINDS, value.get('kind'), lang)}：{value['file_name']}"
    if isinstance(value, (list, tuple, dict)):
        return f"{len(value)} 项" if lang == "zh" else f"{len(value)} item(s)"
    if value is None:
        return "—"
    text = str(value)
    if key in ("province", "province_code"):
        return province_name(text)
    if key == "pilot_type":
        return label(PILOT_TYPES, text, lang)
    if key in ("outcome", "status") and text in APPLICATION_STATUS:
        return label(APPLICATION_STATUS, text, lang)
    if _MOMENT.match(text):
        return as_moment(text, lang)
    if _DAY.match(text):
        return as_date(text, lang)
    if _ID.match(text):
        return text[:8] + "…"
    return text if len(text) <= 40 else text[:39] + "…"


def _changes(data: dict[str, Any] | None, lang: Lang) -> list[tuple[str, str]]:
    """What the event carries, as (field, value) for a table cell; the full data is in the CSV export."""
    shown = []
    for key, value in (data or {}).items():
        if key in _PLUMBING:
            continue
        words = FIELD_WORDS.get(key)
        shown.append(((words[0] if lang == "zh" else words[1]) if words else key, _shown(key, value, lang)))
    return shown


def _full_data(data: dict[str, Any]) -> str:
    """The event's whole data for the CSV (the cell shows a reading of it): JSON, Chinese as written."""
    return json.dumps({k: v for k, v in data.items() if k not in _PLUMBING}, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Step:
    service: str
    aggregate_id: str
    version: int
    type: str
    what: str
    who: str
    role: str
    province: str
    business_time: str
    recorded_time: str
    correlation_id: str
    hash: str
    changes: list[tuple[str, str]]
    data: dict[str, Any]


async def timeline(current: Page, application_id: str) -> list[Step]:
    """Each service's part of the story (works in both modes), merged in business-time order; each event's
    province and hash from its aggregate's history in the service that recorded it."""
    services = _services(current)
    parts = await asyncio.gather(
        *(_quiet(api.get(f"/audit/applications/{application_id}/story")) for api in services.values())
    )
    events = [e for part in parts for e in (part or [])]
    aggregates = {(e["service"], e["aggregate_id"]) for e in events}
    histories = await asyncio.gather(
        *(_quiet(services[svc].get(f"/audit/aggregates/{agg}/history")) for svc, agg in aggregates)
    )
    recorded: dict[tuple[str, str, int], dict[str, Any]] = {}
    for (svc, agg), history in zip(aggregates, histories, strict=True):
        for row in history or []:
            recorded[(svc, agg, row["version"])] = row
    events.sort(key=lambda e: (datetime.fromisoformat(e["business_time"]), datetime.fromisoformat(e["recorded_time"])))
    steps = []
    for e in events:
        row = recorded.get((e["service"], e["aggregate_id"], e["version"]), {})
        steps.append(
            Step(
                service=e["service"],
                aggregate_id=e["aggregate_id"],
                version=e["version"],
                type=e["type"],
                what=_what(e, current.lang),
                who=e.get("actor_user_id") or "",
                role=e.get("actor_role") or "",
                province=province_name(row.get("actor_province")),
                business_time=e["business_time"],
                recorded_time=e["recorded_time"],
                correlation_id=e.get("correlation_id") or "",
                hash=row.get("hash", ""),
                changes=_changes(e.get("data"), current.lang),
                data=e.get("data") or {},
            )
        )
    return steps


@router.get("")
async def find(current: AuditorPage, kind: str | None = None, q: str | None = None) -> Response:
    query = (q or "").strip()
    found: dict[str, Any] = {}
    if query and kind == "application":
        return current.redirect(f"/auditor/applications/{query}")
    if query and kind == "aggregate":
        services = _services(current)
        answers = await asyncio.gather(
            *(_quiet(api.get(f"/audit/aggregates/{query}/history")) for api in services.values())
        )
        found["histories"] = {svc: rows for svc, rows in zip(services, answers, strict=True) if rows}
    if query and kind == "correlation":
        services = _services(current)
        answers = await asyncio.gather(*(_quiet(api.get(f"/audit/correlations/{query}")) for api in services.values()))
        found["histories"] = {svc: rows for svc, rows in zip(services, answers, strict=True) if rows}
    if query and kind == "credit":
        found.update(await _by_credit_code(current, query.upper()))
    listed = await programmes(current.services)
    return current.render("auditor/find.html", kind=kind or "application", q=query, found=found, programmes=listed)


async def _by_credit_code(current: Page, code: str) -> dict[str, Any]:
    registry, intake = current.services.registry, current.services.intake
    organisations, credits = await asyncio.gather(
        registry.get("/organisations", credit_code=code, page_size=50),
        _quiet(registry.get(f"/deemed-audit-credits/{code}")),
    )
    ids = {o["id"] for o in organisations["items"]}
    applications: list[dict[str, Any]] = []
    if ids:
        page = 1
        while True:  # intake has no filter by applicant: read the lists (auditors see every province)
            answer = await intake.get("/applications", page=page, page_size=200)
            applications += [a for a in answer["items"] if a["applicant_organisation_id"] in ids]
            if page * 200 >= answer["total"]:
                break
            page += 1
    return {"organisations": organisations["items"], "credits": credits or [], "applications": applications}


@router.get("/applications/{application_id}")
async def application_timeline(current: AuditorPage, application_id: UUID) -> Response:
    aid = str(application_id)
    application, steps = await asyncio.gather(
        _quiet(current.services.intake.get(f"/applications/{aid}")), timeline(current, aid)
    )
    if application is None and not steps:
        raise ApiError(404, "NOT_FOUND", "未找到该申报", "No such application")
    return current.render(
        "auditor/timeline.html", application=application, application_id=aid, steps=steps, labels=SERVICE_LABELS
    )


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    text = str(value)
    return {prefix: text if len(text) <= 200 else text[:197] + "…"}


@router.get("/applications/{application_id}/state")
async def state_as_of(
    current: AuditorPage,
    application_id: UUID,
    at: str | None = None,
    time_kind: str = "business",
    version: str | None = None,  # the form sends "" when left empty
) -> Response:
    """The application as it stood at the end of a day (Beijing), or after a version, beside now: what differs."""
    aid = str(application_id)
    intake = current.services.intake
    then = None
    moment = None
    if version and version.isdigit():
        then = await intake.get(f"/audit/aggregates/{aid}/state", version=int(version))
    elif at:
        day = datetime.fromisoformat(at)
        moment = day if day.tzinfo else datetime.combine(day.date(), time(23, 59, 59), BEIJING)
        then = await intake.get(
            f"/audit/aggregates/{aid}/state",
            at=moment.isoformat(),
            time="recorded" if time_kind == "recorded" else "business",
        )
    now = await intake.get(f"/audit/aggregates/{aid}/state")
    diff = []
    if then is not None:
        before, after = _flatten(then["state"]), _flatten(now["state"])
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                diff.append({"field": key, "then": before.get(key, "—"), "now": after.get(key, "—")})
    return current.render(
        "auditor/state.html",
        application_id=aid,
        at=at,
        time_kind=time_kind,
        version=version,
        moment=moment,
        then=then,
        now=now,
        diff=diff,
    )


@router.get("/applications/{application_id}/history.csv")
async def history_csv(current: AuditorPage, application_id: UUID) -> Response:
    aid = str(application_id)
    steps = await timeline(current, aid)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "业务时间（北京时间）",
            "记录时间（北京时间）",
            "服务",
            "事件",
            "操作人",
            "角色",
            "省份",
            "聚合",
            "版本",
            "关联标识",
            "哈希",
            "数据",
        ]
    )
    for s in steps:
        writer.writerow(
            [
                beijing(s.business_time),
                beijing(s.recorded_time),
                SERVICE_LABELS.get(s.service, (s.service,))[0],
                f"{s.what}（{s.type}）",
                s.who,
                s.role,
                s.province,
                s.aggregate_id,
                s.version,
                s.correlation_id,
                s.hash,
                _full_data(s.data),
            ]
        )
    name = f"申报历史-{aid[:8]}-{datetime.now(BEIJING):%Y%m%d}.csv"
    content = "\ufeff" + out.getvalue()  # a BOM: Excel opens UTF-8 Chinese correctly
    return Response(
        content.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(name)},
    )


@router.get("/applications/{application_id}/verdicts")
async def verdict_replay(current: AuditorPage, application_id: UUID) -> Response:
    aid = str(application_id)
    replay = await current.services.intake.get(f"/audit/applications/{aid}/verdicts/replay")
    return current.render("auditor/verdicts.html", application_id=aid, replay=replay)


@router.get("/verify")
async def verify(current: AuditorPage, run: str | None = None) -> Response:
    """Each service's store (hash chain, Merkle log against every signed checkpoint) and read models, as a report.
    Runs only when asked (it reads every event)."""
    reports: list[dict[str, Any]] = []
    if run:
        services = _services(current)

        async def one(name: str, api: ServiceApi) -> dict[str, Any]:
            chain, models, log = await asyncio.gather(
                api.get("/audit/verify"), api.get("/audit/read-models/check"), _quiet(api.get("/audit/log"))
            )
            return {"service": name, "chain": chain, "models": models, "log": log, "ok": chain["ok"] and models["ok"]}

        reports = list(await asyncio.gather(*(one(name, api) for name, api in services.items())))
    checked_at = datetime.now(BEIJING) if run else None
    return current.render(
        "auditor/verify.html", reports=reports, labels=SERVICE_LABELS, checked_at=checked_at, ran=bool(run)
    )


@router.get("/programmes/{programme_id}/replay")
async def decision_replay(current: AuditorPage, programme_id: UUID) -> Response:
    pid = str(programme_id)
    programme, replay = await asyncio.gather(
        current.services.registry.get(f"/programmes/{pid}"),
        current.services.evaluation.get(f"/audit/decisions/{pid}/replay"),
    )
    names = {
        a["id"]: a["project_name"]
        for a in (await current.services.evaluation.get("/applications", programme_id=pid, page_size=200))["items"]
    }
    return current.render("auditor/replay.html", programme=programme, replay=replay, names=names)
