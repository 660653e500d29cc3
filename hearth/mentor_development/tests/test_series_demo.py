"""The demo's training series: the demo mentor finds a workshop to check in to now."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hearth.communities.demo import seed_demo
from hearth.mentor_development.demo_series import seed_series
from hearth.mentor_development.models import Reflection, TrainingSeries
from hearth.mentor_development.selectors import series as selectors
from hearth.people.models import Person
from hearth.seed_snapshots import seeded

pytestmark = pytest.mark.django_db


def test_the_demo_mentor_checks_in_to_the_workshop_and_sees_the_cohort():
    today = timezone.localdate()
    school = seeded(seed_demo, today=today)
    seed_series(school=school, today=today)
    mentor = Person.objects.get(email=f"mentor@{school.domain}")
    facilitator = Person.objects.get(email=f"facilitator@{school.domain}")
    series = TrainingSeries.objects.get(title__startswith="Mentoring the Mentors 20")
    assert series.program.slug == "mentoring-the-mentors"
    now = timezone.now()
    sessions = list(series.sessions.order_by("starts_at"))
    workshop = next(s for s in sessions if s.starts_at <= now < s.ends_at)
    assert sessions.index(workshop) == 3

    page = selectors.session_page(workshop, mentor, now)
    assert page.check_in_open and page.attendance is None
    assert page.follow_up is not None and page.follow_up.followed_up_at is None
    [case] = page.cases
    assert len(case.responses) == 4 and case.waiting == 0

    following = selectors.session_page(sessions[4], mentor, now)
    [next_case] = following.cases
    assert next_case.responses == [] and next_case.waiting == 2 and next_case.can_respond

    overview = selectors.series_page(series, facilitator, now)
    assert len(overview.rows) == 9 and overview.requested and overview.invited
    mine = selectors.series_page(series, mentor, now)
    assert [row.cells[:3] for row in mine.rows] == [["attended"] * 3]
    assert Reflection.objects.filter(followed_up_at__isnull=False).exists()
    assert Reflection.objects.filter(person=mentor, tried__isnull=False).count() == 2
