"""The load balancer's checks: /health/live without the database, /health/ready with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_live_answers_anyone_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_ready_asks_the_database_once(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/health/ready")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_ready_answers_503_when_the_database_is_unreachable_and_live_still_answers():
    # A real process whose database address has nothing listening.
    script = (
        "import django; django.setup(); from django.test import Client; c = Client();"
        "print(c.get('/health/ready').status_code, c.get('/health/live').status_code)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["503", "200"], result.stderr[-2000:]


def test_only_get_is_allowed(client):
    assert client.post("/health/live").status_code == 405
