"""Coding: offsets into the plain text, blind coding until reconciliation, retrieval."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from hearth.studies import selectors, services
from hearth.studies.models import CodedSegment, StudyMember
from hearth.studies.tests.world import World, code, span
from hearth.testing import PASSWORD


def _client(person) -> Client:  # noqa: ANN001
    client = Client()
    client.login(email=person.email, password=PASSWORD)
    return client


def _member(world: World, person) -> StudyMember:  # noqa: ANN001
    return StudyMember.objects.get(study=world.study, person=person)


def test_a_segment_is_stored_as_offsets_trimmed_of_white_space(world: World) -> None:
    start, end = span(world.source, "I feel I belong in the house.")
    [segment] = services.segments_add(
        source=world.source,
        coder=world.coder,
        start=start - 1,
        end=end + 1,
        codes=[world.codes["Feeling connected"]],
    )
    assert (segment.start, segment.end) == (start, end)
    assert world.source.text[segment.start : segment.end] == "I feel I belong in the house."
    again = services.segments_add(
        source=world.source,
        coder=world.coder,
        start=start,
        end=end,
        codes=[world.codes["Feeling connected"], world.codes["Harm"]],
    )
    assert again[0].pk == segment.pk and CodedSegment.objects.count() == 2


@pytest.mark.parametrize(("start", "end"), [(-1, 4), (5, 5), (10, 10_000), (9, 3)])
def test_a_span_outside_the_text_is_refused(world: World, start: int, end: int) -> None:
    with pytest.raises(ValidationError):
        services.segments_add(
            source=world.source, coder=world.lead, start=start, end=end, codes=[world.codes["Harm"]]
        )


def test_viewers_and_codes_of_other_studies_are_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="lead and coders"):
        services.segments_add(
            source=world.source, coder=world.viewer, start=0, end=5, codes=[world.codes["Harm"]]
        )
    other = services.study_create(
        program=world.study.program,
        by=world.lead,
        title="Another",
        research_question="Why?",
    )
    foreign = other.codebook.codes.first()
    with pytest.raises(ValidationError, match="this study's codebook"):
        services.segments_add(
            source=world.source, coder=world.lead, start=0, end=5, codes=[foreign]
        )


def test_coders_see_only_their_own_codes_until_reconciliation(world: World) -> None:
    code(world, world.lead, world.source, "it keeps me going", "Feeling rejuvenated")
    code(world, world.coder, world.source, "I feel I belong in the house", "Feeling connected")
    coder = _client(world.coder)
    page = coder.get(reverse("source_code", args=[world.source.pk])).content.decode()
    assert "I feel I belong in the house" in page
    assert 'title="Feeling rejuvenated"' not in page and "Ira" not in page
    rejuvenated = reverse("code", args=[world.codes["Feeling rejuvenated"].pk])
    assert "it keeps me going" not in coder.get(rejuvenated).content.decode()
    lead_report = selectors.report(world.study, _member(world, world.lead))
    assert lead_report.segments == 1

    services.reconciliation_set(study=world.study, by=world.lead, open_=True)
    page = coder.get(reverse("source_code", args=[world.source.pk])).content.decode()
    assert 'title="Feeling rejuvenated"' in page and world.lead.display_name in page
    assert "it keeps me going" in coder.get(rejuvenated).content.decode()


def test_applying_a_code_with_htmx_returns_only_the_changed_turn_and_the_list(
    world: World,
) -> None:
    start, end = span(world.source, "I had nothing left for my family")
    response = _client(world.coder).post(
        reverse("segment_add", args=[world.source.pk]),
        {"start": start, "end": end, "codes": [world.codes["Harm"].pk]},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="block turn"') == 1 and 'id="b-t3"' in body
    assert 'id="segment-list"' in body and "<html" not in body
    assert f'data-o="{start}" class="coded"' in body


def test_an_empty_selection_is_a_plain_error_with_htmx(world: World) -> None:
    response = _client(world.coder).post(
        reverse("segment_add", args=[world.source.pk]),
        {"start": "", "end": "", "codes": [world.codes["Harm"].pk]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422 and "Select some text" in response.content.decode()


def test_only_the_coder_removes_their_segment(world: World) -> None:
    code(world, world.coder, world.source, "it keeps me going", "Feeling rejuvenated")
    segment = CodedSegment.objects.get()
    services.reconciliation_set(study=world.study, by=world.lead, open_=True)
    assert _client(world.lead).post(reverse("segment_remove", args=[segment.pk])).status_code == 404
    response = _client(world.coder).post(reverse("segment_remove", args=[segment.pk]))
    assert response.status_code == 302 and not CodedSegment.objects.exists()


def test_memos_on_codes_sources_and_segments(world: World) -> None:
    code(world, world.coder, world.source, "it keeps me going", "Feeling rejuvenated")
    segment = CodedSegment.objects.get()
    client = _client(world.coder)
    for target, target_id in (
        ("code", world.codes["Harm"].pk),
        ("source", world.source.pk),
        ("segment", segment.pk),
    ):
        client.post(
            reverse("memo_add", args=[world.study.pk]),
            {"target": target, "target_id": target_id, "text": f"about the {target}"},
        )
    assert world.study.memos.count() == 3
    page = client.get(reverse("source_code", args=[world.source.pk])).content.decode()
    assert "about the source" in page and "about the segment" in page
    assert (
        "about the code"
        in client.get(reverse("code", args=[world.codes["Harm"].pk])).content.decode()
    )


def test_segment_list_names_source_and_speaker(world: World) -> None:
    code(world, world.lead, world.source, "I feel I belong in the house", "Feeling connected")
    [row] = selectors.segments_of_code(world.codes["Feeling connected"], _member(world, world.lead))
    assert (row.source.title, row.speaker, row.text) == (
        "Interview 1",
        "P01",
        "I feel I belong in the house",
    )


def test_text_search_finds_words_with_their_speaker(world: World) -> None:
    hits, total = selectors.search(world.study, "HOOD her")
    assert total == 1 and hits[0].source == world.second and hits[0].speaker == "P02"
    assert hits[0].match == "hood her"


def test_co_occurrence_counts_overlapping_codes(world: World) -> None:
    code(world, world.lead, world.source, "it keeps me going", "Feeling rejuvenated")
    code(world, world.lead, world.source, "keeps me going. After", "Harm")
    code(world, world.lead, world.second, "I was floored", "Feeling honored")
    matrix = selectors.cooccurrence(world.study, _member(world, world.lead))
    index = {c.name: i for i, c in enumerate(matrix.codes)}
    counts = {c.name: row for c, row in matrix.rows}
    assert counts["Harm"][index["Feeling rejuvenated"]] == 1
    assert counts["Feeling rejuvenated"][index["Harm"]] == 1
    assert counts["Feeling honored"][index["Feeling honored"]] == 1
    assert counts["Feeling honored"][index["Harm"]] == 0
