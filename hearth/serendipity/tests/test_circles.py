"""Circles through the same services and pages people use, on the test school."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from hearth.meetings.models import EmailPreference
from hearth.people.models import Supervision
from hearth.serendipity import services
from hearth.serendipity.models import (
    Audience,
    CircleMember,
    Contact,
    NotPlacedReason,
    PairingMember,
    Response,
    RoundAbsence,
)
from hearth.serendipity.tasks import tick
from hearth.testing import PASSWORD, make_person

pytestmark = pytest.mark.django_db

EVERYONE_IN_SCHOOL = [
    "mentor_a1",
    "mentor_a2",
    "mentor_b1",
    "learner_a1",
    "mate_a1",
    "learner_a2",
    "learner_b1",
]


def _circle(
    school, *, audience=Audience.EVERYONE, group_size=2, joiners=EVERYONE_IN_SCHOOL, **rules
):
    circle = services.circle_create(
        program=school.program,
        created_by=school.director,
        name="Coffee across houses",
        audience=audience,
        group_size=group_size,
        first_round_at=timezone.now() + dt.timedelta(days=2),
        **rules,
    )
    for name in joiners:
        services.circle_join(circle=circle, person=school.persona(name))
    return circle


def _groups(round_):
    return [
        {m.person_id for m in pairing.members.all()}
        for pairing in round_.pairings.prefetch_related("members")
    ]


def test_a_round_places_everyone_present_and_never_a_learner_with_their_own_mentor(
    school, django_capture_on_commit_callbacks
):
    circle = _circle(school)
    # The director is in the circle's audience (a role in the program) and opted in by creating it.
    assert CircleMember.objects.filter(circle=circle).count() == 8
    own_mentor = {
        frozenset((school.mentor_a1.pk, school.learner_a1.pk)),
        frozenset((school.mentor_a1.pk, school.mate_a1.pk)),
        frozenset((school.mentor_a2.pk, school.learner_a2.pk)),
        frozenset((school.mentor_b1.pk, school.learner_b1.pk)),
    }
    seen_pairs = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            round_ = services.round_run(circle=circle)
        groups = _groups(round_)
        people = [p for g in groups for p in g]
        assert len(people) == len(set(people)) == 8
        for group in groups:
            for pair in itertools.combinations(group, 2):
                assert frozenset(pair) not in own_mentor
                seen_pairs.append(frozenset(pair))
        circle.refresh_from_db()
    assert round_.index == 2 and round_.repeated_pairs == 0
    assert len(seen_pairs) == len(set(seen_pairs)), "a pair met twice within three rounds"


def test_odd_count_makes_one_trio_and_paused_or_skipping_people_are_listed_not_paired(school):
    circle = _circle(school, joiners=[*EVERYONE_IN_SCHOOL, "house_director"])
    paused = CircleMember.objects.get(circle=circle, person=school.mentor_a2)
    services.member_pause(member=paused, until=timezone.localdate() + dt.timedelta(days=60))
    skipping = CircleMember.objects.get(circle=circle, person=school.learner_b1)
    services.member_skip_next(member=skipping)
    round_ = services.round_run(circle=circle)
    groups = _groups(round_)
    assert sorted(len(g) for g in groups) == [2, 2, 3]
    placed = set().union(*groups)
    assert school.mentor_a2.pk not in placed and school.learner_b1.pk not in placed
    reasons = {a.person_id: a.reason for a in RoundAbsence.objects.filter(round=round_)}
    assert reasons == {
        school.mentor_a2.pk: NotPlacedReason.PAUSED,
        school.learner_b1.pk: NotPlacedReason.SKIPPED,
    }
    skipping.refresh_from_db()
    assert not skipping.skip_next, "skipping one round does not skip the next"


def test_a_person_is_never_paired_with_their_supervisor(school):
    Supervision.objects.create(
        supervisor=school.mentor_a2, supervisee=school.mentor_b1, start_date=dt.date(2024, 1, 1)
    )
    circle = _circle(
        school, audience=Audience.FACULTY, joiners=["mentor_a1", "mentor_a2", "mentor_b1"]
    )
    for _ in range(3):
        round_ = services.round_run(circle=circle)
        for group in _groups(round_):
            assert {school.mentor_a2.pk, school.mentor_b1.pk} - group, (
                "supervisor paired with supervisee"
            )


def test_someone_whose_free_times_overlap_nobody_is_listed_with_that_reason(school):
    circle = _circle(
        school, audience=Audience.FACULTY, joiners=["mentor_a1", "mentor_a2", "mentor_b1"]
    )
    for name, window in [
        ("mentor_a1", (0, dt.time(9), dt.time(11))),
        ("mentor_a2", (0, dt.time(10), dt.time(12))),
        ("mentor_b1", (4, dt.time(15), dt.time(16))),
    ]:
        member = CircleMember.objects.get(circle=circle, person=school.persona(name))
        services.availability_replace(member=member, windows=[window])
    round_ = services.round_run(circle=circle)
    assert _groups(round_) == [{school.mentor_a1.pk, school.mentor_a2.pk}]
    absence = RoundAbsence.objects.get(round=round_)
    assert absence.person == school.mentor_b1 and absence.reason == NotPlacedReason.NO_OVERLAP
    pairing = round_.pairings.get()
    assert pairing.suggested_times, "overlapping free time gives suggested times"
    for moment in map(dt.datetime.fromisoformat, pairing.suggested_times):
        assert round_.starts_at <= moment < round_.ends_at


def test_the_introduction_email_names_the_other_person_a_prompt_and_the_page(
    school, smtp_server, django_capture_on_commit_callbacks
):
    circle = _circle(school, audience=Audience.FACULTY, joiners=["mentor_a1", "mentor_b1"])
    with django_capture_on_commit_callbacks(execute=True):
        round_ = services.round_run(circle=circle)
    pairing = round_.pairings.get()
    mail = smtp_server.to(school.mentor_a1.email)
    assert len(mail) == 1
    body = mail[0].get_payload(decode=True).decode()
    assert "Mona Mentorthree" in mail[0]["Subject"]
    assert pairing.prompt in body and pairing.video_url in body
    assert reverse("pairing", args=[pairing.pk]) in body
    assert "not an agenda" in body


def test_we_met_enters_both_records_and_skip_me_next_time_skips_one_round(school, client):
    circle = _circle(school, audience=Audience.FACULTY, joiners=["mentor_a1", "mentor_b1"])
    pairing = services.round_run(circle=circle).pairings.get()
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    response = client.post(
        reverse("pairing_respond", args=[pairing.pk]), {"response": "met"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "We met" in response.content.decode()
    assert Contact.objects.filter(pairing=pairing).exists()
    for person in (school.mentor_a1, school.mentor_b1):
        client.login(email=person.email, password=PASSWORD)
        page = client.get(reverse("person", args=[person.pk])).content.decode()
        assert "Informal contacts" in page and circle.name in page
    mine = PairingMember.objects.get(pairing=pairing, person=school.mentor_b1)
    services.pairing_respond(member=mine, response=Response.SKIP_NEXT)
    assert CircleMember.objects.get(circle=circle, person=school.mentor_b1).skip_next
    with pytest.raises(ValidationError):
        services.pairing_respond(member=mine, response="maybe")


def test_only_the_audience_may_opt_in(school):
    circle = _circle(school, audience=Audience.FACULTY, joiners=[])
    with pytest.raises(ValidationError, match="faculty mentors"):
        services.circle_join(circle=circle, person=school.learner_a1)
    senior = _circle(school, audience=Audience.FACULTY_AND_SENIOR_LEARNERS, joiners=[])
    school.learner_a1.learner_year = 3
    school.learner_a1.save()
    services.circle_join(circle=senior, person=school.learner_a1)
    with pytest.raises(ValidationError):
        services.circle_join(circle=senior, person=school.mate_a1)


def test_leaving_and_coming_back_keeps_one_membership(school):
    circle = _circle(school, audience=Audience.FACULTY, joiners=["mentor_a1"])
    member = CircleMember.objects.get(circle=circle, person=school.mentor_a1)
    services.circle_leave(member=member)
    round_ = services.round_run(circle=circle)
    assert not round_.pairings.exists()
    again = services.circle_join(circle=circle, person=school.mentor_a1)
    assert again.pk == member.pk and again.status == "active"


def test_the_tick_reminds_the_day_before_once_and_runs_due_rounds(
    school, smtp_server, django_capture_on_commit_callbacks
):
    circle = _circle(
        school, audience=Audience.FACULTY, joiners=["mentor_a1", "mentor_b1", "mentor_a2"]
    )
    # mentor_a2 turned the day-before reminders off in their email choices.
    EmailPreference.objects.create(person=school.mentor_a2, circle_reminders=False)
    due = circle.next_round_at
    with django_capture_on_commit_callbacks(execute=True):
        assert tick(now=due - dt.timedelta(hours=30)) == (0, 0)
        assert tick(now=due - dt.timedelta(hours=20)) == (1, 0)
        assert tick(now=due - dt.timedelta(hours=10)) == (0, 0)
    reminders = [m for m in smtp_server.messages if "new round" in m["Subject"]]
    assert sorted(m["To"] for m in reminders) == sorted(
        [school.mentor_a1.email, school.mentor_b1.email]
    )
    assert "/account/email/" in reminders[0].get_payload(decode=True).decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert tick(now=due + dt.timedelta(minutes=5)) == (0, 1)
    circle.refresh_from_db()
    assert circle.rounds.count() == 1
    assert circle.next_round_at == due + dt.timedelta(days=14)


def test_the_circle_page_shows_the_figures_and_the_round_page_the_reasons(school, client):
    circle = _circle(school)
    services.member_pause(
        member=CircleMember.objects.get(circle=circle, person=school.mentor_a2),
        until=timezone.localdate() + dt.timedelta(days=90),
    )
    round_ = services.round_run(circle=circle)
    client.login(email=school.director.email, password=PASSWORD)
    page = client.get(reverse("circle", args=[circle.pk])).content.decode()
    for figure in (
        "rounds so far",
        "repeated pairs",
        "across communities",
        "random pairing",
        "next round",
    ):
        assert figure in page
    round_page = client.get(reverse("round", args=[round_.pk])).content.decode()
    assert "Mateo Mentortwo — Paused" in round_page


def test_members_pause_skip_and_give_free_times_from_the_circle_page(school, client):
    circle = _circle(school, audience=Audience.FACULTY, joiners=["mentor_a1"])
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    url = reverse("circle_availability", args=[circle.pk])
    data = {
        "w-TOTAL_FORMS": "2",
        "w-INITIAL_FORMS": "0",
        "w-0-weekday": "1",
        "w-0-start": "12:00",
        "w-0-end": "13:00",
        "w-1-weekday": "",
        "w-1-start": "",
        "w-1-end": "",
    }
    assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 200
    member = CircleMember.objects.get(circle=circle, person=school.mentor_a1)
    assert [(w.weekday, w.start) for w in member.windows.all()] == [(1, dt.time(12))]
    bad = dict(data, **{"w-0-end": "11:00"})
    response = client.post(url, bad, HTTP_HX_REQUEST="true")
    assert "must end after it starts" in response.content.decode()
    assert member.windows.count() == 1, "a refused form changes nothing"
    client.post(reverse("circle_skip", args=[circle.pk]), HTTP_HX_REQUEST="true")
    member.refresh_from_db()
    assert member.skip_next
    until = timezone.localdate() + dt.timedelta(days=100)
    client.post(
        reverse("circle_pause", args=[circle.pk]),
        {"until": until.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    member.refresh_from_db()
    assert member.paused_until == until


def test_anyone_in_a_program_starts_an_open_circle_but_only_directors_choose_the_audience(
    school, client
):
    client.login(email=school.learner_a1.email, password=PASSWORD)
    day = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        reverse("circle_new"),
        {
            "program": school.program.pk,
            "name": "Running club",
            "cadence": "weekly",
            "group_size": "3",
            "first_round_date": day.isoformat(),
            "first_round_time": "08:00",
            "audience": "faculty",
        },
    )
    assert response.status_code == 302
    circle = school.program.circles.get(name="Running club")
    assert circle.audience == Audience.EVERYONE and circle.group_size == 3
    assert circle.members.filter(person=school.learner_a1).exists()


def test_drop_in_hours_show_who_is_in_now_to_the_program_only(school, client):
    now = timezone.now()
    door = services.drop_in_open(
        host=school.mentor_b1,
        program=school.program,
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(minutes=55),
        topic="Residency applications",
    )
    client.login(email=school.learner_a1.email, password=PASSWORD)
    page = client.get(reverse("drop_ins")).content.decode()
    assert "Mona Mentorthree" in page and door.video_url in page
    assert "Mona Mentorthree has an open door now" in client.get(reverse("home")).content.decode()
    client.login(email=school.outsider.email, password=PASSWORD)
    assert "Mona Mentorthree" not in client.get(reverse("drop_ins")).content.decode()
    client.login(email=school.mentor_b1.email, password=PASSWORD)
    client.post(reverse("drop_in_close", args=[door.pk]))
    door.refresh_from_db()
    assert door.closed_at is not None
    with pytest.raises(ValidationError):
        services.drop_in_open(
            host=school.mentor_b1,
            program=school.program,
            starts_at=now,
            ends_at=now - dt.timedelta(minutes=1),
        )


def test_a_photo_is_made_small_and_shown_only_to_those_who_may_see_the_person(
    school, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    picture = io.BytesIO()
    Image.new("RGB", (1200, 800), "teal").save(picture, "PNG")
    picture.seek(0)
    picture.name = "me.png"
    client.login(email=school.mentor_b1.email, password=PASSWORD)
    assert client.post(reverse("photo_edit"), {"photo": picture}).status_code == 302
    school.mentor_b1.refresh_from_db()
    with Image.open(school.mentor_b1.photo.path) as stored:
        assert stored.size == (400, 400) and stored.format == "JPEG"
    circle = _circle(school, audience=Audience.FACULTY, joiners=["mentor_a1", "mentor_b1"])
    services.round_run(circle=circle)
    url = reverse("person_photo", args=[school.mentor_b1.pk])
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    assert client.get(url).status_code == 200, "the person introduced sees the photo"
    client.login(email=school.outsider.email, password=PASSWORD)
    assert client.get(url).status_code == 404
    bad = io.BytesIO(b"not an image")
    bad.name = "me.png"
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    response = client.post(reverse("photo_edit"), {"photo": bad})
    assert response.status_code == 400 and "Upload a valid image" in response.content.decode()


def test_a_newcomer_after_the_plan_is_placed_too(school):
    circle = _circle(school, audience=Audience.FACULTY, joiners=["mentor_a1", "mentor_a2"])
    services.round_run(circle=circle)
    newcomer = make_person("Nora Newmentor", academic_rank="assistant")
    from hearth.communities.models import MemberRole
    from hearth.communities.services import membership_start

    membership_start(
        group=school.group_b1,
        person=newcomer,
        role=MemberRole.MENTOR,
        start_date=timezone.localdate(),
    )
    services.circle_join(circle=circle, person=newcomer)
    services.circle_join(circle=circle, person=school.mentor_b1)
    round_ = services.round_run(circle=circle)
    assert newcomer.pk in set().union(*_groups(round_))


def test_rounds_and_reminders_are_queued_as_scheduled_tasks(
    school, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from hearth.serendipity.tasks import circle_round_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        circle = _circle(school, audience=Audience.FACULTY, joiners=["mentor_a1", "mentor_b1"])
    due = circle.next_round_at
    queued = {r.task_path.rsplit(".", 1)[-1]: r.run_after for r in DBTaskResult.objects.all()}
    assert queued == {"circle_round_task": due, "circle_reminder_task": due - dt.timedelta(days=1)}
    # A stale task (the circle's date moved) does nothing; the right one runs the round.
    assert circle_round_task.call(circle.pk, (due - dt.timedelta(days=1)).isoformat()) is False
    with django_capture_on_commit_callbacks(execute=True):
        assert circle_round_task.call(circle.pk, due.isoformat()) is True
    assert circle.rounds.count() == 1
    circle.refresh_from_db()
    assert DBTaskResult.objects.filter(run_after=circle.next_round_at).exists()


def test_the_api_gives_circle_figures_rounds_to_managers_and_each_person_their_pairings(
    school, client
):
    circle = _circle(
        school, audience=Audience.FACULTY, joiners=["mentor_a1", "mentor_b1", "mentor_a2"]
    )
    services.member_pause(
        member=CircleMember.objects.get(circle=circle, person=school.mentor_a2),
        until=timezone.localdate() + dt.timedelta(days=30),
    )
    round_ = services.round_run(circle=circle)
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    figures = client.get(f"/api/circles/{circle.pk}").json()
    assert figures["rounds"] == 1 and figures["repeated_pairs"] == 0
    assert figures["cross_community_share"] == 1.0 and figures["paused"] == 1
    mine = client.get("/api/pairings").json()["items"]
    assert len(mine) == 1 and set(mine[0]["people"]) == {school.mentor_a1.pk, school.mentor_b1.pk}
    assert mine[0]["prompt"] == round_.pairings.get().prompt
    assert client.get(f"/api/circles/{circle.pk}/rounds").status_code == 404
    client.login(email=school.director.email, password=PASSWORD)
    rounds = client.get(f"/api/circles/{circle.pk}/rounds").json()["items"]
    assert rounds[0]["not_placed"] == [{"person": school.mentor_a2.pk, "reason": "paused"}]
