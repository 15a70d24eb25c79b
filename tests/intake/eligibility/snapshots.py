"""Snapshots for the eligibility tests: ``eligible()`` is one fully eligible snapshot (a type 1 pilot from Jiangsu,
submitted on time), ``region()`` a type 4 one from Hebei; each test varies one thing and looks at the verdict the
engine gives."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from application_intake.domain.eligibility import (
    ApplicationFacts,
    Attachment,
    AttachmentKind,
    EligibilitySnapshot,
    FindingFacts,
    FindingSource,
    FundingSource,
    Milestone,
    OrganisationFacts,
    PilotObjectFacts,
    PilotObjectKind,
    ProgrammeFacts,
    QuotaFacts,
    RuleCode,
    RuleResult,
    evaluate,
)
from pilot_common.contracts.programme import AdministrativeLevel, OrganisationKind, batch_2_2023
from pilot_common.credit_code import credit_code_check_char

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES_2023 = batch_2_2023()
MIB_50 = 52_428_800


def credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


APPLICANT_CODE = credit_code("11320500MB1234567")
MEMBER_A = credit_code("91320585MA1ABCDE1")
MEMBER_B = credit_code("91320585MA1QWERT0")
OUTSIDER = credit_code("91110105MA0012345")

PLAN_SECTIONS = {
    "1": "",  # a chapter heading; its sub-sections carry the text
    "1.1": "范围：苏州工业园区化工片区，区位……",
    "1.2": "产业概况：有机化学原料、化学原料药……",
    "2": "",
    "2.1": "环境现状与主要问题……",
    "2.2": "清洁生产工作基础……",
    "3": "试点工作目标……",
    "4": "",
    "4.1": "试点内容……",
    "4.2": "试点方法及技术路线……",
    "5": "特色及主要创新点……",
    "6": "实施计划……",
    "7": "预期产出成果及效益……",
}


def sha(n: int) -> str:
    return f"{n:064x}"


def attachments(
    *, plan_bytes: int = 10_000_000, letters: tuple[AttachmentKind, ...] | None = None
) -> tuple[Attachment, ...]:
    kinds = (
        letters
        if letters is not None
        else (AttachmentKind.ECO_ENVIRONMENT_DEPARTMENT_LETTER, AttachmentKind.DEVELOPMENT_REFORM_DEPARTMENT_LETTER)
    )
    files = [
        Attachment(
            id="att-plan",
            kind=AttachmentKind.IMPLEMENTATION_PLAN,
            file_name="实施方案.pdf",
            media_type="application/pdf",
            size_bytes=plan_bytes,
            sha256=sha(1),
        ),
        Attachment(
            id="att-funds",
            kind=AttachmentKind.OTHER,
            file_name="资金承诺函.pdf",
            media_type="application/pdf",
            size_bytes=200_000,
            sha256=sha(2),
        ),
    ]
    for n, kind in enumerate(kinds, start=3):
        files.append(
            Attachment(
                id=f"att-{kind.value.lower()}",
                kind=kind,
                file_name=f"{kind.value}.pdf",
                media_type="application/pdf",
                size_bytes=300_000,
                sha256=sha(n),
            )
        )
    return tuple(files)


def application(**changes: Any) -> ApplicationFacts:
    fields: dict[str, Any] = {
        "application_id": "app-1",
        "programme_id": "prog-2023-2",
        "pilot_type": "KEY_INDUSTRY",
        "project_name": "苏州工业园区化工行业清洁生产整体审核创新试点",
        "recommending_province": "320000",
        "applicant_organisation_id": "org-sz",
        "implementer_organisation_id": "org-sz",
        "pilot_object_id": "obj-park",
        "target_industries": ("2614", "2710"),
        "foundation": "园区已完成强制性清洁生产审核企业全覆盖……",
        "funding_sources": (
            FundingSource(
                funder="苏州市财政局",
                amount_cny=Decimal("3000000.00"),
                committed=True,
                evidence_document_id="att-funds",
            ),
        ),
        "plan_sections": dict(PLAN_SECTIONS),
        "milestones": (
            Milestone(title="诊断", start=date(2023, 8, 1), due=date(2023, 12, 31)),
            Milestone(title="方案实施", start=date(2024, 1, 1), due=date(2024, 6, 30)),
            Milestone(title="总结评估", start=date(2024, 7, 1), due=date(2024, 7, 31)),
        ),
        "attachments": attachments(),
    }
    fields.update(changes)
    return ApplicationFacts(**fields)


def organisation(**changes: Any) -> OrganisationFacts:
    fields: dict[str, Any] = {
        "id": "org-sz",
        "name": "苏州市生态环境局",
        "credit_code": APPLICANT_CODE,
        "kind": OrganisationKind.GOVERNMENT_DEPARTMENT,
        "level": AdministrativeLevel.PREFECTURE,
        "province": "320000",
        "division_code": "320500",
    }
    fields.update(changes)
    return OrganisationFacts(**fields)


def pilot_object(**changes: Any) -> PilotObjectFacts:
    fields: dict[str, Any] = {
        "id": "obj-park",
        "kind": PilotObjectKind.INDUSTRIAL_PARK,
        "name": "苏州工业园区",
        "province": "320000",
        "division_codes": ("320571",),
        "industries": ("2614", "2710"),
        "park_type": "CHEMICAL_PARK",
        "member_credit_codes": (MEMBER_A, MEMBER_B),
    }
    fields.update(changes)
    return PilotObjectFacts(**fields)


def finding(**changes: Any) -> FindingFacts:
    fields: dict[str, Any] = {
        "id": "fd-1",
        "source": FindingSource.CENTRAL_INSPECTION,
        "date": date(2022, 6, 1),
        "subject_pilot_object_id": "obj-park",
        "summary": "园区污水处理厂超标排放",
        "reference": "第二轮中央生态环境保护督察反馈意见",
    }
    fields.update(changes)
    if fields["source"] is FindingSource.CENTRAL_INSPECTION:
        fields.setdefault("prominent_problem", True)  # 指出突出生态环境问题
    return FindingFacts(**fields)


SUBMITTED = datetime(2023, 4, 7, 10, 0, tzinfo=SHANGHAI)


def eligible(**changes: Any) -> EligibilitySnapshot:
    """A fully eligible snapshot; keyword arguments replace snapshot fields, ``app=`` application fields."""
    app_changes = changes.pop("app", {})
    fields: dict[str, Any] = {
        "application": application(**app_changes),
        "programme": ProgrammeFacts(programme_id="prog-2023-2", programme_version=3, rules=RULES_2023),
        "applicant": organisation(),
        "implementer": organisation(),
        "pilot_object": pilot_object(),
        "findings": (),
        "quota": QuotaFacts(slots_held=3, slots_allowed=5, slot_number=3),
        "submitted_at": SUBMITTED,
        "evaluated_at": SUBMITTED + timedelta(seconds=1),
        "registry_position": 1234,
    }
    fields.update(changes)
    return EligibilitySnapshot(**fields)


def result(snapshot: EligibilitySnapshot, code: RuleCode) -> RuleResult:
    return evaluate(snapshot).result(code)


def region(area: str | None = "JJJ_AND_SURROUNDING", **changes: Any) -> EligibilitySnapshot:
    """A type 4 pilot from Hebei, by the provincial eco-environment department, in an air region."""
    dept = organisation(
        id="org-hb",
        name="河北省生态环境厅",
        credit_code=credit_code("11130000MB0099887"),
        kind=OrganisationKind.PROVINCIAL_DEPARTMENT,
        level=AdministrativeLevel.PROVINCE,
        province="130000",
        division_code="130000",
    )
    obj_changes = changes.pop("obj", {})
    obj = pilot_object(
        **{
            "id": "obj-jjj",
            "kind": PilotObjectKind.KEY_REGION_PART,
            "name": "京津冀及周边地区（河北段）",
            "province": "130000",
            "division_codes": ("130100", "130200"),
            "park_type": None,
            "key_area_code": area,
            **obj_changes,
        }
    )
    app = {
        "pilot_type": "REGION_BASIN",
        "recommending_province": "130000",
        "applicant_organisation_id": "org-hb",
        "implementer_organisation_id": "org-hb",
        "pilot_object_id": "obj-jjj",
        "target_industries": ("3110", "3120"),
        "key_area_code": area,
        "target_pollutants": ("PM25", "O3"),
        **changes.pop("app", {}),
    }
    return eligible(**{"app": app, "applicant": dept, "implementer": dept, "pilot_object": obj, **changes})
