"""Reads for recognition: milestones, who mentors in a program, what a mentor received."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from hearth.communities.models import (
    EndReason,
    GroupMembership,
    MemberRole,
    Program,
    Relationship,
)
from hearth.people.models import Person

from .models import Acknowledgment, ThankYouNote

SERVICE_YEARS = (1, 3, 5, 10, 15, 20, 25, 30, 35, 40)
GRADUATE_COUNTS = (1, 5, 10, 25, 50, 100, 250, 500)


@dataclass(frozen=True)
class Milestone:
    kind: str  # "service" or "graduates"
    count: int
    program: str
    reached_on: dt.date

    @property
    def label(self) -> str:
        if self.kind == "service":
            years = "1 year" if self.count == 1 else f"{self.count} years"
            return f"{years} as a mentor in {self.program}"
        if self.count == 1:
            return f"First learner graduated while mentored in {self.program}"
        return f"{self.count} learners graduated while mentored in {self.program}"


@dataclass(frozen=True)
class Graduate:
    program_id: int
    learner_id: int
    on: dt.date


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def mentoring_starts(person: Person) -> dict[int, dt.date]:
    """The day the person first mentored in each program (a mentor group or a relationship)."""
    starts: dict[int, dt.date] = {}
    rows = list(
        GroupMembership.objects.filter(person=person, role=MemberRole.MENTOR).values_list(
            "program_id", "start_date"
        )
    ) + list(Relationship.objects.filter(mentor=person).values_list("program_id", "start_date"))
    for program_id, start in rows:
        starts[program_id] = min(start, starts.get(program_id, start))
    return starts


def graduates_under(person: Person) -> list[Graduate]:
    """Learners who graduated while the person mentored them.

    The rule: a learner's membership in a program ended with reason "graduated" on a day when
    the person had a relationship of any kind with that learner in that program (a group's
    LC-mentor relationship ends on graduation day, so it counts). Each learner once per program.
    """
    # Read from the person's own relationships, so the database starts from their mentees
    # rather than from every graduate of the school.
    graduated = "mentee__memberships__"
    rows = (
        Relationship.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=F(f"{graduated}end_date")),
            mentor=person,
            start_date__lte=F(f"{graduated}end_date"),
            **{
                f"{graduated}role": MemberRole.LEARNER,
                f"{graduated}end_reason": EndReason.GRADUATED,
                f"{graduated}program": F("program"),
            },
        )
        .order_by(f"{graduated}end_date", f"{graduated}pk")
        .values_list(f"{graduated}program_id", "mentee_id", f"{graduated}end_date")
    )
    seen: set[tuple[int, int]] = set()
    graduates = []
    for program_id, learner_id, on in rows:
        if on is not None and (program_id, learner_id) not in seen:
            seen.add((program_id, learner_id))
            graduates.append(Graduate(program_id=program_id, learner_id=learner_id, on=on))
    return graduates


def milestones_for(person: Person, *, today: dt.date | None = None) -> list[Milestone]:
    """Milestones reached by `today`, newest first, computed from the longitudinal record."""
    starts = mentoring_starts(person)
    graduates = graduates_under(person)
    names = dict(
        Program.objects.filter(pk__in=set(starts) | {g.program_id for g in graduates}).values_list(
            "pk", "name"
        )
    )
    return milestones_from(starts, graduates, names=names, today=today or timezone.localdate())


def milestones_from(
    starts: dict[int, dt.date],
    graduates: list[Graduate],
    *,
    names: dict[int, str],
    today: dt.date,
) -> list[Milestone]:
    """Milestones from the day the person first mentored in each program (`mentoring_starts`)
    and their graduates (`graduates_under`), for a page that has read them already.

    Years of service count, per program, from the first day the person mentored there
    (1, 3, 5, 10 years and every five after); graduates count as in `graduates_under`
    (the 1st, 5th, 10th, 25th, 50th... learner graduated in a program).
    """
    milestones = []
    for program_id, start in starts.items():
        for years in SERVICE_YEARS:
            reached = _years_after(start, years)
            if reached <= today:
                milestones.append(Milestone("service", years, names[program_id], reached))
    for program_id in {g.program_id for g in graduates}:
        days = [g.on for g in graduates if g.program_id == program_id]
        for count in GRADUATE_COUNTS:
            if count <= len(days) and days[count - 1] <= today:
                milestones.append(Milestone("graduates", count, names[program_id], days[count - 1]))
    return sorted(milestones, key=lambda m: (m.reached_on, m.kind, m.count), reverse=True)


def program_mentors(program: Program) -> QuerySet[Person]:
    """Everyone who mentors or has mentored in the program, in a group or a relationship."""
    return Person.objects.filter(
        Q(
            pk__in=GroupMembership.objects.filter(program=program, role=MemberRole.MENTOR).values(
                "person_id"
            )
        )
        | Q(pk__in=Relationship.objects.filter(program=program).values("mentor_id"))
    )


def has_mentored(person: Person) -> bool:
    return (
        GroupMembership.objects.filter(person=person, role=MemberRole.MENTOR).exists()
        or Relationship.objects.filter(mentor=person).exists()
    )


def mentors_in(program: Program, person: Person) -> bool:
    return program_mentors(program).filter(pk=person.pk).exists()


def acknowledgments_received(person: Person) -> QuerySet[Acknowledgment]:
    return Acknowledgment.objects.filter(mentor=person).select_related("sender", "program")


def acknowledgments_sent_in(program: Program) -> QuerySet[Acknowledgment]:
    return Acknowledgment.objects.filter(program=program).select_related("sender", "mentor")


def quotable_notes(person: Person) -> QuerySet[ThankYouNote]:
    """Notes whose authors agreed to be quoted, and that no director has hidden."""
    return ThankYouNote.objects.filter(
        mentor=person, may_quote=True, hidden_at__isnull=True
    ).select_related("program")
