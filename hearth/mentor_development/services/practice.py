"""Writes for practice circles: small fixed groups of trainees who meet between sessions,
each meeting facilitated by the next member on the rota."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from hearth.meetings.models import Meeting, MeetingKind
from hearth.meetings.services import meeting_create
from hearth.people.models import Person
from hearth.people.permissions import can_run_series

from ..models import (
    Enrolment,
    EnrolmentStatus,
    PracticeCircle,
    PracticeCircleMember,
    TrainingSeries,
)
from ..selectors.practice import DEFAULT_QUESTIONS

MIN_MEMBERS = 2
MAX_MEMBERS = 8
MAX_QUESTIONS = 12
MAX_QUESTION = 300


def _clean_questions(questions: Sequence[str]) -> list[str]:
    cleaned = [" ".join(q.split()) for q in questions]
    cleaned = [q for q in cleaned if q]
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError(f"Keep to {MAX_QUESTIONS} questions or fewer.")
    too_long = next((q for q in cleaned if len(q) > MAX_QUESTION), None)
    if too_long:
        raise ValidationError(f"Shorten this question: “{too_long[:60]}…”")
    return cleaned


@transaction.atomic
def practice_circle_create(
    *,
    series: TrainingSeries,
    by: Person,
    name: str,
    members: Sequence[Person],
    questions: Sequence[str] | None = None,
) -> PracticeCircle:
    """Form a circle from enrolled trainees; the rota follows the order given."""
    if not can_run_series(by, series):
        raise ValidationError("Only the series' facilitators and directors form circles.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the circle a name.")
    if len(name) > 120:
        raise ValidationError("Keep the circle's name under 120 characters.")
    if PracticeCircle.objects.filter(series=series, name__iexact=name).exists():
        raise ValidationError(f"This series already has a circle called “{name}”.")
    unique: list[Person] = list({person.pk: person for person in members}.values())
    if not MIN_MEMBERS <= len(unique) <= MAX_MEMBERS:
        raise ValidationError(
            f"A practice circle has {MIN_MEMBERS} to {MAX_MEMBERS} members; "
            f"you chose {len(unique)}."
        )
    enrolled = set(
        Enrolment.objects.filter(
            series=series, status=EnrolmentStatus.ENROLLED, person__in=unique
        ).values_list("person_id", flat=True)
    )
    outside = [p.display_name for p in unique if p.pk not in enrolled]
    if outside:
        raise ValidationError(f"Not enrolled in this series: {', '.join(outside)}.")
    placed = list(
        PracticeCircleMember.objects.filter(circle__series=series, person__in=unique)
        .select_related("person", "circle")
        .order_by("person__display_name")
    )
    if placed:
        raise ValidationError(
            "Already in a circle of this series: "
            + ", ".join(f"{m.person.display_name} ({m.circle.name})" for m in placed)
            + "."
        )
    circle = PracticeCircle.objects.create(
        series=series,
        name=name,
        questions=_clean_questions(DEFAULT_QUESTIONS if questions is None else questions),
    )
    PracticeCircleMember.objects.bulk_create(
        PracticeCircleMember(circle=circle, person=person, position=position)
        for position, person in enumerate(unique)
    )
    return circle


def _require_member_or_runner(circle: PracticeCircle, person: Person) -> None:
    is_member = PracticeCircleMember.objects.filter(circle=circle, person=person).exists()
    if not is_member and not can_run_series(person, circle.series):
        raise ValidationError("Only the circle's members and the series' facilitators do that.")


@transaction.atomic
def practice_circle_questions_save(
    *, circle: PracticeCircle, by: Person, questions: Sequence[str]
) -> PracticeCircle:
    """The circle's suggested questions, which every new meeting puts on its agenda."""
    _require_member_or_runner(circle, by)
    circle.questions = _clean_questions(questions)
    circle.save(update_fields=["questions"])
    return circle


@transaction.atomic
def practice_circle_meeting_plan(
    *,
    circle: PracticeCircle,
    by: Person,
    starts_at: dt.datetime,
    duration_minutes: int = 60,
    title: str = "",
    location: str = "",
    video_url: str = "",
    allow_past: bool = False,
) -> Meeting:
    """A circle meeting is an ordinary meeting: invitations with .ics, the calendar feed,
    the suggested questions as its agenda. Nobody has to write notes."""
    _require_member_or_runner(circle, by)
    return meeting_create(
        organiser=by,
        practice_circle=circle,
        title=title.strip() or f"{circle.name}: practice circle",
        kind=MeetingKind.GROUP,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        video_url=video_url,
        agenda=list(circle.questions),
        allow_past=allow_past,
    )
