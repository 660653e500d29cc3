from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from hearth.communities.models import Program
from hearth.pulse.models import PulseWave

from .importers import MAX_BYTES
from .models import AttributeDefinition, Code, FrameworkCategory, Participant, StudyRole


class StudyForm(forms.Form):
    title = forms.CharField(max_length=200)
    research_question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    guide = forms.CharField(
        label="Interview guide",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One question a line.",
    )
    approved_protocol = forms.BooleanField(
        required=False,
        label="An ethics board approved the protocol",
        help_text="Lets the team export the de-identified, item-level dataset.",
    )
    protocol_reference = forms.CharField(max_length=80, required=False, label="Approval number")
    keep_originals = forms.BooleanField(
        required=False,
        label="Keep each transcript's original text after de-identification",
        help_text="Only if the protocol allows it; otherwise the original is discarded.",
    )

    def guide_lines(self) -> list[str]:
        return [line for line in self.cleaned_data["guide"].splitlines() if line.strip()]


class StudyNewForm(StudyForm):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), empty_label=None)
    starter_codebook = forms.TypedChoiceField(
        label="Codebook",
        choices=[
            ("1", "Start from the faculty-experience themes, with Rosso's pathways as framework"),
            ("0", "Start empty"),
        ],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )

    field_order = ["program", "title", "research_question", "guide", "starter_codebook"]

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    email = forms.EmailField(label="Colleague's email")
    role = forms.ChoiceField(choices=StudyRole.choices, initial=StudyRole.CODER)


class AttributeForm(forms.Form):
    label = forms.CharField(max_length=80, label="New attribute")
    choices = forms.CharField(
        required=False,
        label="Its answers",
        help_text="Comma-separated; leave empty for free text.",
    )

    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["choices"].split(",") if c.strip()]


def _attribute_fields(form: forms.Form, attributes: list[AttributeDefinition]) -> None:
    for a in attributes:
        if a.choices:
            form.fields[f"attr_{a.key}"] = forms.ChoiceField(
                label=a.label,
                required=False,
                choices=[("", "Not recorded")] + [(c, c) for c in a.choices],
            )
        else:
            form.fields[f"attr_{a.key}"] = forms.CharField(
                label=a.label, required=False, max_length=120
            )


def attribute_values(form: forms.Form, attributes: list[AttributeDefinition]) -> dict[str, str]:
    return {a.key: form.cleaned_data.get(f"attr_{a.key}", "") for a in attributes}


class ParticipantForm(forms.Form):
    pseudonym = forms.CharField(max_length=40, help_text="How the participant appears: P07.")
    email = forms.EmailField(
        required=False,
        label="Hearth account (email)",
        help_text="Optional: links a Hearth person, so their name is found in transcripts.",
    )
    external_id = forms.CharField(max_length=64, required=False, label="External ID")
    aliases = forms.CharField(
        max_length=300,
        required=False,
        label="Names used in transcripts",
        help_text="Comma-separated; used only to find and replace them.",
    )
    consent_given_on = forms.DateField(
        required=False,
        label="Consent given on",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    consent_note = forms.CharField(max_length=200, required=False, label="Consent form or note")

    def __init__(self, *args: Any, attributes: list[AttributeDefinition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _attribute_fields(self, attributes)


class ValuesForm(forms.Form):
    def __init__(self, *args: Any, attributes: list[AttributeDefinition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _attribute_fields(self, attributes)


class ConsentForm(forms.Form):
    given_on = forms.DateField(
        initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(max_length=200, required=False, label="Consent form or note")


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Transcript file",
        help_text="Plain text, Word (.docx), PDF, WebVTT (.vtt) or SRT; "
        f"at most {MAX_BYTES // 1024 // 1024} MB.",
    )


class ImportConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(max_length=200)
    participant = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        required=False,
        label="Participant interviewed",
        empty_label="A group, or no one in particular",
    )

    def __init__(self, *args: Any, participants: Any, speakers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants  # type: ignore[attr-defined]
        self.speakers = speakers
        for i, speaker in enumerate(speakers):
            self.fields[f"speaker_{i}"] = forms.ModelChoiceField(
                queryset=participants,
                required=False,
                label=f"“{speaker}” is",
                empty_label="Not a participant (interviewer, facilitator)",
            )

    def speaker_map(self) -> dict[str, Participant | None]:
        return {s: self.cleaned_data.get(f"speaker_{i}") for i, s in enumerate(self.speakers)}

    def speaker_fields(self) -> list[forms.BoundField]:
        return [self[f"speaker_{i}"] for i in range(len(self.speakers))]


class PulseForm(forms.Form):
    wave = forms.ModelChoiceField(
        queryset=PulseWave.objects.none(), label="Check-in", empty_label=None
    )

    def __init__(self, *args: Any, waves: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = waves  # type: ignore[attr-defined]


class CodeForm(forms.Form):
    name = forms.CharField(max_length=120)
    parent = forms.ModelChoiceField(
        queryset=Code.objects.none(),
        required=False,
        empty_label="— top level —",
        label="Under",
    )
    definition = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    use_when = forms.CharField(
        required=False, label="Use when", widget=forms.Textarea(attrs={"rows": 2})
    )
    not_when = forms.CharField(
        required=False, label="Do not use when", widget=forms.Textarea(attrs={"rows": 2})
    )
    example = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    colour = forms.CharField(
        required=False, max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )

    def __init__(self, *args: Any, codes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = codes  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    parent = forms.ModelChoiceField(
        queryset=Code.objects.none(),
        required=False,
        empty_label="— top level —",
        label="Move under",
    )

    def __init__(self, *args: Any, codes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = codes  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    others = forms.ModelMultipleChoiceField(
        queryset=Code.objects.none(),
        label="Merge these codes into this one",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, codes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["others"].queryset = codes  # type: ignore[attr-defined]


class SplitForm(forms.Form):
    names = forms.CharField(
        label="New codes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One name a line; at least two.",
    )
    takes = forms.IntegerField(
        min_value=1,
        initial=1,
        label="Which new code (by its line number) takes the existing codings",
    )

    def name_list(self) -> list[str]:
        return [n for n in self.cleaned_data["names"].splitlines() if n.strip()]


class CodebookImportForm(forms.Form):
    file = forms.FileField(
        label="Codebook CSV",
        help_text="Columns: name, parent, definition, use_when, not_when, example, colour.",
    )


class ThemeForm(forms.Form):
    name = forms.CharField(max_length=200)
    definition = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    codes = forms.ModelMultipleChoiceField(
        queryset=Code.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=FrameworkCategory.objects.none(),
        required=False,
        label="Framework categories it speaks to",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, codes: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].queryset = codes  # type: ignore[attr-defined]
        self.fields["categories"].queryset = categories  # type: ignore[attr-defined]


def active_codes(codebook: Any) -> Any:
    return Code.objects.filter(codebook=codebook, retired_at__isnull=True).order_by(
        "position", "name"
    )


def framework_of(study: Any) -> Any:
    return FrameworkCategory.objects.filter(study=study)
