from __future__ import annotations

from typing import Any

from django import forms

from hearth.communities.models import AttributeDefinition, Cohort, Program, RelationshipKind
from hearth.communities.roster import SpreadsheetField
from hearth.people.models import Person

from .engine import ordinal
from .models import ConflictKind, PairKind, Policy, Side
from .options import MAX_WEIGHT

WEIGHT_HELP = "0 ignores it; higher matters more (up to 100)."


def _weight(
    label: str, initial: float, help_text: str = WEIGHT_HELP, required: bool = True
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        initial=initial,
        required=required,
        min_value=0,
        max_value=MAX_WEIGHT,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.5", "class": "weight"}),
    )


class StartPlacementForm(forms.Form):
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.none(), label="Entering class")
    preference_weight = _weight("Honour learners' community choices", 1)
    even_size_weight = _weight("Keep communities' sizes even", 0.5)
    starts_on = forms.DateField(
        label="Places begin on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for the first day of the class (or today, if that has passed).",
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["cohort"].queryset = Cohort.objects.filter(program=program)  # type: ignore[attr-defined]
        self.balance_fields: list[tuple[str, AttributeDefinition, str]] = []
        for definition in AttributeDefinition.objects.filter(program=program).order_by("label"):
            for index, value in enumerate(definition.choices or []):
                name = f"balance_{definition.pk}_{index}"
                self.fields[name] = _weight(
                    f"{definition.label}: {value}", 0, help_text="", required=False
                )
                self.balance_fields.append((name, definition, str(value)))

    def balance_rows(self) -> list[forms.BoundField]:
        return [self[name] for name, _, _ in self.balance_fields]

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "preference_weight": float(data["preference_weight"]),
            "even_size_weight": float(data["even_size_weight"]),
            "balance": [
                {
                    "attribute": definition.key,
                    "value": value,
                    "label": f"{definition.label.lower()}: {value}",
                    "weight": float(data[name]),
                }
                for name, definition, value in self.balance_fields
                if data.get(name)
            ],
        }


class OverrideForm(forms.Form):
    placement = forms.TypedChoiceField(label="Learner", coerce=int)
    group = forms.TypedChoiceField(label="Move to", coerce=int)

    def __init__(
        self,
        *args: Any,
        learners: list[tuple[int, str]],
        groups: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["placement"].choices = [("", "Choose a learner"), *learners]  # type: ignore[attr-defined]
        self.fields["group"].choices = [("", "Choose a group"), *groups]  # type: ignore[attr-defined]


NO_MENTOR = "none"


class PairOverrideForm(forms.Form):
    mentee = forms.ChoiceField(label="Mentee")
    mentor = forms.ChoiceField(label="Pair with")

    def __init__(
        self,
        *args: Any,
        mentees: list[tuple[str, str]],
        mentors: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentee"].choices = [("", "Choose a mentee"), *mentees]  # type: ignore[attr-defined]
        self.fields["mentor"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a mentor"),
            *mentors,
            (NO_MENTOR, "No mentor in this round"),
        ]


class RankingForm(forms.Form):
    """Ranked choices as a few selects, "1st choice" first: each option at most once, in
    order without gaps. Accessible without scripts; HTMX only saves without a reload."""

    def __init__(
        self,
        *args: Any,
        options: list[tuple[int, str]],
        count: int,
        first_required: bool,
        initial_ranking: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.labels = dict(options)
        for place in range(1, count + 1):
            field = forms.TypedChoiceField(
                label=f"{ordinal(place)} choice",
                coerce=int,
                empty_value=None,
                required=first_required and place == 1,
                choices=[("", "No choice" if place > 1 or not first_required else "Choose")]
                + list(options),
            )
            if initial_ranking and place <= len(initial_ranking):
                field.initial = initial_ranking[place - 1]
            self.fields[f"choice_{place}"] = field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picks = [data.get(name) for name in self.fields]
        ranked: list[int] = []
        gap = None
        for place, pick in enumerate(picks, start=1):
            if pick is None:
                gap = gap or place
                continue
            if gap is not None:
                raise forms.ValidationError(
                    f"Fill the choices in order: your {ordinal(gap)} choice is empty but your "
                    f"{ordinal(place)} is not."
                )
            if pick in ranked:
                self.add_error(
                    f"choice_{place}",
                    f"{self.labels.get(pick, 'This')} is already your "
                    f"{ordinal(ranked.index(pick) + 1)} choice.",
                )
            ranked.append(pick)
        self.ranking = ranked
        return data


class PreferenceWindowForm(forms.Form):
    opens_on = forms.DateField(
        label="Open from", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    closes_on = forms.DateField(
        label="Until (the last day learners can change their choices)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RematchForm(forms.Form):
    group = forms.TypedChoiceField(label="Group whose mentor is leaving", coerce=int)

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "Choose a group"), *groups]  # type: ignore[attr-defined]


class PreferencesUploadForm(forms.Form):
    file = SpreadsheetField(
        label="Preferences file (CSV or XLSX)",
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class PersonByEmail(forms.EmailField):
    def clean(self, value: Any) -> Person:  # type: ignore[override]
        email = super().clean(value)
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError(f"Nobody in Hearth has the email {email}.")
        return person


class ConflictForm(forms.Form):
    learner = PersonByEmail(label="Learner's email")
    mentor = PersonByEmail(label="Mentor's email")
    kind = forms.ChoiceField(choices=ConflictKind.choices, label="Kind of conflict")
    note = forms.CharField(max_length=200, required=False, label="Note (directors only)")


class PairRuleForm(forms.Form):
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.none(), label="Entering class")
    a = PersonByEmail(label="First learner's email")
    b = PersonByEmail(label="Second learner's email")
    kind = forms.ChoiceField(choices=PairKind.choices, label="Rule")
    note = forms.CharField(max_length=200, required=False, label="Note (directors only)")

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.filter(program=program)  # type: ignore[attr-defined]


class RoundForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name", help_text="For example “2027 intake”.")
    starts_on = forms.DateField(
        label="Relationships begin on", widget=forms.DateInput(attrs={"type": "date"})
    )
    policy = forms.ChoiceField(choices=Policy.choices, label="Policy")
    relationship_kind = forms.ChoiceField(
        choices=[c for c in RelationshipKind.choices if c[0] != RelationshipKind.LC_MENTOR],
        initial=RelationshipKind.CAREER,
        label="Kind of relationship",
    )


class ParticipantForm(forms.Form):
    person = PersonByEmail(label="Email")
    side = forms.ChoiceField(choices=Side.choices, label="Side")
    capacity = forms.IntegerField(
        min_value=1, max_value=20, initial=1, label="Most mentees (mentors)"
    )
    division = forms.CharField(max_length=150, required=False, label="Division")
    statement = forms.CharField(
        required=False,
        label="What they hope for",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StartMentoringForm(forms.Form):
    policy = forms.ChoiceField(choices=Policy.choices, label="Policy")
    outside_division = forms.BooleanField(
        required=False, label="Mentor from outside the mentee's own division"
    )
    senior_mentor = forms.BooleanField(required=False, label="Mentor senior in rank to the mentee")
    tag_weight = forms.IntegerField(
        min_value=0, max_value=100, initial=50, label="Shared interests"
    )
    text_weight = forms.IntegerField(
        min_value=0, max_value=100, initial=30, label="Similar hopes (free text)"
    )
    preference_weight = forms.IntegerField(
        min_value=0, max_value=100, initial=20, label="Ranked choices of both sides"
    )
