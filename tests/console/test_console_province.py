"""A provincial department in the browser: drafts a complete application through the wizard, finds a failing rule
with the self-check, fixes it where the check points, submits with the slot named, and gets its receipt; it cannot
open another province's application by URL."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.console.conftest import PROGRAMME, Console, Shots, json_of, pdf, sign_in, submit_complete_application

PROJECT = "苏州工业园区清洁生产整体审核创新试点"


def _save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="保存并继续").click()
    expect(page.get_by_role("status").filter(has_text="已保存")).to_be_visible()
    page.wait_for_load_state("load")  # the page's script (the upload check) is in place


def _upload(page: Page, kind_label: str | None, file: Path) -> None:
    if kind_label is not None:
        page.get_by_label("附件类型").select_option(label=kind_label)
    page.locator('input[type="file"]').set_input_files(str(file))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_role("status").filter(has_text=f"已上传：{file.name}")).to_be_visible()


def test_a_province_drafts_checks_fixes_and_submits(
    open_batch: Console, page: Page, shots: Shots, tmp_path: Path
) -> None:
    files = {}
    for name in ("试点实施方案", "省生态环境厅推荐函", "省发展改革委推荐函", "资金承诺函"):
        files[name] = tmp_path / f"{name}.pdf"
        files[name].write_bytes(pdf(name))
    wrong = tmp_path / "说明.txt"
    wrong.write_text("不是PDF")

    sign_in(page, open_batch, "js.wang")
    page.get_by_role("link", name="新建申报").first.click()
    expect(page.get_by_role("heading", name="新建申报")).to_be_visible()
    # Each pilot type with the notice's words for its pilot object.
    expect(page.get_by_text("试点对象：园区企业集群")).to_be_visible()
    page.get_by_label(re.compile("工业园区（产业集群）清洁生产整体审核创新")).check()
    page.get_by_label("项目名称").fill(PROJECT)
    page.get_by_label("申报主体（本省登记的机构）").select_option(label="苏州工业园区管理委员会")
    page.get_by_label("实施主体").select_option(label="苏州工业园区管理委员会")
    page.get_by_label("试点对象（本省登记）").select_option(label="苏州工业园区")
    shots(page, "new-application")
    page.get_by_role("button", name="创建草稿").click()

    # 1. details: target industries found by code or by name (htmx search)
    expect(page.get_by_role("heading", name="基本信息")).to_be_visible()
    page.get_by_label("按名称或代码搜索").fill("2614")
    page.locator("#industry-results").get_by_label(re.compile("2614")).check()
    shots(page, "step-details")
    _save_and_continue(page)

    # 2. foundation
    expect(page.get_by_role("heading", name="清洁生产工作基础")).to_be_visible()
    page.get_by_label(re.compile("工作基础")).fill("园区2019年起组织52家企业完成清洁生产审核，建成能源管理中心。")
    shots(page, "step-foundation")
    _save_and_continue(page)

    # 3. funding in 万元, committed, but no evidence yet (the self-check will find it)
    expect(page.get_by_role("heading", name="资金计划")).to_be_visible()
    page.get_by_label("第1行出资方").fill("苏州工业园区财政局")
    page.get_by_label("第1行金额（万元）").fill("300")
    page.get_by_label("第1行是否已落实").select_option("yes")
    shots(page, "step-funding")
    _save_and_continue(page)

    # 4. plan: the outline's seven sections and their sub-sections
    expect(page.get_by_role("heading", name="实施方案（按编制大纲）")).to_be_visible()
    areas = page.locator("textarea[name^=section_]")
    expect(areas).to_have_count(13)
    for index in range(areas.count()):
        areas.nth(index).fill(f"{PROJECT}：第{index + 1}部分内容。")
    shots(page, "step-plan")
    _save_and_continue(page)

    # 5. schedule
    expect(page.get_by_role("heading", name="进度安排")).to_be_visible()
    for row, (title, start, due) in enumerate(
        [("启动与诊断", "2023-08-01", "2023-09-30"), ("总结评估", "2024-05-01", "2024-07-31")], start=1
    ):
        page.get_by_label(f"第{row}个进度节点").fill(title)
        page.get_by_label(f"第{row}个节点开始日期").fill(start)
        page.get_by_label(f"第{row}个节点完成日期").fill(due)
    shots(page, "step-schedule")
    _save_and_continue(page)

    # 6. attachments: the type is checked before upload; a running total against the 50M limit
    expect(page.get_by_role("heading", name="附件", exact=True)).to_be_visible()
    expect(page.get_by_test_id("package-total")).to_contain_text("/ 上限 50M")
    page.locator('input[type="file"]').set_input_files(str(wrong))
    expect(page.locator(".file-check")).to_have_text("只接受PDF、OFD、Word（.docx）文件")
    _upload(page, "试点实施方案", files["试点实施方案"])
    _upload(page, "省级生态环境部门推荐函", files["省生态环境厅推荐函"])
    expect(page.get_by_role("row", name=re.compile("试点实施方案.pdf"))).to_be_visible()
    shots(page, "step-attachments")
    page.get_by_role("link", name="下一步：自查").click()

    # The self-check: every rule with its result. The development-and-reform letter is missing (PACKAGE fails) and
    # the committed funding has no evidence (FOUNDATION warns).
    expect(page.get_by_role("heading", name="自查与提交")).to_be_visible()
    expect(page.locator("tr[data-rule]")).to_have_count(10)
    package = page.locator('tr[data-rule="PACKAGE"]')
    expect(package).to_have_attribute("data-status", "FAIL")
    expect(package).to_contain_text("不通过")
    expect(package).to_contain_text("申报材料缺少省级发展改革部门推荐函")
    foundation = page.locator('tr[data-rule="FOUNDATION"]')
    expect(foundation).to_have_attribute("data-status", "WARNING")
    expect(foundation).to_contain_text("未附证明材料")
    for rule in ("WINDOW", "QUOTA", "APPLICANT_LEVEL", "SAME_ENTITY", "PROVINCE_MATCH", "TYPE_SCOPE", "PLAN"):
        expect(page.locator(f'tr[data-rule="{rule}"]')).to_have_attribute("data-status", "PASS")
    expect(page.get_by_test_id("outcome")).to_contain_text("不符合申报条件")
    shots(page, "self-check-fails")

    # Each link leads to the field that fixes it: the upload for the letter ...
    package.get_by_role("link", name="去修改").click()
    expect(page).to_have_url(re.compile(r"/edit/attachments#field-upload$"))
    _upload(page, "省级发展改革部门推荐函", files["省发展改革委推荐函"])
    page.get_by_role("link", name="下一步：自查").click()
    expect(page.locator('tr[data-rule="PACKAGE"]')).to_have_attribute("data-status", "PASS")
    shots(page, "self-check-package-fixed")

    # ... and the funding step, where the evidence is uploaded and chosen
    page.locator('tr[data-rule="FOUNDATION"]').get_by_role("link", name="去修改").click()
    expect(page.get_by_role("heading", name="资金计划")).to_be_visible()
    _upload(page, None, files["资金承诺函"])
    page.get_by_label("第1行证明材料").select_option(label="资金承诺函.pdf")
    expect(page.get_by_label("第1行金额（万元）")).to_have_value("300")
    shots(page, "funding-fixed")
    page.get_by_role("button", name="保存并自查").click()

    expect(page.locator('tr[data-rule="FOUNDATION"]')).to_have_attribute("data-status", "PASS")
    expect(page.locator('tr[data-rule="FOUNDATION"]')).to_contain_text("300万元")
    expect(page.locator('tr[data-status="FAIL"], tr[data-status="WARNING"]')).to_have_count(0)
    expect(page.get_by_test_id("outcome").locator("strong")).to_have_text("符合申报条件")
    # "Check again" refreshes the verdict in place (htmx)
    page.get_by_role("button", name="重新自查").click()
    expect(page.locator('tr[data-rule="FOUNDATION"]')).to_have_attribute("data-status", "PASS")
    shots(page, "self-check-passes")

    # Submit, with a confirmation that names the slot it will take
    page.get_by_role("link", name="提交申报…").click()
    expect(page.get_by_test_id("slot")).to_have_text(re.compile("占用江苏省第1个推荐名额（共5个）"))
    shots(page, "submit-confirmation")
    page.get_by_role("button", name="确认提交").click()

    # The receipt (申报回执) with the subject line, printable
    expect(page.get_by_role("heading", name="申报回执")).to_be_visible()
    expect(page.get_by_test_id("subject-line")).to_have_text(f"2023+{PROJECT}+苏州工业园区管理委员会")
    expect(page.get_by_test_id("slot-number")).to_have_text("第1个")
    expect(page.get_by_test_id("verdict")).to_have_text("符合申报条件")
    expect(page.get_by_text(re.compile(r"2023年3月2\d日 \d\d:\d\d（北京时间）"))).to_be_visible()
    shots(page, "receipt")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="打印回执")).to_be_hidden()
    expect(page.locator("header.top")).to_be_hidden()
    shots(page, "receipt-print")
    page.emulate_media(media="screen")

    page.goto(open_batch.base + "/province")
    expect(page.get_by_test_id("quota")).to_contain_text("已推荐 1/5")
    expect(page.get_by_role("link", name=PROJECT)).to_be_visible()
    shots(page, "province-home-after")

    # What the services recorded is what the pages said
    with open_batch.api("js.wang") as jiangsu:
        listed = json_of(jiangsu.get("/intake/applications", params={"programme_id": PROGRAMME}))["items"]
        submitted = next(a for a in listed if a["project_name"] == PROJECT)
        assert submitted["status"] == "ELIGIBLE" and submitted["slot_number"] == 1


def test_a_province_cannot_open_another_provinces_application(open_batch: Console, page: Page, shots: Shots) -> None:
    with open_batch.api("zj.chen") as zhejiang:
        organisation = json_of(zhejiang.get("/registry/organisations"))["items"][0]
        park = json_of(zhejiang.get("/registry/pilot-objects"))["items"][0]
        draft = json_of(
            zhejiang.post(
                "/intake/applications",
                json={
                    "programme_id": PROGRAMME,
                    "pilot_type": "PARK_CLUSTER",
                    "project_name": "绍兴柯桥印染产业集群清洁生产试点",
                    "applicant_organisation_id": organisation["id"],
                    "implementer_organisation_id": organisation["id"],
                    "pilot_object_id": park["id"],
                },
            ),
            201,
        )

    sign_in(page, open_batch, "js.wang")
    for path in ("", "/edit/details", "/check", "/receipt"):
        page.goto(f"{open_batch.base}/province/applications/{draft['id']}{path}")
        # Intake refuses it (another province's: 403 FORBIDDEN_PROVINCE); the console shows the refusal, no content
        expect(page.get_by_role("heading", name=re.compile("无权访问此页面|未找到，或您无权查看"))).to_be_visible()
        expect(page.get_by_text("绍兴柯桥印染产业集群清洁生产试点")).to_have_count(0)
        expect(page.get_by_role("textbox")).to_have_count(0)
    shots(page, "other-province-refused")

    # A form posted to it is refused as well (by intake), and nothing changes
    page.goto(f"{open_batch.base}/province")
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    answer = page.request.post(
        f"{open_batch.base}/province/applications/{draft['id']}/discard",
        form={"csrf_token": token or "", "reason": "不是本省的"},
    )
    assert answer.status in (403, 404)  # back to the application's page, which refuses it
    with open_batch.api("zj.chen") as zhejiang:
        assert json_of(zhejiang.get(f"/intake/applications/{draft['id']}"))["status"] == "DRAFT"


def test_a_province_answers_an_amendment_withdraws_and_discards(open_batch: Console, page: Page, shots: Shots) -> None:
    name = "苏州工业园区补正演示试点"
    with open_batch.api("js.wang") as jiangsu:
        submitted = submit_complete_application(jiangsu, name)
        draft_name = "误建的草稿"
        organisation = json_of(jiangsu.get(f"/intake/applications/{submitted}"))["details"]
    with open_batch.api("mee.li") as ministry:  # the ministry's desk is the next console issue
        asked = ministry.post(
            f"/intake/applications/{submitted}/amendment-requests",
            json={"sections": ["FOUNDATION"], "reason": "工作基础描述过于简略"},
        )
        assert json_of(asked)["status"] == "AMENDMENT_REQUESTED"

    sign_in(page, open_batch, "js.wang")
    expect(page.get_by_role("heading", name="待补正（1）")).to_be_visible()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_test_id("status")).to_have_text("待补正")
    expect(page.locator("#amendment")).to_contain_text("需补正的部分：清洁生产工作基础")
    # What was asked, why, by whom and when (business time), beside the answer
    request = page.get_by_test_id("amendment-request")
    expect(request.get_by_test_id("amendment-reason")).to_have_text("工作基础描述过于简略")
    expect(request).to_contain_text(re.compile(r"提出人\s*生态环境部 mee\.li"))
    expect(request).to_contain_text(re.compile(r"提出时间\s*2023年3月\d+日 \d\d:\d\d（北京时间）"))
    shots(page, "amendment-requested")
    page.get_by_role("link", name="继续填写").click()
    page.get_by_role("navigation", name="填写步骤").get_by_role("link", name="2. 清洁生产工作基础").click()
    page.get_by_label(re.compile("工作基础")).fill(
        "园区2019年起组织52家企业完成清洁生产审核，2022年建成能源管理中心，年节能1.2万吨标准煤。"
    )
    page.get_by_role("button", name="保存并去完成补正").click()
    page.get_by_label("补正说明").fill("已补充工作基础和节能量")
    shots(page, "amendment-answer")
    page.get_by_role("button", name="完成补正并重新审查").click()
    expect(page.get_by_role("status").filter(has_text="补正已完成")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("符合申报条件")

    # Withdraw (before the deadline; the slot is freed)
    page.get_by_text("撤回申报", exact=True).click()
    page.get_by_label("撤回理由").fill("园区规划调整，撤回申报")
    shots(page, "withdraw")
    page.get_by_role("button", name="确认撤回（释放名额）").click()
    expect(page.get_by_test_id("status")).to_have_text("已撤回")
    expect(page.get_by_text("园区规划调整，撤回申报")).to_be_visible()

    # Discard a draft made by mistake: it leaves the list
    page.goto(open_batch.base + "/province/applications/new")
    page.get_by_label(re.compile("工业园区（产业集群）清洁生产整体审核创新")).check()
    page.get_by_label("项目名称").fill(draft_name)
    page.get_by_label("申报主体（本省登记的机构）").select_option(organisation["applicant_organisation_id"])
    page.get_by_label("实施主体").select_option(organisation["applicant_organisation_id"])
    page.get_by_label("试点对象（本省登记）").select_option(organisation["pilot_object_id"])
    page.get_by_role("button", name="创建草稿").click()
    expect(page.get_by_role("heading", name="基本信息")).to_be_visible()
    page.get_by_role("link", name="本省申报").click()
    page.get_by_role("link", name=draft_name).click()
    page.get_by_text("作废草稿", exact=True).click()
    page.get_by_label("作废理由").fill("误建")
    page.get_by_role("button", name="确认作废").click()
    expect(page.get_by_role("status").filter(has_text="草稿已作废")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/province$"))
    expect(page.get_by_role("link", name=draft_name)).to_have_count(0)
    expect(page.get_by_role("heading", name="已撤回（1）")).to_be_visible()
    shots(page, "home-after-withdraw-and-discard")
