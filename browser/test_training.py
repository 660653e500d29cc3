"""Training series in a real browser, on the real clock.

A trainee checks in to a session in its window, posts a case response before the next
session, sees the cohort's responses once it has started, and downloads the certificate once
it has ended. Sessions are placed a few seconds from now and the test waits for the browser's
clock to pass their start and end (a one-minute session is the shortest Hearth takes), so
every rule is met as a trainee would meet it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.mentor_development.models import (
    MentoringCase,
    SessionFormat,
    TrainingSeries,
    TrainingSession,
)
from hearth.mentor_development.services import series as services
from hearth.recognition import verification

pytestmark = pytest.mark.django_db(transaction=True)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"training-{name}.png"), full_page=True)


def wait_until(page: Page, moment: dt.datetime) -> None:
    """Wait for the clock (the browser's, the server's: one machine) to reach `moment`."""
    page.wait_for_function(
        f"() => Date.now() >= {int(moment.timestamp() * 1000) + 500}", timeout=120_000
    )


def session_fields(title: str, starts_at: dt.datetime, minutes: int, school) -> object:  # noqa: ANN001
    return services.SessionFields(
        title=title,
        starts_at=starts_at,
        duration_minutes=minutes,
        format=SessionFormat.VIRTUAL,
        facilitator=school.facilitator,
        prework="Read the case and post a response.",
    )


def test_trainee_checks_in_responds_sees_the_cohort_and_downloads_the_certificate(
    page: Page, live_server, school, settings, tmp_path: Path
):
    settings.HEARTH_BASE_URL = live_server.url
    base = live_server.url
    services.case_library_load()
    now = timezone.now()
    series = services.series_create(program=school.program, title="Mentoring the Mentors")
    # The opening session ended ten minutes ago: check-in stays open for half an hour after.
    opening = services.session_create(
        series=series, fields=session_fields("Opening", now - dt.timedelta(minutes=70), 60, school)
    )
    for person in [school.mentor_a1, school.mentor_a2, school.mentor_b1]:
        invited = services.enrolment_invite(series=series, person=person, by=school.facilitator)
        services.enrolment_accept(enrolment=invited)

    sign_in(page, base, school.mentor_a1.email)
    page.goto(f"{base}/development/")
    expect(page.get_by_role("heading", name="Your series")).to_be_visible()
    assert_accessible(page)
    shot(page, "development")
    page.locator(f'a[href="/development/series/{series.pk}/"]').first.click()
    expect(page.get_by_role("heading", name="Mentoring the Mentors", exact=True)).to_be_visible()
    page.locator(f'a[href="/development/sessions/{opening.pk}/"]').first.click()
    expect(page.get_by_role("heading", name="Opening", exact=True)).to_be_visible()
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.get_by_text("You are checked in.", exact=True)).to_be_visible()
    assert_accessible(page)

    # The closing session, with a case, starts a few seconds from now; two colleagues have
    # already answered the case.
    closing = services.session_create(
        series=series,
        fields=session_fields(
            "Closing: conflicting advice", timezone.now() + dt.timedelta(seconds=12), 1, school
        ),
    )
    case = MentoringCase.objects.get(program__isnull=True, slug="conflicting-advice")
    services.session_case_attach(session=closing, case=case)
    for person, body in [
        (school.mentor_a2, "Ask Priya what she wants her career to look like in five years."),
        (school.mentor_b1, "Offer to talk to the other mentor, with Priya's permission."),
    ]:
        services.case_response_save(session=closing, case=case, person=person, body=body)

    page.goto(f"{base}/development/sessions/{closing.pk}/")
    page.get_by_label("Your response", exact=True).fill(
        "It is her decision; I would help her weigh it."
    )
    page.get_by_role("button", name="Post my response", exact=True).click()
    responses = page.locator(f"#case-{case.pk}")
    expect(responses.locator("li", has_text="You: It is her decision")).to_be_visible()
    expect(responses.get_by_text("2 more responses from the cohort")).to_be_visible()
    expect(responses.locator("li", has_text="Ask Priya")).to_have_count(0)
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.get_by_text("You are checked in.", exact=True)).to_be_visible()
    assert_accessible(page)
    shot(page, "session-before")

    closing = TrainingSession.objects.get(pk=closing.pk)
    wait_until(page, closing.starts_at)
    page.reload()
    responses = page.locator(f"#case-{case.pk}")
    expect(responses.locator("li", has_text="Mateo Mentortwo: Ask Priya")).to_be_visible()
    expect(responses.locator("li", has_text="Mona Mentorthree: Offer to talk")).to_be_visible()
    expect(responses.locator("li", has_text="You: It is her decision")).to_be_visible()
    expect(page.get_by_label("Your response", exact=True)).to_have_count(0)
    assert_accessible(page)
    shot(page, "session-started")

    page.goto(f"{base}/development/series/{series.pk}/")
    expect(page.get_by_role("heading", name="Your certificate")).to_have_count(0)
    wait_until(page, closing.ends_at)
    page.reload()
    expect(page.get_by_role("heading", name="Your certificate")).to_be_visible()
    assert_accessible(page)
    shot(page, "series-completed")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the certificate (PDF)", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.startswith("certificate-mentoring-the-mentors-mira-")
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    verdict = verification.verify_pdf(pdf_path.read_bytes())
    assert verdict.valid and verdict.document is not None
    assert verdict.document.person == school.mentor_a1


def test_facilitator_sets_up_a_series_its_cohort_and_a_case(
    page: Page, live_server, school, tmp_path: Path
):
    base = live_server.url
    services.case_library_load()
    school.facilitator.time_zone = "America/Chicago"
    school.facilitator.save()
    sign_in(page, base, school.facilitator.email)
    page.goto(f"{base}/development/")
    expect(page.get_by_role("heading", name="Series you run")).to_be_visible()
    assert_accessible(page)
    page.locator(f'a[href="/development/programs/{school.program.slug}/series/new/"]').click()
    page.get_by_label("Title", exact=True).fill("Research mentor training")
    page.get_by_label("Sessions to attend to complete it").fill("2")
    assert_accessible(page)
    shot(page, "series-form")
    page.get_by_role("button", name="Create the series", exact=True).click()
    expect(page.get_by_role("heading", name="Research mentor training", exact=True)).to_be_visible()

    page.get_by_role("link", name="Add a session", exact=True).click()
    page.get_by_label("Title", exact=True).fill("Setting expectations")
    page.get_by_label("Date", exact=True).fill("2031-02-04")
    page.get_by_label("Start time").fill("12:00")
    page.get_by_label("Materials (Markdown)").fill("The **compact** template, annotated.")
    assert_accessible(page)
    shot(page, "session-form")
    page.get_by_role("button", name="Add the session", exact=True).click()
    expect(page.get_by_text("12:00 CST")).to_be_visible()
    expect(page.locator("strong", has_text="compact")).to_be_visible()
    session_url = page.url

    page.locator('a[href^="/development/series/"]').first.click()
    page.get_by_label("Email of the mentor to invite").fill(school.mentor_a1.email)
    page.get_by_role("button", name="Send the invitation", exact=True).click()
    expect(page.get_by_text("Invitation sent to Mira Mentorone.")).to_be_visible()
    expect(page.get_by_role("heading", name="Invited, not yet answered")).to_be_visible()

    page.get_by_role("link", name="Import trainees from a file").click()
    bad = tmp_path / "cohort.csv"
    bad.write_text(f"email\n{school.mentor_a2.email}\nnobody@example.org\n")
    page.get_by_label("CSV or Excel file").set_input_files(bad)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Row 3, column email: no one in Hearth has the email")).to_be_visible()
    assert_accessible(page)
    shot(page, "import-errors")
    good = tmp_path / "cohort-fixed.csv"
    good.write_text(f"email\n{school.mentor_a2.email}\n{school.mentor_b1.email}\n")
    page.get_by_label("CSV or Excel file").set_input_files(good)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Enrolled 2 trainees")).to_be_visible()
    expect(page.get_by_role("heading", name="Who completed what")).to_be_visible()
    assert_accessible(page)
    shot(page, "series-facilitator")

    page.get_by_role("link", name="Mentoring cases").click()
    expect(page.get_by_role("heading", name="The camera that never comes on")).to_be_visible()
    assert_accessible(page)
    shot(page, "cases")
    page.get_by_role("link", name="Write a case").click()
    page.get_by_label("Title", exact=True).fill("The silent group")
    page.get_by_label("Scenario (Markdown)").fill("Nobody speaks for the first ten minutes.")
    page.get_by_label("Questions for discussion, one a line").fill("What would you try first?")
    page.get_by_label("Maintaining effective communication").check()
    assert_accessible(page)
    page.get_by_role("button", name="Add the case", exact=True).click()
    expect(page.get_by_role("heading", name="The silent group")).to_be_visible()

    # A session held yesterday: the facilitator marks who was there.
    series = TrainingSeries.objects.get(title="Research mentor training")
    yesterday = services.session_create(
        series=series,
        fields=session_fields("Kick-off", timezone.now() - dt.timedelta(days=1), 60, school),
    )
    page.goto(f"{base}/development/sessions/{yesterday.pk}/")
    page.locator("#roster tr", has_text="Mateo Mentortwo").get_by_role("button").click()
    expect(page.locator("#roster").get_by_text("Marked by Fay Facilitator")).to_be_visible()
    assert_accessible(page)

    page.goto(session_url)
    page.get_by_label("Attach a case").select_option(
        label="The silent group (MD Learning Communities)"
    )
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_role("heading", name="The silent group")).to_be_visible()
    expect(page.get_by_role("heading", name="Who is here")).to_be_visible()
    assert_accessible(page)
    shot(page, "session-facilitator")
