"""The console in a real browser: the embedded default started by the README's run command on a temporary data
folder and a free port, driven by Playwright through Debian's Chromium (no browser download). Screenshots of every
page go to test-artifacts/console/<test>/NN-<page>.png for review."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.infra import answers, free_port, stop_process_group
from tests.services.conftest import eventually

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PILOT_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "console"
PROGRAMME = "176fb2ef-7ec1-524b-af79-7b30a17b4e57"  # batch 2 (2023-B2), seeded by the embedded default


@dataclass
class Console:
    base: str
    data: Path

    def token(self, sub: str) -> str:
        """A demo user's token, as the API tour gets one (for the steps other roles take outside the console)."""
        response = httpx.post(f"{self.base}/registry/dev/tokens", json={"sub": sub}, timeout=30)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def api(self, sub: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(sub)}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=60)


def _start(tmp: Path) -> tuple[subprocess.Popen[bytes], Console]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp / "platform.log").open("wb")
    process = subprocess.Popen(
        ["./scripts/run.sh", "--data", str(tmp / "data"), "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PILOT_LOG_LEVEL": "WARNING"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def ready() -> bool:
        assert process.poll() is None, (tmp / "platform.log").read_text()[-3000:]
        return answers(f"{base}/registry/readyz")

    eventually(ready, timeout=120, interval=0.5)
    return process, Console(base, tmp / "data")


@pytest.fixture
def fresh_console(tmp_path: Path) -> Iterator[Console]:
    """A platform of its own, for a test that moves the batch on (closes it, starts the evaluation)."""
    process, console = _start(tmp_path)
    try:
        yield console
    finally:
        stop_process_group(process)


@pytest.fixture(scope="module")
def open_batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """One platform for the tests that need batch 2 open for submissions (ministry staff open it by the API: their
    desk is the next console issue)."""
    process, console = _start(tmp_path_factory.mktemp("console"))
    try:
        open_batch_2(console)
        yield console
    finally:
        stop_process_group(process)


def open_batch_2(console: Console) -> None:
    with console.api("mee.li") as ministry:
        opened = ministry.post(f"/registry/programmes/{PROGRAMME}/open", json={"reason": "环办科财函〔2023〕79号印发"})
        assert opened.status_code == 200, opened.text
        # Intake learns of the opening and of the registry's entries by events: wait until it knows them.
        objects = ministry.get("/registry/pilot-objects", params={"page_size": 100}).json()["items"]

        def intake_knows() -> bool:
            programme = ministry.get(f"/intake/registry-copy/programmes/{PROGRAMME}")
            known = all(
                ministry.get(f"/intake/registry-copy/pilot-objects/{o['id']}").status_code == 200 for o in objects
            )
            return programme.status_code == 200 and programme.json().get("status") == "OPEN" and known

        eventually(intake_knows, timeout=60)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium package")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    try:
        yield browser
    finally:
        browser.close()


class Shots:
    """Numbered full-page screenshots into the test's folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        if folder.exists():
            for old in folder.glob("*.png"):
                old.unlink()
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name))


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        yield page
    finally:
        context.close()
    # No script error and no content-policy violation on any page (everything is served by the console itself);
    # a page answered with its refusal (403, 404) is expected where a test opens one.
    assert not [e for e in errors if not e.startswith("Failed to load resource")], errors


def sign_in(page: Page, console: Console, sub: str) -> None:
    page.goto(f"{console.base}/signin")
    page.locator(f'button[data-user="{sub}"]').click()


def pdf(marker: str, size: int = 4096) -> bytes:
    """A small but real PDF (one page that says what it is), so the reviewer's PDF viewer shows it; `marker` makes
    each file distinct and `size` pads it (inside a comment) to the size a test needs."""
    label = "".join(c for c in marker if c.isascii() and c.isalnum()) or "attachment"
    text = f"BT /F1 18 Tf 72 720 Td (Pilot application - {label}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(text), text),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n%" + marker.encode() + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    xref += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"trailer<</Size %d/Root 1 0 R>>\n" % (len(objects) + 1)
    padding = max(0, size - len(out) - len(xref) - len(trailer) - 40)
    if padding:
        out += b"%" + b"0" * (padding - 2) + b"\n" if padding > 1 else b"\n"
    start = len(out)
    out += xref + trailer + b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def json_of(response: httpx.Response, expect: int = 200) -> Any:
    assert response.status_code == expect, f"{response.request.method} {response.request.url}: {response.text[:600]}"
    return response.json()


def submit_complete_application(client: httpx.Client, name: str) -> str:
    """A complete, eligible application drafted and submitted by the API (for tests whose subject is elsewhere)."""
    organisation = next(
        o for o in json_of(client.get("/registry/organisations"))["items"] if o["kind"] == "PARK_MANAGEMENT_BODY"
    )
    park = json_of(client.get("/registry/pilot-objects"))["items"][0]
    programme = json_of(client.get(f"/registry/programmes/{PROGRAMME}"))
    app = json_of(
        client.post(
            "/intake/applications",
            json={
                "programme_id": PROGRAMME,
                "pilot_type": "PARK_CLUSTER",
                "project_name": name,
                "applicant_organisation_id": organisation["id"],
                "implementer_organisation_id": organisation["id"],
                "pilot_object_id": park["id"],
            },
        ),
        201,
    )
    base = f"/intake/applications/{app['id']}"

    def upload(kind: str, file_name: str) -> Any:
        files = {"file": (file_name, pdf(name + kind), "application/pdf")}
        return json_of(client.post(f"{base}/attachments", data={"kind": kind}, files=files), 201)

    evidence = upload("OTHER", "资金承诺函.pdf")
    sections = {}
    for section in programme["rules"]["plan_outline"]:
        for item in [section, *section["subsections"]]:
            sections[item["code"]] = f"{name}：{item['title']}的内容。"
    json_of(client.patch(f"{base}/details", json={"target_industries": list(park["industry_codes"])}))
    json_of(client.put(f"{base}/foundation", json={"text": "已组织重点企业完成清洁生产审核，建成能源管理中心。"}))
    source = {"funder": "园区财政局", "amount_cny": "3000000", "committed": True}
    source["evidence_document_id"] = evidence["id"]
    json_of(client.put(f"{base}/funding", json={"sources": [source]}))
    json_of(client.put(f"{base}/plan", json={"sections": sections}))
    milestones = [
        {"title": "启动", "start": "2023-08-01", "due": "2023-09-30"},
        {"title": "评估", "start": "2024-05-01", "due": "2024-07-31"},
    ]
    json_of(client.put(f"{base}/schedule", json={"milestones": milestones}))
    upload("IMPLEMENTATION_PLAN", "试点实施方案.pdf")
    upload("ECO_ENVIRONMENT_DEPARTMENT_LETTER", "生态环境厅推荐函.pdf")
    upload("DEVELOPMENT_REFORM_DEPARTMENT_LETTER", "发展改革委推荐函.pdf")
    assert json_of(client.post(f"{base}/submit"))["status"] == "ELIGIBLE"
    return str(app["id"])
