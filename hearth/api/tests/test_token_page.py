from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from hearth.api.models import ApiToken
from hearth.api.services import api_token_create
from hearth.api.tests.conftest import bearer
from hearth.testing import PASSWORD, School

TOKEN_INPUT = re.compile(r'id="new-token" value="([^"]+)"')


def signed_in(client: Client, school: School, persona: str = "mentor_a1") -> Client:
    client.login(email=school.persona(persona).email, password=PASSWORD)
    return client


def test_page_creates_a_token_and_shows_the_secret_once(client: Client, school: School):
    signed_in(client, school)
    response = client.post(reverse("api_tokens"), {"name": "My notebook"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = TOKEN_INPUT.search(response.content.decode()).group(1)
    assert client.get("/api/people", headers=bearer(secret)).status_code == 200

    again = client.get(reverse("api_tokens")).content.decode()
    assert secret not in again
    assert "My notebook" in again and f"{secret[:8]}…" in again


def test_blank_name_is_refused_with_a_message(client: Client, school: School):
    signed_in(client, school)
    response = client.post(reverse("api_tokens"), {"name": ""})
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_page_revokes_a_token(client: Client, school: School):
    token, secret = api_token_create(person=school.mentor_a1, name="Old script")
    signed_in(client, school)
    response = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert response.redirect_chain == [(reverse("api_tokens"), 302)]
    page = response.content.decode()
    assert "Revoked “Old script”" in page and "You have no tokens." in page
    assert client.get("/api/people", headers=bearer(secret)).status_code == 401


def test_someone_elses_token_cannot_be_revoked(client: Client, school: School):
    token, secret = api_token_create(person=school.director, name="Director's")
    signed_in(client, school, "outsider")
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert client.get("/api/programs", headers=bearer(secret)).status_code == 200


def test_page_lists_only_your_own_tokens(client: Client, school: School):
    api_token_create(person=school.director, name="Director's")
    api_token_create(person=school.mentor_a1, name="Mentor's")
    page = signed_in(client, school).get(reverse("api_tokens")).content.decode()
    assert "Mentor&#x27;s" in page and "Director" not in page


def test_revoking_needs_post(client: Client, school: School):
    token, _ = api_token_create(person=school.mentor_a1, name="script")
    signed_in(client, school)
    assert client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405


def test_visitor_is_sent_to_sign_in(client: Client, school: School):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
