from __future__ import annotations

from django.urls import reverse

from hearth.testing import PASSWORD


def test_director_sees_program_page_with_counts(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    response = client.get(reverse("program", args=[school.program.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Apgar House" in body and "Blackwell House" in body
    assert "Mira Mentorone" in body  # mentors' loads


def test_outsider_gets_404_on_program_page(client, school):
    client.login(email=school.outsider.email, password=PASSWORD)
    assert client.get(reverse("program", args=[school.program.slug])).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, school):
    response = client.get(reverse("program", args=[school.program.slug]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
