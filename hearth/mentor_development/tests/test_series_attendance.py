"""Attendance and completion: the check-in window, facilitators' marks, what completes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hearth.mentor_development.models import Attendance
from hearth.mentor_development.selectors import series as selectors
from hearth.mentor_development.services import series as services

from .series_world import WEEK, add_session, enrol, make_series, sessions_of

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 1, 12, 15, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def series(school):
    series = make_series(school, first=START, sessions=3)
    enrol(series, school.mentor_a1, school.mentor_a2, by=school.director)
    return series


def test_check_in_opens_15_minutes_before_and_closes_30_after_the_end(school, series):
    first = sessions_of(series)[0]
    end = first.ends_at
    for moment in [START - 16 * MINUTE, end + 31 * MINUTE]:
        with pytest.raises(ValidationError, match="Check-in opens"):
            services.attendance_check_in(session=first, person=school.mentor_a1, now=moment)
    assert not Attendance.objects.exists()
    services.attendance_check_in(session=first, person=school.mentor_a1, now=START - 15 * MINUTE)
    services.attendance_check_in(session=first, person=school.mentor_a2, now=end + 30 * MINUTE)
    assert set(Attendance.objects.values_list("person", flat=True)) == {
        school.mentor_a1.pk,
        school.mentor_a2.pk,
    }


def test_checking_in_twice_keeps_one_record(school, series):
    first = sessions_of(series)[0]
    one = services.attendance_check_in(session=first, person=school.mentor_a1, now=START)
    two = services.attendance_check_in(session=first, person=school.mentor_a1, now=START + MINUTE)
    assert one.pk == two.pk and one.marked_by is None
    assert Attendance.objects.count() == 1


def test_only_enrolled_trainees_check_in(school, series):
    first = sessions_of(series)[0]
    for person in [school.mentor_b1, school.outsider, school.facilitator]:
        with pytest.raises(ValidationError, match="not enrolled"):
            services.attendance_check_in(session=first, person=person, now=START)
    withdrawn = services.enrolment_withdraw(
        enrolment=series.enrolments.get(person=school.mentor_a2)
    )
    assert withdrawn.status == "withdrawn"
    with pytest.raises(ValidationError, match="not enrolled"):
        services.attendance_check_in(session=first, person=school.mentor_a2, now=START)


def test_a_cancelled_session_takes_no_check_in(school, series):
    first = services.session_cancel(session=sessions_of(series)[0])
    with pytest.raises(ValidationError, match="cancelled"):
        services.attendance_check_in(session=first, person=school.mentor_a1, now=START)


def test_a_facilitator_marks_and_unmarks_attendance(school, series):
    first = sessions_of(series)[0]
    with pytest.raises(ValidationError, match="about to start"):
        services.attendance_mark(
            session=first,
            person=school.mentor_a1,
            by=school.facilitator,
            present=True,
            now=START - dt.timedelta(days=1),
        )
    # Long after the check-in window has closed, the facilitator can still correct the record.
    later = START + dt.timedelta(days=3)
    marked = services.attendance_mark(
        session=first, person=school.mentor_a1, by=school.facilitator, present=True, now=later
    )
    assert marked is not None and marked.marked_by == school.facilitator
    services.attendance_check_in(session=first, person=school.mentor_a2, now=START)
    services.attendance_mark(
        session=first, person=school.mentor_a2, by=school.facilitator, present=False, now=later
    )
    assert list(Attendance.objects.values_list("person", flat=True)) == [school.mentor_a1.pk]


def attend(series, person, *indexes: int) -> None:
    sessions = sessions_of(series)
    for index in indexes:
        services.attendance_check_in(
            session=sessions[index], person=person, now=sessions[index].starts_at
        )


def test_completion_needs_every_session_held_by_default(school, series):
    attend(series, school.mentor_a1, 0, 1)
    result = selectors.trainee_completion(series, school.mentor_a1)
    assert (result.attended, result.needed, result.complete) == (2, 3, False)
    attend(series, school.mentor_a1, 2)
    assert selectors.trainee_completion(series, school.mentor_a1).complete


def test_a_cancelled_session_is_not_required(school, series):
    attend(series, school.mentor_a1, 0, 1)
    services.session_cancel(session=sessions_of(series)[2])
    result = selectors.trainee_completion(series, school.mentor_a1)
    assert (result.attended, result.needed, result.complete) == (2, 2, True)


def test_sessions_to_complete_sets_how_many_are_enough(school):
    series = make_series(school, first=START, sessions=4, sessions_to_complete=3)
    enrol(series, school.mentor_a1, by=school.facilitator)
    attend(series, school.mentor_a1, 0, 2)
    assert not selectors.trainee_completion(series, school.mentor_a1).complete
    attend(series, school.mentor_a1, 3)
    assert selectors.trainee_completion(series, school.mentor_a1).complete
    # Cancelling two sessions leaves only two held: two are then enough.
    other = make_series(school, first=START, sessions=4, sessions_to_complete=3)
    enrol(other, school.mentor_a2, by=school.facilitator)
    for session in sessions_of(other)[2:]:
        services.session_cancel(session=session)
    attend(other, school.mentor_a2, 0, 1)
    result = selectors.trainee_completion(other, school.mentor_a2)
    assert (result.needed, result.complete) == (2, True)


def test_the_certificate_waits_for_the_last_session_to_end(school, series):
    attend(series, school.mentor_a1, 0, 1, 2)
    last = sessions_of(series)[-1]
    assert not selectors.certificate_ready(series, school.mentor_a1, last.ends_at - MINUTE)
    assert selectors.certificate_ready(series, school.mentor_a1, last.ends_at)
    assert not selectors.certificate_ready(series, school.mentor_a2, last.ends_at)
    # A session added later moves the end of the series.
    add_session(series, school, starts_at=last.starts_at + WEEK)
    assert not selectors.certificate_ready(series, school.mentor_a1, last.ends_at + WEEK)
