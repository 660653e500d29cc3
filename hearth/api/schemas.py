"""What the API returns. People never carry self-reported attributes: those are for
balancing and aggregate reports only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Path, Schema

from hearth.communities.models import (
    AssessmentExclusion,
    Community,
    GroupMembership,
    MentorGroup,
    Relationship,
)
from hearth.people.models import Person


class ProgramOut(Schema):
    slug: str
    name: str
    description: str
    years_of_study: int


class CommunityOut(Schema):
    id: int
    program: str
    name: str
    description: str

    @staticmethod
    def resolve_program(community: Community) -> str:
        return community.program.slug


class GroupOut(Schema):
    id: int
    program: str
    community_id: int
    community_name: str
    name: str
    capacity: int

    @staticmethod
    def resolve_program(group: MentorGroup) -> str:
        return group.community.program.slug

    @staticmethod
    def resolve_community_name(group: MentorGroup) -> str:
        return group.community.name


class MeOut(Schema):
    """Who the caller is signed in as: what a script checks before it acts."""

    id: int
    display_name: str
    email: str
    time_zone: str


class PersonOut(Schema):
    id: int
    display_name: str
    email: str
    pronouns: str
    department: str
    academic_rank: str
    class_year: int | None
    learner_year: int | None
    time_zone: str
    interests: list[str]

    @staticmethod
    def resolve_interests(person: Person) -> list[str]:
        # .all() so a prefetch is used; interests are ordered by name in Meta.
        return [interest.name for interest in person.interests.all()]


class MembershipOut(Schema):
    id: int
    group_id: int
    group_name: str
    community_id: int
    community_name: str
    person_id: int
    person_name: str
    role: str
    start_date: dt.date
    end_date: dt.date | None
    end_reason: str

    @staticmethod
    def resolve_group_name(membership: GroupMembership) -> str:
        return membership.group.name

    @staticmethod
    def resolve_community_id(membership: GroupMembership) -> int:
        return membership.group.community_id

    @staticmethod
    def resolve_community_name(membership: GroupMembership) -> str:
        return membership.group.community.name

    @staticmethod
    def resolve_person_name(membership: GroupMembership) -> str:
        return membership.person.display_name


class RelationshipOut(Schema):
    id: int
    program: str
    mentor_id: int
    mentor_name: str
    mentee_id: int
    mentee_name: str
    kind: str
    status: str
    start_date: dt.date
    end_date: dt.date | None

    @staticmethod
    def resolve_program(relationship: Relationship) -> str:
        return relationship.program.slug

    @staticmethod
    def resolve_mentor_name(relationship: Relationship) -> str:
        return relationship.mentor.display_name

    @staticmethod
    def resolve_mentee_name(relationship: Relationship) -> str:
        return relationship.mentee.display_name


class ExclusionOut(Schema):
    id: int
    assessor_id: int
    assessor_name: str
    learner_id: int
    learner_name: str
    reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_assessor_name(exclusion: AssessmentExclusion) -> str:
        return exclusion.assessor.display_name

    @staticmethod
    def resolve_learner_name(exclusion: AssessmentExclusion) -> str:
        return exclusion.learner.display_name


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    # Ninja's answer to malformed input: one entry per bad field (type, loc, msg).
    detail: list[dict[str, Any]]


# Ids are 64-bit in the database: a bigger number answers 422, not an overflow there.
MAX_ID = 2**63 - 1


def id_path() -> Any:
    """A row's id in the path: a positive 64-bit integer."""
    return Path(..., ge=1, le=MAX_ID)


# Any operation may answer these: no or a wrong token (401), malformed input (422).
ERRORS: dict[int, Any] = {401: ErrorOut, 422: ValidationErrorOut}


class CircleOut(Schema):
    id: int
    program: str
    name: str
    description: str
    audience: str
    cadence: str
    group_size: int
    next_round_at: dt.datetime

    @staticmethod
    def resolve_program(circle: Any) -> str:
        return circle.program.slug


class CircleSummaryOut(CircleOut):
    rounds: int
    members: int
    paused: int
    repeated_pairs: int
    meet_rate: float | None
    cross_community_share: float | None
    random_cross_community_share: float | None


class NotPlacedOut(Schema):
    person: int
    reason: str


class RoundOut(Schema):
    id: int
    number: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    people_placed: int
    repeated_pairs: int
    cross_community_share: float | None
    random_cross_community_share: float | None
    not_placed: list[NotPlacedOut]

    @staticmethod
    def resolve_cross_community_share(round_: Any) -> float | None:
        return round_.cross_share

    @staticmethod
    def resolve_random_cross_community_share(round_: Any) -> float | None:
        return round_.random_cross_share

    @staticmethod
    def resolve_not_placed(round_: Any) -> list[dict[str, Any]]:
        return [{"person": a.person_id, "reason": a.reason} for a in round_.absences.all()]


class PairingOut(Schema):
    id: int
    circle: int
    round: int
    people: list[int]
    prompt: str
    video_url: str
    suggested_times: list[dt.datetime]
    my_response: str

    @staticmethod
    def resolve_circle(member: Any) -> int:
        return member.pairing.round.circle_id

    @staticmethod
    def resolve_id(member: Any) -> int:
        return member.pairing_id

    @staticmethod
    def resolve_round(member: Any) -> int:
        return member.pairing.round.number

    @staticmethod
    def resolve_people(member: Any) -> list[int]:
        return [m.person_id for m in member.pairing.members.all()]

    @staticmethod
    def resolve_prompt(member: Any) -> str:
        return member.pairing.prompt

    @staticmethod
    def resolve_video_url(member: Any) -> str:
        return member.pairing.video_url

    @staticmethod
    def resolve_suggested_times(member: Any) -> list[str]:
        return member.pairing.suggested_times

    @staticmethod
    def resolve_my_response(member: Any) -> str:
        return member.response


class PulseFigureOut(Schema):
    wave: str
    opens_on: dt.date
    scope: str
    theme: str
    theme_label: str
    respondents: int | None
    mean: float | None
    shown: bool
    note: str
