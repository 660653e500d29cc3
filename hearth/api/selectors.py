"""The API's reads: the permission rule's querysets, ordered stably for paging and joined
so that a page costs the same number of queries however much data there is."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hearth.communities.models import (
    AssessmentExclusion,
    Community,
    GroupMembership,
    MentorGroup,
    Program,
    Relationship,
)
from hearth.people.models import Person
from hearth.people.permissions import (
    visible_communities,
    visible_groups,
    visible_memberships,
    visible_people,
    visible_programs,
    visible_relationships,
)


def api_programs(*, user: Any) -> QuerySet[Program]:
    return visible_programs(user).order_by("name", "pk")


def api_communities(*, user: Any, program: Program) -> QuerySet[Community]:
    return (
        visible_communities(user)
        .filter(program=program)
        .select_related("program")
        .order_by("name", "pk")
    )


def api_groups(*, user: Any, community: Community) -> QuerySet[MentorGroup]:
    return (
        visible_groups(user)
        .filter(community=community)
        .select_related("community__program")
        .order_by("name", "pk")
    )


def api_people(*, user: Any) -> QuerySet[Person]:
    return visible_people(user).prefetch_related("interests").order_by("display_name", "pk")


def api_memberships(
    *,
    user: Any,
    group_id: int | None = None,
    person: Person | None = None,
    program_slug: str | None = None,
    is_open: bool | None = None,
) -> QuerySet[GroupMembership]:
    """Memberships the user may see, newest first, narrowed by whichever filters are given."""
    memberships = visible_memberships(user).select_related("group__community", "person")
    if group_id is not None:
        memberships = memberships.filter(group_id=group_id)
    if person is not None:
        memberships = memberships.filter(person=person)
    if program_slug is not None:
        memberships = memberships.filter(program__slug=program_slug)
    if is_open is not None:
        memberships = memberships.filter(end_date__isnull=is_open)
    return memberships.order_by("-start_date", "pk")


def api_relationships(*, user: Any, person: Person) -> QuerySet[Relationship]:
    """Relationships the user may see in which the person mentors or is mentored."""
    return (
        visible_relationships(user)
        .filter(Q(mentor=person) | Q(mentee=person))
        .select_related("program", "mentor", "mentee")
        .order_by("-start_date", "pk")
    )


def api_exclusions(*, program: Program) -> QuerySet[AssessmentExclusion]:
    return (
        AssessmentExclusion.objects.filter(program=program)
        .select_related("assessor", "learner")
        .order_by("learner__display_name", "assessor__display_name", "pk")
    )
