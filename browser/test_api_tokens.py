from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_mentor_creates_and_revokes_a_token_with_the_keyboard(page: Page, live_server, school):
    sign_in(page, live_server.url, school.mentor_a1.email)
    page.goto(f"{live_server.url}/account/api-tokens/")
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Token name").fill("Research notebook")
    page.keyboard.press("Enter")
    token = page.get_by_label("Token", exact=True)
    expect(token).to_be_focused()
    secret = token.input_value()
    assert len(secret) > 30
    row = page.get_by_role("row", name="Research notebook")
    expect(row).to_contain_text(secret[:8])
    assert_accessible(page)

    api = page.request.get(
        f"{live_server.url}/api/people", headers={"Authorization": f"Bearer {secret}"}
    )
    assert api.status == 200 and "Lena Learnerone" in api.text()

    revoke = page.get_by_role("button", name="Revoke Research notebook")
    revoke.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Revoked “Research notebook”")
    expect(page.get_by_role("row", name="Research notebook")).to_have_count(0)
    expect(page.get_by_label("Token", exact=True)).to_have_count(0)
