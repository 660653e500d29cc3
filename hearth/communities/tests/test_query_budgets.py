"""Each list page issues a fixed number of SQL queries, however much data there is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearth.communities import services
from hearth.communities.models import Cohort, MemberRole, MentorGroup, RelationshipKind
from hearth.testing import PASSWORD, START, make_person

# (page, persona, url builder, budget): the budget covers session, user and the page's reads.
PAGES = [
    ("home", "director", lambda s: reverse("home"), 14),
    # The mentor's home reads new arrivals by names, then their runs without the results.
    ("home", "mentor_a1", lambda s: reverse("home"), 15),
    ("home", "learner_a1", lambda s: reverse("home"), 15),
    # The program page counts its groups to page their loads.
    ("program", "director", lambda s: reverse("program", args=[s.program.slug]), 12),
    ("community", "director", lambda s: reverse("community", args=[s.house_a.pk]), 9),
    ("group", "director", lambda s: reverse("group", args=[s.group_a1.pk]), 8),
    ("group", "mentor_a1", lambda s: reverse("group", args=[s.group_a1.pk]), 8),
    ("person", "learner_a1", lambda s: reverse("person", args=[s.learner_a1.pk]), 11),
    ("person", "mentor_a1", lambda s: reverse("person", args=[s.mentor_a1.pk]), 11),
    ("firewall", "director", lambda s: reverse("firewall", args=[s.program.slug]), 8),
    (
        "change requests",
        "director",
        lambda s: reverse("change_requests", args=[s.program.slug]),
        8,
    ),
]


def grow(school, n: int) -> None:
    """More groups, learners, cohorts and relationships in every place the pages read."""
    Cohort.objects.create(program=school.program, name=f"Class of {2030 + n}", class_year=2030 + n)
    for i in range(n):
        group = MentorGroup.objects.create(community=school.house_a, name=f"Extra {n}-{i}")
        mentor = make_person(f"Extra Mentor {n}-{i}")
        services.membership_start(
            group=group, person=mentor, role=MemberRole.MENTOR, start_date=START
        )
        for target in (group, school.group_a1):
            learner = make_person(f"Extra Learner {n}-{i}-{target.pk}", class_year=2029)
            services.membership_start(
                group=target, person=learner, role=MemberRole.LEARNER, start_date=START
            )
            services.relationship_start(
                program=school.program,
                mentor=school.mentor_a1,
                mentee=learner,
                kind=RelationshipKind.RESEARCH,
                start_date=START,
            )
        services.relationship_start(
            program=school.program,
            mentor=mentor,
            mentee=school.learner_a1,
            kind=RelationshipKind.CAREER,
            start_date=START + dt.timedelta(days=i),
        )
    school.group_a1.capacity = 100
    school.group_a1.save()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("page", "persona", "url_for", "budget"), PAGES)
def test_page_query_count_is_bounded_and_does_not_grow(
    client, school, page, persona, url_for, budget
):
    client.login(email=school.persona(persona).email, password=PASSWORD)
    url = url_for(school)
    small = count_queries(client, url)
    grow(school, 2)
    medium = count_queries(client, url)
    grow(school, 6)
    large = count_queries(client, url)
    assert small == medium == large, f"{page} as {persona}: {small}, {medium}, {large} queries"
    assert large <= budget, f"{page} as {persona}: {large} queries, budget {budget}"
