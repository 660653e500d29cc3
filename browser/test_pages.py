"""Each role signs in, sees its home page, and every page it can open passes axe-core."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

HOME_SECTIONS = {
    "director": "Programs you direct",
    "house_director": "Communities you direct",
    "mentor_a1": "Your mentor groups",
    "learner_a1": "Your learning community",
    "evaluator": "Your other roles",
    "facilitator": "Your other roles",
    "admin": "Programs you direct",
}


@pytest.mark.parametrize("role", sorted(HOME_SECTIONS))
def test_each_role_signs_in_and_sees_its_home_page(page: Page, live_server, school, role):
    person = school.persona(role)
    sign_in(page, live_server.url, person.email)
    expect(page.get_by_role("heading", name=f"Welcome, {person.display_name}")).to_be_visible()
    expect(page.get_by_role("heading", name=HOME_SECTIONS[role])).to_be_visible()
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"home-{role}.png"), full_page=True)


def test_director_walks_every_director_page(page: Page, live_server, school):
    base = live_server.url
    sign_in(page, base, school.director.email)
    page.get_by_role("link", name="MD Learning Communities", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Apgar House").click()
    expect(page.get_by_role("heading", name="Apgar House")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Apgar 1").click()
    expect(page.get_by_role("cell", name="Lena Learnerone", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Lena Learnerone").click()
    expect(page.get_by_role("heading", name="Mentor map")).to_be_visible()
    assert_accessible(page)
    for task, heading in [
        ("Assessment firewall", "Assessment firewall"),
        ("Mentor change requests", "Mentor change requests"),
        ("Close the academic year", "Close the academic year"),
    ]:
        page.goto(f"{base}/programs/{school.program.slug}/")
        page.get_by_role("link", name=task).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert_accessible(page)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name=re.compile("Preview for"))).to_be_visible()
    assert_accessible(page)


def test_learner_asks_for_another_mentor_and_director_moves_them(page: Page, live_server, school):
    base = live_server.url
    sign_in(page, base, school.learner_a1.email)
    page.get_by_role("link", name="Apgar 1").click()
    page.get_by_role("button", name="Let a future mentor see my history").click()
    expect(page.get_by_text("can see your time in it")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("different mentor")).click()
    page.wait_for_url(re.compile("ask-for-another-mentor"))
    assert_accessible(page)
    page.get_by_label(re.compile("Anything your community director")).fill("Schedules clash.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your mentor is not told.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, school.house_director.email)
    page.goto(f"{base}/programs/{school.program.slug}/change-requests/")
    expect(page.get_by_role("cell", name="Schedules clash.")).to_be_visible()
    page.get_by_role("link", name=re.compile("Decide")).click()
    assert_accessible(page)
    page.get_by_label("Move the learner to").select_option(label="Apgar 2")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("Decision saved")).to_be_visible()
    page.goto(f"{base}/groups/{school.group_a2.pk}/")
    expect(page.get_by_role("cell", name="Lena Learnerone", exact=True)).to_be_visible()


def test_password_reset_by_email(page: Page, live_server, school, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    assert_accessible(page)
    page.get_by_label("Email").fill(school.mentor_a1.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("a-new-long-passphrase")
    page.get_by_label("New password again").fill("a-new-long-passphrase")
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    sign_in(page, live_server.url, school.mentor_a1.email, "a-new-long-passphrase")


def test_pages_fit_a_phone_screen(page: Page, live_server, school):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server.url, school.director.email)
    for path in [f"/programs/{school.program.slug}/", f"/groups/{school.group_a1.pk}/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert not overflow, f"{path} scrolls sideways on a phone"
