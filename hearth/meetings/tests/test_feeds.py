from __future__ import annotations

import datetime as dt

import vobject
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from hearth.communities.models import MentorGroup, Relationship
from hearth.meetings import services
from hearth.meetings.models import CalendarFeed, Meeting, MeetingKind
from hearth.people.models import Person
from hearth.testing import School


def _one_on_one(mentor: Person, mentee: Person, days: int, title: str) -> Meeting:
    return services.meeting_create(
        organiser=mentor,
        title=title,
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=days),
        duration_minutes=30,
        relationship=Relationship.objects.get(mentor=mentor, mentee=mentee),
        allow_past=True,
    )


def _group_meeting(mentor: Person, group: MentorGroup, days: int, title: str) -> Meeting:
    return services.meeting_create(
        organiser=mentor,
        title=title,
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=days),
        duration_minutes=60,
        kind=MeetingKind.GROUP,
        group=group,
        allow_past=True,
    )


def _feed_url(client: Client, person: Person) -> str:
    client.force_login(person)
    response = client.post(reverse("calendar_settings"), {"action": "create"})
    assert response.status_code == 302
    return reverse("calendar_feed", args=[CalendarFeed.objects.get(person=person).secret])


def test_feed_holds_the_persons_meetings_and_no_one_elses(
    school: School, client: Client, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    ours = _one_on_one(school.mentor_a1, school.learner_a1, 3, "Ours")
    group = _group_meeting(school.mentor_a1, school.group_a1, 5, "Our group")
    cancelled = _one_on_one(school.mentor_a1, school.learner_a1, 8, "Called off")
    services.meeting_cancel(meeting=cancelled, person=school.learner_a1)
    recent = _one_on_one(school.mentor_a1, school.learner_a1, -59, "Last month")
    _one_on_one(school.mentor_a1, school.learner_a1, -61, "Long ago")
    _one_on_one(school.mentor_b1, school.learner_b1, 3, "Someone else's")
    _group_meeting(school.mentor_b1, school.group_b1, 4, "Another group")
    _one_on_one(school.mentor_a1, school.mate_a1, 6, "My groupmate's")
    url = _feed_url(client, school.learner_a1)
    client.logout()

    with django_assert_max_num_queries(6):
        response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    parsed = vobject.readOne(response.content.decode())
    uids = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert uids == {
        str(recent.uid): "CONFIRMED",
        str(ours.uid): "CONFIRMED",
        str(group.uid): "CONFIRMED",
        str(cancelled.uid): "CANCELLED",
    }
    assert {v.uid.value for v in parsed.vevent_list} == set(uids)
    assert parsed.x_wr_calname.value == "Hearth: Lena Learnerone"


def test_unknown_secret_is_404(school: School, client: Client) -> None:
    response = client.get(reverse("calendar_feed", args=["not-a-real-secret"]))

    assert response.status_code == 404


def test_rotating_revokes_the_old_address(school: School, client: Client) -> None:
    old_url = _feed_url(client, school.learner_a1)

    response = client.post(reverse("calendar_settings"), {"action": "rotate"})

    assert response.status_code == 302
    new_url = reverse(
        "calendar_feed", args=[CalendarFeed.objects.get(person=school.learner_a1).secret]
    )
    assert new_url != old_url
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_inactive_persons_feed_is_404(school: School, client: Client) -> None:
    url = _feed_url(client, school.learner_a1)
    school.learner_a1.is_active = False
    school.learner_a1.save()

    assert client.get(url).status_code == 404


def test_settings_page_offers_to_create_then_shows_both_addresses(
    school: School, client: Client, settings
) -> None:  # noqa: ANN001
    settings.HEARTH_BASE_URL = "https://hearth.example.edu"
    client.force_login(school.learner_a1)

    before = client.get(reverse("calendar_settings"))
    assert before.status_code == 200
    assert b'name="action" value="create"' in before.content

    client.post(reverse("calendar_settings"), {"action": "create"}, follow=True)
    after = client.get(reverse("calendar_settings")).content.decode()
    secret = CalendarFeed.objects.get(person=school.learner_a1).secret
    assert f"webcal://hearth.example.edu/calendar/{secret}.ics" in after
    assert f"https://hearth.example.edu/calendar/{secret}.ics" in after
    assert 'value="rotate"' in after


def test_settings_page_never_shows_someone_elses_address(school: School, client: Client) -> None:
    _feed_url(client, school.learner_a1)
    secret = CalendarFeed.objects.get(person=school.learner_a1).secret
    client.force_login(school.outsider)

    response = client.get(reverse("calendar_settings"))

    assert response.status_code == 200
    assert secret not in response.content.decode()


def test_settings_page_requires_login(school: School, client: Client) -> None:
    url = reverse("calendar_settings")

    for response in (client.get(url), client.post(url, {"action": "create"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()
