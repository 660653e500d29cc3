from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_director_signs_in_and_opens_the_program_page(page: Page, live_server, school):
    sign_in(page, live_server.url, school.director.email)
    expect(page.get_by_role("heading", name="Welcome, Dora Director")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="MD Learning Communities", exact=True).click()
    expect(page.get_by_role("heading", name="MD Learning Communities")).to_be_visible()
    expect(page.get_by_role("link", name="Apgar House")).to_be_visible()
    assert_accessible(page)


def test_sign_in_page_is_accessible_and_refuses_a_wrong_password(page: Page, live_server, school):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(school.director.email)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct email")
