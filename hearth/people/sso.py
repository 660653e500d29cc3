"""Single sign-on: an identity provider vouches for an email; Hearth decides who that is.

SSO only signs people in. It links the IdP's account to the Person with the same email
(case-insensitive) and never grants or changes roles.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import render

from hearth.people.models import Person

# SAML IdPs (Shibboleth / InCommon) release `mail` from the campus directory: trusted as is.
# OpenID Connect providers say per login whether they checked the address.
_EMAIL_TRUSTED_PROVIDERS = {"saml"}


class HearthAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # people are added by their program director, not by themselves


def _refuse(request: HttpRequest, message: str) -> ImmediateHttpResponse:
    response = render(request, "socialaccount/refused.html", {"message": message}, status=403)
    return ImmediateHttpResponse(response)


def _vouched_email(sociallogin: SocialLogin) -> tuple[str, bool]:
    """The email the IdP gave (or "") and whether it vouches for it."""
    # provider.id is the protocol; account.provider is the configured app's id.
    trusted = sociallogin.provider.id in _EMAIL_TRUSTED_PROVIDERS
    for address in sociallogin.email_addresses:
        if address.email:
            return address.email.strip(), trusted or bool(address.verified)
    email = (sociallogin.user.email if sociallogin.user else "") or ""
    return email.strip(), trusted


class HearthSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False  # accounts SSO may create are created in pre_social_login

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> Any:
        person = super().populate_user(request, sociallogin, data)
        parts = (data.get("first_name"), data.get("last_name"))
        name = data.get("name") or " ".join(p for p in parts if p)
        person.display_name = (name or (data.get("email") or "").split("@")[0])[:150]
        return person

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.is_existing:
            if not sociallogin.user.is_active:
                raise _refuse(request, "This Hearth account is no longer active.")
            return
        email, vouched = _vouched_email(sociallogin)
        if not email:
            raise _refuse(request, "Your institution did not tell Hearth your email address.")
        if not vouched:
            raise _refuse(
                request,
                f"Your institution has not confirmed that {email} is your address, "
                "so Hearth cannot sign you in with it.",
            )
        person = Person.objects.filter(email__iexact=email).first()
        if person is None and settings.SSO_CREATE_ACCOUNTS:
            with transaction.atomic():
                # No password and no roles: a director grants roles in Hearth.
                person = Person.objects.create_user(
                    email=email, password=None, display_name=sociallogin.user.display_name
                )
                sociallogin.connect(request, person)
            return
        if person is None:
            raise _refuse(
                request,
                f"There is no Hearth account for {email}. Ask your program director to add you.",
            )
        if not person.is_active:
            raise _refuse(request, "This Hearth account is no longer active.")
        sociallogin.connect(request, person)
