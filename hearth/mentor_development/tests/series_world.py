"""A training series in the test school, built through the services people use.

Director Dora runs the series in the school's program with Fay Facilitator; the three
mentors are its trainees. Sessions are placed relative to a given moment so tests can stand
before, during and after each one.
"""

from __future__ import annotations

import datetime as dt

from hearth.mentor_development.models import (
    Enrolment,
    EnrolmentStatus,
    SessionFormat,
    TrainingSeries,
    TrainingSession,
)
from hearth.mentor_development.services import series as services
from hearth.people.models import Person
from hearth.testing import School

WEEK = dt.timedelta(days=7)


def make_series(
    school: School,
    *,
    title: str = "Mentoring the Mentors",
    sessions: int = 3,
    first: dt.datetime,
    every: dt.timedelta = WEEK,
    sessions_to_complete: int | None = None,
    self_enrolment: bool = True,
) -> TrainingSeries:
    series = services.series_create(
        program=school.program,
        title=title,
        description="Getting better at mentoring, together.",
        self_enrolment=self_enrolment,
        sessions_to_complete=sessions_to_complete,
    )
    for number in range(sessions):
        add_session(series, school, starts_at=first + number * every, title=f"Session {number + 1}")
    return series


def add_session(
    series: TrainingSeries,
    school: School,
    *,
    starts_at: dt.datetime,
    title: str = "Another session",
    duration_minutes: int = 90,
) -> TrainingSession:
    return services.session_create(
        series=series,
        fields=services.SessionFields(
            title=title,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            format=SessionFormat.VIRTUAL,
            facilitator=school.facilitator,
            prework="Read the case before we meet.",
        ),
    )


def enrol(series: TrainingSeries, *people: Person, by: Person) -> list[Enrolment]:
    """Invite each person and have them accept, as they would from the email."""
    enrolments = []
    for person in people:
        invited = services.enrolment_invite(series=series, person=person, by=by)
        enrolments.append(services.enrolment_accept(enrolment=invited))
    return enrolments


def sessions_of(series: TrainingSeries) -> list[TrainingSession]:
    return list(series.sessions.order_by("starts_at"))


def is_enrolled(series: TrainingSeries, person: Person) -> bool:
    return Enrolment.objects.filter(
        series=series, person=person, status=EnrolmentStatus.ENROLLED
    ).exists()
