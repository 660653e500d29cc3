"""Circles in the demo school: a few rounds already run, a round running now, open doors."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from hearth.communities.demo import DemoSchool
from hearth.communities.models import GroupMembership, MemberRole, Program
from hearth.people.models import Person

from . import services
from .models import Audience, CircleMember, Contact, PairingMember, Response
from .selectors import eligible_people

PAST_ROUNDS = 4


def _answer_past_rounds(circle_rounds, rng: random.Random, keep_open: set[int]) -> None:  # noqa: ANN001
    for round_ in circle_rounds:
        for member in PairingMember.objects.filter(pairing__round=round_).select_related("pairing"):
            roll = rng.random()
            answer = Response.MET if roll < 0.68 else Response.MISSED if roll < 0.85 else None
            if answer is None or member.person_id in keep_open and round_.ends_at > timezone.now():
                continue
            services.pairing_respond(member=member, response=answer)
        Contact.objects.filter(pairing__round=round_).update(
            happened_on=(round_.starts_at + dt.timedelta(days=3)).date()
        )


def _at_two_utc(moment: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(moment.date(), dt.time(14), tzinfo=dt.UTC)


def _run_rounds(circle, first: dt.datetime, count: int, rng, keep_open: set[int]) -> None:  # noqa: ANN001
    circle.next_round_at = first
    circle.save(update_fields=["next_round_at"])
    moment = first
    for _ in range(count):
        round_ = services.round_run(circle=circle, now=moment, introduce=False)
        _answer_past_rounds([round_], rng, keep_open)
        circle.refresh_from_db()
        moment = circle.next_round_at


@transaction.atomic
def seed_circles(*, school: DemoSchool, today: dt.date | None = None) -> None:
    rng = random.Random(11)
    program: Program = school.program
    accounts = {
        a.role: Person.objects.get(email=a.email) for a in school.accounts if a.role != "Site admin"
    }
    director, mentor, learner = (
        accounts["Program director"],
        accounts["Mentor"],
        accounts["Learner"],
    )
    now = timezone.now()
    period = dt.timedelta(days=14)
    # Rounds start at 14:00 UTC (morning in the Americas); the fifth began yesterday.
    first = _at_two_utc(now - PAST_ROUNDS * period - dt.timedelta(days=1))

    coffee = services.circle_create(
        program=program,
        created_by=director,
        name="Coffee across houses",
        description="Twenty minutes every two weeks with someone from another house.",
        audience=Audience.EVERYONE,
        cadence="fortnightly",
        group_size=2,
        first_round_at=first,
    )
    open_members = GroupMembership.objects.filter(program=program, end_date__isnull=True)
    faculty = list(
        Person.objects.filter(
            pk__in=open_members.filter(role=MemberRole.MENTOR).values("person_id")
        )
    )
    learners = list(
        Person.objects.filter(
            pk__in=open_members.filter(role=MemberRole.LEARNER).values("person_id")
        )
        .exclude(pk=learner.pk)
        .order_by("pk")
    )
    joiners = [*faculty, *rng.sample(learners, 36), learner, *accounts.values()]
    eligible = set(eligible_people(coffee).values_list("pk", flat=True))
    for person in dict.fromkeys(joiners):
        if person.pk in eligible:
            services.circle_join(circle=coffee, person=person)
    demo_people = {p.pk for p in accounts.values()}
    members = list(CircleMember.objects.filter(circle=coffee).select_related("person"))
    for member in members:
        if member.person_id in demo_people:
            continue
        # Free times in each person's own zone: lunch on two weekdays, or an early evening.
        days = rng.sample(range(5), 2)
        if rng.random() < 0.7:
            services.availability_replace(
                member=member,
                windows=[(d, dt.time(12), dt.time(13, 30)) for d in days]
                + [(days[0], dt.time(17), dt.time(18))],
            )
    mine = next(m for m in members if m.person_id == mentor.pk)
    services.availability_replace(
        member=mine, windows=[(1, dt.time(12), dt.time(13, 30)), (3, dt.time(12), dt.time(14))]
    )
    for member in rng.sample([m for m in members if m.person_id not in demo_people], 3):
        services.member_pause(member=member, until=(now + dt.timedelta(days=70)).date())
    _run_rounds(coffee, first, PAST_ROUNDS + 1, rng, keep_open=demo_people)

    faculty_circle = services.circle_create(
        program=program,
        created_by=director,
        name="Faculty across departments",
        description="A monthly trio of faculty from different departments and ranks.",
        audience=Audience.FACULTY,
        cadence="monthly",
        group_size=3,
        mix_departments=True,
        mix_ranks=True,
        first_round_at=_at_two_utc(now - dt.timedelta(days=40)),
    )
    for person in faculty:
        services.circle_join(circle=faculty_circle, person=person)
    _run_rounds(faculty_circle, _at_two_utc(now - dt.timedelta(days=40)), 2, rng, demo_people)

    services.drop_in_open(
        host=mentor,
        program=program,
        starts_at=now - dt.timedelta(minutes=20),
        ends_at=now + dt.timedelta(hours=3),
        topic="Questions about research years and residency",
    )
    services.drop_in_open(
        host=faculty[5] if faculty[5] != mentor else faculty[6],
        program=program,
        starts_at=now + dt.timedelta(days=1, hours=2),
        ends_at=now + dt.timedelta(days=1, hours=3),
        topic="Just say hello",
    )
