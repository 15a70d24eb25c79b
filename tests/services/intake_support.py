"""Building realistic applications over HTTP: registry data, a complete draft, the files of the package."""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert
from sqlalchemy.pool import NullPool

from application_intake.projections.tables import organisations, pilot_objects, programmes
from pilot_common.contracts.programme import batch_2_2023
from tests.services.conftest import MINISTRY, eventually
from tests.services.registry_data import credit_code, enterprise, industrial_park, park_body

# Business time inside batch 2's submission window (2023-03-03 to 2023-04-07, Asia/Shanghai).
IN_WINDOW = datetime(2023, 3, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def pdf(size: int = 2048, marker: str = "") -> bytes:
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n%" + marker.encode() + b"\n"
    tail = b"\n%%EOF\n"
    return head + b"0" * max(0, size - len(head) - len(tail)) + tail


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@dataclass
class ProvinceSetup:
    province: str
    applicant_id: str
    object_id: str
    members: list[str]


def open_batch_2(registry: TestClient) -> dict[str, Any]:
    page = registry.get("/programmes", headers=MINISTRY).json()
    programme: dict[str, Any] = next(p for p in page["items"] if p["code"] == "2023-B2")
    if programme["status"] == "DRAFT":
        response = registry.post(f"/programmes/{programme['id']}/open", json={"reason": "通知印发"}, headers=MINISTRY)
        assert response.status_code == 200, response.text
        programme = response.json()
    return programme


def register_province(
    registry: TestClient, province: str = "320000", division: str = "320571", name: str = "苏州工业园区"
) -> ProvinceSetup:
    body = park_body(province, division, f"{name}管理委员会")
    org = registry.post("/organisations", json=body, headers=MINISTRY)
    assert org.status_code == 201, org.text
    members = [enterprise(division), enterprise(division)]
    park = registry.post(
        "/pilot-objects",
        json={**industrial_park(province, division, members), "name": name},
        headers=MINISTRY,
    )
    assert park.status_code == 201, park.text
    return ProvinceSetup(province, org.json()["id"], park.json()["id"], members)


def wait_until_intake_knows(intake: TestClient, kind: str, row_id: str, **expected: Any) -> dict[str, Any]:
    def known() -> dict[str, Any] | None:
        response = intake.get(f"/registry-copy/{kind}/{row_id}", headers=MINISTRY)
        if response.status_code != 200:
            return None
        row: dict[str, Any] = response.json()
        return row if all(row.get(k) == v for k, v in expected.items()) else None

    result: dict[str, Any] = eventually(known, timeout=90)
    return result


def draft(intake: TestClient, headers: dict[str, str], programme_id: str, setup: ProvinceSetup, **extra: Any) -> str:
    body = {
        "programme_id": programme_id,
        "pilot_type": "PARK_CLUSTER",
        "project_name": extra.pop("project_name", "园区清洁生产整体审核创新试点"),
        "applicant_organisation_id": setup.applicant_id,
        "implementer_organisation_id": setup.applicant_id,
        "pilot_object_id": setup.object_id,
        **extra,
    }
    response = intake.post("/applications", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def upload(
    intake: TestClient,
    headers: dict[str, str],
    application_id: str,
    kind: str,
    content: bytes,
    file_name: str = "file.pdf",
    media_type: str = "application/pdf",
) -> Any:
    return intake.post(
        f"/applications/{application_id}/attachments",
        data={"kind": kind},
        files={"file": (file_name, content, media_type)},
        headers=headers,
    )


def complete(intake: TestClient, headers: dict[str, str], application_id: str, programme: dict[str, Any]) -> None:
    """Everything a complete, eligible package holds."""
    base = f"/applications/{application_id}"
    commitment = upload(intake, headers, application_id, "OTHER", pdf(marker="资金承诺函"), "资金承诺函.pdf")
    assert commitment.status_code == 201, commitment.text
    steps = [
        intake.patch(f"{base}/details", json={"target_industries": ["2614", "3360"]}, headers=headers),
        intake.put(
            f"{base}/foundation",
            json={"text": "园区2019年起组织52家企业完成清洁生产审核，建成能源管理中心。"},
            headers=headers,
        ),
        intake.put(
            f"{base}/funding",
            json={
                "sources": [
                    {
                        "funder": "园区财政局",
                        "amount_cny": "3000000",
                        "committed": True,
                        "evidence_document_id": commitment.json()["id"],
                    }
                ]
            },
            headers=headers,
        ),
        intake.put(
            f"{base}/plan",
            json={"sections": {code: f"第{code}节内容" for code in outline_codes(programme)}},
            headers=headers,
        ),
        intake.put(
            f"{base}/schedule",
            json={
                "milestones": [
                    {"title": "启动", "start": "2023-08-01", "due": "2023-09-30"},
                    {"title": "验收", "start": "2024-05-01", "due": "2024-07-31"},
                ]
            },
            headers=headers,
        ),
    ]
    for response in steps:
        assert response.status_code == 200, response.text
    for kind in ("IMPLEMENTATION_PLAN", "ECO_ENVIRONMENT_DEPARTMENT_LETTER", "DEVELOPMENT_REFORM_DEPARTMENT_LETTER"):
        response = upload(intake, headers, application_id, kind, pdf(marker=kind), f"{kind.lower()}.pdf")
        assert response.status_code == 201, response.text


def outline_codes(programme: dict[str, Any]) -> list[str]:
    codes = []
    for section in programme["rules"]["plan_outline"]:
        codes.append(section["code"])
        codes.extend(sub["code"] for sub in section["subsections"])
    return codes


def seed_registry_copy(url: str, *, extra_slots: int = 0) -> tuple[str, str, str]:
    """Intake's copy of the registry written straight into a migrated database (for tests and benches whose subject
    is not the registry): batch 2 open, 江苏 with `extra_slots` beyond its quota, its park body and its park. Returns
    the programme's, the body's and the park's ids."""
    programme_id, org_id, object_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            insert(programmes).values(
                id=programme_id,
                code="2023-B2",
                status="OPEN",
                version=2,
                rules=batch_2_2023().model_dump(mode="json"),
                quota_exceptions={"320000": {"extra_slots": extra_slots}} if extra_slots else {},
            )
        )
        connection.execute(
            insert(organisations).values(
                id=org_id,
                name="苏州工业园区管理委员会",
                credit_code=credit_code("11", "320571"),
                kind="PARK_MANAGEMENT_BODY",
                administrative_level="PREFECTURE",
                province_code="320000",
                division_code="320571",
                active=True,
                version=1,
            )
        )
        connection.execute(
            insert(pilot_objects).values(
                id=object_id,
                kind="INDUSTRIAL_PARK",
                name="苏州工业园区",
                province_code="320000",
                division_codes=["320571"],
                industry_codes=["2614", "3360"],
                park_type="ECONOMIC_DEVELOPMENT_ZONE",
                key_area_code=None,
                member_credit_codes=[enterprise("320571"), enterprise("320571")],
                version=1,
            )
        )
    engine.dispose()
    return programme_id, org_id, object_id
