"""Assisted coding in the browser: train the suggester, read how far to trust it, accept a
suggestion with one click and find it on the coding page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.studies.models import CodedSegment, JobStatus, SegmentOrigin, SuggesterRun
from hearth.studies.suggestions import suggester_run_execute
from hearth.studies.tests.test_suggestions import NEW, build_coded_world
from hearth.studies.tests.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_train_read_the_trust_figures_accept_a_suggestion_and_see_it_coded(
    page: Page, live_server, school
):
    world = build_world(school)
    sources = build_coded_world(world, world.coder)
    base = live_server.url
    sign_in(page, base, world.coder.email)
    page.goto(f"{base}/studies/{world.study.pk}/")
    page.get_by_role("link", name="Suggestions", exact=True).click()
    expect(page.get_by_text("The suggester has not been trained yet.")).to_be_visible()
    assert_accessible(page)

    # The tasks run as soon as they are queued here, so the click returns with the figures.
    page.get_by_role("button", name="Train the suggester on our coding").click()
    trust = page.locator("#trust")
    expect(trust).to_contain_text("On 24 coded turns it had not seen")
    expect(trust).to_contain_text("always suggesting")
    run = SuggesterRun.objects.get(study=world.study)
    assert run.kappa is not None and run.beats_baseline
    expect(trust).to_contain_text(f"κ = {run.kappa:.2f}")
    page.get_by_text("Agreement code by code").click()
    expect(page.get_by_role("rowheader", name="Harm")).to_be_visible()
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "suggestions.png"), full_page=True)

    # One click accepts: the suggestion becomes the coder's own coding, marked suggested.
    turn = page.locator(".unit-suggestions > li", has_text=NEW[0])
    row = turn.locator(".suggested li", has_text="Feeling connected")
    expect(row).to_contain_text("% likely")
    row.get_by_role("button", name="Accept").click()
    expect(turn.get_by_text("Accepted: now in your coding")).to_be_visible()
    segment = CodedSegment.objects.get(source=sources[-1], coder=world.coder)
    assert segment.origin == SegmentOrigin.SUGGESTED
    assert segment.code == world.codes["Feeling connected"]
    other = page.locator(".unit-suggestions > li", has_text=NEW[1])
    other.get_by_role("button", name="Dismiss").first.click()
    expect(other.get_by_text("Dismissed").first).to_be_visible()

    page.get_by_role("link", name="Interview 7").click()
    block = page.locator(".block", has_text=NEW[0])
    expect(block.get_by_role("list", name="Codes in this turn")).to_contain_text(
        "Feeling connected"
    )
    assert_accessible(page)


def test_the_progress_bar_gives_way_to_the_figures_when_the_training_ends(
    page: Page, live_server, school
):
    world = build_world(school)
    build_coded_world(world, world.coder)
    # Queued but not yet picked up by a worker, as when the queue is busy.
    run = SuggesterRun.objects.create(
        study=world.study, requested_by=world.coder, progress_message="Waiting for the worker"
    )
    base = live_server.url
    sign_in(page, base, world.coder.email)
    page.goto(f"{base}/studies/{world.study.pk}/suggestions/")
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_text("Waiting for the worker")).to_be_visible()
    assert_accessible(page)
    assert suggester_run_execute(run.pk).status == JobStatus.DONE
    expect(page.locator("#trust")).to_contain_text("it had not seen", timeout=15_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)


def test_with_too_little_coding_it_says_so_and_urges_caution(page: Page, live_server, school):
    world = build_world(school)
    sources = build_coded_world(world, world.coder)
    CodedSegment.objects.filter(source__in=sources[:2]).delete()  # 12 coded turns remain
    base = live_server.url
    sign_in(page, base, world.coder.email)
    page.goto(f"{base}/studies/{world.study.pk}/suggestions/")
    page.get_by_role("button", name="Train the suggester on our coding").click()
    trust = page.locator("#trust")
    expect(trust).to_contain_text("Only 12 coded turns so far: code at least 20")
    expect(trust).to_contain_text("Until then, treat its suggestions with caution.")
    expect(page.get_by_role("button", name="Accept").first).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "suggestions-too-little.png"), full_page=True)
