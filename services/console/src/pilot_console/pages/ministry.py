"""生态环境部科技与财务司、国家发展改革委资环司: the batch desk (its state and the actions the state allows, with why
the others are greyed out; submissions per province, verdicts, quota use, days to deadline), the registry, the
evaluation (reviewer pool, assignment, progress, moderation), ranking, selection with both sign-offs (会签) and
publication, the approved list (试点项目名单) as a printable page, PDF and XLSX, and the pilots.

Every rule stays in the services: a button the state does not allow is greyed out with the reason, and whatever a
service still refuses comes back as its problem, in Chinese."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from pilot_common.inputs import content_disposition
from pilot_common.reference import PROVINCIAL_UNITS
from pilot_console import documents, i18n
from pilot_console.charts import bar_chart
from pilot_console.client import ApiError, ServiceApi, Services
from pilot_console.pages.common import BEIJING, business_now, closes_at, countdown, current_programme, programmes
from pilot_console.web import NotAllowed, Page, csrf_protect, form_of, signed_in, templates, text

router = APIRouter(prefix="/ministry", dependencies=[Depends(csrf_protect)])


def ministry_page(current: Annotated[Page, Depends(signed_in)]) -> Page:
    if current.user is None or current.user.role != "ministry":
        raise NotAllowed
    return current


MinistryPage = Annotated[Page, Depends(ministry_page)]

SUBMITTED = {"SUBMITTED", "ELIGIBLE", "ELIGIBLE_WITH_WARNINGS", "INELIGIBLE", "AMENDMENT_REQUESTED", "IN_EVALUATION"}
SUBMITTED |= {"APPROVED", "NOT_APPROVED", "CLOSED_OUT", "WITHDRAWN"}


def _desk(pid: str, part: str = "") -> str:
    return f"/ministry/programmes/{pid}{part}"


async def every(api: ServiceApi, path: str, **params: Any) -> list[dict[str, Any]]:
    """All pages of a paginated list (the services answer at most 200 items a page)."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = await api.get(path, page=page, page_size=200, **params)
        items.extend(answer["items"])
        if len(items) >= answer["total"] or not answer["items"]:
            return items
        page += 1


async def optional(call: Any) -> Any:
    """A read the state may not allow yet (no selection before it starts): None for "not found"."""
    try:
        return await call
    except ApiError as error:
        if error.status in (404, 409):
            return None
        raise


async def organisation_names(services: Services) -> dict[str, str]:
    return {o["id"]: o["name"] for o in await every(services.registry, "/organisations")}


# --- the batch desk ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One of the batch's state changes: allowed in one state; otherwise greyed out with the reason."""

    code: str
    label: str
    allowed: bool
    why_not: str
    note: str = ""


# The batch's order (README): open → submissions → deadline → close → evaluation → publication → implementation.
_STEPS: tuple[tuple[str, str, str, str], ...] = (
    ("open", "DRAFT", "开放申报", "Open for submissions"),
    ("close", "OPEN", "截止申报（关闭）", "Close submissions"),
    ("start-evaluation", "CLOSED", "启动评审", "Start the evaluation"),
    ("publish", "UNDER_EVALUATION", "公布名单", "Publish the list"),
    ("conclude", "RESULTS_PUBLISHED", "结束批次", "Conclude the batch"),
)


def actions(current: Page, programme: dict[str, Any], now: datetime, selection: dict[str, Any] | None) -> list[Action]:
    state = programme["status"]
    here = i18n.label(i18n.PROGRAMME_STATUS, state, current.lang)
    found = []
    for code, needed, zh, en in _STEPS:
        allowed = state == needed
        needed_label = i18n.label(i18n.PROGRAMME_STATUS, needed, current.lang)
        why = (
            ""
            if allowed
            else current.tr(f"仅在“{needed_label}”状态下可用，当前为“{here}”", f"only when {needed_label}; now {here}")
        )
        note = ""
        if code == "close" and allowed:
            end = closes_at(programme)
            if end is not None and now < end:
                note = current.tr(
                    "截止日期未到：提前截止须勾选并说明理由", "Before the deadline: closing early needs a reason"
                )
        if code == "start-evaluation" and allowed:
            note = current.tr("先在“评审”页分配专家", "Assign the reviewers first (Evaluation)")
        if code == "publish" and allowed:
            signed = selection is not None and selection.get("status") == "SIGNED"
            if not signed:
                allowed = False
                why = current.tr(
                    "名单须经生态环境部和国家发展改革委双方会签", "The list needs both sign-offs (MEE and NDRC)"
                )
        found.append(Action(code, current.tr(zh, en), allowed, why, note))
    return found


def _charts(current: Page, apps: list[dict[str, Any]], failing: Counter[str]) -> dict[str, Any]:
    submitted = [a for a in apps if a["status"] in SUBMITTED]
    per_province = Counter(a["province"][:2] + "0000" for a in submitted)
    rows = [
        (unit.short_name if current.lang == "zh" else unit.english_name, per_province.get(unit.code, 0), "brand")
        for unit in PROVINCIAL_UNITS
    ]
    provinces = bar_chart(current.tr("各省级单位提交的申报（32个）", "Submissions per provincial unit (32)"), rows)
    outcomes = Counter(a.get("outcome") for a in submitted)
    outcome_rows = [
        (i18n.label(i18n.APPLICATION_STATUS, code, current.lang), outcomes.get(code, 0), colour)
        for code, colour in (("ELIGIBLE", "ok"), ("ELIGIBLE_WITH_WARNINGS", "warn"), ("INELIGIBLE", "fail"))
    ]
    verdicts = bar_chart(current.tr("资格审查结论", "Verdicts by outcome"), outcome_rows, label_width=220)
    rule_rows = [(i18n.label(i18n.RULES, code, current.lang), failing.get(code, 0), "fail") for code in i18n.RULES]
    rules = bar_chart(
        current.tr("不符合条件的申报：按未通过的条件", "Ineligible: by failing rule"), rule_rows, label_width=160
    )
    return {"provinces": provinces, "verdicts": verdicts, "rules": rules}


async def _failing_rules(services: Services, apps: list[dict[str, Any]]) -> Counter[str]:
    ineligible = [a["id"] for a in apps if a.get("outcome") == "INELIGIBLE"]
    verdicts = await asyncio.gather(*(services.intake.get(f"/applications/{a}/verdict") for a in ineligible))
    return Counter(r["code"] for v in verdicts for r in v.get("results", []) if r.get("status") == "FAIL")


def _quota_use(programme: dict[str, Any], apps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    base = int(programme.get("rules", {}).get("quota_per_province", 0))
    exceptions = programme.get("quota_exceptions", {})
    held = Counter(a["province"][:2] + "0000" for a in apps if a.get("slot_number"))
    rows = []
    for unit in PROVINCIAL_UNITS:
        extra = int(exceptions.get(unit.code, {}).get("extra_slots", 0))
        if held.get(unit.code) or extra:
            rows.append(
                {
                    "code": unit.code,
                    "name": unit.name,
                    "held": held.get(unit.code, 0),
                    "allowed": base + extra,
                    "exception": exceptions.get(unit.code),
                }
            )
    return rows


@router.get("")
async def desk_home(current: MinistryPage) -> Response:
    programme = await current_programme(current.services)
    if programme is None:
        return current.render("ministry/none.html")
    return current.redirect(_desk(programme["id"]))


@router.get("/programmes")
async def pick_programme(current: MinistryPage, programme: str | None = None) -> Response:
    return current.redirect(_desk(programme) if programme else "/ministry")


@router.get("/programmes/{pid}")
async def desk(current: MinistryPage, pid: str) -> Response:
    services = current.services
    programme, all_programmes, now, apps, selection, clock = await asyncio.gather(
        services.registry.get(f"/programmes/{pid}"),
        programmes(services),
        business_now(services),
        every(services.intake, "/applications", programme_id=pid),
        optional(services.evaluation.get(f"/programmes/{pid}/selection")),
        optional(services.registry.get("/clock")),
    )
    failing = await _failing_rules(services, apps)
    end = closes_at(programme)
    return current.render(
        "ministry/desk.html",
        programme=programme,
        programmes=all_programmes,
        now=now,
        closes=end,
        days_left=(end.date() - now.astimezone(BEIJING).date()).days if end else None,
        left=countdown(programme, now),
        actions=actions(current, programme, now, selection),
        charts=_charts(current, apps, failing),
        quota=_quota_use(programme, apps),
        submitted=sum(1 for a in apps if a["status"] in SUBMITTED),
        drafts=sum(1 for a in apps if a["status"] == "DRAFT"),
        selection=selection,
        clock=clock,
        units=list(PROVINCIAL_UNITS),
    )


async def _act(current: Page, pid: str, call: Any, done: tuple[str, str], back: str | None = None) -> Response:
    try:
        await call
    except ApiError as error:
        return current.refused(error, back or _desk(pid))
    current.flash(current.tr(*done), "ok")
    return current.redirect(back or _desk(pid))


@router.post("/programmes/{pid}/open")
async def open_batch(current: MinistryPage, request: Request, pid: str) -> Response:
    reason = text(await form_of(request), "reason") or None
    call = current.services.registry.post(f"/programmes/{pid}/open", json={"reason": reason})
    return await _act(current, pid, call, ("已开放申报。", "Opened for submissions."))


@router.post("/programmes/{pid}/close")
async def close_batch(current: MinistryPage, request: Request, pid: str) -> Response:
    form = await form_of(request)
    body = {"reason": text(form, "reason") or None, "early": text(form, "early") == "yes"}
    call = current.services.registry.post(f"/programmes/{pid}/close", json=body)
    return await _act(current, pid, call, ("已截止申报。", "Submissions closed."))


@router.post("/programmes/{pid}/start-evaluation")
async def start_evaluation(current: MinistryPage, pid: str) -> Response:
    call = current.services.registry.post(f"/programmes/{pid}/start-evaluation")
    return await _act(current, pid, call, ("评审已启动。", "The evaluation started."))


@router.post("/programmes/{pid}/conclude")
async def conclude(current: MinistryPage, request: Request, pid: str) -> Response:
    reason = text(await form_of(request), "reason") or None
    call = current.services.registry.post(f"/programmes/{pid}/conclude", json={"reason": reason})
    return await _act(current, pid, call, ("批次已结束。", "The batch is concluded."))


@router.post("/programmes/{pid}/deadline")
async def extend_deadline(current: MinistryPage, request: Request, pid: str) -> Response:
    form = await form_of(request)
    body = {"new_deadline": text(form, "new_deadline"), "reason": text(form, "reason")}
    call = current.services.registry.post(f"/programmes/{pid}/deadline", json=body)
    return await _act(current, pid, call, ("截止日期已延长。", "Deadline extended."))


@router.post("/programmes/{pid}/quota-exceptions")
async def grant_quota_exception(current: MinistryPage, request: Request, pid: str) -> Response:
    form = await form_of(request)
    try:
        extra = int(text(form, "extra_slots") or "0")
    except ValueError:
        extra = 0
    body = {"province_code": text(form, "province_code"), "extra_slots": extra, "reason": text(form, "reason")}
    call = current.services.registry.post(f"/programmes/{pid}/quota-exceptions", json=body)
    return await _act(current, pid, call, ("已增加推荐名额。", "Quota exception granted."))


@router.post("/programmes/{pid}/clock")
async def advance_clock(current: MinistryPage, request: Request, pid: str) -> Response:
    """Embedded default only (the registry answers /clock there): business time moves forward, never back."""
    moment = text(await form_of(request), "to")
    to = f"{moment}:00+08:00" if len(moment) == 16 else moment  # <input type=datetime-local> is Beijing time
    call = current.services.registry.post("/clock/advance", json={"to": to})
    return await _act(current, pid, call, ("业务时间已调整。", "Business time moved on."))


# --- evaluation: reviewer pool, assignment, progress, moderation ---------------------------------------------------


@router.get("/programmes/{pid}/evaluation")
async def evaluation(current: MinistryPage, pid: str) -> Response:
    services = current.services
    programme, reviewers, assignments, sheets, scoring, due = await asyncio.gather(
        services.registry.get(f"/programmes/{pid}"),
        every(services.evaluation, "/reviewers"),
        optional(services.evaluation.get(f"/programmes/{pid}/assignments")),
        every(services.evaluation, "/score-sheets", programme_id=pid),
        optional(services.evaluation.get(f"/programmes/{pid}")),
        optional(services.evaluation.get(f"/programmes/{pid}/scoring-deadline")),
    )
    by_application: dict[str, list[dict[str, Any]]] = {}
    for sheet in sheets:
        if sheet["status"] != "WITHDRAWN":
            by_application.setdefault(sheet["application_id"], []).append(sheet)
    names = {r["id"]: r["name"] for r in reviewers}
    queue = [
        {"sheet": s, "others": [o for o in by_application[s["application_id"]] if o["id"] != s["id"]]}
        for s in sheets
        if s.get("outlier") and s["status"] == "SUBMITTED" and not s["moderation_accepted"]
    ]
    submitted = sum(1 for s in sheets if s["status"] == "SUBMITTED")
    live = sum(1 for s in sheets if s["status"] != "WITHDRAWN")
    run = current.request.session.pop("assignment_run", None)
    return current.render(
        "ministry/evaluation.html",
        programme=programme,
        reviewers=reviewers,
        reviewer_names=names,
        assignments=assignments or [],
        by_application=by_application,
        queue=queue,
        progress={"submitted": submitted, "live": live},
        scoring=(scoring or {}).get("scoring"),
        due=due,
        overdue=sum(1 for s in sheets if s.get("overdue")),
        run=run if isinstance(run, dict) and run.get("programme_id") == pid else None,
        province_name=documents.province_name,
    )


@router.post("/programmes/{pid}/scoring-deadline")
async def set_scoring_deadline(current: MinistryPage, request: Request, pid: str) -> Response:
    """评审截止日期: set, or moved with a reason (the evaluation service says which is missing)."""
    form = await form_of(request)
    body = {"due_date": text(form, "due_date"), "reason": text(form, "reason") or None}
    call = current.services.evaluation.put(f"/programmes/{pid}/scoring-deadline", json=body)
    back = _desk(pid, "/evaluation")
    return await _act(current, pid, call, ("评审截止日期已设定。", "Scoring due date set."), back)


@router.post("/programmes/{pid}/assignments")
async def assign(current: MinistryPage, pid: str) -> Response:
    back = _desk(pid, "/evaluation")
    try:
        run = await current.services.evaluation.post(f"/programmes/{pid}/assignments")
    except ApiError as error:
        return current.refused(error, back)
    # Kept small for the session cookie: what the page shows of the run (conflicts and shortages with why).
    current.request.session["assignment_run"] = {
        "programme_id": pid,
        "complete": run["complete"],
        "new": len(run["new_assignments"]),
        "considered": run["applications_considered"],
        "shortages": [
            {"application_id": s["application_id"], "zh": s["message_zh"], "en": s["message_en"]}
            for s in run["shortages"]
        ][:20],
        "invalid": [{"application_id": i["application_id"], "reason": i["reason"]} for i in run["invalid_existing"]][
            :20
        ],
    }
    done = (
        ("已自动分配评审专家。", "Reviewers assigned.")
        if run["complete"]
        else ("分配未完成：见下方原因。", "Incomplete.")
    )
    current.flash(current.tr(*done), "ok" if run["complete"] else "warn")
    return current.redirect(back)


@router.post("/programmes/{pid}/reviewers/{reviewer_id}/availability")
async def set_availability(current: MinistryPage, request: Request, pid: str, reviewer_id: str) -> Response:
    form = await form_of(request)
    available = text(form, "available") == "yes"
    body: dict[str, Any] = {"available": available}
    body["availability_reason"] = None if available else (text(form, "reason") or None)
    call = current.services.evaluation.patch(f"/reviewers/{reviewer_id}", json=body)
    done = (
        ("专家已设为可评审。", "Reviewer available.")
        if available
        else ("专家已设为暂不可评审。", "Reviewer unavailable.")
    )
    return await _act(current, pid, call, done, _desk(pid, "/evaluation"))


@router.post("/programmes/{pid}/sheets/{sheet_id}/moderation")
async def moderate(current: MinistryPage, request: Request, pid: str, sheet_id: str) -> Response:
    form = await form_of(request)
    decision = "accept-moderation" if text(form, "decision") == "accept" else "rescore"
    call = current.services.evaluation.post(
        f"/score-sheets/{sheet_id}/{decision}", json={"reason": text(form, "reason")}
    )
    done = (
        ("已确认该评分。", "The outlying total is kept.")
        if decision == "accept-moderation"
        else (
            "已退回专家重新评分。",
            "Sent back for rescoring.",
        )
    )
    return await _act(current, pid, call, done, _desk(pid, "/evaluation"))


# --- ranking and selection ------------------------------------------------------------------------------------------


@router.get("/programmes/{pid}/ranking")
async def ranking(current: MinistryPage, pid: str, pilot_type: str | None = None) -> Response:
    services = current.services
    programme, answer, organisations = await asyncio.gather(
        services.registry.get(f"/programmes/{pid}"),
        services.evaluation.get(f"/programmes/{pid}/ranking", pilot_type=pilot_type or None),
        organisation_names(services),
    )
    return current.render(
        "ministry/ranking.html",
        programme=programme,
        ranking=answer,
        organisations=organisations,
        pilot_type=pilot_type,
        province_name=documents.province_name,
    )


@router.get("/programmes/{pid}/ranking.xlsx")
async def ranking_export(current: MinistryPage, pid: str, pilot_type: str | None = None) -> Response:
    services = current.services
    programme, answer, organisations, scoring, now = await asyncio.gather(
        services.registry.get(f"/programmes/{pid}"),
        services.evaluation.get(f"/programmes/{pid}/ranking", pilot_type=pilot_type or None),
        organisation_names(services),
        services.evaluation.get(f"/programmes/{pid}"),
        business_now(services),
    )
    content = documents.ranking_xlsx(programme, answer, organisations, scoring["scoring"]["criteria"])
    name = documents.file_name(programme, "评审排名", now.astimezone(BEIJING).date(), "xlsx")
    return _download(content, documents.XLSX_MEDIA_TYPE, name)


async def _selection_context(services: Services, pid: str) -> dict[str, Any]:
    programme, selection, apps, organisations = await asyncio.gather(
        services.registry.get(f"/programmes/{pid}"),
        optional(services.evaluation.get(f"/programmes/{pid}/selection")),
        every(services.evaluation, "/applications", programme_id=pid),
        organisation_names(services),
    )
    return {
        "programme": programme,
        "selection": selection,
        "applications": {a["id"]: a for a in apps},
        "organisations": organisations,
    }


@router.get("/programmes/{pid}/selection")
async def selection(current: MinistryPage, pid: str) -> Response:
    context = await _selection_context(current.services, pid)
    return current.render(
        "ministry/selection.html", **context, province_name=documents.province_name, units=list(PROVINCIAL_UNITS)
    )


def _caps(form: Any, prefix: str) -> dict[str, int]:
    caps = {}
    for key in form:
        if key.startswith(prefix) and text(form, key):
            try:
                caps[key.removeprefix(prefix)] = int(text(form, key))
            except ValueError:
                continue
    return caps


@router.post("/programmes/{pid}/selection")
async def start_selection(current: MinistryPage, request: Request, pid: str) -> Response:
    form = await form_of(request)
    back = _desk(pid, "/selection")
    try:
        target = int(text(form, "target_count"))
    except ValueError:
        current.flash(current.tr("入选数量须为正整数", "The number to approve must be a whole number"))
        return current.redirect(back)
    default_cap = text(form, "default_province_cap")
    body: dict[str, Any] = {
        "target_count": target,
        "type_caps": _caps(form, "type_cap_"),
        "province_caps": {},
        "default_province_cap": int(default_cap) if default_cap.isdigit() else None,
    }
    started = await optional(current.services.evaluation.get(f"/programmes/{pid}/selection"))
    if started is None:
        call = current.services.evaluation.post(f"/programmes/{pid}/selection", json=body)
    else:
        call = current.services.evaluation.put(f"/programmes/{pid}/selection/limits", json=body)
    return await _act(current, pid, call, ("入选数量和上限已保存。", "Target and caps saved."), back)


@router.post("/programmes/{pid}/selection/propose")
async def propose(current: MinistryPage, pid: str) -> Response:
    call = current.services.evaluation.post(f"/programmes/{pid}/selection/propose")
    return await _act(
        current, pid, call, ("已按排名提出建议名单。", "Proposed from the ranking."), _desk(pid, "/selection")
    )


@router.post("/programmes/{pid}/selection/{choice}")
async def include_or_exclude(current: MinistryPage, request: Request, pid: str, choice: str) -> Response:
    back = _desk(pid, "/selection")
    if choice not in ("include", "exclude", "sign-off", "publish"):
        return current.redirect(back)
    form = await form_of(request)
    evaluation = current.services.evaluation
    path = f"/programmes/{pid}/selection/{choice}"
    if choice == "sign-off":
        return await _act(current, pid, evaluation.post(path), ("已会签。", "Signed off."), back)
    if choice == "publish":
        body = {"document_number": text(form, "document_number")}
        return await _act(current, pid, evaluation.post(path, json=body), ("名单已公布。", "Published."), back)
    body = {"application_id": text(form, "application_id"), "reason": text(form, "reason")}
    done = ("已增补入选。", "Included.") if choice == "include" else ("已排除。", "Excluded.")
    return await _act(current, pid, evaluation.post(path, json=body), done, back)


# --- the approved list (试点项目名单) --------------------------------------------------------------------------------


async def _approved(current: Page, pid: str) -> tuple[dict[str, Any], documents.ApprovedList, date]:
    context = await _selection_context(current.services, pid)
    if context["selection"] is None:
        raise ApiError(404, "SELECTION_NOT_STARTED", "尚未开始遴选", "No selection yet")
    listed = documents.approved_list(
        context["programme"], context["selection"], context["applications"], context["organisations"]
    )
    if listed.published_at:
        day = datetime.fromisoformat(listed.published_at).astimezone(BEIJING).date()
    else:
        day = (await business_now(current.services)).astimezone(BEIJING).date()
    return context["programme"], listed, day


def _download(content: bytes, media_type: str, name: str) -> Response:
    return Response(content, media_type=media_type, headers={"Content-Disposition": content_disposition(name)})


@router.get("/programmes/{pid}/approved-list")
async def approved_list_page(current: MinistryPage, pid: str) -> Response:
    programme, listed, day = await _approved(current, pid)
    return current.render("ministry/approved_list.html", programme=programme, listed=listed, day=day)


@router.get("/programmes/{pid}/approved-list.pdf")
async def approved_list_pdf(current: MinistryPage, request: Request, pid: str) -> Response:
    programme, listed, day = await _approved(current, pid)
    html = templates.get_template("ministry/approved_list_document.html").render(listed=listed, day=day)
    try:
        content = await asyncio.to_thread(documents.to_pdf, html, str(request.base_url))
    except OSError as error:  # WeasyPrint without Pango (a host missing libpango-1.0-0): say so, keep the rest
        missing = ApiError(
            503, "PDF_UNAVAILABLE", "本机无法生成PDF（缺少Pango）", "PDF unavailable here (no Pango)", str(error)
        )
        raise missing from error
    return _download(content, "application/pdf", documents.file_name(programme, "试点项目名单", day, "pdf"))


@router.get("/programmes/{pid}/approved-list.xlsx")
async def approved_list_xlsx(current: MinistryPage, pid: str) -> Response:
    programme, listed, day = await _approved(current, pid)
    content = documents.approved_list_xlsx(listed)
    return _download(content, documents.XLSX_MEDIA_TYPE, documents.file_name(programme, "试点项目名单", day, "xlsx"))


# --- registry: organisations, pilot objects, findings ---------------------------------------------------------------


@router.get("/registry")
async def registry(current: MinistryPage, province: str | None = None) -> Response:
    services = current.services
    organisations, objects, findings = await asyncio.gather(
        every(services.registry, "/organisations", province=province or None),
        every(services.registry, "/pilot-objects", province=province or None),
        every(services.registry, "/findings", province=province or None),
    )
    object_names = {o["id"]: o["name"] for o in objects}
    return current.render(
        "ministry/registry.html",
        organisations=organisations,
        objects=objects,
        findings=findings,
        object_names=object_names,
        province=province,
        units=list(PROVINCIAL_UNITS),
        province_name=documents.province_name,
    )


@router.post("/registry/findings")
async def record_finding(current: MinistryPage, request: Request) -> Response:
    form = await form_of(request)
    source = text(form, "source")
    body: dict[str, Any] = {
        "source": source,
        "disclosed_on": text(form, "disclosed_on"),
        "pilot_object_id": text(form, "pilot_object_id"),
        "province_code": text(form, "province_code"),
        "summary": text(form, "summary"),
        "reference": text(form, "reference"),
    }
    if text(form, "enterprise_credit_code"):
        body["enterprise_credit_code"] = text(form, "enterprise_credit_code")
    if source == "MEDIA":
        body["media_level"] = text(form, "media_level") or None
    if source == "CENTRAL_INSPECTION":
        body["prominent_problem"] = text(form, "prominent_problem") == "yes"
    call = current.services.registry.post("/findings", json=body)
    return await _act(current, "", call, ("问题记录已登记。", "Finding recorded."), "/ministry/registry")


@router.post("/registry/findings/{finding_id}/{change}")
async def change_finding(current: MinistryPage, request: Request, finding_id: str, change: str) -> Response:
    form = await form_of(request)
    reason = text(form, "reason")
    if change == "retract":
        call = current.services.registry.post(f"/findings/{finding_id}/retract", json={"reason": reason})
        done = ("问题记录已撤销。", "Finding retracted.")
    else:
        body: dict[str, Any] = {"reason": reason}
        if text(form, "summary"):
            body["summary"] = text(form, "summary")
        if text(form, "prominent_problem") in ("yes", "no"):
            body["prominent_problem"] = text(form, "prominent_problem") == "yes"
        call = current.services.registry.post(f"/findings/{finding_id}/corrections", json=body)
        done = ("问题记录已更正。", "Finding corrected.")
    return await _act(current, "", call, done, "/ministry/registry")


# --- pilots and deemed-audit credits ---------------------------------------------------------------------------------


@router.get("/programmes/{pid}/pilots")
async def pilots(current: MinistryPage, pid: str) -> Response:
    programme, found = await asyncio.gather(
        current.services.registry.get(f"/programmes/{pid}"),
        every(current.services.registry, "/pilots", programme_id=pid),
    )
    return current.render(
        "ministry/pilots.html", programme=programme, pilots=found, province_name=documents.province_name
    )


@router.get("/pilots/{pilot_id}")
async def pilot(current: MinistryPage, pilot_id: str) -> Response:
    found = await current.services.registry.get(f"/pilots/{pilot_id}")
    return current.render("ministry/pilot.html", pilot=found, province_name=documents.province_name)


@router.get("/credits")
async def credits(current: MinistryPage, code: str | None = None) -> Response:
    found = None
    if code:
        found = await current.services.registry.get(f"/deemed-audit-credits/{code.strip().upper()}")
    return current.render("ministry/credits.html", code=code, credits=found)
