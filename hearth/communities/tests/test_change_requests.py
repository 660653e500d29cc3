from __future__ import annotations

from django.urls import reverse

from hearth.communities.models import GroupMembership, MentorChangeRequest, Relationship
from hearth.people.permissions import can_view
from hearth.testing import PASSWORD


def ask(client, school, reason="We do not get on."):
    client.login(email=school.learner_a1.email, password=PASSWORD)
    return client.post(reverse("change_request_new", args=[school.group_a1.pk]), {"reason": reason})


def test_learner_asks_and_directors_are_emailed_without_names(
    client, school, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, school).status_code == 302
    request = MentorChangeRequest.objects.get()
    assert request.status == "open"
    recipients = {a.strip() for m in smtp_server.messages for a in m["To"].split(",")}
    assert recipients == {school.director.email, school.house_director.email}
    for message in smtp_server.messages:
        body = message.get_payload()
        assert "Lena" not in body and "do not get on" not in body
    assert not any(school.mentor_a1.email in m["To"] for m in smtp_server.messages)


def test_mentor_cannot_see_the_request(client, school):
    ask(client, school)
    request = MentorChangeRequest.objects.get()
    assert not can_view(school.mentor_a1, request)
    assert can_view(school.house_director, request)
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    assert client.get(reverse("change_requests", args=[school.program.slug])).status_code == 404
    assert client.get(reverse("change_request_decide", args=[request.pk])).status_code == 404
    page = client.get(reverse("group", args=[school.group_a1.pk])).content.decode()
    assert "do not get on" not in page and "different mentor" not in page


def test_director_moves_the_learner_to_another_group(
    client, school, smtp_server, django_capture_on_commit_callbacks
):
    ask(client, school)
    request = MentorChangeRequest.objects.get()
    client.login(email=school.house_director.email, password=PASSWORD)
    listing = client.get(reverse("change_requests", args=[school.program.slug])).content.decode()
    assert "Lena Learnerone" in listing and "do not get on" in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("change_request_decide", args=[request.pk]),
            {"move_to": school.group_a2.pk, "note": "Welcome to Apgar 2."},
        )
    assert response.status_code == 302
    current = GroupMembership.objects.get(person=school.learner_a1, end_date__isnull=True)
    assert current.group == school.group_a2
    assert Relationship.objects.get(
        mentee=school.learner_a1, mentor=school.mentor_a2, end_date__isnull=True
    )
    assert [m["To"] for m in smtp_server.messages] == [school.learner_a1.email]


def test_a_second_open_request_is_refused(client, school):
    ask(client, school)
    response = ask(client, school)
    assert response.status_code == 200
    assert "already asked" in response.content.decode()
    assert MentorChangeRequest.objects.count() == 1


def test_other_community_director_cannot_decide(client, school):
    from hearth.people.models import Role, RoleGrant
    from hearth.testing import make_person

    ask(client, school)
    other = make_person("Omar Otherhouse")
    RoleGrant.objects.create(
        person=other,
        role=Role.COMMUNITY_DIRECTOR,
        program=school.program,
        community=school.house_b,
    )
    client.login(email=other.email, password=PASSWORD)
    request = MentorChangeRequest.objects.get()
    assert client.get(reverse("change_request_decide", args=[request.pk])).status_code == 404
