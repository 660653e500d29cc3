from __future__ import annotations

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
