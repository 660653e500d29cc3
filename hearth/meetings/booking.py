"""Bookable time: mentors offer windows, mentees take one slot of them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from hearth.communities.models import Program, Relationship, RelationshipStatus
from hearth.people.models import Person

from . import services
from .models import Availability, Booking, Meeting, ProgramMeetingSettings
from .slots import Window, open_slots, parse_rule, zone

SLOT_TAKEN = "That time was just taken; choose another."


def slot_minutes_of(program: Program) -> int:
    settings = ProgramMeetingSettings.objects.filter(program=program).first()
    return (settings or ProgramMeetingSettings(program=program)).slot_minutes


def programs_mentored_by(mentor: Person) -> QuerySet[Program]:
    """Programs in which the person mentors someone right now."""
    return Program.objects.filter(
        relationships__mentor=mentor, relationships__end_date__isnull=True
    ).distinct()


@transaction.atomic
def availability_add(
    *,
    mentor: Person,
    program: Program,
    starts_at: dt.datetime,
    window_minutes: int,
    time_zone: str,
    rrule: str = "",
) -> Availability:
    """Offer a window of time, once or repeating in the mentor's local time."""
    if starts_at.tzinfo is None:
        raise ValidationError("The start time needs a time zone.")
    if not programs_mentored_by(mentor).filter(pk=program.pk).exists():
        raise ValidationError(f"You do not mentor anyone in {program}.")
    try:
        local_start = starts_at.astimezone(zone(time_zone))
        if rrule:
            parse_rule(rrule, first_start=local_start)
    except ValueError as bad:
        raise ValidationError(str(bad)) from bad
    slot_minutes = slot_minutes_of(program)
    if window_minutes < slot_minutes:
        raise ValidationError(
            f"A window must be at least one meeting long ({slot_minutes} minutes in {program})."
        )
    return Availability.objects.create(
        mentor=mentor,
        program=program,
        starts_at=starts_at.astimezone(dt.UTC),
        window_minutes=window_minutes,
        time_zone=time_zone,
        rrule=rrule.strip(),
    )


def _windows(mentor: Person, program: Program) -> list[Window]:
    return [
        Window(a.starts_at, a.window_minutes, a.time_zone, a.rrule)
        for a in Availability.objects.filter(mentor=mentor, program=program)
    ]


def _taken(mentor: Person, since: dt.datetime) -> set[dt.datetime]:
    return set(
        Booking.objects.filter(
            mentor=mentor, slot_start__gte=since, meeting__cancelled_at__isnull=True
        ).values_list("slot_start", flat=True)
    )


def slots_for(
    *, mentor: Person, program: Program, now: dt.datetime, days: int = 28
) -> list[dt.datetime]:
    """The mentor's open slots (UTC) in this program over the next `days` days."""
    return open_slots(
        _windows(mentor, program),
        slot_minutes=slot_minutes_of(program),
        taken=_taken(mentor, now),
        now=now,
        until=now + dt.timedelta(days=days),
    )


@transaction.atomic
def booking_create(
    *, learner: Person, relationship: Relationship, slot_start: dt.datetime
) -> Meeting:
    """Book one of the mentor's open slots; a slot someone else got first is refused."""
    if relationship.mentee_id != learner.pk:
        raise ValidationError("Only the mentee can book time with this mentor.")
    if relationship.status != RelationshipStatus.ACTIVE or relationship.end_date is not None:
        raise ValidationError("This mentoring relationship is not active.")
    if slot_start.tzinfo is None:
        raise ValidationError("The slot needs a time zone.")
    mentor, program = relationship.mentor, relationship.program
    slot_start = slot_start.astimezone(dt.UTC)
    slot_minutes = slot_minutes_of(program)
    now = timezone.now()
    offered = open_slots(
        _windows(mentor, program),
        slot_minutes=slot_minutes,
        taken=set(),
        now=now,
        until=max(now, slot_start) + dt.timedelta(minutes=1),
    )
    if slot_start not in offered:
        raise ValidationError(f"That time is not one of {mentor}'s open times.")
    # A booking left behind by a meeting cancelled elsewhere must not block the slot.
    Booking.objects.filter(
        mentor=mentor, slot_start=slot_start, meeting__cancelled_at__isnull=False
    ).delete()
    if slot_start in _taken(mentor, slot_start):
        raise ValidationError(SLOT_TAKEN)
    try:
        # A savepoint, so a lost race also rolls back the meeting made just before.
        with transaction.atomic():
            meeting = services.meeting_create(
                organiser=learner,
                title=f"Mentoring: {mentor} and {learner}",
                starts_at=slot_start,
                duration_minutes=slot_minutes,
                relationship=relationship,
            )
            Booking.objects.create(mentor=mentor, slot_start=slot_start, meeting=meeting)
    except IntegrityError:
        if Booking.objects.filter(mentor=mentor, slot_start=slot_start).exists():
            raise ValidationError(SLOT_TAKEN) from None
        raise
    return meeting


@transaction.atomic
def booking_cancel(*, meeting: Meeting, person: Person) -> Meeting:
    """Cancel a booked meeting and offer its slot again."""
    meeting = services.meeting_cancel(meeting=meeting, person=person)
    Booking.objects.filter(meeting=meeting).delete()
    return meeting


@transaction.atomic
def availability_remove(*, mentor: Person, availability: Availability) -> None:
    """Withdraw offered time; meetings already booked in it stay as they are."""
    if availability.mentor_id != mentor.pk:
        raise ValidationError("Only the mentor who offered this time can withdraw it.")
    availability.delete()
