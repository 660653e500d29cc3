"""Writes about a person's own profile."""

from __future__ import annotations

import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps

from .models import Person

PHOTO_SIDE = 400


def person_photo_set(*, person: Person, upload: UploadedFile) -> None:
    """Keep a small square JPEG: no camera metadata (location!) survives the re-encoding.
    Raises ValidationError when the picture cannot be decoded."""
    try:
        with Image.open(upload) as image:
            square = ImageOps.fit(
                ImageOps.exif_transpose(image).convert("RGB"), (PHOTO_SIDE, PHOTO_SIDE)
            )
    # A header can pass Pillow's check while the pixels after it are cut short or corrupt.
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError("The picture could not be read: the file is damaged.") from error
    buffer = io.BytesIO()
    square.save(buffer, "JPEG", quality=85)
    old = person.photo.name if person.photo else ""
    # An unguessable name: the file is private even if the media folder were ever exposed.
    person.photo.save(f"{secrets.token_hex(12)}.jpg", ContentFile(buffer.getvalue()), save=True)
    if old:
        person.photo.storage.delete(old)
