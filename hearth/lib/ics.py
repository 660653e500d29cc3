"""The one place Hearth writes iCalendar (RFC 5545): invitations and subscription feeds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from email.utils import parseaddr
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from hearth.lib.email import absolute_url
from hearth.lib.time import zone_named

if TYPE_CHECKING:
    from hearth.meetings.models import Meeting
    from hearth.mentor_development.models import TrainingSession
    from hearth.people.models import Person

Method = Literal["REQUEST", "CANCEL"]
PRODID = "-//Hearth//Mentoring meetings//EN"


def _address(person: Person, param_role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.display_name or person.email)
    if param_role:
        address.params["ROLE"] = vText(param_role)
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("FALSE")
    return address


def meeting_description(meeting: Meeting) -> str:
    """The video link and agenda as plain text, shared by calendar files and emails."""
    lines = []
    if meeting.video_url:
        lines += [f"Join by video: {meeting.video_url}", ""]
    agenda = [item.text for item in meeting.agenda.all()]
    if agenda:
        lines.append("Agenda:")
        lines += [f"- {text}" for text in agenda]
    elif meeting.open_conversation:
        lines.append("An open conversation: no agenda.")
    return "\n".join(lines).strip()


def meeting_event(meeting: Meeting, *, for_person: Person | None = None) -> Event:
    """One VEVENT, with times in the person's zone (or the organiser's) so DST stays right."""
    from hearth.meetings.selectors import meeting_participants

    zone = zone_named((for_person or meeting.organiser).time_zone)
    event = Event()
    event.add("uid", str(meeting.uid))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("created", meeting.created_at.astimezone(dt.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", meeting.title)
    location = meeting.location or meeting.video_url
    if location:
        event.add("location", location)
    description = meeting_description(meeting)
    if description:
        event.add("description", description)
    event.add("url", absolute_url(reverse("meeting", args=[meeting.pk])))
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if meeting.is_cancelled else "OPAQUE")
    event.add("organizer", _address(meeting.organiser))
    for person in meeting_participants(meeting):
        event.add("attendee", _address(person, "REQ-PARTICIPANT"))
    return event


def _calendar(events: Iterable[Event], starts: list[dt.datetime]) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    for event in events:
        calendar.add_component(event)
    if starts:
        # Transitions a year either side are plenty and keep the VTIMEZONE short.
        first = (min(starts) - dt.timedelta(days=366)).date()
        last = (max(starts) + dt.timedelta(days=731)).date()
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def invitation_ics(meeting: Meeting, method: Method) -> bytes:
    """An iTIP message: REQUEST for a new or changed meeting, CANCEL to withdraw it."""
    event = meeting_event(meeting)
    if method == "CANCEL":
        event["status"] = vText("CANCELLED")
    calendar = _calendar([event], [meeting.starts_at])
    calendar.add("method", method)
    return calendar.to_ical()


def feed_ics(person: Person, meetings: Iterable[Meeting]) -> bytes:
    """A subscription calendar of the person's meetings; cancelled ones stay, marked so."""
    meetings = list(meetings)
    calendar = _calendar(
        (meeting_event(m, for_person=person) for m in meetings), [m.starts_at for m in meetings]
    )
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Hearth: {person.display_name}")
    calendar.add("x-wr-timezone", person.time_zone)
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vText("PT1H"))
    return calendar.to_ical()


def training_session_description(session: TrainingSession) -> str:
    """The video link, place and pre-work of a training session as plain text."""
    lines = []
    if session.video_url:
        lines += [f"Join by video: {session.video_url}", ""]
    if session.location:
        lines += [f"Where: {session.location}", ""]
    if session.prework.strip():
        lines += ["Before the session:", session.prework.strip(), ""]
    lines.append(f"Details: {absolute_url(reverse('training_session', args=[session.pk]))}")
    return "\n".join(lines).strip()


def _hearth_address(name: str) -> vCalAddress:
    """Hearth's own sender address, for events that have no person organising them."""
    _, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    address = vCalAddress(f"mailto:{email or 'hearth@localhost'}")
    address.params["CN"] = vText(name)
    return address


def training_session_event(session: TrainingSession, *, for_person: Person) -> Event:
    """One training session for one trainee, in their zone; the UID stays with the session."""
    zone = zone_named(for_person.time_zone)
    event = Event()
    event.add("uid", str(session.uid))
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", f"{session.title} ({session.series.title})")
    location = session.location or session.video_url
    if location:
        event.add("location", location)
    event.add("description", training_session_description(session))
    event.add("url", absolute_url(reverse("training_session", args=[session.pk])))
    cancelled = session.cancelled_at is not None
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if session.facilitator is not None:
        event.add("organizer", _address(session.facilitator))
    else:
        event.add("organizer", _hearth_address(session.series.program.name))
    event.add("attendee", _address(for_person, "REQ-PARTICIPANT"))
    return event


def training_ics(
    sessions: Sequence[TrainingSession], method: Method, *, for_person: Person
) -> bytes:
    """An iTIP message of a trainee's sessions: REQUEST to add or move them, CANCEL to drop."""
    events = []
    for session in sessions:
        event = training_session_event(session, for_person=for_person)
        if method == "CANCEL":
            event["status"] = vText("CANCELLED")
        events.append(event)
    calendar = _calendar(events, [s.starts_at for s in sessions])
    calendar.add("method", method)
    return calendar.to_ical()
