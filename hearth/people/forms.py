from __future__ import annotations

from typing import Any

from django import forms
from PIL import Image

MAX_PHOTO_BYTES = 2 * 1024 * 1024
# Decoding allocates for every pixel, whatever the file's size: a small PNG can claim
# billions. A phone photo has 12 to 48 million.
MAX_PHOTO_PIXELS = 50_000_000
TOO_MANY_PIXELS = "Hearth takes at most 50 million pixels; save a smaller copy and upload that."


class PhotoField(forms.ImageField):
    def to_python(self, data: Any) -> Any:
        try:
            return super().to_python(data)
        except forms.ValidationError as error:
            # Pillow refuses to open a decompression bomb; say so rather than "not an image".
            if isinstance(error.__cause__, Image.DecompressionBombError):
                raise forms.ValidationError(
                    f"The picture has too many pixels to open safely. {TOO_MANY_PIXELS}"
                ) from error
            raise


class PhotoForm(forms.Form):
    photo = PhotoField(help_text="A square picture of your face works best (up to 2 MB).")

    def clean_photo(self) -> Any:
        photo = self.cleaned_data["photo"]
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError("The photo is larger than 2 MB.")
        width, height = photo.image.size
        if width * height > MAX_PHOTO_PIXELS:
            raise forms.ValidationError(
                f"The picture is {width} × {height} pixels. {TOO_MANY_PIXELS}"
            )
        return photo
