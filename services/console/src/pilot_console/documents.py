"""The ministry's printable documents: the approved list (试点项目名单) as PDF (WeasyPrint, Noto CJK from Debian's
fonts-noto-cjk) and XLSX, the ranking as XLSX; named by batch and date, applicants by name, times in 北京时间."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.page import PageMargins

from pilot_common.reference import PROVINCIAL_UNITS
from pilot_console.i18n import BEIJING, PILOT_TYPES

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def province_name(code: str | None) -> str:
    """The provincial unit's full name (江苏省) for a province or any division code inside it."""
    if not code:
        return ""
    unit = PROVINCIAL_UNITS.get(code) or PROVINCIAL_UNITS.get(code[:2] + "0000")
    return unit.name if unit is not None else code


def beijing(value: str | datetime | None) -> str:
    """An instant as a Chinese reader writes it: 2023-04-08 09:00（北京时间）."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）"


def file_name(programme: dict[str, Any], what: str, day: date, extension: str) -> str:
    """2023-B2-试点项目名单-20230408.pdf: the batch, the document, the (business) date."""
    return f"{programme.get('code') or programme['id']}-{what}-{day:%Y%m%d}.{extension}"


@dataclass(frozen=True)
class ListedProject:
    number: int
    province: str
    project_name: str
    applicant: str
    pilot_type: str
    pilot_type_label: str


@dataclass(frozen=True)
class ApprovedList:
    programme_name: str
    programme_code: str
    document_number: str | None
    published_at: str | None  # ISO instant
    status: str
    projects: tuple[ListedProject, ...]

    @property
    def title(self) -> str:
        # 第二批清洁生产审核创新试点 → …试点项目名单, not …试点试点项目名单
        name = self.programme_name
        return f"{name}项目名单" if name.endswith("试点") else f"{name}试点项目名单"

    @property
    def published_text(self) -> str:
        return beijing(self.published_at)

    def by_type(self) -> list[tuple[str, list[ListedProject]]]:
        """Grouped as the ministry's lists are printed: one table per pilot type, in the notice's order."""
        groups = []
        for code, (zh, _) in PILOT_TYPES.items():
            members = [p for p in self.projects if p.pilot_type == code]
            if members:
                groups.append((zh, members))
        return groups


def approved_list(
    programme: dict[str, Any],
    selection: dict[str, Any],
    applications: dict[str, dict[str, Any]],
    organisations: dict[str, str],
) -> ApprovedList:
    """The list as selected (in rank order), each project with its province and its applicant's name."""
    projects = []
    for number, application_id in enumerate(selection.get("approved", []), start=1):
        app = applications.get(application_id, {})
        pilot_type = str(app.get("pilot_type", ""))
        projects.append(
            ListedProject(
                number=number,
                province=province_name(app.get("province")),
                project_name=str(app.get("project_name") or application_id),
                applicant=organisations.get(str(app.get("applicant_organisation_id")), ""),
                pilot_type=pilot_type,
                pilot_type_label=PILOT_TYPES.get(pilot_type, (pilot_type, pilot_type))[0],
            )
        )
    return ApprovedList(
        programme_name=str(programme.get("name", "")),
        programme_code=str(programme.get("code", "")),
        document_number=selection.get("document_number"),
        published_at=selection.get("published_at"),
        status=str(selection.get("status", "")),
        projects=tuple(projects),
    )


def to_pdf(html: str, base_url: str) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only the PDF needs.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return pdf


def _sheet(workbook: Workbook, title: str, heading: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(header))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for column in sheet.columns:
        letter = column[0].column_letter
        longest = max((len(str(c.value)) for c in column[1:] if c.value is not None), default=4)
        sheet.column_dimensions[letter].width = min(60, max(6, longest * 2 + 2))  # CJK: two columns a character
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    # Print set-up: A4 landscape, one page wide, the header repeated on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "2:2"
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.freeze_panes = "A3"


def _save(workbook: Workbook) -> bytes:
    del workbook["Sheet"]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def approved_list_xlsx(listed: ApprovedList) -> bytes:
    workbook = Workbook()
    heading = listed.title + (f"（{listed.document_number}）" if listed.document_number else "（未公布）")
    rows = [(p.number, p.province, p.project_name, p.applicant, p.pilot_type_label) for p in listed.projects]
    _sheet(workbook, "试点项目名单", heading, ("序号", "省份", "项目名称", "申报单位", "试点类型"), rows)
    info = [("批次", listed.programme_name), ("文号", listed.document_number or "未公布")]
    info.append(("公布时间", listed.published_text or "未公布"))
    _sheet(workbook, "说明", listed.title, ("项目", "内容"), info)
    return _save(workbook)


def ranking_xlsx(
    programme: dict[str, Any], ranking: dict[str, Any], organisations: dict[str, str], criteria: list[dict[str, Any]]
) -> bytes:
    """The ranking with applicant names, each criterion's mean, why each place; the applications not ranked yet."""
    workbook = Workbook()
    header = ["名次", "省份", "项目名称", "申报单位", "试点类型", "总分", "离散度"]
    header += [f"{c['name_zh']}（均分）" for c in criteria]
    header += ["优先支持", "提交时间", "排名理由"]
    rows = []
    for e in ranking.get("entries", []):
        row: list[Any] = [
            e["position"],
            province_name(e["province"]),
            e["project_name"],
            organisations.get(e["applicant_organisation_id"], ""),
            PILOT_TYPES.get(e["pilot_type"], (e["pilot_type"],))[0],
            e["score"],
            round(e["spread"], 2),
        ]
        row += [e["criterion_means"].get(c["code"]) for c in criteria]
        row += ["是" if e["priority"] else "否", beijing(e["submitted_at"]), e["why_zh"]]
        rows.append(row)
    _sheet(workbook, "排名", f"{programme.get('name', '')}评审排名", header, rows)
    waiting = [
        (province_name(n["province"]), n["project_name"], n["state_zh"], f"{n['sheet_count']}/{n['required_sheets']}")
        for n in ranking.get("not_ranked", [])
    ]
    _sheet(workbook, "未排名", "尚未排名的申报", ("省份", "项目名称", "原因", "已提交评分表"), waiting)
    return _save(workbook)
