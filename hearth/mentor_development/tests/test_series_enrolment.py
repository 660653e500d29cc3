"""Enrolment: invitations, asking to join, importing a file of emails, withdrawing."""

from __future__ import annotations

import datetime as dt
from email.message import Message

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import Mailbox
from hearth.mentor_development.models import Enrolment, EnrolmentSource, EnrolmentStatus
from hearth.mentor_development.services import series as services

from .series_world import is_enrolled, make_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(school, settings):
    settings.HEARTH_BASE_URL = "https://hearth.example.edu"
    return make_series(school, first=timezone.now() + dt.timedelta(days=7), sessions=3)


def text_of(message: Message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()  # type: ignore[union-attr]


def has_calendar(message: Message) -> bool:
    return any(p.get_content_type() == "text/calendar" for p in message.walk())


def test_an_invitation_is_emailed_and_accepting_enrols(
    school, series, smtp_server: Mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invited = services.enrolment_invite(
            series=series, person=school.mentor_a1, by=school.facilitator
        )
    assert (invited.status, invited.source) == (EnrolmentStatus.INVITED, "invitation")
    [mail] = smtp_server.to(school.mentor_a1.email)
    assert mail["Subject"] == "Invitation: Mentoring the Mentors"
    body = text_of(mail)
    assert "Fay Facilitator invites you" in body
    assert f"https://hearth.example.edu/development/series/{series.pk}/" in body
    assert not has_calendar(mail)
    with pytest.raises(ValidationError, match="already invited"):
        services.enrolment_invite(series=series, person=school.mentor_a1, by=school.director)

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_accept(enrolment=invited)
    assert is_enrolled(series, school.mentor_a1)
    enrolled_mail = smtp_server.to(school.mentor_a1.email)[-1]
    assert enrolled_mail["Subject"] == "Enrolled: Mentoring the Mentors"
    assert has_calendar(enrolled_mail)
    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrolment_invite(series=series, person=school.mentor_a1, by=school.director)


def test_a_declined_invitation_can_be_renewed(school, series):
    invited = services.enrolment_invite(series=series, person=school.mentor_a1, by=school.director)
    services.enrolment_decline(enrolment=invited)
    with pytest.raises(ValidationError, match="no invitation to accept"):
        services.enrolment_accept(enrolment=invited)
    again = services.enrolment_invite(series=series, person=school.mentor_a1, by=school.director)
    assert again.pk == invited.pk and again.status == EnrolmentStatus.INVITED


def test_asking_to_join_waits_for_a_decision_and_the_mentor_is_told(
    school, series, smtp_server: Mailbox, django_capture_on_commit_callbacks
):
    asked = services.enrolment_request(series=series, person=school.mentor_a1)
    other = services.enrolment_request(series=series, person=school.mentor_a2)
    assert (asked.status, asked.source) == (EnrolmentStatus.REQUESTED, EnrolmentSource.SELF)
    with pytest.raises(ValidationError, match="already asked"):
        services.enrolment_request(series=series, person=school.mentor_a1)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_decide(enrolment=asked, by=school.facilitator, approve=True)
        services.enrolment_decide(enrolment=other, by=school.facilitator, approve=False)
    asked.refresh_from_db()
    other.refresh_from_db()
    assert asked.status == EnrolmentStatus.ENROLLED and asked.decided_by == school.facilitator
    assert other.status == EnrolmentStatus.DECLINED
    [yes] = smtp_server.to(school.mentor_a1.email)
    [no] = smtp_server.to(school.mentor_a2.email)
    assert yes["Subject"] == "Enrolled: Mentoring the Mentors" and has_calendar(yes)
    assert no["Subject"] == "Not this time: Mentoring the Mentors"
    assert "was not accepted" in text_of(no)
    with pytest.raises(ValidationError, match="already been decided"):
        services.enrolment_decide(enrolment=asked, by=school.facilitator, approve=False)


def test_a_series_by_invitation_only_takes_no_requests(school):
    closed = make_series(
        school, first=timezone.now() + dt.timedelta(days=3), sessions=1, self_enrolment=False
    )
    with pytest.raises(ValidationError, match="invitation only"):
        services.enrolment_request(series=closed, person=school.mentor_a1)


def test_inviting_someone_who_asked_enrols_them(school, series):
    asked = services.enrolment_request(series=series, person=school.mentor_a1)
    enrolled = services.enrolment_invite(series=series, person=school.mentor_a1, by=school.director)
    assert enrolled.pk == asked.pk and enrolled.status == EnrolmentStatus.ENROLLED


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_import_enrols_everyone_the_file_names(
    school, series, smtp_server: Mailbox, django_capture_on_commit_callbacks
):
    services.enrolment_invite(series=series, person=school.mentor_b1, by=school.director)
    content = csv_bytes(
        "Email,Note",
        f"{school.mentor_a1.email.upper()},first",
        "",
        f"{school.mentor_a2.email},second",
        f"{school.mentor_b1.email},was invited",
    )
    with django_capture_on_commit_callbacks(execute=True):
        enrolled = services.enrolments_import(
            series=series, by=school.director, filename="cohort.csv", content=content
        )
    assert len(enrolled) == 3
    for person in [school.mentor_a1, school.mentor_a2, school.mentor_b1]:
        assert is_enrolled(series, person)
        assert smtp_server.to(person.email)[-1]["Subject"] == "Enrolled: Mentoring the Mentors"
    assert Enrolment.objects.get(person=school.mentor_a1).source == EnrolmentSource.IMPORT
    # Importing the same file again changes nothing.
    again = services.enrolments_import(
        series=series, by=school.director, filename="cohort.csv", content=content
    )
    assert again == []


def test_a_bad_row_names_row_field_and_reason_and_changes_nothing(school, series):
    content = csv_bytes(
        "email,name",
        f"{school.mentor_a1.email},Mira",
        "",
        "not-an-email,Nobody",
        "nobody@elsewhere.example.org,Nemo",
        f"{school.mentor_a1.email},Mira again",
        ",Someone forgot the email",
    )
    with pytest.raises(services.EnrolmentImportInvalid) as raised:
        services.enrolments_import(
            series=series, by=school.director, filename="cohort.csv", content=content
        )
    assert [str(e) for e in raised.value.errors] == [
        "row 4, column email: “not-an-email” is not an email address",
        "row 5, column email: no one in Hearth has the email “nobody@elsewhere.example.org”",
        "row 6, column email: repeats row 2",
        "row 7, column email: is empty",
    ]
    assert not Enrolment.objects.exists()


def test_a_file_without_an_email_column_is_refused(school, series):
    with pytest.raises(ValidationError, match="column “email”"):
        services.enrolments_import(
            series=series, by=school.director, filename="c.csv", content=csv_bytes("name", "Mira")
        )
    with pytest.raises(ValidationError, match="neither"):
        services.enrolments_import(
            series=series, by=school.director, filename="c.txt", content=b"email\n"
        )


def test_withdrawing_takes_the_sessions_out_of_the_calendar(
    school, series, smtp_server: Mailbox, django_capture_on_commit_callbacks
):
    invited = services.enrolment_invite(series=series, person=school.mentor_a1, by=school.director)
    enrolled = services.enrolment_accept(enrolment=invited)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_withdraw(enrolment=enrolled)
    assert not is_enrolled(series, school.mentor_a1)
    [mail] = smtp_server.to(school.mentor_a1.email)
    assert mail["Subject"] == "Withdrawn: Mentoring the Mentors"
    [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"
    with pytest.raises(ValidationError, match="not in this series"):
        services.enrolment_withdraw(enrolment=enrolled)
    # Withdrawn, a mentor may ask to join again.
    assert services.enrolment_request(series=series, person=school.mentor_a1).status == (
        EnrolmentStatus.REQUESTED
    )
