"""Consent: withdrawing it removes the person's words and codings from the study and its
exports; the audit trail records that it happened and nothing of what was said."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.test import Client
from django.urls import reverse

from hearth.pulse.models import PulseResponse, PulseWave
from hearth.studies import services
from hearth.studies.importers import parse_source
from hearth.studies.models import CodedSegment, Consent, Source, StudyEvent
from hearth.studies.tests.world import World, code
from hearth.testing import PASSWORD


def _lead(world: World) -> Client:
    client = Client()
    client.login(email=world.lead.email, password=PASSWORD)
    return client


def _dataset(world: World) -> list[dict[str, str]]:
    body = _lead(world).get(reverse("study_dataset_csv", args=[world.study.pk])).content.decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_withdrawing_from_the_study_removes_sources_codings_and_attributes(world: World) -> None:
    code(world, world.lead, world.source, "it keeps me going", "Feeling rejuvenated")
    code(world, world.lead, world.second, "I was floored", "Feeling honored")
    assert {r["participant"] for r in _dataset(world)} == {"P01", "P02"}
    consent = Consent.objects.get(participant=world.p1, source__isnull=True)
    response = _lead(world).post(reverse("consent_withdraw", args=[consent.pk]))
    assert response.status_code == 302
    assert not Source.objects.filter(pk=world.source.pk).exists()
    assert CodedSegment.objects.count() == 1
    world.p1.refresh_from_db()
    assert world.p1.withdrawn and world.p1.person is None and not world.p1.values.exists()
    assert {r["participant"] for r in _dataset(world)} == {"P02"}
    event = StudyEvent.objects.get(kind="withdrawal")
    assert "P01 withdrew from the study: 1 sources, 1 coded segments" in event.message
    assert "keeps me going" not in event.message
    # The consent records stay, marked withdrawn, naming the source that went.
    assert not world.p1.consents.filter(withdrawn_at__isnull=True).exists()
    assert world.p1.consents.filter(source_title="Interview 1").exists()


def test_withdrawing_consent_to_one_source_removes_only_it(world: World) -> None:
    extra = services.source_import(
        study=world.study,
        by=world.lead,
        title="Follow-up",
        parsed=parse_source("f.txt", b"Interviewer: Since then?\nP01: Better.\n"),
        participant=world.p1,
    )
    code(world, world.lead, extra, "Better.", "Feeling rejuvenated")
    per_source = Consent.objects.get(source=extra)
    done = services.consent_withdraw(consent=per_source, by=world.lead)
    assert (done.sources, done.segments) == (1, 1)
    assert Source.objects.filter(pk=world.source.pk).exists()
    world.p1.refresh_from_db()
    assert not world.p1.withdrawn


def test_a_speaker_who_withdraws_from_a_group_source_is_blanked_out(world: World) -> None:
    text = "Facilitator: Go ahead.\nP01: I found it lonely at first.\nP02: I did not, I loved it.\n"
    group = services.source_import(
        study=world.study,
        by=world.lead,
        title="Focus group",
        parsed=parse_source("g.txt", text.encode()),
        speakers={"P01": world.p1, "P02": world.p2},
    )
    code(world, world.lead, group, "I found it lonely", "Harm")
    code(world, world.lead, group, "I loved it", "Feeling rejuvenated")
    consent = Consent.objects.get(participant=world.p2, source__isnull=True)
    services.consent_withdraw(consent=consent, by=world.lead)
    group.refresh_from_db()
    assert "loved" not in group.text and len(group.text) == len(text)
    [kept] = CodedSegment.objects.filter(source=group)
    assert group.text[kept.start : kept.end] == "I found it lonely"
    assert group.turns.filter(withdrawn=True).count() == 1
    page = _lead(world).get(reverse("source_code", args=[group.pk])).content.decode()
    assert "words withdrawn" in page


def test_check_in_answers_arrive_only_with_consent_and_leave_when_it_is_withdrawn(
    world: World,
) -> None:
    school = world.school
    wave = PulseWave.objects.create(
        program=school.program,
        label="Spring",
        opens_on=dt.date(2025, 3, 1),
        closes_on=dt.date(2025, 3, 21),
    )
    agreed = PulseResponse.objects.create(
        wave=wave,
        person=school.mentor_a2,
        free_text="The group keeps me going.",
        free_text_to_studies=True,
    )
    PulseResponse.objects.create(
        wave=wave, person=school.mentor_b1, free_text="Private words.", free_text_to_studies=False
    )
    response = _lead(world).post(
        reverse("study_pulse_import", args=[world.study.pk]), {"wave": wave.pk}
    )
    assert response.status_code == 302
    [source] = Source.objects.filter(study=world.study, kind="pulse")
    assert (
        source.text == "The group keeps me going." and source.participant.person == school.mentor_a2
    )
    assert not Source.objects.filter(text__contains="Private").exists()
    again = services.pulse_sources_sync(study=world.study, by=world.lead, wave=wave)
    assert (again.added, again.removed) == (0, 0)
    agreed.free_text_to_studies = False
    agreed.save()
    gone = services.pulse_sources_sync(study=world.study, by=world.lead, wave=wave)
    assert gone.removed == 1 and not Source.objects.filter(kind="pulse").exists()
    assert Consent.objects.filter(source_title=source.title, withdrawn_at__isnull=False).exists()
