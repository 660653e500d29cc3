"""Fixtures every test folder shares."""

from __future__ import annotations

import os

import pytest

from hearth.testing import School, build_school

# Playwright runs an event loop in the test thread; Django's ORM is still called synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # noqa: ANN001 - pytest-django's settings
    # The real hasher is slow by design; tests need sign-in, not resistance to cracking.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def school(db: None) -> School:
    return build_school()
