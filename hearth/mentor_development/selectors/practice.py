"""Reads for practice circles: the rota, the circle's meetings, the circles of a series."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from hearth.meetings.models import Meeting
from hearth.people.models import Person

from ..models import (
    Enrolment,
    EnrolmentStatus,
    PracticeCircle,
    PracticeCircleMember,
    TrainingSeries,
)

# Written for Hearth: questions a circle of mentors can take up in any meeting.
DEFAULT_QUESTIONS: tuple[str, ...] = (
    "What did you try with a mentee since we last met, and what happened?",
    "Which moment in a recent mentoring conversation would you handle differently now?",
    "Bring one situation you are unsure about: what are the options, and what would each of us do?",
    "What from the last training session has changed how you mentor, if anything?",
    "How do you leave room for the personal in a short video meeting?",
    "What will you try before we meet again?",
)


def facilitator_of(members: Sequence[Person], n: int) -> Person | None:
    """The rota: the n-th meeting (counting from 0) is facilitated by member n mod size."""
    return members[n % len(members)] if members else None


def rota_members(circle: PracticeCircle) -> list[Person]:
    """The circle's members in rota order."""
    return [
        m.person
        for m in PracticeCircleMember.objects.filter(circle=circle)
        .select_related("person")
        .order_by("position", "pk")
    ]


@dataclass
class CircleMeeting:
    meeting: Meeting
    number: int | None  # 1 for the first meeting held; None when cancelled
    facilitator: Person | None


@dataclass
class CircleOverview:
    circle: PracticeCircle
    members: list[Person]
    past: list[CircleMeeting]
    planned: list[CircleMeeting]
    next_facilitator: Person | None
    next_meeting: CircleMeeting | None

    def member_ids(self) -> set[int]:
        return {m.pk for m in self.members}


def _numbered(meetings: Sequence[Meeting], members: Sequence[Person]) -> list[CircleMeeting]:
    rows, n = [], 0
    for meeting in meetings:
        if meeting.is_cancelled:
            rows.append(CircleMeeting(meeting, None, None))
            continue
        rows.append(CircleMeeting(meeting, n + 1, facilitator_of(members, n)))
        n += 1
    return rows


def circle_overview(
    circle: PracticeCircle,
    *,
    now: dt.datetime | None = None,
    members: list[Person] | None = None,
    meetings: Sequence[Meeting] | None = None,
) -> CircleOverview:
    """Members in rota order, meetings held and planned with who facilitates each, and who
    facilitates the next one (the next planned, or the one after the last held)."""
    now = now or timezone.now()
    members = rota_members(circle) if members is None else members
    if meetings is None:
        meetings = list(circle.meetings.order_by("starts_at", "pk"))  # type: ignore[attr-defined]
    rows = _numbered(meetings, members)
    past = [row for row in rows if row.meeting.starts_at <= now]
    planned = [row for row in rows if row.meeting.starts_at > now]
    next_meeting = next((row for row in planned if row.number is not None), None)
    held = sum(1 for row in past if row.number is not None)
    next_facilitator = next_meeting.facilitator if next_meeting else facilitator_of(members, held)
    return CircleOverview(
        circle=circle,
        members=members,
        past=list(reversed(past)),
        planned=planned,
        next_facilitator=next_facilitator,
        next_meeting=next_meeting,
    )


def series_circles(
    series: TrainingSeries, circles: Any, *, now: dt.datetime | None = None
) -> list[CircleOverview]:
    """Each given circle of the series with its rota, in three queries."""
    now = now or timezone.now()
    circles = list(
        circles.filter(series=series)
        .prefetch_related(
            Prefetch(
                "practicecirclemember_set",
                queryset=PracticeCircleMember.objects.select_related("person").order_by(
                    "position", "pk"
                ),
                to_attr="rota",
            ),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.order_by("starts_at", "pk"),
                to_attr="all_meetings",
            ),
        )
        .order_by("name", "pk")
    )
    return [
        circle_overview(
            circle,
            now=now,
            members=[m.person for m in circle.rota],
            meetings=circle.all_meetings,
        )
        for circle in circles
    ]


def trainees_without_circle(series: TrainingSeries) -> list[Person]:
    """Enrolled trainees of the series not yet in one of its practice circles."""
    placed = PracticeCircleMember.objects.filter(circle__series=series).values("person_id")
    return [
        e.person
        for e in Enrolment.objects.filter(series=series, status=EnrolmentStatus.ENROLLED)
        .exclude(person_id__in=placed)
        .select_related("person")
        .order_by("person__display_name", "person_id")
    ]
