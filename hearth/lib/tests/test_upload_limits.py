"""Bodies larger than a page takes are refused by their announced length, unread."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from hearth.communities.tests.test_bad_uploads import png_bytes
from hearth.lib.uploads import UploadLimitMiddleware, upload_limit
from hearth.people.forms import MAX_PHOTO_BYTES
from hearth.people.models import Person
from hearth.studies.transcripts import MAX_AUDIO_BYTES
from hearth.testing import PASSWORD, School

MB = 1024 * 1024


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        raise AssertionError("the body was read")


def _refusal(path: str, length: int) -> tuple[int, str]:
    request = RequestFactory().generic("POST", path, content_type="multipart/form-data; boundary=x")
    request.META["CONTENT_LENGTH"] = str(length)
    request.META["wsgi.input"] = Unreadable()
    view = resolve(path).func
    response = UploadLimitMiddleware(lambda r: None).process_view(request, view, (), {})  # type: ignore[arg-type,return-value]
    if response is None:
        return 0, ""
    return response.status_code, response.content.decode()


def test_each_upload_page_declares_its_limit_through_its_decorators() -> None:
    assert upload_limit(resolve(reverse("photo_edit")).func) == MAX_PHOTO_BYTES
    assert upload_limit(resolve(reverse("recording_upload", args=[1])).func) == MAX_AUDIO_BYTES
    roster = resolve(reverse("roster_import", args=["any"])).func
    assert upload_limit(roster) == settings.HEARTH_MAX_IMPORT_BYTES
    assert upload_limit(resolve(reverse("home")).func) == 0


def test_a_body_past_the_limit_and_a_forms_fields_is_refused_unread() -> None:
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    photo = reverse("photo_edit")
    assert _refusal(photo, MAX_PHOTO_BYTES + fields) == (0, "")
    status, body = _refusal(photo, MAX_PHOTO_BYTES + fields + 1)
    assert status == 413
    assert "This page takes files of at most 2 MB" in body and "Nothing was saved." in body
    status, body = _refusal(reverse("recording_upload", args=[1]), 10 * 1024 * MB)
    assert status == 413 and "at most 500 MB" in body
    status, body = _refusal(reverse("home"), fields + 1)
    assert status == 413 and "This page takes no files" in body
    status, body = _refusal("/api/people", fields + 1)
    assert status == 413 and json.loads(body)["detail"].startswith("This page takes no files")


@pytest.mark.django_db
def test_through_the_real_page_a_huge_photo_gets_the_refusal_and_changes_nothing(
    client: Client, school: School
) -> None:
    client.login(email=school.learner_a1.email, password=PASSWORD)
    huge = png_bytes() + b"\0" * (MAX_PHOTO_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    response = client.post(
        reverse("photo_edit"),
        {"photo": SimpleUploadedFile("me.png", huge)},
        headers={"referer": "http://testserver" + reverse("photo_edit")},
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "File too large" in body and f'href="http://testserver{reverse("photo_edit")}"' in body
    assert not Person.objects.exclude(photo="").exists()
    # Just over the limit still reaches the form, which says so in its own words.
    response = client.post(
        reverse("photo_edit"),
        {"photo": SimpleUploadedFile("me.png", png_bytes() + b"\0" * MAX_PHOTO_BYTES)},
    )
    assert response.status_code == 400
    assert "The photo is larger than 2 MB." in response.content.decode()
