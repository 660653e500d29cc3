from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import Relationship
from hearth.meetings import services
from hearth.meetings.models import AgendaTemplate, Goal, Note, ProgramMeetingSettings
from hearth.testing import PASSWORD

SOON = timezone.now() + dt.timedelta(days=3)


@pytest.fixture
def relationship(school):
    return Relationship.objects.get(mentor=school.mentor_a1, mentee=school.learner_a1)


@pytest.fixture
def template(school):
    return AgendaTemplate.objects.create(
        program=school.program,
        name="First month",
        learner_year=1,
        items=["Settling in", "What you hope for this year"],
    )


def plan(relationship, **kwargs):
    fields = {"title": "Check-in", "starts_at": SOON, "duration_minutes": 30}
    fields.update(kwargs)
    return services.meeting_create(
        organiser=relationship.mentor, relationship=relationship, **fields
    )


def test_new_meeting_proposes_the_years_template_opening_with_the_open_slot(relationship, template):
    meeting = plan(relationship)
    agenda = list(meeting.agenda.all())
    assert [a.text for a in agenda] == [
        "How are you, really?",
        "Settling in",
        "What you hope for this year",
    ]
    assert agenda[0].is_open_slot and not any(a.is_open_slot for a in agenda[1:])


def test_open_conversation_has_no_agenda(relationship, template):
    assert not plan(relationship, open_conversation=True).agenda.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts_at": timezone.now() - dt.timedelta(hours=1)}, "already passed"),
        ({"starts_at": dt.datetime(2030, 1, 1, 9)}, "time zone"),  # noqa: DTZ001 - on purpose
        ({"duration_minutes": 0}, "end after it starts"),
    ],
)
def test_bad_meeting_input_is_refused_with_a_clear_message(relationship, fields, message):
    with pytest.raises(ValidationError, match=message):
        plan(relationship, **fields)
    assert not relationship.meetings.exists()


def test_program_jitsi_server_gives_an_unguessable_room(school, relationship):
    ProgramMeetingSettings.objects.create(
        program=school.program, jitsi_base_url="https://meet.example.edu/"
    )
    first, second = plan(relationship), plan(relationship)
    assert first.video_url.startswith("https://meet.example.edu/hearth-")
    assert first.video_url != second.video_url and len(first.video_url) > 40


def test_open_action_item_is_carried_into_the_next_agenda_until_done(school, relationship):
    first = plan(relationship)
    item = services.action_item_add(
        meeting=first,
        person=school.mentor_a1,
        owner=school.learner_a1,
        text="Draft the personal statement",
        due_date=None,
    )
    second = plan(relationship, starts_at=SOON + dt.timedelta(days=30))
    assert any("Draft the personal statement" in a.text for a in second.agenda.all())
    services.action_item_done(item=item, person=school.learner_a1)
    third = plan(relationship, starts_at=SOON + dt.timedelta(days=60))
    assert not any("personal statement" in a.text for a in third.agenda.all())


def test_only_participants_add_topics_and_see_the_meeting(client, school, relationship):
    meeting = plan(relationship)
    with pytest.raises(ValidationError):
        services.agenda_item_add(meeting=meeting, person=school.mate_a1, text="Hi")
    for outsider in (school.mate_a1, school.director, school.house_director, school.outsider):
        client.login(email=outsider.email, password=PASSWORD)
        assert client.get(reverse("meeting", args=[meeting.pk])).status_code == 404
    client.login(email=school.learner_a1.email, password=PASSWORD)
    client.post(reverse("agenda_item_add", args=[meeting.pk]), {"text": "Research electives"})
    page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert "Research electives" in page and "added by Lena Learnerone" in page


def test_learner_sees_shared_notes_but_never_the_mentors_private_note(client, school, relationship):
    meeting = plan(relationship)
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    for body, visibility in [
        ("We agreed on **three** steps.", "shared"),
        ("Seems tired; ask about sleep.", "private"),
    ]:
        client.post(
            reverse("note_save", args=[meeting.pk]), {"body": body, "visibility": visibility}
        )
    mentor_page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert "<strong>three</strong>" in mentor_page and "ask about sleep" in mentor_page
    client.login(email=school.learner_a1.email, password=PASSWORD)
    learner_page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert "<strong>three</strong>" in learner_page
    assert "ask about sleep" not in learner_page


def test_notes_are_sanitised(client, school, relationship):
    meeting = plan(relationship)
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    client.post(
        reverse("note_save", args=[meeting.pk]),
        {"body": "<script>alert(1)</script> [x](javascript:alert(1))", "visibility": "shared"},
    )
    page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert "<script>alert" not in page and 'href="javascript' not in page


def test_a_note_edited_twice_at_once_keeps_both_versions(school, relationship):
    meeting = plan(relationship)
    note = services.note_save(
        meeting=meeting, author=school.mentor_a1, visibility="shared", body="v1"
    )
    services.note_save(
        meeting=meeting,
        author=school.mentor_a1,
        visibility="shared",
        body="edit in tab A",
        note=note,
        base_version=1,
    )
    services.note_save(
        meeting=meeting,
        author=school.mentor_a1,
        visibility="shared",
        body="edit in tab B",
        note=note,
        base_version=1,
    )
    bodies = set(Note.objects.filter(meeting=meeting).values_list("body", flat=True))
    assert bodies == {"edit in tab A", "edit in tab B"}
    assert Note.objects.get(body="edit in tab B").conflict_of_id == note.pk


def test_meeting_time_shows_in_each_viewers_zone(client, school, relationship):
    school.learner_a1.time_zone = "Europe/London"
    school.learner_a1.save()
    school.mentor_a1.time_zone = "America/Chicago"
    school.mentor_a1.save()
    meeting = plan(relationship, starts_at=dt.datetime(2031, 1, 15, 15, 0, tzinfo=dt.UTC))
    client.login(email=school.learner_a1.email, password=PASSWORD)
    assert "15:00 GMT" in client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    assert "09:00 CST" in client.get(reverse("meeting", args=[meeting.pk])).content.decode()


def test_planning_form_reads_time_in_the_organisers_zone(client, school, relationship):
    school.mentor_a1.time_zone = "America/Chicago"
    school.mentor_a1.save()
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    response = client.post(
        reverse("meeting_new", args=[relationship.pk]),
        {
            "title": "Term check-in",
            "kind": "one_on_one",
            "date": "2031-07-01",
            "time": "09:30",
            "duration_minutes": "45",
        },
    )
    assert response.status_code == 302
    meeting = relationship.meetings.get()
    assert meeting.starts_at == dt.datetime(2031, 7, 1, 14, 30, tzinfo=dt.UTC)


def test_goal_changes_are_kept_and_only_the_pair_edits(client, school, relationship):
    client.login(email=school.learner_a1.email, password=PASSWORD)
    client.post(
        reverse("goals", args=[relationship.pk]),
        {"title": "Publish a case report", "why": "", "milestones": "", "status": "not_started"},
    )
    goal = Goal.objects.get()
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    client.post(
        reverse("goals", args=[relationship.pk]),
        {
            "goal_id": goal.pk,
            "title": "Publish a case report",
            "why": "Residency",
            "milestones": "Pick a case",
            "status": "in_progress",
        },
    )
    assert goal.history.count() == 2
    client.login(email=school.mate_a1.email, password=PASSWORD)
    assert client.get(reverse("goals", args=[relationship.pk])).status_code == 404


def test_email_choices_are_saved(client, school):
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    client.post(reverse("email_settings"), {"meeting_reminders": "on"})
    preference = school.mentor_a1.email_preference
    assert preference.meeting_reminders and not preference.agenda_prompts


def test_moving_a_meeting_reads_the_new_time_in_the_movers_zone(
    client, school, relationship, smtp_server, django_capture_on_commit_callbacks
):
    meeting = plan(relationship)
    school.learner_a1.time_zone = "Europe/London"
    school.learner_a1.save()
    client.login(email=school.learner_a1.email, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("meeting_reschedule", args=[meeting.pk]),
            {"date": "2031-06-02", "time": "10:00", "duration_minutes": "45"},
        )
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime(2031, 6, 2, 9, 0, tzinfo=dt.UTC)
    assert (meeting.duration_minutes, meeting.sequence) == (45, 1)
    assert {m["Subject"] for m in smtp_server.messages} == {"Updated: Check-in"}


def test_moving_into_the_past_is_refused_and_changes_nothing(client, school, relationship):
    meeting = plan(relationship)
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    response = client.post(
        reverse("meeting_reschedule", args=[meeting.pk]),
        {"date": "2020-01-01", "time": "10:00", "duration_minutes": "30"},
        follow=True,
    )
    assert "already passed" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_meetings_page_shows_when_each_relationship_is_due(client, school, relationship):
    from hearth.meetings.models import Cadence

    Cadence.objects.create(program=school.program, learner_year=1, every_days=42)
    services.meeting_create(
        organiser=school.mentor_a1,
        relationship=relationship,
        title="Long ago",
        starts_at=timezone.now() - dt.timedelta(days=50),
        duration_minutes=30,
        allow_past=True,
    )
    client.login(email=school.learner_a1.email, password=PASSWORD)
    page = client.get(reverse("meetings")).content.decode()
    assert "overdue" in page


def test_mentor_plans_a_group_session_that_every_member_sees(client, school):
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    response = client.post(
        reverse("group_meeting_new", args=[school.group_a1.pk]),
        {
            "title": "Apgar 1 supper",
            "kind": "group",
            "date": "2031-03-03",
            "time": "18:00",
            "duration_minutes": "60",
        },
    )
    assert response.status_code == 302
    meeting = school.group_a1.meetings.get()
    for member in (school.learner_a1, school.mate_a1):
        client.login(email=member.email, password=PASSWORD)
        assert client.get(reverse("meeting", args=[meeting.pk])).status_code == 200
    for other in (school.learner_a2, school.mentor_a2):
        client.login(email=other.email, password=PASSWORD)
        assert client.get(reverse("meeting", args=[meeting.pk])).status_code == 404
        assert (
            client.get(reverse("group_meeting_new", args=[school.group_a1.pk])).status_code == 404
        )


def test_program_sets_agenda_templates_and_cadence_in_the_admin(client, school):
    client.force_login(school.admin)
    for name in ("agendatemplate", "cadence", "programmeetingsettings", "meeting", "goal"):
        assert client.get(f"/admin/meetings/{name}/").status_code == 200
    response = client.post(
        "/admin/meetings/cadence/add/",
        {"program": school.program.pk, "learner_year": 1, "every_days": 42},
    )
    assert response.status_code == 302


def test_editing_a_note_from_two_tabs_keeps_both_and_says_so(client, school, relationship):
    meeting = plan(relationship)
    note = services.note_save(
        meeting=meeting, author=school.mentor_a1, visibility="shared", body="first words"
    )
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    url = reverse("note_save", args=[meeting.pk])
    for body in ("from tab A", "from tab B"):  # both tabs opened version 1
        response = client.post(
            url,
            {"note_id": note.pk, "base_version": 1, "visibility": "shared", "body": body},
            follow=True,
        )
    page = response.content.decode()
    assert "both versions are kept" in page
    assert "from tab A" in page and "from tab B" in page
