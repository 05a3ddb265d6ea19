"""The API docs page renders Swagger UI in a real browser under our strict CSP."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed"),
]


def test_swagger_ui_renders_without_csp_violations(live_server):
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda message: problems.append(message.text) if message.type == "error" else None,
            )
            page.on("pageerror", lambda error: problems.append(str(error)))
            external: list[str] = []
            page.on(
                "request",
                lambda request: (
                    external.append(request.url)
                    if not request.url.startswith(live_server.url)
                    and not request.url.startswith("data:")
                    else None
                ),
            )
            page.goto(f"{live_server.url}/api/v1/docs")
            page.wait_for_selector("#swagger-ui .info .title", timeout=15_000)
            title = page.inner_text("#swagger-ui .info .title")
            operations = page.locator("#swagger-ui .opblock").count()
        finally:
            browser.close()
    assert "Groundswell OSDI API" in title
    assert operations >= 14
    assert external == []
    script_violations = [p for p in problems if "script-src" in p or "Refused to execute" in p]
    assert script_violations == []
