"""Only a study's own team opens it: not directors, site admins, mentors, nor another team."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hearth.studies import services
from hearth.studies.tests.speech import tone_wav
from hearth.studies.tests.world import build_world, evaluator
from hearth.studies.transcripts import recording_upload

OUTSIDERS = ["director", "admin", "mentor_a1", "other_evaluator"]


@pytest.fixture
def study(school, settings, tmp_path):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path
    world = build_world(school)
    world.recording = recording_upload(
        study=world.study,
        by=world.lead,
        upload=SimpleUploadedFile("interview.wav", tone_wav(1.0)),
        title="Recorded interview",
        enqueue=False,
    )
    # An evaluator of the same program who leads a study of their own.
    world.other_evaluator = evaluator(school, "Olga Otherstudy")
    services.study_create(
        program=school.program,
        by=world.other_evaluator,
        title="Another question",
        research_question="Something else?",
        guide=["Why?"],
        approved_protocol=True,
        protocol_reference="IRB-2025-0999",
    )
    return world


def _urls(world) -> list[str]:  # noqa: ANN001
    study, source = world.study.pk, world.source.pk
    code = next(iter(world.codes.values())).pk
    return [
        reverse("study", args=[study]),
        reverse("study_participants", args=[study]),
        reverse("participant", args=[world.p1.pk]),
        reverse("source_code", args=[source]),
        reverse("source_deidentify", args=[source]),
        reverse("recording", args=[world.recording.pk]),
        reverse("recording_audio", args=[world.recording.pk]),
        reverse("codebook", args=[study]),
        reverse("code", args=[code]),
        reverse("study_search", args=[study]) + "?q=week",
        reverse("study_themes", args=[study]),
        reverse("study_agreement", args=[study]),
        reverse("study_suggestions", args=[study]),
        reverse("source_suggestions_note", args=[source]),
        reverse("study_report", args=[study]),
        reverse("study_report_pdf", args=[study]),
        reverse("study_report_docx", args=[study]),
        reverse("study_dataset_csv", args=[study]),
        reverse("study_segments_csv", args=[study]),
        reverse("study_qdpx", args=[study]),
        reverse("codebook_qdc", args=[study]),
        reverse("study_audit", args=[study]),
        f"/api/studies/{study}/agreement",
        f"/api/studies/{study}/segments",
    ]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_one_outside_the_team_opens_a_study_its_transcripts_recordings_or_exports(
    client, study, who
):
    person = getattr(study, who, None) or study.school.persona(who)
    client.force_login(person)
    for url in _urls(study):
        assert client.get(url).status_code == 404, f"{who} on {url}"
    listed = (
        client.get("/api/studies").content.decode()
        + client.get(reverse("studies")).content.decode()
    )
    assert "Meaning in the mentor role" not in listed
    assert "brutal week on service" not in listed


def test_the_team_opens_every_one_of_those_addresses(client, study):
    # The same list answers the lead, so the 404s above are about who asks, not a bad URL.
    client.force_login(study.lead)
    for url in _urls(study):
        assert client.get(url).status_code == 200, url
