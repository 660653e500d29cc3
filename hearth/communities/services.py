"""Writes to the longitudinal record. Group membership and the LC-mentor relationship share
this one write path, so later pillars can read relationships only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hearth.lib.email import email_on_commit
from hearth.people.models import Person, Role

from .models import (
    AssessmentExclusion,
    EndReason,
    GroupMembership,
    MemberRole,
    MentorChangeRequest,
    MentorGroup,
    Program,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
)


def _open_lc_relationship(
    *, mentor: Person, learner: Person, group: MentorGroup, start_date: dt.date
) -> Relationship:
    relationship, _ = Relationship.objects.get_or_create(
        program=group.community.program,
        mentor=mentor,
        mentee=learner,
        kind=RelationshipKind.LC_MENTOR,
        end_date=None,
        defaults={"group": group, "start_date": start_date},
    )
    AssessmentExclusion.objects.get_or_create(
        program=group.community.program, assessor=mentor, learner=learner
    )
    return relationship


def _end_lc_relationships(
    *,
    group: MentorGroup,
    end_date: dt.date,
    mentor: Person | None = None,
    learner: Person | None = None,
    status: str = RelationshipStatus.COMPLETED,
) -> None:
    open_relationships = Relationship.objects.filter(
        group=group, kind=RelationshipKind.LC_MENTOR, end_date__isnull=True
    )
    if mentor is not None:
        open_relationships = open_relationships.filter(mentor=mentor)
    if learner is not None:
        open_relationships = open_relationships.filter(mentee=learner)
    for relationship in open_relationships:
        relationship.end_date = max(end_date, relationship.start_date)
        relationship.status = status
        relationship.save(update_fields=["end_date", "status"])
        _compact_up_for_review(relationship)


_REVIEW_REASONS = {
    RelationshipStatus.PAUSED: "The relationship was paused.",
    RelationshipStatus.COMPLETED: "The relationship was completed.",
    RelationshipStatus.ENDED_EARLY: "The relationship ended early.",
}


def _compact_up_for_review(relationship: Relationship) -> None:
    """A pause or an end brings the pair's agreed mentoring compact up for review."""
    from hearth.mentor_development.services.compacts import compact_flag_for_review

    compact_flag_for_review(
        relationship=relationship, reason=_REVIEW_REASONS[RelationshipStatus(relationship.status)]
    )


def _open_members(group: MentorGroup, role: str) -> list[GroupMembership]:
    return list(group.memberships.filter(role=role, end_date__isnull=True).select_related("person"))


@transaction.atomic
def membership_start(
    *, group: MentorGroup, person: Person, role: str, start_date: dt.date
) -> GroupMembership:
    """Put a person in a group from a date, opening LC-mentor relationships with the group."""
    group = MentorGroup.objects.select_related("community__program").get(pk=group.pk)
    program = group.community.program
    if role == MemberRole.LEARNER:
        already = GroupMembership.objects.filter(
            person=person, program=program, role=MemberRole.LEARNER, end_date__isnull=True
        ).select_related("group")
        if already:
            raise ValidationError(
                f"{person} is already in {already[0].group} in {program}; "
                "end that membership first."
            )
        if (
            group.memberships.filter(role=MemberRole.LEARNER, end_date__isnull=True).count()
            >= group.capacity
        ):
            raise ValidationError(f"{group} is full ({group.capacity} learners).")
    membership = GroupMembership.objects.create(
        group=group, program=program, person=person, role=role, start_date=start_date
    )
    if role == MemberRole.LEARNER:
        for mentor_membership in _open_members(group, MemberRole.MENTOR):
            _open_lc_relationship(
                mentor=mentor_membership.person,
                learner=person,
                group=group,
                start_date=start_date,
            )
    else:
        for learner_membership in _open_members(group, MemberRole.LEARNER):
            _open_lc_relationship(
                mentor=person,
                learner=learner_membership.person,
                group=group,
                start_date=start_date,
            )
    return membership


@transaction.atomic
def membership_end(
    *, membership: GroupMembership, end_date: dt.date, reason: str
) -> GroupMembership:
    """End a membership (a real-world change) and the LC-mentor relationships it carried."""
    if reason not in EndReason.values:
        raise ValidationError(f"{reason!r} is not an end reason ({', '.join(EndReason.values)}).")
    if membership.end_date is not None:
        raise ValidationError(f"{membership} has already ended.")
    if end_date < membership.start_date:
        raise ValidationError("A membership cannot end before it started.")
    membership.end_date = end_date
    membership.end_reason = reason
    membership._change_reason = f"ended: {reason}"  # type: ignore[attr-defined]
    membership.save(update_fields=["end_date", "end_reason"])
    status = (
        RelationshipStatus.COMPLETED
        if reason == EndReason.GRADUATED
        else RelationshipStatus.ENDED_EARLY
    )
    if membership.role == MemberRole.LEARNER:
        _end_lc_relationships(
            group=membership.group, learner=membership.person, end_date=end_date, status=status
        )
    else:
        _end_lc_relationships(
            group=membership.group, mentor=membership.person, end_date=end_date, status=status
        )
    return membership


@transaction.atomic
def learner_transfer(
    *, membership: GroupMembership, to_group: MentorGroup, on: dt.date
) -> GroupMembership:
    """Move a learner to another group: end one membership, begin the next."""
    membership_end(membership=membership, end_date=on, reason=EndReason.TRANSFERRED)
    return membership_start(
        group=to_group, person=membership.person, role=MemberRole.LEARNER, start_date=on
    )


@transaction.atomic
def group_mentor_replace(
    *,
    group: MentorGroup,
    leaving: Person,
    successor: Person,
    on: dt.date,
    reason: str = EndReason.OTHER,
) -> GroupMembership:
    """A mentor leaves and another takes the group over from the same day."""
    membership = group.memberships.get(
        person=leaving, role=MemberRole.MENTOR, end_date__isnull=True
    )
    membership_end(membership=membership, end_date=on, reason=reason)
    return membership_start(group=group, person=successor, role=MemberRole.MENTOR, start_date=on)


# Closing the year twice within this many days is a mistake, not a new year.
ROLLOVER_MIN_DAYS = 300


@dataclass
class RolloverPlan:
    program: Program
    on: dt.date
    graduating: list[GroupMembership] = field(default_factory=list)
    moving_up: list[Person] = field(default_factory=list)
    freed_places: dict[MentorGroup, int] = field(default_factory=dict)


def rollover_plan(*, program: Program, on: dt.date) -> RolloverPlan:
    """What the year-end rollover would do, without doing it."""
    plan = RolloverPlan(program=program, on=on)
    open_learners = (
        GroupMembership.objects.filter(
            program=program, role=MemberRole.LEARNER, end_date__isnull=True
        )
        .select_related("person", "group__community")
        .order_by("group__community__name", "group__name", "person__display_name")
    )
    for membership in open_learners:
        year = membership.person.learner_year or 1
        if year >= program.years_of_study:
            plan.graduating.append(membership)
            plan.freed_places[membership.group] = plan.freed_places.get(membership.group, 0) + 1
        else:
            plan.moving_up.append(membership.person)
    return plan


@transaction.atomic
def rollover_apply(*, program: Program, on: dt.date) -> RolloverPlan:
    """Close the academic year: graduate the final year, move everyone else up a year."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.last_rollover_on and (on - program.last_rollover_on).days < ROLLOVER_MIN_DAYS:
        raise ValidationError(
            f"The academic year was already closed on {program.last_rollover_on:%d %B %Y}."
        )
    plan = rollover_plan(program=program, on=on)
    for membership in plan.graduating:
        membership_end(membership=membership, end_date=on, reason=EndReason.GRADUATED)
    for person in plan.moving_up:
        person.learner_year = (person.learner_year or 1) + 1
        person.save(update_fields=["learner_year"])
    program.last_rollover_on = on
    program.save(update_fields=["last_rollover_on"])
    return plan


@transaction.atomic
def membership_share_history(*, membership: GroupMembership, shares: bool) -> GroupMembership:
    """The learner's choice whether a successor mentor may see their time in the group."""
    membership.shares_history_with_successor = shares
    membership._change_reason = (  # type: ignore[attr-defined]  # read by simple-history
        "history shared with a successor" if shares else "history kept from a successor"
    )
    membership.save(update_fields=["shares_history_with_successor"])
    return membership


@transaction.atomic
def relationship_start(
    *, program: Program, mentor: Person, mentee: Person, kind: str, start_date: dt.date
) -> Relationship:
    """Open a mentoring relationship outside the learning-community groups."""
    if kind == RelationshipKind.LC_MENTOR:
        raise ValidationError("LC-mentor relationships follow group membership.")
    if mentor.pk == mentee.pk:
        raise ValidationError("Nobody can mentor themselves.")
    return Relationship.objects.create(
        program=program, mentor=mentor, mentee=mentee, kind=kind, start_date=start_date
    )


def _require_party(relationship: Relationship, person: Person) -> None:
    if person.pk not in (relationship.mentor_id, relationship.mentee_id):
        raise ValidationError("Only the mentor and the mentee can change this relationship.")


@transaction.atomic
def relationship_pause(*, relationship: Relationship, person: Person) -> Relationship:
    """A pause (leave, exams): no nudges, the relationship stays open."""
    _require_party(relationship, person)
    if relationship.status != RelationshipStatus.ACTIVE:
        raise ValidationError("Only an active relationship can be paused.")
    relationship.status = RelationshipStatus.PAUSED
    relationship.save(update_fields=["status"])
    _compact_up_for_review(relationship)
    return relationship


@transaction.atomic
def relationship_resume(*, relationship: Relationship, person: Person) -> Relationship:
    _require_party(relationship, person)
    if relationship.status != RelationshipStatus.PAUSED:
        raise ValidationError("Only a paused relationship can be resumed.")
    relationship.status = RelationshipStatus.ACTIVE
    relationship.save(update_fields=["status"])
    return relationship


@transaction.atomic
def relationship_end(
    *,
    relationship: Relationship,
    end_date: dt.date,
    status: str,
    reflection: str = "",
    reason: str = "",
    by: Person | None = None,
) -> Relationship:
    """Close a relationship as completed (with a closing reflection) or ended early (with a
    reason). Learning-community relationships end with their group membership instead."""
    if status not in (RelationshipStatus.COMPLETED, RelationshipStatus.ENDED_EARLY):
        raise ValidationError("A relationship ends as completed or ended early.")
    if relationship.end_date is not None:
        raise ValidationError("This relationship has already ended.")
    if by is not None:
        _require_party(relationship, by)
        if relationship.kind == RelationshipKind.LC_MENTOR:
            raise ValidationError(
                "A learning-community mentorship ends when the learner leaves the group: "
                "ask your community director."
            )
    if status == RelationshipStatus.ENDED_EARLY and not reason.strip():
        raise ValidationError("Say briefly why the relationship is ending early.")
    relationship.end_date = max(end_date, relationship.start_date)
    relationship.status = status
    relationship.ended_early_reason = reason
    if by is None or by.pk == relationship.mentor_id:
        relationship.mentor_reflection = reflection
    else:
        relationship.mentee_reflection = reflection
    relationship.save()
    _compact_up_for_review(relationship)
    return relationship


@transaction.atomic
def relationship_reflect(
    *, relationship: Relationship, person: Person, reflection: str
) -> Relationship:
    """Each side adds their own closing reflection once the relationship has ended."""
    _require_party(relationship, person)
    if relationship.end_date is None:
        raise ValidationError("Reflections are written when the relationship ends.")
    if person.pk == relationship.mentor_id:
        relationship.mentor_reflection = reflection
    else:
        relationship.mentee_reflection = reflection
    relationship.save(update_fields=["mentor_reflection", "mentee_reflection"])
    return relationship


@transaction.atomic
def exclusion_add(
    *, program: Program, assessor: Person, learner: Person, reason: str
) -> AssessmentExclusion:
    """Keep an assessor away from grading a learner they advise."""
    if assessor.pk == learner.pk:
        raise ValidationError("A person cannot be excluded from assessing themselves.")
    exclusion, _ = AssessmentExclusion.objects.get_or_create(
        program=program, assessor=assessor, learner=learner, defaults={"reason": reason}
    )
    return exclusion


@transaction.atomic
def change_request_create(*, membership: GroupMembership, reason: str) -> MentorChangeRequest:
    """A learner asks for another mentor; only the community's directors are told."""
    if not membership.is_open or membership.role != MemberRole.LEARNER:
        raise ValidationError("Only a learner's current group membership can be changed.")
    if membership.change_requests.filter(status=MentorChangeRequest.Status.OPEN).exists():
        raise ValidationError("You have already asked; your community director will reply.")
    change_request = MentorChangeRequest.objects.create(membership=membership, reason=reason)
    community = membership.group.community
    directors = Person.objects.filter(
        Q(role_grants__role=Role.COMMUNITY_DIRECTOR, role_grants__community=community)
        | Q(role_grants__role=Role.PROGRAM_DIRECTOR, role_grants__program=community.program)
    ).distinct()
    # The email names neither the learner nor the reason: it may sit in a shared inbox.
    email_on_commit(
        subject=f"A learner in {community} asked for a different mentor",
        body=(
            f"A learner in {community} ({community.program}) has asked for a different mentor.\n"
            "Sign in to Hearth to read the request; the mentor has not been told."
        ),
        recipients=[d.email for d in directors],
    )
    return change_request


@transaction.atomic
def change_request_decide(
    *,
    change_request: MentorChangeRequest,
    decided_by: Person,
    move_to: MentorGroup | None,
    note: str,
    on: dt.date,
) -> MentorChangeRequest:
    """Move the learner to another group, or decline; either way the request closes."""
    if change_request.status != MentorChangeRequest.Status.OPEN:
        raise ValidationError("This request has already been decided.")
    membership = change_request.membership
    if move_to is not None:
        if move_to.pk == membership.group_id:
            raise ValidationError("Choose a different group from the learner's current one.")
        if move_to.community.program_id != membership.program_id:
            raise ValidationError("The new group must be in the same program.")
        learner_transfer(membership=membership, to_group=move_to, on=on)
        change_request.status = MentorChangeRequest.Status.MOVED
    else:
        change_request.status = MentorChangeRequest.Status.DECLINED
    change_request.decided_by = decided_by
    change_request.decided_at = timezone.now()
    change_request.decision_note = note
    change_request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    email_on_commit(
        subject="Your request for a different mentor",
        body=(
            "Your community director has answered your request: "
            f"{change_request.get_status_display().lower()}.\n\n{note}".rstrip()
        ),
        recipients=[membership.person.email],
    )
    return change_request
