"""Playwright driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from hearth.testing import PASSWORD

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("HEARTH_BROWSER_ARTIFACTS", "test-results"))
_axe = Axe()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(autouse=True)
def screenshot_on_failure(request: pytest.FixtureRequest, page: Page) -> Iterator[None]:
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)


def watch_csp(context: BrowserContext) -> list[str]:
    """Collect the Content Security Policy refusals Chromium logs on any page of the context."""
    violations: list[str] = []

    def note(text: str) -> None:
        if "Content Security Policy" in text:
            violations.append(text)

    context.on("console", lambda message: note(message.text))
    context.on("weberror", lambda web_error: note(str(web_error.error)))
    return violations


@pytest.fixture(autouse=True)
def no_csp_violations(context: BrowserContext) -> Iterator[None]:
    # Every browser test is also a Content Security Policy test.
    violations = watch_csp(context)
    yield
    assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def _run_axe_on_settled_page(page: Page, attempts: int = 3):
    # A click that navigates returns before the new document commits; axe started in
    # between finds no document, so wait for the page to load and try again.
    for attempt in range(attempts):
        page.wait_for_load_state("load")
        try:
            return _axe.run(page)
        except PlaywrightError as error:
            navigating = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not navigating or attempt == attempts - 1:
                raise
            page.wait_for_timeout(200)


def assert_accessible(page: Page) -> None:
    """Fail on serious or critical axe-core violations, naming each."""
    results = _run_axe_on_settled_page(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in serious
    ]
    assert not serious, f"Accessibility violations on {page.url}:\n" + "\n".join(details)
