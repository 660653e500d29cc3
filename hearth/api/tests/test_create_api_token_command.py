from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from hearth.api.models import ApiToken
from hearth.api.tests.conftest import bearer
from hearth.testing import School


def test_command_prints_a_working_token_as_its_last_line(client: Client, school: School):
    out = StringIO()
    call_command(
        "create_api_token",
        school.director.email.upper(),
        "--name",
        "Dashboard",
        stdout=out,
        stderr=StringIO(),
    )
    secret = out.getvalue().strip().splitlines()[-1]
    response = client.get("/api/programs/md-lc", headers=bearer(secret))
    assert response.status_code == 200
    assert ApiToken.objects.get(person=school.director).name == "Dashboard"


def test_command_refuses_an_unknown_email(school: School):
    with pytest.raises(CommandError, match="nobody@example.org"):
        call_command("create_api_token", "nobody@example.org", stdout=StringIO())
    assert not ApiToken.objects.exists()
