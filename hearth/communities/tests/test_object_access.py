"""A mentor sees their own group's roster only, and never a learner's private answers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hearth.communities.models import AttributeDefinition, GroupMembership, PersonAttribute
from hearth.communities.services import change_request_create

B1_LEARNER = "Lia Learnerthree"


def test_a_mentor_of_a1_cannot_see_group_b1_or_its_learners(client, school):
    client.force_login(school.mentor_a1)
    for url in (
        reverse("group", args=[school.group_b1.pk]),
        reverse("community", args=[school.house_b.pk]),
        reverse("person", args=[school.learner_b1.pk]),
        f"/api/groups/{school.group_b1.pk}",
        f"/api/groups/{school.group_b1.pk}/memberships",
        f"/api/communities/{school.house_b.pk}/groups",
        f"/api/people/{school.learner_b1.pk}",
        f"/api/people/{school.learner_b1.pk}/memberships",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("home"),
        reverse("program", args=[school.program.slug]),
        reverse("group", args=[school.group_a1.pk]),
        "/api/people",
        "/api/memberships",
    ):
        assert B1_LEARNER not in client.get(url).content.decode(), url
    # The same roster is there for those who may see it.
    client.force_login(school.director)
    assert B1_LEARNER in client.get(reverse("group", args=[school.group_b1.pk])).content.decode()


@pytest.fixture
def private_answers(school):  # noqa: ANN001, ANN201
    # Self-reported attributes have no service yet (the roster import and the person write them).
    definition = AttributeDefinition.objects.create(
        program=school.program, key="first_gen", label="First in family at college"
    )
    PersonAttribute.objects.create(
        person=school.learner_a1, definition=definition, value="Yes, first", consented=True
    )
    change_request_create(
        membership=GroupMembership.objects.get(person=school.learner_a1, group=school.group_a1),
        reason="I would rather not say this to Mira.",
    )


def test_a_learners_private_answers_and_change_request_stay_hidden_from_their_mentor(
    client, school, private_answers
):
    client.force_login(school.mentor_a1)
    for url in (
        reverse("person", args=[school.learner_a1.pk]),
        reverse("group", args=[school.group_a1.pk]),
        reverse("home"),
        f"/api/people/{school.learner_a1.pk}",
        f"/api/people/{school.learner_a1.pk}/memberships",
        f"/api/groups/{school.group_a1.pk}/memberships",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Yes, first" not in body and "rather not say" not in body, url
    assert client.get(reverse("change_requests", args=[school.program.slug])).status_code == 404
    # The learner sees their own answer on their own page.
    client.force_login(school.learner_a1)
    own = client.get(reverse("person", args=[school.learner_a1.pk])).content.decode()
    assert "Yes, first" in own
