from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearth.communities import services as community_services
from hearth.communities.models import Relationship
from hearth.meetings import services
from hearth.meetings.cadence import (
    meetings_per_month,
    overdue_relationships,
    relationship_due,
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
