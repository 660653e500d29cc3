"""Importing transcripts through the page: real files in, plain messages for bad ones, and
nothing half-imported."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hearth.lib.pdf import typst_pdf
from hearth.studies import views
from hearth.studies.models import Consent, Source, Turn
from hearth.studies.tests.world import World
from hearth.testing import PASSWORD

FILES = Path(__file__).parent / "files"


@pytest.fixture
def lead(world: World) -> Client:
    client = Client()
    client.login(email=world.lead.email, password=PASSWORD)
    return client


def _preview(client: Client, world: World, name: str, data: bytes):  # noqa: ANN202
    return client.post(
        reverse("source_import", args=[world.study.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )


def _confirm(client: Client, world: World, preview, **fields):  # noqa: ANN001, ANN003, ANN202
    payload = preview.context["confirm"]["payload"].value()
    return client.post(
        reverse("source_import", args=[world.study.pk]),
        {"payload": payload, "title": "Imported", **fields},
    )


def _pdf(text: str) -> bytes:
    with tempfile.TemporaryDirectory() as root:
        template = Path(root) / "t.typ"
        template.write_text(
            "#set page(width: 16cm, height: auto)\n#let d = json(bytes(sys.inputs.data))\n"
            "#for line in d.lines [#line \\ ]\n",
            encoding="utf-8",
        )
        return typst_pdf(template, data={"lines": text.splitlines()})


def _docx(lines: list[str]) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_vtt_keeps_speaker_turns_and_timestamps(lead: Client, world: World) -> None:
    preview = _preview(lead, world, "interview.vtt", (FILES / "interview.vtt").read_bytes())
    body = preview.content.decode()
    assert "Weekly meetings with my mentor." in body and "1:04" in body
    assert Source.objects.filter(study=world.study).count() == 2  # nothing written yet
    speaker = list(preview.context["confirm"].speakers).index("Dr. Okafor")
    response = _confirm(
        lead, world, preview, participant=world.p1.pk, **{f"speaker_{speaker}": world.p1.pk}
    )
    source = Source.objects.get(title="Imported")
    assert response.status_code == 302
    turns = list(source.turns.order_by("index"))
    assert [t.speaker for t in turns] == ["Interviewer", "Dr. Okafor", "Interviewer", "Dr. Okafor"]
    assert turns[3].begins_at == 64.5 and turns[3].ends_at == 68.0
    assert source.text[turns[3].start : turns[3].end] == "Weekly meetings with my mentor."
    assert [t.participant_id for t in turns] == [None, world.p1.pk, None, world.p1.pk]
    assert Consent.objects.filter(source=source, participant=world.p1).exists()


@pytest.mark.parametrize(
    ("name", "content", "words", "turns"),
    [
        ("interview.srt", (FILES / "interview.srt").read_bytes(), None, None),
        ("ID1.docx", (FILES / "qualcoder" / "ID1.docx").read_bytes(), None, None),
        (
            "notes.docx",
            _docx(["Interviewer: What helped?", "P01: My group, every week."]),
            "My group, every week.",
            2,
        ),
        (
            "interview.pdf",
            _pdf("Interviewer: What helped most?\nP01: Weekly meetings with my mentor."),
            "Weekly meetings with my mentor.",
            2,
        ),
        ("transcript.txt", (FILES / "qualcoder" / "transcript.txt").read_bytes(), None, 7),
    ],
)
def test_real_files_import_with_their_turns(
    lead: Client, world: World, name: str, content: bytes, words: str | None, turns: int | None
) -> None:
    preview = _preview(lead, world, name, content)
    assert preview.status_code == 200 and "confirm" in preview.context, preview.content[:400]
    assert _confirm(lead, world, preview).status_code == 302
    source = Source.objects.get(title="Imported")
    assert source.text.strip()
    found = list(source.turns.order_by("index"))
    if turns is not None:
        assert len(found) == turns
    if words is not None:
        assert any(source.text[t.start : t.end] == words for t in found)
    for t in found:
        assert 0 <= t.start < t.end <= len(source.text)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.docx", b"PK\x03\x04 this is not a real zip archive", "not a DOCX file"),
        ("words.docx", b"just some words", "not a DOCX file (it is not a zip archive)"),
        (
            "broken.vtt",
            b"WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nHello there\n",
            "line 3: timestamp",
        ),
        ("backwards.srt", b"1\n00:00:05,000 --> 00:00:01,000\nHi\n", "ends (00:00:01,000)"),
        ("scan.pdf", b"%PDF-1.4 nonsense", "PDF"),
        ("program.exe", b"MZ\x00\x00", "cannot be imported"),
        ("empty.txt", b"   \n", "no text"),
    ],
)
def test_bad_files_say_why_and_import_nothing(
    lead: Client, world: World, name: str, content: bytes, message: str
) -> None:
    before = (Source.objects.count(), Turn.objects.count())
    response = _preview(lead, world, name, content)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in body and message in body
    assert "confirm" not in response.context
    assert (Source.objects.count(), Turn.objects.count()) == before


def test_a_huge_file_is_refused_before_it_is_read(lead: Client, world: World, monkeypatch) -> None:
    monkeypatch.setattr(views, "MAX_BYTES", 1024)
    response = _preview(lead, world, "long.txt", b"Interviewer: hello\n" * 200)
    assert "Nothing was imported: the file is larger than" in response.content.decode()
    assert Source.objects.count() == 2


def test_a_tampered_preview_is_refused(lead: Client, world: World) -> None:
    preview = _preview(lead, world, "interview.vtt", (FILES / "interview.vtt").read_bytes())
    payload = preview.context["confirm"]["payload"].value()
    response = lead.post(
        reverse("source_import", args=[world.study.pk]),
        {"payload": payload[:-3] + "abc", "title": "Forged"},
        follow=True,
    )
    assert "That preview has expired" in response.content.decode()
    assert not Source.objects.filter(title="Forged").exists()


def test_a_participant_without_consent_cannot_be_imported(lead: Client, world: World) -> None:
    from hearth.studies import services

    stranger = services.participant_add(study=world.study, by=world.lead, pseudonym="P09")
    preview = _preview(lead, world, "a.txt", b"Interviewer: hi?\nP09: hello.\n")
    response = _confirm(lead, world, preview, participant=stranger.pk)
    assert "P09 has no consent on record" in response.content.decode()
    assert not Source.objects.filter(title="Imported").exists()
    assert re.search(r"Import</button>", response.content.decode())  # the page stays usable
