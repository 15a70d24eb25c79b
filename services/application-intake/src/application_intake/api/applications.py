"""Applications (试点申报): provinces draft, complete, submit, amend and withdraw; ministry staff judge and act."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from pydantic_core import to_jsonable_python
from sqlalchemy import bindparam, literal, select, union_all

from application_intake.api.access import (
    DryRunner,
    Intake,
    MinistryWritable,
    Owned,
    ProvinceAccess,
    ProvinceCommand,
    ProvinceUser,
    ProvinceWritable,
    Readable,
    Reader,
    ReviewReadable,
    province_scope,
)
from application_intake.api.models import (
    AmendmentIn,
    AmendmentRequestIn,
    ApplicationDetail,
    ApplicationSummary,
    AttachmentKindName,
    DetailsChange,
    DraftRequest,
    FoundationText,
    Funding,
    LateEntryIn,
    OpenAmendmentRequest,
    PilotTypeName,
    PlanSections,
    QuotaView,
    ReasonIn,
    Schedule,
    VerdictRecord,
)
from application_intake.application import ApplicationIntake
from application_intake.domain.commands import (
    AttachFile,
    CompleteAmendment,
    CreateDraft,
    Detach,
    Discard,
    RecordLateEntry,
    RequestAmendment,
    SetFunding,
    SetSchedule,
    Submit,
    UpdateDetails,
    UpdateFoundation,
    UpdatePlanSections,
    Withdraw,
)
from application_intake.domain.pilot_application import ApplicationStatus, PilotApplication
from application_intake.projections.tables import applications
from application_intake.projections.tables import organisations as registry_organisations
from application_intake.projections.tables import pilot_objects as registry_pilot_objects
from pilot_common.inputs import content_disposition, safe_file_name
from pilot_common.pagination import Page, PageParams, ProvinceFilter, fetch_page, page_params
from pilot_common.problems import FieldError, ProblemError, forbidden_province, not_found, problem_responses
from pilot_common.runtime import command_threads

router = APIRouter(
    prefix="/applications",
    tags=["applications 试点申报"],
    responses=problem_responses(401, 403, 404, 409, 422),
)


def _open_request(application: PilotApplication) -> OpenAmendmentRequest | None:
    request = application.amendment_request
    if request is None or application.status is not ApplicationStatus.AMENDMENT_REQUESTED:
        return None
    actor = request["requested_by"]
    return OpenAmendmentRequest(
        sections=request["sections"],
        detail_fields=request["detail_fields"],
        reason=request["reason"],
        requested_by=str(actor.get("user_id") or ""),
        requested_by_organisation=actor.get("organisation"),
        requested_at=request["requested_at"],
    )


def detail(application: PilotApplication) -> ApplicationDetail:
    return ApplicationDetail(
        id=str(application.id),
        programme_id=application.programme_id,
        province=application.province,
        status=str(application.status),
        revision=application.revision,
        version=application.version,
        details=to_jsonable_python(application.details),
        foundation=application.foundation,
        funding_sources=to_jsonable_python(application.funding_sources),
        plan_sections=dict(application.plan_sections),
        milestones=to_jsonable_python(application.milestones),
        attachments=list(application.attachments.values()),
        submitted_at=application.submitted_at.isoformat() if application.submitted_at else None,
        slot_number=application.slot_number,
        subject_line=application.subject_line,
        verdict=application.verdict,
        amendment_sections=list(application.amendment_sections),
        amendment_detail_fields=list(application.amendment_detail_fields),
        amendment_request=_open_request(application),
        late_entry=to_jsonable_python(application.late_entry),
        withdrawal_reason=application.withdrawal_reason,
        outcome_document=application.outcome_document,
    )


_REGISTRY_FIELDS = {
    "applicant_organisation_id": (registry_organisations, "organisation", "机构"),
    "implementer_organisation_id": (registry_organisations, "organisation", "机构"),
    "pilot_object_id": (registry_pilot_objects, "pilot object", "试点对象"),
}


@functools.cache
def _registry_lookup(fields: tuple[str, ...]) -> Any:
    """One SELECT of the province of each id named (a bound parameter per field), read in autocommit before the
    command's own transaction: one round trip instead of a transaction of three."""
    lookups = []
    for field in fields:
        table = _REGISTRY_FIELDS[field][0]
        lookups.append(
            select(literal(field).label("field"), table.c.province_code).where(table.c.id == bindparam(field))
        )
    return union_all(*lookups) if len(lookups) > 1 else lookups[0]


def ensure_own_registry_ids(intake: ApplicationIntake, province: str, given: dict[str, Any]) -> None:
    """The organisations and pilot object a draft names must be the province's own, as intake's registry copy
    knows them. Unknown and another province's ids get the same answer, so that the answer reveals nothing of
    other provinces."""
    asked = [(field, str(given[field])) for field in _REGISTRY_FIELDS if given.get(field) is not None]
    if not asked:
        return
    found = dict(intake.read_all(_registry_lookup(tuple(field for field, _ in asked)), dict(asked)))
    errors = []
    for field, _ in asked:
        _table, what_en, what_zh = _REGISTRY_FIELDS[field]
        if found.get(field) != province:
            errors.append(
                FieldError(
                    field=f"body.{field}",
                    code="REGISTRY_ID_UNKNOWN",
                    message=f"not a {what_en} of province {province} known to intake (yet)",
                    message_zh=f"不是本省（{province}）已登记的{what_zh}（或登记信息尚未同步）",
                )
            )
    if errors:
        problem = ProblemError(
            422,
            "REGISTRY_ID_UNKNOWN",
            "所填机构或试点对象不是本省已登记的",
            "Not one of the province's registered organisations or pilot objects",
            "; ".join(f"{e.field}: {e.message}" for e in errors),
            errors=errors,
        )
        raise problem


def _command(intake: ApplicationIntake, command: Any) -> ApplicationDetail:
    return detail(intake.handle(command))


async def _in_thread(access: ProvinceAccess, command: Callable[[Owned], Any]) -> ApplicationDetail:
    """The hot command routes are `async def` and hand the access check, the command and its detail to one
    worker-thread call (`ProvinceAccess.run`): a checking dependency would be a hop of its own, and a plain `def`
    route a second one for FastAPI's response validation (done in the loop for async routes)."""
    return await access.run(lambda permitted: _command(access.intake, command(permitted)))


@router.post(
    "",
    status_code=201,
    response_model=ApplicationDetail,
    responses={422: {"description": "VALIDATION_FAILED, REGISTRY_ID_UNKNOWN, PROGRAMME_NOT_OPEN"}},
)
async def draft_application(
    body: DraftRequest, principal: ProvinceUser, intake: Intake, request: Request
) -> ApplicationDetail:
    """Starts a draft for the caller's own province."""
    province = principal.province
    assert province is not None

    def draft() -> ApplicationDetail:
        ensure_own_registry_ids(intake, province, body.model_dump())
        return detail(
            intake.handle(
                CreateDraft(
                    province=province,
                    programme_id=body.programme_id,
                    details=body.model_dump(exclude={"programme_id"}),
                )
            )
        )

    return await command_threads(request).run(draft)


@router.get("", response_model=Page[ApplicationSummary])
def list_applications(
    principal: Reader,
    intake: Intake,
    params: Annotated[PageParams, Depends(page_params)],
    programme_id: str | None = None,
    province: ProvinceFilter = None,
    pilot_type: PilotTypeName | None = None,
    status: ApplicationStatus | None = None,
) -> Page[ApplicationSummary]:
    scope = province_scope(principal)
    if scope is not None and province not in (None, scope):
        raise forbidden_province(f"this account sees only province {scope}")
    filters = [
        column == value
        for column, value in (
            (applications.c.province, scope or province),
            (applications.c.programme_id, programme_id),
            (applications.c.pilot_type, pilot_type),
            (applications.c.status, status),
        )
        if value
    ]
    if not status:
        filters.append(applications.c.status != "DISCARDED")  # discarded drafts only when asked for
    query = select(applications).where(*filters).order_by(applications.c.province, applications.c.id)
    with intake.reading() as session:
        rows, total = fetch_page(session, query, params)
    return Page[ApplicationSummary](
        items=[ApplicationSummary.model_validate(dict(r._mapping)) for r in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )


@router.get("/{application_id}", response_model=ApplicationDetail)
def get_application(permitted: ReviewReadable, intake: Intake) -> ApplicationDetail:
    """The whole application (details, foundation, funding, plan sections, schedule, attachments): its province,
    ministry staff, auditors, and the reviewers assigned to it."""
    return detail(intake.application(permitted.application_id))


@router.patch("/{application_id}/details", response_model=ApplicationDetail)
async def change_details(access: ProvinceCommand, body: DetailsChange) -> ApplicationDetail:
    changes = body.model_dump(exclude_unset=True)

    def change(permitted: Owned) -> ApplicationDetail:
        ensure_own_registry_ids(access.intake, permitted.province, changes)
        return _command(access.intake, UpdateDetails(application_id=permitted.application_id, changes=changes))

    return await access.run(change)


@router.put("/{application_id}/foundation", response_model=ApplicationDetail)
async def set_foundation(access: ProvinceCommand, body: FoundationText) -> ApplicationDetail:
    """清洁生产工作基础."""
    return await _in_thread(access, lambda p: UpdateFoundation(application_id=p.application_id, text=body.text))


@router.put("/{application_id}/funding", response_model=ApplicationDetail)
async def set_funding(access: ProvinceCommand, body: Funding) -> ApplicationDetail:
    """资金支持: each source with funder, amount in CNY, committed or not, and its evidence document."""
    sources = [to_jsonable_python(s.model_dump()) for s in body.sources]
    return await _in_thread(access, lambda p: SetFunding(application_id=p.application_id, sources=sources))


@router.put("/{application_id}/plan", response_model=ApplicationDetail)
async def set_plan_sections(access: ProvinceCommand, body: PlanSections) -> ApplicationDetail:
    """实施方案: sections of the annex outline by code ("1.1", "3", …)."""
    return await _in_thread(
        access, lambda p: UpdatePlanSections(application_id=p.application_id, sections=body.sections)
    )


@router.put("/{application_id}/schedule", response_model=ApplicationDetail)
async def set_schedule(access: ProvinceCommand, body: Schedule) -> ApplicationDetail:
    milestones = [to_jsonable_python(m.model_dump()) for m in body.milestones]
    return await _in_thread(access, lambda p: SetSchedule(application_id=p.application_id, milestones=milestones))


@router.post("/{application_id}/attachments", status_code=201, response_model=dict[str, Any])
async def upload_attachment(
    access: ProvinceCommand,
    kind: Annotated[AttachmentKindName, Form()],
    file: Annotated[UploadFile, File(description="PDF, OFD or DOCX; judged by its content")],
) -> dict[str, Any]:
    """Uploads the implementation plan, a recommendation letter or another file; stored in intake's database."""

    def attach(permitted: Owned) -> dict[str, Any]:
        # In the worker thread with the access check: reading the parsed form's spooled file (memory, or disk if
        # large) and the command's transaction would block the event loop (the other requests of this worker). The
        # file is whole: the request body is bounded at the edge (MAX_UPLOAD_BODY), and the command refuses a file
        # over the programme's package limit, read in its own transaction (no read of the programme here).
        file.file.seek(0)
        content = file.file.read()
        attached: dict[str, Any] = access.intake.handle(
            AttachFile(
                application_id=permitted.application_id,
                kind=kind,
                file_name=safe_file_name(file.filename),
                declared_type=file.content_type,
                content=content,
            )
        )
        return attached

    return await access.run(attach)


@router.get("/{application_id}/attachments/{attachment_id}", response_class=Response)
def download_attachment(permitted: ReviewReadable, attachment_id: str, intake: Intake) -> Response:
    meta, content = intake.file_content(permitted.application_id, attachment_id)
    return Response(
        content,
        media_type=meta["media_type"],
        headers={"Content-Disposition": content_disposition(str(meta["file_name"]))},
    )


@router.delete("/{application_id}/attachments/{attachment_id}", response_model=ApplicationDetail)
def remove_attachment(permitted: ProvinceWritable, attachment_id: str, intake: Intake) -> ApplicationDetail:
    return detail(intake.handle(Detach(application_id=permitted.application_id, attachment_id=attachment_id)))


@router.post("/{application_id}/submit", response_model=ApplicationDetail)
async def submit(access: ProvinceCommand) -> ApplicationDetail:
    """Submits: checks the window (Asia/Shanghai), takes a quota slot, generates the subject line and records the
    eligibility verdict, all in one transaction."""
    return await _in_thread(access, lambda p: Submit(application_id=p.application_id))


@router.post("/{application_id}/withdraw", response_model=ApplicationDetail)
def withdraw(permitted: ProvinceWritable, body: ReasonIn, intake: Intake) -> ApplicationDetail:
    """Withdraws before the deadline; the quota slot is released."""
    return detail(intake.handle(Withdraw(application_id=permitted.application_id, reason=body.reason)))


@router.post("/{application_id}/discard", response_model=ApplicationDetail)
def discard(permitted: ProvinceWritable, body: ReasonIn, intake: Intake) -> ApplicationDetail:
    """Discards a draft never submitted: it leaves the lists (unless asked for by status=DISCARDED) and its events
    stay in the history for auditors."""
    return detail(intake.handle(Discard(application_id=permitted.application_id, reason=body.reason)))


@router.post("/{application_id}/amendment", response_model=ApplicationDetail)
def complete_amendment(permitted: ProvinceWritable, body: AmendmentIn, intake: Intake) -> ApplicationDetail:
    """Completes the amendment (补正) the ministry asked for; a new verdict follows."""
    return detail(intake.handle(CompleteAmendment(application_id=permitted.application_id, note=body.note)))


@router.get("/{application_id}/verdict", response_model=dict[str, Any])
def current_verdict(permitted: Readable, intake: Intake) -> dict[str, Any]:
    verdict = intake.application(permitted.application_id).verdict
    if verdict is None:
        raise not_found("verdict of application", str(permitted.application_id))
    return verdict


@router.get("/{application_id}/verdicts", response_model=list[VerdictRecord])
def verdict_history(permitted: Readable, intake: Intake) -> list[VerdictRecord]:
    """Every verdict the application got, with what triggered it and what changed."""
    return [VerdictRecord.model_validate(v) for v in intake.verdict_history(permitted.application_id)]


@router.post("/{application_id}/dry-run", response_model=dict[str, Any])
def dry_run(permitted: DryRunner, intake: Intake) -> dict[str, Any]:
    """The full verdict the application would get if submitted now: no slot is taken, nothing is recorded. A
    province runs it on its own drafts, ministry staff on any application."""
    return intake.dry_run(permitted.application_id).to_dict()


@router.post("/{application_id}/amendment-requests", response_model=ApplicationDetail)
def request_amendment(permitted: MinistryWritable, body: AmendmentRequestIn, intake: Intake) -> ApplicationDetail:
    """补正: the ministry names the sections the province must amend, with a reason."""
    return detail(
        intake.handle(
            RequestAmendment(
                application_id=permitted.application_id,
                sections=body.sections,
                reason=body.reason,
                detail_fields=body.detail_fields,
            )
        )
    )


@router.post("/{application_id}/late-entry", response_model=ApplicationDetail)
def record_late_entry(permitted: MinistryWritable, body: LateEntryIn, intake: Intake) -> ApplicationDetail:
    """Records a package received after the deadline but sent (postmark or e-mail time) on or before it, with
    its sending evidence attached (kind SENDING_EVIDENCE). The only late entry: anything sent later is refused
    (逾期不予受理); no other override exists. Who recorded it is kept."""
    return detail(
        intake.handle(
            RecordLateEntry(
                application_id=permitted.application_id,
                sent_on=body.sent_on,
                channel=body.channel,
                evidence_attachment_id=body.evidence_attachment_id,
                recorded_by=permitted.principal.user_id,
            )
        )
    )


quota_router = APIRouter(tags=["quotas 推荐名额"], responses=problem_responses(401, 403))


@quota_router.get("/quotas/{programme_id}/{province}", response_model=QuotaView)
def quota(programme_id: str, province: str, principal: Reader, intake: Intake) -> QuotaView:
    """How many of its submission slots a province holds in a programme (原则上不超过5个, plus exceptions)."""
    scope = province_scope(principal)
    if scope is not None and scope != province:
        raise forbidden_province(f"this account sees only province {scope}")
    allowed = intake.known_programme(programme_id).facts.quota_allowed(province)
    held = intake.quota(programme_id, province)
    return QuotaView(
        programme_id=programme_id, province=province, held=held.held, allowed=allowed, holders=list(held.holders)
    )
