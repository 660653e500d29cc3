"""The API shows each role exactly what the pages show, and 404s the rest."""

from __future__ import annotations

import pytest

from hearth.api.tests.conftest import ApiGet, names
from hearth.communities.models import AttributeDefinition, PersonAttribute
from hearth.people.permissions import visible_memberships, visible_people, visible_programs
from hearth.testing import School

ROLES = ["director", "house_director", "mentor_a1", "learner_a1", "evaluator", "outsider", "admin"]
ALL_LEARNERS = {"Lena Learnerone", "Lars Learnermate", "Luca Learnertwo", "Lia Learnerthree"}


@pytest.mark.parametrize("persona", ROLES)
def test_lists_match_the_permission_rule(api_get: ApiGet, school: School, persona: str):
    user = school.persona(persona)
    assert names(api_get(persona, "people")) == {p.display_name for p in visible_people(user)}
    assert names(api_get(persona, "programs"), "slug") == {p.slug for p in visible_programs(user)}
    assert {m["id"] for m in api_get(persona, "memberships").json()["items"]} == set(
        visible_memberships(user).values_list("pk", flat=True)
    )


def test_director_sees_every_learner_and_both_houses(api_get: ApiGet):
    assert names(api_get("director", "people")) >= ALL_LEARNERS
    communities = api_get("director", "programs/md-lc/communities")
    assert names(communities, "name") == {"Apgar House", "Blackwell House"}


def test_house_director_sees_only_their_house(api_get: ApiGet, school: School):
    people = names(api_get("house_director", "people"))
    assert {"Lena Learnerone", "Lars Learnermate", "Luca Learnertwo"} <= people
    assert "Lia Learnerthree" not in people
    communities = api_get("house_director", "programs/md-lc/communities")
    assert names(communities, "name") == {"Apgar House"}
    groups = api_get("house_director", f"communities/{school.house_a.pk}/groups")
    assert names(groups, "name") == {"Apgar 1", "Apgar 2"}


def test_mentor_sees_own_group_and_no_other_learners(api_get: ApiGet, school: School):
    people = names(api_get("mentor_a1", "people"))
    assert {"Lena Learnerone", "Lars Learnermate"} <= people
    assert not {"Luca Learnertwo", "Lia Learnerthree"} & people
    memberships = api_get("mentor_a1", "memberships")
    assert names(memberships, "group_name") == {"Apgar 1"}
    assert not {"Luca Learnertwo", "Lia Learnerthree"} & names(memberships, "person_name")


def test_learner_sees_group_mates_and_mentor_only(api_get: ApiGet, school: School):
    people = names(api_get("learner_a1", "people"))
    # The director of the learner's own house is visible too, by the permission rule.
    assert people == {"Lena Learnerone", "Lars Learnermate", "Mira Mentorone", "Hugo Housedirector"}
    roster = api_get("learner_a1", f"groups/{school.group_a1.pk}/memberships")
    assert names(roster, "person_name") == {"Lena Learnerone", "Lars Learnermate", "Mira Mentorone"}


def test_evaluator_sees_the_program_but_no_people(api_get: ApiGet):
    assert names(api_get("evaluator", "programs"), "slug") == {"md-lc"}
    assert names(api_get("evaluator", "people")) == {"Eve Evaluator"}
    assert api_get("evaluator", "programs/md-lc/communities").json() == {"items": [], "count": 0}
    assert api_get("evaluator", "memberships").json()["count"] == 0


def test_outsider_sees_only_themself(api_get: ApiGet):
    assert api_get("outsider", "programs").json() == {"items": [], "count": 0}
    assert names(api_get("outsider", "people")) == {"Otto Outsider"}
    assert api_get("outsider", "memberships").json()["count"] == 0


def hidden(school: School) -> list[tuple[str, str]]:
    return [
        ("outsider", "programs/md-lc"),
        ("outsider", "programs/md-lc/communities"),
        ("outsider", f"communities/{school.house_a.pk}"),
        ("outsider", f"communities/{school.house_a.pk}/groups"),
        ("outsider", f"groups/{school.group_a1.pk}"),
        ("outsider", f"groups/{school.group_a1.pk}/memberships"),
        ("outsider", f"people/{school.learner_a1.pk}"),
        ("outsider", f"people/{school.learner_a1.pk}/memberships"),
        ("outsider", f"people/{school.learner_a1.pk}/relationships"),
        ("outsider", "programs/md-lc/assessment-exclusions"),
        ("house_director", f"communities/{school.house_b.pk}"),
        ("house_director", f"groups/{school.group_b1.pk}/memberships"),
        ("house_director", f"people/{school.learner_b1.pk}"),
        ("house_director", "programs/md-lc/assessment-exclusions"),
        ("mentor_a1", f"groups/{school.group_a2.pk}"),
        ("mentor_a1", f"people/{school.learner_a2.pk}"),
        ("mentor_a1", f"people/{school.learner_b1.pk}/relationships"),
        ("mentor_a1", "programs/md-lc/assessment-exclusions"),
        ("learner_a1", f"groups/{school.group_a2.pk}/memberships"),
        ("learner_a1", f"people/{school.learner_a2.pk}"),
        ("learner_a1", f"communities/{school.house_b.pk}"),
        ("learner_a1", "programs/md-lc/assessment-exclusions"),
        ("evaluator", f"groups/{school.group_a1.pk}"),
        ("evaluator", f"people/{school.learner_a1.pk}"),
        ("evaluator", "programs/md-lc/assessment-exclusions"),
        ("director", "programs/no-such-program"),
        ("director", "people/999999"),
    ]


def test_what_a_role_may_not_see_answers_404(api_get: ApiGet, school: School):
    refused = {
        (persona, path): api_get(persona, path).status_code for persona, path in hidden(school)
    }
    assert refused == dict.fromkeys(refused, 404)


def test_visible_objects_answer_with_their_fields(api_get: ApiGet, school: School):
    assert api_get("mentor_a1", "programs/md-lc").json() == {
        "slug": "md-lc",
        "name": "MD Learning Communities",
        "description": "",
        "years_of_study": 4,
    }
    group = api_get("learner_a1", f"groups/{school.group_a1.pk}").json()
    assert group == {
        "id": school.group_a1.pk,
        "program": "md-lc",
        "community_id": school.house_a.pk,
        "community_name": "Apgar House",
        "name": "Apgar 1",
        "capacity": 4,
    }
    community = api_get("house_director", f"communities/{school.house_a.pk}").json()
    assert community["name"] == "Apgar House" and community["program"] == "md-lc"


def test_person_never_carries_self_reported_attributes(api_get: ApiGet, school: School):
    definition = AttributeDefinition.objects.create(
        program=school.program, key="first_gen", label="First-generation student"
    )
    PersonAttribute.objects.create(
        person=school.learner_a1, definition=definition, value="Zebra-secret", consented=True
    )
    school.learner_a1.interests.create(name="Cardiology")
    response = api_get("mentor_a1", f"people/{school.learner_a1.pk}")
    assert response.json() == {
        "id": school.learner_a1.pk,
        "display_name": "Lena Learnerone",
        "email": school.learner_a1.email,
        "pronouns": "",
        "department": "",
        "academic_rank": "",
        "class_year": 2028,
        "learner_year": 1,
        "time_zone": "America/New_York",
        "interests": ["Cardiology"],
    }
    assert b"Zebra-secret" not in api_get("director", "people").content


def test_person_memberships_and_relationships(api_get: ApiGet, school: School):
    memberships = api_get("mentor_a1", f"people/{school.learner_a1.pk}/memberships").json()
    assert memberships["count"] == 1
    assert memberships["items"][0] == {
        "id": memberships["items"][0]["id"],
        "group_id": school.group_a1.pk,
        "group_name": "Apgar 1",
        "community_id": school.house_a.pk,
        "community_name": "Apgar House",
        "person_id": school.learner_a1.pk,
        "person_name": "Lena Learnerone",
        "role": "learner",
        "start_date": "2024-08-01",
        "end_date": None,
        "end_reason": "",
    }
    relationships = api_get("learner_a1", f"people/{school.learner_a1.pk}/relationships").json()
    assert relationships["count"] == 1
    relationship = relationships["items"][0]
    assert relationship["program"] == "md-lc"
    assert relationship["mentor_name"] == "Mira Mentorone"
    assert relationship["mentee_id"] == school.learner_a1.pk
    assert (relationship["kind"], relationship["status"]) == ("lc_mentor", "active")


def test_assessment_firewall_is_listed_for_program_directors(api_get: ApiGet, school: School):
    response = api_get("director", "programs/md-lc/assessment-exclusions")
    pairs = {(e["assessor_name"], e["learner_name"]) for e in response.json()["items"]}
    assert pairs == {
        ("Mira Mentorone", "Lena Learnerone"),
        ("Mira Mentorone", "Lars Learnermate"),
        ("Mateo Mentortwo", "Luca Learnertwo"),
        ("Mona Mentorthree", "Lia Learnerthree"),
    }
