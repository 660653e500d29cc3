"""Paging and filtering of the list endpoints."""

from __future__ import annotations

import datetime as dt

from hearth.api.tests.conftest import ApiGet, names
from hearth.communities import services
from hearth.communities.models import EndReason
from hearth.people.models import Person
from hearth.testing import School


def test_pages_split_a_list_without_overlap_or_gaps(api_get: ApiGet):
    everyone = api_get("director", "people").json()
    first = api_get("director", "people", page_size=3).json()
    second = api_get("director", "people", page=2, page_size=3).json()
    assert first["count"] == second["count"] == everyone["count"] > 6
    assert len(first["items"]) == len(second["items"]) == 3
    assert first["items"] + second["items"] == everyone["items"][:6]


def test_lists_are_ordered_by_name(api_get: ApiGet):
    people = [p["display_name"] for p in api_get("director", "people").json()["items"]]
    assert people == sorted(people)


def test_page_past_the_end_is_empty(api_get: ApiGet):
    response = api_get("director", "programs", page=5)
    assert response.json() == {"items": [], "count": 1}


def test_pages_hold_50_by_default_and_never_more_than_100(api_get: ApiGet):
    Person.objects.bulk_create(
        Person(email=f"extra{n}@school.example.edu", display_name=f"Extra {n:03}")
        for n in range(120)
    )
    assert len(api_get("admin", "people").json()["items"]) == 50
    assert len(api_get("admin", "people", page_size=1000).json()["items"]) == 100


def test_page_zero_is_refused(api_get: ApiGet):
    assert api_get("director", "people", page=0).status_code == 422


def test_memberships_filter_by_group_program_and_open(api_get: ApiGet, school: School):
    membership = school.learner_a1.memberships.get()
    services.membership_end(
        membership=membership, end_date=dt.date(2025, 1, 31), reason=EndReason.LEAVE
    )

    by_group = api_get("director", "memberships", group=school.group_a2.pk)
    assert names(by_group, "person_name") == {"Mateo Mentortwo", "Luca Learnertwo"}
    assert api_get("director", "memberships", program="md-lc").json()["count"] == 7
    assert api_get("director", "memberships", program="elsewhere").json()["count"] == 0

    ended = api_get("director", "memberships", open="false").json()["items"]
    assert [(m["person_name"], m["end_reason"]) for m in ended] == [("Lena Learnerone", "leave")]
    current = names(api_get("director", "memberships", open="true"), "person_name")
    assert "Lena Learnerone" not in current and "Lars Learnermate" in current
