"""Every list costs a fixed number of queries, however many groups and learners there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hearth.api.tests.conftest import ApiGet
from hearth.communities import services
from hearth.communities.models import Community, MemberRole, MentorGroup, Program
from hearth.people.models import Interest, Role, RoleGrant
from hearth.testing import START, School, make_person


def grow(school: School) -> None:
    """More of everything a list shows: programs, houses, groups, learners, interests."""
    cardiology = Interest.objects.create(name="Cardiology")
    other = Program.objects.create(name="PA Program", slug="pa")
    RoleGrant.objects.create(person=school.director, role=Role.PROGRAM_DIRECTOR, program=other)
    Community.objects.create(program=school.program, name="Curie House")
    group_a3 = MentorGroup.objects.create(community=school.house_a, name="Apgar 3", capacity=10)
    services.membership_start(
        group=group_a3, person=school.mentor_a1, role=MemberRole.MENTOR, start_date=START
    )
    for n, group in enumerate([school.group_a1, school.group_a1, group_a3, group_a3, group_a3]):
        learner = make_person(f"New Learner {n}", class_year=2028, learner_year=1)
        learner.interests.add(cardiology)
        services.membership_start(
            group=group, person=learner, role=MemberRole.LEARNER, start_date=START
        )


# Each: 1 token lookup, 1 last-used update, 2 to read the caller's roles and memberships,
# 1 count and 1 page (+1 prefetch for interests; +1 for the parent object of nested lists).
BUDGETS = {
    "programs": 6,
    "programs/md-lc/communities": 7,
    "programs/md-lc/assessment-exclusions": 7,
    "communities/{house_a}/groups": 7,
    "groups/{group_a1}/memberships": 7,
    "people": 7,
    "people/{mentor_a1}/memberships": 7,
    "people/{mentor_a1}/relationships": 7,
    "memberships": 6,
}


def queries_for(api_get: ApiGet, persona: str, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api_get(persona, path)
    assert response.status_code == 200, response.content
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("template", BUDGETS)
def test_list_query_count_does_not_grow_with_the_data(
    api_get: ApiGet, school: School, template: str
):
    path = template.format(
        house_a=school.house_a.pk, group_a1=school.group_a1.pk, mentor_a1=school.mentor_a1.pk
    )
    api_get("director", "programs")  # create the token outside the measurement
    before, count_before = queries_for(api_get, "director", path)
    grow(school)
    after, count_after = queries_for(api_get, "director", path)
    assert count_after > count_before  # the list really did grow
    assert before == after == BUDGETS[template]


@pytest.mark.parametrize("path", ["people", "memberships"])
def test_mentor_lists_cost_the_same_with_a_second_group(api_get: ApiGet, school: School, path: str):
    api_get("mentor_a1", "programs")
    before, count_before = queries_for(api_get, "mentor_a1", path)
    grow(school)
    after, count_after = queries_for(api_get, "mentor_a1", path)
    assert count_after > count_before
    assert before == after


def test_me_costs_only_finding_the_caller(api_get: ApiGet, school: School):
    api_get("director", "programs")
    with CaptureQueriesContext(connection) as queries:
        response = api_get("director", "me")
    assert response.json()["id"] == school.director.pk
    assert len(queries) == 2  # the token lookup and its last-used update
