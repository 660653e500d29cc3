"""Bad files at the matching imports (a class's community choices, a mentoring round's
choices), through the real pages: one clear message, a 400, and nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hearth.communities.models import Cohort
from hearth.communities.tests.test_bad_uploads import png_bytes, xlsx_bomb
from hearth.matching import services
from hearth.matching.models import CommunityPreference, RoundPreference
from hearth.testing import PASSWORD, School

pytestmark = pytest.mark.django_db


def state() -> tuple[int, int]:
    return CommunityPreference.objects.count(), RoundPreference.objects.count()


@pytest.fixture
def director(client: Client, school: School) -> Client:
    client.login(email=school.director.email, password=PASSWORD)
    return client


@pytest.fixture(params=["class", "round"])
def url(request: pytest.FixtureRequest, school: School) -> str:
    if request.param == "class":
        cohort = Cohort.objects.get(program=school.program)
        return reverse("match_preferences", args=[school.program.slug, cohort.pk])
    round_ = services.round_create(
        program=school.program, name="Pairs", starts_on=dt.date(2027, 1, 4)
    )
    return reverse("round_preferences", args=[round_.pk])


def _upload(client: Client, url: str, filename: str, content: bytes) -> str:
    before = state()
    response = client.post(url, {"file": SimpleUploadedFile(filename, content)})
    assert response.status_code == 400
    assert state() == before
    return response.content.decode()


def test_a_png_named_csv_is_refused(director: Client, url: str) -> None:
    assert "“choices.csv” is not UTF-8 text" in _upload(director, url, "choices.csv", png_bytes())


def test_a_text_file_named_xlsx_is_refused(director: Client, url: str) -> None:
    body = _upload(director, url, "choices.xlsx", b"email,first\nx@school.example.edu,A\n")
    assert "could not be read as an Excel workbook" in body


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    director: Client, url: str, settings: object
) -> None:
    settings.HEARTH_MAX_IMPORT_BYTES = 1024  # type: ignore[attr-defined]
    body = _upload(director, url, "choices.csv", b"email,first\n" + b"a@b.example.edu,A\n" * 99)
    assert "the most Hearth accepts is 1.0\xa0KB" in body


def test_an_xlsx_zip_bomb_is_refused(director: Client, url: str) -> None:
    body = _upload(director, url, "choices.xlsx", xlsx_bomb(20))
    assert "looks like a zip bomb" in body
