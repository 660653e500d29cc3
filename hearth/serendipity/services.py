"""Writes for serendipity: circles, taking part, running a round, answering, open doors."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hearth.communities.models import AssessmentExclusion, Program, Relationship
from hearth.meetings.services import program_video_room
from hearth.people.models import Person, Supervision

from . import schedule
from .availability import Window, suggested_times, week_slots
from .messages import introductions_send
from .models import (
    Audience,
    AvailabilityWindow,
    Circle,
    CircleMember,
    Contact,
    DropIn,
    MemberStatus,
    NotPlacedReason,
    Pairing,
    PairingMember,
    Response,
    Round,
    RoundAbsence,
)
from .prompts import choose_prompt
from .selectors import communities_of, eligible_people, is_eligible, rank_label
from .tasks import schedule_circle_tasks

DEFAULT_VIDEO_SERVER = "https://meet.jit.si"
# A plan made for a roster that has mostly changed no longer helps: make a new one.
REPLAN_WHEN_PLANNED_SHARE_BELOW = 0.5


@transaction.atomic
def circle_create(
    *,
    program: Program,
    created_by: Person,
    name: str,
    first_round_at: dt.datetime,
    description: str = "",
    audience: str = Audience.EVERYONE,
    senior_from_year: int = 3,
    cadence: str = "fortnightly",
    group_size: int = 2,
    mix_communities: bool = True,
    mix_departments: bool = False,
    mix_ranks: bool = False,
    never_same_community: bool = False,
    mentor_learner_cross_community_only: bool = True,
) -> Circle:
    if not 2 <= group_size <= 4:
        raise ValidationError("A circle meets in pairs or in groups of 3 or 4.")
    if timezone.is_naive(first_round_at):
        raise ValidationError("The first round needs a time zone.")
    circle = Circle.objects.create(
        program=program,
        created_by=created_by,
        name=name,
        description=description,
        audience=audience,
        senior_from_year=senior_from_year,
        cadence=cadence,
        group_size=group_size,
        mix_communities=mix_communities,
        mix_departments=mix_departments,
        mix_ranks=mix_ranks,
        never_same_community=never_same_community,
        mentor_learner_cross_community_only=mentor_learner_cross_community_only,
        next_round_at=first_round_at,
        seed=secrets.randbelow(2**31),
    )
    if is_eligible(circle, created_by):
        CircleMember.objects.create(circle=circle, person=created_by)
    transaction.on_commit(lambda: schedule_circle_tasks(circle))
    return circle


@transaction.atomic
def circle_join(*, circle: Circle, person: Person) -> CircleMember:
    if circle.archived_at is not None:
        raise ValidationError("This circle has closed.")
    if not is_eligible(circle, person):
        raise ValidationError(f"“{circle.name}” is for {circle.get_audience_display().lower()}.")
    member, created = CircleMember.objects.get_or_create(circle=circle, person=person)
    if not created and member.status == MemberStatus.LEFT:
        member.status, member.left_at = MemberStatus.ACTIVE, None
        member.paused_until, member.skip_next = None, False
        member.save()
    return member


def circle_leave(*, member: CircleMember) -> CircleMember:
    member.status, member.left_at = MemberStatus.LEFT, timezone.now()
    member.save(update_fields=["status", "left_at"])
    return member


def member_pause(*, member: CircleMember, until: dt.date | None) -> CircleMember:
    """Pause until a date ("back in March"); None takes part again from the next round."""
    if until is not None and until <= timezone.localdate():
        raise ValidationError("Pick a date after today to pause until.")
    member.paused_until = until
    member.save(update_fields=["paused_until"])
    return member


def member_skip_next(*, member: CircleMember, skip: bool = True) -> CircleMember:
    member.skip_next = skip
    member.save(update_fields=["skip_next"])
    return member


@transaction.atomic
def availability_replace(*, member: CircleMember, windows: Iterable[Window]) -> None:
    rows = [AvailabilityWindow(member=member, weekday=d, start=s, end=e) for d, s, e in windows]
    for row in rows:
        if row.end <= row.start:
            raise ValidationError(
                f"{row.get_weekday_display()}: the window must end after it starts."
            )
    member.windows.all().delete()
    AvailabilityWindow.objects.bulk_create(rows)


def _forbidden_pairs(program: Program, people: list[int]) -> frozenset[frozenset[int]]:
    """Never a learner with their own mentor or assessor, never a person with their supervisor."""
    pairs: set[frozenset[int]] = set()
    inside = Q(mentor_id__in=people, mentee_id__in=people)
    pairs.update(
        frozenset(p)
        for p in Relationship.objects.filter(inside).values_list("mentor_id", "mentee_id")
    )
    pairs.update(
        frozenset(p)
        for p in AssessmentExclusion.objects.filter(
            program=program, assessor_id__in=people, learner_id__in=people
        ).values_list("assessor_id", "learner_id")
    )
    pairs.update(
        frozenset(p)
        for p in Supervision.objects.filter(
            supervisor_id__in=people, supervisee_id__in=people
        ).values_list("supervisor_id", "supervisee_id")
    )
    return frozenset(pairs)


def _rules(circle: Circle, forbidden: frozenset[frozenset[int]]) -> schedule.Rules:
    return schedule.Rules(
        group_size=circle.group_size,
        mix_community=1.0 if circle.mix_communities else 0.0,
        mix_department=1.0 if circle.mix_departments else 0.0,
        mix_rank=1.0 if circle.mix_ranks else 0.0,
        never_same_community=circle.never_same_community,
        mentor_learner_cross_community_only=circle.mentor_learner_cross_community_only,
        forbidden_pairs=forbidden,
    )


def _history(circle: Circle) -> tuple[schedule.History, dict[int, set[str]]]:
    """Who met whom in earlier rounds, and the prompts each person has had."""
    groups: dict[int, list[int]] = defaultdict(list)
    round_of: dict[int, int] = {}
    prompts: dict[int, set[str]] = defaultdict(set)
    rows = PairingMember.objects.filter(pairing__round__circle=circle).values_list(
        "pairing_id", "person_id", "pairing__round__index", "pairing__prompt"
    )
    for pairing_id, person_id, index, prompt in rows:
        groups[pairing_id].append(person_id)
        round_of[pairing_id] = index
        prompts[person_id].add(prompt)
    history = schedule.History()
    by_round: dict[int, list[list[int]]] = defaultdict(list)
    for pairing_id, people in groups.items():
        by_round[round_of[pairing_id]].append(people)
    for index in sorted(by_round):
        history.add_round(index, by_round[index])
    return history, prompts


def _plan_for(
    circle: Circle, index: int, present: list[schedule.Member], rules: schedule.Rules
) -> schedule.Plan:
    """The circle's whole-schedule plan; a new one when most people present are not in it."""
    if circle.plan:
        plan = schedule.Plan.from_dict(circle.plan)
        planned = set(plan.points)
        if present and sum(
            m.id in planned for m in present
        ) >= REPLAN_WHEN_PLANNED_SHARE_BELOW * len(present):
            return plan
    plan = schedule.make_plan(present, rules, seed=circle.seed)
    # A plan made mid-circle begins with its own best-mixed rounds.
    plan.start = index
    circle.plan = plan.to_dict()
    return plan


@transaction.atomic
def round_run(*, circle: Circle, now: dt.datetime | None = None, introduce: bool = True) -> Round:
    """Pair (or group) everyone present, record who was not placed and why, introduce them."""
    now = now or timezone.now()
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    index = circle.rounds.count()
    # A director may start a round early; a late run keeps the planned start.
    starts_at = min(circle.next_round_at, now)
    ends_at = circle.round_after(starts_at)
    round_ = Round.objects.create(circle=circle, index=index, starts_at=starts_at, ends_at=ends_at)

    members = list(
        circle.members.filter(status=MemberStatus.ACTIVE)
        .select_related("person")
        .prefetch_related("windows", "person__interests")
    )
    eligible = set(
        eligible_people(circle)
        .filter(pk__in=[m.person_id for m in members])
        .values_list("pk", flat=True)
    )
    absences: list[RoundAbsence] = []
    present: list[CircleMember] = []
    for member in members:
        if member.person_id not in eligible:
            absences.append(
                RoundAbsence(
                    round=round_, person=member.person, reason=NotPlacedReason.NOT_ELIGIBLE
                )
            )
        elif member.is_paused_on(starts_at.date()):
            absences.append(
                RoundAbsence(round=round_, person=member.person, reason=NotPlacedReason.PAUSED)
            )
        elif member.skip_next:
            absences.append(
                RoundAbsence(round=round_, person=member.person, reason=NotPlacedReason.SKIPPED)
            )
        else:
            present.append(member)

    communities = communities_of(circle.program, [m.person_id for m in present])
    engine_members = []
    slots_of: dict[int, frozenset[int] | None] = {}
    for member in present:
        person = member.person
        windows = [(w.weekday, w.start, w.end) for w in member.windows.all()]
        slots = week_slots(windows, person.time_zone, starts_at) if windows else None
        slots_of[person.pk] = slots
        engine_members.append(
            schedule.Member(
                id=person.pk,
                community=communities.get(person.pk, ""),
                department=person.department,
                rank=rank_label(person),
                is_learner=person.is_learner,
                slots=slots,
            )
        )
    rules = _rules(circle, _forbidden_pairs(circle.program, [m.id for m in engine_members]))
    history, prompts_had = _history(circle)
    plan = _plan_for(circle, index, engine_members, rules)
    result = schedule.schedule_round(
        plan, index, engine_members, rules, history, seed=circle.seed + index
    )

    people = {m.person_id: m.person for m in present}
    repeated = {frozenset(pair) for pair in result.repeated_pairs}
    rng = random.Random(circle.seed * 7919 + index)
    for group in result.groups:
        had = set().union(*(prompts_had[p] for p in group))
        times = suggested_times([slots_of[p] for p in group], starts_at, ends_at)
        pairing = Pairing.objects.create(
            round=round_,
            prompt=choose_prompt(had, rng),
            video_url=program_video_room(circle.program, DEFAULT_VIDEO_SERVER),
            suggested_times=[t.isoformat() for t in times],
            repeated=any(frozenset((a, b)) in repeated for a in group for b in group if a < b),
        )
        PairingMember.objects.bulk_create(
            PairingMember(pairing=pairing, person=people[p]) for p in group
        )
    for person_id, reason in result.unplaced:
        absences.append(RoundAbsence(round=round_, person=people[person_id], reason=reason))
    RoundAbsence.objects.bulk_create(absences)

    by_id = {m.id: m for m in engine_members}
    placed = [by_id[p] for group in result.groups for p in group]
    round_.design = plan.design
    round_.people_placed = len(placed)
    round_.repeated_pairs = len(result.repeated_pairs)
    if len(placed) > 1:
        round_.cross_share = schedule.cross_share(result.groups, by_id)
        round_.random_cross_share = schedule.random_cross_share(placed)
    round_.save()

    circle.members.filter(skip_next=True, status=MemberStatus.ACTIVE).update(skip_next=False)
    circle.next_round_at = circle.round_after(starts_at)
    while circle.next_round_at <= now:
        circle.next_round_at = circle.round_after(circle.next_round_at)
    circle.save()
    if introduce:
        transaction.on_commit(lambda: introductions_send(round_))
    transaction.on_commit(lambda: schedule_circle_tasks(circle))
    return round_


@transaction.atomic
def pairing_respond(*, member: PairingMember, response: str) -> PairingMember:
    """One click after the round; a conversation that happened goes on both people's record."""
    if response not in Response.values:
        raise ValidationError("Choose “we met”, “we could not make it” or “skip me next time”.")
    member.response, member.responded_at = response, timezone.now()
    member.save(update_fields=["response", "responded_at"])
    pairing = member.pairing
    if response == Response.MET:
        Contact.objects.get_or_create(
            pairing=pairing, defaults={"happened_on": timezone.localdate()}
        )
    if response == Response.SKIP_NEXT:
        CircleMember.objects.filter(
            circle=pairing.round.circle_id, person=member.person_id, status=MemberStatus.ACTIVE
        ).update(skip_next=True)
    return member


def drop_in_open(
    *,
    host: Person,
    program: Program,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    topic: str = "",
) -> DropIn:
    if ends_at <= starts_at:
        raise ValidationError("The open door must close after it opens.")
    if ends_at - starts_at > dt.timedelta(hours=8):
        raise ValidationError("An open door lasts at most eight hours.")
    if ends_at <= timezone.now():
        raise ValidationError("That time has already passed.")
    return DropIn.objects.create(
        program=program,
        host=host,
        starts_at=starts_at,
        ends_at=ends_at,
        topic=topic,
        video_url=program_video_room(program, DEFAULT_VIDEO_SERVER),
    )


def drop_in_close(*, drop_in: DropIn) -> DropIn:
    drop_in.closed_at = timezone.now()
    drop_in.save(update_fields=["closed_at"])
    return drop_in
