"""The reasons read as users write them (issue 11 item 9; docs/glossary.md)."""

from __future__ import annotations

import re
from datetime import date, datetime

from application_intake.domain.eligibility import (
    EligibilitySnapshot,
    Milestone,
    PilotObjectKind,
    evaluate,
)
from pilot_common.contracts.programme import OrganisationKind
from tests.intake.eligibility.snapshots import (
    MEMBER_B,
    MIB_50,
    SHANGHAI,
    attachments,
    eligible,
    finding,
    organisation,
    region,
)

_NOT_FOR_READERS = [
    (r"\d{4}-\d{2}-\d{2}", "an ISO date (write 2023年4月7日)"),
    (r"Asia/Shanghai", "a zone name (write 北京时间)"),
    (r"MiB|字节（", "bytes or MiB (write 50M)"),
    (r"application/", "a MIME type (write PDF、OFD、Word（.docx）)"),
    (r"\['|'\]", "Python list syntax"),
    (r"级别未知", "级别未知 (write （行政级别未登记）)"),
    (r"区内企业", "区内企业 (the notice's 所属范围内企业)"),
    (r"里程碑", "里程碑 (the glossary's 进度节点)"),
    (r"四\(", "a half-width citation bracket (write 通知四（二）)"),
    (r"\d元", "yuan (write 万元)"),
    (r"经部级决定", "a ministry override (there is none)"),
]


def _every_reason(snapshots: list[EligibilitySnapshot]) -> list[str]:
    texts = []
    for snapshot in snapshots:
        verdict = evaluate(snapshot)
        texts += [r.reason_zh for r in verdict.results] + [verdict.priority.reason_zh]
    return texts


def test_reasons_read_as_users_write_them() -> None:
    late = datetime(2023, 4, 9, 9, 0, tzinfo=SHANGHAI)
    snapshots = [
        eligible(),
        eligible(submitted_at=late, evaluated_at=late, findings=(finding(), finding(id="fd-2", date=date(2019, 1, 1)))),
        eligible(
            applicant=organisation(level=None, kind=OrganisationKind.PARK_MANAGEMENT_BODY),
            app={
                "target_industries": ("1810",),
                "milestones": (Milestone(title="启动", start=date(2023, 8, 1), due=date(2024, 9, 30)),),
                "attachments": attachments(plan_bytes=MIB_50 + 5_000_000),
            },
            findings=(finding(subject_pilot_object_id=None, subject_enterprise_credit_code=MEMBER_B),),
        ),
        region("YANGTZE", obj={"kind": PilotObjectKind.BASIN_SECTION}),
    ]
    for text in _every_reason(snapshots):
        for pattern, what in _NOT_FOR_READERS:
            assert not re.search(pattern, text), f"{what} in: {text}"
    joined = "".join(_every_reason(snapshots))
    assert "2023年4月7日（含当日，北京时间）" in joined and "所属范围内企业" in joined and "万元" in joined
