"""Evaluation's copy of what other services published: programmes (their rules) and applications (the
upstream copy; intake's counterpart is its registry copy).

The consumers call these in the transaction of the incoming event; the API and the commands read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, insert, select, update
from sqlalchemy.orm import Session

from evaluation.domain import ApplicationToReview, ErrorCode, EvaluationRuleViolation
from evaluation.projections.tables import applications, programmes
from pilot_common.contracts.copies import copied_fields, copy_row
from pilot_common.contracts.events.intake import ApplicationCreated, ApplicationDetailsUpdated
from pilot_common.contracts.programme import ScoringRules
from pilot_common.reference import InvalidIndustryCodeError, key_industries_of

#: Eligibility outcomes of an application that is evaluated (a re-check to INELIGIBLE takes it out).
EVALUATED_OUTCOMES = frozenset({"ELIGIBLE", "ELIGIBLE_WITH_WARNINGS"})

#: The fields of intake's `PilotApplication.DetailsUpdated` changes this service keeps: all the contract publishes.
DETAIL_COLUMNS = tuple(f for f in copied_fields(ApplicationDetailsUpdated, key="application_id") if f != "changed")


def all_rows(session: Session, query: Select[Any]) -> list[dict[str, Any]]:
    """The rows of a query as plain dicts keyed by column name."""
    return [dict(r) for r in session.execute(query).mappings()]


def first_row(session: Session, query: Select[Any]) -> dict[str, Any] | None:
    row = session.execute(query).mappings().first()
    return dict(row) if row is not None else None


def in_evaluation() -> ColumnElement[bool]:
    """SQL: the application is being evaluated (eligible or eligible with warnings, and not withdrawn)."""
    return and_(applications.c.withdrawn.is_(False), applications.c.eligibility_outcome.in_(sorted(EVALUATED_OUTCOMES)))


def is_in_evaluation(row: Mapping[str, Any]) -> bool:
    """The same test on a row of ``ev_applications``."""
    return not row["withdrawn"] and row["eligibility_outcome"] in EVALUATED_OUTCOMES


def key_industries(target_industries: Iterable[str], has_coating_process: bool) -> list[str]:
    """The key-industry codes (STEEL, PAPER, …) the application's GB/T 4754 codes fall in; malformed codes are
    skipped (intake's eligibility rules report them)."""
    found: set[str] = set()
    for code in target_industries:
        try:
            found.update(i.code for i in key_industries_of(str(code), has_coating_process=has_coating_process))
        except InvalidIndustryCodeError:
            continue
    return sorted(found)


# --- programmes ------------------------------------------------------------------------------------------------


def save_programme(session: Session, programme_id: str, rules: Mapping[str, Any], version: int, **names: str) -> None:
    """Inserts the programme (on ``Drafted``) or replaces its rules (on ``RulesRevised``)."""
    found = session.execute(select(programmes.c.id).where(programmes.c.id == programme_id)).first()
    if found is None:
        session.execute(
            insert(programmes).values(
                id=programme_id,
                code=names.get("code", ""),
                name=names.get("name", ""),
                rules=dict(rules),
                rules_version=version,
                status="DRAFT",
            )
        )
    else:
        session.execute(
            update(programmes).where(programmes.c.id == programme_id).values(rules=dict(rules), rules_version=version)
        )


def set_programme_status(session: Session, programme_id: str, status: str) -> None:
    """The programme's state as the registry's event says (Opened → OPEN, …)."""
    if programme_row(session, programme_id) is None:
        raise LookupError(f"programme {programme_id} is not known here: its Drafted event has not arrived")
    session.execute(update(programmes).where(programmes.c.id == programme_id).values(status=status))


def programme_status(session: Session, programme_id: str) -> str | None:
    row = programme_row(session, programme_id)
    return None if row is None else row["status"]


def programme_row(session: Session, programme_id: str) -> Mapping[str, Any] | None:
    return first_row(session, select(programmes).where(programmes.c.id == programme_id))


def scoring_rules(session: Session, programme_id: str) -> ScoringRules:
    """The programme's scoring rules as the registry last published them, or PROGRAMME_RULES_UNKNOWN."""
    row = programme_row(session, programme_id)
    if row is None:
        raise EvaluationRuleViolation(
            ErrorCode.PROGRAMME_RULES_UNKNOWN,
            f"尚未收到试点批次 {programme_id} 的规则",
            f"the rules of programme {programme_id} have not arrived from the registry",
            "programme_id",
        )
    return ScoringRules.model_validate(row["rules"]["scoring"])


# --- applications ----------------------------------------------------------------------------------------------


def create_application(session: Session, created: ApplicationCreated, version: int) -> None:
    """An application drafted in intake (``PilotApplication.Created``); a redelivery changes nothing."""
    if application_row(session, created.application_id) is not None:
        return
    session.execute(
        insert(applications).values(
            **copy_row(created, key="application_id"),
            target_industries=[],
            has_coating_process=False,
            key_industries=[],
            submitted_at=None,
            revision=1,
            intake_status="DRAFT",
            eligibility_outcome=None,
            priority=False,
            priority_reason_zh=None,
            withdrawn=False,
            withdrawal_reason=None,
            outcome_document_number=None,
            approved=None,
            intake_version=version,
        )
    )


def application_row(session: Session, application_id: str) -> Mapping[str, Any] | None:
    return first_row(session, select(applications).where(applications.c.id == application_id))


def require_application(session: Session, application_id: str) -> Mapping[str, Any]:
    row = application_row(session, application_id)
    if row is None:
        raise EvaluationRuleViolation(
            ErrorCode.NOT_FOUND, f"申报不存在：{application_id}", f"no application {application_id}", "application_id"
        )
    return row


def update_application(session: Session, application_id: str, version: int, **values: Any) -> Mapping[str, Any]:
    """Changes the kept application (it must exist: intake's events of one application arrive in order)."""
    row = application_row(session, application_id)
    if row is None:
        raise LookupError(f"application {application_id} is not known here: its Created event has not arrived")
    session.execute(
        update(applications).where(applications.c.id == application_id).values(intake_version=version, **values)
    )
    return {**row, **values}


def apply_details(session: Session, updated: ApplicationDetailsUpdated, version: int) -> None:
    """The changed details this service keeps (``PilotApplication.DetailsUpdated``), field by named field."""
    application_id = updated.application_id
    row = application_row(session, application_id)
    if row is None:
        raise LookupError(f"application {application_id} is not known here: its Created event has not arrived")
    values: dict[str, Any] = {}
    for column in DETAIL_COLUMNS:
        if column in updated.changed:
            value = getattr(updated, column)
            if column == "target_industries":
                values[column] = [str(c) for c in value or []]
            elif column == "has_coating_process":
                values[column] = bool(value)
            else:
                values[column] = str(value)
    industries = values.get("target_industries", row["target_industries"])
    coating = values.get("has_coating_process", row["has_coating_process"])
    values["key_industries"] = key_industries(industries, coating)
    update_application(session, application_id, version, **values)


def to_review(row: Mapping[str, Any]) -> ApplicationToReview:
    """What the assignment rules need to know about an application."""
    return ApplicationToReview(
        application_id=str(row["id"]),
        province=str(row["province"]),
        organisation_id=str(row["applicant_organisation_id"]),
        key_industries=frozenset(row["key_industries"] or ()),
        pilot_type=str(row["pilot_type"]),
    )


def submitted_at(row: Mapping[str, Any]) -> datetime | None:
    value = row["submitted_at"]
    return datetime.fromisoformat(value) if value else None
