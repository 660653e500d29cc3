"""`manage.py check --deploy` in a real process, with the environment a site would set."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from django.conf import settings

# Variables this test decides; whatever the developer's shell has set for them is dropped.
_DECIDED = (
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "HEARTH_PRODUCTION",
    "ALLOWED_HOSTS",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "BEHIND_TLS_PROXY",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "CSP_REPORT_ONLY",
    # Set by pytest-playwright for this process; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)

PRODUCTION = {
    "HEARTH_PRODUCTION": "true",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "hearth.example.edu",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
}


def deploy_check(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in _DECIDED}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_production_settings_pass_the_deploy_check():
    result = deploy_check(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hearth_production_alone_turns_on_the_secure_defaults():
    essentials = {k: PRODUCTION[k] for k in ("HEARTH_PRODUCTION", "SECRET_KEY", "ALLOWED_HOSTS")}
    result = deploy_check(essentials)
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_settings_are_warned_about():
    result = deploy_check({})
    assert result.returncode != 0
    for warning in ("W004", "W008", "W012", "W016"):
        assert f"security.{warning}" in result.stderr + result.stdout, warning


def test_an_explicit_false_still_wins_over_production_defaults():
    result = deploy_check({**PRODUCTION, "SECURE_COOKIES": "false"})
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout
