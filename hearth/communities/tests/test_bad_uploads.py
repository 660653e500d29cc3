"""Bad files at the roster import, through the real page: each is refused with one clear
message and a 400, and nothing is stored. The builders are reused by other apps' tests."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from hearth.communities.models import GroupMembership, RosterImport
from hearth.people.models import Person
from hearth.testing import PASSWORD, School

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def xlsx_bytes(*rows: list[str]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_bomb(megabytes: int) -> bytes:
    """A real workbook whose sheet XML is padded with `megabytes` MB of blanks: a few hundred
    KB to upload, valid XML that openpyxl would inflate whole."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(["email"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            if member.filename != SHEET:
                archive.writestr(member, source.read(member))
                continue
            with archive.open(SHEET, "w") as part:
                part.write(
                    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData>'
                )
                blanks = b" " * MB
                for _ in range(megabytes):
                    part.write(blanks)
                part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def state() -> tuple[int, int, int]:
    return RosterImport.objects.count(), Person.objects.count(), GroupMembership.objects.count()


@pytest.fixture
def director(client: Client, school: School) -> Client:
    client.login(email=school.director.email, password=PASSWORD)
    return client


def _upload(client: Client, school: School, filename: str, content: bytes) -> str:
    before = state()
    response = client.post(
        reverse("roster_import", args=[school.program.slug]),
        {"file": SimpleUploadedFile(filename, content)},
    )
    assert response.status_code == 400
    assert state() == before
    return response.content.decode()


def test_a_png_named_csv_is_refused_as_not_text(director: Client, school: School) -> None:
    body = _upload(director, school, "roster.csv", png_bytes())
    assert "“roster.csv” is not UTF-8 text" in body


def test_a_text_file_named_xlsx_is_refused_as_not_a_workbook(
    director: Client, school: School
) -> None:
    body = _upload(director, school, "roster.xlsx", b"email\nnew@school.example.edu\n")
    assert "could not be read as an Excel workbook" in body


def test_a_file_over_the_limit_is_refused_with_the_limit(
    director: Client, school: School, settings: object
) -> None:
    settings.HEARTH_MAX_IMPORT_BYTES = 1024  # type: ignore[attr-defined]
    body = _upload(director, school, "roster.csv", b"email\n" + b"a@b.example.edu\n" * 100)
    assert "the most Hearth accepts is 1.0\xa0KB" in body


def test_an_xlsx_zip_bomb_is_refused_before_openpyxl_inflates_it(
    director: Client, school: School
) -> None:
    bomb = xlsx_bomb(200)
    assert len(bomb) < MB
    body = _upload(director, school, "roster.xlsx", bomb)
    assert "unpacks to 200 MB, more than the 150 MB allowed" in body
    assert "looks like a zip bomb" in body


def test_a_smaller_bomb_is_refused_by_its_compression_ratio(
    director: Client, school: School
) -> None:
    body = _upload(director, school, "roster.xlsx", xlsx_bomb(20))
    assert f"looks like a zip bomb: “{SHEET}” unpacks to 20 MB" in body


def test_an_xlsx_with_entity_expansion_is_refused(director: Client, school: School) -> None:
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(["email"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == SHEET:
                data = billion_laughs(b"worksheet")
            archive.writestr(member, data)
    body = _upload(director, school, "roster.xlsx", out.getvalue())
    assert "could not be read as an Excel workbook" in body


def billion_laughs(root: bytes) -> bytes:
    """XML whose entities would expand to 10^9 "lol"s if a parser resolved them."""
    entities = [b'<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        entities.append(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10))
    return b'<?xml version="1.0"?><!DOCTYPE %s [%s]><%s>&lol9;</%s>' % (
        root,
        b"".join(entities),
        root,
        root,
    )
