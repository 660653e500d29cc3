from __future__ import annotations

import datetime as dt

from django.db.models import Count

from hearth.communities.demo import demo_accounts, seed_demo
from hearth.communities.models import (
    Community,
    EndReason,
    GroupMembership,
    MemberRole,
    MentorGroup,
)


def test_demo_school_has_the_promised_shape(db):
    school = seed_demo(today=dt.date(2026, 11, 27))
    assert Community.objects.filter(program=school.program).count() >= 4
    open_mentors = GroupMembership.objects.filter(
        program=school.program, role=MemberRole.MENTOR, end_date__isnull=True
    )
    assert open_mentors.values("person").distinct().count() >= 24
    per_class = dict(
        GroupMembership.objects.filter(
            program=school.program, role=MemberRole.LEARNER, end_date__isnull=True
        )
        .values_list("person__class_year")
        .annotate(n=Count("pk"))
    )
    assert sorted(per_class) == [2027, 2028, 2029, 2030]
    assert all(140 <= n <= 160 for n in per_class.values())
    assert GroupMembership.objects.filter(end_reason=EndReason.GRADUATED).count() >= 140
    # A mentor who left, and the group a successor took over.
    handed_over = MentorGroup.objects.filter(
        memberships__role=MemberRole.MENTOR, memberships__end_date__isnull=False
    ).distinct()
    assert handed_over.count() == 1
    assert handed_over[0].memberships.filter(role=MemberRole.MENTOR, end_date__isnull=True).exists()
    assert {a.role for a in demo_accounts()} >= {
        "Program director",
        "Community director",
        "Mentor",
        "Learner",
        "Evaluator",
    }
