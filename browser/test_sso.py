"""Signing in with an institution's OpenID Connect provider, in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import assert_accessible
from hearth.people.tests.idp_oidc.launch import PASSWORD as IDP_PASSWORD
from hearth.people.tests.test_sso_oidc import (  # noqa: F401 - issuer and oidc are fixtures
    MIRA,
    STRANGER,
    UNIVERSITY,
    issuer,
    oidc,
)

pytestmark = pytest.mark.django_db(transaction=True)


def through_the_idp(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {UNIVERSITY}").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Sign in to the IdP").click()
    page.get_by_role("button", name="Authorize").click()


def test_mentor_signs_in_with_their_university(page: Page, live_server, oidc, school):  # noqa: F811
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name=f"Sign in with {UNIVERSITY}")).to_be_visible()
    assert_accessible(page)

    through_the_idp(page, live_server.url, MIRA.username)

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="My profile")).to_have_attribute(
        "href", f"/people/{school.mentor_a1.pk}/"
    )


def test_someone_hearth_does_not_know_is_told_whom_to_ask(page: Page, live_server, oidc, db):  # noqa: F811
    through_the_idp(page, live_server.url, STRANGER.username)

    expect(page.get_by_role("alert")).to_have_text(
        f"There is no Hearth account for {STRANGER.email}. Ask your program director to add you."
    )
    expect(page.get_by_role("link", name="My profile")).to_have_count(0)
    assert_accessible(page)
