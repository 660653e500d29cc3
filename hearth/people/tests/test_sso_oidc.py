"""OpenID Connect sign-in against a real django-oidc-provider running in a second process."""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session

from hearth.people.models import Person
from hearth.people.tests.idp_oidc.launch import (
    CLIENT_ID,
    CLIENT_SECRET,
    IdPUser,
    oidc_provider,
)
from hearth.people.tests.idp_oidc.launch import PASSWORD as IDP_PASSWORD
from hearth.stewardship.personal_data import person_erase, person_export
from hearth.testing import make_person

pytestmark = pytest.mark.django_db(transaction=True)

UNIVERSITY = "Test University"
MIRA = IdPUser("mira", "Mira.Mentorone@School.example.edu", "Mira Mentorone")
STRANGER = IdPUser("stranger", "sam.stranger@school.example.edu", "Sam Stranger")
UNVERIFIED = IdPUser("ursula", "ursula.unverified@school.example.edu", "Ursula U", verified=False)
INACTIVE = IdPUser("ivan", "ivan.inactive@school.example.edu", "Ivan Inactive")


@pytest.fixture(scope="session")
def issuer(live_server, tmp_path_factory) -> Iterator[str]:  # noqa: ANN001 - pytest-django
    callback = f"{live_server.url}/sso/oidc/institution/login/callback/"
    with oidc_provider(
        redirect_uri=callback,
        users=[MIRA, STRANGER, UNVERIFIED, INACTIVE],
        workdir=tmp_path_factory.mktemp("oidc-idp"),
    ) as url:
        yield url


def settings_from_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> dict[str, Any]:
    """config/settings.py as it reads this environment."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(__file__).resolve().parents[3] / "config" / "settings.py"))


def configure_sso(settings, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:  # noqa: ANN001
    """Apply what the SSO variables change: the providers and the sign-in form's CSP."""
    configured = settings_from_env(monkeypatch, env)
    settings.SOCIALACCOUNT_PROVIDERS = configured["SOCIALACCOUNT_PROVIDERS"]
    settings.SSO_CREATE_ACCOUNTS = configured["SSO_CREATE_ACCOUNTS"]
    for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        if name in configured:
            setattr(settings, name, configured[name])


@pytest.fixture
def oidc(settings, monkeypatch, issuer) -> None:  # noqa: ANN001 - pytest-django's settings
    configure_sso(
        settings,
        monkeypatch,
        {
            "SSO_OIDC_NAME": UNIVERSITY,
            "SSO_OIDC_ISSUER": issuer,
            "SSO_OIDC_CLIENT_ID": CLIENT_ID,
            "SSO_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "SSO_CREATE_ACCOUNTS": "false",
        },
    )


def submit(
    session: requests.Session,
    response: requests.Response,
    button: str,
    fields: dict[str, str] | None = None,
) -> requests.Response:
    """Submit the form holding the button labelled `button`, as a browser would."""
    page = lxml.html.fromstring(response.text, base_url=response.url)
    page.make_links_absolute(response.url)
    matches = [
        b
        for b in page.xpath("//form//button | //form//input[@type='submit']")
        if (b.text_content().strip() or b.get("value", "")) == button
    ]
    assert matches, f"no {button!r} button on {response.url}:\n{response.text[:2000]}"
    clicked = matches[0]
    form = next(clicked.iterancestors("form"))
    data = {
        i.get("name"): i.get("value", "")
        for i in form.xpath(".//input[@name]")
        if i.get("type") not in {"submit", "checkbox", "radio"}
    }
    if clicked.get("name"):
        data[clicked.get("name")] = clicked.get("value", "")
    data.update(fields or {})
    action = form.get("action") or response.url
    method = (form.get("method") or "get").lower()
    if method == "post":
        return session.post(action, data=data)
    return session.get(action, params=data)


def sign_in_with_idp(base_url: str, user: IdPUser) -> tuple[requests.Session, requests.Response]:
    """Click "Sign in with …" on Hearth's page, sign in at the IdP, consent, come back."""
    browser = requests.Session()
    page = browser.get(f"{base_url}/accounts/login/")
    idp_login = submit(browser, page, f"Sign in with {UNIVERSITY}")
    assert "Test university sign-in" in idp_login.text
    consent = submit(
        browser,
        idp_login,
        "Sign in to the IdP",
        {"username": user.username, "password": IDP_PASSWORD},
    )
    assert "Request for Permission" in consent.text
    return browser, submit(browser, consent, "Authorize")


def signed_in_as(browser: requests.Session) -> int | None:
    key = browser.cookies.get("sessionid")
    session = Session.objects.filter(pk=key).first() if key else None
    user_id = session.get_decoded().get("_auth_user_id") if session else None
    return int(user_id) if user_id else None


def test_matching_email_signs_in_and_links_without_touching_roles(live_server, oidc, school):
    mira = school.mentor_a1
    roles_before = list(mira.role_grants.values_list("role", "program", "community"))

    browser, landing = sign_in_with_idp(live_server.url, MIRA)

    assert landing.status_code == 200
    assert landing.url == f"{live_server.url}/"
    assert signed_in_as(browser) == mira.pk
    account = SocialAccount.objects.get(user=mira)
    assert account.provider == "institution"
    assert list(mira.role_grants.values_list("role", "program", "community")) == roles_before


def test_second_sign_in_reuses_the_link_even_after_an_email_change(live_server, oidc, school):
    mira = school.mentor_a1
    sign_in_with_idp(live_server.url, MIRA)
    # The link is the IdP's subject id now, not the address.
    Person.objects.filter(pk=mira.pk).update(email="mira.m@school.example.edu")

    browser, landing = sign_in_with_idp(live_server.url, MIRA)

    assert signed_in_as(browser) == mira.pk
    assert SocialAccount.objects.filter(user=mira).count() == 1


def test_unknown_email_is_refused(live_server, oidc, school):
    people_before = Person.objects.count()

    browser, page = sign_in_with_idp(live_server.url, STRANGER)

    assert page.status_code == 403
    assert (
        "There is no Hearth account for sam.stranger@school.example.edu. "
        "Ask your program director to add you." in page.text
    )
    assert signed_in_as(browser) is None
    assert Person.objects.count() == people_before
    assert not SocialAccount.objects.exists()


def test_unverified_email_is_refused_even_when_it_matches(live_server, oidc, db):
    ursula = make_person("Ursula Unverified")

    browser, page = sign_in_with_idp(live_server.url, UNVERIFIED)

    assert page.status_code == 403
    assert "has not confirmed that ursula.unverified@school.example.edu" in page.text
    assert signed_in_as(browser) is None
    assert not SocialAccount.objects.filter(user=ursula).exists()


def test_inactive_person_cannot_sign_in(live_server, oidc, db):
    make_person("Ivan Inactive", is_active=False)

    browser, page = sign_in_with_idp(live_server.url, INACTIVE)

    assert page.status_code == 403
    assert "no longer active" in page.text
    assert signed_in_as(browser) is None


def test_create_accounts_setting_makes_a_person_with_no_roles(live_server, oidc, settings, school):
    settings.SSO_CREATE_ACCOUNTS = True

    browser, landing = sign_in_with_idp(live_server.url, STRANGER)

    sam = Person.objects.get(email__iexact=STRANGER.email)
    assert signed_in_as(browser) == sam.pk
    assert sam.display_name == "Sam Stranger"
    assert not sam.role_grants.exists()
    assert not sam.is_staff and not sam.is_superuser
    assert not sam.has_usable_password()


def test_erasure_removes_the_link_and_export_names_it(live_server, oidc, school):
    mira = school.mentor_a1
    sign_in_with_idp(live_server.url, MIRA)

    exported = person_export(mira)["socialaccount"]
    links = exported["single sign-on links (institution and its id for you)"]
    assert [link["provider"] for link in links] == ["institution"]
    assert "extra_data" not in links[0]

    person_erase(person=mira, by=school.admin)

    assert not SocialAccount.objects.filter(user=mira).exists()
    browser, page = sign_in_with_idp(live_server.url, MIRA)
    assert page.status_code == 403
    assert signed_in_as(browser) is None
