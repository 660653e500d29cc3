from __future__ import annotations

from typing import Any

from django import forms

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
