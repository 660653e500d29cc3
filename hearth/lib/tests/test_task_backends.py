"""The task backend is chosen by setting alone: the database by default, Redis (RQ) at scale.

The Redis tests drive Hearth only through `manage.py` subprocesses, each pointed at its own
SQLite file in tmp_path: the worker is a separate process and could not see pytest-django's
test database, and this way the tests behave the same whether the suite runs on SQLite or on
PostgreSQL (DATABASE_URL is replaced for the subprocesses).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

redis = pytest.importorskip("redis", reason="pip install 'hearth[redis]' for the Redis backend")

REDIS_HOST = "redis://127.0.0.1:6379"
# Databases these tests may claim, so parallel runs (a developer's and CI's) never share a queue.
TEST_DBS = range(15, 9, -1)
CLAIM_KEY = "hearth-tests:claimed"
RQ_BACKEND = "django_tasks_rq.RQBackend"


def manage(*args: str, env: dict[str, str], timeout: float = 60) -> str:
    done = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def shell(code: str, *, env: dict[str, str]) -> str:
    return manage("shell", "--no-imports", "-c", code, env=env)


@pytest.fixture
def redis_db() -> Iterator[int]:
    """A Redis database number claimed for this test alone, emptied of RQ's keys."""
    try:
        redis.Redis.from_url(f"{REDIS_HOST}/0", socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            raise AssertionError(f"CI must run Redis on 127.0.0.1:6379: {error}") from error
        pytest.skip("no Redis server on 127.0.0.1:6379 (CI runs one)")
    for number in TEST_DBS:
        client = redis.Redis.from_url(f"{REDIS_HOST}/{number}")
        # Expires on its own should a run be killed before it lets go.
        if client.set(CLAIM_KEY, os.getpid(), nx=True, ex=120):
            break
    else:
        pytest.fail(f"every Redis database in {list(TEST_DBS)} is claimed by another test run")
    stale = list(client.scan_iter("rq:*"))
    if stale:
        client.delete(*stale)
    try:
        yield number
    finally:
        stale = list(client.scan_iter("rq:*"))
        if stale:
            client.delete(*stale)
        client.delete(CLAIM_KEY)
        client.close()


def hearth_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TASKS_BACKEND", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'hearth.sqlite3'}"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(overrides)
    return env


# The default backend's class, and whether django-rq is installed as an app.
BACKEND_AND_APPS = (
    "from django.conf import settings; from django_tasks import task_backends; "
    "print(type(task_backends['default']).__name__, 'django_rq' in settings.INSTALLED_APPS)"
)


def test_default_backend_is_the_database(tmp_path: Path) -> None:
    out = shell(BACKEND_AND_APPS, env=hearth_env(tmp_path))
    assert out.split() == ["DatabaseBackend", "False"]


@pytest.mark.parametrize("value", ["redis", RQ_BACKEND])
def test_redis_backend_is_chosen_by_setting_alone(tmp_path: Path, value: str) -> None:
    env = hearth_env(tmp_path, TASKS_BACKEND=value)
    manage("check", "--fail-level", "WARNING", env=env)
    assert shell(BACKEND_AND_APPS, env=env).split() == ["RQBackend", "True"]


def test_email_goes_through_redis_and_a_real_worker(
    tmp_path: Path,
    redis_db: int,
    smtp_server,  # noqa: ANN001 - the root conftest's Mailbox
) -> None:
    env = hearth_env(
        tmp_path,
        TASKS_BACKEND="redis",
        REDIS_URL=f"{REDIS_HOST}/{redis_db}",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(settings.EMAIL_PORT),
        EMAIL_USE_TLS="false",
    )
    # The email task touches no table, so the empty SQLite file needs no migrate.
    result_id = shell(
        "from hearth.lib.email import send_email_task; "
        "print(send_email_task.enqueue(subject='Queued through Redis', body='Hello', "
        "recipients=['rosa@example.edu']).id)",
        env=env,
    ).split()[-1]
    assert not smtp_server.messages, "nothing is sent before a worker runs"

    # --burst: work until the queue is empty, then exit.
    manage("rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default", env=env)

    status = json.loads(
        shell(
            "import json; from django_tasks import default_task_backend as b; "
            f"r = b.get_result({result_id!r}); "
            "print(json.dumps([r.status, r.return_value, len(r.worker_ids)]))",
            env=env,
        ).split("\n")[-2]
    )
    assert status == ["SUCCESSFUL", 1, 1]

    # The worker waited for the SMTP server's reply, so the message is already here.
    [message] = smtp_server.to("rosa@example.edu")
    assert message["Subject"] == "Queued through Redis"


def test_delayed_work_waits_in_redis_for_a_worker_with_the_scheduler(
    tmp_path: Path,
    redis_db: int,
    smtp_server,  # noqa: ANN001 - the root conftest's Mailbox
) -> None:
    """Circle rounds, their reminders and email retries are queued for later: RQ keeps them
    in its scheduled registry, and only a worker started --with-scheduler moves them to the
    queue once they are due (README: "--with-scheduler is required")."""
    env = hearth_env(
        tmp_path,
        TASKS_BACKEND="redis",
        REDIS_URL=f"{REDIS_HOST}/{redis_db}",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(settings.EMAIL_PORT),
        EMAIL_USE_TLS="false",
    )
    shell(
        "import datetime as dt; from django.utils import timezone; "
        "from hearth.lib.email import send_email_task; "
        "send_email_task.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue("
        "subject='Later, through Redis', body='Hello', recipients=['rosa@example.edu'])",
        env=env,
    )
    worker = ("rqworker", "--burst", "--job-class", "django_tasks_rq.Job")
    manage(*worker, "--with-scheduler", "default", env=env)
    assert not smtp_server.messages, "not due yet: the scheduler leaves it waiting"

    # The hour passes: RQ's own registry is told the job is due now, rather than sleeping.
    waiting = shell(
        "import datetime as dt; import django_rq; from rq.registry import ScheduledJobRegistry; "
        "queue = django_rq.get_queue('default'); registry = ScheduledJobRegistry(queue=queue); "
        "past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1); ids = registry.get_job_ids(); "
        "[registry.schedule(queue.fetch_job(i), past) for i in ids]; print(len(ids))",
        env=env,
    )
    assert waiting.split()[-1] == "1", "the email waits in RQ's scheduled registry"
    manage(*worker, "default", env=env)
    assert not smtp_server.messages, "a worker without the scheduler never sees it"
    manage(*worker, "--with-scheduler", "default", env=env)
    [message] = smtp_server.to("rosa@example.edu")
    assert message["Subject"] == "Later, through Redis"
