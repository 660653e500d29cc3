from __future__ import annotations

from decimal import Decimal

from django import forms

from hearth.people.models import Person


class NoteForm(forms.Form):
    mentor = forms.ModelChoiceField(queryset=Person.objects.none(), empty_label=None)
    body = forms.CharField(
        label="Your note", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    anonymous = forms.BooleanField(label="Do not show my name to my mentor", required=False)
    may_quote = forms.BooleanField(
        label="My mentor may quote this note in a promotion portfolio", required=False
    )


class AcknowledgmentForm(forms.Form):
    mentor = forms.ModelChoiceField(queryset=Person.objects.none(), label="Mentor")
    body = forms.CharField(
        label="Your acknowledgment",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="The mentor is emailed and keeps it; it can appear in their portfolio.",
    )


class CreditRuleForm(forms.Form):
    label = forms.CharField(
        max_length=60,
        initial="teaching credits",
        help_text="What your school calls the unit, for example “teaching credits”.",
    )
    credits_per_relationship = forms.DecimalField(
        label="Credits per mentoring relationship",
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
    )
    min_hours_per_year = forms.DecimalField(
        label="Hours of meetings a relationship needs in an academic year",
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=1,
        help_text="Academic years run from July to June.",
    )
    max_credits_per_year = forms.DecimalField(
        label="Most credits a mentor earns in an academic year",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=7,
        decimal_places=2,
        help_text="Leave empty for no limit.",
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Verification code",
        max_length=40,
        help_text="In the footer of every page, for example 7K3QM-0ZC4T-8HW2N-5RBXA.",
    )


class UploadForm(forms.Form):
    pdf = forms.FileField(label="The portfolio PDF", help_text="Up to 10 MB.")
