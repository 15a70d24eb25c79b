"""审计人员: find by application, aggregate, correlation id or credit code; one application's story across the three
services as a timeline (who, role, province, business and recorded time, what changed); its state as of a date with
a diff to now; verification of every service (hash chain, Merkle log, checkpoints, read models) as a report; the
replay of the published decision and of the verdicts; a history as CSV. Read-only: every page here is a GET and
calls only the services' read endpoints (the CSRF dependency guards nothing, as nothing here posts)."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from datetime import datetime, time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from pilot_common.inputs import content_disposition
from pilot_console.client import ApiError, ServiceApi
from pilot_console.documents import beijing, province_name
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


def _changes(data: dict[str, Any] | None) -> str:
    """What the event carries, shortened for a table cell (the full data is in the CSV export)."""
    if not data:
        return ""
    parts = []
    for key, value in data.items():
        if key in _PLUMBING:
            continue
        shown = value if isinstance(value, (str, int, float, bool)) or value is None else "…"
        text = f"{key}={shown}"
        parts.append(text if len(text) <= 60 else text[:57] + "…")
    return "; ".join(parts[:6]) + (" …" if len(parts) > 6 else "")


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
    changes: str
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
                changes=_changes(e.get("data")),
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
                _changes(s.data),
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
