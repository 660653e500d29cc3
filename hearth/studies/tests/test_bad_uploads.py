"""Bad files at every study upload, through the real pages: a transcript, a recording, a
whole project (.qdpx or Dedoose .xlsx) and a codebook (.qdc). Each is refused with a clear
message and a 400, and nothing is stored."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter

from hearth.communities.tests.test_bad_uploads import billion_laughs, png_bytes, xlsx_bomb
from hearth.studies import transcription
from hearth.studies.importers import MAX_BYTES
from hearth.studies.models import Code, CodedSegment, Memo, Participant, Source, Study
from hearth.studies.tests.world import World, build_world
from hearth.testing import PASSWORD, School

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
DOCUMENT = "word/document.xml"


def state() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Study, Source, Code, CodedSegment, Memo, Participant)
    )


@pytest.fixture
def world(school: School) -> World:
    return build_world(school)


@pytest.fixture
def lead(client: Client, world: World) -> Client:
    client.login(email=world.lead.email, password=PASSWORD)
    return client


def _post(client: Client, url: str, filename: str, content: bytes, **data: object) -> str:
    before = state()
    response = client.post(url, {"file": SimpleUploadedFile(filename, content), **data})
    assert response.status_code == 400
    assert state() == before
    return response.content.decode()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_with(document_xml: bytes | None = None, *, padding_mb: int = 0) -> bytes:
    """A real .docx with its document part replaced, or padded with blanks to a bomb."""
    made = io.BytesIO()
    docx.Document().save(made)
    source = zipfile.ZipFile(made)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member)
            if member.filename != DOCUMENT:
                archive.writestr(member, data)
            elif document_xml is not None:
                archive.writestr(DOCUMENT, document_xml)
            else:
                with archive.open(DOCUMENT, "w") as part:
                    part.write(data.replace(b"</w:document>", b""))
                    for _ in range(padding_mb):
                        part.write(b" " * MB)
                    part.write(b"</w:document>")
    return out.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


# -- A transcript ----------------------------------------------------------------------------


@pytest.fixture
def source_url(world: World) -> str:
    return reverse("source_import", args=[world.study.pk])


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("notes.txt", png_bytes(), "looks like a binary file, not text"),
        ("interview.docx", pdf_bytes(), "not a DOCX file (it is not a zip archive)"),
        ("interview.pdf", b"Interviewer: hello\n", "not a PDF file"),
        ("interview.exe", b"MZ", "files &#x27;.exe&#x27; cannot be imported"),
    ],
)
def test_a_transcript_of_the_wrong_type_is_refused(
    lead: Client, source_url: str, filename: str, content: bytes, message: str
) -> None:
    assert message in _post(lead, source_url, filename, content)


def test_a_transcript_over_the_limit_is_refused(lead: Client, source_url: str) -> None:
    body = _post(lead, source_url, "long.txt", b"P01: hello\n" * (MAX_BYTES // 11 + 1))
    assert "the file is larger than 20 MB" in body


def test_a_docx_zip_bomb_is_refused_before_python_docx_inflates_it(
    lead: Client, source_url: str
) -> None:
    bomb = docx_with(padding_mb=40)
    assert len(bomb) < MB
    body = _post(lead, source_url, "bomb.docx", bomb)
    assert f"the DOCX looks like a zip bomb: “{DOCUMENT}” unpacks to 40 MB" in body


def test_a_docx_with_entity_expansion_is_refused(lead: Client, source_url: str) -> None:
    body = _post(lead, source_url, "laughs.docx", docx_with(billion_laughs(b"w:document")))
    assert "Nothing was imported" in body
    assert "lol" not in body


# -- A recording -----------------------------------------------------------------------------


@pytest.mark.skipif(not transcription.engine_installed(), reason="recordings are probed by av")
def test_a_text_file_named_as_a_recording_is_refused(lead: Client, world: World) -> None:
    url = reverse("recording_upload", args=[world.study.pk])
    body = _post(lead, url, "interview.mp3", b"Interviewer: this is not sound\n" * 50)
    assert "Nothing was uploaded: “interview.mp3”" in body


def test_a_file_that_is_not_a_recording_type_is_refused(lead: Client, world: World) -> None:
    url = reverse("recording_upload", args=[world.study.pk])
    body = _post(lead, url, "interview.txt", b"Interviewer: hello\n")
    assert "“interview.txt” is not a recording Hearth takes" in body


# -- A whole project -------------------------------------------------------------------------


def _import(client: Client, world: World, filename: str, content: bytes) -> str:
    url = reverse("study_import")
    return _post(client, url, filename, content, program=world.school.program.pk)


def test_random_bytes_named_qdpx_are_refused(lead: Client, world: World) -> None:
    body = _import(lead, world, "project.qdpx", bytes(range(256)) * 64)
    assert "is not a zip archive (a .qdpx file is one)" in body


def test_a_qdpx_zip_bomb_is_refused(lead: Client, world: World) -> None:
    bomb = zip_of({"project.qde": b"<Project/>", "sources/a.txt": b"\0" * (40 * MB)})
    assert len(bomb) < MB
    body = _import(lead, world, "project.qdpx", bomb)
    assert "looks like a zip bomb: “sources/a.txt” unpacks to 40 MB" in body


def test_a_qdpx_with_entity_expansion_is_refused(lead: Client, world: World) -> None:
    body = _import(lead, world, "laughs.qdpx", zip_of({"project.qde": billion_laughs(b"Project")}))
    assert "Nothing was imported" in body
    assert "lollol" not in body


def test_a_text_file_named_as_a_dedoose_export_is_refused(lead: Client, world: World) -> None:
    body = _import(lead, world, "excerpts.xlsx", b"Media Title,Excerpt Copy\nA,B\n")
    assert "excerpts.xlsx is not a zip archive (an .xlsx workbook is one)" in body


def test_a_dedoose_xlsx_zip_bomb_is_refused(lead: Client, world: World) -> None:
    body = _import(lead, world, "excerpts.xlsx", xlsx_bomb(20))
    assert "looks like a zip bomb" in body


def test_a_project_over_the_limit_is_refused(lead: Client, world: World) -> None:
    body = _import(lead, world, "huge.qdpx", b"\0" * (50 * MB + 1))
    assert "The file is larger than 50 MB: nothing was imported." in body


# -- A codebook ------------------------------------------------------------------------------


def test_a_qdc_with_entity_expansion_is_refused(lead: Client, world: World) -> None:
    url = reverse("codebook_exchange", args=[world.study.pk])
    body = _post(lead, url, "codes.qdc", billion_laughs(b"CodeBook"))
    assert "lollol" not in body
    assert 'role="alert"' in body or "error" in body


def test_a_png_named_qdc_is_refused(lead: Client, world: World) -> None:
    url = reverse("codebook_exchange", args=[world.study.pk])
    _post(lead, url, "codes.qdc", png_bytes())
