"""The request type views receive once sign-in and django-htmx's middleware have run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from hearth.people.models import Person


class AuthenticatedRequest(HttpRequest):
    user: Person  # type: ignore[assignment]
    htmx: HtmxDetails
