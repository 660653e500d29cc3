from __future__ import annotations

from typing import Any

from django import forms

from .models import HarmRuleSettings
from .scoring import ItemBank


class ItemsForm(forms.Form):
    """One radio group per item of a bank, every one required."""

    def __init__(self, *args: Any, bank: ItemBank, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bank = bank
        choices = [
            (value, label)
            for value, label in zip(
                range(bank.scale_min, bank.scale_max + 1), bank.labels, strict=True
            )
        ]
        for item in bank.items:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.text,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose an answer for this statement."},
            )

    def answers(self) -> dict[str, int]:
        return {item.key: self.cleaned_data[item.key] for item in self.bank.items}

    def item_fields(self) -> list[Any]:
        return [self[item.key] for item in self.bank.items]


class CheckInForm(ItemsForm):
    """The mentor's check-in: the items, then the optional free text."""

    free_text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    free_text_to_studies = forms.BooleanField(
        required=False,
        label="Evaluators of this program may study what I wrote (without my name).",
    )

    def __init__(self, *args: Any, bank: ItemBank, **kwargs: Any) -> None:
        super().__init__(*args, bank=bank, **kwargs)
        self.fields["free_text"].label = bank.free_text
        self.order_fields([item.key for item in bank.items] + ["free_text", "free_text_to_studies"])


class WaveForm(forms.Form):
    label = forms.CharField(max_length=80, help_text="For example “Spring term 2027”.")
    opens_on = forms.DateField(label="Opens on", widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label="Closes on", widget=forms.DateInput(attrs={"type": "date"}))


class HarmRulesForm(forms.ModelForm):
    class Meta:
        model = HarmRuleSettings
        fields = [
            "load_ratio",
            "harm_rise",
            "harm_level",
            "overdue_share",
            "flag_without_co_mentor",
        ]
        labels = {
            "load_ratio": "Load: times the median mentor's number of learners",
            "harm_rise": "Harm trend: rise of the “harmed” score since the last check-in",
            "harm_level": "Harm level: a “harmed” score at or above",
            "overdue_share": "Overdue: share of a mentor's mentees overdue for a meeting",
            "flag_without_co_mentor": "Suggest a co-mentor to a heavily loaded mentor who has none",
        }
        widgets = {
            "load_ratio": forms.NumberInput(attrs={"step": "0.1", "min": "1"}),
            "harm_rise": forms.NumberInput(attrs={"step": "0.1", "min": "0.1", "max": "4"}),
            "harm_level": forms.NumberInput(attrs={"step": "0.1", "min": "1", "max": "5"}),
            "overdue_share": forms.NumberInput(attrs={"step": "0.05", "min": "0.05", "max": "1"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        limits = {
            "load_ratio": (1.0, 10.0),
            "harm_rise": (0.1, 4.0),
            "harm_level": (1.0, 5.0),
            "overdue_share": (0.05, 1.0),
        }
        for name, (low, high) in limits.items():
            value = data.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(name, f"Choose a value from {low:g} to {high:g}.")
        return data
