from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from browser.conftest import sign_in, watch_csp

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_policy_is_sent_and_its_refusals_are_caught(browser: Browser, live_server):
    # A context of its own, so the refusals provoked here do not fail this test.
    context = browser.new_context()
    try:
        violations = watch_csp(context)
        page = context.new_page()
        response = page.goto(f"{live_server.url}/accounts/login/")
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-eval" not in policy

        with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
            page.evaluate(
                """() => {
                    const script = document.createElement("script");
                    script.textContent = "document.body.dataset.ran = 'yes'";
                    document.body.append(script);
                }"""
            )
        assert page.evaluate("document.body.dataset.ran") is None
        assert any("inline script" in v for v in violations), violations
    finally:
        context.close()


def test_api_docs_render_from_hearths_own_files(page: Page, live_server, school):
    sign_in(page, live_server.url, school.mentor_a1.email)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/api/docs")
    expect(page.get_by_role("heading", name="Hearth API")).to_be_visible()
    expect(page.get_by_text("/api/programs/{slug}/communities")).to_be_visible()
    assert all(url.startswith(live_server.url) for url in requests), requests


def test_admin_works_for_a_superuser(page: Page, live_server, school):
    sign_in(page, live_server.url, school.admin.email)
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.get_by_role("link", name="Persons", exact=True).click()
    # The changelist's select-all checkbox is wired up by admin/js/actions.js.
    page.locator("#action-toggle").check()
    expect(page.locator("#result_list tbody input[type=checkbox]").first).to_be_checked()
    page.locator("#result_list tbody a").first.click()
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()
