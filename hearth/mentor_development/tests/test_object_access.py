"""Another mentor's compact and self-ratings stay theirs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import Relationship
from hearth.mentor_development.services.compacts import compact_draft
from hearth.mentor_development.services.growth import self_rating_submit
from hearth.mentor_development.services.series import (
    SessionFields,
    enrolment_accept,
    enrolment_invite,
    series_create,
    session_create,
)
from hearth.mentor_development.tests.growth_factories import answers


@pytest.fixture
def their_compact(school):  # noqa: ANN001, ANN201
    relationship = Relationship.objects.get(mentor=school.mentor_b1, mentee=school.learner_b1)
    return compact_draft(relationship=relationship, person=school.mentor_b1)


def test_a_mentor_cannot_open_another_mentors_compact(client, school, their_compact):
    client.force_login(school.mentor_a1)
    assert client.get(reverse("compact", args=[their_compact.pk])).status_code == 404
    url = reverse("relationship_compact", args=[their_compact.relationship_id])
    assert client.get(url).status_code == 404
    assert client.post(reverse("compact_review", args=[their_compact.pk])).status_code == 404
    listed = client.get(reverse("compacts")).content.decode()
    assert reverse("compact", args=[their_compact.pk]) not in listed
    # Its own two people do open it.
    client.force_login(school.learner_b1)
    assert client.get(reverse("compact", args=[their_compact.pk])).status_code == 200


@pytest.fixture
def rated_series(school):  # noqa: ANN001, ANN201
    """mentor_a1 and mentor_b1 enrolled; only mentor_b1 has rated themselves."""
    series = series_create(program=school.program, title="Growing mentors", self_enrolment=False)
    session_create(
        series=series,
        fields=SessionFields(title="One", starts_at=timezone.now() + dt.timedelta(days=3)),
    )
    for mentor in (school.mentor_a1, school.mentor_b1):
        enrolment_accept(
            enrolment=enrolment_invite(series=series, person=mentor, by=school.director)
        )
    self_rating_submit(series=series, person=school.mentor_b1, moment="before", answers=answers(2))
    return series


def test_a_mentor_sees_only_their_own_self_ratings(client, school, rated_series):
    growth = reverse("series_growth", args=[rated_series.pk])
    client.force_login(school.mentor_b1)
    assert "No self-ratings yet." not in client.get(growth).content.decode()
    client.force_login(school.mentor_a1)
    assert "No self-ratings yet." in client.get(growth).content.decode()
    cohort = reverse("series_growth_cohort", args=[rated_series.pk])
    assert client.get(cohort).status_code == 404
    # Nor can mentor_b1's rating be changed from mentor_a1's session.
    client.force_login(school.outsider)
    rate = reverse("series_growth_rate", args=[rated_series.pk, "before"])
    assert client.post(rate, {}).status_code == 404
