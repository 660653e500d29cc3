"""Every page × every role: the right status, the role's own people shown, nobody else's."""

from __future__ import annotations

import re

import pytest

from hearth.people.tests.access_world import (
    API,
    FRAGMENTS,
    PAGES,
    ROLES,
    build_access_world,
    readable_text,
)

LEARNERS = {
    "learner_a1": "Lena Learnerone",
    "mate_a1": "Lars Learnermate",
    "learner_a2": "Luca Learnertwo",
    "learner_b1": "Lia Learnerthree",
}
# Learners each role may see somewhere; every other learner's name must appear nowhere.
SEES = {
    "admin": set(LEARNERS),
    "director": set(LEARNERS),
    "house_director": {"learner_a1", "mate_a1", "learner_a2"},
    "mentor_a1": {"learner_a1", "mate_a1"},
    "learner_a1": {"learner_a1", "mate_a1"},
    "evaluator": set(),
    "facilitator": set(),
    "outsider": set(),
    "anonymous": set(),
}
# A page where the role must see its own group's learners by name.
OWN_GROUP_PAGE = {
    "mentor_a1": ("home", {"learner_a1", "mate_a1"}),
    "learner_a1": ("API people", {"mate_a1"}),
    "house_director": ("group A1", {"learner_a1", "mate_a1"}),
    "director": ("group B1", {"learner_b1"}),
}


@pytest.fixture
def school_with_meeting(school, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_access_world(school)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_its_permissions_say(client, school_with_meeting, role):
    school = school_with_meeting
    if role != "anonymous":
        client.force_login(school.persona(role))
    hidden_names = [name for key, name in LEARNERS.items() if key not in SEES[role]]
    bodies = {}
    for page, url_for, allowed in PAGES + [(f"API {n}", u, a) for n, u, a in API]:
        response = client.get(url_for(school))
        signed_out = 401 if page.startswith("API") else 302
        expected = 200 if role in allowed else signed_out if role == "anonymous" else 404
        assert response.status_code == expected, f"{role} on {page}"
        body = readable_text(response)
        bodies[page] = body
        html = response["Content-Type"].startswith("text/html")
        if response.status_code == 200 and html and page not in FRAGMENTS:
            title = re.search(r"<title>(.*?)</title>", body, re.S)
            assert title and "<" not in title.group(1) and title.group(1).strip(), page
        for name in hidden_names:
            assert name not in body, f"{role} sees {name} on {page}"
    if role in OWN_GROUP_PAGE:
        page, keys = OWN_GROUP_PAGE[role]
        for key in keys:
            assert LEARNERS[key] in bodies[page], f"{role} misses {LEARNERS[key]} on {page}"
