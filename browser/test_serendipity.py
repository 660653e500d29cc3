"""Serendipity in the browser: start a circle, opt in, meet, answer; open a door, drop in."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.serendipity.models import CircleMember, Contact

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"serendipity-{name}.png"), full_page=True)


def test_opt_in_see_the_pairing_with_a_prompt_and_video_link_and_answer_we_met(
    page: Page, live_server, school
):
    base = live_server.url
    sign_in(page, base, school.director.email)
    page.get_by_role("link", name="Circles", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Start a circle").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Faculty coffee")
    page.get_by_label("Who may join").select_option(label="Faculty mentors of every community")
    page.get_by_label("Meet in").select_option(label="Pairs")
    page.get_by_role("button", name="Start the circle").click()
    expect(page.get_by_role("heading", name="Faculty coffee")).to_be_visible()
    circle_url = page.url
    page.get_by_role("button", name="Sign out").click()

    for mentor in (school.mentor_b1, school.mentor_a1):
        sign_in(page, base, mentor.email)
        page.goto(circle_url)
        page.get_by_role("button", name="Opt in").click()
        expect(page.get_by_text("You are in the next round.")).to_be_visible()
        page.get_by_label("Day 1").select_option(label="Tuesday")
        page.get_by_label("From, row 1").fill("12:00")
        page.get_by_label("To, row 1").fill("14:00")
        page.get_by_role("button", name="Save my free times").click()
        expect(page.get_by_text("Your free times are saved.")).to_be_visible()
        expect(page.get_by_label("Day 1")).to_have_value("1")
        page.get_by_role("button", name="Skip the next round").click()
        expect(page.get_by_text("You will skip the next round")).to_be_visible()
        page.get_by_role("button", name="I can make the next round after all").click()
        expect(page.get_by_text("You are in the next round.")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Sign out").click()
    assert CircleMember.objects.filter(circle__name="Faculty coffee").count() == 2

    sign_in(page, base, school.director.email)
    page.goto(circle_url)
    page.get_by_role("button", name="Run the next round now").click()
    expect(page.get_by_role("heading", name="Round 1")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("Mira Mentorone · Mona Mentorthree"))
    ).to_be_visible()
    assert_accessible(page)
    _shot(page, "round")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, school.mentor_a1.email)
    page.get_by_role("link", name=re.compile("meet Mona Mentorthree")).click()
    expect(page.get_by_role("heading", name="This round you meet Mona Mentorthree")).to_be_visible()
    expect(page.locator(".prompt")).not_to_be_empty()
    expect(page.locator("a[href^='https://meet.jit.si/hearth-']")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Tue .* 12:00")).first).to_be_visible()
    assert_accessible(page)
    _shot(page, "pairing")
    page.get_by_role("button", name="We met").click()
    expect(page.get_by_text("You answered: We met")).to_be_visible()
    assert Contact.objects.count() == 1
    page.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", name="Informal contacts")).to_be_visible()
    expect(page.get_by_text(re.compile("with Mona Mentorthree"))).to_be_visible()
    assert_accessible(page)
    page.goto(circle_url)
    expect(page.get_by_text(re.compile("you answered “We met”"))).to_be_visible()
    _shot(page, "circle")


def test_a_mentor_opens_a_door_and_a_learner_sees_who_is_in(
    page: Page, live_server, school, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    portrait = tmp_path / "portrait.png"
    Image.new("RGB", (640, 480), "darkorange").save(portrait)
    base = live_server.url
    sign_in(page, base, school.mentor_b1.email)
    page.get_by_role("link", name="My profile").click()
    page.get_by_role("link", name="Add your photo").click()
    assert_accessible(page)
    page.get_by_label("Photo").set_input_files(str(portrait))
    page.get_by_role("button", name="Save the photo").click()
    expect(page.get_by_role("img", name="Photo of Mona Mentorthree")).to_be_visible()
    page.goto(f"{base}/drop-in/")
    assert_accessible(page)
    page.get_by_label("Topic").fill("Research years")
    page.get_by_role("button", name="Open my door").click()
    expect(page.get_by_text("Your door is open.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, school.learner_a1.email)
    expect(page.get_by_role("link", name="Mona Mentorthree has an open door now")).to_be_visible()
    page.get_by_role("link", name="Mona Mentorthree has an open door now").click()
    expect(page.get_by_role("link", name="Join Mona Mentorthree")).to_have_attribute(
        "href", re.compile(r"^https://meet\.jit\.si/")
    )
    expect(page.get_by_role("button", name="Open my door")).to_have_count(0)
    face = page.get_by_role("img", name="Photo of Mona Mentorthree")
    expect(face).to_be_visible()
    assert face.evaluate("img => img.naturalWidth") == 400
    assert_accessible(page)
    _shot(page, "drop-in")
