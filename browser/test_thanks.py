"""A learner thanks their mentor; the mentor reads the note in their collection."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_learner_thanks_mentor_and_director_sees_reported_notes(page: Page, live_server, school):
    base = live_server.url
    sign_in(page, base, school.learner_a1.email)
    page.get_by_role("link", name="Thanks").click()
    assert_accessible(page)
    page.get_by_label("Your note").fill("Thank you for the patience in anatomy lab.")
    page.get_by_label("My mentor may quote this note in a promotion portfolio").check()
    page.get_by_role("button", name="Send the note").click()
    expect(page.get_by_text("Your note is on its way.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, school.mentor_a1.email)
    page.get_by_role("link", name="Thanks").click()
    note = page.get_by_role("article", name="Note from Lena Learnerone")
    expect(note).to_contain_text("patience in anatomy lab")
    expect(note).to_contain_text("may be quoted in your portfolio")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, school.director.email)
    page.goto(f"{base}/programs/{school.program.slug}/")
    page.get_by_role("link", name="Reported thank-you notes").click()
    expect(page.get_by_text("No reported notes.")).to_be_visible()
    assert_accessible(page)
