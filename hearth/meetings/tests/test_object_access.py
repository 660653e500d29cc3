"""A mentor reaches their own meetings only, and nobody reads another person's private notes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import Relationship
from hearth.meetings.feeds import calendar_feed_rotate
from hearth.meetings.models import ActionItem, Goal, GoalStatus, Note
from hearth.meetings.services import action_item_add, goal_save, meeting_create, note_save
from hearth.testing import School


def _meeting(school: School, mentor, mentee, title: str):  # noqa: ANN001, ANN202
    relationship = Relationship.objects.get(mentor=mentor, mentee=mentee)
    meeting = meeting_create(
        organiser=mentor,
        relationship=relationship,
        title=title,
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration_minutes=30,
    )
    note_save(meeting=meeting, author=mentor, visibility="shared", body=f"{title} shared words")
    note_save(meeting=meeting, author=mentor, visibility="private", body=f"{title} mentor secret")
    note_save(meeting=meeting, author=mentee, visibility="private", body=f"{title} mentee secret")
    action_item_add(
        meeting=meeting, person=mentor, owner=mentee, text=f"{title} action", due_date=None
    )
    goal_save(
        relationship=relationship,
        person=mentee,
        title=f"{title} goal",
        why="To grow.",
        milestones="",
        status=GoalStatus.IN_PROGRESS,
    )
    return meeting


@pytest.fixture
def meetings(school: School):  # noqa: ANN201
    ours = _meeting(school, school.mentor_a1, school.learner_a1, "Ours")
    theirs = _meeting(school, school.mentor_b1, school.learner_b1, "Theirs")
    return ours, theirs


def test_a_mentor_cannot_open_another_mentors_meeting_notes_goals_or_actions(
    client, school, meetings
):
    _, theirs = meetings
    client.force_login(school.mentor_a1)
    assert client.get(reverse("meeting", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("goals", args=[theirs.relationship_id])).status_code == 404
    assert client.get(reverse("meeting_new", args=[theirs.relationship_id])).status_code == 404
    # Nor reach them through the API or the lists of their own pages.
    api = client.get(f"/api/people/{school.learner_b1.pk}/relationships")
    assert api.status_code == 404
    for page in (
        reverse("meetings"),
        reverse("home"),
        reverse("goals", args=[meetings[0].relationship_id]),
    ):
        body = client.get(page).content.decode()
        for words in (
            "Theirs shared words",
            "Theirs mentor secret",
            "Theirs action",
            "Theirs goal",
        ):
            assert words not in body, f"{words} on {page}"


def test_a_mentor_cannot_write_into_another_mentors_meeting(client, school, meetings):
    _, theirs = meetings
    client.force_login(school.mentor_a1)
    notes, items, goals = Note.objects.count(), ActionItem.objects.count(), Goal.objects.count()
    posts = [
        (reverse("note_save", args=[theirs.pk]), {"visibility": "shared", "body": "Hi"}),
        (
            reverse("action_item_add", args=[theirs.pk]),
            {"text": "Do", "owner": school.mentor_a1.pk},
        ),
        (
            reverse("goals", args=[theirs.relationship_id]),
            {"title": "Mine", "status": "in_progress"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert (Note.objects.count(), ActionItem.objects.count(), Goal.objects.count()) == (
        notes,
        items,
        goals,
    )


@pytest.mark.parametrize(
    ("reader", "sees", "never"),
    [
        ("mentor_a1", "Ours mentor secret", "Ours mentee secret"),
        ("learner_a1", "Ours mentee secret", "Ours mentor secret"),
    ],
)
def test_the_other_partys_private_note_is_invisible_even_inside_ones_own_meeting(
    client, school, meetings, reader, sees, never
):
    ours, _ = meetings
    client.force_login(school.persona(reader))
    body = client.get(reverse("meeting", args=[ours.pk])).content.decode()
    assert "Ours shared words" in body
    assert sees in body
    assert never not in body


def test_a_calendar_feed_holds_its_owners_meetings_and_an_old_secret_opens_nothing(
    client, school, meetings
):
    mine = calendar_feed_rotate(person=school.mentor_a1)
    body = client.get(reverse("calendar_feed", args=[mine.secret])).content.decode()
    assert "Ours" in body and "Theirs" not in body
    # mentor_b1's feed address is never shown to mentor_a1, and a retired secret is dead.
    theirs = calendar_feed_rotate(person=school.mentor_b1)
    client.force_login(school.mentor_a1)
    assert theirs.secret not in client.get(reverse("calendar_settings")).content.decode()
    old = theirs.secret
    calendar_feed_rotate(person=school.mentor_b1)
    client.logout()
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
