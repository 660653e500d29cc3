"""Recorded interviews: upload, transcription as a task, the transcript's corrections and the
audio served to the study's members only, with HTTP ranges for seeking."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hearth.studies import transcription, transcripts
from hearth.studies.models import (
    CodedSegment,
    Consent,
    JobStatus,
    Source,
    SourceKind,
    Transcription,
    Turn,
)
from hearth.studies.tests.speech import speak, tone_wav
from hearth.studies.tests.world import World
from hearth.testing import PASSWORD, make_person

# Three sentences, so three turns.
SPOKEN = (
    "We meet every other week over lunch. The students ask about residency applications. "
    "What I value most is watching them support each other."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> None:  # noqa: ANN001 - pytest-django's settings
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MODEL_CACHE = tmp_path / "models"
    settings.TRANSCRIPTION_MODEL = "tiny.en"


@pytest.fixture(scope="module")
def spoken_wav(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return speak(SPOKEN, tmp_path_factory.mktemp("speech") / "spoken.wav").read_bytes()


def _login(client, person) -> None:  # noqa: ANN001
    client.login(email=person.email, password=PASSWORD)


def _transcribed(world: World, wav: bytes, django_capture_on_commit_callbacks) -> Source:  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        source = transcripts.recording_upload(
            study=world.study,
            by=world.lead,
            upload=SimpleUploadedFile("interview.wav", wav),
            title="Recorded interview",
        )
    source.refresh_from_db()
    assert source.transcription.status == JobStatus.DONE
    return source


def test_the_upload_page_names_the_model_or_says_none_is_installed(client, world, settings):
    _login(client, world.lead)
    page = client.get(reverse("recording_upload", args=[world.study.pk])).content.decode()
    assert "Whisper tiny.en" in page and "never leaves your institution" in page
    settings.TRANSCRIPTION_MODEL = "none"
    page = client.get(reverse("recording_upload", args=[world.study.pk])).content.decode()
    assert "No transcription model is installed on this site" in page
    assert "it will wait" in page


def test_uploading_transcribes_the_recording_into_timed_turns(
    client, world, spoken_wav, django_capture_on_commit_callbacks
):
    _login(client, world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("recording_upload", args=[world.study.pk]),
            {
                "file": SimpleUploadedFile("interview.wav", spoken_wav),
                "title": "Dr M, recorded",
                "participant": world.p1.pk,
            },
        )
    source = Source.objects.get(title="Dr M, recorded")
    assert response.status_code == 302 and response["Location"] == reverse(
        "recording", args=[source.pk]
    )
    assert source.kind == SourceKind.AUDIO and source.audio.name.endswith(".wav")
    job = source.transcription
    assert job.status == JobStatus.DONE, job.error
    assert job.model_key == "tiny.en" and job.progress == 100
    assert job.audio_seconds and job.audio_seconds > 5 and job.processing_seconds
    turns = list(source.turns.order_by("index"))
    assert len(turns) == 3
    assert [t.speaker for t in turns] == ["Speaker"] * 3
    assert all(a.begins_at < b.begins_at for a, b in zip(turns, turns[1:], strict=False))
    assert "residency applications" in source.text[turns[1].start : turns[1].end]
    assert Consent.objects.filter(participant=world.p1, source=source).exists()

    page = client.get(reverse("recording", args=[source.pk])).content.decode()
    assert 'id="recording-audio"' in page and reverse("recording_audio", args=[source.pk]) in page
    assert f'data-seek="{turns[1].begins_at}"' in page
    assert reverse("source_code", args=[source.pk]) in page
    study_page = client.get(reverse("study", args=[world.study.pk])).content.decode()
    assert reverse("recording", args=[source.pk]) in study_page


def test_without_a_model_the_recording_waits_until_someone_transcribes_it(
    client, world, settings, spoken_wav, django_capture_on_commit_callbacks
):
    settings.TRANSCRIPTION_MODEL = "none"
    _login(client, world.lead)
    client.post(
        reverse("recording_upload", args=[world.study.pk]),
        {"file": SimpleUploadedFile("later.wav", spoken_wav), "title": "Later"},
    )
    source = Source.objects.get(title="Later")
    assert source.transcription.status == JobStatus.WAITING
    page = client.get(reverse("recording", args=[source.pk])).content.decode()
    assert "waiting for a transcription model" in page
    assert reverse("recording_transcribe", args=[source.pk]) not in page

    settings.TRANSCRIPTION_MODEL = "tiny.en"  # the site installs and configures a model
    page = client.get(reverse("recording", args=[source.pk])).content.decode()
    assert reverse("recording_transcribe", args=[source.pk]) in page
    assert 'name="model"' in page  # tiny.en or base: both are installed
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("recording_transcribe", args=[source.pk]), {"model": "tiny.en"})
    source.transcription.refresh_from_db()
    assert source.transcription.status == JobStatus.DONE
    assert source.turns.count() == 3


def test_a_file_that_is_not_a_recording_is_refused_and_nothing_is_kept(client, world):
    _login(client, world.lead)
    for name, data, reason in [
        ("notes.wav", b"Interviewer: hello\nP01: hi\n", "“notes.wav”: the file is not a recording"),
        ("notes.txt", b"Interviewer: hello\n", "“notes.txt” is not a recording Hearth takes"),
    ]:
        response = client.post(
            reverse("recording_upload", args=[world.study.pk]),
            {"file": SimpleUploadedFile(name, data), "title": "Bad"},
        )
        assert response.status_code == 400
        assert reason in response.content.decode()
    assert not Source.objects.filter(title="Bad").exists()
    assert not Transcription.objects.exists()


def test_the_page_polls_progress_while_queued_and_refreshes_when_done(client, world, spoken_wav):
    # Speech, not a tone: Whisper sometimes "hears" words in a tone, which made this flaky.
    source = transcripts.recording_upload(
        study=world.study,
        by=world.lead,
        upload=SimpleUploadedFile("spoken.wav", spoken_wav),
        title="Spoken",
        enqueue=False,
    )
    _login(client, world.viewer)
    page = client.get(reverse("recording", args=[source.pk])).content.decode()
    assert '<progress id="transcription-progress" max="100" value="0">' in page
    assert 'hx-trigger="every 1s"' in page
    poll = {"HX-Request": "true", "HX-Target": "recording-status"}
    partial = client.get(reverse("recording", args=[source.pk]), headers=poll)
    assert "Waiting for the transcriber to start" in partial.content.decode()
    assert "<h1>" not in partial.content.decode()

    job = transcripts.transcription_run(source.transcription.pk)
    assert job.status == JobStatus.DONE
    done = client.get(reverse("recording", args=[source.pk]), headers=poll)
    assert done["HX-Refresh"] == "true"
    transcript = client.get(reverse("recording", args=[source.pk])).content.decode()
    assert 'aria-label="Play from 0:00"' in transcript and "<progress" not in transcript


def test_a_broken_model_folder_fails_the_job_with_a_plain_message(
    world, settings, tmp_path, spoken_wav
):
    broken = tmp_path / "our-model"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model")
    settings.TRANSCRIPTION_MODEL = str(broken)
    source = transcripts.recording_upload(
        study=world.study,
        by=world.lead,
        upload=SimpleUploadedFile("a.wav", spoken_wav),
        title="A",
        enqueue=False,
    )
    job = transcripts.transcription_run(source.transcription.pk)
    assert job.status == JobStatus.FAILED
    assert "stopped unexpectedly" in job.error and "try again" in job.error
    assert source.turns.count() == 0


def _queued(world: World) -> Transcription:
    source = transcripts.recording_upload(
        study=world.study,
        by=world.lead,
        upload=SimpleUploadedFile("a.wav", tone_wav()),
        title="A",
        enqueue=False,
    )
    return source.transcription


def test_a_transcription_whose_worker_fell_silent_fails_with_a_way_to_try_again(client, world):
    job = _queued(world)
    Transcription.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=timezone.now() - dt.timedelta(minutes=9)
    )
    _login(client, world.lead)
    page = client.get(reverse("recording", args=[job.source_id])).content.decode()
    assert "Waiting for the transcriber" in page or "<progress" in page, "nine minutes: alive"
    Transcription.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=11)
    )
    page = client.get(reverse("recording", args=[job.source_id])).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert "stopped answering" in job.error and "transcribe it again" in job.error
    assert "stopped answering" in page


def test_a_slow_worker_s_transcript_is_dropped_once_its_job_was_ended_as_silent(world, monkeypatch):
    """The worker was only slow: its next progress write finds the job over and ends the work,
    and the verdict stands instead of a transcript appearing under a failed job."""
    job = _queued(world)
    finished_anyway: list[bool] = []

    class SlowEngine:
        def transcribe(self, samples, on_progress):  # noqa: ANN001, ANN202
            later = timezone.now() + dt.timedelta(hours=1)
            transcripts.transcription_stop_if_silent(job=job, now=later)
            on_progress(0.5)
            finished_anyway.append(True)
            return [transcription.TimedSegment(0.0, 1.0, "Never stored.")]

    monkeypatch.setattr(transcription, "transcriber_for", lambda *_: SlowEngine())
    job = transcripts.transcription_run(job.pk)
    assert job.status == JobStatus.FAILED and "stopped answering" in job.error
    assert job.source.turns.count() == 0 and job.source.text == ""
    assert not finished_anyway, "the progress write ends the work at once"


def test_correcting_a_turn_shifts_later_turns_and_codings(
    world, spoken_wav, django_capture_on_commit_callbacks
):
    source = _transcribed(world, spoken_wav, django_capture_on_commit_callbacks)
    first, second, third = source.turns.order_by("index")
    later_words = source.text[third.start : third.end]
    code = world.codes["Feeling connected"]
    transcripts_segment = CodedSegment.objects.create(
        source=source, code=code, coder=world.lead, start=third.start, end=third.end
    )
    old_second = source.text[second.start : second.end]

    edit = transcripts.transcript_turn_edit(
        turn=second, by=world.lead, speaker="Interviewer", text=old_second + " Often, really."
    )
    assert edit.shifted_by == len(" Often, really.")
    source.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    transcripts_segment.refresh_from_db()
    assert source.text[second.start : second.end] == old_second + " Often, really."
    assert source.text[third.start : third.end] == later_words
    assert source.text[transcripts_segment.start : transcripts_segment.end] == later_words
    assert second.speaker == "Interviewer"

    shorter = "We meet weekly."
    transcripts.transcript_turn_edit(turn=first, by=world.lead, speaker="P01", text=shorter)
    source.refresh_from_db()
    transcripts_segment.refresh_from_db()
    first.refresh_from_db()
    assert source.text.startswith(shorter + "\n")
    assert source.text[transcripts_segment.start : transcripts_segment.end] == later_words
    assert first.participant == world.p1  # the pseudonym links the turn


def test_coded_words_are_locked_but_their_speaker_is_not(
    world, spoken_wav, django_capture_on_commit_callbacks
):
    source = _transcribed(world, spoken_wav, django_capture_on_commit_callbacks)
    turn = source.turns.order_by("index")[1]
    words = source.text[turn.start : turn.end]
    CodedSegment.objects.create(
        source=source,
        code=world.codes["Feeling connected"],
        coder=world.coder,
        start=turn.start + 4,
        end=turn.start + 12,
    )
    before = (source.text, list(Turn.objects.filter(source=source).values_list("start", "end")))
    with pytest.raises(ValidationError, match="Coded segments cover this turn"):
        transcripts.transcript_turn_edit(
            turn=turn, by=world.lead, speaker="Interviewer", text="Something else entirely."
        )
    source.refresh_from_db()
    turn.refresh_from_db()
    assert (source.text, list(source.turns.values_list("start", "end"))) == before
    assert turn.speaker == "Speaker"  # the failed edit changed nothing, label included
    transcripts.transcript_turn_edit(turn=turn, by=world.lead, speaker="P02", text=words)
    turn.refresh_from_db()
    assert turn.speaker == "P02" and turn.participant == world.p2


def test_turns_are_corrected_inline_by_coders_only(
    client, world, spoken_wav, django_capture_on_commit_callbacks
):
    source = _transcribed(world, spoken_wav, django_capture_on_commit_callbacks)
    turn = source.turns.order_by("index")[0]
    url = reverse("recording_turn", args=[source.pk, turn.pk])
    _login(client, world.coder)
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'id="speaker-{turn.pk}"' in form and 'name="text"' in form
    saved = client.post(
        url,
        {"speaker": "Interviewer", "text": "We meet every week."},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Interviewer" in saved and "We meet every week." in saved and "<form" not in saved
    refused = client.post(url, {"speaker": "", "text": "x"}, headers={"HX-Request": "true"})
    assert "Give the speaker a label" in refused.content.decode()

    client.logout()
    _login(client, world.viewer)
    assert client.get(url).status_code == 404
    assert client.post(url, {"speaker": "X", "text": "x"}).status_code == 404
    assert "Correct" not in client.get(reverse("recording", args=[source.pk])).content.decode()


def test_the_audio_is_served_with_byte_ranges_for_seeking(client, world):
    data = tone_wav(1.0)
    source = transcripts.recording_upload(
        study=world.study,
        by=world.lead,
        upload=SimpleUploadedFile("tone.wav", data),
        title="Tone",
        enqueue=False,
    )
    url = reverse("recording_audio", args=[source.pk])
    _login(client, world.viewer)
    whole = client.get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    assert whole["Accept-Ranges"] == "bytes" and whole["Content-Type"] == "audio/wav"

    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == data[100:200]
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert part["Content-Length"] == "100"
    tail = client.get(url, headers={"Range": "bytes=-50"})
    assert b"".join(tail.streaming_content) == data[-50:]
    open_ended = client.get(url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert b"".join(open_ended.streaming_content) == data[-10:]
    beyond = client.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(data)}"


def test_outsiders_get_404_on_every_recording_page(client, world):
    source = transcripts.recording_upload(
        study=world.study,
        by=world.lead,
        upload=SimpleUploadedFile("tone.wav", tone_wav(1.0)),
        title="Tone",
        enqueue=False,
    )
    turn = Turn.objects.create(source=source, index=0, start=0, end=1, speaker="Speaker")
    outsider = make_person("Olive Outsider")
    _login(client, outsider)
    for url in [
        reverse("recording_upload", args=[world.study.pk]),
        reverse("recording", args=[source.pk]),
        reverse("recording_audio", args=[source.pk]),
        reverse("recording_turn", args=[source.pk, turn.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("recording_transcribe", args=[source.pk])).status_code == 404
    # A text source is not a recording: no audio page for it, even for the team.
    client.logout()
    _login(client, world.lead)
    assert client.get(reverse("recording", args=[world.source.pk])).status_code == 404
    _login(client, world.viewer)
    assert client.get(reverse("recording_upload", args=[world.study.pk])).status_code == 404
    assert client.post(reverse("recording_transcribe", args=[source.pk])).status_code == 404
