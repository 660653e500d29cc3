from __future__ import annotations

from typing import Any

from django import forms

MAX_PHOTO_BYTES = 2 * 1024 * 1024


class PhotoForm(forms.Form):
    photo = forms.ImageField(help_text="A square picture of your face works best (up to 2 MB).")

    def clean_photo(self) -> Any:
        photo = self.cleaned_data["photo"]
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError("The photo is larger than 2 MB.")
        return photo
