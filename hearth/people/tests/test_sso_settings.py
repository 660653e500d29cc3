"""Single sign-on is configured from the environment; with nothing set, nothing changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from hearth.people.tests.test_sso_oidc import settings_from_env
from hearth.testing import PASSWORD, make_person

SAML_CERT = "MIIBfake"  # only stored by settings; checked when an assertion arrives


def test_nothing_set_means_no_providers(monkeypatch):
    for name in ("SSO_OIDC_ISSUER", "SSO_SAML_IDP_ENTITY_ID"):
        monkeypatch.delenv(name, raising=False)
    assert settings_from_env(monkeypatch, {})["SOCIALACCOUNT_PROVIDERS"] == {}


def test_half_configured_oidc_fails_loudly(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SSO_OIDC_CLIENT_ID"):
        settings_from_env(monkeypatch, {"SSO_OIDC_ISSUER": "https://idp.example.edu"})


def test_saml_needs_metadata_or_sso_url_and_certificate(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SSO_SAML_IDP_METADATA_URL"):
        settings_from_env(
            monkeypatch,
            {
                "SSO_SAML_NAME": "State University",
                "SSO_SAML_IDP_ENTITY_ID": "https://idp.example.edu/idp/shibboleth",
                "SSO_SAML_IDP_SSO_URL": "https://idp.example.edu/idp/profile/SAML2/Redirect/SSO",
            },
        )


def test_saml_by_metadata_url(monkeypatch):
    configured = settings_from_env(
        monkeypatch,
        {
            "SSO_SAML_NAME": "State University",
            "SSO_SAML_IDP_ENTITY_ID": "https://idp.example.edu/idp/shibboleth",
            "SSO_SAML_IDP_METADATA_URL": "https://md.incommon.org/InCommon/InCommon-metadata.xml",
            "SSO_SAML_SP_ENTITY_ID": "https://hearth.example.edu/shibboleth",
        },
    )
    (app,) = configured["SOCIALACCOUNT_PROVIDERS"]["saml"]["APPS"]
    assert app["settings"]["idp"] == {
        "entity_id": "https://idp.example.edu/idp/shibboleth",
        "metadata_url": "https://md.incommon.org/InCommon/InCommon-metadata.xml",
    }
    assert app["settings"]["sp"] == {"entity_id": "https://hearth.example.edu/shibboleth"}
    assert app["settings"]["advanced"]["want_assertion_signed"] is True


def test_login_page_without_sso_has_no_institution_buttons(client, settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with" not in page
    assert 'name="password"' in page


def test_login_page_shows_one_button_per_configured_institution(client, settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "institution",
                    "name": "Test University",
                    "client_id": "c",
                    "secret": "s",
                    "settings": {"server_url": "https://idp.example.edu"},
                }
            ]
        }
    }
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Test University</button>" in page
    assert 'action="/sso/oidc/institution/login/"' in page
    assert 'name="password"' in page


def test_password_sign_in_still_works(client, settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    person = make_person("Pat Password")
    response = client.post("/accounts/login/", {"username": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.parametrize("path", ["/sso/login/", "/sso/signup/", "/sso/password/reset/"])
def test_allauth_own_local_account_pages_are_not_offered(client, db, path):
    response = client.get(path)
    assert response.status_code in {302, 404}
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_password_reset_is_still_hearths(client, db):
    assert client.get("/accounts/password_reset/").status_code == 200
