from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearth.communities import services as community_services
from hearth.communities.models import Relationship
from hearth.meetings import services
from hearth.meetings.cadence import (
    late_count_by_mentor,
    meetings_per_month,
    open_relationships,
    overdue_relationships,
    relationship_due,
    relationship_rhythms,
)
from hearth.meetings.models import Cadence, ProgramMeetingSettings

NOW = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


def pair(school, mentor: str, learner: str) -> Relationship:
    return Relationship.objects.get(
        mentor=school.persona(mentor), mentee=school.persona(learner), end_date__isnull=True
    )


def met(relationship: Relationship, *, days_ago: float, now: dt.datetime = NOW, cancel=False):
    meeting = services.meeting_create(
        organiser=relationship.mentor,
        relationship=relationship,
        title="Check-in",
        starts_at=now - dt.timedelta(days=days_ago),
        duration_minutes=30,
        allow_past=True,
    )
    if cancel:
        meeting.cancelled_at = now
        meeting.save(update_fields=["cancelled_at"])
    return meeting


@pytest.fixture
def cadence(school):
    return Cadence.objects.create(program=school.program, learner_year=1, every_days=42)


def due_of(relationship: Relationship, now: dt.datetime = NOW):
    [due] = relationship_due([relationship], now=now)
    return due


def test_a_meeting_longer_ago_than_the_cadence_is_overdue_but_not_stalled(school, cadence):
    relationship = pair(school, "mentor_a1", "learner_a1")
    met(relationship, days_ago=50)
    due = due_of(relationship)
    assert due.last_met == NOW - dt.timedelta(days=50)
    assert due.every_days == 42
    assert due.due_on == NOW.date() - dt.timedelta(days=8)
    assert due.overdue and not due.stalled


def test_no_meeting_for_longer_than_stalled_after_days_is_stalled(school, cadence):
    relationship = pair(school, "mentor_a1", "mate_a1")
    met(relationship, days_ago=100)
    due = due_of(relationship)
    assert due.overdue and due.stalled


def test_recent_meeting_is_on_track_and_cancelled_or_future_meetings_do_not_count(school, cadence):
    relationship = pair(school, "mentor_a1", "learner_a1")
    met(relationship, days_ago=10)
    met(relationship, days_ago=2, cancel=True)
    met(relationship, days_ago=-3)
    due = due_of(relationship)
    assert due.last_met == NOW - dt.timedelta(days=10)
    assert due.due_on == NOW.date() + dt.timedelta(days=32)
    assert not due.overdue and not due.stalled


def test_a_pair_that_never_met_counts_from_its_start(school, cadence):
    relationship = pair(school, "mentor_a1", "learner_a1")
    due = due_of(relationship)
    assert due.last_met is None
    assert due.due_on == relationship.start_date + dt.timedelta(days=42)
    assert due.overdue and due.stalled


def test_without_a_cadence_nothing_is_due_or_overdue(school):
    relationship = pair(school, "mentor_a1", "learner_a1")
    met(relationship, days_ago=50)
    due = due_of(relationship)
    assert due.due_on is None and due.every_days is None
    assert not due.overdue and not due.stalled


def test_the_programs_stalled_after_days_is_used(school, cadence):
    ProgramMeetingSettings.objects.create(program=school.program, stalled_after_days=30)
    relationship = pair(school, "mentor_a1", "learner_a1")
    met(relationship, days_ago=50)
    assert due_of(relationship).stalled


def test_overdue_relationships_lists_active_late_pairs_stalled_first(school, cadence):
    met(pair(school, "mentor_a1", "learner_a1"), days_ago=50)
    met(pair(school, "mentor_a1", "mate_a1"), days_ago=100)
    met(pair(school, "mentor_a2", "learner_a2"), days_ago=10)
    paused = pair(school, "mentor_b1", "learner_b1")
    community_services.relationship_pause(relationship=paused, person=paused.mentee)

    late = overdue_relationships(program=school.program, now=NOW)

    assert [(d.relationship.mentee, d.stalled) for d in late] == [
        (school.mate_a1, True),
        (school.learner_a1, False),
    ]


def test_relationship_due_takes_the_same_queries_however_many_pairs(school, cadence):
    for relationship in Relationship.objects.all():
        met(relationship, days_ago=20)
    one = list(Relationship.objects.all()[:1])
    many = list(Relationship.objects.all())
    assert len(many) > 2

    with CaptureQueriesContext(connection) as for_one:
        relationship_due(one, now=NOW)
    with CaptureQueriesContext(connection) as for_many:
        relationship_due(many, now=NOW)

    assert len(for_one) == len(for_many) == 3


def test_meetings_per_month_counts_held_meetings_per_community_and_month(
    school, django_assert_num_queries
):
    a1 = pair(school, "mentor_a1", "learner_a1")
    b1 = pair(school, "mentor_b1", "learner_b1")
    met(a1, days_ago=40)  # 20 January 2025
    met(a1, days_ago=45)  # 15 January 2025
    met(a1, days_ago=41, cancel=True)
    met(a1, days_ago=400)  # older than twelve months
    met(b1, days_ago=20)  # 9 February 2025
    communities = school.program.communities.all()

    with django_assert_num_queries(1):
        rows = meetings_per_month(communities=communities, now=NOW)

    counts = {(r["month"], r["community"]): r["meetings"] for r in rows}
    assert len(rows) == 12 * 2
    assert counts["2025-01", "Apgar House"] == 2
    assert counts["2025-01", "Blackwell House"] == 0
    assert counts["2025-02", "Blackwell House"] == 1
    assert sum(counts.values()) == 3
    assert min(r["month"] for r in rows) == "2024-04"
    only_a = meetings_per_month(communities=communities.filter(pk=school.house_a.pk), now=NOW)
    assert {r["community"] for r in only_a} == {"Apgar House"}


@pytest.fixture
def late_pairs(school, cadence):
    now = timezone.now()
    met(pair(school, "mentor_a1", "learner_a1"), days_ago=50, now=now)
    met(pair(school, "mentor_a2", "learner_a2"), days_ago=5, now=now)
    # mate_a1 and learner_b1 never met since their start in 2024: stalled.
    return school


def overdue_page(client, person, school):
    client.force_login(person)
    return client.get(reverse("overdue", args=[school.program.slug]))


def test_house_director_sees_late_pairs_of_their_house_only(client, late_pairs):
    school = late_pairs
    response = overdue_page(client, school.house_director, school)
    assert response.status_code == 200
    late = [due.relationship.mentee for due in response.context["late"]]
    assert late == [school.mate_a1, school.learner_a1]
    page = response.content.decode()
    assert "Lena Learnerone" in page and "Stalled" in page
    assert "Luca Learnertwo" not in page
    assert "Lia Learnerthree" not in page
    assert "Blackwell" not in page


def test_program_director_sees_every_house(client, late_pairs):
    response = overdue_page(client, late_pairs.director, late_pairs)
    assert late_pairs.learner_b1 in [d.relationship.mentee for d in response.context["late"]]


@pytest.mark.parametrize("persona", ["mentor_a1", "learner_a1", "evaluator", "outsider"])
def test_people_who_direct_no_community_get_404(client, late_pairs, persona):
    response = overdue_page(client, late_pairs.persona(persona), late_pairs)
    assert response.status_code == 404


def test_page_shows_the_chart_as_labelled_svg_and_the_numbers_as_a_table(client, late_pairs):
    response = overdue_page(client, late_pairs.house_director, late_pairs)
    page = response.content.decode()
    svg = re.search(r"<svg\b.*?</svg>", page, re.DOTALL)
    assert svg is not None
    root = ET.fromstring(svg.group(0))
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and "meetings held per month" in (title.text or "")
    assert root.get("aria-label") == title.text
    this_month = timezone.localdate().strftime("%Y-%m")
    assert re.search(rf'<th scope="row">{this_month}</th>', page)
    assert '<th scope="col" class="num">Apgar House</th>' in page


def test_page_query_count_does_not_grow_with_more_pairs(client, late_pairs):
    school = late_pairs
    client.force_login(school.house_director)
    url = reverse("overdue", args=[school.program.slug])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    community_services.membership_start(
        group=school.group_a2,
        person=school.outsider,
        role="learner",
        start_date=dt.date(2024, 9, 1),
    )
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert school.outsider in [d.relationship.mentee for d in response.context["late"]]
    assert len(after) == len(before)


def test_the_judge_and_the_database_agree_on_the_day_a_pair_becomes_late(school, cadence):
    ProgramMeetingSettings.objects.create(program=school.program, stalled_after_days=60)
    due_today = pair(school, "mentor_a1", "learner_a1")
    met(due_today, days_ago=42)
    overdue_by_a_day = pair(school, "mentor_a2", "learner_a2")
    met(overdue_by_a_day, days_ago=43)
    stalls_today = pair(school, "mentor_a1", "mate_a1")
    met(stalls_today, days_ago=60)
    not_yet_stalled = pair(school, "mentor_b1", "learner_b1")
    met(not_yet_stalled, days_ago=59)

    late = {d.relationship: d for d in overdue_relationships(program=school.program, now=NOW)}

    assert due_today not in late
    assert late[overdue_by_a_day].overdue
    assert late[stalls_today].stalled
    assert not late[not_yet_stalled].stalled
    for relationship in Relationship.objects.filter(end_date__isnull=True):
        due = due_of(relationship)
        assert (relationship in late) == (due.overdue or due.stalled)


def test_late_pairs_counted_per_mentor_by_the_database_agree_with_the_judge(school, cadence):
    ProgramMeetingSettings.objects.create(program=school.program, stalled_after_days=60)
    met(pair(school, "mentor_a1", "learner_a1"), days_ago=42)  # due today: on time
    met(pair(school, "mentor_a2", "learner_a2"), days_ago=43)  # overdue by a day
    met(pair(school, "mentor_a1", "mate_a1"), days_ago=60)  # stalls today
    met(pair(school, "mentor_b1", "learner_b1"), days_ago=59)  # overdue, not stalled
    relationships = open_relationships(program=school.program)

    counted = late_count_by_mentor(relationships, program_ids=[school.program.pk], now=NOW)

    judged = Counter(
        d.relationship.mentor_id for d in overdue_relationships(program=school.program, now=NOW)
    )
    assert counted == judged
    assert counted[school.mentor_a1.pk] == 1 and counted[school.mentor_a2.pk] == 1
    assert counted[school.mentor_b1.pk] == 1


def test_the_page_shows_fifty_pairs_at_a_time_stalled_first_with_the_totals(
    client, late_pairs, monkeypatch
):
    from hearth.meetings import cadence

    monkeypatch.setattr(cadence, "LATE_PAIRS_PER_PAGE", 1)
    school = late_pairs
    first = overdue_page(client, school.house_director, school)
    second = client.get(reverse("overdue", args=[school.program.slug]), {"page": 2})

    assert [d.relationship.mentee for d in first.context["late"]] == [school.mate_a1]
    assert [d.relationship.mentee for d in second.context["late"]] == [school.learner_a1]
    for response in (first, second):
        page = response.content.decode()
        assert "<strong>2</strong> need attention" in page
        assert "<strong>1</strong> stalled" in page
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert "pairs 2 to 2 of 2" in second.content.decode()
    assert 'href="?page=1" rel="prev"' in second.content.decode()
    beyond = client.get(reverse("overdue", args=[school.program.slug]), {"page": 99})
    assert [d.relationship.mentee for d in beyond.context["late"]] == [school.learner_a1]


def test_one_page_of_pairs_has_no_pager(client, late_pairs):
    page = overdue_page(client, late_pairs.house_director, late_pairs).content.decode()
    assert 'rel="next"' not in page and "Pages of overdue" not in page


def test_the_chart_follows_new_meetings(client, late_pairs):
    school = late_pairs
    before = overdue_page(client, school.house_director, school).content.decode()
    met(pair(school, "mentor_a1", "mate_a1"), days_ago=0.001, now=timezone.now())
    after = overdue_page(client, school.house_director, school).content.decode()

    def chart(page: str) -> str:
        found = re.search(r"<svg\b.*?</svg>", page, re.DOTALL)
        assert found is not None
        return found.group(0)

    assert chart(before) != chart(after)
    assert chart(after) == chart(
        overdue_page(client, school.house_director, school).content.decode()
    )


def test_lateness_counts_days_in_the_viewers_time_zone(school, cadence):
    relationship = pair(school, "mentor_a1", "learner_a1")
    # 03:00 UTC on 18 January is still 17 January in Chicago: due 28 February there.
    meeting = met(relationship, days_ago=42.375)
    assert meeting.starts_at == dt.datetime(2025, 1, 18, 3, tzinfo=dt.UTC)
    assert relationship not in [d.relationship for d in overdue_relationships(now=NOW)]
    with timezone.override("America/Chicago"):
        [late] = [d for d in overdue_relationships(now=NOW) if d.relationship == relationship]
        assert late.due_on == dt.date(2025, 2, 28) == due_of(relationship).due_on


def test_rhythms_judge_a_queryset_as_relationship_due_does(school, cadence):
    met(pair(school, "mentor_a1", "learner_a1"), days_ago=50)
    met(pair(school, "mentor_a2", "learner_a2"), days_ago=10)
    relationships = Relationship.objects.all()

    rhythms = {r.relationship_id: r for r in relationship_rhythms(relationships, now=NOW)}

    for due in relationship_due(relationships, now=NOW):
        rhythm = rhythms[due.relationship.pk]
        assert rhythm.mentor_id == due.relationship.mentor_id
        assert (rhythm.last_met, rhythm.due_on, rhythm.overdue, rhythm.stalled) == (
            due.last_met,
            due.due_on,
            due.overdue,
            due.stalled,
        )
