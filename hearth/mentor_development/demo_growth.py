"""Competency growth in the demo: the running series' trainees rated themselves before it
began, and last year's cohort rated themselves before, at the end and six months later, so
the cohort page has figures to show."""

from __future__ import annotations

import datetime as dt
import random

from django.db import models, transaction
from django.utils import timezone

from hearth.communities.demo import DemoSchool
from hearth.people.models import Person, Role
from hearth.pulse.services import current_mentors

from .models import EnrolmentStatus, TrainingSeries
from .services import series as series_services
from .services.growth import self_rating_bank, self_rating_submit, windows_of

MTM_SLUG = "mentoring-the-mentors"


def series_title(today: dt.date, years_ago: int = 0) -> str:
    """The series demo's title for the academic year (from July) under way, or one before."""
    start = (today.year if today.month >= 7 else today.year - 1) - years_ago
    return f"Mentoring the Mentors {start}–{(start + 1) % 100:02d}"


PAST_SESSIONS = [
    "Aligning expectations",
    "Listening and communication",
    "Equity and inclusion in mentoring",
    "Fostering independence",
    "Mentoring across a distance",
    "Your next mentee",
]
# Eleven rate before and at the end, six of them six months later: five apart, so both
# comparisons show their means (see selectors.growth._protect_means).
PAST_TRAINEES = 11
LATER_RATERS = 6


def _answers(rng: random.Random, levels: dict[str, float], lift: float) -> dict[str, int]:
    bank = self_rating_bank()
    return {
        item.key: round(min(5, max(1, rng.gauss(levels[item.theme] + lift, 0.45))))
        for item in bank.items
    }


@transaction.atomic
def seed_growth(*, school: DemoSchool, today: dt.date | None = None) -> None:
    """Ratings for the series demo's running series, and last year's series beside it;
    nothing when the running series is not there."""
    real_today = timezone.localdate()
    today = today or real_today
    now = timezone.now() if today == real_today else dt.datetime.combine(today, dt.time(17), dt.UTC)
    rng = random.Random(67)
    current = (
        TrainingSeries.objects.filter(title=series_title(today))
        .select_related("program")
        .order_by(models.Case(models.When(program__slug=MTM_SLUG, then=0), default=1), "pk")
        .first()
    )
    if current is None:
        return
    past_title = series_title(today, years_ago=1)
    if TrainingSeries.objects.filter(program=current.program, title=past_title).exists():
        return  # seeded already
    demo_mentor = Person.objects.get(email=f"mentor@{school.domain}")
    _seed_current(current, demo_mentor, rng, now)
    _seed_past(school, current, past_title, demo_mentor, rng, now)


def _levels(rng: random.Random) -> dict[str, float]:
    return {theme.key: rng.uniform(2.6, 3.8) for theme in self_rating_bank().themes}


def _seed_current(
    series: TrainingSeries, demo_mentor: Person, rng: random.Random, now: dt.datetime
) -> None:
    """Every trainee but one rated themselves before the first session; while that rating is
    still open, the demo mentor's is left for them to give."""
    windows = windows_of(series)
    if not windows:
        return
    before = windows[0]
    trainees = list(
        Person.objects.filter(
            enrolments__series=series, enrolments__status=EnrolmentStatus.ENROLLED
        ).order_by("pk")
    )
    forgot = next((p for p in reversed(trainees) if p != demo_mentor), None)
    for person in trainees:
        if person == forgot or (person == demo_mentor and before.is_open_at(now)):
            continue
        on = min(now, before.closes_at) - dt.timedelta(days=rng.randint(1, 10))
        self_rating_submit(
            series=series,
            person=person,
            moment="before",
            answers=_answers(rng, _levels(rng), 0),
            on=on,
        )


def _seed_past(
    school: DemoSchool,
    current: TrainingSeries,
    title: str,
    demo_mentor: Person,
    rng: random.Random,
    now: dt.datetime,
) -> None:
    """Last year's series, finished well over six months ago, with modest growth: a little
    more at its end than six months later."""
    program = current.program
    director = Person.objects.get(email=f"director@{school.domain}")
    # The demo facilitator leads the sessions where they facilitate the series' program.
    facilitator = Person.objects.filter(
        email=f"facilitator@{school.domain}",
        role_grants__program=program,
        role_grants__role=Role.FACILITATOR,
    ).first()
    series = series_services.series_create(
        program=program,
        title=title,
        description="Last year's cohort: six monthly sessions on the mentoring competencies.",
        self_enrolment=False,
    )
    first = (now - dt.timedelta(days=420)).replace(hour=17, minute=0, second=0, microsecond=0)
    sessions = [
        series_services.session_create(
            series=series,
            fields=series_services.SessionFields(
                title=title,
                starts_at=first + dt.timedelta(days=30 * number),
                duration_minutes=90,
                facilitator=facilitator,
            ),
        )
        for number, title in enumerate(PAST_SESSIONS)
    ]
    mentors = [m for m in current_mentors(school.program) if m != demo_mentor]
    mentors.sort(key=lambda m: m.pk)
    trainees = [demo_mentor, *rng.sample(mentors, k=PAST_TRAINEES - 1)]
    csv = "email\n" + "\n".join(person.email for person in trainees) + "\n"
    series_services.enrolments_import(
        series=series, by=director, filename="cohort-2025.csv", content=csv.encode()
    )
    for session in sessions:
        for person in trainees:
            if person == demo_mentor or rng.random() < 0.9:
                series_services.attendance_check_in(
                    session=session, person=person, now=session.starts_at
                )
    before, end, later = windows_of(series)
    assert end.opens_at is not None and later.opens_at is not None
    for number, person in enumerate(trainees):
        levels = _levels(rng)
        growth = rng.uniform(0.1, 0.7)
        given = [
            ("before", before.closes_at - dt.timedelta(days=rng.randint(2, 14)), 0.0),
            ("end", end.opens_at + dt.timedelta(days=rng.randint(1, 20)), growth),
            ("later", later.opens_at + dt.timedelta(days=rng.randint(1, 30)), 0.8 * growth),
        ]
        for moment, on, lift in given:
            if moment == "later" and number >= LATER_RATERS:
                continue
            self_rating_submit(
                series=series,
                person=person,
                moment=moment,
                answers=_answers(rng, levels, lift),
                on=on,
            )
