"""SAML 2.0 sign-in: a pysaml2 IdP signs real assertions with a key made for this run."""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator

import lxml.html
import pytest
import requests
from allauth.socialaccount.models import SocialAccount

from hearth.people.models import Person
from hearth.people.tests.idp_saml.idp import PASSWORD as IDP_PASSWORD
from hearth.people.tests.idp_saml.idp import SamlIdP, SamlUser, running
from hearth.people.tests.idp_saml.keys import make_key_pair
from hearth.people.tests.test_sso_oidc import configure_sso, signed_in_as, submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        shutil.which("xmlsec1") is None and not os.environ.get("CI"),
        reason="pysaml2 signs with the xmlsec1 program (Debian package xmlsec1); CI installs it",
    ),
]

UNIVERSITY = "State University"
MIRA = SamlUser("mira", "Mira.Mentorone@school.example.edu", "Mira Mentorone")
STRANGER = SamlUser("sam", "sam.stranger@school.example.edu", "Sam Stranger")
SP_METADATA = "/sso/saml/institution/metadata/"


def start_idp(
    live_server, settings, monkeypatch, tmp_path, *, sign: bool = True, signing_keys=None
) -> Iterator[SamlIdP]:  # noqa: ANN001 - pytest fixtures
    """Configure Hearth through its environment variables, then serve the IdP."""
    trusted = make_key_pair(tmp_path, "trusted")

    def build(base_url: str) -> SamlIdP:
        idp = SamlIdP(
            base_url=base_url,
            keys=signing_keys or trusted,
            sp_metadata_url=f"{live_server.url}{SP_METADATA}",
            users={u.username: u for u in (MIRA, STRANGER)},
            sign=sign,
        )
        configure_sso(
            settings,
            monkeypatch,
            {
                "SSO_SAML_NAME": UNIVERSITY,
                "SSO_SAML_IDP_ENTITY_ID": idp.entity_id,
                "SSO_SAML_IDP_SSO_URL": idp.sso_url,
                "SSO_SAML_IDP_X509_CERT": trusted.cert_pem,
                "SSO_CREATE_ACCOUNTS": "false",
            },
        )
        return idp

    with running(build) as idp:
        yield idp


@pytest.fixture
def idp(live_server, settings, monkeypatch, tmp_path) -> Iterator[SamlIdP]:  # noqa: ANN001
    yield from start_idp(live_server, settings, monkeypatch, tmp_path)


def saml_response_page(base_url: str, user: SamlUser) -> tuple[requests.Session, requests.Response]:
    """Click "Sign in with …", sign in at the IdP: the page that would POST to Hearth."""
    browser = requests.Session()
    page = browser.get(f"{base_url}/accounts/login/")
    idp_login = submit(browser, page, f"Sign in with {UNIVERSITY}")
    assert "State University sign-in" in idp_login.text
    answer = submit(
        browser,
        idp_login,
        "Sign in to the IdP",
        {"username": user.username, "password": IDP_PASSWORD},
    )
    assert "SAMLResponse" in answer.text
    return browser, answer


def sign_in_with_idp(base_url: str, user: SamlUser) -> tuple[requests.Session, requests.Response]:
    browser, answer = saml_response_page(base_url, user)
    return browser, submit(browser, answer, "Continue to Hearth")


def test_sp_metadata_names_the_acs_url(live_server, idp):
    metadata = requests.get(f"{live_server.url}{SP_METADATA}", timeout=10)
    assert metadata.status_code == 200
    assert f'Location="{live_server.url}/sso/saml/institution/acs/"' in metadata.text


def test_matching_email_signs_in_and_links(live_server, idp, school):
    mira = school.mentor_a1
    roles_before = list(mira.role_grants.values_list("role", "program", "community"))

    browser, landing = sign_in_with_idp(live_server.url, MIRA)

    assert landing.url == f"{live_server.url}/", landing.text
    assert signed_in_as(browser) == mira.pk
    assert SocialAccount.objects.get(user=mira).uid == "mira@state.example.edu"
    assert list(mira.role_grants.values_list("role", "program", "community")) == roles_before

    again, _ = sign_in_with_idp(live_server.url, MIRA)
    assert signed_in_as(again) == mira.pk
    assert SocialAccount.objects.filter(user=mira).count() == 1


def test_unknown_email_is_refused(live_server, idp, school):
    browser, page = sign_in_with_idp(live_server.url, STRANGER)

    assert page.status_code == 403
    assert "There is no Hearth account for sam.stranger@school.example.edu." in page.text
    assert signed_in_as(browser) is None
    assert not Person.objects.filter(email__iexact=STRANGER.mail).exists()


def test_tampered_assertion_is_refused(live_server, idp, school, caplog):
    """Mira's signed assertion, edited to name the program director, must not sign anyone in."""
    browser, answer = saml_response_page(live_server.url, MIRA)
    form = lxml.html.fromstring(answer.text).forms[0]
    xml = base64.b64decode(form.fields["SAMLResponse"]).decode()
    assert MIRA.mail in xml
    forged = xml.replace(MIRA.mail, school.director.email)

    page = browser.post(
        form.action,
        data={
            "SAMLResponse": base64.b64encode(forged.encode()).decode(),
            "RelayState": form.fields.get("RelayState", ""),
        },
    )

    assert "Sign-in failed" in page.text
    assert "Signature validation failed" in caplog.text
    assert signed_in_as(browser) is None
    assert not SocialAccount.objects.exists()


@pytest.fixture
def unsigned_idp(live_server, settings, monkeypatch, tmp_path) -> Iterator[SamlIdP]:  # noqa: ANN001
    yield from start_idp(live_server, settings, monkeypatch, tmp_path, sign=False)


def test_unsigned_assertion_is_refused(live_server, unsigned_idp, school, caplog):
    browser, page = sign_in_with_idp(live_server.url, MIRA)

    assert "Sign-in failed" in page.text
    assert "The Assertion of the Response is not signed" in caplog.text
    assert signed_in_as(browser) is None


@pytest.fixture
def impostor_idp(live_server, settings, monkeypatch, tmp_path) -> Iterator[SamlIdP]:  # noqa: ANN001
    other = make_key_pair(tmp_path, "impostor")
    yield from start_idp(live_server, settings, monkeypatch, tmp_path, signing_keys=other)


def test_assertion_signed_with_another_key_is_refused(live_server, impostor_idp, school, caplog):
    browser, page = sign_in_with_idp(live_server.url, MIRA)

    assert "Sign-in failed" in page.text
    assert "Signature validation failed" in caplog.text
    assert signed_in_as(browser) is None
