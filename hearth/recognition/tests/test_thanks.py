"""Thank-you notes: sent by a mentee, kept by the mentor, reported and hidden with a record."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hearth.recognition import services
from hearth.recognition.models import Acknowledgment, TeachingCreditRule, ThankYouNote
from hearth.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_learner_thanks_their_mentor_who_is_emailed_and_keeps_the_note(
    school, client, smtp_server, django_capture_on_commit_callbacks
):
    client.login(email=school.learner_a1.email, password=PASSWORD)
    page = client.get(reverse("thanks")).content.decode()
    assert "Thank a mentor" in page and "Mira Mentorone" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("thanks"),
            {
                "mentor": school.mentor_a1.pk,
                "body": "You got me through anatomy.",
                "anonymous": "on",
            },
        )
    assert response.status_code == 302
    note = ThankYouNote.objects.get()
    assert note.author == school.learner_a1 and note.anonymous and not note.may_quote
    mail = smtp_server.to(school.mentor_a1.email)[0]
    assert mail["Subject"] == "A learner sent you a thank-you note"
    assert "Lena" not in mail.get_payload(decode=True).decode()
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    page = client.get(reverse("thanks")).content.decode()
    assert "You got me through anatomy." in page and "Lena Learnerone" not in page


def test_only_someone_you_mentored_can_thank_you(school):
    with pytest.raises(ValidationError, match="has not mentored you"):
        services.note_send(author=school.learner_b1, mentor=school.mentor_a1, body="Thanks!")
    with pytest.raises(ValidationError, match="few words"):
        services.note_send(author=school.learner_a1, mentor=school.mentor_a1, body="   ")
    assert not ThankYouNote.objects.exists()


def test_a_reported_note_reaches_the_director_who_hides_it_with_a_reason(school, client):
    note = services.note_send(
        author=school.learner_a1, mentor=school.mentor_a1, body="Not really a thank-you."
    )
    client.login(email=school.mentor_b1.email, password=PASSWORD)
    assert client.post(reverse("note_report", args=[note.pk])).status_code == 404
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    client.post(reverse("note_report", args=[note.pk]))
    note.refresh_from_db()
    assert note.reported_at is not None
    client.login(email=school.director.email, password=PASSWORD)
    url = reverse("reported_notes", args=[school.program.slug])
    assert "Not really a thank-you." in client.get(url).content.decode()
    client.post(reverse("note_hide", args=[note.pk]), {"reason": ""})
    note.refresh_from_db()
    assert note.hidden_at is None, "a hide without a reason is refused"
    client.post(reverse("note_hide", args=[note.pk]), {"reason": "Written in anger"})
    note.refresh_from_db()
    assert note.hidden_by == school.director and note.hidden_reason == "Written in anger"
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    assert "Not really a thank-you." not in client.get(reverse("thanks")).content.decode()


def test_the_demo_mentor_has_a_collection_and_the_learner_has_thanked_their_mentor(demo):
    from hearth.people.models import Person

    mentor = Person.objects.get(email__startswith="mentor@")
    learner = Person.objects.get(email__startswith="learner@")
    assert ThankYouNote.objects.filter(mentor=mentor).count() >= 4
    assert ThankYouNote.objects.filter(mentor=mentor, anonymous=True).exists()
    assert ThankYouNote.objects.filter(author=learner).exists()
    assert Acknowledgment.objects.filter(mentor=mentor).exists()
    assert TeachingCreditRule.objects.exists()
