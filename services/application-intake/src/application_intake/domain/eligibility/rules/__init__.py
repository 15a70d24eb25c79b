"""The eligibility rules: one module per rule code, each a pure function ``(snapshot) -> RuleResult``, and the
table of them.

=================  ==========================  =====================================================
code               module                      notice 环办科财函〔2023〕79号 (seed 003)
=================  ==========================  =====================================================
WINDOW             :mod:`.window`              六 (寄送期限, 逾期不予受理)
QUOTA              :mod:`.quota`               四(一) (每省原则上不超过5个)
APPLICANT_LEVEL    :mod:`.applicant_level`     三 (申报主体)
SAME_ENTITY        :mod:`.same_entity`         三 (同一主体; 第（四）类为省级政府组成部门)
PROVINCE_MATCH     :mod:`.province_match`      四(四), 六
CLEAN_RECORD       :mod:`.clean_record`        四(二) (督察、媒体曝光)
TYPE_SCOPE         :mod:`.type_scope`          二 (四类试点)
FOUNDATION         :mod:`.foundation`          四(三) (工作基础、资金支持)
PLAN               :mod:`.plan`                二 (时间为1年), 附件 (编制大纲)
PACKAGE            :mod:`.package`             六 (材料、50M)
PRIORITY           :mod:`.priority`            四(一) (优先支持; not a gate)
=================  ==========================  =====================================================

Where DESIGN's rules table and the notice differ, the notice wins (see the package docstring). Every figure
comes from ``snapshot.programme.rules`` (a later batch changes data, not code). A rule that needs registry facts
the snapshot does not have FAILs and says so; no rule raises on missing or malformed data. Each module's
docstring defines its dates and windows; results are built by :mod:`._result`, sentences come from
:mod:`..messages`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from ..messages import format_names, size_zh
from ..snapshot import EligibilitySnapshot
from ..verdict import RULE_ORDER, RuleCode, RuleResult
from .applicant_level import check_applicant_level
from .clean_record import check_clean_record
from .foundation import check_foundation
from .package import check_package, subject_line
from .plan import check_plan
from .priority import check_priority
from .province_match import check_province_match
from .quota import check_quota
from .same_entity import check_same_entity
from .type_scope import check_type_scope
from .window import check_window

RuleFunction = Callable[[EligibilitySnapshot], RuleResult]

RULES: Mapping[RuleCode, RuleFunction] = MappingProxyType(
    {
        RuleCode.WINDOW: check_window,
        RuleCode.QUOTA: check_quota,
        RuleCode.APPLICANT_LEVEL: check_applicant_level,
        RuleCode.SAME_ENTITY: check_same_entity,
        RuleCode.PROVINCE_MATCH: check_province_match,
        RuleCode.CLEAN_RECORD: check_clean_record,
        RuleCode.TYPE_SCOPE: check_type_scope,
        RuleCode.FOUNDATION: check_foundation,
        RuleCode.PLAN: check_plan,
        RuleCode.PACKAGE: check_package,
    }
)


def _check_table(table: Mapping[RuleCode, RuleFunction]) -> None:
    missing = [c for c in RULE_ORDER if c not in table]
    extra = [c for c in table if c not in RULE_ORDER]
    if missing or extra:
        raise RuntimeError(f"eligibility rule table out of step: missing {missing}, unexpected {extra}")


_check_table(RULES)

__all__ = [
    "RULES",
    "RuleFunction",
    "check_applicant_level",
    "check_clean_record",
    "check_foundation",
    "check_package",
    "check_plan",
    "check_priority",
    "check_province_match",
    "check_quota",
    "check_same_entity",
    "check_type_scope",
    "check_window",
    "format_names",
    "size_zh",
    "subject_line",
]
