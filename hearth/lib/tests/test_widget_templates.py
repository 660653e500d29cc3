"""The project's copies of Django's choice-widget templates write each option out instead of
including a template per option; a page must not see the difference."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting, get_default_renderer

GROUPED = [("Osler House", [(1, "Blue <group>"), (2, "Green & co")]), ("Other", [(3, "Red")])]
FLAT = [("", "Choose one"), *((n, f"Group {n} “quoted”") for n in range(12))]


class EveryChoiceWidget(forms.Form):
    select = forms.ChoiceField(choices=FLAT, initial=7)
    grouped_select = forms.ChoiceField(choices=GROUPED, required=False)
    several = forms.MultipleChoiceField(choices=FLAT[1:], initial=["2", "5"])
    radio = forms.ChoiceField(choices=FLAT[1:], widget=forms.RadioSelect, initial=3)
    grouped_radio = forms.ChoiceField(choices=GROUPED, widget=forms.RadioSelect)
    checkboxes = forms.MultipleChoiceField(
        choices=FLAT[1:], widget=forms.CheckboxSelectMultiple, required=False, initial=["1"]
    )


def _rendered(form: forms.Form) -> dict[str, str]:
    return {name: str(form[name]) for name in form.fields}


def test_the_project_renders_widgets_through_its_own_templates() -> None:
    assert isinstance(get_default_renderer(), TemplatesSetting)


def test_choice_widgets_render_exactly_as_djangos_own_templates_do() -> None:
    for data in (None, {"select": "99", "radio": "2", "several": ["4"]}):
        ours, djangos = EveryChoiceWidget(data), EveryChoiceWidget(data, renderer=DjangoTemplates())
        if data:
            assert not ours.is_valid() and not djangos.is_valid()
        assert _rendered(ours) == _rendered(djangos)
    assert 'value="7" selected' in str(EveryChoiceWidget()["select"])
    assert "Blue &lt;group&gt;" in str(EveryChoiceWidget()["grouped_radio"])
