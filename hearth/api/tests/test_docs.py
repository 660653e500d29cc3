from __future__ import annotations

from django.test import Client

from hearth.testing import PASSWORD, School

PATHS = {
    "/api/programs",
    "/api/programs/{slug}",
    "/api/programs/{slug}/communities",
    "/api/programs/{slug}/assessment-exclusions",
    "/api/communities/{community_id}",
    "/api/communities/{community_id}/groups",
    "/api/groups/{group_id}",
    "/api/groups/{group_id}/memberships",
    "/api/me",
    "/api/people",
    "/api/people/{person_id}",
    "/api/people/{person_id}/memberships",
    "/api/people/{person_id}/relationships",
    "/api/memberships",
    "/api/circles",
    "/api/circles/{circle_id}",
    "/api/circles/{circle_id}/rounds",
    "/api/pairings",
    "/api/programs/{slug}/pulse",
    "/api/programs/{slug}/matches",
    "/api/matches/{run_id}",
    "/api/matches/{run_id}/publish",
    "/api/studies",
    "/api/studies/{study_id}/agreement",
    "/api/studies/{study_id}/segments",
}
# Matching is the one part of the API that writes.
WRITES = {"/api/programs/{slug}/matches", "/api/matches/{run_id}/publish"}


def test_docs_page_answers_a_signed_in_user(client: Client, school: School):
    client.login(email=school.learner_a1.email, password=PASSWORD)
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content


def test_docs_send_a_visitor_to_sign_in(client: Client, school: School):
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_openapi_schema_lists_every_path_and_only_matching_writes(client: Client, school: School):
    client.login(email=school.learner_a1.email, password=PASSWORD)
    schema = client.get("/api/openapi.json").json()
    assert schema["info"] == {
        "title": "Hearth API",
        "version": "1",
        "description": schema["info"]["description"],
    }
    assert set(schema["paths"]) == PATHS
    writes = {path for path, methods in schema["paths"].items() if set(methods) != {"get"}}
    assert writes == WRITES
    assert all(set(schema["paths"][path]) == {"post"} for path in WRITES)
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    paged = schema["components"]["schemas"]["PagedPersonOut"]
    assert set(paged["properties"]) == {"items", "count"}
