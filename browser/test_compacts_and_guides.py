"""Compacts, guides and practice circles: a mentor drafts a compact and both accept it; a
reader searches the guides; a facilitator forms a circle and its members see the rota."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.communities.models import Relationship
from hearth.lib.time import zone_named
from hearth.mentor_development.models import PracticeCircle
from hearth.mentor_development.services import library as library_services
from hearth.mentor_development.services import practice as practice_services
from hearth.mentor_development.services import series as series_services

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_mentor_drafts_a_compact_and_both_accept_it(page: Page, live_server, school):
    base = live_server.url
    relationship = Relationship.objects.get(mentor=school.mentor_a1, mentee=school.learner_a1)

    sign_in(page, base, school.mentor_a1.email)
    page.goto(f"{base}/relationships/{relationship.pk}/")
    expect(page.locator("#compact")).to_contain_text("No compact yet")
    page.locator(f"#compact a[href='/relationships/{relationship.pk}/compact/']").click()
    assert_accessible(page)
    page.get_by_role("button", name="Draft the compact").click()
    expect(page.get_by_role("heading", name="What you agree")).to_be_visible()
    page.get_by_label("How often and how we meet").fill("Every four weeks, by video.")
    page.get_by_label("How we reach each other").fill("Email; replies within two days.")
    page.get_by_label("Confidentiality", exact=True).fill("Between us, with the usual exceptions.")
    page.get_by_label("What the mentee expects from the mentor").fill("Feedback on drafts.")
    page.get_by_label("What the mentor expects from the mentee").fill("An agenda each time.")
    page.get_by_label("The mentee's first goals").fill("Decide about a research year.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    assert_accessible(page)
    _shot(page, "compact_draft")
    _sign_out(page)

    sign_in(page, base, school.learner_a1.email)
    page.goto(f"{base}/compacts/")
    expect(page.get_by_role("link", name="Waiting for you to accept")).to_be_visible()
    assert_accessible(page)
    _shot(page, "compact_list")
    page.get_by_role("link", name="Waiting for you to accept").click()
    expect(page.get_by_label("The mentee's first goals")).to_have_value(
        "Decide about a research year."
    )
    page.get_by_role("button", name="Save and accept").click()
    expect(page.get_by_text("is asked to read and accept it too")).to_be_visible()
    expect(page.locator("#compact-status")).to_contain_text("Draft")
    _sign_out(page)

    sign_in(page, base, school.mentor_a1.email)
    page.goto(f"{base}/compacts/")
    page.get_by_role("link", name="Waiting for you to accept").click()
    page.get_by_role("button", name="Save and accept").click()
    expect(page.locator("#compact-status")).to_contain_text("Agreed.")
    expect(page.get_by_text("Decide about a research year.")).to_be_visible()
    assert_accessible(page)
    _shot(page, "compact_agreed")

    page.goto(f"{base}/relationships/{relationship.pk}/")
    panel = page.locator("#compact")
    expect(panel).to_contain_text("Agreed.")
    # The day in the mentor's own time zone, not the server's: they differ near midnight UTC.
    today = timezone.now().astimezone(zone_named(school.mentor_a1.time_zone))
    expect(panel).to_contain_text(f"on {today.day} {today:%B %Y} and by Lena Learnerone")
    assert_accessible(page)
    _shot(page, "relationship_with_compact")


def test_director_edits_the_compact_template(page: Page, live_server, school):
    base = live_server.url
    sign_in(page, base, school.director.email)
    page.goto(f"{base}/programs/{school.program.slug}/compact/")
    assert_accessible(page)
    page.locator("#id_section-0-label").fill("Rhythm of our meetings")
    page.locator("#id_section-6-label").fill("Wellbeing")
    page.get_by_role("button", name="Save the template").click()
    expect(page.get_by_text("New compacts start from these sections")).to_be_visible()
    expect(page.locator("#id_section-0-label")).to_have_value("Rhythm of our meetings")
    expect(page.locator("#id_section-6-label")).to_have_value("Wellbeing")
    page.locator("#id_section-1-label").fill("Wellbeing")
    page.get_by_role("button", name="Save the template").click()
    expect(page.get_by_role("alert")).to_contain_text("Two sections are called")
    _shot(page, "compact_template")


def test_a_reader_searches_the_guides_and_opens_one(page: Page, live_server, school):
    library_services.hearth_guides_load()  # a transactional test empties the data migration's rows
    base = live_server.url
    sign_in(page, base, school.learner_a1.email)
    page.goto(f"{base}/guides/")
    assert_accessible(page)
    page.get_by_label("Search the guides").fill("informal")
    page.get_by_label("Competency domain").select_option(
        label="Maintaining effective communication"
    )
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 guide found")).to_be_visible()
    _shot(page, "guide_search")
    page.locator("a[href^='/guides/']", has_text="informal conversation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Making room for informal conversation in a virtual program"
    )
    expect(page.locator("#guide-author")).to_have_text("Hearth")
    expect(page.locator("#guide-reviewed")).to_have_text("27 November 2026")
    expect(page.locator(".guide-body h3").first).to_be_visible()
    assert_accessible(page)
    _shot(page, "guide_detail")


def test_director_writes_a_guide(page: Page, live_server, school):
    base = live_server.url
    sign_in(page, base, school.director.email)
    page.goto(f"{base}/guides/")
    page.locator(f"a[href='/programs/{school.program.slug}/guides/new/']").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Night-shift mentoring")
    page.get_by_label("The guide (Markdown)").fill("### Meet at handover\n\n- Keep it *short*.")
    page.get_by_label("Fostering independence").check()
    page.get_by_role("button", name="Add the guide").click()
    expect(page.locator("#guide-author")).to_contain_text("Dora Director")
    expect(page.locator(".guide-body em")).to_have_text("short")
    page.get_by_role("link", name="Edit this guide").click()
    assert_accessible(page)
    page.get_by_label("I reviewed this guide today").check()
    page.get_by_role("button", name="Save the guide").click()
    expect(page.get_by_text("Saved.")).to_be_visible()


def test_a_circle_is_formed_and_its_members_see_the_rota(page: Page, live_server, school):
    base = live_server.url
    series = series_services.series_create(program=school.program, title="Mentoring the Mentors")
    for person in (school.mentor_a1, school.mentor_a2, school.mentor_b1):
        enrolment = series_services.enrolment_invite(
            series=series, person=person, by=school.facilitator
        )
        series_services.enrolment_accept(enrolment=enrolment)

    sign_in(page, base, school.facilitator.email)
    page.goto(f"{base}/development/series/{series.pk}/circles/")
    assert_accessible(page)
    page.get_by_label("Name of the circle").fill("Tuesday circle")
    for name in ("Mira Mentorone", "Mateo Mentortwo", "Mona Mentorthree"):
        page.get_by_label(name).check()
    _shot(page, "practice_circles_form")
    page.get_by_role("button", name="Form the circle").click()
    expect(page.get_by_text("Tuesday circle is formed")).to_be_visible()
    _shot(page, "practice_circles")
    _sign_out(page)

    circle = PracticeCircle.objects.get(series=series)
    practice_services.practice_circle_meeting_plan(
        circle=circle,
        by=school.mentor_a2,
        starts_at=timezone.now() - dt.timedelta(days=7),
        allow_past=True,
    )
    # The rota follows the names: Mateo facilitated the first meeting, Mira has the next.
    sign_in(page, base, school.mentor_a1.email)
    page.goto(f"{base}/development/series/{series.pk}/circles/")
    page.locator(f"a[href='/development/circles/{circle.pk}/']").click()
    expect(page.locator("#rota li")).to_have_text(
        [
            "Mateo Mentortwo",
            "Mira Mentorone (you) — facilitates the next meeting",
            "Mona Mentorthree",
        ]
    )
    expect(page.locator("#you-facilitate")).to_be_visible()
    assert_accessible(page)
    day = timezone.localdate() + dt.timedelta(days=10)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("18:30")
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_text("Meeting planned")).to_be_visible()
    expect(page.get_by_text("meeting 2, facilitated by Mira Mentorone")).to_be_visible()
    _shot(page, "practice_circle")
