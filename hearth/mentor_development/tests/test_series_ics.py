"""Calendar files and reminders: one invitation for the whole series, updates that keep
the UID and raise SEQUENCE, cancellations, and the day-before reminder."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from email.message import Message
from io import StringIO

import pytest
from django.core.management import call_command
from icalendar import Calendar

from conftest import Mailbox
from hearth.meetings.models import EmailPreference, ProgramMeetingSettings
from hearth.mentor_development.models import SessionFormat
from hearth.mentor_development.services import series as services

from .series_world import add_session, enrol, make_series, sessions_of

pytestmark = pytest.mark.django_db

# Wednesday 10 March 2027, 15:00 UTC: 10:00 in New York, 15:00 in London.
START = dt.datetime(2027, 3, 10, 15, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def zoned(school, settings):
    settings.HEARTH_BASE_URL = "https://hearth.example.edu"
    school.mentor_a1.time_zone = "Europe/London"
    school.mentor_a1.save()
    return school


def calendar_of(message: Message) -> tuple[str, Calendar]:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    return str(part.get_param("method")), calendar


def events(calendar: Calendar) -> list:
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def text_of(message: Message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()  # type: ignore[union-attr]


def test_enrolling_sends_one_invitation_with_every_session(
    zoned, smtp_server: Mailbox, django_capture_on_commit_callbacks, monkeypatch
):
    series = make_series(zoned, first=START, sessions=3)
    with django_capture_on_commit_callbacks(execute=True):
        enrol(series, zoned.mentor_a1, by=zoned.director)
    [invitation, enrolled] = smtp_server.to(zoned.mentor_a1.email)
    assert invitation["Subject"].startswith("Invitation")
    method, calendar = calendar_of(enrolled)
    assert method == "REQUEST" and str(calendar["METHOD"]) == "REQUEST"
    found = events(calendar)
    sessions = sessions_of(series)
    assert [str(e["UID"]) for e in found] == [str(s.uid) for s in sessions]
    london = zoneinfo.ZoneInfo("Europe/London")
    first = found[0]
    assert first.decoded("DTSTART") == START.astimezone(london)
    assert first["DTSTART"].params["TZID"] == "Europe/London"
    assert first.decoded("DTEND") - first.decoded("DTSTART") == dt.timedelta(minutes=90)
    assert int(first["SEQUENCE"]) == 0
    assert str(first["SUMMARY"]) == "Session 1 (Mentoring the Mentors)"
    assert str(first["ORGANIZER"]) == f"mailto:{zoned.facilitator.email}"
    assert str(first["ATTENDEE"]) == f"mailto:{zoned.mentor_a1.email}"
    assert str(first["URL"]) == f"https://hearth.example.edu/development/sessions/{sessions[0].pk}/"
    assert str(first["LOCATION"]).startswith("https://meet.jit.si/hearth-")
    assert "Read the case before we meet." in str(first["DESCRIPTION"])
    body = text_of(enrolled)
    assert "Wednesday 10 March 2027, 15:00–16:30 (Europe/London, GMT)" in body


def test_moving_a_session_keeps_its_uid_and_raises_sequence(
    zoned, smtp_server: Mailbox, django_capture_on_commit_callbacks
):
    series = make_series(zoned, first=START, sessions=2)
    enrol(series, zoned.mentor_a1, zoned.mentor_a2, by=zoned.director)
    session = sessions_of(series)[0]
    moved_to = START + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=session,
            fields=services.SessionFields(
                title=session.title,
                starts_at=moved_to,
                duration_minutes=session.duration_minutes,
                facilitator=zoned.facilitator,
                video_url=session.video_url,
                prework=session.prework,
            ),
        )
    session.refresh_from_db()
    assert session.sequence == 1
    assert len(smtp_server.messages) == 2
    [mail] = smtp_server.to(zoned.mentor_a1.email)
    assert mail["Subject"] == "Updated: Session 1"
    assert "has moved" in text_of(mail)
    method, calendar = calendar_of(mail)
    [event] = events(calendar)
    assert method == "REQUEST"
    assert str(event["UID"]) == str(session.uid) and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == moved_to

    # Materials are read in Hearth: changing them sends nothing and keeps the sequence.
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=session,
            fields=services.SessionFields(
                title=session.title,
                starts_at=moved_to,
                duration_minutes=session.duration_minutes,
                facilitator=zoned.facilitator,
                video_url=session.video_url,
                prework=session.prework,
                materials="Slides: *five* questions.",
            ),
        )
    session.refresh_from_db()
    assert session.sequence == 1 and smtp_server.messages == []


def test_cancelling_sends_an_itip_cancel_of_the_same_event(
    zoned, smtp_server: Mailbox, django_capture_on_commit_callbacks
):
    series = make_series(zoned, first=START, sessions=2)
    enrol(series, zoned.mentor_a1, by=zoned.director)
    session = sessions_of(series)[1]
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=session)
    [mail] = smtp_server.to(zoned.mentor_a1.email)
    assert mail["Subject"] == "Cancelled: Session 2"
    method, calendar = calendar_of(mail)
    [event] = events(calendar)
    assert method == "CANCEL" and str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == str(session.uid)
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1


def test_a_new_session_reaches_the_enrolled_cohort(
    zoned, smtp_server: Mailbox, django_capture_on_commit_callbacks
):
    series = make_series(zoned, first=START, sessions=1)
    enrol(series, zoned.mentor_a1, by=zoned.director)
    with django_capture_on_commit_callbacks(execute=True):
        added = add_session(series, zoned, starts_at=START + dt.timedelta(days=14), title="Extra")
    [mail] = smtp_server.to(zoned.mentor_a1.email)
    assert mail["Subject"] == "New session: Extra"
    [event] = events(calendar_of(mail)[1])
    assert str(event["UID"]) == str(added.uid)


def test_video_rooms_follow_the_program_and_in_person_sessions_have_none(zoned):
    series = make_series(zoned, first=START, sessions=0)
    ProgramMeetingSettings.objects.create(
        program=zoned.program, jitsi_base_url="https://video.school.example.edu"
    )
    virtual = add_session(series, zoned, starts_at=START)
    assert virtual.video_url.startswith("https://video.school.example.edu/hearth-")
    in_person = services.session_create(
        series=series,
        fields=services.SessionFields(
            title="Face to face",
            starts_at=START,
            format=SessionFormat.IN_PERSON,
            location="Room 4B",
        ),
    )
    assert in_person.video_url == ""
    with pytest.raises(Exception, match="Say where"):
        services.session_create(
            series=series,
            fields=services.SessionFields(
                title="Hybrid", starts_at=START, format=SessionFormat.HYBRID
            ),
        )


def test_the_reminder_goes_out_once_a_day_before(
    zoned, smtp_server: Mailbox, django_capture_on_commit_callbacks
):
    series = make_series(zoned, first=START, sessions=2)
    enrol(series, zoned.mentor_a1, zoned.mentor_a2, by=zoned.director)
    EmailPreference.objects.create(person=zoned.mentor_a2, meeting_reminders=False)
    smtp_server.messages.clear()
    day_before = START - dt.timedelta(hours=24)
    sent = []
    with django_capture_on_commit_callbacks(execute=True):
        # Hourly windows [t, t + 1h) tile the day: exactly one of them holds the session.
        for hours in range(-3, 3):
            sent.append(services.training_reminders_send(now=day_before + hours * HOUR))
    assert sent == [0, 0, 0, 1, 0, 0]
    [mail] = smtp_server.messages
    assert mail["Subject"] == "Tomorrow: Session 1"
    assert zoned.mentor_a1.email in mail["To"]
    method, calendar = calendar_of(mail)
    assert method == "REQUEST"
    assert str(events(calendar)[0]["UID"]) == str(sessions_of(series)[0].uid)
    assert "Details and check-in:" in text_of(mail)


def test_a_cancelled_session_sends_no_reminder(zoned):
    series = make_series(zoned, first=START, sessions=1)
    enrol(series, zoned.mentor_a1, by=zoned.director)
    services.session_cancel(session=sessions_of(series)[0])
    assert services.training_reminders_send(now=START - dt.timedelta(hours=24)) == 0


def test_the_command_covers_the_window_it_runs_in(zoned):
    out = StringIO()
    call_command("send_training_reminders", "--interval-minutes", "30", stdout=out)
    assert "+ 30 min: 0 training session reminders." in out.getvalue()
