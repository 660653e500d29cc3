from __future__ import annotations

from django import forms
from django.utils import timezone

from hearth.people.models import Person

from .models import MentorGroup


class RolloverForm(forms.Form):
    on = forms.DateField(
        label="Last day of the academic year",
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )


class ChangeRequestForm(forms.Form):
    reason = forms.CharField(
        label="Anything your community director should know (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only your community and program directors read this. Your mentor is not told.",
    )


class ChangeRequestDecisionForm(forms.Form):
    move_to = forms.ModelChoiceField(
        label="Move the learner to",
        queryset=MentorGroup.objects.none(),
        required=False,
        empty_label="— Decline: keep the learner in their group —",
    )
    note = forms.CharField(
        label="Note to the learner", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, groups: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["move_to"].queryset = groups  # type: ignore[attr-defined]


class ExclusionForm(forms.Form):
    assessor = forms.EmailField(label="Assessor's email")
    learner = forms.EmailField(label="Learner's email")
    reason = forms.CharField(label="Reason", max_length=200, initial="Research mentor")

    def clean_assessor(self) -> Person:
        return self._person(self.cleaned_data["assessor"])

    def clean_learner(self) -> Person:
        return self._person(self.cleaned_data["learner"])

    def _person(self, email: str) -> Person:
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError(f"Nobody in Hearth has the email {email}.")
        return person


class RelationshipEndForm(forms.Form):
    how = forms.ChoiceField(
        label="How is it ending?",
        choices=[
            ("completed", "Completed: we reached what we set out to do"),
            ("ended_early", "Ended early"),
        ],
        widget=forms.RadioSelect,
    )
    reflection = forms.CharField(
        label="Your closing reflection", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label="Why is it ending early?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        label="Your closing reflection", widget=forms.Textarea(attrs={"rows": 3})
    )
