"""PACKAGE (notice 六): the implementation plan and both recommendation letters, in accepted formats, within
the size limit ("材料电子件总大小不超过50M": 50 MiB, the programme's ``max_package_bytes``); empty files and files
uploaded twice warn. Also the e-mail subject the notice asks for ("2023+项目名称+申报单位名称")."""

from __future__ import annotations

from typing import Any

from .. import messages as m
from ..messages import Text
from ..snapshot import Attachment, AttachmentKind, EligibilitySnapshot
from ..verdict import RuleCode, RuleResult
from ._result import Issues


def subject_line(s: EligibilitySnapshot) -> str | None:
    """邮件题目 "2023+项目名称+申报单位名称"; None while the applicant's name is unknown."""
    if s.applicant is None:
        return None
    return s.programme.rules.subject_for(s.application.project_name, s.applicant.name)


def check_package(s: EligibilitySnapshot) -> RuleResult:
    rules = s.programme.rules
    attachments = s.application.attachments
    kinds = {a.kind.value for a in attachments}
    total = sum(a.size_bytes for a in attachments)
    limit = rules.max_package_bytes
    accepted = {m.media_type(t) for t in rules.accepted_media_types}
    rejected = [a for a in attachments if m.media_type(a.media_type) not in accepted]
    has_plan = AttachmentKind.IMPLEMENTATION_PLAN.value in kinds
    missing_letters = [code for code in rules.required_letters if code not in kinds]
    subject = subject_line(s)
    evidence: dict[str, Any] = {
        "total_bytes": total,
        "max_package_bytes": limit,
        "attachments": [
            {
                "id": a.id,
                "kind": a.kind.value,
                "file_name": a.file_name,
                "media_type": a.media_type,
                "size_bytes": a.size_bytes,
            }
            for a in attachments
        ],
        "missing": ([] if has_plan else [AttachmentKind.IMPLEMENTATION_PLAN.value]) + missing_letters,
        "rejected_media_types": [{"id": a.id, "file_name": a.file_name, "media_type": a.media_type} for a in rejected],
        "subject_line": subject,
    }
    issues = Issues()
    if not has_plan:
        issues.fail(m.Package.NO_PLAN())
    for code in missing_letters:
        issues.fail(m.Package.NO_LETTER(letter=m.letter(code)))
    if total > limit:
        issues.fail(
            m.Package.TOO_LARGE(
                total=m.size_zh(total),
                limit=m.size_zh(limit),
                excess=m.excess_zh(total - limit),
                total_bytes=total,
                total_mib=m.mib(total),
                limit_bytes=limit,
                limit_mib=m.mib(limit),
            )
        )
    accepted_names = Text(m.format_names(rules.accepted_media_types), ", ".join(rules.accepted_media_types))
    for a in rejected:
        issues.fail(m.Package.FORMAT_REFUSED(file_name=a.file_name, media_type=a.media_type, accepted=accepted_names))
    empty = [a for a in attachments if a.size_bytes == 0]
    evidence["empty_files"] = [a.id for a in empty]
    for a in empty:
        issues.warn(m.Package.EMPTY_FILE(file_name=a.file_name))
    evidence["duplicate_attachments"] = _uploaded_twice(attachments, issues)
    complete = m.Package.COMPLETE(
        letters=m.listed(m.letter(c).zh for c in rules.required_letters),
        total=Text(m.size_zh(total), str(total)),
        limit=Text(m.size_zh(limit), str(limit)),
        subject=Text(subject, subject) if subject else m.Package.APPLICANT_UNKNOWN,
    )
    return issues.result(RuleCode.PACKAGE, complete, evidence)


def _uploaded_twice(attachments: tuple[Attachment, ...], issues: Issues) -> list[list[str]]:
    """Pairs [first id, repeat id] of files with the same content (SHA-256), each warned about."""
    seen: dict[str, str] = {}
    duplicates: list[list[str]] = []
    for a in attachments:
        digest = a.sha256.strip().lower()
        if digest in seen:
            duplicates.append([seen[digest], a.id])
            issues.warn(m.Package.UPLOADED_TWICE(file_name=a.file_name, first=seen[digest]))
        else:
            seen[digest] = a.id
    return duplicates
