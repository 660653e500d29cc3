from __future__ import annotations

import datetime as dt
import signal
import socket
from collections.abc import Iterator
from email.message import Message
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from conftest import Mailbox
from hearth.communities.models import Relationship
from hearth.meetings import services
from hearth.meetings.models import Cadence, EmailPreference, Meeting, ProgramMeetingSettings
from hearth.meetings.reminders import reminders_send
from hearth.testing import School

# A Tuesday morning run; 10:30 UTC is 10:30 in London and 04:30 in Chicago in winter.
NOW = dt.datetime(2027, 1, 12, 10, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
SETTINGS_URL = "https://hearth.example.edu/account/email/"


@pytest.fixture
def zoned_school(school: School, settings) -> School:  # noqa: ANN001 - pytest-django's settings
    settings.HEARTH_BASE_URL = "https://hearth.example.edu"
    school.learner_a1.time_zone = "Europe/London"
    school.learner_a1.save()
    school.mentor_a1.time_zone = "America/Chicago"
    school.mentor_a1.save()
    return school


@pytest.fixture
def db_task_queue(settings) -> Iterator[None]:  # noqa: ANN001 - pytest-django's settings
    """Tasks wait in the database for the worker, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker installs its own signal handlers; give pytest its own back afterwards.
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.fixture
def refusing_smtp_server(settings) -> Iterator[None]:  # noqa: ANN001 - pytest-django's settings
    """A real SMTP server that refuses every message."""

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
            return "550 5.7.1 Message refused by policy"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield
    finally:
        controller.stop()


def _relationship(school: School) -> Relationship:
    return Relationship.objects.get(mentor=school.mentor_a1, mentee=school.learner_a1)


def _meeting(school: School, starts_at: dt.datetime, **fields: object) -> Meeting:
    # Created outside any on-commit capture, so its invitation never goes out in these tests.
    meeting = services.meeting_create(
        organiser=school.mentor_a1,
        title="Finding your feet",
        starts_at=starts_at,
        duration_minutes=30,
        relationship=_relationship(school),
        allow_past=True,
        **fields,  # type: ignore[arg-type]
    )
    services.agenda_item_add(meeting=meeting, person=school.learner_a1, text="Anatomy lab nerves")
    return meeting


def _text(message: Message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()  # type: ignore[union-attr]


def _send(django_capture_on_commit_callbacks, now: dt.datetime = NOW):  # noqa: ANN001, ANN202
    with django_capture_on_commit_callbacks(execute=True):
        return reminders_send(now=now)


def test_day_before_reminder_carries_agenda_and_ics_in_each_zone(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    meeting = _meeting(zoned_school, NOW + dt.timedelta(hours=24, minutes=30))

    report = _send(django_capture_on_commit_callbacks)

    assert report.meeting_reminders == 2
    [learner_mail] = smtp_server.to(zoned_school.learner_a1.email)
    [mentor_mail] = smtp_server.to(zoned_school.mentor_a1.email)
    assert learner_mail["Subject"] == "Tomorrow: Finding your feet"
    learner_text = _text(learner_mail)
    assert "Wednesday 13 January 2027, 10:30–11:00 (Europe/London, GMT)" in learner_text
    assert "Wednesday 13 January 2027, 04:30–05:00 (America/Chicago, CST)" in _text(mentor_mail)
    assert "- Anatomy lab nerves" in learner_text
    assert f"https://hearth.example.edu/meetings/{meeting.pk}/" in learner_text
    for mail in (learner_mail, mentor_mail):
        assert _text(mail).rstrip().endswith(SETTINGS_URL)
        [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
        assert part.get_filename() == "invite.ics"
        [event] = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
        assert str(event["UID"]) == str(meeting.uid)
        assert event.start == meeting.starts_at


def test_opted_out_person_gets_no_meeting_reminder(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    EmailPreference.objects.create(person=zoned_school.mentor_a1, meeting_reminders=False)
    _meeting(zoned_school, NOW + dt.timedelta(hours=24, minutes=30))

    report = _send(django_capture_on_commit_callbacks)

    assert report.meeting_reminders == 1
    assert smtp_server.to(zoned_school.mentor_a1.email) == []
    assert len(smtp_server.to(zoned_school.learner_a1.email)) == 1


def test_cancelled_meeting_gets_nothing(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    soon = _meeting(zoned_school, NOW + dt.timedelta(hours=24, minutes=30))
    later = _meeting(zoned_school, NOW + dt.timedelta(days=3, minutes=30))
    for meeting in (soon, later):
        services.meeting_cancel(meeting=meeting, person=zoned_school.mentor_a1)

    report = _send(django_capture_on_commit_callbacks)

    assert (report.meeting_reminders, report.agenda_prompts) == (0, 0)
    assert smtp_server.messages == []


def test_agenda_prompt_goes_to_the_learner_only(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    meeting = _meeting(zoned_school, NOW + dt.timedelta(days=3, minutes=10))

    report = _send(django_capture_on_commit_callbacks)

    assert report.agenda_prompts == 1
    [mail] = smtp_server.messages
    assert zoned_school.learner_a1.email in mail["To"]
    assert mail["Subject"] == "Anything you want to talk about? Finding your feet"
    text = _text(mail)
    assert f"https://hearth.example.edu/meetings/{meeting.pk}/" in text
    assert "Friday 15 January 2027, 10:10–10:40 (Europe/London, GMT)" in text
    assert text.rstrip().endswith(SETTINGS_URL)


def test_agenda_prompt_follows_the_programs_days_before(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    ProgramMeetingSettings.objects.create(program=zoned_school.program, prompt_days_before=5)
    _meeting(zoned_school, NOW + dt.timedelta(days=3, minutes=10))
    _meeting(zoned_school, NOW + dt.timedelta(days=5, minutes=10))

    report = _send(django_capture_on_commit_callbacks)

    assert report.agenda_prompts == 1
    [mail] = smtp_server.messages
    assert "Sunday 17 January 2027" in _text(mail)


def test_learner_who_opted_out_of_prompts_gets_none(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    EmailPreference.objects.create(person=zoned_school.learner_a1, agenda_prompts=False)
    _meeting(zoned_school, NOW + dt.timedelta(days=3, minutes=10))

    assert _send(django_capture_on_commit_callbacks).agenda_prompts == 0
    assert smtp_server.messages == []


def test_action_item_due_tomorrow_reaches_its_owner_at_nine_in_their_zone(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    meeting = _meeting(zoned_school, NOW - dt.timedelta(days=7))
    tomorrow = dt.date(2027, 1, 13)
    services.action_item_add(
        meeting=meeting,
        person=zoned_school.mentor_a1,
        owner=zoned_school.learner_a1,
        text="Read the anatomy chapter",
        due_date=tomorrow,
    )
    done = services.action_item_add(
        meeting=meeting,
        person=zoned_school.mentor_a1,
        owner=zoned_school.learner_a1,
        text="Already finished",
        due_date=tomorrow,
    )
    services.action_item_done(item=done, person=zoned_school.learner_a1)

    # 09:00 in London is the 09:00 UTC run; the 10:00 run sends nothing more.
    at_nine = _send(django_capture_on_commit_callbacks, NOW - HOUR)
    at_ten = _send(django_capture_on_commit_callbacks, NOW)

    assert (at_nine.action_item_reminders, at_ten.action_item_reminders) == (1, 0)
    [mail] = smtp_server.messages
    assert zoned_school.learner_a1.email in mail["To"]
    assert mail["Subject"] == "Due tomorrow: Read the anatomy chapter"
    assert "Due Wednesday 13 January 2027" in _text(mail)
    assert _text(mail).rstrip().endswith(SETTINGS_URL)


def test_adjacent_windows_do_not_overlap(zoned_school: School) -> None:
    # One meeting inside the first window, one exactly on the boundary between the two.
    _meeting(zoned_school, NOW + dt.timedelta(hours=24, minutes=59, seconds=59))
    _meeting(zoned_school, NOW + dt.timedelta(hours=25))

    first = reminders_send(now=NOW, interval=HOUR)
    second = reminders_send(now=NOW + HOUR, interval=HOUR)

    # Each meeting reaches its two participants exactly once across both runs.
    assert (first.meeting_reminders, second.meeting_reminders) == (2, 2)


def test_overdue_pairs_are_nudged_once_a_week_in_the_first_hour_of_monday(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    Cadence.objects.create(program=zoned_school.program, learner_year=1, every_days=14)
    _meeting(zoned_school, dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC))
    EmailPreference.objects.create(person=zoned_school.learner_a2, overdue_nudges=False)
    monday = dt.datetime(2027, 1, 11, 0, 0, tzinfo=dt.UTC)

    runs = [
        _send(django_capture_on_commit_callbacks, at)
        for at in (monday - HOUR, monday, monday + HOUR, NOW)
    ]

    # Four open pairs in the school, both sides nudged, but one learner opted out.
    assert [run.overdue_nudges for run in runs] == [0, 7, 0, 0]
    assert smtp_server.to(zoned_school.learner_a2.email) == []
    [mail] = smtp_server.to(zoned_school.learner_a1.email)
    assert mail["Subject"] == "Time to meet Mira Mentorone"
    text = _text(mail)
    assert "You last met on Tuesday 1 December 2026." in text
    assert "meeting again by 15 December 2026" in text
    assert text.rstrip().endswith(SETTINGS_URL)


def test_command_prints_counts_for_the_current_window(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # noqa: ANN001
    _meeting(zoned_school, NOW + dt.timedelta(hours=24, minutes=5))
    _meeting(zoned_school, NOW + dt.timedelta(days=3, minutes=5))
    # A run a few seconds late still covers the whole hour from 10:00.
    monkeypatch.setattr(timezone, "now", lambda: NOW + dt.timedelta(seconds=7))
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--interval-minutes", "60", stdout=out)

    assert out.getvalue().strip() == (
        "Window 2027-01-12 10:00 UTC + 60 min: 2 meeting reminders, 1 agenda prompts, "
        "0 action item reminders, 0 overdue nudges."
    )
    assert len(smtp_server.messages) == 3


@pytest.mark.django_db(transaction=True)
def test_worker_sends_the_queued_reminders(
    zoned_school: School, smtp_server: Mailbox, db_task_queue: None
) -> None:
    _meeting(zoned_school, NOW + dt.timedelta(hours=24, minutes=30))
    DBTaskResult.objects.all().delete()  # the meeting's invitations, committed with it

    report = reminders_send(now=NOW)

    assert report.meeting_reminders == 2
    assert smtp_server.messages == []
    assert DBTaskResult.objects.ready().count() == 2
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert DBTaskResult.objects.successful().count() == 2
    assert len(smtp_server.to(zoned_school.learner_a1.email)) == 1
    assert len(smtp_server.to(zoned_school.mentor_a1.email)) == 1


@pytest.mark.django_db(transaction=True)
def test_refused_email_fails_its_task_but_not_the_run_that_queued_it(
    zoned_school: School, refusing_smtp_server: None, db_task_queue: None
) -> None:
    _meeting(zoned_school, NOW + dt.timedelta(hours=24, minutes=30))
    DBTaskResult.objects.all().delete()  # the meeting's invitations, committed with it

    report = reminders_send(now=NOW)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert report.meeting_reminders == 2
    failed = list(DBTaskResult.objects.failed())
    assert len(failed) == 2
    assert DBTaskResult.objects.successful().count() == 0
    for result in failed:
        assert result.exception_class_path == "smtplib.SMTPDataError"
        assert "Message refused by policy" in result.traceback
    # Each refused mail is tried again later, as a second attempt.
    retries = list(DBTaskResult.objects.filter(status="READY"))
    assert len(retries) == 2
    assert all(r.run_after is not None and r.args_kwargs["kwargs"]["attempt"] == 2 for r in retries)


def test_refused_email_does_not_undo_the_cancellation_that_caused_it(
    zoned_school: School, refusing_smtp_server: None, client, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    meeting = _meeting(zoned_school, timezone.now() + dt.timedelta(days=2))
    client.force_login(zoned_school.mentor_a1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/meetings/{meeting.pk}/cancel/")

    assert response.status_code == 302
    assert len(callbacks) == 2
    meeting.refresh_from_db()
    assert meeting.is_cancelled
