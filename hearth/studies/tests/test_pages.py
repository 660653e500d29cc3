"""Every studies page: the team sees it, everyone else gets 404, lists keep to a few queries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from hearth.studies.models import Consent
from hearth.studies.tests.world import World, code
from hearth.testing import PASSWORD

Url = Callable[[World], str]

PAGES: list[tuple[str, Url]] = [
    ("study", lambda w: reverse("study", args=[w.study.pk])),
    ("participants", lambda w: reverse("study_participants", args=[w.study.pk])),
    ("participant", lambda w: reverse("participant", args=[w.p1.pk])),
    ("coding", lambda w: reverse("source_code", args=[w.source.pk])),
    ("codebook", lambda w: reverse("codebook", args=[w.study.pk])),
    ("code", lambda w: reverse("code", args=[w.codes["Harm"].pk])),
    ("search", lambda w: reverse("study_search", args=[w.study.pk]) + "?q=crisis"),
    ("co-occurrence", lambda w: reverse("study_cooccurrence", args=[w.study.pk])),
    ("agreement", lambda w: reverse("study_agreement", args=[w.study.pk])),
    ("themes", lambda w: reverse("study_themes", args=[w.study.pk])),
    ("report", lambda w: reverse("study_report", args=[w.study.pk])),
    ("report docx", lambda w: reverse("study_report_docx", args=[w.study.pk])),
    ("report pdf", lambda w: reverse("study_report_pdf", args=[w.study.pk])),
    ("segments csv", lambda w: reverse("study_segments_csv", args=[w.study.pk])),
    ("dataset csv", lambda w: reverse("study_dataset_csv", args=[w.study.pk])),
    ("audit", lambda w: reverse("study_audit", args=[w.study.pk])),
]
LEAD_PAGES: list[tuple[str, Url]] = [
    ("settings", lambda w: reverse("study_settings", args=[w.study.pk])),
    ("import", lambda w: reverse("source_import", args=[w.study.pk])),
    ("pulse", lambda w: reverse("study_pulse_import", args=[w.study.pk])),
    ("de-identify", lambda w: reverse("source_deidentify", args=[w.source.pk])),
]
POSTS: list[tuple[str, Url]] = [
    ("apply a code", lambda w: reverse("segment_add", args=[w.source.pk])),
    ("memo", lambda w: reverse("memo_add", args=[w.study.pk])),
    ("reconciliation", lambda w: reverse("study_reconciliation", args=[w.study.pk])),
    ("withdraw", lambda w: reverse("consent_withdraw", args=[Consent.objects.first().pk])),
    ("theme", lambda w: reverse("study_themes", args=[w.study.pk])),
]


def _client(person) -> Client:  # noqa: ANN001
    client = Client()
    client.login(email=person.email, password=PASSWORD)
    return client


@pytest.fixture
def coded(world: World) -> World:
    code(world, world.lead, world.source, "it keeps me going", "Feeling rejuvenated")
    code(world, world.coder, world.source, "I feel I belong in the house", "Feeling connected")
    return world


@pytest.mark.parametrize(("name", "url"), PAGES + LEAD_PAGES)
def test_the_lead_sees_every_page(coded: World, name: str, url: Url) -> None:
    response = _client(coded.lead).get(url(coded))
    assert response.status_code == 200, name


@pytest.mark.parametrize(("name", "url"), PAGES)
def test_a_viewer_reads_the_study(coded: World, name: str, url: Url) -> None:
    assert _client(coded.viewer).get(url(coded)).status_code == 200, name


@pytest.mark.parametrize(("name", "url"), LEAD_PAGES)
def test_coders_and_viewers_get_404_on_the_leads_pages(coded: World, name: str, url: Url) -> None:
    assert _client(coded.coder).get(url(coded)).status_code == 404, name
    assert _client(coded.viewer).get(url(coded)).status_code == 404, name


@pytest.mark.parametrize("persona", ["outsider", "director", "admin", "mentor_a1", "evaluator"])
@pytest.mark.parametrize(("name", "url"), PAGES + LEAD_PAGES + POSTS)
def test_outsiders_get_404(coded: World, persona: str, name: str, url: Url) -> None:
    if persona == "evaluator":
        # An evaluator of the program who is not on this study's team.
        from hearth.studies.tests.world import evaluator

        person = evaluator(coded.school, "Olga Otherevaluator")
    else:
        person = coded.school.persona(persona)
    client = _client(person)
    target = url(coded)
    response = client.post(target, {"open": "1"}) if (name, url) in POSTS else client.get(target)
    assert response.status_code == 404, f"{persona} on {name}"


def test_a_viewer_cannot_apply_codes(coded: World) -> None:
    response = _client(coded.viewer).post(
        reverse("segment_add", args=[coded.source.pk]),
        {"start": 0, "end": 5, "codes": [coded.codes["Harm"].pk]},
    )
    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(coded: World) -> None:
    response = Client().get(reverse("study", args=[coded.study.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_study_list_shows_only_the_users_studies(coded: World) -> None:
    body = _client(coded.coder).get(reverse("studies")).content.decode()
    assert "Meaning in the mentor role" in body
    body = _client(coded.school.outsider).get(reverse("studies")).content.decode()
    assert "Meaning in the mentor role" not in body
    assert "Start a study" not in body


LIST_PAGES: list[tuple[str, Url, int]] = [
    ("studies", lambda w: reverse("studies"), 8),
    ("study", lambda w: reverse("study", args=[w.study.pk]), 12),
    ("participants", lambda w: reverse("study_participants", args=[w.study.pk]), 12),
    ("codebook", lambda w: reverse("codebook", args=[w.study.pk]), 14),
    ("coding", lambda w: reverse("source_code", args=[w.source.pk]), 14),
    ("code", lambda w: reverse("code", args=[w.codes["Feeling rejuvenated"].pk]), 16),
    ("report", lambda w: reverse("study_report", args=[w.study.pk]), 18),
    ("agreement", lambda w: reverse("study_agreement", args=[w.study.pk]), 14),
    ("audit", lambda w: reverse("study_audit", args=[w.study.pk]), 8),
]


@pytest.mark.parametrize(("name", "url", "budget"), LIST_PAGES)
def test_list_pages_keep_their_query_count_as_rows_grow(
    coded: World, django_assert_max_num_queries, name: str, url: Url, budget: int
) -> None:
    client = _client(coded.lead)
    client.get(url(coded))  # warm the session
    with django_assert_max_num_queries(budget):
        client.get(url(coded))
    # Many more rows: the same budget holds (no query per row).
    from hearth.studies import services
    from hearth.studies.importers import parse_source

    for i in range(6):
        participant = services.participant_add(
            study=coded.study,
            by=coded.lead,
            pseudonym=f"X{i}",
            values={"gender": "Woman"},
            consent_given_on=coded.p1.consents.first().given_on,
        )
        source = services.source_import(
            study=coded.study,
            by=coded.lead,
            title=f"Extra {i}",
            parsed=parse_source("x.txt", b"Interviewer: Hi?\nX: it keeps me going, truly.\n"),
            participant=participant,
        )
        code(coded, coded.lead, source, "it keeps me going", "Feeling rejuvenated", "Harm")
        services.memo_add(study=coded.study, author=coded.lead, text="memo", source=source)
    code(coded, coded.lead, coded.source, "I feel I belong", "Feeling connected", "Harm")
    with django_assert_max_num_queries(budget):
        assert client.get(url(coded)).status_code == 200
