"""PACKAGE (notice 六): the plan and both letters, in accepted formats, within 50M."""

from __future__ import annotations

import pytest

from application_intake.domain.eligibility import (
    Attachment,
    AttachmentKind,
    RuleCode,
    RuleStatus,
)
from tests.intake.eligibility.snapshots import (
    MIB_50,
    attachments,
    eligible,
    result,
    sha,
)

_OTHER_BYTES = 200_000 + 2 * 300_000  # funding letter + the two recommendation letters


def test_package_exactly_at_the_cap_passes_with_total_and_subject_in_evidence() -> None:
    r = result(eligible(app={"attachments": attachments(plan_bytes=MIB_50 - _OTHER_BYTES)}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.PASS
    assert r.evidence["total_bytes"] == MIB_50
    assert r.evidence["subject_line"] == "2023+苏州工业园区化工行业清洁生产整体审核创新试点+苏州市生态环境局"


def test_package_one_byte_over_the_cap_fails() -> None:
    r = result(eligible(app={"attachments": attachments(plan_bytes=MIB_50 - _OTHER_BYTES + 1)}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.FAIL
    assert "超过50M的上限（超出1字节）" in r.reason_zh and "MiB" not in r.reason_zh
    assert r.evidence["total_bytes"] == MIB_50 + 1


@pytest.mark.parametrize(
    ("kept", "missing_name"),
    [
        (AttachmentKind.DEVELOPMENT_REFORM_DEPARTMENT_LETTER, "省级生态环境部门推荐函"),
        (AttachmentKind.ECO_ENVIRONMENT_DEPARTMENT_LETTER, "省级发展改革部门推荐函"),
    ],
)
def test_package_missing_either_recommendation_letter_fails_naming_it(kept: AttachmentKind, missing_name: str) -> None:
    r = result(eligible(app={"attachments": attachments(letters=(kept,))}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.FAIL
    assert missing_name in r.reason_zh
    assert len(r.evidence["missing"]) == 1


def test_package_without_the_implementation_plan_fails() -> None:
    files = tuple(a for a in attachments() if a.kind is not AttachmentKind.IMPLEMENTATION_PLAN)
    r = result(eligible(app={"attachments": files}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.FAIL
    assert r.evidence["missing"] == ["IMPLEMENTATION_PLAN"]


def test_package_media_type_outside_the_accepted_list_fails() -> None:
    video = Attachment(
        id="att-video",
        kind=AttachmentKind.OTHER,
        file_name="宣传片.mp4",
        media_type="video/mp4",
        size_bytes=1_000,
        sha256=sha(99),
    )
    r = result(eligible(app={"attachments": (*attachments(), video)}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.FAIL
    assert "宣传片.mp4" in r.reason_zh


def test_package_same_file_uploaded_twice_warns() -> None:
    files = attachments()
    copy = files[1].model_copy(update={"id": "att-funds-2"})
    r = result(eligible(app={"attachments": (*files, copy)}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.WARNING
