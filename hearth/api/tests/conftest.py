"""Call the API as a persona, with a real token, the way a script would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from hearth.api.services import api_token_create
from hearth.testing import School

ApiGet = Callable[..., HttpResponse]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api_get(client: Client, school: School) -> ApiGet:
    secrets: dict[str, str] = {}

    def get(persona: str, path: str, **params: Any) -> HttpResponse:
        if persona not in secrets:
            _, secrets[persona] = api_token_create(person=school.persona(persona), name="tests")
        return client.get(f"/api/{path}", params, headers=bearer(secrets[persona]))

    return get


def names(response: HttpResponse, key: str = "display_name") -> set[str]:
    assert response.status_code == 200, response.content
    return {item[key] for item in response.json()["items"]}
