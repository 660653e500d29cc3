"""Competency growth in the browser: a trainee rates themself before the series; a director
reads the cohort's change, with figures of fewer than five trainees hidden."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.mentor_development.models import SelfRating
from hearth.mentor_development.tests.growth_factories import (
    BANK,
    answers,
    enrol,
    make_series,
    rate,
    trainees,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_trainee_rates_themself_and_director_sees_shown_and_hidden_figures(
    page: Page, live_server, school
):
    base = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    coming = make_series(school, first_in_days=7, title="Mentoring the Mentors 2027")
    enrol(coming, school.mentor_a1)

    sign_in(page, base, school.mentor_a1.email)
    page.goto(f"{base}/development/series/{coming.pk}/")
    page.get_by_role("link", name="Your growth: rate yourself").click()
    expect(page.get_by_role("heading", name="Your growth as a mentor")).to_be_visible()
    expect(page.get_by_role("heading", name="Rate yourself: before the series")).to_be_visible()
    assert_accessible(page)
    for item in BANK.items:
        page.get_by_role("group", name=item.text).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Save my self-rating").click()
    expect(page.get_by_text("Thank you: your self-rating is saved.")).to_be_visible()
    expect(page.get_by_text("done on")).to_be_visible()
    table = page.get_by_role("table", name="Your change per domain")
    expect(
        table.get_by_role("row", name="Fostering independence").get_by_role("cell")
    ).to_have_text(["4.0", "—", "—", "—", "—"])
    assert SelfRating.objects.get(person=school.mentor_a1).answers["independence_1"] == 4
    page.screenshot(path=str(ARTIFACTS / "growth-trainee.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()

    # A finished series: six trainees rated before and at the end, three six months later.
    past = make_series(school, first_in_days=-300, title="Mentoring the Mentors 2025")
    people = trainees(6)
    enrol(past, *people)
    for number, person in enumerate(people):
        rate(past, person, "before", answers(3, communication=2))
        rate(past, person, "end", answers(3 + number % 2, communication=3))
        if number < 3:
            rate(past, person, "later", answers(4))

    sign_in(page, base, school.director.email)
    page.goto(f"{base}/development/series/{past.pk}/")
    page.get_by_role("link", name="Did the cohort grow?").click()
    expect(page.get_by_role("heading", name="Did the cohort grow?")).to_be_visible()
    by_end = page.get_by_role("table", name="Change from before the series to its end")
    expect(
        by_end.get_by_role("row", name="Maintaining effective communication").get_by_role("cell")
    ).to_have_text(["6", "2.00", "3.00", "+1.00", "0.00", "none: no spread", "0.031"])
    later = page.get_by_role("table", name="Change from before the series to six months later")
    expect(later.get_by_role("row", name="Fostering independence")).to_contain_text(
        "too few to show"
    )
    for person in people:
        expect(page.get_by_text(person.display_name)).to_have_count(0)
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "growth-cohort.png"), full_page=True)
