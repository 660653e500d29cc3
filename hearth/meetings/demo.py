"""Meetings in the demo school: each demo account finds real records from its home page."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

from django.db import transaction
from django.utils import timezone

from hearth.communities.demo import DemoSchool
from hearth.communities.models import Relationship, RelationshipKind
from hearth.people.models import Person

from . import booking, services
from .models import AgendaTemplate, Cadence, MeetingKind, ProgramMeetingSettings

TEMPLATES = [
    (
        "First month",
        1,
        "first month",
        ["Settling in: what surprised you?", "Study habits that work"],
    ),
    ("Before clerkships", 2, "before clerkships", ["Which clerkship first?", "Step 1 plans"]),
    ("Clerkship year", 3, "clerkships", ["Hardest moment on the wards", "Feedback you received"]),
    (
        "Residency applications",
        4,
        "residency applications",
        ["Specialty choice", "Letters of recommendation", "Personal statement"],
    ),
]
SHARED_NOTES = [
    "We talked about **balancing** study with sleep. Try the 50/10 rhythm for two weeks.",
    "Good progress on the research project; next step is the abstract.",
    "Discussed the specialty shortlist: internal medicine and pediatrics.",
]


@transaction.atomic
def seed_meetings(*, school: DemoSchool, today: dt.date | None = None) -> None:
    """Agenda templates, cadence, and a year of meetings for the demo mentor's group."""
    rng = random.Random(7)
    program = school.program
    ProgramMeetingSettings.objects.create(
        program=program, slot_minutes=30, jitsi_base_url="https://meet.jit.si"
    )
    for year, days in [(1, 42), (2, 42), (3, 60), (4, 30)]:
        Cadence.objects.create(program=program, learner_year=year, every_days=days)
    for name, year, milestone, items in TEMPLATES:
        AgendaTemplate.objects.create(
            program=program, name=name, learner_year=year, milestone=milestone, items=items
        )
    mentor = Person.objects.get(email=f"mentor@{school.domain}")
    now = timezone.now()
    # Weekly office hours, Tuesdays at noon in the mentor's own zone, for the next two months.
    zone = zoneinfo.ZoneInfo(mentor.time_zone)
    first = now.astimezone(zone).date() + dt.timedelta(days=1)
    while first.weekday() != 1:
        first += dt.timedelta(days=1)
    booking.availability_add(
        mentor=mentor,
        program=program,
        starts_at=dt.datetime.combine(first, dt.time(12), zone),
        window_minutes=90,
        time_zone=mentor.time_zone,
        rrule="FREQ=WEEKLY;COUNT=8",
    )
    # Across the program most pairs met recently, some are overdue, a few have stalled.
    others = (
        Relationship.objects.filter(
            program=program, kind=RelationshipKind.LC_MENTOR, end_date__isnull=True
        )
        .exclude(mentor=mentor)
        .select_related("mentee", "mentor", "program")
    )
    for relationship in others:
        last_gap = rng.choice([5, 12, 20, 28, 35, 40, 55, 70, 120])
        for months_back in range(rng.randint(1, 3)):
            when = now - dt.timedelta(days=last_gap + 45 * months_back, hours=rng.randint(0, 8))
            if when.date() < relationship.start_date:
                break
            services.meeting_create(
                organiser=relationship.mentor,
                relationship=relationship,
                title="Mentoring check-in",
                open_conversation=True,
                starts_at=when.replace(minute=0, second=0, microsecond=0),
                duration_minutes=30,
                allow_past=True,
            )
    relationships = Relationship.objects.filter(
        mentor=mentor, kind=RelationshipKind.LC_MENTOR, end_date__isnull=True
    ).select_related("mentee", "mentor", "program")
    for index, relationship in enumerate(relationships):
        learner = relationship.mentee
        is_demo_learner = learner.email == f"learner@{school.domain}"
        past_count = 3 if is_demo_learner else rng.randint(0, 2)
        for n in range(past_count, 0, -1):
            when = now - dt.timedelta(days=45 * n + index % 7, hours=index % 5)
            meeting = services.meeting_create(
                organiser=mentor,
                relationship=relationship,
                title="Mentoring check-in",
                starts_at=when.replace(minute=0, second=0, microsecond=0),
                duration_minutes=30,
                allow_past=True,
            )
            services.note_save(
                meeting=meeting,
                author=mentor,
                visibility="shared",
                body=SHARED_NOTES[n % len(SHARED_NOTES)],
            )
            if is_demo_learner:
                services.note_save(
                    meeting=meeting,
                    author=mentor,
                    visibility="private",
                    body="Seemed tired; ask gently about workload next time.",
                )
                item = services.action_item_add(
                    meeting=meeting,
                    person=mentor,
                    owner=learner,
                    text=[
                        "Book a shadowing day",
                        "Send me the abstract draft",
                        "Look up two research electives",
                    ][n - 1],
                    due_date=(when + dt.timedelta(days=21)).date(),
                )
                if n > 1:
                    services.action_item_done(item=item, person=learner)
        if is_demo_learner or index % 3 == 0:
            upcoming = services.meeting_create(
                organiser=mentor,
                relationship=relationship,
                title="Mentoring check-in",
                kind=MeetingKind.ONE_ON_ONE,
                starts_at=(now + dt.timedelta(days=5 + index % 9)).replace(
                    hour=17, minute=0, second=0, microsecond=0
                ),
                duration_minutes=30,
            )
            if is_demo_learner:
                services.agenda_item_add(
                    meeting=upcoming, person=learner, text="Away rotation in the spring?"
                )
                services.goal_save(
                    relationship=relationship,
                    person=learner,
                    title="Publish a case report",
                    why="For residency applications",
                    milestones="Pick a case\nFirst draft",
                    status="in_progress",
                )
