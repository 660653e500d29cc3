"""The demo's growth figures: last year's cohort shows change; the running series has
before-ratings; without the running series nothing is seeded."""

from __future__ import annotations

from django.utils import timezone

from hearth.communities.demo import DOMAIN, DemoSchool
from hearth.mentor_development.demo_growth import seed_growth, series_title
from hearth.mentor_development.demo_series import seed_series
from hearth.mentor_development.models import EnrolmentStatus, SelfRating, TrainingSeries
from hearth.mentor_development.selectors.growth import cohort_growth, my_growth
from hearth.people.models import Person


def test_without_the_running_series_nothing_is_seeded(school):
    seed_growth(school=DemoSchool(program=school.program), today=timezone.localdate())
    assert not TrainingSeries.objects.exists() and not SelfRating.objects.exists()


def test_demo_growth(demo):
    today, school = timezone.localdate(), demo
    if not TrainingSeries.objects.filter(title=series_title(today)).exists():
        seed_series(school=school, today=today)  # until the demo runs it
    seed_growth(school=school, today=today)
    seed_growth(school=school, today=today)  # a second run adds nothing

    current = TrainingSeries.objects.get(title=series_title(today))
    enrolled_now = current.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    assert SelfRating.objects.filter(series=current, moment="before").count() == enrolled_now - 1
    past = TrainingSeries.objects.get(title=series_title(today, years_ago=1))
    assert past.program == current.program
    enrolled = past.enrolments.filter(status=EnrolmentStatus.ENROLLED)
    mentor = Person.objects.get(email=f"mentor@{DOMAIN}")
    assert enrolled.count() >= 8 and enrolled.filter(person=mentor).exists()

    cohort = cohort_growth(past)
    for comparison in cohort.comparisons:
        for row in comparison.rows:
            assert row.change is not None and row.change.n >= 6 and row.change.test is not None
            assert not row.means_hidden
    by_end = [row.change.mean_change for row in cohort.comparisons[0].rows]
    assert sum(by_end) / len(by_end) > 0.1  # modest growth
    assert len(cohort.chart_rows) == 12
    after = [row.cells[1] for row in cohort.feedback]
    assert all(cell.shown and cell.value is not None for cell in after)

    mine = my_growth(past, mentor)
    assert all(None not in row.scores for row in mine.rows)
