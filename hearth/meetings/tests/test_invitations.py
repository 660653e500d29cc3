from __future__ import annotations

import datetime as dt
from email.message import Message

import pytest
import vobject
from django.db import transaction
from icalendar import Calendar

from conftest import Mailbox
from hearth.communities.models import Relationship
from hearth.lib.email import email_on_commit
from hearth.meetings import services
from hearth.meetings.invitations import email_settings_url, meeting_invitation_send
from hearth.meetings.models import Meeting
from hearth.testing import School

# 15:00 in London in winter is 09:00 in Chicago.
STARTS_AT = dt.datetime(2027, 1, 12, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def zoned_school(school: School) -> School:
    school.learner_a1.time_zone = "Europe/London"
    school.learner_a1.save()
    school.mentor_a1.time_zone = "America/Chicago"
    school.mentor_a1.save()
    return school


def _create(school: School, **fields: object) -> Meeting:
    relationship = Relationship.objects.get(mentor=school.mentor_a1, mentee=school.learner_a1)
    meeting = services.meeting_create(
        organiser=school.mentor_a1,
        title="Finding your feet",
        starts_at=fields.pop("starts_at", STARTS_AT),  # type: ignore[arg-type]
        duration_minutes=30,
        relationship=relationship,
        allow_past=True,
        **fields,  # type: ignore[arg-type]
    )
    services.agenda_item_add(meeting=meeting, person=school.learner_a1, text="Anatomy lab nerves")
    return meeting


def _calendar_part(message: Message) -> Message:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part


def _text(message: Message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()  # type: ignore[union-attr]


def test_invitation_reaches_each_participant_in_their_own_time_zone(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks, settings
) -> None:  # noqa: ANN001
    settings.HEARTH_BASE_URL = "https://hearth.example.edu"
    # Created outside the capture, so only the explicit send (with the added topic) goes out.
    meeting = _create(zoned_school, video_url="https://meet.example.org/hearth-abc")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_invitation_send(meeting, method="REQUEST")

    assert len(smtp_server.messages) == 2
    [learner_mail] = smtp_server.to(zoned_school.learner_a1.email)
    [mentor_mail] = smtp_server.to(zoned_school.mentor_a1.email)
    assert learner_mail["Subject"] == "Invitation: Finding your feet"
    learner_text = _text(learner_mail)
    assert "Tuesday 12 January 2027, 15:00–15:30 (Europe/London, GMT)" in learner_text
    assert "Tuesday 12 January 2027, 09:00–09:30 (America/Chicago, CST)" in _text(mentor_mail)
    assert "https://meet.example.org/hearth-abc" in learner_text
    assert "Anatomy lab nerves" in learner_text
    assert f"https://hearth.example.edu/meetings/{meeting.pk}/" in learner_text
    assert learner_text.rstrip().endswith("https://hearth.example.edu/account/email/")

    for mail in (learner_mail, mentor_mail):
        part = _calendar_part(mail)
        assert part.get_param("method") == "REQUEST"
        assert part.get_filename() == "invite.ics"
        ics = part.get_payload(decode=True)
        assert Calendar.from_ical(ics)["METHOD"] == "REQUEST"
        parsed = vobject.readOne(ics.decode())
        assert parsed.vevent.uid.value == str(meeting.uid)
        assert parsed.vevent.dtstart.value == STARTS_AT


def test_update_and_cancel_send_the_same_uid_with_higher_sequence(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=9)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _create(zoned_school, starts_at=later - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(
            meeting=meeting, person=zoned_school.learner_a1, starts_at=later, duration_minutes=30
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, person=zoned_school.mentor_a1)

    mails = smtp_server.to(zoned_school.learner_a1.email)
    assert [m["Subject"] for m in mails] == [
        "Invitation: Finding your feet",
        "Updated: Finding your feet",
        "Cancelled: Finding your feet",
    ]
    events = []
    for mail, method in zip(mails, ["REQUEST", "REQUEST", "CANCEL"], strict=True):
        part = _calendar_part(mail)
        assert part.get_param("method") == method
        calendar = Calendar.from_ical(part.get_payload(decode=True))
        assert calendar["METHOD"] == method
        [event] = calendar.walk("VEVENT")
        events.append(event)
    assert len({str(e["UID"]) for e in events}) == 1
    assert [e["SEQUENCE"] for e in events] == [0, 1, 2]
    assert events[1].start == later
    assert events[2]["STATUS"] == "CANCELLED"
    assert "has been cancelled" in _text(mails[2])


def test_nothing_is_sent_when_the_write_rolls_back(
    zoned_school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        meeting = _create(zoned_school)
        meeting_invitation_send(meeting, method="REQUEST")
        raise RuntimeError("the write failed")

    assert callbacks == []
    assert smtp_server.messages == []


def test_plain_email_still_goes_without_attachments(
    school: School, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        email_on_commit(subject="Hello", body="Just text.", recipients=[school.learner_a1.email])

    [mail] = smtp_server.messages
    assert not mail.is_multipart()
    assert mail.get_payload(decode=True).decode().strip() == "Just text."  # type: ignore[union-attr]


def test_email_settings_url_is_absolute(school: School, settings) -> None:  # noqa: ANN001
    settings.HEARTH_BASE_URL = "https://hearth.example.edu/"

    assert email_settings_url(school.learner_a1) == "https://hearth.example.edu/account/email/"
