from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from .services.compacts import MAX_ANSWER, MAX_HELP, MAX_LABEL, MAX_REVIEW_DAYS, MIN_REVIEW_DAYS


class CompactForm(forms.Form):
    """One text box per section of this compact (its own snapshot of the template)."""

    def __init__(self, sections: Sequence[Mapping[str, str]], *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "answer")
        super().__init__(*args, **kwargs)
        for section in sections:
            self.fields[section["key"]] = forms.CharField(
                label=section["label"],
                help_text=section.get("help", ""),
                required=False,
                max_length=MAX_ANSWER,
                widget=forms.Textarea(attrs={"rows": 3}),
            )


class SectionForm(forms.Form):
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(max_length=MAX_LABEL)
    help = forms.CharField(
        required=False, max_length=MAX_HELP, widget=forms.Textarea(attrs={"rows": 2})
    )


SectionFormSet = forms.formset_factory(
    SectionForm, extra=2, can_order=True, can_delete=True, max_num=20
)


class ReviewEveryForm(forms.Form):
    review_every_days = forms.IntegerField(
        label="Review every (days)",
        min_value=MIN_REVIEW_DAYS,
        max_value=MAX_REVIEW_DAYS,
        help_text="365 is once a year. A pause or the end of a relationship also brings the "
        "compact up for review.",
    )
