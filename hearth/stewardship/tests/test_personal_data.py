"""Per-person export and erasure over a school with records in every pillar."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from hearth.api.models import ApiToken
from hearth.api.services import api_token_create
from hearth.communities.models import GroupMembership, Relationship
from hearth.meetings.models import Note
from hearth.meetings.services import action_item_add, agenda_item_add, goal_save, meeting_create
from hearth.meetings.services import note_save as meeting_note_save
from hearth.mentor_development.services.series import (
    SessionFields,
    enrolment_accept,
    enrolment_invite,
    series_create,
    session_create,
)
from hearth.people.models import Person
from hearth.people.services import person_photo_set
from hearth.pulse.models import PulseResponse
from hearth.pulse.scoring import load_item_bank
from hearth.pulse.selectors import program_pulse
from hearth.pulse.services import response_submit, wave_open
from hearth.recognition.models import ThankYouNote
from hearth.recognition.services import note_send
from hearth.serendipity.models import Audience
from hearth.serendipity.services import circle_create, circle_join, round_run
from hearth.stewardship import personal_data
from hearth.stewardship.models import ErasureRecord
from hearth.stewardship.personal_data import person_erase, person_export, person_relations
from hearth.studies.models import CodedSegment, Participant, Source
from hearth.studies.tests.world import build_world, code
from hearth.testing import PASSWORD

MIRA = "Mira Mentorone"
MIRA_EMAIL = "mira.mentorone@school.example.edu"


def answers(value: int) -> dict[str, int]:
    return {item.key: value for item in load_item_bank().items}


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def world(school, settings, tmp_path):  # noqa: ANN001, ANN201 - pytest fixtures
    """mentor_a1 (Mira) has something in every pillar; others have their own things too."""
    settings.MEDIA_ROOT = tmp_path
    s = school
    mira, lena = s.mentor_a1, s.learner_a1
    relationship = Relationship.objects.get(mentor=mira, mentee=lena)
    meeting = meeting_create(
        organiser=mira,
        relationship=relationship,
        title="Check-in",
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration_minutes=30,
    )
    agenda_item_add(meeting=meeting, person=mira, text="Clinic shadowing")
    agenda_item_add(meeting=meeting, person=lena, text="Research year?")
    meeting_note_save(meeting=meeting, author=mira, visibility="private", body="MIRA-PRIVATE")
    meeting_note_save(meeting=meeting, author=mira, visibility="shared", body="MIRA-SHARED")
    meeting_note_save(meeting=meeting, author=lena, visibility="private", body="LENA-PRIVATE")
    meeting_note_save(
        meeting=meeting, author=lena, visibility="shared", body=f"LENA-SHARED: ask {MIRA}"
    )
    action_item_add(meeting=meeting, person=mira, owner=lena, text="Email the lab", due_date=None)
    goal_save(
        relationship=relationship,
        person=lena,
        title="Publish a case report",
        why="Residency applications",
        milestones="Draft by March",
        status="in_progress",
    )
    note_send(author=lena, mentor=mira, body="LENA-THANKS", anonymous=True)
    note_send(author=s.mate_a1, mentor=mira, body="LARS-THANKS")
    wave = wave_open(
        program=s.program,
        label="Autumn",
        opens_on=timezone.localdate() - dt.timedelta(days=1),
        closes_on=timezone.localdate() + dt.timedelta(days=7),
        invite=False,
    )
    response_submit(wave=wave, person=mira, answers=answers(4), free_text="MIRA-PULSE")
    for mentor in (s.mentor_a2, s.mentor_b1):
        response_submit(wave=wave, person=mentor, answers=answers(3), free_text="OTHER-PULSE")
    api_token_create(person=mira, name="Laptop script")
    person_photo_set(person=mira, upload=png())
    circle = circle_create(
        program=s.program,
        created_by=s.director,
        name="Faculty coffee",
        audience=Audience.FACULTY,
        first_round_at=timezone.now(),
    )
    for mentor in (mira, s.mentor_a2, s.mentor_b1):
        circle_join(circle=circle, person=mentor)
    round_run(circle=circle)
    series = series_create(program=s.program, title="Mentoring the Mentors", self_enrolment=False)
    session_create(
        series=series,
        fields=SessionFields(title="Listening", starts_at=timezone.now() + dt.timedelta(days=3)),
    )
    enrolment_accept(enrolment=enrolment_invite(series=series, person=mira, by=s.director))
    studies = build_world(s)  # Mira is participant P01; Cora codes both interviews
    code(studies, studies.coder, studies.source, "it keeps me going", "Feeling rejuvenated")
    code(studies, studies.coder, studies.second, "I was floored", "Feeling honored")
    return SimpleNamespace(
        school=s, mira=mira, lena=lena, meeting=meeting, wave=wave, studies=studies
    )


def everything_as_text() -> str:
    """Every text column of every row of every table, one value a line."""
    values = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model._default_manager.values_list(*fields):
            values.extend(json.dumps(v) if not isinstance(v, str) else v for v in row)
    values.extend(json.dumps(s.get_decoded()) for s in Session.objects.all())
    return "\n".join(values)


def others_rows(mira: int) -> Counter[str]:
    """For each relation to Person: how many rows belong to someone other than Mira.

    Studies are checked on their own: withdrawal removes coding by its rules, and logs it."""
    counts: Counter[str] = Counter()
    for f in person_relations():
        if f.many_to_many or f.model._meta.app_label in ("studies", "stewardship"):
            continue
        rows = f.model._default_manager.exclude(**{f.name: None})
        counts[f"{f.model._meta.label}.{f.name}"] = rows.exclude(**{f.attname: mira}).count()
    return counts


def group_sizes(school) -> dict[str, int]:  # noqa: ANN001
    return {
        g.name: GroupMembership.objects.filter(group=g, end_date__isnull=True).count()
        for g in (school.group_a1, school.group_a2, school.group_b1)
    }


# -- Export ----------------------------------------------------------------------------------


def test_export_holds_every_pillar_and_no_one_elses_private_things(world):
    data = person_export(world.mira)
    text = json.dumps(data)
    assert data["account"]["email"] == MIRA_EMAIL
    assert "password" not in data["account"]
    assert data["account"]["photo"].startswith("photos/")
    assert [r["role"] for r in data["communities"]["group memberships (history included)"]] == [
        "mentor"
    ]
    assert len(data["communities"]["relationships as mentor"]) == 2
    mine = {n["body"] for n in data["meetings"]["notes you wrote"]}
    assert mine == {"MIRA-PRIVATE", "MIRA-SHARED"}
    shared = [n["body"] for n in data["meetings"]["shared notes by others in your meetings"]]
    assert shared == [f"LENA-SHARED: ask {MIRA}"]
    assert "LENA-PRIVATE" not in text  # someone else's private note never leaves them
    assert data["meetings"]["meetings you take part in"][0]["title"] == "Check-in"
    assert data["meetings"]["goals"][0]["title"] == "Publish a case report"
    assert {a["text"] for a in data["meetings"]["agenda items you added"]} == {"Clinic shadowing"}
    assert data["pulse"]["check-in answers"][0]["free_text"] == "MIRA-PULSE"
    assert "OTHER-PULSE" not in text
    received = {n["body"]: n["author"] for n in data["recognition"]["thank-you notes you received"]}
    assert received == {"LENA-THANKS": "anonymous", "LARS-THANKS": "Lars Learnermate"}
    assert data["api"]["API tokens"][0]["name"] == "Laptop script"
    assert ApiToken.objects.get().key_hash not in text
    pairing = data["serendipity"]["pairings"][0]
    assert sorted(pairing["with"]) == ["Mateo Mentortwo", "Mona Mentorthree"]
    assert data["mentor_development"]["training enrolments"][0]["status"] == "enrolled"
    [participation] = data["studies"]["study participation"]
    assert participation["pseudonym"] == "P01"
    assert participation["attributes"]["Gender"] == "Woman"
    assert participation["consents"][0]["to"] == "the study"
    assert "codes you applied" not in data["studies"]  # Cora's coding is the study's


def test_export_of_a_coder_lists_the_codes_they_applied(world):
    data = person_export(world.studies.coder)
    codes = {c["code"]["label"] for c in data["studies"]["codes you applied"]}
    assert codes == {"Feeling rejuvenated", "Feeling honored"}
    assert {m["role"] for m in data["studies"]["study team memberships"]} == {"coder"}


def test_every_relation_to_a_person_is_exported_or_excluded_with_a_reason():
    assert personal_data.unlisted_relations() == []
    relations = {f"{f.model._meta.label}.{f.name}" for f in person_relations()}
    assert personal_data.COVERED.keys() <= relations, "a listed relation no longer exists"
    assert personal_data.EXCLUDED.keys() <= relations, "a listed relation no longer exists"
    assert not personal_data.COVERED.keys() & personal_data.EXCLUDED.keys()
    assert all(reason.strip() for reason in personal_data.EXCLUDED.values())


def test_a_relation_left_off_both_lists_is_named(monkeypatch):
    covered = dict(personal_data.COVERED)
    del covered["pulse.PulseResponse.person"]
    monkeypatch.setattr(personal_data, "COVERED", covered)
    assert personal_data.unlisted_relations() == ["pulse.PulseResponse.person"]


def test_export_command_writes_json(world, tmp_path):
    out = tmp_path / "mira.json"
    call_command("export_person", MIRA_EMAIL.upper(), str(out))
    assert json.loads(out.read_text())["account"]["display_name"] == MIRA


def test_export_command_names_an_unknown_email(db):
    with pytest.raises(CommandError, match="nobody@x.example"):
        call_command("export_person", "nobody@x.example")


# -- The download page -----------------------------------------------------------------------


def test_a_person_downloads_their_own_data(client, world):
    client.login(email=world.lena.email, password=PASSWORD)
    profile = client.get(reverse("person", args=[world.lena.pk]))
    assert reverse("my_data") in profile.content.decode()
    response = client.get(reverse("my_data"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.json()["account"]["email"] == world.lena.email


def test_the_download_never_serves_someone_else(client, world):
    client.login(email=world.school.outsider.email, password=PASSWORD)
    # No id in the URL to change; a tampered query string is ignored.
    response = client.get(reverse("my_data"), {"pk": world.mira.pk, "email": MIRA_EMAIL})
    assert response.json()["account"]["email"] == world.school.outsider.email
    assert MIRA not in response.content.decode()
    assert MIRA_EMAIL not in response.content.decode()
    other_profile = client.get(reverse("person", args=[world.mira.pk]))
    assert other_profile.status_code == 404


def test_the_download_needs_sign_in(client, world):
    response = client.get(reverse("my_data"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# -- Erasure ---------------------------------------------------------------------------------


def test_erasure_leaves_no_trace_of_the_person_and_keeps_everything_else(
    client, world, django_capture_on_commit_callbacks
):
    s, mira = world.school, world.mira
    client.login(email=MIRA_EMAIL, password=PASSWORD)  # a live session to end
    photo = Path(mira.photo.path)
    assert photo.exists()
    before_rows, before_sizes = others_rows(mira.pk), group_sizes(s)
    pulse_before = program_pulse(s.program)
    cora_segments = CodedSegment.objects.filter(source=world.studies.second).count()

    with django_capture_on_commit_callbacks(execute=True):
        report = person_erase(person=mira, by=s.admin)

    mira.refresh_from_db()
    assert report.label == mira.display_name == f"Erased person {mira.pk}"
    assert authenticate(email=MIRA_EMAIL, password=PASSWORD) is None
    assert not mira.has_usable_password() and not mira.is_active
    assert "@" not in mira.email
    assert client.get(reverse("home")).status_code == 302  # the session was ended
    assert not photo.exists()
    everything = everything_as_text().lower()
    for trace in (MIRA, MIRA_EMAIL, "MIRA-PRIVATE", "MIRA-PULSE"):
        assert trace.lower() not in everything, trace
    # Other people's records, and counts of them, are as they were.
    assert others_rows(mira.pk) == before_rows
    assert group_sizes(s) == before_sizes
    pulse_after = program_pulse(s.program)
    assert pulse_after.answered == pulse_before.answered == 3
    assert pulse_after.responses_per_wave == pulse_before.responses_per_wave
    assert PulseResponse.objects.filter(person=mira, free_text="").count() == 1
    assert set(Note.objects.values_list("body", flat=True)) == {
        "MIRA-SHARED",
        f"LENA-SHARED: ask {mira.display_name}",
        "LENA-PRIVATE",
    }
    assert ThankYouNote.objects.filter(mentor=mira).count() == 2  # their authors' records
    # The study withdrew P01 by its own rules: the interview and its coding went, P02 stayed.
    p01 = Participant.objects.get(pseudonym="P01")
    assert p01.person is None and p01.withdrawn_at is not None
    assert not Source.objects.filter(title="Interview 1").exists()
    assert CodedSegment.objects.filter(source=world.studies.second).count() == cora_segments
    record = ErasureRecord.objects.get()
    assert (record.erased_person_id, record.label, record.by) == (mira.pk, report.label, s.admin)
    assert report.counts["private notes deleted"] == 1


def test_a_coder_erased_leaves_their_coding_to_the_study(world):
    cora = world.studies.coder
    segments = CodedSegment.objects.filter(coder=cora).count()
    person_erase(person=cora, by=world.school.admin)
    assert CodedSegment.objects.filter(coder=cora).count() == segments == 2
    assert Person.objects.get(pk=cora.pk).display_name == f"Erased person {cora.pk}"


def test_thanks_from_an_erased_learner_stay_with_the_mentor(world):
    lars = world.school.mate_a1
    person_erase(person=lars, by=world.school.admin)
    note = ThankYouNote.objects.get(body="LARS-THANKS")
    assert note.mentor == world.mira
    assert note.signature == f"Erased person {lars.pk}"


def test_erasure_refuses_oneself_and_a_second_time_changing_nothing(world):
    admin = world.school.admin
    with pytest.raises(ValidationError, match="your own account"):
        person_erase(person=admin, by=admin)
    person_erase(person=world.lena, by=admin)
    before = everything_as_text()
    with pytest.raises(ValidationError, match="already erased"):
        person_erase(person=world.lena, by=admin)
    assert everything_as_text() == before
    assert ErasureRecord.objects.count() == 1


def test_erase_command_needs_yes(world, capsys: Any):
    with pytest.raises(CommandError, match="--yes"):
        call_command("erase_person", MIRA_EMAIL)
    assert Person.objects.filter(email=MIRA_EMAIL).exists()
    with pytest.raises(CommandError, match="not a site admin"):
        call_command("erase_person", MIRA_EMAIL, "--yes", "--by", world.lena.email)
    assert Person.objects.filter(email=MIRA_EMAIL).exists()
    call_command("erase_person", MIRA_EMAIL, "--yes")
    out = capsys.readouterr().out
    assert f"Erased person {world.mira.pk}" in out and "private notes deleted: 1" in out
    assert not Person.objects.filter(email=MIRA_EMAIL).exists()
    assert ErasureRecord.objects.get().by is None
