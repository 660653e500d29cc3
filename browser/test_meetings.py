"""The deliberate-mentoring walk: plan, add a topic, notes shared and private, carried items."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import assert_accessible, sign_in
from hearth.communities.models import Relationship

pytestmark = pytest.mark.django_db(transaction=True)


def test_mentor_and_learner_walk_through_a_meeting(page: Page, live_server, school):
    base = live_server.url
    school.mentor_a1.time_zone = "America/Chicago"
    school.mentor_a1.save()
    school.learner_a1.time_zone = "Europe/London"
    school.learner_a1.save()
    relationship = Relationship.objects.get(mentor=school.mentor_a1, mentee=school.learner_a1)

    sign_in(page, base, school.mentor_a1.email)
    page.get_by_role("link", name="Meetings").first.click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Plan a meeting with Lena")).click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Winter check-in")
    page.get_by_label("Date").fill("2031-01-15")
    page.get_by_label("Start time").fill("09:00")
    page.get_by_role("button", name="Plan it").click()
    expect(page.get_by_role("heading", name="Winter check-in")).to_be_visible()
    expect(page.get_by_text("09:00 CST")).to_be_visible()
    assert_accessible(page)
    meeting_url = page.url

    page.get_by_label("Write a note (Markdown)").fill("We agreed on **three** next steps.")
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator("#notes strong", has_text="three")).to_be_visible()
    page.get_by_label("Write a note (Markdown)").fill("Seems tired; ask about sleep.")
    page.get_by_label("Only me").check()
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator("#notes p", has_text="Seems tired; ask about sleep.")).to_be_visible()
    page.get_by_label("Action item", exact=True).fill("Draft the personal statement")
    page.get_by_label("Who").select_option(label="Lena Learnerone")
    page.get_by_role("button", name="Add the action item").click()
    expect(page.locator("#actions").get_by_text("Draft the personal statement")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, school.learner_a1.email)
    page.goto(meeting_url)
    expect(page.get_by_text("15:00 GMT")).to_be_visible()
    expect(page.locator("#notes strong", has_text="three")).to_be_visible()
    expect(page.get_by_text("ask about sleep")).to_have_count(0)
    page.get_by_label("Anything you want to talk about?").fill("Away rotations")
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.locator("#agenda").get_by_text("Away rotations")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base}/relationships/{relationship.pk}/meetings/new/")
    page.get_by_label("Date").fill("2031-02-20")
    page.get_by_label("Start time").fill("15:00")
    page.get_by_role("button", name="Plan it").click()
    expect(
        page.locator("#agenda").get_by_text(re.compile("Draft the personal statement"))
    ).to_be_visible()


def test_mentor_publishes_office_hours_and_learner_books_in_two_clicks(
    page: Page, live_server, school
):
    import datetime as dt
    import zoneinfo

    base = live_server.url
    school.mentor_a1.time_zone = "America/New_York"
    school.mentor_a1.save()
    school.learner_a1.time_zone = "Europe/London"
    school.learner_a1.save()
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=8)
    london = (
        dt.datetime.combine(day, dt.time(12), zoneinfo.ZoneInfo("America/New_York"))
        .astimezone(zoneinfo.ZoneInfo("Europe/London"))
        .strftime("%H:%M")
    )

    sign_in(page, base, school.mentor_a1.email)
    page.goto(f"{base}/account/availability/")
    assert_accessible(page)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("12:00")
    page.get_by_label("Length (minutes)").fill("60")
    page.get_by_label("Repeat weekly for (weeks)").fill("4")
    page.get_by_role("button", name="Offer this time").click()
    expect(page.get_by_role("cell", name="Every week, 4 times")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, school.learner_a1.email)
    page.get_by_role("link", name="Meetings").first.click()
    page.get_by_role("link", name=re.compile("Book time")).click()
    assert_accessible(page)
    # The mentor's noon in New York, shown in the learner's London time.
    first = page.get_by_role("button", name=re.compile(f"at {london}")).first
    expect(first).to_be_visible()
    first.click()
    expect(page.get_by_role("heading", name=re.compile("Mentoring"))).to_be_visible()
    expect(page.get_by_text(re.compile(f"{london} (GMT|BST)"))).to_be_visible()
    page.get_by_label("Anything you want to talk about?").fill("Choosing electives")
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.locator("#agenda").get_by_text("Choosing electives")).to_be_visible()
