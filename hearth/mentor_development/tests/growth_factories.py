"""Set-up shared by the competency-growth tests and their browser test."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hearth.communities.models import MemberRole, MentorGroup, Relationship
from hearth.communities.services import membership_start
from hearth.mentor_development.models import (
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    TrainingSeries,
    TrainingSession,
)
from hearth.mentor_development.services.growth import self_rating_bank, self_rating_submit
from hearth.people.models import Person
from hearth.pulse import services as pulse
from hearth.pulse.models import PulseWave
from hearth.pulse.scoring import load_competency_bank
from hearth.testing import START, School, make_person

BANK = self_rating_bank()


def answers(value: int, **by_domain: int) -> dict[str, int]:
    """Every item answered `value`, or a domain's own value where given."""
    chosen = {item.key: value for item in BANK.items}
    for domain, domain_value in by_domain.items():
        chosen.update({item.key: domain_value for item in BANK.items_for(domain)})
    return chosen


def make_series(
    school: School,
    *,
    first_in_days: float,
    sessions: int = 3,
    every_days: int = 30,
    title: str = "Mentoring the Mentors",
) -> TrainingSeries:
    """A series whose first session starts `first_in_days` from now (negative: in the past)."""
    series = TrainingSeries.objects.create(program=school.program, title=title)
    first = timezone.now().replace(microsecond=0) + dt.timedelta(days=first_in_days)
    for number in range(sessions):
        TrainingSession.objects.create(
            series=series,
            title=f"Session {number + 1}",
            starts_at=first + dt.timedelta(days=number * every_days),
            duration_minutes=90,
        )
    return series


def enrol(series: TrainingSeries, *people: Person, status: str = EnrolmentStatus.ENROLLED) -> None:
    for person in people:
        Enrolment.objects.create(
            series=series, person=person, status=status, source=EnrolmentSource.INVITATION
        )


def trainees(count: int, prefix: str = "Trainee") -> list[Person]:
    return [make_person(f"{prefix} Mentor{number}") for number in range(count)]


def first_and_last(series: TrainingSeries) -> tuple[TrainingSession, TrainingSession]:
    sessions = list(series.sessions.order_by("starts_at"))
    return sessions[0], sessions[-1]


def rate(series: TrainingSeries, person: Person, moment: str, values: dict[str, int]) -> None:
    """A rating given inside its window: before the first session, or just after the last."""
    first, last = first_and_last(series)
    on = {
        "before": first.starts_at - dt.timedelta(days=1),
        "end": last.ends_at + dt.timedelta(days=1),
        "later": last.ends_at + dt.timedelta(days=190),
    }[moment]
    self_rating_submit(series=series, person=person, moment=moment, answers=values, on=on)


def mentor_with_learners(school: School, mentor: Person, learners: int) -> list[Relationship]:
    """A group of its own for the mentor, with `learners` learners: LC relationships open."""
    group = MentorGroup.objects.create(
        community=school.house_a, name=f"Group of {mentor.display_name}", capacity=8
    )
    membership_start(group=group, person=mentor, role=MemberRole.MENTOR, start_date=START)
    for number in range(learners):
        learner = make_person(
            f"Learner{number} of {mentor.display_name}", class_year=2028, learner_year=1
        )
        membership_start(group=group, person=learner, role=MemberRole.LEARNER, start_date=START)
    return list(Relationship.objects.filter(mentor=mentor, end_date__isnull=True))


def term(school: School, label: str, opens_on: dt.date) -> PulseWave:
    return pulse.wave_open(
        program=school.program,
        label=label,
        opens_on=opens_on,
        closes_on=opens_on + dt.timedelta(days=14),
        invite=False,
    )


def mentee_rates(wave: PulseWave, relationships: list[Relationship], value: int) -> None:
    mentee_bank = load_competency_bank()
    for relationship in relationships:
        pulse.feedback_submit(
            wave=wave,
            relationship=relationship,
            learner=relationship.mentee,
            answers={item.key: value for item in mentee_bank.items},
            on=wave.opens_on,
        )
