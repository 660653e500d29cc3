from __future__ import annotations

from django import forms

from hearth.communities.models import Program


class AvailabilityForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), empty_label=None)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    window_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=1, max_value=12 * 60, initial=60
    )
    weeks = forms.IntegerField(
        label="Repeat weekly for (weeks)",
        min_value=1,
        max_value=52,
        initial=1,
        help_text="1 means just this once.",
    )

    def __init__(self, *args: object, programs: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
