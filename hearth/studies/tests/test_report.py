"""The report: themes with their reach and quotes, demographics, and the files a paper needs."""

from __future__ import annotations

import csv
import io

import docx
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from hearth.studies import selectors, services
from hearth.studies.models import StudyMember
from hearth.studies.tests.world import World, code
from hearth.testing import PASSWORD


def _client(person) -> Client:  # noqa: ANN001
    client = Client()
    client.login(email=person.email, password=PASSWORD)
    return client


def _themed(world: World) -> World:
    code(world, world.lead, world.source, "it keeps me going", "Feeling rejuvenated")
    code(world, world.coder, world.second, "I was floored", "Feeling honored")
    code(world, world.lead, world.source, "I had nothing left for my family", "Harm")
    categories = {c.key: c for c in world.study.framework.all()}
    services.theme_save(
        study=world.study,
        name="Mentoring as renewal",
        definition="Energy and meaning from the role.",
        codes=[world.codes["Feeling rejuvenated"], world.codes["Feeling honored"]],
        categories=[categories["self-connection"]],
    )
    services.reconciliation_set(study=world.study, by=world.lead, open_=True)
    return world


def test_the_report_counts_participants_and_attributes_quotes(world: World) -> None:
    _themed(world)
    member = StudyMember.objects.get(study=world.study, person=world.lead)
    report = selectors.report(world.study, member)
    [theme] = report.themes
    assert (theme.participants, theme.of) == (2, 2)
    attributions = {q.attribution for q in theme.quotes}
    assert "P01, associate professor, woman, Asian, 1–2 years in the program" in attributions
    assert "P02, professor, man, 6 or more years in the program" in attributions
    gender = next(d for d in report.demographics if d.attribute.key == "gender")
    assert [(r.value, r.n, r.percent) for r in gender.rows] == [
        ("Woman", 1, 50.0),
        ("Man", 1, 50.0),
    ]
    race = next(d for d in report.demographics if d.attribute.key == "race_ethnicity")
    assert ("Not recorded", 1) in [(r.value, r.n) for r in race.rows]


def test_chosen_exemplars_replace_the_picked_quotes(world: World) -> None:
    _themed(world)
    theme = world.study.themes.get()
    segment = world.study.sources.get(title="Interview 2").segments.get()
    client = _client(world.lead)
    client.post(reverse("theme", args=[theme.pk]), {"action": "exemplar", "segment": segment.pk})
    page = client.get(reverse("study_report", args=[world.study.pk])).content.decode()
    assert "I was floored" in page and "it keeps me going" not in page
    assert "Present for 2 of 2 participants" in page


def test_word_pdf_and_csv_files(world: World) -> None:
    _themed(world)
    client = _client(world.coder)
    word = client.get(reverse("study_report_docx", args=[world.study.pk]))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "Mentoring as renewal" in text and "Present for 2 of 2 participants." in text
    assert "“it keeps me going” — P01" in text
    pdf = client.get(reverse("study_report_pdf", args=[world.study.pk]))
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Mentoring as renewal" in pdf_text and "2 of 2 participants" in pdf_text
    assert "Academic rank" in pdf_text
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("study_segments_csv", args=[world.study.pk])).content.decode()
            )
        )
    )
    assert len(rows) == 3 and {r["coder"] for r in rows} == {
        world.lead.display_name,
        world.coder.display_name,
    }
    harm = next(r for r in rows if r["code"] == "Harm")
    assert harm["text"] == "I had nothing left for my family" and harm["participant"] == "P01"
    assert harm["gender"] == "Woman"


def test_the_dataset_is_de_identified_and_needs_an_approved_protocol(world: World) -> None:
    _themed(world)
    client = _client(world.coder)
    body = client.get(reverse("study_dataset_csv", args=[world.study.pk])).content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["coder"] for r in rows} == {"coder 1", "coder 2"}
    for name in (
        world.lead.display_name,
        world.coder.display_name,
        world.school.mentor_a1.display_name,
    ):
        assert name not in body
    assert world.study.events.filter(kind="export").exists()
    world.study.approved_protocol = False
    world.study.save()
    assert client.get(reverse("study_dataset_csv", args=[world.study.pk])).status_code == 404
