"""Writes for deliberate mentoring: meetings, agendas, notes, action items, goals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.communities.models import MentorGroup, Program, Relationship
from hearth.mentor_development.models import PracticeCircle
from hearth.people.models import Person

from .invitations import meeting_invitation_send
from .models import (
    ActionItem,
    AgendaItem,
    AgendaTemplate,
    Booking,
    Goal,
    Meeting,
    MeetingKind,
    Note,
    ProgramMeetingSettings,
)
from .selectors import agenda_template_for, meeting_participants, open_action_items


def _program_of(  # noqa: ANN202
    relationship: Relationship | None,
    group: MentorGroup | None,
    practice_circle: PracticeCircle | None = None,
):
    if practice_circle is not None:
        return practice_circle.series.program
    return relationship.program if relationship else group.community.program  # type: ignore[union-attr]


def jitsi_room_url(base_url: str) -> str:
    """An unguessable room on the program's Jitsi Meet server."""
    from .models import _room_name

    return f"{base_url.rstrip('/')}/{_room_name()}"


def program_video_room(program: Program, fallback_server: str = "") -> str:
    """A new private room on the program's video server (or the fallback); "" without one."""
    meeting_settings = ProgramMeetingSettings.objects.filter(program=program).first()
    server = (meeting_settings.jitsi_base_url if meeting_settings else "") or fallback_server
    return jitsi_room_url(server) if server else ""


@transaction.atomic
def meeting_create(
    *,
    organiser: Person,
    title: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    kind: str = MeetingKind.ONE_ON_ONE,
    relationship: Relationship | None = None,
    group: MentorGroup | None = None,
    practice_circle: PracticeCircle | None = None,
    location: str = "",
    video_url: str = "",
    open_conversation: bool = False,
    template: AgendaTemplate | None = None,
    agenda: Sequence[str] = (),
    allow_past: bool = False,
) -> Meeting:
    """Plan a meeting with its proposed agenda and any action items still open."""
    owners = [owner for owner in (relationship, group, practice_circle) if owner is not None]
    if len(owners) != 1:
        raise ValidationError(
            "A meeting belongs to one relationship, one mentor group or one practice circle."
        )
    if timezone.is_naive(starts_at):
        raise ValidationError("The start time needs a time zone.")
    if not allow_past and starts_at < timezone.now():
        raise ValidationError("That time has already passed: choose a time in the future.")
    if duration_minutes <= 0:
        raise ValidationError("A meeting must end after it starts.")
    if open_conversation and kind != MeetingKind.ONE_ON_ONE:
        raise ValidationError("Only a one-on-one can be an open conversation without agenda.")
    program = _program_of(relationship, group, practice_circle)
    if not video_url and not location:
        video_url = program_video_room(program)
    meeting = Meeting.objects.create(
        organiser=organiser,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        kind=kind,
        relationship=relationship,
        group=group,
        practice_circle=practice_circle,
        location=location,
        video_url=video_url,
        open_conversation=open_conversation,
    )
    if not open_conversation:
        template = template or agenda_template_for(meeting)
        position = 0
        if template is not None:
            AgendaItem.objects.create(
                meeting=meeting, text=template.open_slot, is_open_slot=True, position=position
            )
            for text in template.items:
                position += 1
                AgendaItem.objects.create(meeting=meeting, text=text, position=position)
        for text in agenda:
            position += 1
            AgendaItem.objects.create(meeting=meeting, text=text, position=position)
        for item in open_action_items(meeting):
            position += 1
            AgendaItem.objects.create(
                meeting=meeting,
                text=f"Follow up: {item.text} ({item.owner.display_name})",
                position=position,
                action_item=item,
            )
    if starts_at > timezone.now():
        meeting_invitation_send(meeting, method="REQUEST")
    return meeting


def _require_participant(meeting: Meeting, person: Person) -> None:
    if person not in meeting_participants(meeting):
        raise ValidationError("Only the meeting's participants can do that.")


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, person: Person, text: str) -> AgendaItem:
    """Anyone in the meeting can add a topic before it starts."""
    _require_participant(meeting, person)
    text = text.strip()
    if not text:
        raise ValidationError("Write the topic you want to add.")
    last = meeting.agenda.order_by("-position").first()
    return AgendaItem.objects.create(
        meeting=meeting, text=text, added_by=person, position=(last.position + 1) if last else 0
    )


@transaction.atomic
def note_save(
    *,
    meeting: Meeting,
    author: Person,
    visibility: str,
    body: str,
    note: Note | None = None,
    base_version: int | None = None,
) -> Note:
    """Save a note. If someone saved the same note since it was opened, both versions stay."""
    _require_participant(meeting, author)
    if note is None:
        return Note.objects.create(meeting=meeting, author=author, visibility=visibility, body=body)
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.author_id != author.pk:
        raise ValidationError("Only the author can change a note.")
    if base_version is not None and base_version != note.version:
        return Note.objects.create(
            meeting=meeting, author=author, visibility=note.visibility, body=body, conflict_of=note
        )
    note.body = body
    note.version += 1
    note.save(update_fields=["body", "version", "updated_at"])
    return note


@transaction.atomic
def action_item_add(
    *, meeting: Meeting, person: Person, owner: Person, text: str, due_date: dt.date | None
) -> ActionItem:
    """An action item stays on every next agenda until it is done."""
    _require_participant(meeting, person)
    _require_participant(meeting, owner)
    return ActionItem.objects.create(
        meeting=meeting,
        relationship=meeting.relationship,
        owner=owner,
        text=text,
        due_date=due_date,
    )


@transaction.atomic
def action_item_done(*, item: ActionItem, person: Person) -> ActionItem:
    _require_participant(item.meeting, person)
    item.done_at = timezone.now()
    item.save(update_fields=["done_at"])
    AgendaItem.objects.filter(action_item=item).update(done=True)
    return item


@transaction.atomic
def goal_save(
    *,
    relationship: Relationship,
    person: Person,
    title: str,
    why: str,
    milestones: str,
    status: str,
    goal: Goal | None = None,
) -> Goal:
    """Mentor and mentee both edit the plan; django-simple-history keeps each change."""
    if person.pk not in (relationship.mentor_id, relationship.mentee_id):
        raise ValidationError("Only the mentor and the mentee edit these goals.")
    goal = goal or Goal(relationship=relationship)
    goal.title, goal.why, goal.milestones, goal.status = title, why, milestones, status
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, person: Person) -> Meeting:
    _require_participant(meeting, person)
    if meeting.is_cancelled:
        raise ValidationError("This meeting is already cancelled.")
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["cancelled_at", "sequence"])
    meeting_invitation_send(meeting, method="CANCEL")
    return meeting


@transaction.atomic
def meeting_reschedule(
    *, meeting: Meeting, person: Person, starts_at: dt.datetime, duration_minutes: int
) -> Meeting:
    _require_participant(meeting, person)
    if starts_at < timezone.now():
        raise ValidationError("That time has already passed: choose a time in the future.")
    if duration_minutes <= 0:
        raise ValidationError("A meeting must end after it starts.")
    # Moved off a booked office-hours slot: that slot is free again.
    Booking.objects.filter(meeting=meeting).delete()
    meeting.starts_at = starts_at
    meeting.duration_minutes = duration_minutes
    meeting.sequence += 1
    meeting.save(update_fields=["starts_at", "duration_minutes", "sequence"])
    meeting_invitation_send(meeting, method="REQUEST")
    return meeting
