"""Matching through the API: start, read, publish; directors only, everyone else 404."""

from __future__ import annotations

import json

import pytest

from hearth.api.services import api_token_create
from hearth.communities.models import GroupMembership
from hearth.matching.models import MatchRun, RunStatus
from hearth.matching.tests.factories import incoming_class

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client, school):
    secrets: dict[str, str] = {}

    def call(persona: str, method: str, path: str, body=None):  # noqa: ANN001, ANN202
        if persona not in secrets:
            _, secrets[persona] = api_token_create(person=school.persona(persona), name="tests")
        headers = {"Authorization": f"Bearer {secrets[persona]}"}
        if method == "get":
            return client.get(f"/api/{path}", headers=headers)
        return client.post(
            f"/api/{path}",
            json.dumps(body or {}),
            content_type="application/json",
            headers=headers,
        )

    return call


def test_a_director_starts_reads_and_publishes_a_match(
    school, call, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    with django_capture_on_commit_callbacks(execute=True):
        started = call(
            "director",
            "post",
            f"programs/{school.program.slug}/matches",
            {"cohort": "2029", "balance": [{"attribute": "gender", "value": "woman", "weight": 2}]},
        )
    assert started.status_code == 202, started.content
    # The task is queued when the answer goes out; here it has run since.
    assert started.json()["status"] == RunStatus.QUEUED
    run_id = started.json()["id"]
    read = call("director", "get", f"matches/{run_id}").json()
    assert read["proven_optimal"] is True and read["progress"] == 100
    assert len(read["placements"]) == 6
    placement = read["placements"][0]
    assert placement["community"] in ("Apgar House", "Blackwell House")
    assert placement["reasons"] and placement["group"]
    published = call("director", "post", f"matches/{run_id}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert GroupMembership.objects.filter(person__in=incoming.learners).count() == 6
    again = call("admin", "post", f"matches/{run_id}/publish")
    assert again.status_code == 409
    assert "already published by Dora Director" in again.json()["detail"]


def test_bad_input_answers_400_naming_the_problem(school, call):
    incoming_class(school)
    path = f"programs/{school.program.slug}/matches"
    response = call("director", "post", path, {"cohort": "2029", "preference_weight": -1})
    assert response.status_code == 400
    assert "The weight for preferences must be from 0 to 100" in response.json()["detail"]
    response = call("director", "post", path, {"cohort": "1999"})
    assert response.status_code == 400 and "has no class" in response.json()["detail"]
    assert not MatchRun.objects.exists()


@pytest.mark.parametrize(
    "persona", ["house_director", "mentor_a1", "learner_a1", "evaluator", "outsider"]
)
def test_everyone_but_directors_gets_404(school, call, persona, django_capture_on_commit_callbacks):
    incoming_class(school)
    path = f"programs/{school.program.slug}/matches"
    with django_capture_on_commit_callbacks(execute=True):
        run_id = call("director", "post", path, {"cohort": "2029"}).json()["id"]
    assert call(persona, "post", path, {"cohort": "2029"}).status_code == 404
    assert call(persona, "get", f"matches/{run_id}").status_code == 404
    assert call(persona, "post", f"matches/{run_id}/publish").status_code == 404
    assert MatchRun.objects.get().status == RunStatus.READY
