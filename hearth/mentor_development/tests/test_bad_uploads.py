"""Bad files at a training series' enrolment import, through the real page: one clear
message, a 400, and no one enrolled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.communities.tests.test_bad_uploads import png_bytes, xlsx_bomb
from hearth.mentor_development.models import Enrolment, TrainingSeries
from hearth.mentor_development.tests.series_world import make_series
from hearth.testing import PASSWORD, School

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(school: School) -> TrainingSeries:
    return make_series(school, first=timezone.now() + dt.timedelta(days=7))


@pytest.fixture
def director(client: Client, school: School) -> Client:
    client.login(email=school.director.email, password=PASSWORD)
    return client


def _upload(client: Client, series: TrainingSeries, filename: str, content: bytes) -> str:
    before = Enrolment.objects.count()
    response = client.post(
        reverse("training_import", args=[series.pk]),
        {"file": SimpleUploadedFile(filename, content)},
    )
    assert response.status_code == 400
    assert Enrolment.objects.count() == before
    return response.content.decode()


def test_a_png_named_csv_is_refused(director: Client, series: TrainingSeries) -> None:
    assert "is not UTF-8 text" in _upload(director, series, "trainees.csv", png_bytes())


def test_a_text_file_named_xlsx_is_refused(director: Client, series: TrainingSeries) -> None:
    body = _upload(director, series, "trainees.xlsx", b"email\nmira@school.example.edu\n")
    assert "could not be read as an Excel workbook" in body


def test_a_file_over_the_limit_is_refused(
    director: Client, series: TrainingSeries, settings: object
) -> None:
    settings.HEARTH_MAX_IMPORT_BYTES = 1024  # type: ignore[attr-defined]
    body = _upload(director, series, "trainees.csv", b"email\n" + b"a@b.example.edu\n" * 100)
    assert "the most Hearth accepts is 1.0\xa0KB" in body


def test_an_xlsx_zip_bomb_is_refused(director: Client, series: TrainingSeries) -> None:
    assert "looks like a zip bomb" in _upload(director, series, "trainees.xlsx", xlsx_bomb(20))
