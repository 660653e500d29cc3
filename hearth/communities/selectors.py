"""Reads behind the community pages; each takes what the permission rule already allowed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet

from hearth.people.models import Person
from hearth.people.permissions import visible_memberships, visible_relationships

from .models import (
    AssessmentExclusion,
    Cohort,
    Community,
    GroupMembership,
    MemberRole,
    MentorChangeRequest,
    MentorGroup,
    Program,
    Relationship,
)
from .services import RolloverPlan, rollover_plan

OPEN_LEARNERS = Q(memberships__role=MemberRole.LEARNER, memberships__end_date__isnull=True)


def open_mentors_prefetch(to_attr: str = "open_mentors") -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=GroupMembership.objects.filter(
            role=MemberRole.MENTOR, end_date__isnull=True
        ).select_related("person"),
        to_attr=to_attr,
    )


@dataclass
class CommunityRow:
    community: Community
    counts_by_cohort: list[int]
    total: int
    group_count: int


@dataclass
class ProgramOverview:
    program: Program
    cohorts: list[Cohort]
    rows: list[CommunityRow] = field(default_factory=list)
    cohort_totals: list[int] = field(default_factory=list)
    total_learners: int = 0
    mentor_loads: Page[Any] | None = None  # one page of groups, for directors


LOADS_PER_PAGE = 50


def program_overview(
    *,
    program: Program,
    communities: QuerySet[Community],
    with_loads: bool,
    loads_page: int | str | None = 1,
) -> ProgramOverview:
    """Counts of current learners per community and cohort, and one page of groups' loads."""
    cohorts = list(program.cohorts.all())
    communities = communities.filter(program=program).annotate(group_count=Count("groups"))
    counts: dict[tuple[int, int | None], int] = defaultdict(int)
    for row in (
        GroupMembership.objects.filter(
            program=program, role=MemberRole.LEARNER, end_date__isnull=True
        )
        .values("group__community_id", "person__class_year")
        .annotate(n=Count("pk"))
    ):
        counts[(row["group__community_id"], row["person__class_year"])] += row["n"]
    # Graduated classes have no current learners: their column would only show zeros.
    current_years = {year for (_, year) in counts}
    cohorts = [cohort for cohort in cohorts if cohort.class_year in current_years]
    overview = ProgramOverview(program=program, cohorts=cohorts)
    for community in communities:
        per_cohort = [counts[(community.pk, cohort.class_year)] for cohort in cohorts]
        total = sum(n for (cid, _), n in counts.items() if cid == community.pk)
        overview.rows.append(
            CommunityRow(community, per_cohort, total, community.group_count)  # type: ignore[attr-defined]
        )
    overview.cohort_totals = [
        sum(r.counts_by_cohort[i] for r in overview.rows) for i in range(len(cohorts))
    ]
    overview.total_learners = sum(r.total for r in overview.rows)
    if with_loads:
        groups = (
            MentorGroup.objects.filter(community__in=communities)
            .select_related("community")
            .annotate(learner_count=Count("memberships", filter=OPEN_LEARNERS))
            .prefetch_related(open_mentors_prefetch())
            .order_by("community__name", "name", "pk")
        )
        overview.mentor_loads = Paginator(groups, LOADS_PER_PAGE).get_page(loads_page)
    return overview


def community_groups(*, community: Community, groups: QuerySet[MentorGroup]) -> list[MentorGroup]:
    return list(
        groups.filter(community=community)
        .annotate(learner_count=Count("memberships", filter=OPEN_LEARNERS))
        .prefetch_related(open_mentors_prefetch())
        .order_by("name")
    )


def community_directors(*, community: Community) -> list[Person]:
    return list(
        Person.objects.filter(
            role_grants__community=community, role_grants__role="community_director"
        ).distinct()
    )


@dataclass
class GroupRoster:
    current_mentors: list[GroupMembership]
    current_learners: list[GroupMembership]
    past: list[GroupMembership]


def group_roster(*, user: Any, group: MentorGroup) -> GroupRoster:
    """Current and past members the user may see, with their dates."""
    memberships = list(
        visible_memberships(user)
        .filter(group=group)
        .select_related("person")
        .order_by("role", "person__display_name", "-start_date")
    )
    return GroupRoster(
        current_mentors=[m for m in memberships if m.is_open and m.role == MemberRole.MENTOR],
        current_learners=[m for m in memberships if m.is_open and m.role == MemberRole.LEARNER],
        past=sorted(
            (m for m in memberships if not m.is_open),
            key=lambda m: (m.end_date, m.person.display_name),
            reverse=True,
        ),
    )


@dataclass
class MentorMap:
    current: dict[str, list[Relationship]]
    past: dict[str, list[Relationship]]


def mentor_map(*, user: Any, person: Person) -> MentorMap:
    """Everyone who mentors this person now and before, by kind."""
    relationships = (
        visible_relationships(user)
        .filter(mentee=person)
        .select_related("mentor", "program", "group")
        .order_by("kind", "-start_date")
    )
    current: dict[str, list[Relationship]] = defaultdict(list)
    past: dict[str, list[Relationship]] = defaultdict(list)
    for relationship in relationships:
        target = current if relationship.is_open else past
        target[relationship.get_kind_display()].append(relationship)
    return MentorMap(current=dict(current), past=dict(past))


def mentees_of(*, user: Any, person: Person) -> list[Relationship]:
    return list(
        visible_relationships(user)
        .filter(mentor=person)
        .select_related("mentee", "program")
        .order_by(F("end_date").desc(nulls_first=True), "mentee__display_name")
    )


def person_memberships(*, user: Any, person: Person) -> list[GroupMembership]:
    return list(
        visible_memberships(user)
        .filter(person=person)
        .select_related("group__community__program")
        .order_by("-start_date")
    )


def change_requests_for(*, communities: QuerySet[Community]) -> list[MentorChangeRequest]:
    """Open requests first, then the decided ones, for the communities given."""
    return list(
        MentorChangeRequest.objects.filter(membership__group__community__in=communities)
        .select_related("membership__person", "membership__group__community", "decided_by")
        .order_by(F("decided_at").desc(nulls_first=True), "-created_at")
    )


@dataclass
class RolloverPreview:
    plan: RolloverPlan
    moving_up_by_year: list[tuple[int, int]]
    graduating_by_group: list[tuple[MentorGroup, int]]


def rollover_preview(*, program: Program, on) -> RolloverPreview:  # noqa: ANN001 - a date
    """The rollover plan, summarised the way a director checks it."""
    plan = rollover_plan(program=program, on=on)
    years: dict[int, int] = defaultdict(int)
    for person in plan.moving_up:
        years[person.learner_year or 1] += 1
    return RolloverPreview(
        plan=plan,
        moving_up_by_year=sorted(years.items()),
        graduating_by_group=sorted(
            plan.freed_places.items(), key=lambda item: (item[0].community.name, item[0].name)
        ),
    )


def exclusions_for(*, program: Program) -> list[AssessmentExclusion]:
    return list(
        AssessmentExclusion.objects.filter(program=program)
        .select_related("assessor", "learner")
        .order_by("learner__display_name", "assessor__display_name")
    )


def membership_audit(*, group: MentorGroup, limit: int = 25) -> list[Any]:
    """The latest recorded changes to the group's memberships: who changed what, and when."""
    return list(
        GroupMembership.history.filter(group_id=group.pk)  # type: ignore[attr-defined]
        .select_related("history_user", "person")
        .order_by("-history_date")[:limit]
    )
