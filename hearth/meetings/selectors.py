"""Reads for meetings: who takes part, which agenda fits, what is still open."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from hearth.communities.models import GroupMembership, Relationship
from hearth.mentor_development.models import PracticeCircleMember
from hearth.people.models import Person

from .cadence import relationship_due
from .models import ActionItem, AgendaTemplate, Goal, Meeting, Note, NoteVisibility


def meeting_participants(meeting: Meeting) -> list[Person]:
    """The mentor and mentee, the group's current members, or the practice circle's members."""
    if meeting.relationship_id:
        relationship = meeting.relationship
        return [relationship.mentor, relationship.mentee]  # type: ignore[union-attr]
    if meeting.practice_circle_id:
        return [
            m.person
            for m in PracticeCircleMember.objects.filter(
                circle_id=meeting.practice_circle_id
            ).select_related("person")
        ]
    return [
        m.person
        for m in GroupMembership.objects.filter(
            group_id=meeting.group_id, end_date__isnull=True
        ).select_related("person")
    ]


def meetings_of(person: Person) -> QuerySet[Meeting]:
    """Every meeting the person takes part in, cancelled ones included."""
    groups = GroupMembership.objects.filter(person=person, end_date__isnull=True).values("group_id")
    circles = PracticeCircleMember.objects.filter(person=person).values("circle_id")
    return Meeting.objects.filter(
        Q(relationship__mentor=person)
        | Q(relationship__mentee=person)
        | Q(group_id__in=groups)
        | Q(practice_circle_id__in=circles)
    )


def agenda_template_for(meeting: Meeting) -> AgendaTemplate | None:
    """The template of the mentee's year (or the program's general one)."""
    if meeting.practice_circle_id:
        return None  # A practice circle's agenda is its own suggested questions.
    if meeting.relationship_id:
        program_id = meeting.relationship.program_id  # type: ignore[union-attr]
        year = meeting.relationship.mentee.learner_year  # type: ignore[union-attr]
    else:
        program_id = meeting.group.community.program_id  # type: ignore[union-attr]
        year = None
    templates = AgendaTemplate.objects.filter(program_id=program_id)
    return (
        templates.filter(learner_year=year).first()
        or templates.filter(learner_year__isnull=True).first()
    )


def open_action_items(meeting: Meeting) -> list[ActionItem]:
    """Undone action items of earlier meetings of the same relationship or group."""
    earlier = ActionItem.objects.filter(done_at__isnull=True).exclude(meeting=meeting)
    if meeting.relationship_id:
        earlier = earlier.filter(meeting__relationship_id=meeting.relationship_id)
    elif meeting.practice_circle_id:
        earlier = earlier.filter(meeting__practice_circle_id=meeting.practice_circle_id)
    else:
        earlier = earlier.filter(meeting__group_id=meeting.group_id)
    return list(earlier.select_related("owner"))


@dataclass
class RelationshipRow:
    relationship: Relationship
    last_met: Meeting | None
    next_meeting: Meeting | None
    viewer_id: int
    due_on: dt.date | None = None
    overdue: bool = False


@dataclass
class MyMeetings:
    upcoming: list[Meeting]
    past: list[Meeting]
    relationships: list[RelationshipRow]

    @property
    def mentors_anyone(self) -> bool:
        return any(row.relationship.mentor_id == row.viewer_id for row in self.relationships)


def my_meetings(*, person: Person, now: dt.datetime | None = None) -> MyMeetings:
    """The person's meetings and their open relationships with when each last met."""
    now = now or timezone.now()
    meetings = list(
        meetings_of(person)
        .select_related("relationship__mentor", "relationship__mentee", "group")
        .order_by("starts_at")
    )
    relationships = list(
        Relationship.objects.filter(
            Q(mentor=person) | Q(mentee=person), end_date__isnull=True
        ).select_related("mentor", "mentee", "program")
    )
    rows = []
    for relationship in relationships:
        held = [m for m in meetings if m.relationship_id == relationship.pk and not m.is_cancelled]
        rows.append(
            RelationshipRow(
                relationship,
                next((m for m in reversed(held) if m.starts_at <= now), None),
                next((m for m in held if m.starts_at > now), None),
                person.pk,
            )
        )
    for row, due in zip(rows, relationship_due(relationships, now=now), strict=True):
        row.due_on, row.overdue = due.due_on, due.overdue and row.next_meeting is None
    return MyMeetings(
        upcoming=[m for m in meetings if m.starts_at > now],
        past=[m for m in reversed(meetings) if m.starts_at <= now][:20],
        relationships=rows,
    )


def proposed_template(*, relationship: Relationship) -> AgendaTemplate | None:
    templates = AgendaTemplate.objects.filter(program_id=relationship.program_id)
    return (
        templates.filter(learner_year=relationship.mentee.learner_year).first()
        or templates.filter(learner_year__isnull=True).first()
    )


def notes_visible_to(*, meeting: Meeting, person: Person) -> list[Note]:
    """Shared notes, and the person's own private ones; never someone else's private note."""
    return list(
        meeting.notes.filter(Q(visibility=NoteVisibility.SHARED) | Q(author=person))
        .select_related("author")
        .order_by("pk")
    )


def goals_with_history(relationship: Relationship) -> list[Goal]:
    """The plan's goals, each with its latest changes, in two queries."""
    goals = list(Goal.objects.filter(relationship=relationship))
    changes = defaultdict(list)
    for change in (
        Goal.history.filter(id__in=[g.pk for g in goals])  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("-history_date")
    ):
        changes[change.id].append(change)
    for goal in goals:
        goal.changes = changes[goal.pk][:10]  # type: ignore[attr-defined]
    return goals
