"""The exchange pages: who may import and export, and what they are told."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from lxml import etree

from hearth.studies.models import CodedSegment, Study
from hearth.studies.tests.test_exchange import (
    FILES,
    NS,
    assert_valid_qdpx,
    file_counts,
    rich_world,
)
from hearth.studies.tests.world import World
from hearth.testing import PASSWORD

DEDOOSE = FILES / "dedoose" / "demo_excerpts_2025-11-15.xlsx"
QUALCODER_CODES = FILES / "qualcoder" / "plain_codes_categories_for_import.txt"


def _client(person) -> Client:  # noqa: ANN001
    client = Client()
    client.login(email=person.email, password=PASSWORD)
    return client


def _upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.mark.parametrize(
    "name", ["study_import", "study_qdpx", "codebook_qdc", "codebook_exchange"]
)
def test_outsider_gets_404(world: World, name: str) -> None:
    args = [] if name == "study_import" else [world.study.pk]
    response = _client(world.school.outsider).get(reverse(name, args=args))
    assert response.status_code == 404


def test_only_the_lead_imports_codes(world: World) -> None:
    url = reverse("codebook_exchange", args=[world.study.pk])
    for person in (world.coder, world.viewer):
        assert _client(person).get(url).status_code == 404
        response = _client(person).post(url, {"file": _upload(QUALCODER_CODES)})
        assert response.status_code == 404
    assert not world.study.codebook.codes.filter(name="code1").exists()


def test_the_lead_imports_qualcoder_codes_and_sees_errors_on_the_form(world: World) -> None:
    client = _client(world.lead)
    url = reverse("codebook_exchange", args=[world.study.pk])
    page = client.get(reverse("codebook", args=[world.study.pk])).content.decode()
    assert url in page and reverse("codebook_qdc", args=[world.study.pk]) in page
    response = client.post(url, {"file": _upload(QUALCODER_CODES)}, follow=True)
    assert "9 codes added from plain_codes_categories_for_import.txt" in response.content.decode()
    again = client.post(url, {"file": _upload(QUALCODER_CODES)})
    assert again.status_code == 400
    assert "line 1: “code1” is already in the codebook" in again.content.decode()
    wrong = client.post(url, {"file": SimpleUploadedFile("codes.csv", b"name\nx\n")})
    assert "codes.csv is not a .qdc codebook or a .txt code list" in wrong.content.decode()


def test_codebook_qdc_download_for_any_member(world: World) -> None:
    response = _client(world.viewer).get(reverse("codebook_qdc", args=[world.study.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('codebook.qdc"')
    root = etree.fromstring(response.content)
    assert len(root.xpath("//c:Code", namespaces={"c": "urn:QDA-XML:codebook:1.0"})) == 6


def test_study_export_follows_the_dataset_rule_and_is_recorded(world: World) -> None:
    rich_world(world)
    url = reverse("study_qdpx", args=[world.study.pk])
    detail = _client(world.coder).get(reverse("study", args=[world.study.pk])).content.decode()
    assert "Export for NVivo, ATLAS.ti, MAXQDA or QualCoder (QDPX)" in detail
    response = _client(world.coder).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert_valid_qdpx(response.content)
    assert file_counts(response.content)[2] == CodedSegment.objects.count()
    event = world.study.events.get(kind="export")
    assert event.actor == world.coder and "QDPX (5 coded segments)" in event.message
    world.study.approved_protocol = False
    world.study.save()
    assert _client(world.coder).get(url).status_code == 404
    detail = _client(world.lead).get(reverse("study", args=[world.study.pk])).content.decode()
    assert "once the protocol is recorded as approved" in detail and url not in detail


def test_blind_coding_exports_only_your_own_codings(world: World) -> None:
    rich_world(world)
    from hearth.studies import services

    services.reconciliation_set(study=world.study, by=world.lead, open_=False)
    response = _client(world.lead).get(reverse("study_qdpx", args=[world.study.pk]))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    lead_guid = world.study.members.get(person=world.lead).guid
    assert set(root.xpath("//q:Coding/@creatingUser", namespaces=NS)) == {str(lead_guid)}


def test_import_a_study_through_the_page(world: World) -> None:
    client = _client(world.school.evaluator)
    listing = client.get(reverse("studies")).content.decode()
    assert "Import a study (QDPX or Dedoose XLSX)" in listing
    response = client.post(
        reverse("study_import"),
        {"program": world.school.program.pk, "file": _upload(DEDOOSE)},
        follow=True,
    )
    study = Study.objects.order_by("-pk").first()
    assert response.redirect_chain[-1][0] == reverse("study", args=[study.pk])
    # Counted from the file by openpyxl: 20 media titles, 11 codes, 120 True cells, 6 creators.
    assert "20 sources, 11 codes, 120 coded segments by 6 coders" in response.content.decode()


def test_a_bad_file_is_named_on_the_form_and_nothing_is_made(world: World) -> None:
    client = _client(world.school.evaluator)
    before = Study.objects.count()
    response = client.post(
        reverse("study_import"),
        {
            "program": world.school.program.pk,
            "file": SimpleUploadedFile("broken.qdpx", b"PK\x03\x04" + b"\0" * 64),
        },
    )
    assert response.status_code == 400
    assert "broken.qdpx is a damaged zip archive" in response.content.decode()
    assert Study.objects.count() == before


def test_only_evaluators_see_the_import(world: World) -> None:
    listing = _client(world.school.director).get(reverse("studies")).content.decode()
    assert reverse("study_import") not in listing
    assert _client(world.school.director).get(reverse("study_import")).status_code == 404
