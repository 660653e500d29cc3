"""Practice circles, compacts and a program guide in the demo: two circles in the running
series with a meeting held and one planned, the demo mentor and learner's agreed compact,
a second compact waiting for the demo mentor, and a guide the director wrote."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hearth.communities.demo import DemoSchool
from hearth.communities.models import Relationship
from hearth.people.models import Person

from .models import (
    Compact,
    EnrolmentStatus,
    Guide,
    PracticeCircle,
    TrainingSeries,
)
from .selectors.compacts import compact_template_for
from .services import compacts, library, practice

SERIES_TITLE_PREFIX = "Mentoring the Mentors"
CIRCLE_NAMES = ["Tuesday evening circle", "Friday lunch circle"]
CIRCLE_SIZE = 4

AGREED = {
    "frequency": "Every four weeks, 45 minutes by video, and once a term a coffee at the "
    "hospital. The learner sends the invitation; whoever has to cancel proposes a new time "
    "the same week.",
    "contact": "Email for anything that can wait a few days, a text message for same-day "
    "questions. We each reply within two working days. No messages on call nights unless it "
    "is urgent.",
    "confidentiality": "What we talk about stays between us. The exceptions: a concern for "
    "someone's safety or wellbeing, and anything the school requires to be reported. The "
    "mentor does not assess the learner.",
    "mentee_expects": "Honest feedback on drafts within two weeks; help deciding whether to "
    "take a research year; introductions to people in cardiology.",
    "mentor_expects": "One or two topics on the agenda before each meeting; say early when "
    "something is not working, including our meetings.",
    "first_goals": "1. Decide by March whether to take a research year. 2. Submit the case "
    "report. 3. Keep one evening a week free of study.",
}

DRAFT = {
    "frequency": "Once a month by video, 30 minutes.",
    "contact": "Email; I usually reply within a day or two.",
    "confidentiality": "Between us, with the school's usual exceptions.",
    "mentee_expects": "Help preparing for my first clinical rotation.",
    "mentor_expects": "Tell me when I should prepare something.",
    "first_goals": "Find a study rhythm that leaves time for sleep.",
}

GUIDE_BODY = """Welcome to mentoring in the Northfield learning communities. This page gathers
what mentors in our houses have asked about most in their first month.

### Your group

- You keep the same small group from the first day of medical school to graduation. Learners
  join each August and leave when they graduate; Hearth keeps the history.
- Meet your whole group at least once a month. The first group session of the year is best in
  person: the house common rooms can be booked through the house office.

### One-on-ones

- Each learner meets you one-on-one at least once a term in the first year, more often when
  they ask. Hearth reminds both of you when a meeting is due.
- At the first one-on-one, draft the **mentoring compact** together from the Mentoring compacts
  page. It takes ten minutes and saves a lot of guessing later.

### Confidentiality and assessment

You never assess your own mentees: Hearth keeps you off their assessment panels. When a
learner tells you something that worries you about their safety, talk to your house director
the same day.

### Help

Your house director is the first person to ask. The **Mentoring the Mentors** series runs
every year for faculty who want to grow as mentors; ask to join from the Development page.
"""


def _running_series(now: dt.datetime) -> TrainingSeries | None:
    """The series demo's "Mentoring the Mentors" of this academic year: the one with
    sessions still to come (last year's, seeded by the growth demo, is over)."""
    return (
        TrainingSeries.objects.filter(
            title__startswith=SERIES_TITLE_PREFIX, sessions__starts_at__gte=now
        )
        .distinct()
        .order_by("created_at", "pk")
        .first()
    )


def _seed_circles(series: TrainingSeries, demo_mentor: Person, now: dt.datetime) -> None:
    if PracticeCircle.objects.filter(series=series).exists():
        return  # seeded already
    trainees = list(
        Person.objects.filter(
            enrolments__series=series, enrolments__status=EnrolmentStatus.ENROLLED
        ).order_by("display_name", "pk")
    )
    if len(trainees) < 2:
        return
    # The demo mentor is second on the first rota: after one meeting held, they facilitate
    # the planned one and see "You facilitate the next meeting".
    if demo_mentor in trainees:
        trainees.remove(demo_mentor)
        trainees.insert(1, demo_mentor)
    by = (
        Person.objects.filter(
            role_grants__program=series.program, role_grants__role="facilitator"
        ).first()
        or Person.objects.filter(
            role_grants__program=series.program, role_grants__role="program_director"
        ).first()
    )
    if by is None:
        return
    groups = [trainees[:CIRCLE_SIZE], trainees[CIRCLE_SIZE : 2 * CIRCLE_SIZE]]
    for name, members in zip(CIRCLE_NAMES, groups, strict=True):
        if len(members) < practice.MIN_MEMBERS:
            continue
        circle = practice.practice_circle_create(series=series, by=by, name=name, members=members)
        held = (now - dt.timedelta(days=12)).replace(hour=23, minute=0, second=0, microsecond=0)
        practice.practice_circle_meeting_plan(
            circle=circle, by=members[0], starts_at=held, allow_past=True
        )
        planned = (now + dt.timedelta(days=9)).replace(hour=23, minute=0, second=0, microsecond=0)
        # allow_past: a demo seeded for an earlier day still gets its "planned" meeting.
        practice.practice_circle_meeting_plan(
            circle=circle, by=members[1], starts_at=planned, allow_past=True
        )


def _seed_compacts(school: DemoSchool, demo_mentor: Person, now: dt.datetime) -> None:
    learner = Person.objects.filter(email=f"learner@{school.domain}").first()
    if learner is None:
        return
    pair = Relationship.objects.filter(
        mentor=demo_mentor, mentee=learner, end_date__isnull=True
    ).first()
    if pair is None:
        pair = Relationship.objects.filter(mentee=learner, end_date__isnull=True).first()
    if pair is None or Compact.objects.filter(relationship=pair).exists():
        return
    agreed = compacts.compact_draft(relationship=pair, person=pair.mentor)
    keys = [s["key"] for s in compact_template_for(pair.program).sections]
    agreed = compacts.compact_edit(
        compact=agreed, person=pair.mentee, answers={k: AGREED.get(k, "Agreed.") for k in keys}
    )
    accepted_at = now - dt.timedelta(days=40)
    agreed = compacts.compact_accept(compact=agreed, person=pair.mentee, now=accepted_at)
    compacts.compact_accept(
        compact=agreed, person=pair.mentor, now=accepted_at + dt.timedelta(days=2)
    )
    Compact.objects.filter(pk=agreed.pk).update(created_at=accepted_at - dt.timedelta(days=3))

    # Another of the demo mentor's learners drafted a compact and accepted it; it waits for them.
    other = (
        Relationship.objects.filter(mentor=demo_mentor, end_date__isnull=True)
        .filter(~Q(mentee=learner))
        .order_by("-start_date", "pk")
        .first()
    )
    if other is None or Compact.objects.filter(relationship=other).exists():
        return
    draft = compacts.compact_draft(relationship=other, person=other.mentee)
    keys = [s["key"] for s in draft.sections]
    draft = compacts.compact_edit(
        compact=draft, person=other.mentee, answers={k: DRAFT.get(k, "To agree.") for k in keys}
    )
    compacts.compact_accept(compact=draft, person=other.mentee, now=now - dt.timedelta(days=2))


def _seed_guide(school: DemoSchool) -> None:
    director = Person.objects.filter(email=f"director@{school.domain}").first()
    if director is None or Guide.objects.filter(program=school.program).exists():
        return
    library.guide_create(
        program=school.program,
        author=director,
        title="Your first month as a learning-community mentor",
        summary="What new mentors in our houses ask most: your group, one-on-ones, "
        "confidentiality, and where to find help.",
        body=GUIDE_BODY,
        domains=["expectations", "communication"],
    )


@transaction.atomic
def seed_library(*, school: DemoSchool, today: dt.date | None = None) -> None:
    now = timezone.now()
    if today is not None:
        now = dt.datetime.combine(today, now.timetz())
    demo_mentor = Person.objects.get(email=f"mentor@{school.domain}")
    series = _running_series(now)
    if series is not None:
        _seed_circles(series, demo_mentor, now)
    _seed_compacts(school, demo_mentor, now)
    _seed_guide(school)
