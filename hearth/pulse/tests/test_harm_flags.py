"""The harm warning counts late mentees in the database; they must agree with the cadence rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from hearth.communities.models import RelationshipKind
from hearth.communities.services import relationship_start
from hearth.meetings import services as meeting_services
from hearth.meetings.cadence import open_relationships, relationship_due
from hearth.meetings.models import Cadence, ProgramMeetingSettings
from hearth.pulse.selectors import _meetings_by_mentor, harm_flags, my_suggestions
from hearth.testing import START, make_person

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
MIDNIGHT = NOW.replace(hour=0)


def _met(relationship, starts_at, *, cancelled=False):
    meeting = meeting_services.meeting_create(
        organiser=relationship.mentor,
        relationship=relationship,
        title="Check-in",
        starts_at=starts_at,
        duration_minutes=30,
        allow_past=True,
    )
    if cancelled:
        meeting.cancelled_at = NOW
        meeting.save(update_fields=["cancelled_at"])


@pytest.fixture
def busy_mentor(school):
    """Mentees of every year (one without a cadence, one with no year) met at the edges of the
    cadence and stalled limits: just inside, just outside, cancelled, in the future, never."""
    Cadence.objects.create(program=school.program, learner_year=1, every_days=42)
    Cadence.objects.create(program=school.program, learner_year=2, every_days=120)
    mentor = school.mentor_a1
    last_meetings = [
        [MIDNIGHT - dt.timedelta(days=42)],  # on the due day: not yet overdue
        [MIDNIGHT - dt.timedelta(days=42, seconds=1)],  # the evening before: overdue
        [MIDNIGHT - dt.timedelta(days=89)],  # one day short of stalled
        [MIDNIGHT - dt.timedelta(days=90)],  # stalled
        [NOW - dt.timedelta(days=5)],
        [NOW + dt.timedelta(days=3)],  # planned, not held: counts from the start
        [],
    ]
    index = 0
    for year in (1, 2, 3, None):
        for meetings in last_meetings:
            for start in (START, NOW.date() - dt.timedelta(days=42)):
                index += 1
                mentee = make_person(f"Mentee {index}", learner_year=year)
                relationship = relationship_start(
                    program=school.program,
                    mentor=mentor,
                    mentee=mentee,
                    kind=RelationshipKind.CAREER,
                    start_date=start,
                )
                _met(relationship, NOW - dt.timedelta(days=300))
                for starts_at in meetings:
                    _met(relationship, starts_at)
                _met(relationship, NOW - dt.timedelta(days=1), cancelled=True)
    return mentor


def _expected(program, now):
    total: Counter[int] = Counter()
    late: Counter[int] = Counter()
    for due in relationship_due(open_relationships(program=program), now=now):
        total[due.relationship.mentor_id] += 1
        late[due.relationship.mentor_id] += due.overdue or due.stalled
    return total, late


def test_late_mentees_are_counted_as_the_cadence_rule_says(school, busy_mentor):
    total, late = _meetings_by_mentor(school.program, NOW, None)
    assert (total, late) == _expected(school.program, NOW)
    assert 0 < late[busy_mentor.pk] < total[busy_mentor.pk]
    for stalled_after_days in (30, 0, 365):
        ProgramMeetingSettings.objects.update_or_create(
            program=school.program, defaults={"stalled_after_days": stalled_after_days}
        )
        for days_later in (0, 1, 40, 400):
            now = NOW + dt.timedelta(days=days_later)
            expected = _expected(school.program, now)
            assert _meetings_by_mentor(school.program, now, None) == expected, (
                stalled_after_days,
                days_later,
            )
            assert _meetings_by_mentor(school.program, now, busy_mentor.pk) == (
                Counter({busy_mentor.pk: expected[0][busy_mentor.pk]}),
                Counter({busy_mentor.pk: expected[1][busy_mentor.pk]}),
            )


def test_a_mentors_own_suggestions_are_their_flag_among_all(school, busy_mentor):
    Cadence.objects.filter(program=school.program).update(every_days=7)
    flags = {flag.mentor_id: flag.suggestions for flag in harm_flags(school.program)}
    assert any("mentees are overdue" in line for line in flags[busy_mentor.pk])
    assert my_suggestions(busy_mentor) == [(school.program, flags[busy_mentor.pk])]
    assert my_suggestions(school.mentor_b1) == []
