"""The demo's circles, compacts and program guide, seeded once however often it runs."""

from __future__ import annotations

from django.utils import timezone

from hearth.communities.demo import DOMAIN
from hearth.communities.models import Program
from hearth.mentor_development.demo_library import seed_library
from hearth.mentor_development.demo_series import seed_series
from hearth.mentor_development.models import Compact, Guide, PracticeCircle, TrainingSeries
from hearth.mentor_development.selectors.compacts import compact_rows_for
from hearth.mentor_development.selectors.practice import circle_overview
from hearth.people.models import Person


def _running_series() -> TrainingSeries | None:
    return (
        TrainingSeries.objects.filter(
            title__startswith="Mentoring the Mentors", sessions__starts_at__gte=timezone.now()
        )
        .distinct()
        .first()
    )


def test_demo_library(demo):
    today, school = timezone.localdate(), demo
    lc = Program.objects.get(slug="md-learning-communities")
    mentor = Person.objects.get(email=f"mentor@{DOMAIN}")
    learner = Person.objects.get(email=f"learner@{DOMAIN}")
    if _running_series() is None:
        seed_library(school=school, today=today)  # no series: no circles, the rest is seeded
        assert not PracticeCircle.objects.exists()
        assert Compact.objects.exists()
        seed_series(school=school, today=today)
    series = _running_series()
    assert series is not None
    seed_library(school=school, today=today)
    seed_library(school=school, today=today)  # a second run adds nothing

    circles = list(PracticeCircle.objects.filter(series=series))
    assert len(circles) == 2
    for circle in circles:
        overview = circle_overview(circle)
        assert len(overview.past) == 1 and len(overview.planned) == 1
    mine = PracticeCircle.objects.get(series=series, members=mentor)
    assert circle_overview(mine).next_facilitator == mentor

    rows = {row.other: row for row in compact_rows_for(mentor)}
    agreed = rows[learner].compact
    assert agreed is not None and agreed.accepted
    waiting = [row for row in rows.values() if row.waiting_for_me]
    assert len(waiting) == 1 and waiting[0].compact.mentee_accepted_at is not None  # type: ignore[union-attr]
    assert Compact.objects.count() == 2

    guide = Guide.objects.get(program=lc)
    assert guide.author == Person.objects.get(email=f"director@{DOMAIN}")
