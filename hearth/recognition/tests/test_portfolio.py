"""The mentoring portfolio: its content, its PDF, and the public check of both."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hearth.communities.models import Relationship
from hearth.meetings import services as meetings
from hearth.meetings.models import GoalStatus
from hearth.recognition import services, verification
from hearth.recognition.models import IssuedDocument
from hearth.recognition.portfolio import portfolio_content
from hearth.serendipity import services as serendipity
from hearth.testing import PASSWORD

pytestmark = pytest.mark.django_db

LEARNER_NAMES = ["Lena Learnerone", "Lars Learnermate", "Luca Learnertwo", "Lia Learnerthree"]


def _at(day: dt.date, hour: int = 15) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _record(school):
    """A year of mentoring for Mira: meetings, goals, notes, an acknowledgment, a circle."""
    mira = school.mentor_a1
    with_lena = Relationship.objects.get(mentor=mira, mentee=school.learner_a1)
    with_lars = Relationship.objects.get(mentor=mira, mentee=school.mate_a1)
    plan = {"organiser": mira, "allow_past": True, "location": "Room 4"}
    meetings.meeting_create(
        **plan,
        title="Check-in",
        relationship=with_lena,
        starts_at=_at(dt.date(2025, 1, 15)),
        duration_minutes=60,
    )
    meetings.meeting_create(
        **plan,
        title="Apgar 1 session",
        group=school.group_a1,
        kind="group",
        starts_at=_at(dt.date(2025, 3, 10)),
        duration_minutes=90,
    )
    cancelled = meetings.meeting_create(
        **plan,
        title="Cancelled",
        relationship=with_lars,
        starts_at=_at(dt.date(2025, 2, 1)),
        duration_minutes=600,
    )
    meetings.meeting_cancel(meeting=cancelled, person=mira)
    meetings.meeting_create(
        **plan,
        title="Next month",
        relationship=with_lars,
        starts_at=timezone.now() + dt.timedelta(days=30),
        duration_minutes=600,
    )
    goals = [("Pass Step 1", GoalStatus.ACHIEVED), ("Publish", GoalStatus.IN_PROGRESS)]
    for title, status in goals:
        meetings.goal_save(
            relationship=with_lena,
            person=school.learner_a1,
            title=title,
            why="",
            milestones="",
            status=status,
        )
    notes = {
        "named": services.note_send(
            author=school.learner_a1, mentor=mira, body="You taught me to ask.", may_quote=True
        ),
        "anonymous": services.note_send(
            author=school.mate_a1,
            mentor=mira,
            body="Thank you for every Friday.",
            anonymous=True,
            may_quote=True,
        ),
        "private": services.note_send(
            author=school.mate_a1, mentor=mira, body="Just between us: thanks."
        ),
        "hidden": services.note_send(
            author=school.learner_a1, mentor=mira, body="A hidden note.", may_quote=True
        ),
    }
    services.note_hide(note=notes["hidden"], director=school.director, reason="Test")
    services.acknowledgment_send(
        director=school.director,
        mentor=mira,
        program=school.program,
        body="Apgar 1 thrives because of you.",
    )
    services.credit_rule_save(
        program=school.program,
        director=school.director,
        label="teaching credits",
        credits_per_relationship=Decimal("1.5"),
        min_hours_per_year=Decimal("2"),
    )
    circle = serendipity.circle_create(
        program=school.program,
        created_by=school.director,
        name="Coffee",
        first_round_at=timezone.now() - dt.timedelta(days=1),
    )
    for person in [mira, school.mentor_b1]:
        serendipity.circle_join(circle=circle, person=person)
    round_ = serendipity.round_run(circle=circle, introduce=False)
    member = round_.pairings.get(members__person=mira).members.get(person=mira)
    serendipity.pairing_respond(member=member, response="met")
    return notes


def test_the_content_counts_mentoring_and_quotes_only_consenting_notes(school):
    _record(school)
    content = portfolio_content(school.mentor_a1)
    assert content["title"] == "Mentoring and advising — Mira Mentorone"
    assert content["source"] == "Hearth records for MD Learning Communities"
    [program] = content["programs"]
    assert program["communities"] == "Apgar House" and program["years"] == "2024–present"
    assert content["learners"] == {
        "rows": [
            {
                "program": "MD Learning Communities",
                "kind": "Learning-community mentor",
                "current": 2,
                "past": 0,
            }
        ],
        "total": 2,
        "current": 2,
        "graduated": 0,
    }
    # One hour with Lena and a 90-minute group session; not the cancelled or future ones.
    assert content["meetings"]["total"] == 2 and content["meetings"]["hours"] == "2.5"
    assert content["meetings"]["rows"][0]["group_sessions"] == 1
    # Lena's relationship had 2.5 hours in 2024–25 (her hour and the group's), Lars's 1.5.
    [credits] = content["teaching_credits"]
    assert credits["years"] == [
        {
            "year": "2024–25",
            "relationships": 2,
            "qualifying": 1,
            "hours": "4.0",
            "credits": "1.5",
            "capped": False,
        }
    ]
    assert content["goals"] == {"set": 2, "reached": 1, "learners": 1}
    assert content["serendipity"] == {"circles": 1, "pairings": 1, "met": 1, "open_doors": 0}
    assert [n["body"] for n in content["notes"]] == [
        "You taught me to ask.",
        "Thank you for every Friday.",
    ]
    assert {n["signature"] for n in content["notes"]} == {"A learner"}
    assert content["acknowledgments"][0]["sender"] == "Dora Director"
    assert content["mentee_feedback"] is None
    assert not any(name in str(content) for name in LEARNER_NAMES)


def test_another_mentors_portfolio_holds_none_of_this(school):
    _record(school)
    content = portfolio_content(school.mentor_a2)
    assert content["learners"]["total"] == 1
    assert content["meetings"]["total"] == 0 and content["notes"] == []
    assert content["acknowledgments"] == [] and content["goals"]["set"] == 0


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_reads_back_with_its_code_and_no_learner_names(school, client):
    _record(school)
    document, pdf = services.portfolio_issue(mentor=school.mentor_a1)
    text = _text(pdf)
    assert "Mentoring and advising — Mira Mentorone" in text
    assert "Hearth records for MD Learning Communities" in text
    assert "You taught me to ask." in text and "Just between us" not in text
    assert "A hidden note." not in text
    assert "Apgar 1 thrives because of you." in text
    assert not any(name in text for name in LEARNER_NAMES)
    pages = PdfReader(io.BytesIO(pdf)).pages
    for page in pages:
        assert f"Verification code {document.code}" in page.extract_text()
    assert document.code in PdfReader(io.BytesIO(pdf)).metadata["/Keywords"]
    assert verification.find_code(pdf) == document.code
    assert document.pdf_sha256 == verification.pdf_sha256(pdf)
    assert verification.verify_pdf(pdf).valid
    # A committee member follows the link in the footer, signed out.
    page = client.get(reverse("verify_code", args=[document.code])).content.decode()
    assert "Valid" in page and "Mira Mentorone" in page and "Not valid" not in page
    assert "Meeting hours" in page and "2.5" in page


def test_one_changed_byte_makes_the_file_fail(school, client):
    document, pdf = services.portfolio_issue(mentor=school.mentor_a1)
    upload = SimpleUploadedFile("portfolio.pdf", pdf, content_type="application/pdf")
    page = client.post(reverse("verify"), {"pdf": upload}).content.decode()
    issued_on = f"{document.issued_at.day} {document.issued_at:%B %Y}"
    assert f"This file is exactly the mentoring portfolio Hearth issued on {issued_on}" in page
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    upload = SimpleUploadedFile("portfolio.pdf", bytes(changed), content_type="application/pdf")
    page = client.post(reverse("verify"), {"pdf": upload}).content.decode()
    assert "This file does not match what Hearth issued: it was changed after issue" in page
    assert "This file is exactly" not in page
    assert verification.verify_pdf(bytes(changed)).outcome == verification.FILE_CHANGED


def test_an_edited_record_no_longer_matches_its_code(school, client):
    document, pdf = services.portfolio_issue(mentor=school.mentor_a1)
    assert verification.verify_code(document.code).valid
    content = dict(document.content)
    content["summary"] = [["Learners mentored", "200"]]
    IssuedDocument.objects.filter(pk=document.pk).update(content=content)
    assert verification.verify_code(document.code).outcome == verification.RECORD_ALTERED
    assert verification.verify_pdf(pdf).outcome == verification.RECORD_ALTERED
    page = client.get(reverse("verify_code", args=[document.code])).content.decode()
    assert "no longer matches its signature" in page and "200" not in page


def test_codes_are_typed_loosely_and_unknown_codes_fail(school, client):
    document, _ = services.portfolio_issue(mentor=school.mentor_a1)
    typed = document.code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    response = client.get(reverse("verify"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("verify_code", args=[document.code])
    flipped = ("1" if document.code[0] != "1" else "2") + document.code[1:]
    page = client.get(reverse("verify_code", args=[flipped])).content.decode()
    assert "Hearth has not issued this code" in page
    page = client.get(reverse("verify"), {"code": "hello"}).content.decode()
    assert "not a Hearth verification code" in page


def test_uploads_that_are_not_portfolios_are_refused_plainly(school, client, monkeypatch):
    def post(name: str, data: bytes) -> str:
        upload = SimpleUploadedFile(name, data, content_type="application/pdf")
        return client.post(reverse("verify"), {"pdf": upload}).content.decode()

    assert "This file is not a PDF" in post("notes.pdf", b"GIF89a not a pdf")
    assert "No verification code found" in post("empty.pdf", b"%PDF-1.4\n%%EOF\n")
    monkeypatch.setattr(verification, "MAX_UPLOAD_BYTES", 100)
    assert "larger than 10 MB" in post("big.pdf", b"%PDF-1.4\n" + b"0" * 200)


def test_signing_depends_on_every_part_of_the_content():
    content = {"summary": [["Meetings held", "3"]], "issued_to": "Mira"}
    code = verification.sign("portfolio", content)
    assert len(code) == 23 and code.count("-") == 3
    assert verification.normalize_code(code) == code
    assert verification.sign("portfolio", dict(reversed(content.items()))) == code
    assert verification.sign("portfolio", {**content, "issued_to": "Mina"}) != code
    assert verification.sign("certificate", content) != code
    with pytest.raises(TypeError):
        verification.sign("portfolio", {"hours": 2.5})


def test_the_mentor_previews_and_downloads_each_time_a_new_record(school, client):
    notes = _record(school)
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    page = client.get(reverse("portfolio")).content.decode()
    assert "Download PDF" in page and "Apgar 1 thrives because of you." in page
    assert "Just between us" not in page
    response = client.post(reverse("portfolio_pdf"), {"notes": [notes["anonymous"].pk]})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="mentoring-portfolio-mira-mentorone-'
    )
    text = _text(response.content)
    assert "Thank you for every Friday." in text and "You taught me to ask." not in text
    client.post(reverse("portfolio_pdf"), {"notes": [notes["hidden"].pk]})
    assert IssuedDocument.objects.filter(person=school.mentor_a1).count() == 2
    latest = IssuedDocument.objects.filter(person=school.mentor_a1).first()
    assert latest.content["notes"] == [], "a hidden note cannot be chosen"
    assert latest.code in client.get(reverse("portfolio")).content.decode()


def test_the_portfolio_is_the_users_own_and_needs_sign_in(school, client):
    response = client.get(reverse("portfolio"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("portfolio_pdf")).status_code == 302
    assert not IssuedDocument.objects.exists()
    client.login(email=school.outsider.email, password=PASSWORD)
    page = client.get(reverse("portfolio")).content.decode()
    assert "fills in once you mentor" in page and "Download PDF" not in page
    assert client.post(reverse("portfolio_pdf")).status_code == 302
    assert not IssuedDocument.objects.exists()


def test_codes_still_check_out_after_the_key_is_rotated(school, settings):
    document, _ = services.portfolio_issue(mentor=school.mentor_a1)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-after-rotation-" + "x" * 40
    assert verification.verify_code(document.code).outcome == verification.RECORD_ALTERED
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert verification.verify_code(document.code).valid
