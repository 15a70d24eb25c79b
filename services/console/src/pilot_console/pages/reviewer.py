"""评审专家: my score sheets; a scoring page with the application's plan sections and attachments (the browser's
own PDF viewer) beside the score form; save, submit, rescore, confirm after an amendment, declare a conflict of
interest. Blind review is the evaluation service's: it answers only this reviewer's sheets, and intake answers
only the applications assigned to them (anything else is "not found")."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from pilot_console.client import ApiError
from pilot_console.i18n import as_points
from pilot_console.pages.province import attachment_response
from pilot_console.web import Page, ReviewerPage, csrf_protect, form_of, text

router = APIRouter(prefix="/reviewer", dependencies=[Depends(csrf_protect)])


def _sheet_url(sheet_id: str) -> str:
    return f"/reviewer/sheets/{sheet_id}"


@router.get("")
async def my_sheets(current: ReviewerPage) -> Response:
    answer = await current.services.evaluation.get("/score-sheets", page_size=200)
    sheets: list[dict[str, Any]] = answer["items"]
    programme_ids = {s["programme_id"] for s in sheets if s.get("programme_id")}
    found = await asyncio.gather(*(current.services.registry.get(f"/programmes/{p}") for p in programme_ids))
    programmes = {p["id"]: p for p in found}
    return current.render("reviewer/sheets.html", sheets=sheets, programmes=programmes)


async def _readable_application(current: Page, application_id: str) -> dict[str, Any] | None:
    """The assigned application as intake shows it to this reviewer; None while intake has not yet learnt of the
    assignment (it follows the evaluation's events)."""
    try:
        application: dict[str, Any] = await current.services.intake.get(f"/applications/{application_id}")
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    return application


async def _outline(current: Page, programme_id: str | None) -> list[dict[str, Any]]:
    if not programme_id:
        return []
    programme = await current.services.registry.get(f"/programmes/{programme_id}")
    outline: list[dict[str, Any]] = programme.get("rules", {}).get("plan_outline", [])
    return outline


@router.get("/sheets/{sheet_id}")
async def scoring_page(current: ReviewerPage, sheet_id: str, doc: str | None = None) -> Response:
    sheet = await current.services.evaluation.get(f"/score-sheets/{sheet_id}")
    application, outline = await asyncio.gather(
        _readable_application(current, sheet["application_id"]), _outline(current, sheet.get("programme_id"))
    )
    attachments = (application or {}).get("attachments", [])
    shown = next((a for a in attachments if a["id"] == doc), None) or next(
        (a for a in attachments if a["kind"] == "IMPLEMENTATION_PLAN"), attachments[0] if attachments else None
    )
    # What the reviewer typed into a form the service refused comes back as typed, not as last saved.
    typed = current.request.session.pop("typed_scores", None)
    typed = typed if isinstance(typed, dict) and typed.get("sheet") == sheet_id else None
    values = {
        "scores": typed["scores"] if typed else {k: as_points(v) for k, v in sheet["scores"].items()},
        "justifications": typed["justifications"] if typed else sheet["justifications"],
    }
    return current.render(
        "reviewer/score.html", sheet=sheet, application=application, outline=outline, shown=shown, values=values
    )


@router.get("/applications/{application_id}")
async def read_application(current: ReviewerPage, application_id: str) -> Response:
    """The assigned application alone (full width, printable); any other is "not found", as intake says."""
    application = await current.services.intake.get(f"/applications/{application_id}")
    outline = await _outline(current, application.get("programme_id"))
    return current.render("reviewer/application.html", application=application, outline=outline)


@router.get("/sheets/{sheet_id}/attachments/{attachment_id}")
async def attachment(current: ReviewerPage, sheet_id: str, attachment_id: str) -> Response:
    sheet = await current.services.evaluation.get(f"/score-sheets/{sheet_id}")
    found = await current.services.intake.download(
        f"/applications/{sheet['application_id']}/attachments/{attachment_id}"
    )
    return attachment_response(found.content, found.media_type)


@router.post("/sheets/{sheet_id}/scores")
async def record_scores(current: ReviewerPage, request: Request, sheet_id: str) -> Response:
    form = await form_of(request)
    here = _sheet_url(sheet_id)
    sheet = await current.services.evaluation.get(f"/score-sheets/{sheet_id}")
    scores: dict[str, float] = {}
    justifications: dict[str, str] = {}
    typed = {c["code"]: text(form, f"score_{c['code']}") for c in sheet["criteria"]}
    for criterion in sheet["criteria"]:
        code = criterion["code"]
        justifications[code] = text(form, f"why_{code}")
        if typed[code]:
            try:
                scores[code] = float(typed[code])
            except ValueError:
                current.flash(current.tr(f"“{criterion['name_zh']}”的分数不是数字", f"{code}: not a number"))
                return current.redirect(here)
    current.request.session["typed_scores"] = {"sheet": sheet_id, "scores": typed, "justifications": justifications}
    try:
        await current.services.evaluation.post(
            f"/score-sheets/{sheet_id}/scores", json={"scores": scores, "justifications": justifications}
        )
        if text(form, "action") == "submit":
            await current.services.evaluation.post(f"/score-sheets/{sheet_id}/submit")
    except ApiError as error:
        return current.refused(error, here)
    current.request.session.pop("typed_scores", None)  # recorded: the page shows what the service keeps
    submitted = text(form, "action") == "submit"
    done = ("评分已提交。", "Submitted.") if submitted else ("评分已保存（未提交）。", "Saved.")
    current.flash(current.tr(*done), "ok")
    return current.redirect(here)


@router.post("/sheets/{sheet_id}/conflict")
async def declare_conflict(current: ReviewerPage, request: Request, sheet_id: str) -> Response:
    reason = text(await form_of(request), "reason")
    try:
        await current.services.evaluation.post(f"/score-sheets/{sheet_id}/conflict", json={"reason": reason})
    except ApiError as error:
        return current.refused(error, _sheet_url(sheet_id))
    current.flash(current.tr("已申报回避，此评分表已撤回。", "Conflict declared; the sheet is withdrawn."), "ok")
    return current.redirect("/reviewer")


@router.post("/sheets/{sheet_id}/confirm")
async def confirm_current(current: ReviewerPage, sheet_id: str) -> Response:
    try:
        await current.services.evaluation.post(f"/score-sheets/{sheet_id}/confirm")
    except ApiError as error:
        return current.refused(error, _sheet_url(sheet_id))
    current.flash(current.tr("已确认评分适用于补正后的申报。", "Scores confirmed for the amended application."), "ok")
    return current.redirect(_sheet_url(sheet_id))
