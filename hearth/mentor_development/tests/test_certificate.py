"""The completion certificate: a signed PDF that /verify/ accepts, and the portfolio entry."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hearth.mentor_development.services import series as services
from hearth.recognition import verification
from hearth.recognition.portfolio import portfolio_content
from hearth.recognition.services import portfolio_issue
from hearth.testing import PASSWORD

from .series_world import enrol, make_series, sessions_of

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def finished(school, settings):
    """A three-session series that ended last week; Mira attended all, Mateo one."""
    settings.HEARTH_BASE_URL = "https://hearth.example.edu"
    series = make_series(
        school, title="Mentoring the Mentors 2026", first=timezone.now() - dt.timedelta(days=22)
    )
    enrol(series, school.mentor_a1, school.mentor_a2, by=school.director)
    for session in sessions_of(series):
        services.attendance_check_in(
            session=session, person=school.mentor_a1, now=session.starts_at
        )
    first = sessions_of(series)[0]
    services.attendance_check_in(session=first, person=school.mentor_a2, now=first.starts_at)
    return series


def test_the_certificate_is_a_signed_pdf_that_verify_accepts(school, finished, client):
    document, pdf = services.certificate_issue(series=finished, person=school.mentor_a1)
    assert document.kind == "certificate" and document.person == school.mentor_a1
    text = pdf_text(pdf)
    assert "Certificate of completion" in text
    assert "Mira Mentorone" in text and "Mentoring the Mentors 2026" in text
    assert "attending 3 of its 3 sessions" in text
    assert "Facilitated by Fay Facilitator" in text
    assert f"Verification code {document.code}" in text
    assert f"https://hearth.example.edu/verify/{document.code}/" in text

    assert verification.find_code(pdf) == document.code
    assert verification.verify_code(document.code).valid
    assert verification.verify_pdf(pdf).valid
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    verdict = verification.verify_pdf(bytes(changed))
    assert not verdict.valid and verdict.outcome == verification.FILE_CHANGED

    page = client.get(reverse("verify_code", args=[document.code])).content.decode()
    assert "Valid" in page and "Certificate of completion — Mentoring the Mentors 2026" in page
    assert "3 of 3" in page
    upload = client.post(
        reverse("verify"), {"pdf": SimpleUploadedFile("c.pdf", pdf, "application/pdf")}
    )
    assert "This file is exactly" in upload.content.decode()


def test_no_certificate_before_completing_or_before_the_last_session(school, finished):
    with pytest.raises(ValidationError, match="ready once you have completed"):
        services.certificate_issue(series=finished, person=school.mentor_a2)
    last = sessions_of(finished)[-1]
    with pytest.raises(ValidationError, match="ready once"):
        services.certificate_issue(
            series=finished, person=school.mentor_a1, now=last.ends_at - dt.timedelta(minutes=1)
        )
    with pytest.raises(ValidationError, match="ready once"):
        services.certificate_issue(series=finished, person=school.outsider)


def test_the_trainee_downloads_it_from_the_series_page(school, finished, client):
    url = reverse("training_certificate", args=[finished.pk])
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    page = client.get(reverse("training_series", args=[finished.pk])).content.decode()
    assert url in page
    response = client.post(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="certificate-mentoring-the-mentors-2026-mira-mentorone-'
    )
    assert verification.verify_pdf(response.content).valid

    client.login(email=school.mentor_a2.email, password=PASSWORD)
    assert url not in client.get(reverse("training_series", args=[finished.pk])).content.decode()
    refused = client.post(url, follow=True)
    assert "ready once you have completed" in refused.content.decode()

    client.login(email=school.outsider.email, password=PASSWORD)
    assert client.post(url).status_code == 404


def test_a_completed_series_appears_in_the_portfolio(school, finished):
    content = portfolio_content(school.mentor_a1)
    [entry] = content["mentor_development"]
    assert entry["series"] == "Mentoring the Mentors 2026" and entry["sessions"] == "3 of 3"
    assert entry["program"] == "MD Learning Communities"
    assert ["Training series completed", "1"] in content["summary"]
    assert portfolio_content(school.mentor_a2)["mentor_development"] == []
    _, pdf = portfolio_issue(mentor=school.mentor_a1)
    text = pdf_text(pdf)
    assert "Mentor development" in text and "Mentoring the Mentors 2026" in text
