"""Setting a study up: who may start one, the team, participants and their attributes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from hearth.studies import services
from hearth.studies.models import Participant, StudyMember
from hearth.studies.tests.world import World
from hearth.testing import PASSWORD


def _client(person) -> Client:  # noqa: ANN001
    client = Client()
    client.login(email=person.email, password=PASSWORD)
    return client


def test_only_evaluators_start_studies(school) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError):
        services.study_create(
            program=school.program, by=school.director, title="T", research_question="Q?"
        )
    assert _client(school.director).get(reverse("study_new")).status_code == 404
    response = _client(school.evaluator).post(
        reverse("study_new"),
        {
            "program": school.program.pk,
            "title": "Mentors' meaning",
            "research_question": "What matters?",
            "guide": "First question?\n\nSecond question?",
            "starter_codebook": "0",
        },
    )
    assert response.status_code == 302
    member = StudyMember.objects.get(person=school.evaluator)
    assert member.role == "lead" and not member.study.codebook.codes.exists()
    assert [q.text for q in member.study.guide.all()] == ["First question?", "Second question?"]


def test_the_team_holds_only_the_programs_evaluators(world: World) -> None:
    client = _client(world.lead)
    url = reverse("study_settings", args=[world.study.pk])
    response = client.post(url, {"email": world.school.director.email, "role": "coder"})
    assert "No evaluator of MD Learning Communities" in response.content.decode()
    assert not StudyMember.objects.filter(person=world.school.director).exists()
    lead = StudyMember.objects.get(person=world.lead)
    response = client.post(reverse("study_member_remove", args=[world.study.pk, lead.pk]))
    assert StudyMember.objects.filter(pk=lead.pk).exists()  # a study keeps its lead


def test_turning_off_kept_originals_deletes_them(world: World) -> None:
    world.study.keep_originals = True
    world.study.save()
    world.source.original_text = "the words before"
    world.source.save()
    _client(world.lead).post(
        reverse("study_settings", args=[world.study.pk]),
        {"title": world.study.title, "research_question": "Q?", "guide": ""},
    )
    world.source.refresh_from_db()
    assert world.source.original_text == ""
    assert world.study.events.filter(kind="originals").exists()


def test_participants_are_added_with_attributes_and_consent(world: World) -> None:
    client = _client(world.lead)
    url = reverse("study_participants", args=[world.study.pk])
    response = client.post(
        url,
        {
            "pseudonym": "P03",
            "email": world.school.mentor_b1.email,
            "attr_gender": "Woman",
            "consent_given_on": "2025-02-01",
        },
    )
    assert response.status_code == 302
    p3 = Participant.objects.get(pseudonym="P03")
    values = {v.attribute.key: v.value for v in p3.values.select_related("attribute")}
    assert values["gender"] == "Woman" and values["rank"] == "Assistant professor"
    assert services.has_study_consent(p3)
    stranger = client.post(url, {"pseudonym": "P04", "email": "nobody@elsewhere.example.org"})
    assert "No one on the roster" in stranger.content.decode()
    twice = client.post(url, {"pseudonym": "p03"})
    assert "already a participant" in twice.content.decode()
    assert _client(world.coder).post(url, {"pseudonym": "P05"}).status_code == 404


def test_a_new_attribute_describes_participants(world: World) -> None:
    client = _client(world.lead)
    client.post(
        reverse("study_participants", args=[world.study.pk]),
        {"label": "Clinical department", "choices": "Medicine, Surgery"},
    )
    attribute = world.study.attributes.get(key="clinical_department")
    assert attribute.choices == ["Medicine", "Surgery"]
    with pytest.raises(ValidationError, match="choose one of"):
        services.participant_values_set(
            participant=world.p1, values={"clinical_department": "Pediatrics"}
        )
