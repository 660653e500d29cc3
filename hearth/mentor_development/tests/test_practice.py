from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from hearth.meetings import services as meetings
from hearth.meetings.models import CalendarFeed, Meeting
from hearth.mentor_development.models import (
    PracticeCircle,
    PracticeCircleMember,
    TrainingSeries,
)
from hearth.mentor_development.selectors import practice as selectors
from hearth.mentor_development.services import practice as services
from hearth.mentor_development.services import series as series_services
from hearth.people.models import Person
from hearth.testing import School, make_person


@pytest.fixture
def series(school: School) -> TrainingSeries:
    series = series_services.series_create(program=school.program, title="Mentoring the Mentors")
    for person in (school.mentor_a1, school.mentor_a2, school.mentor_b1):
        enrolment = series_services.enrolment_invite(
            series=series, person=person, by=school.facilitator
        )
        series_services.enrolment_accept(enrolment=enrolment)
    return series


@pytest.fixture
def circle(school: School, series: TrainingSeries) -> PracticeCircle:
    return services.practice_circle_create(
        series=series,
        by=school.facilitator,
        name="Tuesday circle",
        members=[school.mentor_a1, school.mentor_a2, school.mentor_b1],
    )


def _meet(circle: PracticeCircle, by: Person, days: float, *, past: bool = False) -> Meeting:
    return services.practice_circle_meeting_plan(
        circle=circle,
        by=by,
        starts_at=timezone.now() + dt.timedelta(days=days),
        allow_past=past,
    )


# Forming circles


def test_a_circle_keeps_the_rota_order_and_default_questions(
    school: School, circle: PracticeCircle
) -> None:
    assert selectors.rota_members(circle) == [school.mentor_a1, school.mentor_a2, school.mentor_b1]
    assert circle.questions == list(selectors.DEFAULT_QUESTIONS)


def test_only_enrolled_trainees_form_a_circle(school: School, series: TrainingSeries) -> None:
    with pytest.raises(ValidationError, match="Not enrolled in this series: Lena Learnerone"):
        services.practice_circle_create(
            series=series,
            by=school.director,
            name="Mixed",
            members=[school.mentor_a1, school.learner_a1],
        )


def test_invited_but_not_enrolled_trainees_are_refused(
    school: School, series: TrainingSeries
) -> None:
    invited = make_person("Ivy Invited")
    series_services.enrolment_invite(series=series, person=invited, by=school.facilitator)
    with pytest.raises(ValidationError, match="Not enrolled"):
        services.practice_circle_create(
            series=series, by=school.director, name="C", members=[school.mentor_a1, invited]
        )


def test_a_trainee_is_in_one_circle_of_a_series(
    school: School, series: TrainingSeries, circle: PracticeCircle
) -> None:
    fourth = make_person("Tom Traineefour")
    enrolment = series_services.enrolment_invite(series=series, person=fourth, by=school.director)
    series_services.enrolment_accept(enrolment=enrolment)
    with pytest.raises(ValidationError, match=r"Mira Mentorone \(Tuesday circle\)"):
        services.practice_circle_create(
            series=series, by=school.director, name="Second", members=[school.mentor_a1, fourth]
        )


def test_a_circle_needs_two_to_eight_members(school: School, series: TrainingSeries) -> None:
    with pytest.raises(ValidationError, match="2 to 8 members"):
        services.practice_circle_create(
            series=series, by=school.director, name="Alone", members=[school.mentor_a1]
        )


def test_only_those_who_run_the_series_form_circles(school: School, series: TrainingSeries) -> None:
    with pytest.raises(ValidationError):
        services.practice_circle_create(
            series=series,
            by=school.mentor_a1,
            name="Ours",
            members=[school.mentor_a1, school.mentor_a2],
        )


# The rota


def test_the_facilitator_rotates_meeting_by_meeting(school: School, circle: PracticeCircle) -> None:
    members = [school.mentor_a1, school.mentor_a2, school.mentor_b1]
    assert [selectors.facilitator_of(members, n) for n in range(5)] == [
        school.mentor_a1,
        school.mentor_a2,
        school.mentor_b1,
        school.mentor_a1,
        school.mentor_a2,
    ]
    assert selectors.circle_overview(circle).next_facilitator == school.mentor_a1
    _meet(circle, school.mentor_a1, -20, past=True)
    _meet(circle, school.mentor_a1, -10, past=True)
    overview = selectors.circle_overview(circle)
    assert [row.facilitator for row in overview.past] == [school.mentor_a2, school.mentor_a1]
    assert overview.next_facilitator == school.mentor_b1
    _meet(circle, school.mentor_b1, 5)
    _meet(circle, school.mentor_b1, 12)
    overview = selectors.circle_overview(circle)
    assert [row.facilitator for row in overview.planned] == [school.mentor_b1, school.mentor_a1]
    assert overview.next_facilitator == school.mentor_b1


def test_a_cancelled_meeting_does_not_take_a_turn(school: School, circle: PracticeCircle) -> None:
    first = _meet(circle, school.mentor_a1, 3)
    _meet(circle, school.mentor_a1, 10)
    meetings.meeting_cancel(meeting=first, person=school.mentor_a2)
    overview = selectors.circle_overview(circle)
    assert [(row.number, row.facilitator) for row in overview.planned] == [
        (None, None),
        (1, school.mentor_a1),
    ]


def test_the_next_facilitator_is_told_on_the_page(
    school: School, circle: PracticeCircle, client: Client
) -> None:
    _meet(circle, school.mentor_a1, -7, past=True)
    client.force_login(school.mentor_a2)
    page = client.get(reverse("practice_circle", args=[circle.pk])).content.decode()
    assert "You facilitate the next meeting" in page
    client.force_login(school.mentor_b1)
    page = client.get(reverse("practice_circle", args=[circle.pk])).content.decode()
    assert "You facilitate the next meeting" not in page
    assert "Mateo Mentortwo — <strong>facilitates the next meeting</strong>" in page


# Meetings


def test_a_circle_meeting_invites_every_member_with_the_questions_as_agenda(
    school: School, circle: PracticeCircle, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meet(circle, school.mentor_a2, 4)
    assert meeting.practice_circle == circle and meeting.relationship is None
    assert [i.text for i in meeting.agenda.all()] == circle.questions
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        p.email for p in (school.mentor_a1, school.mentor_a2, school.mentor_b1)
    )
    part = mail.outbox[0].attachments[0]
    ics = Calendar.from_ical(part.get_payload(decode=True))
    event = next(iter(ics.walk("VEVENT")))
    assert str(event["UID"]) == str(meeting.uid)
    assert len(event.get("ATTENDEE")) == 3


def test_circle_meetings_are_in_the_members_calendar_feed_only(
    school: School, circle: PracticeCircle, client: Client
) -> None:
    meeting = _meet(circle, school.mentor_a1, 4)
    for person, expected in [(school.mentor_b1, True), (school.facilitator, False)]:
        client.force_login(person)
        client.post(reverse("calendar_settings"), {"action": "create"})
        secret = CalendarFeed.objects.get(person=person).secret
        feed = client.get(reverse("calendar_feed", args=[secret]))
        uids = {str(e["UID"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")}
        assert (str(meeting.uid) in uids) is expected


def test_members_open_the_meeting_page_and_others_get_404(
    school: School, circle: PracticeCircle, client: Client
) -> None:
    meeting = _meet(circle, school.mentor_a1, 4)
    client.force_login(school.mentor_b1)
    page = client.get(reverse("meeting", args=[meeting.pk]))
    assert page.status_code == 200
    assert reverse("practice_circle", args=[circle.pk]) in page.content.decode()
    for persona in ("facilitator", "outsider", "learner_a1"):
        client.force_login(school.persona(persona))
        assert client.get(reverse("meeting", args=[meeting.pk])).status_code == 404


def test_members_plan_meetings_from_the_page(
    school: School, circle: PracticeCircle, client: Client
) -> None:
    client.force_login(school.mentor_b1)
    day = timezone.localdate() + dt.timedelta(days=9)
    response = client.post(
        reverse("practice_circle_meeting_new", args=[circle.pk]),
        {"date": day.isoformat(), "time": "18:30", "duration_minutes": "45"},
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(practice_circle=circle)
    assert meeting.organiser == school.mentor_b1 and meeting.duration_minutes == 45
    assert meeting.title == "Tuesday circle: practice circle"


def test_a_meeting_in_the_past_is_refused_on_the_page(
    school: School, circle: PracticeCircle, client: Client
) -> None:
    client.force_login(school.mentor_b1)
    day = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(
        reverse("practice_circle_meeting_new", args=[circle.pk]),
        {"date": day.isoformat(), "time": "18:30", "duration_minutes": "45"},
    )
    assert response.status_code == 200
    assert "already passed" in response.content.decode()
    assert not Meeting.objects.filter(practice_circle=circle).exists()


def test_members_edit_the_questions(school: School, circle: PracticeCircle, client: Client) -> None:
    client.force_login(school.mentor_a2)
    client.post(
        reverse("practice_circle_questions", args=[circle.pk]),
        {"questions": "What worked?\n\n  What did not?  \n"},
    )
    circle.refresh_from_db()
    assert circle.questions == ["What worked?", "What did not?"]


def test_the_old_meeting_owner_rule_still_holds(school: School) -> None:
    with pytest.raises(ValidationError, match="one relationship, one mentor group"):
        meetings.meeting_create(
            organiser=school.mentor_a1,
            title="Nobody's",
            starts_at=timezone.now() + dt.timedelta(days=1),
            duration_minutes=30,
        )


# Pages and visibility


def test_facilitators_see_every_circle_and_form_new_ones(
    school: School, series: TrainingSeries, circle: PracticeCircle, client: Client
) -> None:
    fourth, fifth = make_person("Tom Traineefour"), make_person("Una Traineefive")
    for person in (fourth, fifth):
        enrolment = series_services.enrolment_invite(
            series=series, person=person, by=school.director
        )
        series_services.enrolment_accept(enrolment=enrolment)
    client.force_login(school.facilitator)
    url = reverse("practice_circles", args=[series.pk])
    page = client.get(url).content.decode()
    assert "Tuesday circle" in page and "Tom Traineefour" in page
    response = client.post(url, {"name": "Thursday circle", "members": [fifth.pk, fourth.pk]})
    assert response.status_code == 302
    thursday = PracticeCircle.objects.get(name="Thursday circle")
    assert selectors.rota_members(thursday) == [fourth, fifth]


def test_a_member_sees_only_their_own_circle(
    school: School, series: TrainingSeries, circle: PracticeCircle, client: Client
) -> None:
    fourth, fifth = make_person("Tom Traineefour"), make_person("Una Traineefive")
    for person in (fourth, fifth):
        enrolment = series_services.enrolment_invite(
            series=series, person=person, by=school.director
        )
        series_services.enrolment_accept(enrolment=enrolment)
    other = services.practice_circle_create(
        series=series, by=school.director, name="Other circle", members=[fourth, fifth]
    )
    client.force_login(school.mentor_a1)
    page = client.get(reverse("practice_circles", args=[series.pk])).content.decode()
    assert "Tuesday circle" in page and "Other circle" not in page
    assert "Form a circle" not in page
    assert client.get(reverse("practice_circle", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "learner_a1", "evaluator", "house_director"])
def test_outsiders_get_404_on_circle_pages(
    school: School, series: TrainingSeries, circle: PracticeCircle, client: Client, persona: str
) -> None:
    client.force_login(school.persona(persona))
    assert client.get(reverse("practice_circle", args=[circle.pk])).status_code == 404
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    planned = client.post(
        reverse("practice_circle_meeting_new", args=[circle.pk]),
        {"date": day, "time": "10:00", "duration_minutes": "60"},
    )
    assert planned.status_code == 404
    questions = client.post(
        reverse("practice_circle_questions", args=[circle.pk]), {"questions": "x"}
    )
    assert questions.status_code == 404
    assert not Meeting.objects.filter(practice_circle=circle).exists()


def test_outsider_gets_404_on_the_series_circles_page(
    school: School, series: TrainingSeries, client: Client
) -> None:
    client.force_login(school.outsider)
    assert client.get(reverse("practice_circles", args=[series.pk])).status_code == 404


def test_series_circles_page_query_count(
    school: School,
    series: TrainingSeries,
    circle: PracticeCircle,
    client: Client,
    django_assert_max_num_queries,
) -> None:  # noqa: ANN001
    for days in (-14, -7, 7):
        _meet(circle, school.mentor_a1, days, past=days < 0)
    client.force_login(school.facilitator)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("practice_circles", args=[series.pk])).status_code == 200


def test_rota_positions_count_from_zero_without_gaps(circle: PracticeCircle) -> None:
    # Membership rows carry the rota positions 0..n-1 with no gaps.
    positions = list(
        PracticeCircleMember.objects.filter(circle=circle).values_list("position", flat=True)
    )
    assert positions == [0, 1, 2]
