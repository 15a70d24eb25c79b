"""Reading intake's copy of the registry (kept from `pilot-registry.events`) as the facts the rules need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from application_intake.domain.eligibility import (
    FindingFacts,
    OrganisationFacts,
    PilotObjectFacts,
    ProgrammeFacts,
)
from application_intake.projections.tables import findings, organisations, pilot_objects, programmes
from pilot_common.contracts.programme import ProgrammeRules


@dataclass(frozen=True)
class KnownProgramme:
    facts: ProgrammeFacts
    status: str
    version: int

    @property
    def rules(self) -> ProgrammeRules:
        return self.facts.rules


_RULES_CACHED = 64
_rules_by_text: dict[str, ProgrammeRules] = {}


def _rules(text: str) -> ProgrammeRules:
    """The programme's rules, validated once per distinct stored text (every command reads them; validating
    them each time was an eighth of a command's time). ProgrammeRules is frozen, so sharing one is safe."""
    rules = _rules_by_text.get(text)
    if rules is None:
        rules = ProgrammeRules.model_validate_json(text)
        if len(_rules_by_text) >= _RULES_CACHED:
            _rules_by_text.clear()
        _rules_by_text[text] = rules
    return rules


_PROGRAMME = select(
    programmes.c.id,
    programmes.c.status,
    programmes.c.version,
    cast(programmes.c.rules, Text).label("rules"),  # the text is the cache key: no decoding
    programmes.c.quota_exceptions,
)


def programme_query(programme_id: str) -> Any:
    """The one SELECT of :func:`programme` (for `ServiceApplication.read_first`); its row goes to
    :func:`programme_of`."""
    return _PROGRAMME.where(programmes.c.id == programme_id)


def programme(session: Session, programme_id: str) -> KnownProgramme | None:
    return programme_of(session.execute(programme_query(programme_id)).first())


def programme_of(found: Any) -> KnownProgramme | None:
    if found is None:
        return None
    row = found._mapping
    exceptions = {code: int(e["extra_slots"]) for code, e in (row["quota_exceptions"] or {}).items()}
    facts = ProgrammeFacts(
        programme_id=row["id"],
        programme_version=row["version"],
        rules=_rules(row["rules"]),
        quota_exceptions=exceptions,
    )
    return KnownProgramme(facts=facts, status=row["status"], version=row["version"])


def organisation(session: Session, organisation_id: str | None) -> tuple[OrganisationFacts | None, int | None]:
    if not organisation_id:
        return None, None
    row = session.execute(select(organisations).where(organisations.c.id == organisation_id)).mappings().first()
    if row is None:
        return None, None
    facts = OrganisationFacts(
        id=row["id"],
        name=row["name"],
        credit_code=row["credit_code"],
        kind=row["kind"],
        level=row["administrative_level"],
        province=row["province_code"],
        division_code=row["division_code"],
    )
    return facts, row["version"]


def pilot_object(session: Session, object_id: str | None) -> tuple[PilotObjectFacts | None, int | None]:
    if not object_id:
        return None, None
    row = session.execute(select(pilot_objects).where(pilot_objects.c.id == object_id)).mappings().first()
    if row is None:
        return None, None
    facts = PilotObjectFacts(
        id=row["id"],
        kind=row["kind"],
        name=row["name"],
        province=row["province_code"],
        division_codes=tuple(row["division_codes"]),
        industries=tuple(row["industry_codes"]),
        park_type=row["park_type"],
        member_credit_codes=tuple(row["member_credit_codes"]),
        key_area_code=row["key_area_code"],
    )
    return facts, row["version"]


def findings_about(session: Session, pilot_object: PilotObjectFacts | None) -> list[FindingFacts]:
    """Every finding, retracted or not, against the object or one of its member enterprises."""
    if pilot_object is None:
        return []
    condition = findings.c.pilot_object_id == pilot_object.id
    if pilot_object.member_credit_codes:
        condition = or_(condition, findings.c.enterprise_credit_code.in_(pilot_object.member_credit_codes))
    rows = session.execute(select(findings).where(condition).order_by(findings.c.disclosed_on)).mappings()
    return [
        FindingFacts(
            id=r["id"],
            source=r["source"],
            media_level=r["media_level"],
            prominent_problem=r["prominent_problem"],
            date=date.fromisoformat(r["disclosed_on"]),
            subject_pilot_object_id=r["pilot_object_id"],
            subject_enterprise_credit_code=r["enterprise_credit_code"],
            retracted=r["retracted"],
            summary=r["summary"],
            reference=r["reference"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class RegistryFacts:
    """What the registry copy says about an application's applicant, implementer, object and findings (each read
    once per command)."""

    applicant: OrganisationFacts | None
    applicant_version: int | None
    implementer: OrganisationFacts | None
    implementer_version: int | None
    pilot_object: PilotObjectFacts | None
    object_version: int | None
    findings: list[FindingFacts]


def about(session: Session, details: dict[str, Any]) -> RegistryFacts:
    applicant, applicant_v = organisation(session, details["applicant_organisation_id"])
    if details["implementer_organisation_id"] == details["applicant_organisation_id"]:
        implementer, implementer_v = applicant, applicant_v
    else:
        implementer, implementer_v = organisation(session, details["implementer_organisation_id"])
    pilot, object_v = pilot_object(session, details["pilot_object_id"])
    return RegistryFacts(
        applicant, applicant_v, implementer, implementer_v, pilot, object_v, findings_about(session, pilot)
    )


def describe_position(**versions: Any) -> str:
    """How far the registry copy had got for each fact used, e.g. `programme@4 applicant@1 object@2 findings=3`."""
    return " ".join(f"{k}@{v}" if k != "findings" else f"findings={v}" for k, v in versions.items())
