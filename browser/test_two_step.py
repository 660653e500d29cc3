from __future__ import annotations

from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.testing import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def code_from(secret: str, steps_ahead: int = 0) -> str:
    # What an authenticator app computes from the key shown on the page.
    key = b32decode(secret.replace(" ", ""))
    return f"{totp(key, step=30, t0=-30 * steps_ahead):06d}"


def test_mentor_turns_on_two_step_sign_in_and_signs_in_with_a_code(page: Page, live_server, school):
    person = school.mentor_a1
    sign_in(page, live_server.url, person.email)
    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in is off")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Set up two-step sign-in").click()
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    secret = page.locator("#two-step-secret").inner_text()
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / "two_step_setup.png"), full_page=True)

    page.get_by_role("textbox", name="Code").fill(code_from(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/code/")
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("textbox", name="Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    assert_accessible(page)
    page.screenshot(path=str(Path(ARTIFACTS) / "two_step_wrong_code.png"), full_page=True)


def test_the_second_step_signs_in_and_keeps_where_they_were_going(page: Page, live_server, school):
    person = school.mentor_a1
    sign_in(page, live_server.url, person.email)
    page.goto(f"{live_server.url}/account/two-step/")
    page.get_by_role("button", name="Set up two-step sign-in").click()
    secret = page.locator("#two-step-secret").inner_text()
    page.get_by_role("textbox", name="Code").fill(code_from(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")

    page.goto(f"{live_server.url}/meetings/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/code/?next=%2Fmeetings%2F")
    # The code used to turn it on cannot be used again: the app's next code it is.
    page.get_by_role("textbox", name="Code").fill(code_from(secret, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/meetings/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)
