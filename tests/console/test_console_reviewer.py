"""An expert reviewer in the browser: their sheets only; the assigned application's plan sections and attachments
(the browser's own PDF viewer) beside the score form; score, save, submit. They cannot open an application or a
sheet not assigned to them. The batch gets there by the API tour's steps (the ministry's desk is the next issue)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.console.conftest import (
    PROGRAMME,
    Console,
    Shots,
    json_of,
    open_batch_2,
    sign_in,
    submit_complete_application,
)
from tests.services.conftest import eventually

DEMO_REVIEWERS = ("expert.1", "expert.2", "expert.3")


def _batch_under_evaluation(console: Console) -> tuple[dict[str, str], list[dict[str, Any]], dict[str, str]]:
    """Three eligible applications, the batch closed, reviewers assigned, the evaluation started. Returns the
    applications' names by id, the assignments and the reviewers' user ids by reviewer id."""
    open_batch_2(console)
    names = {}
    submitters = [("js.wang", "苏州工业园区试点"), ("js.wang", "苏州高新区试点")]
    submitters += [("zj.chen", "柯桥印染集群试点"), ("zj.chen", "柯桥纺织印染试点")]
    for sub, name in submitters:
        with console.api(sub) as province:
            names[submit_complete_application(province, name)] = name
    with console.api("mee.li") as ministry:
        json_of(ministry.post("/registry/clock/advance", json={"to": "2023-04-08T09:00:00+08:00"}))
        assert json_of(ministry.post(f"/registry/programmes/{PROGRAMME}/close", json={}))["status"] == "CLOSED"

        def evaluation_ready() -> bool:
            apps = ministry.get("/evaluation/applications", params={"programme_id": PROGRAMME}).json()["items"]
            eligible = {a["id"] for a in apps if a["eligibility_outcome"] == "ELIGIBLE"}
            programme = ministry.get(f"/evaluation/programmes/{PROGRAMME}").json()
            return eligible == set(names) and programme.get("status") == "CLOSED"

        eventually(evaluation_ready, timeout=60)
        run = json_of(ministry.post(f"/evaluation/programmes/{PROGRAMME}/assignments"))
        assert run["complete"] is True
        reviewers = json_of(ministry.get("/evaluation/reviewers", params={"page_size": 100}))["items"]
        json_of(ministry.post(f"/registry/programmes/{PROGRAMME}/start-evaluation"))
        eventually(
            lambda: ministry.get(f"/evaluation/programmes/{PROGRAMME}").json().get("status") == "UNDER_EVALUATION",
            timeout=60,
        )
    return names, run["new_assignments"], {r["id"]: r["user_id"] for r in reviewers}


def test_a_reviewer_scores_the_assigned_application_beside_its_form(
    fresh_console: Console, page: Page, shots: Shots
) -> None:
    names, assignments, user_of = _batch_under_evaluation(fresh_console)
    by_user: dict[str, list[dict[str, Any]]] = {}
    for assignment in assignments:
        by_user.setdefault(user_of[assignment["reviewer_id"]], []).append(assignment)
    # A demo reviewer with two sheets (one to score, one to decline) and an application that is not theirs
    # (3 of the 6 experts review each of the 4 applications).
    candidates = [u for u in DEMO_REVIEWERS if 2 <= len(by_user.get(u, [])) < len(names)]
    assert candidates, {u: len(by_user.get(u, [])) for u in DEMO_REVIEWERS}
    expert = candidates[0]
    mine = by_user[expert]
    assigned = {a["application_id"] for a in mine}
    unassigned = next(a for a in names if a not in assigned)
    others_sheet = next(a["sheet_id"] for a in assignments if a["application_id"] == unassigned)
    first = mine[0]
    with fresh_console.api(expert) as reviewer:  # intake lets them read it once it learns of the assignment
        eventually(lambda: reviewer.get(f"/intake/applications/{first['application_id']}").status_code == 200, 60)

    # The ministry sets the scoring due date on its evaluation page (business today: 2023年4月8日), then moves it
    sign_in(page, fresh_console, "mee.li")
    page.goto(f"{fresh_console.base}/ministry/programmes/{PROGRAMME}/evaluation")
    due = page.get_by_test_id("scoring-deadline")
    expect(due).to_contain_text("尚未设定")
    due.get_by_label("评审截止日期（北京时间）").fill("2023-04-18")
    due.get_by_role("button", name="设定截止日期").click()
    expect(page.get_by_role("status").filter(has_text="评审截止日期已设定")).to_be_visible()
    expect(due.get_by_test_id("due-date")).to_have_text("2023年4月18日")
    due.get_by_label("评审截止日期（北京时间）").fill("2023-04-20")
    due.get_by_label("更改理由").fill("部分专家申请延期")
    due.get_by_role("button", name="更改截止日期").click()
    expect(due.get_by_test_id("due-date")).to_have_text("2023年4月20日")
    expect(due).to_contain_text("还剩12天")
    expect(due).to_contain_text("由 2023年4月18日 改为 2023年4月20日：部分专家申请延期")
    shots(page, "ministry-scoring-deadline")

    sign_in(page, fresh_console, expert)
    expect(page).to_have_url(re.compile(r"/reviewer$"))
    expect(page.get_by_role("heading", name="我的评分表")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(len(mine))
    for application_id, name in names.items():
        expect(page.get_by_role("link", name=name)).to_have_count(1 if application_id in assigned else 0)
    expect(page.get_by_text("评审中").first).to_be_visible()
    for due_cell in page.get_by_test_id("sheet-due").all():
        expect(due_cell).to_have_text("2023年4月20日还剩12天")
    shots(page, "my-sheets")
    # Past the due date the sheets are marked overdue; scoring is not refused (below, it is submitted late)
    with fresh_console.api("mee.li") as ministry:
        json_of(ministry.post("/registry/clock/advance", json={"to": "2023-04-21T09:00:00+08:00"}))
    page.reload()
    for due_cell in page.get_by_test_id("sheet-due").all():
        expect(due_cell).to_have_text("2023年4月20日⚠ 已逾期1天")
        expect(due_cell.locator(".overdue")).to_be_visible()
    shots(page, "my-sheets-overdue")

    page.get_by_role("link", name=names[first["application_id"]]).click()
    expect(page.get_by_role("heading", name=names[first["application_id"]])).to_be_visible()
    page.wait_for_load_state("networkidle")  # the PDF viewer beside has loaded its document
    # The application beside the form: its plan by the outline, its attachments in the browser's PDF viewer
    expect(page.get_by_role("heading", name="一、试点对象基本概况")).to_be_visible()
    late = "评审截止日期：2023年4月20日（已逾期1天） 逾期后仍可提交评分。"
    expect(page.get_by_test_id("sheet-due")).to_contain_text(late)
    expect(page.get_by_text(f"{names[first['application_id']]}：试点工作目标的内容。")).to_be_visible()
    document = page.get_by_test_id("document")
    expect(document).to_have_attribute("title", "试点实施方案.pdf")
    source = document.get_attribute("src")
    assert source is not None
    shown = page.request.get(fresh_console.base + source)
    assert shown.status == 200 and shown.headers["content-type"] == "application/pdf"
    assert shown.body().startswith(b"%PDF")
    expect(page.get_by_role("link", name=re.compile("省级生态环境部门推荐函：生态环境厅推荐函.pdf"))).to_be_visible()
    form = page.locator("form.score-form")
    expect(form.get_by_role("group")).to_have_count(6)
    expect(form.get_by_text("满分 25 分，权重 1；")).to_be_visible()
    # Each criterion says what to look at: the plan sections it reads (the system's reading of the outline)
    expect(form.get_by_role("group", name="特色与创新").get_by_test_id("guidance-INNOVATION")).to_contain_text(
        "评分要点：重点查看实施方案第五部分“试点工作特色及主要创新点”"
    )
    shots(page, "scoring-page")

    scores = {"试点基础": "16", "目标与内容": "20", "方法及技术路线": "12", "特色与创新": "15", "实施计划与保障": "8"}
    for criterion, score in scores.items():
        group = form.get_by_role("group", name=criterion)
        group.get_by_label("得分").fill(score)
        group.get_by_label("评分理由").fill(f"{criterion}：论证充分。")
    # Saved without one criterion: the service keeps nothing incomplete and says why
    form.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shots(page, "scoring-refused-incomplete")
    outcomes = form.get_by_role("group", name="预期成果及效益")
    outcomes.get_by_label("得分").fill("9")
    outcomes.get_by_label("评分理由").fill("成果可复制推广。")
    # The refused form came back as typed
    expect(form.get_by_role("group", name="试点基础").get_by_label("得分")).to_have_value("16")
    form.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").filter(has_text="评分已保存（未提交）")).to_be_visible()
    expect(form.get_by_role("group", name="目标与内容").get_by_label("得分")).to_have_value("20")
    shots(page, "scoring-saved")
    form.get_by_role("button", name="提交评分").click()
    expect(page.get_by_role("status").filter(has_text="评分已提交")).to_be_visible()
    expect(page.get_by_test_id("sheet-status")).to_have_text("已提交")
    expect(page.get_by_test_id("submitted-total")).to_contain_text("80")
    expect(page.get_by_test_id("sheet-due")).to_have_text("评审截止日期：2023年4月20日")  # submitted: no longer overdue
    shots(page, "scoring-submitted")
    with fresh_console.api(expert) as reviewer:
        sheet = json_of(reviewer.get(f"/evaluation/score-sheets/{first['sheet_id']}"))
        assert sheet["status"] == "SUBMITTED" and sheet["scores"]["OUTCOMES"] == 9

    # Moderation sends it back (ministry, by the API); the reviewer rescores with the reason in front of them
    with fresh_console.api("mee.li") as ministry:
        reason = "请结合实施方案第五部分重新评估创新性"
        json_of(ministry.post(f"/evaluation/score-sheets/{first['sheet_id']}/rescore", json={"reason": reason}))
    page.reload()
    expect(page.get_by_role("status").filter(has_text=f"需重新评分：{reason}")).to_be_visible()
    expect(page.get_by_text("第2轮评分")).to_be_visible()
    innovation = form.get_by_role("group", name="特色与创新")
    innovation.get_by_label("得分").fill("12")
    innovation.get_by_label("评分理由").fill("创新点与已有试点相近。")
    shots(page, "rescore")
    form.get_by_role("button", name="提交评分").click()
    expect(page.get_by_test_id("submitted-total")).to_contain_text("77")

    # A conflict of interest on the other sheet: declared with a reason, the sheet is withdrawn from them
    second = mine[1]
    page.goto(f"{fresh_console.base}/reviewer/sheets/{second['sheet_id']}")
    # By keyboard: a disclosure opened with Enter, the form submitted with Enter in its field (and no pointer race
    # with the PDF viewer beside, which may still be laying itself out)
    page.get_by_text("申报回避（利益冲突）").press("Enter")
    shots(page, "conflict")
    page.get_by_label("回避理由").fill("本人曾参与该园区清洁生产审核咨询")
    with page.expect_response(lambda r: r.url.endswith("/conflict") and r.request.method == "POST") as posted:
        page.get_by_label("回避理由").press("Enter")
    assert posted.value.status == 303, posted.value.status
    expect(page.get_by_role("status").filter(has_text="已申报回避")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(names[second["application_id"]]))).to_contain_text("已申报回避")
    shots(page, "my-sheets-after")

    # Nothing unassigned: not the application, not another reviewer's sheet, not a province's page
    page.goto(f"{fresh_console.base}/reviewer/applications/{unassigned}")
    expect(page.get_by_role("heading", name="未找到，或您无权查看")).to_be_visible()
    expect(page.get_by_text(names[unassigned])).to_have_count(0)
    shots(page, "unassigned-application-refused")
    page.goto(f"{fresh_console.base}/reviewer/sheets/{others_sheet}")
    expect(page.get_by_role("heading", name="未找到，或您无权查看")).to_be_visible()
    expect(page.get_by_text(names[unassigned])).to_have_count(0)
    page.goto(f"{fresh_console.base}/province/applications/{unassigned}")
    expect(page.get_by_role("heading", name="无权访问此页面")).to_be_visible()
