from __future__ import annotations

import datetime as dt

from django import forms

from hearth.lib.time import local_to_utc

from .models import AgendaTemplate, GoalStatus, MeetingKind, NoteVisibility


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Mentoring conversation")
    kind = forms.ChoiceField(choices=MeetingKind.choices, initial=MeetingKind.ONE_ON_ONE)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label="Length (minutes)", min_value=5, initial=30)
    location = forms.CharField(label="Place", required=False, max_length=200)
    video_url = forms.URLField(
        label="Video link (Zoom, Teams...)",
        assume_scheme="https",
        required=False,
        help_text="Leave empty to get a private video room when your program has one.",
    )
    open_conversation = forms.BooleanField(
        label="Open conversation: no agenda at all", required=False
    )
    template = forms.ModelChoiceField(
        label="Agenda",
        queryset=AgendaTemplate.objects.none(),
        required=False,
        empty_label="No template",
    )

    def __init__(self, *args: object, templates: object, time_zone: str, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]
        self.time_zone = time_zone

    def starts_at(self) -> dt.datetime:
        """The start in UTC, read in the organiser's own time zone."""
        return local_to_utc(self.cleaned_data["date"], self.cleaned_data["time"], self.time_zone)


class AgendaItemForm(forms.Form):
    text = forms.CharField(label="Add a topic", max_length=300)


class NoteForm(forms.Form):
    body = forms.CharField(label="Note (Markdown)", widget=forms.Textarea(attrs={"rows": 5}))
    visibility = forms.ChoiceField(
        choices=NoteVisibility.choices,
        initial=NoteVisibility.SHARED,
        widget=forms.RadioSelect,
    )
    note_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ActionItemForm(forms.Form):
    text = forms.CharField(label="Action item", max_length=300)
    owner = forms.ChoiceField(label="Who")
    due_date = forms.DateField(
        label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, participants: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].choices = [(p.pk, p.display_name) for p in participants]  # type: ignore[attr-defined]


class GoalForm(forms.Form):
    title = forms.CharField(label="Goal", max_length=200)
    why = forms.CharField(
        label="Why it matters", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    milestones = forms.CharField(
        label="Milestones (one per line)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(choices=GoalStatus.choices)


class RescheduleForm(forms.Form):
    date = forms.DateField(label="New date", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="New start time", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label="Length (minutes)", min_value=5, initial=30)

    def starts_at(self, time_zone: str) -> dt.datetime:
        return local_to_utc(self.cleaned_data["date"], self.cleaned_data["time"], time_zone)
