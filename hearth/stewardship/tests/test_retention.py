"""Retention: old private notes and old recordings' audio go; the rest stays."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from config.settings import _retention_days
from hearth.communities.models import Relationship
from hearth.meetings import services as meetings
from hearth.meetings.models import Note, NoteVisibility
from hearth.stewardship.retention import retention_apply
from hearth.stewardship.tasks import apply_retention_task
from hearth.studies import transcripts
from hearth.studies.models import JobStatus, Source, StudyEvent, Transcription
from hearth.studies.tests.speech import tone_wav
from hearth.studies.tests.world import World, build_world

NOW = timezone.now()
LONG_AGO = NOW - dt.timedelta(days=400)
LATELY = NOW - dt.timedelta(days=10)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> None:  # noqa: ANN001 - pytest-django's settings
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RETENTION_PRIVATE_NOTES_DAYS = 0
    settings.RETENTION_RECORDINGS_DAYS = 0


@pytest.fixture
def world(school) -> World:  # noqa: ANN001 - the shared school fixture
    return build_world(school)


def _note(world: World, visibility: str, body: str, edited: dt.datetime) -> Note:
    relationship = Relationship.objects.get(
        mentor=world.school.mentor_a1, mentee=world.school.learner_a1
    )
    meeting = meetings.meeting_create(
        organiser=relationship.mentor,
        relationship=relationship,
        title="Check-in",
        starts_at=edited,
        duration_minutes=30,
        allow_past=True,
    )
    note = meetings.note_save(
        meeting=meeting, author=relationship.mentor, visibility=visibility, body=body
    )
    meetings.note_save(
        meeting=meeting,
        author=relationship.mentor,
        visibility=visibility,
        body=body + " (2)",
        note=note,
    )
    Note.objects.filter(pk=note.pk).update(updated_at=edited)  # as if last edited then
    return note


def _recording(world: World, title: str, uploaded: dt.datetime, *, transcribed: bool) -> Source:
    source = transcripts.recording_upload(
        study=world.study,
        by=world.lead,
        upload=SimpleUploadedFile(f"{title}.wav", tone_wav(0.2)),
        title=title,
        enqueue=False,
    )
    # What a finished transcription leaves behind; the audio is what retention is about.
    Source.objects.filter(pk=source.pk).update(
        imported_at=uploaded, text="We meet every other week." if transcribed else ""
    )
    if transcribed:
        Transcription.objects.filter(source=source).update(status=JobStatus.DONE)
    source.refresh_from_db()
    return source


@pytest.fixture
def items(world: World) -> dict[str, object]:
    return {
        "old_private": _note(world, NoteVisibility.PRIVATE, "My worries about L.", LONG_AGO),
        "new_private": _note(world, NoteVisibility.PRIVATE, "Follow up next week.", LATELY),
        "old_shared": _note(world, NoteVisibility.SHARED, "We agreed on a plan.", LONG_AGO),
        "old_recording": _recording(world, "First interview", LONG_AGO, transcribed=True),
        "old_untranscribed": _recording(world, "Second interview", LONG_AGO, transcribed=False),
        "new_recording": _recording(world, "Third interview", LATELY, transcribed=True),
    }


def _audio_files(settings) -> list[str]:  # noqa: ANN001
    folder = Path(settings.MEDIA_ROOT) / "studies" / "audio"
    return sorted(p.stem for p in folder.iterdir())


def _note_history(note: Note) -> int:
    return Note.history.model.objects.filter(id=note.pk).count()


def test_settings_unset_keep_everything(items, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_apply()
    assert (report.private_notes, report.recordings) == (0, 0)
    assert Note.objects.count() == 3
    assert len(_audio_files(settings)) == 3
    assert "kept forever" in report.lines()[0] and "kept forever" in report.lines()[1]


def test_old_private_notes_go_with_their_history(items, settings):
    settings.RETENTION_PRIVATE_NOTES_DAYS = 365
    old = items["old_private"]
    assert _note_history(old) == 2
    report = retention_apply()
    assert report.private_notes == 1
    assert not Note.objects.filter(pk=old.pk).exists()
    assert _note_history(old) == 0
    kept = set(Note.objects.values_list("body", flat=True))
    assert kept == {"Follow up next week. (2)", "We agreed on a plan. (2)"}
    assert _note_history(items["new_private"]) == 2


def test_a_recent_conflicting_version_keeps_its_note(items, settings):
    settings.RETENTION_PRIVATE_NOTES_DAYS = 365
    old = items["old_private"]
    meetings.note_save(
        meeting=old.meeting,
        author=old.author,
        visibility=old.visibility,
        body="Mine",
        note=old,
        base_version=1,
    )
    assert retention_apply().private_notes == 0
    assert Note.objects.filter(pk=old.pk).exists()


def test_old_recordings_lose_their_audio_but_keep_transcript_and_say_so(
    items, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_RECORDINGS_DAYS = 90
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_apply()
    assert (report.recordings, report.untranscribed) == (2, 1)
    assert _audio_files(settings) == ["Third_interview"]
    old = Source.objects.get(pk=items["old_recording"].pk)
    assert not old.audio and old.text == "We meet every other week."
    assert Source.objects.get(pk=items["new_recording"].pk).audio
    messages = list(
        StudyEvent.objects.filter(kind="retention").order_by("pk").values_list("message", flat=True)
    )
    assert len(messages) == 2
    assert "“First interview” was deleted 90 days after upload" in messages[0]
    assert "transcript is kept" in messages[0]
    assert "never transcribed" in messages[1]
    assert "1 of them had no finished transcript" in report.lines()[1]


def test_dry_run_changes_nothing(items, settings, django_capture_on_commit_callbacks):
    settings.RETENTION_PRIVATE_NOTES_DAYS = 365
    settings.RETENTION_RECORDINGS_DAYS = 90
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", "--dry-run", stdout=out)
    assert "Would delete 1 private meeting notes not edited for 365 days." in out.getvalue()
    assert "Would delete the audio of 2 study recordings" in out.getvalue()
    assert Note.objects.count() == 3
    assert len(_audio_files(settings)) == 3
    assert Source.objects.exclude(audio="").count() == 3
    assert not StudyEvent.objects.filter(kind="retention").exists()


def test_command_prints_what_it_removed(items, settings, django_capture_on_commit_callbacks):
    settings.RETENTION_PRIVATE_NOTES_DAYS = 365
    settings.RETENTION_RECORDINGS_DAYS = 90
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", stdout=out)
    assert out.getvalue().splitlines() == [
        "Deleted 1 private meeting notes not edited for 365 days.",
        "Deleted the audio of 2 study recordings uploaded more than 90 days ago; their "
        "transcripts are kept. 1 of them had no finished transcript.",
    ]
    assert Note.objects.count() == 2 and _audio_files(settings) == ["Third_interview"]


def test_the_task_applies_retention(items, settings):
    settings.RETENTION_PRIVATE_NOTES_DAYS = 365
    result = apply_retention_task.enqueue()
    assert result.return_value["private_notes"] == 1
    assert Note.objects.count() == 2


@pytest.mark.parametrize(("raw", "days"), [(None, 0), ("", 0), (" ", 0), ("0", 0), ("30", 30)])
def test_retention_settings_read_empty_as_keep_forever(monkeypatch, raw, days):
    if raw is None:
        monkeypatch.delenv("RETENTION_RECORDINGS_DAYS", raising=False)
    else:
        monkeypatch.setenv("RETENTION_RECORDINGS_DAYS", raw)
    assert _retention_days("RETENTION_RECORDINGS_DAYS") == days


@pytest.mark.parametrize("raw", ["-5", "a year"])
def test_bad_retention_settings_fail_loudly(monkeypatch, raw):
    monkeypatch.setenv("RETENTION_RECORDINGS_DAYS", raw)
    with pytest.raises(ImproperlyConfigured, match="RETENTION_RECORDINGS_DAYS"):
        _retention_days("RETENTION_RECORDINGS_DAYS")
