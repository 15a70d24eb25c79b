"""The ranking as spreadsheets for the ministry's meetings: XLSX (openpyxl) and CSV (UTF-8 with a BOM, so that
Excel opens the Chinese text correctly), with Chinese column headers. The figures are exactly those of the ranking
API (the rows are built from the same `RankingView`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from evaluation.api.models import RankingView
from pilot_common.contracts.programme import ScoringCriterion
from pilot_common.reference import PILOT_TYPES

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

RANKING_HEADERS = [
    "排名",
    "申报编号",
    "项目名称",
    "省份",
    "省份代码",
    "试点类型",
    "总分",
    "特色与创新得分",
    "优先支持",
    "提交时间",
    "评分离散度（标准差）",
    "有效评分表数",
    "并列",
    "排序依据",
]
NOT_RANKED_HEADERS = ["申报编号", "项目名称", "省份代码", "试点类型", "状态", "说明", "已提交评分表", "应有评分表"]
DETAIL_HEADERS_BEFORE = ["申报编号", "项目名称", "评审专家", "专家编号", "评分表编号", "评分轮次", "申报版本"]
DETAIL_HEADERS_AFTER = ["加权总分", "提交时间", "是否偏离（需复核）", "复核意见"]


def pilot_type_name(code: str) -> str:
    found = PILOT_TYPES.get(code)
    return found.name if found is not None else code


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]


def ranking_table(ranking: RankingView, criteria: Sequence[ScoringCriterion]) -> Table:
    headers = RANKING_HEADERS + [f"{c.name_zh}（均分）" for c in criteria]
    rows = [
        [
            e.position,
            e.application_id,
            e.project_name,
            e.province_name,
            e.province,
            pilot_type_name(e.pilot_type),
            e.score,
            e.innovation_score,
            _yes_no(e.priority) + ("（覆盖范围部分为推定）" if e.priority_rests_on_assumption else ""),
            e.submitted_at,
            e.spread,
            e.sheet_count,
            _yes_no(e.tied),
            e.why_zh,
            *[e.criterion_means.get(c.code) for c in criteria],
        ]
        for e in ranking.entries
    ]
    title = "排名" if ranking.pilot_type is None else f"排名（{pilot_type_name(ranking.pilot_type)}）"
    return Table(title, headers, rows)


def not_ranked_table(ranking: RankingView) -> Table:
    rows = [
        [
            n.application_id,
            n.project_name,
            n.province,
            pilot_type_name(n.pilot_type),
            n.state_zh,
            n.detail or "",
            n.sheet_count,
            n.required_sheets,
        ]
        for n in ranking.not_ranked
    ]
    return Table("未排名", NOT_RANKED_HEADERS, rows)


def detail_table(sheets: Sequence[dict[str, Any]], criteria: Sequence[ScoringCriterion]) -> Table:
    """One row per submitted sheet: the reviewer's points per criterion and the weighted total."""
    headers = DETAIL_HEADERS_BEFORE + [c.name_zh for c in criteria] + DETAIL_HEADERS_AFTER
    rows = [
        [
            s["application_id"],
            s["project_name"],
            s["reviewer_name"],
            s["reviewer_id"],
            s["id"],
            s["scoring_round"],
            s["application_revision"],
            *[s["scores"].get(c.code) for c in criteria],
            s["submitted_total"],
            s["submitted_at"],
            _yes_no(bool(s["outlier"])),
            "复核后保留" if s["moderation_accepted"] else "",
        ]
        for s in sheets
    ]
    return Table("评分明细", headers, rows)


def to_xlsx(tables: Sequence[Table]) -> bytes:
    workbook = Workbook()
    first = True
    for table in tables:
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        sheet.title = table.title[:31]
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for row in table.rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for index, header in enumerate(table.headers, start=1):
            width = max([len(str(header)) * 2, *(len(str(r[index - 1] or "")) for r in table.rows)])
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(60, width + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows(["" if v is None else v for v in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")
