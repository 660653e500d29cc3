"""Recorded interviews in the browser: upload an espeak-ng recording, read its transcript,
jump to a moment by its time, correct a speaker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import assert_accessible, sign_in
from hearth.studies.models import JobStatus, Source
from hearth.studies.tests.speech import speak
from hearth.studies.tests.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

SPOKEN = (
    "What has the learning community meant to you? It has been the best part of my week. "
    "The students bring whatever is on their minds, from exams to a hard night on call."
)


def test_upload_a_recording_play_a_turn_and_name_its_speaker(
    page: Page, live_server, school, settings, tmp_path: Path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MODEL_CACHE = tmp_path / "models"
    settings.TRANSCRIPTION_MODEL = "tiny.en"
    world = build_world(school)
    wav = speak(SPOKEN, tmp_path / "interview-p01.wav")
    base = live_server.url
    sign_in(page, base, world.lead.email)
    page.goto(f"{base}/studies/{world.study.pk}/")
    page.get_by_role("link", name="Upload a recording").click()
    expect(page.get_by_role("heading", name="Upload a recording")).to_be_visible()
    expect(page.get_by_text("with Whisper tiny.en")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/recording-upload.png", full_page=True)

    page.get_by_label("Recording").set_input_files(str(wav))
    page.get_by_label("Title").fill("Interview P01, recorded")
    page.get_by_label("Participant interviewed").select_option(label="P01")
    page.get_by_role("button", name="Upload and transcribe").click()

    expect(page.get_by_role("heading", name="Interview P01, recorded")).to_be_visible()
    expect(page.get_by_role("heading", name="Transcript")).to_be_visible(timeout=60_000)
    source = Source.objects.get(title="Interview P01, recorded")
    assert source.transcription.status == JobStatus.DONE
    turns = list(source.turns.order_by("index"))
    assert len(turns) == 3
    expect(page.locator(".timed-turn .words").nth(1)).to_contain_text("best part of my week")

    # The player loads through the permission-checked view, then seeks to the second turn.
    page.wait_for_function(
        "() => document.getElementById('recording-audio').readyState >= 1", timeout=20_000
    )
    second = turns[1]
    page.locator(f"#turn-{second.pk} .seek").click()
    page.wait_for_function(
        f"() => document.getElementById('recording-audio').currentTime >= {second.begins_at - 0.05}"
    )
    expect(page.locator(f"#turn-{second.pk}")).to_have_class(re.compile("playing"))
    page.evaluate("document.getElementById('recording-audio').pause()")

    page.get_by_role("button", name=re.compile(r"^Correct turn 1 ")).click()
    page.get_by_label("Speaker").fill("Interviewer")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#turn-{turns[0].pk} .speaker")).to_have_text("Interviewer")
    page.get_by_role("button", name=re.compile(r"^Correct turn 2 ")).click()
    page.get_by_label("Speaker").fill("P01")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#turn-{second.pk} .speaker")).to_have_text("P01")
    second.refresh_from_db()
    assert second.participant == world.p1
    assert_accessible(page)
    page.screenshot(path="/tmp/recording-transcript.png", full_page=True)

    page.get_by_role("link", name="Code this transcript").click()
    expect(page.get_by_text("best part of my week")).to_be_visible()


def test_without_a_model_the_upload_says_so_and_the_recording_waits(
    page: Page, live_server, school, settings, tmp_path: Path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TRANSCRIPTION_MODEL = "none"
    world = build_world(school)
    wav = speak("Thank you for making time today.", tmp_path / "short.wav")
    sign_in(page, live_server.url, world.lead.email)
    page.goto(f"{live_server.url}/studies/{world.study.pk}/recordings/new/")
    expect(page.get_by_text("No transcription model is installed on this site")).to_be_visible()
    page.get_by_label("Recording").set_input_files(str(wav))
    page.get_by_role("button", name="Upload").click()
    expect(
        page.get_by_role("heading", name="This recording is waiting for a transcription model")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Transcribe now")).to_have_count(0)
    # A function, not an expression: Playwright evals expressions, which the CSP refuses.
    page.wait_for_function("() => document.getElementById('recording-audio').readyState >= 1")
    assert Source.objects.get(title="short").transcription.status == JobStatus.WAITING
    assert_accessible(page)
    page.screenshot(path="/tmp/recording-waiting.png", full_page=True)
