"""Milestones come from the longitudinal record: years of service and learners graduated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from hearth.communities import services as communities
from hearth.communities.models import EndReason, GroupMembership, MemberRole, RelationshipKind
from hearth.recognition.selectors import graduates_under, milestones_for
from hearth.testing import PASSWORD, make_person

pytestmark = pytest.mark.django_db

GRADUATION = dt.date(2025, 5, 31)


def _labels(milestones):
    return [(m.label, m.reached_on) for m in milestones]


def test_years_of_service_count_from_the_first_day_as_a_mentor(school):
    assert milestones_for(school.mentor_a1, today=dt.date(2025, 7, 31)) == []
    assert _labels(milestones_for(school.mentor_a1, today=dt.date(2027, 8, 1))) == [
        ("3 years as a mentor in MD Learning Communities", dt.date(2027, 8, 1)),
        ("1 year as a mentor in MD Learning Communities", dt.date(2025, 8, 1)),
    ]
    # A research relationship that began earlier moves the start back.
    communities.relationship_start(
        program=school.program,
        mentor=school.mentor_a1,
        mentee=school.learner_b1,
        kind=RelationshipKind.RESEARCH,
        start_date=dt.date(2022, 3, 1),
    )
    assert milestones_for(school.mentor_a1, today=dt.date(2025, 3, 1))[0].count == 3


def _graduate(school, learner):
    learner.learner_year = school.program.years_of_study
    learner.save()


def test_a_learner_graduating_while_mentored_counts_for_each_of_their_mentors(school):
    _graduate(school, school.learner_a1)
    # A research mentor still mentoring at graduation counts too; one who stopped does not.
    communities.relationship_start(
        program=school.program,
        mentor=school.mentor_b1,
        mentee=school.learner_a1,
        kind=RelationshipKind.RESEARCH,
        start_date=dt.date(2024, 9, 1),
    )
    ended = communities.relationship_start(
        program=school.program,
        mentor=school.mentor_a2,
        mentee=school.learner_a1,
        kind=RelationshipKind.CAREER,
        start_date=dt.date(2024, 9, 1),
    )
    ended.end_date = dt.date(2025, 1, 31)
    ended.save()
    # A learner who transferred is not a graduate.
    transferred = GroupMembership.objects.get(person=school.learner_a2, role=MemberRole.LEARNER)
    communities.membership_end(
        membership=transferred, end_date=dt.date(2025, 2, 1), reason=EndReason.TRANSFERRED
    )

    communities.rollover_apply(program=school.program, on=GRADUATION)

    assert [(g.learner_id, g.on) for g in graduates_under(school.mentor_a1)] == [
        (school.learner_a1.pk, GRADUATION)
    ]
    assert [g.learner_id for g in graduates_under(school.mentor_b1)] == [school.learner_a1.pk]
    assert graduates_under(school.mentor_a2) == []
    first = milestones_for(school.mentor_a1, today=dt.date(2025, 6, 1))
    assert _labels(first) == [
        ("First learner graduated while mentored in MD Learning Communities", GRADUATION)
    ]


def test_the_fifth_graduate_is_a_milestone(school):
    school.group_a1.capacity = 5
    school.group_a1.save()
    learners = [school.learner_a1, school.mate_a1]
    for n in range(3):
        learner = make_person(f"Grad {n}")
        communities.membership_start(
            group=school.group_a1,
            person=learner,
            role=MemberRole.LEARNER,
            start_date=dt.date(2024, 9, 1),
        )
        learners.append(learner)
    for learner in learners:
        _graduate(school, learner)
    communities.rollover_apply(program=school.program, on=GRADUATION)
    counts = [m.count for m in milestones_for(school.mentor_a1, today=GRADUATION)]
    assert counts == [5, 1]


def test_the_mentor_sees_milestones_beside_their_notes(school, client):
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    page = client.get(reverse("thanks")).content.decode()
    # The school's mentors began on 1 August 2024; the test runs later than that.
    assert "1 year as a mentor in MD Learning Communities" in page
    assert reverse("portfolio") in page
    client.login(email=school.learner_a1.email, password=PASSWORD)
    assert "Your milestones" not in client.get(reverse("thanks")).content.decode()
