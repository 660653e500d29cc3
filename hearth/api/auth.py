"""Who is calling the API: a bearer token, or the signed-in session (for /api/docs)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from hearth.people.models import Person

from .services import api_token_owner


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Person:
        person = api_token_owner(secret=token)
        if person is None:
            # A wrong token is refused outright, even alongside a valid session cookie,
            # so a script never silently runs as whoever is signed in to the browser.
            raise AuthenticationError
        return person
