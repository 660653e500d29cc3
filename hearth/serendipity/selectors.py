"""Reads for serendipity: who may join a circle, profiles for an introduction, circle figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hearth.communities.models import GroupMembership, MemberRole, Program
from hearth.people.models import Person, RoleGrant

from .models import (
    Audience,
    Circle,
    CircleMember,
    Contact,
    DropIn,
    MemberStatus,
    Pairing,
    PairingMember,
    Response,
    Round,
    RoundAbsence,
)


def eligible_people(circle: Circle) -> QuerySet[Person]:
    """Who the circle's audience covers today."""
    open_memberships = GroupMembership.objects.filter(program=circle.program, end_date__isnull=True)
    mentors = Q(pk__in=open_memberships.filter(role=MemberRole.MENTOR).values("person_id"))
    if circle.audience == Audience.FACULTY:
        condition = mentors
    elif circle.audience == Audience.FACULTY_AND_SENIOR_LEARNERS:
        condition = mentors | Q(
            pk__in=open_memberships.filter(role=MemberRole.LEARNER).values("person_id"),
            learner_year__gte=circle.senior_from_year,
        )
    else:
        condition = Q(pk__in=open_memberships.values("person_id")) | Q(
            pk__in=RoleGrant.objects.filter(program=circle.program).values("person_id")
        )
    return Person.objects.filter(condition, is_active=True)


def is_eligible(circle: Circle, person: Person) -> bool:
    return eligible_people(circle).filter(pk=person.pk).exists()


def communities_of(program: Program, people: list[int]) -> dict[int, str]:
    """Each person's current community in the program (mentors and learners alike)."""
    rows = (
        GroupMembership.objects.filter(program=program, end_date__isnull=True, person_id__in=people)
        .order_by("role", "start_date")
        .values_list("person_id", "group__community__name")
    )
    found: dict[int, str] = {}
    for person_id, community in rows:
        found.setdefault(person_id, community)
    return found


def rank_label(person: Person) -> str:
    if person.academic_rank:
        return person.get_academic_rank_display()
    if person.learner_year:
        return f"Learner, year {person.learner_year}"
    return "Learner" if person.is_learner else ""


@dataclass
class Profile:
    person: Person
    community: str
    rank: str
    interests: list[str]
    in_common: list[str] = field(default_factory=list)


def _in_common(viewer: Profile, other: Profile) -> list[str]:
    shared = []
    interests = sorted(set(viewer.interests) & set(other.interests))
    if interests:
        shared.append("Both interested in " + ", ".join(interests))
    if viewer.person.department and viewer.person.department == other.person.department:
        shared.append(f"Both in {viewer.person.department}")
    if viewer.community and viewer.community == other.community:
        shared.append(f"Both in {viewer.community}")
    if viewer.rank and viewer.rank == other.rank:
        shared.append(f"Both {viewer.rank.lower()}")
    if viewer.person.time_zone == other.person.time_zone:
        shared.append("Same time zone")
    return shared


def pairing_profiles(pairing: Pairing, viewer: Person) -> list[Profile]:
    """The others in the pairing as the viewer sees them, with what they have in common."""
    members = list(pairing.members.select_related("person").prefetch_related("person__interests"))
    people = [m.person for m in members]
    communities = communities_of(pairing.round.circle.program, [p.pk for p in people])
    profiles = {
        p.pk: Profile(
            person=p,
            community=communities.get(p.pk, ""),
            rank=rank_label(p),
            interests=[i.name for i in p.interests.all()],
        )
        for p in people
    }
    mine = profiles.get(viewer.pk)
    others = [profile for pk, profile in profiles.items() if pk != viewer.pk]
    for profile in others:
        if mine is not None:
            profile.in_common = _in_common(mine, profile)
    return others


@dataclass
class CircleSummary:
    rounds: int
    pairings: int
    answered: int
    met: int
    repeats: int
    cross_share: float | None
    random_cross_share: float | None
    members: int
    paused: int

    @property
    def meet_rate(self) -> float | None:
        return self.met / self.answered if self.answered else None


def circle_summary(circle: Circle) -> CircleSummary:
    rounds = list(circle.rounds.all())
    placed = sum(r.people_placed for r in rounds if r.cross_share is not None)

    def weighted(attribute: str) -> float | None:
        if not placed:
            return None
        return (
            sum(
                getattr(r, attribute) * r.people_placed for r in rounds if r.cross_share is not None
            )
            / placed
        )

    pairings = Pairing.objects.filter(round__circle=circle)
    # A pairing counts as answered once any of its people answered.
    answered = pairings.filter(members__response__in=Response.values).distinct().count()
    today = timezone.localdate()
    members = circle.members.filter(status=MemberStatus.ACTIVE)
    return CircleSummary(
        rounds=len(rounds),
        pairings=pairings.count(),
        answered=answered,
        met=Contact.objects.filter(pairing__round__circle=circle).count(),
        repeats=sum(r.repeated_pairs for r in rounds),
        cross_share=weighted("cross_share"),
        random_cross_share=weighted("random_cross_share"),
        members=members.count(),
        paused=members.filter(paused_until__gt=today).count(),
    )


def membership_of(circle: Circle, person: Person) -> CircleMember | None:
    return circle.members.filter(person=person).prefetch_related("windows").first()


def latest_pairing_of(person: Person, circle: Circle) -> PairingMember | None:
    return (
        PairingMember.objects.filter(person=person, pairing__round__circle=circle)
        .select_related("pairing__round")
        .order_by("-pairing__round__index")
        .first()
    )


def current_pairings(person: Person) -> list[PairingMember]:
    """The person's pairings in rounds that are still running."""
    now = timezone.now()
    return list(
        PairingMember.objects.filter(person=person, pairing__round__ends_at__gt=now)
        .select_related("pairing__round__circle")
        .prefetch_related("pairing__members__person")
        .order_by("pairing__round__starts_at")
    )


def circles_with_counts(circles: QuerySet[Circle]) -> QuerySet[Circle]:
    return circles.select_related("program").annotate(
        active_members=Count("members", filter=Q(members__status=MemberStatus.ACTIVE)),
        round_count=Count("rounds", distinct=True),
    )


def contacts_of(person: Person) -> list[Contact]:
    """Informal conversations that happened: a line on the person's longitudinal record."""
    return list(
        Contact.objects.filter(pairing__members__person=person)
        .select_related("pairing__round__circle")
        .prefetch_related("pairing__members__person")
        .order_by("-happened_on")
    )


def drop_ins_now_and_next(
    programs: QuerySet[Program], now: dt.datetime
) -> tuple[list[DropIn], list[DropIn]]:
    upcoming = DropIn.objects.filter(
        program__in=programs, closed_at__isnull=True, ends_at__gt=now
    ).select_related("host", "program")
    in_now = [d for d in upcoming if d.starts_at <= now]
    later = [d for d in upcoming if d.starts_at > now][:20]
    return in_now, later


def round_detail(round_: Round) -> tuple[list[Pairing], list[RoundAbsence]]:
    pairings = list(round_.pairings.prefetch_related("members__person").select_related("contact"))
    return pairings, list(round_.absences.select_related("person"))


def my_pairings(person: Person) -> QuerySet[PairingMember]:
    return (
        PairingMember.objects.filter(person=person)
        .select_related("pairing__round")
        .prefetch_related("pairing__members")
        .order_by("-pairing__round__starts_at", "-pk")
    )
