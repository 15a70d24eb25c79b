"""The console's foundation: one-click demo sign-in, Chinese first with English switchable, sign-out, and pages that
refuse a role they are not for."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.console.conftest import Console, Shots, sign_in


def test_a_province_signs_in_with_one_click_and_sees_its_batch(open_batch: Console, page: Page, shots: Shots) -> None:
    page.goto(open_batch.base + "/")
    expect(page).to_have_url(re.compile(r"/signin"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    shots(page, "signin")

    sign_in(page, open_batch, "js.wang")
    expect(page).to_have_url(re.compile(r"/province$"))
    expect(page.get_by_role("heading", name="本省申报")).to_be_visible()
    expect(page.get_by_test_id("programme-status")).to_have_text("申报受理中")
    expect(page.get_by_test_id("quota")).to_contain_text("已推荐 0/5")
    # Business time starts 2023-03-20 09:00 (Beijing); the window closes at the end of 2023年4月7日.
    expect(page.get_by_text("2023年4月7日")).to_be_visible()
    expect(page.get_by_test_id("countdown")).to_have_text(re.compile(r"距截止还有 18 天 1[45] 小时"))
    shots(page, "province-home")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Our applications")).to_be_visible()
    expect(page.get_by_test_id("programme-status")).to_have_text("Open for submissions")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shots(page, "province-home-en")
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", name="本省申报")).to_be_visible()

    # A province has no reviewer pages.
    page.goto(open_batch.base + "/reviewer")
    expect(page.get_by_role("heading", name="无权访问此页面")).to_be_visible()

    page.goto(open_batch.base + "/province")
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/signin"))
    page.goto(open_batch.base + "/province")
    expect(page).to_have_url(re.compile(r"/signin\?next=/province"))


def test_a_form_without_the_sessions_csrf_token_is_refused(open_batch: Console) -> None:
    """Every form carries the session's CSRF token; a post without it (another site's form) changes nothing."""
    with httpx.Client(base_url=open_batch.base, follow_redirects=False) as browser:
        signin = browser.get("/signin")
        token = signin.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        assert browser.post("/signin/demo", data={"sub": "js.wang", "csrf_token": token}).status_code == 303
        forged = browser.post("/province/applications/new", data={"project_name": "跨站伪造"})
        assert forged.status_code == 403 and "表单已失效" in forged.text
        wrong = browser.post("/province/applications/new", data={"project_name": "跨站伪造", "csrf_token": "x" * 43})
        assert wrong.status_code == 403
