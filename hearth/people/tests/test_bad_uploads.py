"""Bad files as a profile photo, through the real page: a clear message, a 400, and the
photo unchanged."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hearth.communities.tests.test_bad_uploads import png_bytes
from hearth.people.models import Person
from hearth.testing import PASSWORD, School

pytestmark = pytest.mark.django_db


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims `width` x `height` one-bit pixels: Pillow
    would allocate for all of them when it decodes."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + _chunk(b"IEND", b"")
    )


@pytest.fixture
def person(client: Client, school: School) -> Person:
    client.login(email=school.learner_a1.email, password=PASSWORD)
    return school.learner_a1


def _upload(client: Client, person: Person, filename: str, content: bytes) -> str:
    response = client.post(reverse("photo_edit"), {"photo": SimpleUploadedFile(filename, content)})
    assert response.status_code == 400
    person.refresh_from_db()
    assert not person.photo
    assert not Person.objects.exclude(photo="").exists()
    return response.content.decode()


def test_a_text_file_named_jpg_is_refused(client: Client, person: Person) -> None:
    body = _upload(client, person, "me.jpg", b"not a picture at all\n" * 20)
    assert "Upload a valid image" in body


def test_a_photo_over_two_megabytes_is_refused(client: Client, person: Person) -> None:
    # A real PNG followed by padding: the size, not the content, is what is refused.
    body = _upload(client, person, "me.png", png_bytes() + b"\0" * (2 * 1024 * 1024))
    assert "The photo is larger than 2 MB." in body


def test_a_decompression_bomb_is_refused_by_its_pixel_count(client: Client, person: Person) -> None:
    # 400 million pixels: past Pillow's own bomb limit, where Image.open raises.
    bomb = png_claiming(20_000, 20_000)
    assert len(bomb) < 2048
    body = _upload(client, person, "me.png", bomb)
    assert "The picture has too many pixels to open safely." in body
    assert "Hearth takes at most 50 million pixels" in body


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_picture_below_pillows_limit_but_too_big_to_resize_is_refused(
    client: Client, person: Person
) -> None:
    # 144 million pixels: Pillow only warns, and would then decode all of them.
    body = _upload(client, person, "me.png", png_claiming(12_000, 12_000))
    assert "The picture is 12000 × 12000 pixels. Hearth takes at most 50 million" in body


def test_a_picture_whose_pixels_are_cut_short_is_refused(client: Client, person: Person) -> None:
    # The header passes Pillow's checks; decoding then runs out of data (this was a 500).
    body = _upload(client, person, "me.png", png_claiming(400, 400))
    assert "The picture could not be read: the file is damaged." in body
