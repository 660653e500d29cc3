"""Pulse in the browser: a mentor answers a check-in and sees the trend; the director sees
aggregates with small cells hidden."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.communities.models import MemberRole
from hearth.communities.services import membership_start
from hearth.pulse import services
from hearth.pulse.scoring import load_item_bank
from hearth.testing import START, make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_mentor_answers_and_sees_the_trend_director_sees_hidden_and_shown_cells(
    page: Page, live_server, school
):
    base = live_server.url
    bank = load_item_bank()
    today = timezone.localdate()
    spring = services.wave_open(
        program=school.program,
        label="Spring",
        opens_on=today - dt.timedelta(days=120),
        closes_on=today - dt.timedelta(days=100),
        invite=False,
    )
    extra = []
    for number in range(5):
        person = make_person(f"Extra Mentor{number}")
        membership_start(
            group=school.group_a2, person=person, role=MemberRole.MENTOR, start_date=START
        )
        extra.append(person)
    for person in [school.mentor_a1, *extra]:
        services.response_submit(
            wave=spring,
            person=person,
            answers={item.key: 4 for item in bank.items},
            on=spring.opens_on,
        )
    services.response_submit(
        wave=spring,
        person=school.mentor_b1,
        answers={item.key: 2 for item in bank.items},
        on=spring.opens_on,
    )
    services.wave_open(
        program=school.program,
        label="Autumn",
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )

    sign_in(page, base, school.mentor_a1.email)
    page.get_by_role("link", name="Autumn: how is mentoring going for you?").click()
    expect(page.get_by_role("heading", name="Autumn check-in")).to_be_visible()
    assert_accessible(page)
    for item in bank.items:
        choice = "Disagree" if item.reverse or item.theme == "harmed" else "Agree"
        page.get_by_role("group", name=item.text).get_by_label(choice, exact=True).check()
    page.get_by_label(bank.free_text).fill("Two learners matched this week.")
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.get_by_text("Thank you: your check-in is saved.")).to_be_visible()
    expect(page.get_by_role("img", name="Line charts of your check-in scores")).to_be_visible()
    row = page.get_by_role("row", name="I am a better professional")
    expect(row.get_by_role("cell")).to_have_text(["3.3", "4.0"])
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "pulse-mentor.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, school.director.email)
    page.get_by_role("link", name="MD Learning Communities", exact=True).click()
    page.get_by_role("link", name="How mentors are doing").click()
    expect(page.get_by_role("heading", name="How mentors are doing")).to_be_visible()
    page.get_by_label("Check-in", exact=True).select_option(label="Spring")
    page.get_by_role("button", name="Show").click()
    # Spring: 6 answers in Apgar, 1 in Blackwell; Blackwell hidden, and Apgar with it.
    community_table = page.get_by_role("table", name="By community: Spring")
    expect(community_table.get_by_text("too few to show").first).to_be_visible()
    expect(
        community_table.get_by_text("hidden so a smaller cell cannot be worked out").first
    ).to_be_visible()
    time_table = page.get_by_role("table", name="The whole program, check-in by check-in")
    expect(time_table.get_by_role("row", name="Mentors who answered")).to_contain_text("7")
    expect(page.get_by_text("Two learners matched")).to_have_count(0)
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "pulse-director.png"), full_page=True)

    page.get_by_role("link", name="See or change this program's warning rules").click()
    expect(page.get_by_role("heading", name="Early-warning rules")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Harm level: a “harmed” score at or above").fill("4.5")
    page.get_by_role("button", name="Save the rules").click()
    expect(page.get_by_text("The warning rules are saved")).to_be_visible()
