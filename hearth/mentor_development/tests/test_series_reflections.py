"""The reflection loop: after a session, one thing to try; at the next, whether it was tried."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hearth.mentor_development.selectors import series as selectors
from hearth.mentor_development.services import series as services

from .series_world import WEEK, enrol, make_series, sessions_of

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 1, 12, 15, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def series(school):
    series = make_series(school, first=START, sessions=3)
    enrol(series, school.mentor_a1, school.mentor_a2, by=school.director)
    first = sessions_of(series)[0]
    services.attendance_check_in(session=first, person=school.mentor_a1, now=START)
    return series


def test_an_attendee_reflects_once_the_session_has_started(school, series):
    first = sessions_of(series)[0]
    with pytest.raises(ValidationError, match="once it has started"):
        services.reflection_save(
            session=first, person=school.mentor_a1, will_try="x", now=START - MINUTE
        )
    with pytest.raises(ValidationError, match="attended"):
        services.reflection_save(
            session=first, person=school.mentor_a2, will_try="Ask first.", now=START
        )
    with pytest.raises(ValidationError, match="Write one thing"):
        services.reflection_save(session=first, person=school.mentor_a1, will_try=" ", now=START)
    reflection = services.reflection_save(
        session=first, person=school.mentor_a1, will_try="Open with how they are.", now=START
    )
    changed = services.reflection_save(
        session=first,
        person=school.mentor_a1,
        will_try="Open every meeting with how they are, really.",
        now=START + DAY,
    )
    assert changed.pk == reflection.pk
    assert changed.will_try == "Open every meeting with how they are, really."


def test_the_next_session_brings_the_reflection_back_from_a_day_before(school, series):
    first, second, _ = sessions_of(series)
    services.reflection_save(
        session=first, person=school.mentor_a1, will_try="Leave five minutes open.", now=START
    )
    too_early = second.starts_at - DAY - MINUTE
    page = selectors.session_page(second, school.mentor_a1, too_early)
    assert page.follow_up is None
    with pytest.raises(ValidationError, match="day before the next session"):
        services.reflection_follow_up(reflection=first.reflections.get(), tried=True, now=too_early)

    day_before = second.starts_at - DAY
    page = selectors.session_page(second, school.mentor_a1, day_before)
    assert page.follow_up is not None and page.follow_up.will_try == "Leave five minutes open."
    assert selectors.session_page(second, school.mentor_a2, day_before).follow_up is None

    followed = services.reflection_follow_up(
        reflection=page.follow_up,
        tried=True,
        note="They talked about their sister.",
        now=day_before,
    )
    assert followed.tried is True and followed.followed_up_at == day_before
    again = selectors.session_page(second, school.mentor_a1, second.starts_at)
    assert again.follow_up.tried is True  # type: ignore[union-attr]
    # Once followed up, the reflection is kept as it was.
    with pytest.raises(ValidationError, match="kept as is"):
        services.reflection_save(
            session=first, person=school.mentor_a1, will_try="Something else", now=day_before
        )


def test_a_cancelled_next_session_hands_the_follow_up_to_the_one_after(school, series):
    first, second, third = sessions_of(series)
    reflection = services.reflection_save(
        session=first, person=school.mentor_a1, will_try="Ask about life outside work.", now=START
    )
    services.session_cancel(session=second)
    assert not selectors.follow_up_open(reflection, second.starts_at)
    assert selectors.follow_up_open(reflection, third.starts_at - DAY)
    page = selectors.session_page(third, school.mentor_a1, third.starts_at - DAY)
    assert page.follow_up == reflection


def test_the_last_session_has_no_follow_up(school, series):
    *_, last = sessions_of(series)
    services.attendance_check_in(session=last, person=school.mentor_a1, now=last.starts_at)
    reflection = services.reflection_save(
        session=last, person=school.mentor_a1, will_try="Keep going.", now=last.starts_at
    )
    assert not selectors.follow_up_open(reflection, last.starts_at + 4 * WEEK)
