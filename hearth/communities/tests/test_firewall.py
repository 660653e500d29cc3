from __future__ import annotations

import csv
import io

from django.urls import reverse

from hearth.testing import PASSWORD


def test_firewall_lists_mentors_and_exports_csv(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    page = client.get(reverse("firewall", args=[school.program.slug])).content.decode()
    assert "Lena Learnerone" in page and "Mira Mentorone" in page
    export = client.get(reverse("firewall_csv", args=[school.program.slug]))
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert {
        "learner_email": school.learner_a1.email,
        "assessor_email": school.mentor_a1.email,
    }.items() <= next(r for r in rows if r["learner_email"] == school.learner_a1.email).items()
    assert len(rows) == 4


def test_director_adds_a_research_mentor_exclusion(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    response = client.post(
        reverse("firewall", args=[school.program.slug]),
        {
            "assessor": school.mentor_b1.email,
            "learner": school.learner_a1.email,
            "reason": "Research mentor",
        },
    )
    assert response.status_code == 302
    assert school.program.exclusions.filter(
        assessor=school.mentor_b1, learner=school.learner_a1, reason="Research mentor"
    ).exists()


def test_unknown_email_is_named(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    response = client.post(
        reverse("firewall", args=[school.program.slug]),
        {"assessor": "nobody@example.org", "learner": school.learner_a1.email, "reason": "x"},
    )
    assert "Nobody in Hearth has the email nobody@example.org" in response.content.decode()


def test_firewall_is_hidden_from_everyone_but_program_directors(client, school):
    for person in (school.mentor_a1, school.learner_a1, school.house_director, school.outsider):
        client.login(email=person.email, password=PASSWORD)
        assert client.get(reverse("firewall", args=[school.program.slug])).status_code == 404
        assert client.get(reverse("firewall_csv", args=[school.program.slug])).status_code == 404
