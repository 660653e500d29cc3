from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from hearth.communities.roster import SpreadsheetField
from hearth.lib.time import local_to_utc, zone_named
from hearth.people.models import Person
from hearth.pulse.scoring import load_competency_bank

from .models import MentoringCase, SessionFormat, TrainingSession
from .services.series import SessionFields


class SeriesForm(forms.Form):
    title = forms.CharField(max_length=150, initial="Mentoring the Mentors")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="What the series is"
    )
    self_enrolment = forms.BooleanField(
        required=False,
        initial=True,
        label="Mentors in the program may ask to join (you approve each request)",
    )
    sessions_to_complete = forms.IntegerField(
        required=False,
        min_value=1,
        label="Sessions to attend to complete it",
        help_text="Leave empty to require every session that takes place.",
    )


class SessionForm(forms.Form):
    title = forms.CharField(max_length=150)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label="Length (minutes)", min_value=1, initial=90)
    format = forms.ChoiceField(
        choices=SessionFormat.choices, initial=SessionFormat.VIRTUAL, widget=forms.RadioSelect
    )
    location = forms.CharField(
        label="Place (for in-person and hybrid sessions)", required=False, max_length=200
    )
    video_url = forms.URLField(
        label="Video link",
        assume_scheme="https",
        required=False,
        help_text="Leave empty for a private video room, made when you save.",
    )
    facilitator = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="Not decided yet"
    )
    materials = forms.CharField(
        label="Materials (Markdown)", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    prework = forms.CharField(
        label="Pre-work: what to do before the session (Markdown)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args: Any, time_zone: str, facilitators: QuerySet[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["facilitator"].queryset = facilitators  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, session: TrainingSession, time_zone: str) -> dict[str, Any]:
        local = session.starts_at.astimezone(zone_named(time_zone))
        return {
            "title": session.title,
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": session.duration_minutes,
            "format": session.format,
            "location": session.location,
            "video_url": session.video_url,
            "facilitator": session.facilitator_id,
            "materials": session.materials,
            "prework": session.prework,
        }

    def session_fields(self) -> SessionFields:
        """What was entered, with the start read in the editor's own zone and stored in UTC."""
        data = self.cleaned_data
        return SessionFields(
            title=data["title"],
            starts_at=local_to_utc(data["date"], data["time"], self.time_zone),
            duration_minutes=data["duration_minutes"],
            format=data["format"],
            location=data["location"],
            video_url=data["video_url"],
            facilitator=data["facilitator"],
            materials=data["materials"],
            prework=data["prework"],
        )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email of the mentor to invite")

    def clean_email(self) -> Person:
        email = self.cleaned_data["email"].strip().lower()
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError("No one in Hearth has this email.")
        return person


class ImportForm(forms.Form):
    file = SpreadsheetField(
        label="CSV or Excel file with a column “email”",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ReflectionForm(forms.Form):
    will_try = forms.CharField(
        label="One thing I will try with my mentees",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FollowUpForm(forms.Form):
    tried = forms.TypedChoiceField(
        label="Did you try it?",
        choices=[("yes", "Yes"), ("no", "Not yet")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="How did it go? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CaseResponseForm(forms.Form):
    body = forms.CharField(
        label="Your response", max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class AttachCaseForm(forms.Form):
    case = forms.ModelChoiceField(queryset=MentoringCase.objects.none(), label="Case to discuss")

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]


class CaseForm(forms.Form):
    title = forms.CharField(max_length=150)
    scenario = forms.CharField(
        label="Scenario (Markdown)", widget=forms.Textarea(attrs={"rows": 8})
    )
    questions = forms.CharField(
        label="Questions for discussion, one a line", widget=forms.Textarea(attrs={"rows": 4})
    )
    domains = forms.MultipleChoiceField(
        label="Competency domains", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domains"].choices = [  # type: ignore[attr-defined]
            (theme.key, theme.label) for theme in load_competency_bank().themes
        ]

    def clean_questions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines()]
        return [line for line in lines if line]
