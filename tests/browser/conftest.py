"""Playwright (Python) driving Debian's chromium headless against the live test server.

Never `playwright install`: it downloads a browser and fails here. Without chromium the
journeys skip locally and fail in CI (CI=true), where .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    # A CSP violation or a script error shows up in the console: fail on it.
    assert not errors, f"browser console errors: {errors}"


@pytest.fixture
def axe_check() -> Any:
    """Run axe-core on the current page; fail on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page: Any) -> None:
        results = axe.run(page)
        bad = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
            + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(bad)

    return check


@pytest.fixture
def mail_dir(tmp_path: Path, live_server: Any) -> Iterator[Path]:
    """Mail is written as .eml files to this folder, for a journey to open what was sent."""
    folder = tmp_path / "mail"
    mailers = {
        "default": {
            "BACKEND": "groundswell.core.mail.EmlFileBackend",
            "OPTIONS": {"file_path": str(folder)},
        }
    }
    # Links in mail are built from SITE_URL (mail leaves from a task, with no request).
    with override_settings(MAILERS=mailers, SITE_URL=live_server.url):
        yield folder
