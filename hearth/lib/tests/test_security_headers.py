from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.serendipity import services as serendipity
from hearth.serendipity.models import Audience
from hearth.testing import PASSWORD, School

FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), geolocation=(), microphone=()",
}
POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "style-src-elem": {"'self'"},
    "style-src-attr": {"'unsafe-inline'"},
    "img-src": {"'self'"},
    "media-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def directives(policy: str) -> dict[str, set[str]]:
    parsed = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, *sources = directive.split()
        parsed[name] = set(sources)
    return parsed


def assert_secure_headers(response: HttpResponse) -> None:
    for header, value in FIXED_HEADERS.items():
        assert response.headers.get(header) == value, header
    assert directives(response.headers["Content-Security-Policy"]) == POLICY
    assert "Content-Security-Policy-Report-Only" not in response.headers


@pytest.fixture
def signed_in(client: Client, school: School) -> Client:
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    return client


def test_a_page(client: Client, db: None):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_secure_headers(response)


def test_an_htmx_partial(signed_in: Client, school: School):
    circle = serendipity.circle_create(
        program=school.program,
        created_by=school.director,
        name="Coffee across houses",
        audience=Audience.FACULTY,
        group_size=2,
        first_round_at=timezone.now() + dt.timedelta(days=2),
    )
    serendipity.circle_join(circle=circle, person=school.mentor_a1)
    response = signed_in.post(reverse("circle_skip", args=[circle.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert_secure_headers(response)


def test_an_api_response(signed_in: Client):
    response = signed_in.get("/api/people")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert_secure_headers(response)


def test_a_page_not_found(signed_in: Client):
    response = signed_in.get("/no-such-page/")
    assert response.status_code == 404
    assert_secure_headers(response)


def test_session_cookie_is_http_only_and_same_site_lax(client: Client, school: School):
    client.post(reverse("login"), {"username": school.mentor_a1.email, "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def settings_under(environment: dict[str, str], *names: str) -> dict:
    """The named settings as config/settings.py computes them from this environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "CSP_", "SSO_", "HEARTH_PRODUCTION"))
    }
    env.update(environment)
    code = (
        "import json, config.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {list(names)!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


def test_report_only_mode_sends_the_same_policy_blocking_nothing():
    both = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    enforced = settings_under({}, *both)
    trial = settings_under({"CSP_REPORT_ONLY": "true"}, *both)
    assert enforced["CONTENT_SECURITY_POLICY_REPORT_ONLY"] is None
    assert trial["CONTENT_SECURITY_POLICY"] is None
    assert trial["CONTENT_SECURITY_POLICY_REPORT_ONLY"] == enforced["CONTENT_SECURITY_POLICY"]


def test_sign_in_forms_may_post_on_to_the_configured_identity_provider():
    found = settings_under(
        {
            "SSO_OIDC_ISSUER": "https://idp.example.edu:8443/realms/school/",
            "SSO_OIDC_NAME": "Example University",
            "SSO_OIDC_CLIENT_ID": "hearth",
            "SSO_OIDC_CLIENT_SECRET": "not-a-secret",
            "CSP_FORM_ACTION": "https://login.example.org",
        },
        "CONTENT_SECURITY_POLICY",
    )
    form_action = found["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"]
    assert form_action == ["'self'", "https://idp.example.edu:8443", "https://login.example.org"]
