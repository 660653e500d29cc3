"""Meeting invitations by email, each with an iCalendar file for the recipient's calendar."""

from __future__ import annotations

from django.urls import reverse

from hearth.lib.email import absolute_url, email_on_commit
from hearth.lib.ics import Method, invitation_ics, meeting_description
from hearth.lib.time import zone_named
from hearth.people.models import Person

from .models import Meeting
from .selectors import meeting_participants


def email_settings_url(person: Person) -> str:
    """Where a person chooses which emails they get; every email links here."""
    return absolute_url(reverse("email_settings"))


def meeting_when(meeting: Meeting, person: Person) -> str:
    """The meeting's time in the person's own zone, naming the zone."""
    zone = zone_named(person.time_zone)
    start = meeting.starts_at.astimezone(zone)
    end = meeting.ends_at.astimezone(zone)
    return (
        f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M}–{end:%H:%M} "
        f"({zone.key}, {start.tzname()})"
    )


def _body(meeting: Meeting, person: Person, method: Method) -> str:
    lines = [f"Hello {person.display_name},", ""]
    if method == "CANCEL":
        lines.append("This meeting has been cancelled:")
    elif meeting.sequence:
        lines.append("This meeting has changed:")
    else:
        lines.append("You are invited to a meeting:")
    lines += ["", meeting.title, meeting_when(meeting, person)]
    if meeting.location:
        lines.append(f"Where: {meeting.location}")
    description = meeting_description(meeting)
    if description:
        lines += ["", description]
    lines += [
        "",
        f"Details: {absolute_url(reverse('meeting', args=[meeting.pk]))}",
        "",
        "--",
        f"Choose which emails Hearth sends you: {email_settings_url(person)}",
    ]
    return "\n".join(lines)


def _subject(meeting: Meeting, method: Method) -> str:
    if method == "CANCEL":
        return f"Cancelled: {meeting.title}"
    return f"{'Updated' if meeting.sequence else 'Invitation'}: {meeting.title}"


def meeting_invitation_send(meeting: Meeting, *, method: Method) -> None:
    """Email every participant the meeting with its .ics, once the transaction commits."""
    ics = invitation_ics(meeting, method)
    attachment = ("invite.ics", ics, f"text/calendar; method={method}")
    for person in meeting_participants(meeting):
        email_on_commit(
            subject=_subject(meeting, method),
            body=_body(meeting, person, method),
            recipients=[person.email],
            attachments=[attachment],
        )
