from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from hearth.lib.time import local_to_utc
from hearth.people.models import Person

from .services.practice import MAX_QUESTION, MAX_QUESTIONS


class CircleForm(forms.Form):
    name = forms.CharField(label="Name of the circle", max_length=120)
    members = forms.ModelMultipleChoiceField(
        label="Members (the facilitator rota follows this order)",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, trainees: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trainees = trainees
        field = self.fields["members"]
        field.queryset = Person.objects.filter(pk__in=[p.pk for p in trainees])  # type: ignore[attr-defined]

    def ordered_members(self) -> list[Person]:
        chosen = {p.pk for p in self.cleaned_data["members"]}
        return [p for p in self.trainees if p.pk in chosen]


class CircleMeetingForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=10, max_value=240, initial=60
    )
    video_url = forms.URLField(
        label="Video link",
        assume_scheme="https",
        required=False,
        help_text="Leave empty to get a private video room when your program has one.",
    )
    location = forms.CharField(label="Place", required=False, max_length=200)

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone

    def starts_at(self) -> dt.datetime:
        """The start in UTC, read in the organiser's own time zone."""
        return local_to_utc(self.cleaned_data["date"], self.cleaned_data["time"], self.time_zone)


class QuestionsForm(forms.Form):
    questions = forms.CharField(
        label="Suggested questions, one a line",
        required=False,
        max_length=MAX_QUESTIONS * (MAX_QUESTION + 2),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def lines(self) -> list[str]:
        return self.cleaned_data["questions"].splitlines()
