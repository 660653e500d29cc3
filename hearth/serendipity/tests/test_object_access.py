"""A person sees the pairings they are part of; other people's pairings stay theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import MemberRole
from hearth.communities.services import membership_start
from hearth.serendipity.models import Audience
from hearth.serendipity.services import circle_create, circle_join, round_run
from hearth.testing import START, make_person


@pytest.fixture
def pairings(school):  # noqa: ANN001, ANN201
    """Four faculty in one circle: one round makes two pairs."""
    fourth = make_person("Max Mentorfour")
    membership_start(group=school.group_a2, person=fourth, role=MemberRole.MENTOR, start_date=START)
    circle = circle_create(
        program=school.program,
        created_by=school.director,
        name="Faculty coffee",
        audience=Audience.FACULTY,
        first_round_at=timezone.now(),
    )
    for person in (school.mentor_a1, school.mentor_a2, school.mentor_b1, fourth):
        circle_join(circle=circle, person=person)
    round_ = round_run(circle=circle)
    pairs = list(round_.pairings.prefetch_related("members__person"))
    assert len(pairs) == 2
    mine = next(p for p in pairs if any(m.person == school.mentor_a1 for m in p.members.all()))
    other = next(p for p in pairs if p is not mine)
    return round_, mine, other


def test_a_person_cannot_open_a_pairing_they_are_not_in(client, school, pairings):
    round_, mine, other = pairings
    strangers = {m.person_id for m in other.members.all()}
    client.force_login(school.mentor_a1)
    assert client.get(reverse("pairing", args=[mine.pk])).status_code == 200
    assert client.get(reverse("pairing", args=[other.pk])).status_code == 404
    assert client.get(reverse("round", args=[round_.pk])).status_code == 404
    assert client.get(f"/api/circles/{round_.circle_id}/rounds").status_code == 404
    listed = client.get("/api/pairings").json()
    assert {p["id"] for p in listed["items"]} == {mine.pk}
    assert not strangers & {person for p in listed["items"] for person in p["people"]}
    page = client.get(reverse("serendipity")).content.decode()
    assert reverse("pairing", args=[other.pk]) not in page


def test_a_person_cannot_answer_for_a_pairing_they_are_not_in(client, school, pairings):
    _, _, other = pairings
    client.force_login(school.mentor_a1)
    before = [(m.pk, m.response) for m in other.members.all()]
    response = client.post(reverse("pairing_respond", args=[other.pk]), {"response": "met"})
    assert response.status_code == 404
    assert [(m.pk, m.response) for m in other.members.all()] == before
