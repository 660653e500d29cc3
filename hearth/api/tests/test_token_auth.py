from __future__ import annotations

from django.test import Client

from hearth.api.models import ApiToken
from hearth.api.services import api_token_create, api_token_revoke
from hearth.api.tests.conftest import bearer, names
from hearth.testing import PASSWORD, School


def test_bearer_token_answers_as_its_owner(client: Client, school: School):
    token, secret = api_token_create(person=school.mentor_a1, name="script")
    response = client.get("/api/people", headers=bearer(secret))
    assert "Lena Learnerone" in names(response)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_a_hash_of_the_secret_is_stored(school: School):
    token, secret = api_token_create(person=school.director, name="script")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in stored.values()}
    assert token.key_hash == ApiToken.hash_secret(secret)
    assert token.prefix == secret[:8]


def test_revoked_token_gets_401(client: Client, school: School):
    token, secret = api_token_create(person=school.director, name="script")
    api_token_revoke(token=token)
    response = client.get("/api/programs", headers=bearer(secret))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_gets_401(client: Client, school: School):
    assert client.get("/api/programs", headers=bearer("not-a-token")).status_code == 401


def test_no_credentials_gets_401(client: Client, school: School):
    assert client.get("/api/programs").status_code == 401
    assert client.get("/api/people/1").status_code == 401


def test_token_of_a_deactivated_person_gets_401(client: Client, school: School):
    _, secret = api_token_create(person=school.director, name="script")
    school.director.is_active = False
    school.director.save(update_fields=["is_active"])
    assert client.get("/api/programs", headers=bearer(secret)).status_code == 401


def test_signed_in_session_is_accepted(client: Client, school: School):
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    assert "Lena Learnerone" in names(client.get("/api/people"))


def test_bad_token_is_refused_even_with_a_signed_in_session(client: Client, school: School):
    client.login(email=school.director.email, password=PASSWORD)
    assert client.get("/api/programs", headers=bearer("not-a-token")).status_code == 401


def test_token_owner_permissions_apply_not_the_signed_in_session(client: Client, school: School):
    client.login(email=school.director.email, password=PASSWORD)
    _, secret = api_token_create(person=school.outsider, name="script")
    response = client.get("/api/programs/md-lc", headers=bearer(secret))
    assert response.status_code == 404


def test_me_names_the_token_owner(client: Client, school: School):
    _, secret = api_token_create(person=school.mentor_a1, name="script")
    response = client.get("/api/me", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json() == {
        "id": school.mentor_a1.pk,
        "display_name": school.mentor_a1.display_name,
        "email": school.mentor_a1.email,
        "time_zone": school.mentor_a1.time_zone,
    }


def test_me_names_the_signed_in_person_and_refuses_anyone_else(client: Client, school: School):
    assert client.get("/api/me").status_code == 401
    client.login(email=school.learner_a1.email, password=PASSWORD)
    assert client.get("/api/me").json()["id"] == school.learner_a1.pk
