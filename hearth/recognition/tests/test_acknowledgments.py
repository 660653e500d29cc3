"""Directors acknowledge mentors; directors set the teaching-credit rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hearth.communities.models import Program
from hearth.recognition import services
from hearth.recognition.models import Acknowledgment, TeachingCreditRule
from hearth.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_director_acknowledges_a_mentor_who_is_emailed_and_keeps_it(
    school, client, smtp_server, django_capture_on_commit_callbacks
):
    client.login(email=school.director.email, password=PASSWORD)
    url = reverse("acknowledgments", args=[school.program.slug])
    page = client.get(url).content.decode()
    assert "Mira Mentorone" in page and "Lena Learnerone" not in page, "mentors only"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"mentor": school.mentor_a1.pk, "body": "Thank you for taking on Apgar 1."}
        )
    assert response.status_code == 302
    acknowledgment = Acknowledgment.objects.get()
    assert acknowledgment.sender == school.director and acknowledgment.program == school.program
    mail = smtp_server.to(school.mentor_a1.email)[0]
    assert mail["Subject"] == "Dora Director acknowledged your mentoring in MD Learning Communities"
    assert "Thank you for taking on Apgar 1." in mail.get_payload(decode=True).decode()
    assert "Thank you for taking on Apgar 1." in client.get(url).content.decode()
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    page = client.get(reverse("thanks")).content.decode()
    assert "Thank you for taking on Apgar 1." in page and "Dora Director" in page


def test_only_a_program_director_acknowledges_and_only_the_programs_mentors(school):
    for sender in [school.house_director, school.mentor_a2, school.outsider]:
        with pytest.raises(ValidationError, match="Only a director"):
            services.acknowledgment_send(
                director=sender, mentor=school.mentor_a1, program=school.program, body="Thanks"
            )
    with pytest.raises(ValidationError, match="has not mentored"):
        services.acknowledgment_send(
            director=school.director, mentor=school.learner_a1, program=school.program, body="Hi"
        )
    other = Program.objects.create(name="Residency Mentoring", slug="residency")
    with pytest.raises(ValidationError, match="Only a director"):
        services.acknowledgment_send(
            director=school.director, mentor=school.mentor_a1, program=other, body="Thanks"
        )
    with pytest.raises(ValidationError, match="few words"):
        services.acknowledgment_send(
            director=school.director, mentor=school.mentor_a1, program=school.program, body=" "
        )
    assert not Acknowledgment.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "mentor_a1", "learner_a1", "house_director"])
def test_director_pages_are_404_to_everyone_else(school, client, persona):
    client.login(email=school.persona(persona).email, password=PASSWORD)
    for name in ["acknowledgments", "portfolio_settings"]:
        url = reverse(name, args=[school.program.slug])
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "x", "label": "x"}).status_code == 404


def test_the_acknowledgments_page_reads_a_fixed_number_of_queries(
    school, client, django_assert_max_num_queries
):
    for mentor in [school.mentor_a1, school.mentor_a2, school.mentor_b1]:
        services.acknowledgment_send(
            director=school.director, mentor=mentor, program=school.program, body="Thank you."
        )
    client.login(email=school.director.email, password=PASSWORD)
    with django_assert_max_num_queries(12):
        client.get(reverse("acknowledgments", args=[school.program.slug]))


def test_a_director_sets_the_teaching_credit_rule(school, client):
    client.login(email=school.director.email, password=PASSWORD)
    url = reverse("portfolio_settings", args=[school.program.slug])
    assert "No rule yet" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "label": "teaching units",
            "credits_per_relationship": "1.5",
            "min_hours_per_year": "6",
            "max_credits_per_year": "",
        },
    )
    assert response.status_code == 302
    rule = TeachingCreditRule.objects.get(program=school.program)
    assert rule.credits_per_relationship == Decimal("1.5") and rule.max_credits_per_year is None
    client.post(
        url,
        {
            "label": "teaching units",
            "credits_per_relationship": "2",
            "min_hours_per_year": "6",
            "max_credits_per_year": "1",
        },
    )
    rule.refresh_from_db()
    assert rule.credits_per_relationship == Decimal("1.5"), "a limit below one share is refused"
    assert TeachingCreditRule.objects.count() == 1


def test_the_admin_lists_the_new_records_and_never_edits_an_issued_document(school, client):
    services.acknowledgment_send(
        director=school.director, mentor=school.mentor_a1, program=school.program, body="Thanks"
    )
    document, _ = services.portfolio_issue(mentor=school.mentor_a1)
    client.login(email=school.admin.email, password=PASSWORD)
    for model in ["acknowledgment", "teachingcreditrule", "issueddocument"]:
        assert client.get(reverse(f"admin:recognition_{model}_changelist")).status_code == 200
    change = reverse("admin:recognition_issueddocument_change", args=[document.pk])
    client.post(change, {"code": "AAAAA-AAAAA-AAAAA-AAAAA"})
    document.refresh_from_db()
    assert document.code != "AAAAA-AAAAA-AAAAA-AAAAA"
