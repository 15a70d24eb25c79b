"""省级主管部门: the batch at a glance, the new-application wizard, the self-check, submission with its receipt,
withdrawal, the answer to an amendment request (补正) and discarding a draft. Every check is the services' own:
the self-check is intake's dry run, every refusal is the service's problem shown as it says it."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from pilot_console.client import ApiError
from pilot_console.i18n import wan_to_yuan
from pilot_console.pages.common import business_now, countdown, current_programme
from pilot_console.web import Page, ProvincePage, csrf_protect, form_of, text, texts

router = APIRouter(prefix="/province", dependencies=[Depends(csrf_protect)])

#: The wizard's steps in order: (step, the application's section it edits).
STEPS = ("details", "foundation", "funding", "plan", "schedule", "attachments")
STEP_SECTION = {
    "details": "DETAILS",
    "foundation": "FOUNDATION",
    "funding": "FUNDING",
    "plan": "PLAN",
    "schedule": "SCHEDULE",
    "attachments": "ATTACHMENTS",
}
EDITABLE = ("DRAFT", "AMENDMENT_REQUESTED")
BLANK_ROWS = 2


def _base(application_id: str) -> str:
    return f"/province/applications/{application_id}"


def rule_link(application_id: str, result: dict[str, Any]) -> str:
    """Where a rule's reason is fixed: the wizard step and the field (the rules themselves stay in intake)."""
    edit = f"{_base(application_id)}/edit"
    evidence = result.get("evidence") or {}
    code = result.get("code")
    if code in ("WINDOW", "QUOTA"):
        return "/province"
    if code in ("APPLICANT_LEVEL", "SAME_ENTITY"):
        return f"{edit}/details#field-applicant"
    if code in ("PROVINCE_MATCH", "CLEAN_RECORD"):
        return f"{edit}/details#field-pilot-object"
    if code == "TYPE_SCOPE":
        return f"{edit}/details#field-industries"
    if code == "FOUNDATION":
        return f"{edit}/foundation#field-foundation" if not evidence.get("foundation_chars") else f"{edit}/funding"
    if code == "PLAN":
        missing = evidence.get("missing_sections") or []
        if missing:
            return f"{edit}/plan#section-{missing[0]['code']}"
        return f"{edit}/schedule#field-milestones"
    return f"{edit}/attachments#field-upload"


async def _application(current: Page, application_id: str) -> dict[str, Any]:
    application: dict[str, Any] = await current.services.intake.get(f"/applications/{application_id}")
    return application


async def _programme(current: Page, programme_id: str) -> dict[str, Any]:
    programme: dict[str, Any] = await current.services.registry.get(f"/programmes/{programme_id}")
    return programme


async def _registry_entries(current: Page) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    organisations, objects = await asyncio.gather(
        current.services.registry.get("/organisations", page_size=200),
        current.services.registry.get("/pilot-objects", page_size=200),
    )
    return organisations["items"], objects["items"]


async def _pilot_types(current: Page) -> list[dict[str, Any]]:
    answer = await current.services.registry.get("/reference/pilot-types")
    items: list[dict[str, Any]] = answer["items"]
    return items


async def _industries(current: Page) -> list[dict[str, str]]:
    """GB/T 4754-2017 classes as the registry's key-industry mapping names them, each once."""
    cache: dict[str, list[dict[str, str]]] = current.request.app.state.__dict__.setdefault("industry_cache", {})
    if "all" not in cache:
        answer = await current.services.registry.get("/reference/key-industries")
        seen: dict[str, dict[str, str]] = {}
        for industry in answer["items"]:
            for mapping in industry.get("mappings") or []:
                seen.setdefault(
                    mapping["code"],
                    {"code": mapping["code"], "name": mapping["name"], "key_industry": industry["name"]},
                )
        cache["all"] = sorted(seen.values(), key=lambda i: i["code"])
    return cache["all"]


# --- home ---------------------------------------------------------------------------------------------------------


@router.get("")
async def home(current: ProvincePage) -> Response:
    assert current.user is not None
    programme = await current_programme(current.services)
    quota: dict[str, Any] | None = None
    listing: list[dict[str, Any]] = []
    remaining = None
    if programme is not None:
        quota_answer, apps, now = await asyncio.gather(
            current.services.intake.get(f"/quotas/{programme['id']}/{current.user.province}"),
            current.services.intake.get("/applications", programme_id=programme["id"], page_size=200),
            business_now(current.services),
        )
        quota, listing = quota_answer, apps["items"]
        remaining = countdown(programme, now)
    by_status: dict[str, list[dict[str, Any]]] = {}
    for application in listing:
        by_status.setdefault(application["status"], []).append(application)
    exceptions = (programme or {}).get("quota_exceptions", {}).get(current.user.province or "")
    return current.render(
        "province/home.html",
        programme=programme,
        quota=quota,
        by_status=by_status,
        remaining=remaining,
        exceptions=exceptions,
    )


# --- a new draft --------------------------------------------------------------------------------------------------


@router.get("/applications/new")
async def new_application(current: ProvincePage) -> Response:
    programme = await current_programme(current.services)
    (organisations, objects), pilot_types = await asyncio.gather(_registry_entries(current), _pilot_types(current))
    return current.render(
        "province/new.html",
        programme=programme,
        organisations=organisations,
        objects=objects,
        pilot_types=pilot_types,
        step="new",
    )


@router.post("/applications/new")
async def create_application(current: ProvincePage, request: Request) -> Response:
    form = await form_of(request)
    body = {
        name: text(form, name)
        for name in (
            "programme_id",
            "pilot_type",
            "project_name",
            "applicant_organisation_id",
            "implementer_organisation_id",
            "pilot_object_id",
        )
    }
    try:
        created = await current.services.intake.post("/applications", json=body)
    except ApiError as error:
        return current.refused(error, "/province/applications/new")
    current.flash(current.tr("草稿已创建，请继续填写。", "Draft created; carry on."), "ok")
    return current.redirect(f"{_base(created['id'])}/edit/details")


# --- one application ----------------------------------------------------------------------------------------------


@router.get("/applications/{application_id}")
async def overview(current: ProvincePage, application_id: str) -> Response:
    application = await _application(current, application_id)
    programme, verdicts, (organisations, objects) = await asyncio.gather(
        _programme(current, application["programme_id"]),
        current.services.intake.get(f"/applications/{application_id}/verdicts"),
        _registry_entries(current),
    )
    return current.render(
        "province/application.html",
        application=application,
        programme=programme,
        verdicts=verdicts,
        names={e["id"]: e["name"] for e in organisations + objects},
        editable=application["status"] in EDITABLE,
        rule_link=rule_link,
    )


@router.get("/applications/{application_id}/edit/{step}")
async def edit_step(current: ProvincePage, application_id: str, step: str) -> Response:
    if step not in STEPS:
        return current.redirect(f"{_base(application_id)}/edit/details")
    application = await _application(current, application_id)
    programme = await _programme(current, application["programme_id"])
    values: dict[str, Any] = {}
    if step == "details":
        (organisations, objects), pilot_types, industries = await asyncio.gather(
            _registry_entries(current), _pilot_types(current), _industries(current)
        )
        chosen = set(application["details"].get("target_industries") or [])
        values = {
            "organisations": organisations,
            "objects": objects,
            "pilot_types": pilot_types,
            "chosen_industries": [i for i in industries if i["code"] in chosen]
            + [{"code": c, "name": "", "key_industry": ""} for c in sorted(chosen - {i["code"] for i in industries})],
        }
    return current.render(
        f"province/step_{step}.html",
        application=application,
        programme=programme,
        step=step,
        steps=STEPS,
        section_of=STEP_SECTION,
        editable=application["status"] in EDITABLE,
        blank_rows=BLANK_ROWS,
        **values,
    )


def _next_step(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


@router.post("/applications/{application_id}/edit/{step}")
async def save_step(current: ProvincePage, request: Request, application_id: str, step: str) -> Response:
    if step not in STEPS:
        return current.redirect(f"{_base(application_id)}/edit/details")
    form = await form_of(request)
    here = f"{_base(application_id)}/edit/{step}"
    intake = current.services.intake
    path = f"/applications/{application_id}"
    try:
        if step == "details":
            application = await _application(current, application_id)
            await _save_details(current, form, application)
        elif step == "foundation":
            await intake.put(f"{path}/foundation", {"text": text(form, "foundation")})
        elif step == "funding":
            sources = _funding_rows(current, form)
            if sources is None:
                return current.redirect(here)
            await intake.put(f"{path}/funding", {"sources": sources})
        elif step == "plan":
            sections = {
                str(key).removeprefix("section_"): value.strip()
                for key, value in form.multi_items()
                if str(key).startswith("section_") and isinstance(value, str) and value.strip()
            }
            await intake.put(f"{path}/plan", {"sections": sections})
        elif step == "schedule":
            await intake.put(f"{path}/schedule", {"milestones": _milestone_rows(form)})
    except ApiError as error:
        return current.refused(error, here)
    current.flash(current.tr("已保存。", "Saved."), "ok")
    following = _next_step(step)
    if text(form, "then") == "check" or following is None:
        return current.redirect(f"{_base(application_id)}/check")
    if text(form, "then") == "amendment":
        return current.redirect(f"{_base(application_id)}#amendment")
    if text(form, "then") == "stay":
        return current.redirect(here)
    return current.redirect(f"{_base(application_id)}/edit/{following}")


async def _save_details(current: Page, form: Any, application: dict[str, Any]) -> None:
    details = application["details"]
    wanted: dict[str, Any] = {
        "project_name": text(form, "project_name"),
        "pilot_type": text(form, "pilot_type"),
        "applicant_organisation_id": text(form, "applicant_organisation_id"),
        "implementer_organisation_id": text(form, "implementer_organisation_id"),
        "pilot_object_id": text(form, "pilot_object_id"),
        "has_coating_process": text(form, "has_coating_process") == "yes",
        "key_area_code": text(form, "key_area_code") or None,
    }
    typed = [c.strip() for c in text(form, "more_industries").replace("，", ",").split(",") if c.strip()]
    industries = list(dict.fromkeys([c for c in texts(form, "target_industries") if c] + typed))
    wanted["target_industries"] = industries
    # Only what changed: some fields may not change after submission (the service says which, when asked).
    changes = {k: v for k, v in wanted.items() if v != details.get(k) and not (v == "" and k != "project_name")}
    if changes:
        await current.services.intake.patch(f"/applications/{application['id']}/details", changes)


def _funding_rows(current: Page, form: Any) -> list[dict[str, Any]] | None:
    sources = []
    for index in range(int(text(form, "rows") or 0)):
        funder, amount = text(form, f"funder_{index}"), text(form, f"amount_{index}")
        if not funder and not amount:
            continue
        yuan = wan_to_yuan(amount or "0")
        if yuan is None:
            current.flash(current.tr(f"第{index + 1}行金额不是数字（单位：万元）", f"Row {index + 1}: not an amount"))
            return None
        sources.append(
            {
                "funder": funder,
                "amount_cny": yuan,
                "committed": text(form, f"committed_{index}") == "yes",
                "evidence_document_id": text(form, f"evidence_{index}") or None,
            }
        )
    return sources


def _milestone_rows(form: Any) -> list[dict[str, str]]:
    rows = []
    for index in range(int(text(form, "rows") or 0)):
        title, start, due = (text(form, f"{name}_{index}") for name in ("title", "start", "due"))
        if title or start or due:
            rows.append({"title": title, "start": start, "due": due})
    return rows


@router.get("/industries")
async def industries(current: ProvincePage, q: str = "") -> Response:
    """The industry search (htmx): GB/T 4754 classes by code prefix or name."""
    query = q.strip()[:20]
    known = await _industries(current)
    found = [i for i in known if query and (i["code"].startswith(query) or query in i["name"])]
    # A class finer than the mapping names (2614 within 26): offered as typed, with the class that covers it.
    covering = [i for i in known if query.isdigit() and query.startswith(i["code"]) and i["code"] != query]
    if query.isdigit() and 2 <= len(query) <= 4 and not any(i["code"] == query for i in found):
        within = covering[0] if covering else None
        name = current.tr(f"属于{within['code']} {within['name']}", f"within {within['code']}") if within else ""
        found.insert(0, {"code": query, "name": name, "key_industry": within["key_industry"] if within else ""})
    return current.render("province/_industries.html", found=found[:30], query=query)


@router.post("/applications/{application_id}/attachments")
async def upload(current: ProvincePage, request: Request, application_id: str) -> Response:
    form = await form_of(request)
    back = text(form, "back") if text(form, "back") in STEPS else "attachments"
    here = f"{_base(application_id)}/edit/{back}"
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        current.flash(current.tr("请选择要上传的文件", "Choose a file to upload"))
        return current.redirect(here)
    content = await file.read()
    try:
        await current.services.intake.post(
            f"/applications/{application_id}/attachments",
            data={"kind": text(form, "kind") or "OTHER"},
            files={"file": (file.filename, content, file.content_type or "application/octet-stream")},
        )
    except ApiError as error:
        return current.refused(error, here)
    current.flash(current.tr(f"已上传：{file.filename}", f"Uploaded: {file.filename}"), "ok")
    return current.redirect(here)


@router.post("/applications/{application_id}/attachments/{attachment_id}/remove")
async def remove_attachment(current: ProvincePage, application_id: str, attachment_id: str) -> Response:
    here = f"{_base(application_id)}/edit/attachments"
    try:
        await current.services.intake.delete(f"/applications/{application_id}/attachments/{attachment_id}")
    except ApiError as error:
        return current.refused(error, here)
    current.flash(current.tr("附件已删除。", "Attachment removed."), "ok")
    return current.redirect(here)


@router.get("/applications/{application_id}/attachments/{attachment_id}")
async def view_attachment(current: ProvincePage, application_id: str, attachment_id: str) -> Response:
    found = await current.services.intake.download(f"/applications/{application_id}/attachments/{attachment_id}")
    return attachment_response(found.content, found.media_type)


def attachment_response(content: bytes, media_type: str) -> Response:
    """Shown in the browser's own viewer (PDF) beside the page; other formats download."""
    inline = media_type.split(";")[0].strip() == "application/pdf"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": "inline" if inline else "attachment",
            "X-Frame-Options": "SAMEORIGIN",
            # The browser's PDF viewer must run; framing only by the console's own pages.
            "Content-Security-Policy": "frame-ancestors 'self'",
        },
    )


# --- self-check, submission, receipt ------------------------------------------------------------------------------


@router.get("/applications/{application_id}/check")
async def self_check(current: ProvincePage, request: Request, application_id: str) -> Response:
    application = await _application(current, application_id)
    # Intake runs a province's dry run on drafts only; a submitted application shows the verdict it holds (an
    # amendment gets a new one when completed).
    dry_run = application["status"] == "DRAFT"
    verdict = (
        await current.services.intake.post(f"/applications/{application_id}/dry-run")
        if dry_run
        else application.get("verdict")
    )
    partial = request.headers.get("hx-request") == "true"
    return current.render(
        "province/_check.html" if partial else "province/check.html",
        application=application,
        verdict=verdict,
        dry_run=dry_run,
        rule_link=rule_link,
        step="check",
        steps=STEPS,
        section_of=STEP_SECTION,
        editable=application["status"] in EDITABLE,
    )


@router.get("/applications/{application_id}/submit")
async def confirm_submit(current: ProvincePage, application_id: str) -> Response:
    application = await _application(current, application_id)
    verdict = await current.services.intake.post(f"/applications/{application_id}/dry-run")
    quota = next((r for r in verdict["results"] if r["code"] == "QUOTA"), None)
    return current.render("province/submit.html", application=application, verdict=verdict, quota=quota)


@router.post("/applications/{application_id}/submit")
async def submit(current: ProvincePage, application_id: str) -> Response:
    try:
        await current.services.intake.post(f"/applications/{application_id}/submit")
    except ApiError as error:
        return current.refused(error, f"{_base(application_id)}/submit")
    current.flash(current.tr("已提交申报。", "Submitted."), "ok")
    return current.redirect(f"{_base(application_id)}/receipt")


@router.get("/applications/{application_id}/receipt")
async def receipt(current: ProvincePage, application_id: str) -> Response:
    application = await _application(current, application_id)
    if application.get("submitted_at") is None:
        current.flash(current.tr("尚未提交，没有回执。", "Not submitted: no receipt yet."))
        return current.redirect(_base(application_id))
    programme, (organisations, objects) = await asyncio.gather(
        _programme(current, application["programme_id"]), _registry_entries(current)
    )
    return current.render(
        "province/receipt.html",
        application=application,
        programme=programme,
        names={e["id"]: e["name"] for e in organisations + objects},
    )


# --- withdraw, amendment, discard ---------------------------------------------------------------------------------


async def _act(
    current: Page, application_id: str, action: str, body: dict[str, Any], done: tuple[str, str]
) -> Response:
    try:
        await current.services.intake.post(f"/applications/{application_id}/{action}", json=body)
    except ApiError as error:
        return current.refused(error, _base(application_id))
    current.flash(current.tr(*done), "ok")
    return current.redirect("/province" if action == "discard" else _base(application_id))


@router.post("/applications/{application_id}/withdraw")
async def withdraw(current: ProvincePage, request: Request, application_id: str) -> Response:
    reason = text(await form_of(request), "reason")
    return await _act(current, application_id, "withdraw", {"reason": reason}, ("已撤回申报。", "Withdrawn."))


@router.post("/applications/{application_id}/discard")
async def discard(current: ProvincePage, request: Request, application_id: str) -> Response:
    reason = text(await form_of(request), "reason")
    return await _act(current, application_id, "discard", {"reason": reason}, ("草稿已作废。", "Draft discarded."))


@router.post("/applications/{application_id}/amendment")
async def answer_amendment(current: ProvincePage, request: Request, application_id: str) -> Response:
    note = text(await form_of(request), "note")
    done = ("补正已完成，已重新审查。", "Amendment completed; checked again.")
    return await _act(current, application_id, "amendment", {"note": note}, done)
