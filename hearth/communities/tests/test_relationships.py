from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hearth.communities import services
from hearth.communities.models import Relationship, RelationshipKind
from hearth.testing import PASSWORD, START


@pytest.fixture
def research(school):
    return services.relationship_start(
        program=school.program,
        mentor=school.mentor_b1,
        mentee=school.learner_a1,
        kind=RelationshipKind.RESEARCH,
        start_date=START,
    )


def test_pause_and_resume(client, school, research):
    client.login(email=school.learner_a1.email, password=PASSWORD)
    client.post(reverse("relationship", args=[research.pk]), {"pause": "1"})
    research.refresh_from_db()
    assert research.status == "paused"
    client.post(reverse("relationship", args=[research.pk]), {"resume": "1"})
    research.refresh_from_db()
    assert research.status == "active"


def test_completed_with_reflections_from_both_sides(client, school, research):
    client.login(email=school.mentor_b1.email, password=PASSWORD)
    client.post(
        reverse("relationship", args=[research.pk]),
        {"end": "1", "how": "completed", "reflection": "A fine first paper."},
    )
    client.login(email=school.learner_a1.email, password=PASSWORD)
    client.post(
        reverse("relationship", args=[research.pk]),
        {"reflect": "1", "reflection": "I learned to write."},
    )
    research.refresh_from_db()
    assert research.status == "completed" and research.end_date is not None
    assert (research.mentor_reflection, research.mentee_reflection) == (
        "A fine first paper.",
        "I learned to write.",
    )


def test_ending_early_needs_a_reason_and_changes_nothing_without_one(client, school, research):
    client.login(email=school.learner_a1.email, password=PASSWORD)
    response = client.post(
        reverse("relationship", args=[research.pk]), {"end": "1", "how": "ended_early"}, follow=True
    )
    assert "why the relationship is ending early" in response.content.decode()
    research.refresh_from_db()
    assert research.end_date is None


def test_lc_mentorship_ends_only_with_the_group_membership(school):
    lc = Relationship.objects.get(mentor=school.mentor_a1, mentee=school.learner_a1)
    with pytest.raises(ValidationError, match="leaves the group"):
        services.relationship_end(
            relationship=lc, by=school.mentor_a1, end_date=START, status="completed"
        )


def test_others_cannot_change_it(client, school, research):
    client.login(email=school.mate_a1.email, password=PASSWORD)
    assert client.get(reverse("relationship", args=[research.pk])).status_code == 404
    client.login(email=school.director.email, password=PASSWORD)
    assert client.get(reverse("relationship", args=[research.pk])).status_code == 200
    assert (
        client.post(reverse("relationship", args=[research.pk]), {"pause": "1"}).status_code == 404
    )
