"""FOUNDATION (notice 四(三)): a described cleaner-production work foundation and clear funding — at least one
committed source with a funder and an amount above zero, whose supporting document is in the package."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import messages as m
from ..messages import Text
from ..snapshot import EligibilitySnapshot, FundingSource
from ..verdict import RuleCode, RuleResult
from ._result import Issues


def _qualifies(f: FundingSource) -> bool:
    return f.committed and f.amount_cny > 0 and bool(f.funder.strip())


def check_foundation(s: EligibilitySnapshot) -> RuleResult:
    app = s.application
    attachment_ids = {a.id for a in app.attachments}
    sources = [
        {
            "funder": f.funder,
            "amount_cny": str(f.amount_cny),
            "committed": f.committed,
            "evidence_document_id": f.evidence_document_id,
            "qualifies": _qualifies(f),
            "evidence_in_package": f.evidence_document_id in attachment_ids,
        }
        for f in app.funding_sources
    ]
    qualifying = [f for f in app.funding_sources if _qualifies(f)]
    committed_total = sum((f.amount_cny for f in qualifying), Decimal(0))
    evidence: dict[str, Any] = {
        "foundation_chars": len(app.foundation.strip()),
        "funding_sources": sources,
        "committed_total_cny": str(committed_total),
    }
    issues = Issues()
    if not app.foundation.strip():
        issues.fail(m.Foundation.NOT_DESCRIBED())
    if not qualifying:
        issues.fail(m.Foundation.NO_COMMITTED_FUNDS())
    elif not any(f.evidence_document_id in attachment_ids for f in qualifying):
        issues.warn(m.Foundation.NO_FUNDING_EVIDENCE(all=m.ALL_OF_THEM if len(qualifying) > 1 else m.EMPTY))
    total = Text(m.wan_yuan(committed_total), str(committed_total))
    return issues.result(RuleCode.FOUNDATION, m.Foundation.DESCRIBED(total=total, sources=len(qualifying)), evidence)
