"""Matching in the browser: a director runs a match for an incoming class, watches its
progress, reviews the proposal, overrides one placement and sees its cost, and publishes."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.communities.models import GroupMembership
from hearth.matching.models import MatchRun, RunStatus
from hearth.matching.tests.factories import incoming_class

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for folder in (ARTIFACTS, "/tmp"):
        page.screenshot(path=f"{folder}/matching-{name}.png", full_page=True)


def test_run_review_override_and_publish_a_match(page: Page, live_server, school, settings):
    # The real queue: the run waits for a worker, and the page shows its progress meanwhile.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    incoming = incoming_class(school)
    base = live_server.url
    sign_in(page, base, school.director.email)
    page.get_by_role("link", name="Matching in MD Learning Communities").click()
    expect(page.get_by_role("heading", name="Matching", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Entering class", exact=True).select_option(label="Class of 2029")
    page.get_by_label("Balance across communities — Gender: woman").fill("2")
    page.get_by_role("button", name="Run the match").click()

    expect(page.get_by_role("heading", name="The matcher is working")).to_be_visible()
    expect(page.locator("progress#run-progress")).to_be_visible()
    assert_accessible(page)
    _shot(page, "progress")
    # A worker picks the run up; the polling page swaps to the proposal on its own.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    run = MatchRun.objects.get()
    assert run.status == RunStatus.READY
    expect(page.get_by_role("heading", name="How good is this proposal?")).to_be_visible()
    expect(page.get_by_text("Proven optimal")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("share of gender: woman"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("New Learner 00"))).to_contain_text(
        "community preference"
    )

    # Move a learner who wanted Apgar first to Blackwell, their second choice.
    moved = run.placements.filter(group__community=school.house_a).select_related("learner")[0]
    page.get_by_label("Learner", exact=True).select_option(label=moved.learner.display_name)
    page.get_by_label("Move to").select_option(value=str(school.group_b1.pk))
    page.get_by_role("button", name="Check and move").click()
    expect(
        page.get_by_text(
            re.compile(
                rf"{moved.learner.display_name} moves to Blackwell 1\. "
                r"This override costs \d+\.\d points"
            )
        )
    ).to_be_visible()
    row = page.get_by_role("row", name=re.compile(moved.learner.display_name))
    expect(row).to_contain_text("Override, cost")
    expect(page.get_by_text(re.compile("your overrides cost"))).to_be_visible()
    assert_accessible(page)
    _shot(page, "review")

    page.get_by_role("button", name="Publish and email everyone").click()
    expect(page.get_by_text("Published: 6 placements made")).to_be_visible()
    expect(page.get_by_role("button", name="Publish and email everyone")).to_have_count(0)
    assert GroupMembership.objects.filter(person__in=incoming.learners).count() == 6
    assert GroupMembership.objects.get(person=moved.learner).group == school.group_b1
    _shot(page, "published")
    page.get_by_role("button", name="Sign out").click()

    # The learner sees where the match placed them, and why.
    untouched = run.placements.exclude(pk=moved.pk).select_related("learner", "group__community")
    learner = untouched[0]
    sign_in(page, base, learner.learner.email)
    expect(
        page.get_by_role("heading", name=re.compile(r"Placed by the \d{4} match"))
    ).to_be_visible()
    expect(page.get_by_text(learner.group.community.name).first).to_be_visible()
    expect(page.get_by_text(re.compile("community preference")).first).to_be_visible()
    assert_accessible(page)


def test_a_learner_ranks_their_learning_communities(page: Page, live_server, school):
    import datetime as dt

    from django.utils import timezone

    from hearth.matching import services
    from hearth.matching.models import CommunityPreference

    incoming = incoming_class(school, size=2, choices=False)
    school.house_a.description = "Named for Virginia Apgar. Meets on Tuesdays."
    school.house_a.save()
    services.preference_window_open(
        cohort=incoming.cohort,
        by=school.director,
        closes_on=timezone.localdate() + dt.timedelta(days=14),
    )
    learner = incoming.learners[0]
    sign_in(page, live_server.url, learner.email)
    expect(page.get_by_text("You have not ranked them yet")).to_be_visible()
    page.get_by_role("link", name="Rank your learning communities").click()
    expect(page.get_by_role("heading", name="Rank your learning communities")).to_be_visible()
    expect(page.get_by_text("Named for Virginia Apgar")).to_be_visible()
    assert_accessible(page)
    # The same community twice is refused in place, without a reload.
    page.get_by_label("1st choice").select_option(label="Blackwell House")
    page.get_by_label("2nd choice").select_option(label="Blackwell House")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Blackwell House is already your 1st choice")).to_be_visible()
    page.get_by_label("2nd choice").select_option(label="Apgar House")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status").filter(has_text="Your choices are saved")).to_be_visible()
    assert list(
        CommunityPreference.objects.filter(learner=learner)
        .order_by("rank")
        .values_list("community__name", flat=True)
    ) == ["Blackwell House", "Apgar House"]
    assert_accessible(page)
    _shot(page, "community-choices")
    page.reload()
    expect(page.get_by_label("1st choice")).to_have_value(str(school.house_b.pk))
    expect(page.get_by_label("2nd choice")).to_have_value(str(school.house_a.pk))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(
        page.get_by_text("You have ranked them; you can still change your choices")
    ).to_be_visible()


def test_a_mentee_ranks_the_mentors_of_their_round(page: Page, live_server, school):
    import datetime as dt

    from hearth.matching import services
    from hearth.matching.models import RoundPreference, Side
    from hearth.people.models import Interest
    from hearth.testing import make_person

    round_ = services.round_create(
        program=school.program, name="Mentoring the Mentors 2027", starts_on=dt.date(2027, 1, 4)
    )
    research, writing = (Interest.objects.create(name=n) for n in ("research", "writing"))
    for mentor, department, interests, offer in (
        (school.mentor_a1, "Cardiology", [research, writing], "Clinical research and grants."),
        (school.mentor_a2, "Nephrology", [writing], "Teaching and curriculum design."),
        (school.mentor_b1, "Pediatrics", [], "Wellness and balancing a clinical career."),
    ):
        mentor.department = department
        mentor.save()
        mentor.interests.add(*interests)
        services.participant_add(
            round_=round_, person=mentor, side=Side.MENTOR, capacity=2, statement=offer
        )
    mentee = make_person("Jun Junior", academic_rank="instructor", department="Surgery")
    services.participant_add(
        round_=round_, person=mentee, side=Side.MENTEE, statement="I want to write grants."
    )
    sign_in(page, live_server.url, mentee.email)
    page.get_by_role("link", name=re.compile("Rank mentors")).click()
    expect(page.get_by_role("heading", name="Rank your mentors")).to_be_visible()
    card = page.get_by_role("article", name="Mira Mentorone")
    expect(card).to_contain_text("Cardiology")
    expect(card).to_contain_text("Associate professor")
    expect(card).to_contain_text("research")
    expect(card).to_contain_text("Clinical research and grants.")
    assert_accessible(page)
    page.get_by_label("1st choice").select_option(label="Mateo Mentortwo")
    page.get_by_label("2nd choice").select_option(label="Mira Mentorone")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status").filter(has_text="Your choices are saved")).to_be_visible()
    assert list(
        RoundPreference.objects.filter(chooser=mentee)
        .order_by("rank")
        .values_list("chosen__display_name", flat=True)
    ) == ["Mateo Mentortwo", "Mira Mentorone"]
    assert_accessible(page)
    _shot(page, "round-choices")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.get_by_text("You have ranked 2; you can still change your choices")).to_be_visible()
