"""A thank-you note is read by its sender and its mentor only; a portfolio by its mentor only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hearth.recognition.services import note_send

WORDS = "You stayed late the night before my exam"


@pytest.fixture
def note(school):  # noqa: ANN001, ANN201
    return note_send(author=school.learner_a1, mentor=school.mentor_a1, body=WORDS)


def _pages(school) -> list[str]:  # noqa: ANN001
    slug = school.program.slug
    return [
        reverse("thanks"),
        reverse("portfolio"),
        reverse("home"),
        reverse("person", args=[school.mentor_a1.pk]),
        reverse("person", args=[school.learner_a1.pk]),
        reverse("acknowledgments", args=[slug]),
        reverse("reported_notes", args=[slug]),
        reverse("portfolio_settings", args=[slug]),
        reverse("my_data"),
    ]


@pytest.mark.parametrize(
    "who", ["mate_a1", "mentor_a2", "house_director", "director", "admin", "outsider"]
)
def test_a_private_note_is_read_by_no_one_but_its_sender_and_its_mentor(client, school, note, who):
    client.force_login(school.persona(who))
    for url in _pages(school):
        response = client.get(url)
        if response.status_code == 200:
            assert WORDS not in response.content.decode(), f"{who} on {url}"
    assert client.post(reverse("note_report", args=[note.pk])).status_code == 404


def test_its_mentor_reads_it(client, school, note):
    # The same pages answer with the words for the mentor, so the checks above can fail.
    client.force_login(school.mentor_a1)
    assert WORDS in client.get(reverse("thanks")).content.decode()


def test_another_mentors_portfolio_cannot_take_in_someone_elses_note(client, school, note):
    client.force_login(school.mentor_a2)
    assert WORDS not in client.get(reverse("portfolio")).content.decode()
    # Asking for mentor_a1's note by id issues nothing that holds it.
    response = client.post(reverse("portfolio_pdf"), {"notes": [str(note.pk)]})
    assert WORDS.encode() not in response.content
