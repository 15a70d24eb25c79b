"""Demo data for the embedded default: organisations and pilot objects of three provinces (one object with a
recent central-inspection finding), the reviewer pool, and the demo users with their tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from evaluation.application import EvaluationService
from evaluation.domain.commands import RegisterReviewer
from pilot_common.auth import DEMO_USERS, DemoUser, TokenIssuer
from pilot_common.context import Actor, CallContext, Role, acting
from pilot_common.credit_code import credit_code_check_char
from pilot_registry.application import PilotRegistry
from pilot_registry.domain.commands import RecordFinding, RegisterOrganisation, RegisterPilotObject

SEED_ACTOR = Actor(user_id="seed", role=Role.MINISTRY, organisation="MEE")


def _code(kind: str, division: str, serial: int) -> str:
    body = f"{kind}{division}MA{serial:07d}"
    return body + credit_code_check_char(body)


@dataclass(frozen=True)
class DemoProvince:
    code: str
    name: str
    division: str
    park_name: str
    park_type: str
    industries: tuple[str, ...]
    department_name: str


PROVINCES = (
    DemoProvince(
        "320000", "江苏", "320571", "苏州工业园区", "ECONOMIC_DEVELOPMENT_ZONE", ("2614", "3360"), "江苏省生态环境厅"
    ),
    DemoProvince(
        "330000", "浙江", "330603", "绍兴柯桥印染产业集群", "INDUSTRIAL_CLUSTER", ("1713", "1752"), "浙江省生态环境厅"
    ),
    DemoProvince(
        "370000", "山东", "370303", "淄博齐鲁化学工业区", "CHEMICAL_PARK", ("2614", "2631"), "山东省生态环境厅"
    ),
)


# The demo users (and the only users `/dev/tokens` mints for) are fixed in `pilot_common.auth`.
USERS = DEMO_USERS


def seed_registry(registry: PilotRegistry) -> None:
    """Organisations and pilot objects per demo province; 山东's object has a 2022 central-inspection finding."""
    with acting(CallContext(actor=SEED_ACTOR, correlation_id="demo-seed")):
        for index, province in enumerate(PROVINCES, start=1):
            registry.handle(
                RegisterOrganisation(
                    name=f"{province.park_name}管理委员会",
                    credit_code=_code("11", province.division, index * 10 + 1),
                    kind="PARK_MANAGEMENT_BODY",
                    administrative_level="PREFECTURE",
                    province_code=province.code,
                    division_code=province.division,
                )
            )
            registry.handle(
                RegisterOrganisation(
                    name=province.department_name,
                    credit_code=_code("11", province.code, index * 10 + 2),
                    kind="PROVINCIAL_DEPARTMENT",
                    administrative_level="PROVINCE",
                    province_code=province.code,
                    division_code=province.code,
                )
            )
            members = [_code("91", province.division, index * 100 + n) for n in range(1, 4)]
            pilot_object = registry.handle(
                RegisterPilotObject(
                    kind="INDUSTRIAL_CLUSTER" if province.park_type == "INDUSTRIAL_CLUSTER" else "INDUSTRIAL_PARK",
                    name=province.park_name,
                    province_code=province.code,
                    division_codes=[province.division],
                    industry_codes=list(province.industries),
                    park_type=province.park_type,
                    member_credit_codes=members,
                )
            )
            if province.code == "370000":
                registry.handle(
                    RecordFinding(
                        source="CENTRAL_INSPECTION",
                        prominent_problem=True,
                        disclosed_on=date(2022, 9, 1),
                        pilot_object_id=pilot_object.id,
                        enterprise_credit_code=members[0],
                        province_code=province.code,
                        summary="第二轮中央生态环境保护督察指出园区内企业违规排放、环境风险防控不到位",
                        reference="中央第三生态环境保护督察组督察反馈意见（2022年）",
                    )
                )


def demo_tokens(issuer: TokenIssuer, ttl_seconds: int = 30 * 24 * 3600) -> list[tuple[DemoUser, str]]:
    return [
        (u, issuer.issue(sub=u.sub, role=u.role, name=u.label, province=u.province, org=u.org, ttl=ttl_seconds))
        for u in USERS
    ]


# Experts from provinces other than the demo ones, so that every demo application can get three reviewers.
REVIEWERS = (
    ("expert.1", "张教授", "110000", ("PETROCHEMICAL_CHEMICAL", "CHEMICAL_API")),
    ("expert.2", "李研究员", "310000", ("DYEING_PRINTING", "PAPER")),
    ("expert.3", "王高工", "440000", ("ELECTROPLATING", "INDUSTRIAL_COATING")),
    ("expert.4", "赵教授", "420000", ("PETROCHEMICAL_CHEMICAL", "BUILDING_MATERIALS")),
    ("expert.5", "孙研究员", "510000", ("STEEL", "COKING")),
    ("expert.6", "周高工", "610000", ("AGRI_FOOD_PROCESSING", "PACKAGING_PRINTING")),
)


def seed_evaluation(evaluation: EvaluationService) -> None:
    """The reviewer pool (专家库); expert.1–3 have demo tokens."""
    with acting(CallContext(actor=SEED_ACTOR, correlation_id="demo-seed")):
        for index, (user_id, name, province, expertise) in enumerate(REVIEWERS, start=1):
            evaluation.handle(
                RegisterReviewer(
                    name=name,
                    organisation_id=f"demo-expert-org-{index}",
                    province=province,
                    expertise=expertise,
                    available=True,
                    user_id=user_id,
                )
            )
