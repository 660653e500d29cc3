from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from hearth.communities.models import Program
from hearth.lib.time import local_to_utc

from .availability import Window
from .models import Audience, CircleCadence, Weekday


class CircleForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), empty_label=None)
    name = forms.CharField(max_length=120, initial="Coffee across houses")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="What is it for?"
    )
    audience = forms.ChoiceField(label="Who may join", choices=Audience.choices)
    senior_from_year = forms.IntegerField(
        label="Senior learners are in year", min_value=1, max_value=8, initial=3
    )
    cadence = forms.ChoiceField(choices=CircleCadence.choices, initial=CircleCadence.FORTNIGHTLY)
    group_size = forms.TypedChoiceField(
        label="Meet in",
        coerce=int,
        choices=[(2, "Pairs"), (3, "Groups of 3"), (4, "Groups of 4")],
        initial=2,
    )
    first_round_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    first_round_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(9, 0)
    )
    mix_communities = forms.BooleanField(
        label="Prefer people from different communities", required=False, initial=True
    )
    mix_departments = forms.BooleanField(
        label="Prefer people from different departments", required=False
    )
    mix_ranks = forms.BooleanField(label="Prefer people of different ranks", required=False)
    never_same_community = forms.BooleanField(
        label="Never two people of the same community", required=False
    )
    mentor_learner_cross_community_only = forms.BooleanField(
        label="Faculty meet learners of other communities only", required=False, initial=True
    )

    def __init__(
        self, *args: Any, programs: QuerySet[Program], may_choose_audience: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        if not may_choose_audience:
            # A member's own circle is open to everyone in the program.
            del self.fields["audience"]
            del self.fields["senior_from_year"]
        self.fields["first_round_date"].initial = timezone.localdate() + dt.timedelta(days=7)

    def first_round_at(self, time_zone: str) -> dt.datetime:
        data = self.cleaned_data
        return local_to_utc(data["first_round_date"], data["first_round_time"], time_zone)


class PauseForm(forms.Form):
    until = forms.DateField(
        label="Back on", widget=forms.DateInput(attrs={"type": "date"}), required=True
    )


class WindowForm(forms.Form):
    weekday = forms.TypedChoiceField(
        coerce=int, choices=[("", "—"), *Weekday.choices], required=False
    )
    start = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), required=False)
    end = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [data.get(k) not in (None, "") for k in ("weekday", "start", "end")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(
                "Give the day, the start and the end, or leave all three empty."
            )
        if all(filled) and data["end"] <= data["start"]:
            raise forms.ValidationError("The window must end after it starts.")
        return data

    def window(self) -> Window | None:
        data = self.cleaned_data
        if data.get("weekday") in (None, ""):
            return None
        return (data["weekday"], data["start"], data["end"])


WindowFormSet = forms.formset_factory(WindowForm, extra=3, max_num=14)


class DropInForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), empty_label=None)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.TypedChoiceField(
        label="For",
        coerce=int,
        choices=[(30, "30 minutes"), (60, "1 hour"), (90, "90 minutes"), (120, "2 hours")],
        initial=60,
    )
    topic = forms.CharField(
        required=False,
        max_length=160,
        help_text="Optional: “Residency applications”, “Just say hello”…",
    )

    def __init__(self, *args: Any, programs: QuerySet[Program], time_zone: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        now = timezone.now().astimezone(zoneinfo.ZoneInfo(time_zone))
        self.fields["date"].initial = now.date()
        self.fields["time"].initial = now.time().replace(second=0, microsecond=0)
        self.time_zone = time_zone

    def window(self) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        starts = local_to_utc(data["date"], data["time"], self.time_zone)
        return starts, starts + dt.timedelta(minutes=data["minutes"])
