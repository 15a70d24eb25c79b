"""A whole batch through the console, in order: ministry staff open batch 2 on the desk; provinces submit (the
issue-16 helpers); the desk closes it (a premature close refused with the service's reason), pauses the experts
without demo accounts, assigns, starts the evaluation; the demo experts score on their pages (one outlier); the
desk moderates it, ranks, selects, MEE and NDRC each sign off, publishes with the document number; the pilots
appear. Then an auditor opens an approved application's timeline across the three services, its state as of a
date, and runs the verification of every service. The approved list's PDF holds every approved project's name and
the document number (extracted with pypdf); the XLSX exports carry applicant names and Beijing times."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.console.conftest import PROGRAMME, Console, Shots, json_of, sign_in, submit_complete_application
from tests.services.conftest import eventually

DOCUMENT_NUMBER = "环办科财函〔2023〕261号"
PROJECTS = (
    ("js.wang", "苏州工业园区清洁生产整体审核创新试点"),
    ("js.wang", "苏州高新区绿色园区清洁生产试点"),
    ("zj.chen", "柯桥印染产业集群清洁生产协同审核试点"),
)
INELIGIBLE = "淄博齐鲁化学工业区清洁生产试点"  # 山东's park has a 2022 central-inspection finding
# Each project's share of the full marks, per reviewer; the first project's third sheet is the outlier.
SHARES = {0: (0.9, 0.88, 0.35), 1: (0.8, 0.78, 0.8), 2: (0.75, 0.74, 0.75)}
DESK = f"/ministry/programmes/{PROGRAMME}"


def _intake_knows_the_open_batch(console: Console) -> None:
    with console.api("mee.li") as ministry:
        objects = json_of(ministry.get("/registry/pilot-objects", params={"page_size": 100}))["items"]

        def known() -> bool:
            programme = ministry.get(f"/intake/registry-copy/programmes/{PROGRAMME}")
            copies = [ministry.get(f"/intake/registry-copy/pilot-objects/{o['id']}").status_code for o in objects]
            return programme.status_code == 200 and programme.json().get("status") == "OPEN" and set(copies) == {200}

        eventually(known, timeout=60)


def _submit_ineligible(client: httpx.Client) -> str:
    organisation = next(
        o for o in json_of(client.get("/registry/organisations"))["items"] if o["kind"] == "PARK_MANAGEMENT_BODY"
    )
    park = json_of(client.get("/registry/pilot-objects"))["items"][0]
    body = {
        "programme_id": PROGRAMME,
        "pilot_type": "PARK_CLUSTER",
        "project_name": INELIGIBLE,
        "applicant_organisation_id": organisation["id"],
        "implementer_organisation_id": organisation["id"],
        "pilot_object_id": park["id"],
    }
    app = json_of(client.post("/intake/applications", json=body), 201)
    assert json_of(client.post(f"/intake/applications/{app['id']}/submit"))["status"] == "INELIGIBLE"
    return str(app["id"])


def _evaluation_status(console: Console, status: str) -> None:
    with console.api("mee.li") as ministry:
        eventually(lambda: ministry.get(f"/evaluation/programmes/{PROGRAMME}").json().get("status") == status, 60)


def _desk_action(page: Page, action: str, reason: str | None = None) -> None:
    item = page.locator(f'li[data-action="{action}"]')
    if reason is not None:
        item.get_by_role("textbox").fill(reason)
    item.get_by_role("button").click()


def _score_all_sheets(
    page: Page, console: Console, shots: Shots, names: list[str], criteria: list[dict[str, Any]]
) -> None:
    """Each demo expert scores every sheet assigned to them on their scoring page."""
    seen: dict[str, int] = {}
    for expert in ("expert.1", "expert.2", "expert.3"):
        sign_in(page, console, expert)
        expect(page.get_by_role("heading", name="我的评分表")).to_be_visible()
        links = page.locator("tbody tr a")
        expect(links).to_have_count(len(names))
        for name in names:
            page.goto(console.base + "/reviewer")
            page.get_by_role("link", name=name).click()
            expect(page.get_by_role("heading", name=name)).to_be_visible()
            page.wait_for_load_state("load")  # the document viewer laid out: nothing moves under the clicks
            form = page.locator("form.score-form")
            index = names.index(name)
            share = SHARES[index][seen.get(name, 0)]
            seen[name] = seen.get(name, 0) + 1
            values = {}
            for c in criteria:
                group = form.get_by_role("group", name=c["name_zh"])
                values[group.get_by_label("得分")] = f"{round(c['max_points'] * share * 2) / 2:g}"  # step 0.5
                values[group.get_by_label("评分理由")] = f"{c['name_zh']}：依据申报材料评分。"
            # Filled, then checked: the document viewer beside the form may take the focus while it loads.
            for _ in range(3):
                for field, value in values.items():
                    if field.input_value() != value:
                        field.fill(value)
            for field, value in values.items():
                expect(field).to_have_value(value)
            if expert == "expert.1" and index == 0:
                shots(page, "reviewer-scoring")
            form.get_by_role("button", name="提交评分").click()
            expect(page.get_by_test_id("sheet-status")).to_have_text("已提交")


def test_a_whole_batch_through_the_console_then_an_auditor_verifies(
    fresh_console: Console, page: Page, shots: Shots
) -> None:
    console = fresh_console
    # --- the desk: batch 2 is a draft; only "open" is allowed, the others say why not ---
    sign_in(page, console, "mee.li")
    expect(page).to_have_url(re.compile(f"{DESK}$"))
    expect(page.get_by_test_id("state")).to_have_text("草稿")
    expect(page.locator('li[data-action="open"]')).to_have_attribute("data-allowed", "yes")
    for action in ("close", "start-evaluation", "publish", "conclude"):
        expect(page.locator(f'li[data-action="{action}"]')).to_have_attribute("data-allowed", "no")
        expect(page.locator(f'li[data-action="{action}"] button')).to_be_disabled()
    expect(page.locator('li[data-action="close"]')).to_contain_text("仅在“申报受理中”状态下可用，当前为“草稿”")
    shots(page, "desk-draft")
    _desk_action(page, "open", "环办科财函〔2023〕79号印发")
    expect(page.get_by_role("status").filter(has_text="已开放申报")).to_be_visible()
    expect(page.get_by_test_id("state")).to_have_text("申报受理中")
    expect(page.get_by_test_id("days-left")).to_contain_text("距截止还有")
    _intake_knows_the_open_batch(console)

    # --- provinces submit (the issue-16 helpers: the province pages are tested there) ---
    ids: dict[str, str] = {}
    for sub, name in PROJECTS:
        with console.api(sub) as province:
            ids[name] = submit_complete_application(province, name)
    with console.api("sd.liu") as shandong:
        _submit_ineligible(shandong)
    names = [name for _, name in PROJECTS]

    page.reload()
    expect(page.get_by_test_id("submitted")).to_contain_text("4")
    provinces = page.get_by_test_id("chart-provinces")
    expect(provinces.locator("g[data-label]")).to_have_count(32)  # all 32 provincial units, zeros included
    for unit, count in (("江苏", "2"), ("浙江", "1"), ("山东", "1"), ("北京", "0")):
        expect(provinces.locator(f'g[data-label="{unit}"]')).to_have_attribute("data-value", count)
    verdicts = page.get_by_test_id("chart-verdicts")
    expect(verdicts.locator('g[data-label="符合申报条件"]')).to_have_attribute("data-value", "3")
    expect(verdicts.locator('g[data-label="不符合申报条件"]')).to_have_attribute("data-value", "1")
    expect(page.get_by_test_id("chart-rules").locator('g[data-label="生态环境问题记录"]')).to_have_attribute(
        "data-value", "1"
    )
    expect(page.get_by_test_id("quota-table").get_by_role("row", name=re.compile("江苏省"))).to_contain_text("2/5")
    shots(page, "desk-open-with-submissions")

    # --- closing before the deadline is refused by the registry, with its reason in Chinese ---
    _desk_action(page, "close")
    expect(page.get_by_role("alert")).to_contain_text("截止")
    expect(page.get_by_test_id("state")).to_have_text("申报受理中")
    shots(page, "close-refused-before-deadline")
    page.get_by_label("演示环境：业务时间调至（北京时间）").fill("2023-04-08T09:00")
    page.get_by_role("button", name="调整业务时间").click()
    expect(page.get_by_test_id("business-time")).to_have_text("2023年4月8日 09:00（北京时间）")
    _desk_action(page, "close", "申报截止")
    expect(page.get_by_test_id("state")).to_have_text("申报已截止")
    expect(page.locator('li[data-action="start-evaluation"]')).to_have_attribute("data-allowed", "yes")
    shots(page, "desk-closed")
    _evaluation_status(console, "CLOSED")
    with console.api("mee.li") as ministry:
        eventually(
            lambda: len(json_of(ministry.get(f"/evaluation/programmes/{PROGRAMME}/assignments"))) == len(names), 60
        )
        criteria = json_of(ministry.get(f"/evaluation/programmes/{PROGRAMME}"))["scoring"]["criteria"]

    # --- evaluation: the experts without demo accounts are paused (with a reason), then the automatic assignment ---
    page.get_by_role("link", name="专家评审").click()
    for expert in ("expert.4", "expert.5", "expert.6"):
        row = page.locator(f'tr[data-reviewer="{expert}"]')
        row.get_by_role("textbox").fill("演示：本轮仅安排有演示账号的专家")
        row.get_by_role("button", name="暂停").click()
        expect(page.locator(f'tr[data-reviewer="{expert}"]')).to_contain_text("否")
    page.get_by_role("button", name="自动分配").click()
    expect(page.get_by_role("status").filter(has_text="已自动分配评审专家")).to_be_visible()
    expect(page.get_by_test_id("assignment-run")).to_contain_text("本次新分配 9 份评分表")
    rows = page.get_by_test_id("assignments").locator("tbody tr")
    expect(rows).to_have_count(3)
    for name in names:
        row = page.get_by_test_id("assignments").get_by_role("row", name=re.compile(name))
        for reviewer in ("张教授", "李研究员", "王高工"):
            expect(row).to_contain_text(reviewer)
    expect(page.get_by_test_id("progress")).to_have_text("已提交评分表 0/9")
    expect(page.locator("main")).not_to_contain_text(re.compile(r"\b[A-Z]+_[A-Z_]+\b"))  # expertise by name, not code
    shots(page, "evaluation-assigned")
    page.get_by_role("navigation", name="批次工作").get_by_role("link", name="批次工作台").click()
    page.locator('li[data-action="start-evaluation"] button').click()
    expect(page.get_by_test_id("state")).to_have_text("评审中")
    _evaluation_status(console, "UNDER_EVALUATION")

    # --- the experts score on their pages (issue 16) ---
    _score_all_sheets(page, console, shots, names, criteria)

    # --- moderation: the outlier beside the other scores, kept with a reason ---
    sign_in(page, console, "mee.li")
    page.goto(console.base + DESK + "/evaluation")
    expect(page.get_by_test_id("progress")).to_have_text("已提交评分表 9/9")
    outlier = page.get_by_test_id("outlier")
    expect(outlier).to_have_count(1)
    expect(outlier.get_by_role("heading")).to_have_text(names[0])
    expect(outlier.get_by_test_id("outlier-total")).to_have_text(re.compile(r"^3\d(\.\d)?$"))
    expect(outlier.locator("tbody tr")).to_have_count(3)  # the outlier and the two other reviewers' totals
    shots(page, "moderation-queue")
    outlier.get_by_label("复核意见").fill("专家对技术路线有保留意见，评分依据充分，予以确认")
    outlier.get_by_role("button", name="确认该评分").click()
    expect(page.get_by_role("status").filter(has_text="已确认该评分")).to_be_visible()
    expect(page.get_by_test_id("no-outliers")).to_be_visible()

    # --- ranking, overall and per type, each place with its reason; the export named by batch and date ---
    page.get_by_role("link", name="评审排名").click()
    ranking = page.get_by_test_id("ranking").locator("tbody tr")
    expect(ranking).to_have_count(3)
    for position, name in enumerate([names[1], names[2], names[0]]):
        expect(ranking.nth(position)).to_contain_text(name)
        expect(ranking.nth(position).get_by_test_id("why")).not_to_be_empty()
    expect(ranking.first).to_contain_text("苏州工业园区管理委员会")
    shots(page, "ranking")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出排名（XLSX）").click()
    download = download_info.value
    assert download.suggested_filename == "2023-B2-评审排名-20230408.xlsx"
    sheet = load_workbook(io.BytesIO(download.path().read_bytes()))["排名"]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "苏州工业园区管理委员会" in cells and names[1] in cells
    assert any(re.fullmatch(r"2023-03-2\d \d\d:\d\d（北京时间）", c) for c in cells), cells
    page.get_by_role("link", name="重点行业清洁生产整体审核创新").click()
    expect(page.get_by_test_id("ranking").locator("tbody tr")).to_have_text(["尚无可排名的申报。"])

    # --- selection with a target, both sign-offs, publication ---
    page.get_by_role("link", name="遴选与会签").click()
    page.get_by_label("拟入选项目数").fill("2")
    page.get_by_label("每省上限（留空为不限）").fill("2")
    page.get_by_role("button", name="保存数量与上限").click()
    expect(page.get_by_role("status").filter(has_text="入选数量和上限已保存")).to_be_visible()
    page.get_by_role("button", name="按排名提出建议名单").click()
    proposal = page.get_by_test_id("proposal")
    expect(proposal.locator('tr[data-selected="yes"]')).to_have_count(2)
    approved = [names[1], names[2]]
    for name in approved:
        expect(proposal.get_by_role("row", name=re.compile(name))).to_have_attribute("data-selected", "yes")
    expect(page.get_by_role("button", name="公布名单")).to_be_disabled()
    page.get_by_role("button", name="以本单位名义会签当前名单").click()
    expect(page.get_by_test_id("signer-MEE")).to_have_text("mee.li")
    expect(page.get_by_test_id("signer-NDRC")).to_have_text("未签")
    shots(page, "selection-mee-signed")
    sign_in(page, console, "ndrc.zhang")
    page.goto(console.base + DESK + "/selection")
    page.get_by_role("button", name="以本单位名义会签当前名单").click()
    expect(page.get_by_test_id("signer-NDRC")).to_have_text("ndrc.zhang")
    expect(page.get_by_test_id("signer-MEE")).to_have_text("mee.li")
    page.get_by_label("公布文号").fill(DOCUMENT_NUMBER)
    shots(page, "selection-both-signed")
    page.get_by_role("button", name="公布名单").click()
    expect(page.get_by_test_id("published")).to_contain_text(DOCUMENT_NUMBER)
    shots(page, "selection-published")

    # --- the pilots appear; the desk shows the batch published ---
    with console.api("mee.li") as ministry:
        eventually(lambda: json_of(ministry.get("/registry/pilots", params={"programme_id": PROGRAMME}))["total"] == 2)
        eventually(lambda: json_of(ministry.get(f"/registry/programmes/{PROGRAMME}"))["status"] == "RESULTS_PUBLISHED")
    page.goto(console.base + DESK)
    expect(page.get_by_test_id("state")).to_have_text("已公布名单")
    expect(page.locator('li[data-action="conclude"]')).to_have_attribute("data-allowed", "yes")
    shots(page, "desk-published")
    page.get_by_role("link", name="试点实施").click()
    pilots = page.get_by_test_id("pilots").locator("tbody tr")
    expect(pilots).to_have_count(2)
    for name in approved:
        expect(page.get_by_test_id("pilots")).to_contain_text(name)
    expect(pilots.first).to_contain_text("2023年4月8日")
    shots(page, "pilots")
    page.get_by_role("link", name=approved[0]).click()
    expect(page.get_by_role("heading", name=approved[0])).to_be_visible()
    shots(page, "pilot")
    page.locator("main ul").last.get_by_role("link").first.click()  # a member enterprise's credit code
    expect(page.get_by_role("heading", name="视同开展清洁生产审核查询")).to_be_visible()
    expect(page.get_by_test_id("credits")).to_contain_text("该企业暂无视同审核记录")  # not assessed yet
    shots(page, "credits")
    page.get_by_role("link", name="登记信息").click()
    expect(page.get_by_test_id("findings")).to_contain_text("第二轮中央生态环境保护督察")
    expect(page.get_by_test_id("pilot-objects")).to_contain_text("苏州工业园区")
    # Codes read as the glossary's words: kinds, park types and sources, never the services' enum values.
    expect(page.get_by_test_id("pilot-objects")).to_contain_text("工业园区（化工园区）")
    expect(page.get_by_test_id("findings")).to_contain_text("中央生态环境保护督察")
    expect(page.locator("main")).not_to_contain_text(
        re.compile(r"PARK_MANAGEMENT_BODY|INDUSTRIAL_PARK|CENTRAL_INSPECTION")
    )
    shots(page, "registry")

    # --- the approved list: page (printable), PDF and XLSX named by batch and date ---
    page.goto(console.base + DESK + "/approved-list")
    expect(page.get_by_test_id("document-number")).to_have_text(DOCUMENT_NUMBER)
    expect(page.get_by_role("heading", name="第二批清洁生产审核创新试点项目名单")).to_be_visible()
    for name in approved:
        expect(page.get_by_test_id("approved-list")).to_contain_text(name)
    expect(page.get_by_test_id("approved-list")).not_to_contain_text(names[0])
    shots(page, "approved-list")
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    shots(page, "approved-list-print")
    page.emulate_media(media="screen")
    with page.expect_download() as download_info:
        page.get_by_test_id("pdf").click()
    pdf_download = download_info.value
    assert pdf_download.suggested_filename == "2023-B2-试点项目名单-20230408.pdf"
    reader = PdfReader(pdf_download.path())
    text = "".join(p.extract_text() for p in reader.pages)
    compact = re.sub(r"\s+", "", text)
    assert DOCUMENT_NUMBER in compact, text
    for name in approved:
        assert name in compact, (name, text)
    assert names[0] not in compact and "苏州高新区" in compact
    with page.expect_download() as download_info:
        page.get_by_test_id("xlsx").click()
    xlsx = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))["试点项目名单"]
    listed = [[c.value for c in row] for row in xlsx.iter_rows(min_row=3)]
    assert [row[2] for row in listed] == approved
    assert all(row[3] for row in listed)  # the applicant's name

    # --- an auditor: the timeline across the three services, the state as of a date, verification ---
    chosen = ids[approved[0]]
    sign_in(page, console, "audit.zhou")
    expect(page).to_have_url(re.compile(r"/auditor$"))
    page.get_by_label("查询内容").fill(chosen)
    shots(page, "auditor-find")
    page.get_by_role("button", name="查询").click()
    timeline = page.get_by_test_id("timeline")
    for service in ("application-intake", "evaluation", "pilot-registry"):
        expect(timeline.locator(f'tr[data-service="{service}"]').first).to_be_visible()
    submitted = timeline.get_by_role("row", name=re.compile("提交申报")).first
    expect(submitted).to_contain_text("js.wang（省级主管部门，江苏省）")
    # What changed reads as words and Beijing time, not as the event's field codes and ISO instants.
    expect(submitted.locator("td.changes")).to_contain_text("占用名额")
    expect(submitted.locator("td.changes")).to_contain_text("（北京时间）")
    expect(submitted.locator("td.changes")).not_to_contain_text("submitted_at")
    expect(timeline).to_contain_text("2023年4月8日")
    shots(page, "auditor-timeline")
    page.get_by_role("link", name="某时状态与对比").click()
    page.get_by_label("日期（当日结束时，北京时间）").fill("2023-04-01")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("then-state")).to_contain_text("符合申报条件")
    expect(page.get_by_test_id("now-state")).to_contain_text("已入选")
    expect(page.get_by_test_id("diff").get_by_role("row", name=re.compile("^status"))).to_contain_text("APPROVED")
    shots(page, "auditor-state-diff")
    page.get_by_role("link", name="资格审查结论重算").click()
    expect(page.get_by_test_id("verdicts-reproduced")).to_contain_text("结果一致")
    history = page.request.get(f"{console.base}/auditor/applications/{chosen}/history.csv")
    assert history.ok and history.text().startswith("\ufeff业务时间（北京时间）")
    assert approved[0] in history.text() and "js.wang" in history.text()
    assert '"slot_number"' in history.text()  # the export keeps each event's whole data
    page.goto(console.base + f"/auditor/applications/{chosen}")
    page.get_by_role("link", name="运行完整性验证").click()
    expect(page.get_by_test_id("verify-summary")).to_contain_text("全部 3 个服务验证通过")
    for row in page.get_by_test_id("verify-report").locator("tbody tr").all():
        expect(row).to_have_attribute("data-ok", "yes")
    shots(page, "auditor-verify")
    page.goto(console.base + f"/auditor/programmes/{PROGRAMME}/replay")
    expect(page.get_by_test_id("replay-result")).to_contain_text("名单可由事件完整重现")
    shots(page, "auditor-replay")
    # Read-only: no page of the auditor's has a form that posts, but for signing out.
    for path in ("/auditor", f"/auditor/applications/{chosen}", "/auditor/verify?run=1"):
        page.goto(console.base + path)
        expect(page.locator("form[method=post]")).to_have_count(1)
        expect(page.locator("form[method=post]")).to_have_attribute("action", "/signout")
    page.goto(console.base + DESK)
    expect(page.get_by_role("heading", name="无权访问此页面")).to_be_visible()
