from __future__ import annotations

from typing import Any

from django import forms

from .selectors.library import competency_domains
from .services.library import MAX_BODY, MAX_SUMMARY, MAX_TITLE


def _domain_choices() -> list[tuple[str, str]]:
    return list(competency_domains().items())


class GuideSearchForm(forms.Form):
    q = forms.CharField(label="Search the guides", required=False, max_length=200)
    domain = forms.ChoiceField(label="Competency domain", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", "Any domain"), *_domain_choices()]  # type: ignore[attr-defined]


class GuideForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE)
    summary = forms.CharField(
        max_length=MAX_SUMMARY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences shown in the list.",
    )
    body = forms.CharField(
        label="The guide (Markdown)",
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text="### for a heading, - for a list item, **bold**, *italic*. "
        "Aim for 300 to 700 words.",
    )
    domains = forms.MultipleChoiceField(
        label="Competency domains",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domains"].choices = _domain_choices()  # type: ignore[attr-defined]


class GuideEditForm(GuideForm):
    reviewed = forms.BooleanField(
        label="I reviewed this guide today: it is still accurate", required=False
    )
