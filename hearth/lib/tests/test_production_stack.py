"""The production configuration, run for real: two gunicorn processes with the production
settings on one PostgreSQL database, static files from whitenoise, behind a (pretend) TLS proxy
that sets X-Forwarded-Proto. A person signs in on one process and carries on on the other:
the app processes keep no state of their own, so any load balancer may spread requests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

from hearth.people.tests.idp_oidc.launch import free_port
from hearth.testing import PASSWORD, make_person

ROOT = Path(__file__).resolve().parents[3]
PROXY = {"X-Forwarded-Proto": "https"}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="production runs on PostgreSQL; an in-memory SQLite cannot be shared",
    ),
]


def _production_env(static_root: Path) -> dict[str, str]:
    db = settings.DATABASES["default"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HEARTH_PRODUCTION": "true",
        "SECRET_KEY": "production-stack-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "true",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "DATABASE_CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(static_root),
        "STATICFILES_BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "WEB_CONCURRENCY": "1",
        "DEBUG": "false",
    }


@contextmanager
def _gunicorn(env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env={**env, "HEARTH_BIND": f"127.0.0.1:{port}"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    if requests.get(f"{base}/health/live", headers=PROXY, timeout=1).ok:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass  # still importing Django
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.1)  # polling until it listens
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def two_app_processes(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    # After django_db_setup, so the settings name the test database.
    tmp_path = tmp_path_factory.mktemp("production")
    env = _production_env(tmp_path / "static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with ExitStack() as stack:
        first = stack.enter_context(_gunicorn(env, tmp_path / "first.log"))
        second = stack.enter_context(_gunicorn(env, tmp_path / "second.log"))
        yield first, second


def test_a_session_begun_on_one_process_carries_on_on_the_other(two_app_processes):
    first, second = two_app_processes
    person = make_person("Amara Obi")
    # The suite hashes with MD5 for speed; production knows Argon2 and PBKDF2 only.
    hasher = Argon2PasswordHasher()
    person.password = hasher.encode(PASSWORD, hasher.salt())
    person.save(update_fields=["password"])
    # The cookies are Secure: a TLS proxy would carry them; here they are sent on by hand.
    form = requests.get(f"{first}/accounts/login/", headers=PROXY)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert form.status_code == 200 and token
    signed_in = requests.post(
        f"{first}/accounts/login/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": person.email,
            "password": PASSWORD,
        },
        cookies=form.cookies.get_dict(),
        headers={**PROXY, "Referer": f"https://{first.removeprefix('http://')}/accounts/login/"},
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    assert "Secure" in signed_in.headers["Set-Cookie"]
    cookies = signed_in.cookies.get_dict()
    home = requests.get(f"{second}/", headers=PROXY, cookies=cookies, allow_redirects=False)
    assert home.status_code == 200 and "Amara Obi" in home.text


def test_static_files_are_hashed_compressed_and_cached_for_a_year(two_app_processes):
    first, _ = two_app_processes
    page = requests.get(f"{first}/accounts/login/", headers=PROXY)
    stylesheet = re.search(r'href="(/static/hearth/hearth\.[0-9a-f]{12}\.css)"', page.text)
    assert stylesheet, "the page should link the hashed stylesheet"
    css = requests.get(
        f"{first}{stylesheet.group(1)}", headers={**PROXY, "Accept-Encoding": "gzip"}
    )
    assert css.status_code == 200 and css.headers["Content-Encoding"] == "gzip"
    assert "immutable" in css.headers["Cache-Control"]
    assert "max-age=315360000" in css.headers["Cache-Control"]


def test_plain_http_is_sent_to_https_and_the_database_check_answers(two_app_processes):
    first, second = two_app_processes
    plain = requests.get(f"{first}/", allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    for base in (first, second):
        assert requests.get(f"{base}/health/ready", headers=PROXY).text == "ok\n"
