"""Mentee feedback in the browser: a learner rates their mentoring from the home page; the
mentor sees averages of three or more learners, never names, and may put them in the portfolio."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.communities.models import MemberRole, Relationship
from hearth.communities.services import membership_start
from hearth.pulse import services
from hearth.pulse.scoring import load_competency_bank
from hearth.testing import START, make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_learner_rates_mentoring_and_mentor_sees_only_averages(page: Page, live_server, school):
    base = live_server.url
    bank = load_competency_bank()
    today = timezone.localdate()
    autumn = services.wave_open(
        program=school.program,
        label="Autumn",
        opens_on=today - dt.timedelta(days=100),
        closes_on=today - dt.timedelta(days=86),
        invite=False,
    )
    extra = make_person("Extra Learner", class_year=2028, learner_year=1)
    membership_start(group=school.group_a1, person=extra, role=MemberRole.LEARNER, start_date=START)
    for learner, value in [(school.learner_a1, 5), (school.mate_a1, 4), (extra, 3)]:
        services.feedback_submit(
            wave=autumn,
            relationship=Relationship.objects.get(mentee=learner),
            learner=learner,
            answers={item.key: value for item in bank.items},
            on=autumn.opens_on,
        )
    services.wave_open(
        program=school.program,
        label="Spring",
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        invite=False,
    )

    sign_in(page, base, school.learner_a1.email)
    page.get_by_role("link", name="Spring: rate your mentoring with Mira Mentorone").click()
    expect(page.get_by_role("heading", name="Your mentoring with Mira Mentorone")).to_be_visible()
    assert_accessible(page)
    for item in bank.items:
        page.get_by_role("group", name=item.text).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Send my feedback").click()
    expect(page.get_by_text("Thank you: your feedback is saved.")).to_be_visible()
    expect(page.get_by_text("Spring: you rated your mentoring with Mira Mentorone")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, school.mentor_a1.email)
    page.get_by_role("link", name="Feedback", exact=True).click()
    table = page.get_by_role("table", name="What your mentees say")
    row = table.get_by_role("row", name="Fostering independence")
    expect(row.get_by_role("cell")).to_have_text(["4.0", "4.0"])  # Autumn, and over shown terms
    for name in ["Lena Learnerone", "Lars Learnermate", "Extra Learner"]:
        expect(page.get_by_text(name)).to_have_count(0)
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mentee-feedback-mentor.png"), full_page=True)
    page.get_by_role("button", name="Show them in my portfolio").click()
    expect(page.get_by_text("Your averages appear in your mentoring portfolio.")).to_be_visible()
