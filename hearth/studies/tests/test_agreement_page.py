"""The agreement page: the pure module's figures for the chosen coders, sources and unit, the
uncoded share beside each, and where coders differ once reconciliation is open."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hearth.studies import agreement, selectors, services
from hearth.studies.models import CodedSegment
from hearth.studies.tests.world import World, code
from hearth.testing import PASSWORD


@pytest.fixture
def coded(world: World) -> World:
    code(world, world.lead, world.source, "it keeps me going", "Feeling rejuvenated")
    code(world, world.coder, world.source, "it keeps me going", "Feeling rejuvenated")
    code(world, world.lead, world.source, "I feel I belong in the house", "Feeling connected")
    code(world, world.coder, world.source, "I had nothing left for my family", "Harm")
    code(world, world.lead, world.second, "I was floored", "Feeling honored")
    return world


def _client(person) -> Client:  # noqa: ANN001
    client = Client()
    client.login(email=person.email, password=PASSWORD)
    return client


@pytest.mark.parametrize("unit", ["turn", "sentence", "character"])
def test_figures_match_the_pure_module(coded: World, unit: str) -> None:
    sources = list(coded.study.sources.all())
    view = selectors.agreement_view(
        coded.study, coders=selectors.coding_members(coded.study), sources=sources, unit=unit
    )
    codings = [
        agreement.Coding(str(s.coder_id), str(s.source_id), s.start, s.end, str(s.code_id))
        for s in CodedSegment.objects.all()
    ]
    units = selectors._units(unit, sources)
    expected = agreement.agreement_table(
        codings,
        {str(s.pk): len(s.text) for s in sources},
        coders=[str(m.person_id) for m in view.coders],
        units=units,
    )
    assert [r.figures for r in view.rows] == expected
    overall = view.rows[-1].figures
    assert overall.kappa is not None and overall.uncoded_share is not None
    rejuvenated = next(r for r in view.rows if r.code and r.code.name == "Feeling rejuvenated")
    assert rejuvenated.figures.percent == 100.0


def test_turn_units_are_speaker_turns(coded: World) -> None:
    units = selectors._units("turn", [coded.source])
    assert [u.label for u in units] == [
        "Interviewer, turn 1",
        "P01, turn 2",
        "Interviewer, turn 3",
        "P01, turn 4",
    ]


def test_the_page_states_the_unit_and_the_uncoded_share(coded: World) -> None:
    client = _client(coded.coder)
    page = client.get(
        reverse("study_agreement", args=[coded.study.pk]) + "?unit=character"
    ).content.decode()
    assert "character, as NVivo and QualCoder report it" in page
    assert "Uncoded" in page and "Cohen" in page and "Krippendorff" in page
    assert "I had nothing left" not in page  # blind: no segment text before reconciliation
    assert "The study lead opens reconciliation" in page


def test_disagreements_show_once_reconciliation_is_open(coded: World) -> None:
    services.reconciliation_set(study=coded.study, by=coded.lead, open_=True)
    url = reverse("study_agreement", args=[coded.study.pk]) + "?unit=turn&show=disagreements"
    page = _client(coded.coder).get(url).content.decode()
    assert "I had nothing left for my family" in page
    assert "units where some coders applied a code and others did not" in page
    harm = coded.codes["Harm"]
    only_harm = _client(coded.coder).get(url + f"&code={harm.pk}")
    rows = only_harm.context["view"].disagreements
    assert rows and {r.code for r in rows} == {harm}
    assert rows[0].coded_by == [coded.coder.display_name]


def test_fewer_than_two_coders_is_explained(coded: World) -> None:
    url = reverse("study_agreement", args=[coded.study.pk]) + f"?coder={coded.lead.pk}&coder=999"
    page = _client(coded.lead).get(url).content.decode()
    # An unknown coder is ignored, and one coder alone cannot agree with anyone.
    assert "Agreement needs at least two coders" in page and "Overall" not in page
