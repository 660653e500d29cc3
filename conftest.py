"""Fixtures every test folder shares."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message as EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from hearth.communities.demo import DemoSchool
from hearth.demo import seed_all
from hearth.seed_snapshots import seeded
from hearth.testing import School, build_school

# Playwright runs an event loop in the test thread; Django's ORM is still called synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Any of these in a test's fixture closure means it reaches the test database.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "django_db_setup",
        "live_server",
    }
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="deselect tests that never reach the database (a run on another database has them)",
    )


def reaches_the_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(fixtures & DATABASE_FIXTURES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("database_tests_only"):
        return
    kept, dropped = [], []
    for item in items:
        (kept if reaches_the_database(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # noqa: ANN001 - pytest-django's settings
    # The real hasher is slow by design; tests need sign-in, not resistance to cracking.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def sign_in_throttling_off(settings) -> None:  # noqa: ANN001 - pytest-django's settings
    # django-axes needs the request in authenticate(), which client.login() does not pass;
    # the throttling tests turn it back on.
    settings.AXES_ENABLED = False


@pytest.fixture
def school(db: None) -> School:
    return build_school()


@pytest.fixture
def demo(db: None) -> DemoSchool:
    """The whole demo school as of today, seeded through the services once per test process."""
    return seeded(seed_all, today=timezone.localdate())


@pytest.fixture(autouse=True)
def tasks_run_immediately(settings) -> None:  # noqa: ANN001 - pytest-django's settings
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class Mailbox:
    messages: list[EmailMessage]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m.get_all("To", [""])[0]]


@pytest.fixture
def smtp_server(settings) -> Iterator[Mailbox]:  # noqa: ANN001 - pytest-django's settings
    """A real SMTP server on loopback; Django's SMTP backend sends to it."""
    mailbox = Mailbox(messages=[])

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
            mailbox.messages.append(message_from_bytes(envelope.content))
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield mailbox
    finally:
        controller.stop()


# Property tests explore fresh cases on a developer's machine; CI replays a fixed set, so a
# green main stays green. Failures found locally become explicit @example cases.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
