"""The one permission rule. Pages, the API and templates all ask it; nothing else decides
who may see what. Whatever a user may not see is treated as if it did not exist (404)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from hearth.communities.models import (
    Community,
    GroupMembership,
    MemberRole,
    MentorChangeRequest,
    MentorGroup,
    Program,
    Relationship,
)

from .models import Person, Role, RoleGrant

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """What a user holds, read once per request."""

    superuser: bool
    directed_programs: frozenset[int]
    directed_communities: frozenset[int]
    other_role_programs: frozenset[int]
    mentor_tenures: tuple[GroupMembership, ...]
    learner_memberships: tuple[GroupMembership, ...]

    @property
    def mentored_groups(self) -> set[int]:
        return {m.group_id for m in self.mentor_tenures}

    @property
    def learner_groups(self) -> set[int]:
        return {m.group_id for m in self.learner_memberships}


def scope_of(user: Any) -> Scope:
    if not getattr(user, "is_authenticated", False):
        return Scope(False, frozenset(), frozenset(), frozenset(), (), ())
    cached = getattr(user, "_hearth_scope", None)
    if cached is not None:
        return cached
    grants = list(RoleGrant.objects.filter(person=user).values_list("role", "program", "community"))
    memberships = list(GroupMembership.objects.filter(person=user).select_related("group"))
    scope = Scope(
        superuser=user.is_superuser,
        directed_programs=frozenset(p for r, p, _ in grants if r == Role.PROGRAM_DIRECTOR),
        directed_communities=frozenset(
            c for r, _, c in grants if r == Role.COMMUNITY_DIRECTOR and c is not None
        ),
        other_role_programs=frozenset(
            p for r, p, _ in grants if r in (Role.EVALUATOR, Role.FACILITATOR)
        ),
        mentor_tenures=tuple(m for m in memberships if m.role == MemberRole.MENTOR),
        learner_memberships=tuple(
            m for m in memberships if m.role == MemberRole.LEARNER and m.end_date is None
        ),
    )
    user._hearth_scope = scope
    return scope


def _any(conditions: list[Q]) -> Q:
    return reduce(or_, conditions, NOTHING)


def _memberships_seen_by_mentor(scope: Scope, prefix: str = "") -> Q:
    """A mentor sees members whose time in the group overlapped their own, and earlier
    members who agreed to share their history with a successor."""
    conditions = []
    for tenure in scope.mentor_tenures:
        overlap = Q(**{f"{prefix}end_date__isnull": True}) | Q(
            **{f"{prefix}end_date__gte": tenure.start_date}
        )
        if tenure.end_date is not None:
            overlap &= Q(**{f"{prefix}start_date__lte": tenure.end_date})
        conditions.append(
            Q(**{f"{prefix}group_id": tenure.group_id})
            & (overlap | Q(**{f"{prefix}shares_history_with_successor": True}))
        )
    return _any(conditions)


def _membership_condition(scope: Scope, prefix: str = "") -> Q:
    if scope.superuser:
        return Q()
    conditions = [
        Q(**{f"{prefix}program_id__in": scope.directed_programs}),
        Q(**{f"{prefix}group__community_id__in": scope.directed_communities}),
        _memberships_seen_by_mentor(scope, prefix),
    ]
    if scope.learner_groups:
        conditions.append(
            Q(**{f"{prefix}group_id__in": scope.learner_groups, f"{prefix}end_date__isnull": True})
        )
    return _any(conditions)


def visible_programs(user: Any) -> QuerySet[Program]:
    scope = scope_of(user)
    if scope.superuser:
        return Program.objects.all()
    ids = set(scope.directed_programs) | set(scope.other_role_programs)
    ids |= set(
        Community.objects.filter(pk__in=scope.directed_communities).values_list(
            "program_id", flat=True
        )
    )
    ids |= {m.program_id for m in scope.mentor_tenures + scope.learner_memberships}
    return Program.objects.filter(pk__in=ids)


def visible_communities(user: Any) -> QuerySet[Community]:
    scope = scope_of(user)
    if scope.superuser:
        return Community.objects.all()
    return Community.objects.filter(
        Q(program_id__in=scope.directed_programs)
        | Q(pk__in=scope.directed_communities)
        | Q(groups__in=scope.mentored_groups | scope.learner_groups)
    ).distinct()


def visible_groups(user: Any) -> QuerySet[MentorGroup]:
    scope = scope_of(user)
    if scope.superuser:
        return MentorGroup.objects.all()
    return MentorGroup.objects.filter(
        Q(community__program_id__in=scope.directed_programs)
        | Q(community_id__in=scope.directed_communities)
        | Q(pk__in=scope.mentored_groups | scope.learner_groups)
    )


def visible_memberships(user: Any) -> QuerySet[GroupMembership]:
    return GroupMembership.objects.filter(_membership_condition(scope_of(user)))


def visible_people(user: Any) -> QuerySet[Person]:
    scope = scope_of(user)
    if scope.superuser:
        return Person.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Person.objects.none()
    seen_through_groups = GroupMembership.objects.filter(_membership_condition(scope)).values(
        "person_id"
    )
    # Subqueries rather than joins to the grants: a join repeats a person once per grant, and
    # the DISTINCT that would undo it makes the database sort every visible person's row.
    grants = RoleGrant.objects.values("person_id")
    conditions = [
        Q(pk=user.pk),
        Q(pk__in=seen_through_groups),
        Q(pk__in=grants.filter(program_id__in=scope.directed_programs)),
        Q(pk__in=grants.filter(community_id__in=scope.directed_communities)),
        # Everyone who mentors the user, in any kind of relationship.
        Q(pk__in=Relationship.objects.filter(mentee_id=user.pk).values("mentor_id")),
    ]
    if scope.learner_groups:
        learner_communities = MentorGroup.objects.filter(pk__in=scope.learner_groups).values(
            "community_id"
        )
        conditions.append(
            Q(
                pk__in=grants.filter(
                    role=Role.COMMUNITY_DIRECTOR, community_id__in=learner_communities
                )
            )
        )
    return Person.objects.filter(_any(conditions))


def visible_relationships(user: Any) -> QuerySet[Relationship]:
    scope = scope_of(user)
    if scope.superuser:
        return Relationship.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Relationship.objects.none()
    people = visible_people(user).values("pk")
    return Relationship.objects.filter(
        Q(mentor_id=user.pk)
        | Q(mentee_id=user.pk)
        | Q(program_id__in=scope.directed_programs)
        | Q(
            group__community_id__in=scope.directed_communities,
            mentee__in=people,
        )
    )


def directs_program(user: Any, program: Program) -> bool:
    scope = scope_of(user)
    return scope.superuser or program.pk in scope.directed_programs


def directs_community(user: Any, community: Community) -> bool:
    scope = scope_of(user)
    return (
        scope.superuser
        or community.program_id in scope.directed_programs
        or community.pk in scope.directed_communities
    )


def visible_meetings(user: Any) -> QuerySet[Any]:
    """Meetings are seen by their participants only: notes are personal."""
    from hearth.meetings.models import Meeting
    from hearth.meetings.selectors import meetings_of

    if scope_of(user).superuser:
        return Meeting.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Meeting.objects.none()
    return meetings_of(user)


def get_meeting_for_user(user: Any, pk: int) -> Any:
    return _get_or_404(
        visible_meetings(user).select_related(
            "relationship__mentor",
            "relationship__mentee",
            "relationship__program",
            "group__community__program",
        ),
        pk=pk,
    )


def get_relationship_for_user(user: Any, pk: int) -> Relationship:
    return _get_or_404(
        visible_relationships(user).select_related("mentor", "mentee", "program", "group"), pk=pk
    )


def get_mentored_group(user: Any, pk: int) -> MentorGroup:
    """A group the user mentors now; anyone else gets 404."""
    current = [m.group_id for m in scope_of(user).mentor_tenures if m.end_date is None]
    return _get_or_404(
        MentorGroup.objects.filter(pk__in=current).select_related("community__program"), pk=pk
    )


def get_own_relationship(user: Any, pk: int) -> Relationship:
    """A relationship the user is the mentor or the mentee of; others get 404."""
    return _get_or_404(
        Relationship.objects.filter(Q(mentor_id=user.pk) | Q(mentee_id=user.pk)).select_related(
            "mentor", "mentee", "program"
        ),
        pk=pk,
    )


def directed_communities_in(user: Any, program: Program) -> QuerySet[Community]:
    """The communities of this program the user directs, directly or as program director."""
    scope = scope_of(user)
    communities = Community.objects.filter(program=program)
    if scope.superuser or program.pk in scope.directed_programs:
        return communities
    return communities.filter(pk__in=scope.directed_communities)


def visible_change_requests(user: Any) -> QuerySet[MentorChangeRequest]:
    """Directors of the learner's community, and the learner who asked; never the mentor."""
    scope = scope_of(user)
    if scope.superuser:
        return MentorChangeRequest.objects.all()
    if not getattr(user, "is_authenticated", False):
        return MentorChangeRequest.objects.none()
    return MentorChangeRequest.objects.filter(
        Q(membership__program_id__in=scope.directed_programs)
        | Q(membership__group__community_id__in=scope.directed_communities)
        | Q(membership__person_id=user.pk)
    )


def get_change_request_for_director(user: Any, pk: int) -> MentorChangeRequest:
    scope = scope_of(user)
    directed = MentorChangeRequest.objects.all()
    if not scope.superuser:
        directed = directed.filter(
            Q(membership__program_id__in=scope.directed_programs)
            | Q(membership__group__community_id__in=scope.directed_communities)
        )
    return _get_or_404(
        directed.select_related("membership__person", "membership__group__community__program"),
        pk=pk,
    )


def own_open_learner_membership(user: Any, group: MentorGroup) -> GroupMembership | None:
    for membership in scope_of(user).learner_memberships:
        if membership.group_id == group.pk:
            return membership
    return None


_QUERYSETS = {
    Program: visible_programs,
    Community: visible_communities,
    MentorGroup: visible_groups,
    Person: visible_people,
    GroupMembership: visible_memberships,
    Relationship: visible_relationships,
    MentorChangeRequest: visible_change_requests,
}


def can_view(user: Any, obj: Model) -> bool:
    visible = _QUERYSETS.get(type(obj))
    if visible is None:
        raise TypeError(f"No permission rule for {type(obj).__name__}.")
    return visible(user).filter(pk=obj.pk).exists()


def _get_or_404(queryset: QuerySet[Any], **lookup: Any) -> Any:
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as missing:
        raise Http404("Not found.") from missing


def get_program_for_user(user: Any, slug: str) -> Program:
    return _get_or_404(visible_programs(user), slug=slug)


def get_community_for_user(user: Any, pk: int) -> Community:
    return _get_or_404(visible_communities(user).select_related("program"), pk=pk)


def get_group_for_user(user: Any, pk: int) -> MentorGroup:
    return _get_or_404(visible_groups(user).select_related("community__program"), pk=pk)


def get_person_for_user(user: Any, pk: int) -> Person:
    return _get_or_404(visible_people(user), pk=pk)


def get_directed_program(user: Any, slug: str) -> Program:
    """A program the user directs; anyone else gets 404."""
    program = get_program_for_user(user, slug)
    if not directs_program(user, program):
        raise Http404("Not found.")
    return program


# Serendipity: a circle is seen by everyone in its program; a round's pairings by the people
# introduced and the circle's managers (the program's directors and whoever started it).


def visible_circles(user: Any) -> QuerySet[Any]:
    from hearth.serendipity.models import Circle

    return Circle.objects.filter(program__in=visible_programs(user))


def can_manage_circle(user: Any, circle: Any) -> bool:
    scope = scope_of(user)
    return (
        scope.superuser
        or circle.program_id in scope.directed_programs
        or (circle.created_by_id is not None and circle.created_by_id == user.pk)
    )


def get_circle_for_user(user: Any, pk: int) -> Any:
    return _get_or_404(visible_circles(user).select_related("program"), pk=pk)


def get_managed_circle(user: Any, pk: int) -> Any:
    circle = get_circle_for_user(user, pk)
    if not can_manage_circle(user, circle):
        raise Http404("Not found.")
    return circle


def get_round_for_manager(user: Any, pk: int) -> Any:
    from hearth.serendipity.models import Round

    round_ = _get_or_404(
        Round.objects.filter(circle__in=visible_circles(user)).select_related("circle__program"),
        pk=pk,
    )
    if not can_manage_circle(user, round_.circle):
        raise Http404("Not found.")
    return round_


def visible_pairings(user: Any) -> QuerySet[Any]:
    from hearth.serendipity.models import Pairing

    scope = scope_of(user)
    if scope.superuser:
        return Pairing.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Pairing.objects.none()
    return Pairing.objects.filter(
        Q(members__person_id=user.pk)
        | Q(round__circle__program_id__in=scope.directed_programs)
        | Q(round__circle__created_by_id=user.pk)
    ).distinct()


def get_pairing_for_user(user: Any, pk: int) -> Any:
    return _get_or_404(visible_pairings(user).select_related("round__circle__program"), pk=pk)


def visible_drop_ins(user: Any) -> QuerySet[Any]:
    from hearth.serendipity.models import DropIn

    return DropIn.objects.filter(program__in=visible_programs(user))


def visible_faces(user: Any) -> QuerySet[Person]:
    """Whose photo the user may see: people they can see, the people they are introduced to,
    and mentors holding an open door in their programs."""
    from hearth.serendipity.models import PairingMember

    if scope_of(user).superuser:
        return Person.objects.all()
    introduced = PairingMember.objects.filter(pairing__members__person_id=user.pk).values(
        "person_id"
    )
    hosting = visible_drop_ins(user).values("host_id")
    return Person.objects.filter(
        Q(pk__in=visible_people(user).values("pk")) | Q(pk__in=introduced) | Q(pk__in=hosting)
    )


def directs_any_program_of(user: Any, person: Person) -> bool:
    """The user directs a program the person belongs to (for the person's informal record)."""
    scope = scope_of(user)
    if scope.superuser:
        return True
    return GroupMembership.objects.filter(
        person=person, program_id__in=scope.directed_programs
    ).exists()


def get_note_for_mentor(user: Any, pk: int) -> Any:
    """A thank-you note the user received and may still see."""
    from hearth.recognition.models import ThankYouNote

    return _get_or_404(
        ThankYouNote.objects.filter(mentor_id=user.pk, hidden_at__isnull=True), pk=pk
    )


def get_reported_note_for_director(user: Any, pk: int) -> Any:
    """A reported note in a program the user directs."""
    from hearth.recognition.models import ThankYouNote

    scope = scope_of(user)
    notes = ThankYouNote.objects.filter(reported_at__isnull=False)
    if not scope.superuser:
        notes = notes.filter(program_id__in=scope.directed_programs)
    return _get_or_404(notes.select_related("author", "mentor"), pk=pk)


# Mentor development, competency growth: a trainee sees their own ratings; the cohort's
# figures are for the program's directors and facilitators, and the series' session
# facilitators.


def get_enrolled_series(user: Any, pk: int) -> Any:
    """A training series the user is enrolled in now; anyone else gets 404."""
    from hearth.mentor_development.models import EnrolmentStatus, TrainingSeries

    if not getattr(user, "is_authenticated", False):
        raise Http404("Not found.")
    return _get_or_404(
        TrainingSeries.objects.filter(
            enrolments__person_id=user.pk, enrolments__status=EnrolmentStatus.ENROLLED
        ).select_related("program"),
        pk=pk,
    )


def can_see_cohort_growth(user: Any, series: Any) -> bool:
    """Those who run the series, and anyone who facilitates one of its sessions."""
    if can_run_series(user, series):
        return True
    return (
        getattr(user, "is_authenticated", False)
        and series.sessions.filter(facilitator_id=user.pk).exists()
    )


def get_series_for_cohort_growth(user: Any, pk: int) -> Any:
    """A training series whose cohort figures the user may see; anyone else gets 404."""
    from hearth.mentor_development.models import TrainingSeries

    series = _get_or_404(TrainingSeries.objects.select_related("program"), pk=pk)
    if not can_see_cohort_growth(user, series):
        raise Http404("Not found.")
    return series


# Mentor development, compacts: a compact is seen by its mentor and mentee, and read (never
# changed) by the directors of the relationship's program.


def visible_compacts(user: Any) -> QuerySet[Any]:
    from hearth.mentor_development.models import Compact

    scope = scope_of(user)
    if scope.superuser:
        return Compact.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Compact.objects.none()
    return Compact.objects.filter(
        Q(relationship__mentor_id=user.pk)
        | Q(relationship__mentee_id=user.pk)
        | Q(relationship__program_id__in=scope.directed_programs)
    )


def get_compact_for_user(user: Any, pk: int) -> Any:
    return _get_or_404(
        visible_compacts(user).select_related(
            "relationship__mentor", "relationship__mentee", "relationship__program", "drafted_by"
        ),
        pk=pk,
    )


def get_relationship_for_compact(user: Any, pk: int) -> Relationship:
    """A relationship whose compact the user may see: its two people and program directors."""
    scope = scope_of(user)
    relationships = Relationship.objects.all()
    if not scope.superuser:
        relationships = relationships.filter(
            Q(mentor_id=user.pk) | Q(mentee_id=user.pk) | Q(program_id__in=scope.directed_programs)
        )
    return _get_or_404(relationships.select_related("mentor", "mentee", "program"), pk=pk)


# Mentor development, library: everyone signed in reads Hearth's own guides and the guides of
# their programs; a program's directors write and edit its guides (site admins, Hearth's too).


def visible_guides(user: Any) -> QuerySet[Any]:
    from hearth.mentor_development.models import Guide

    if not getattr(user, "is_authenticated", False):
        return Guide.objects.none()
    if scope_of(user).superuser:
        return Guide.objects.all()
    return Guide.objects.filter(Q(program__isnull=True) | Q(program__in=visible_programs(user)))


def get_guide_for_user(user: Any, pk: int) -> Any:
    return _get_or_404(visible_guides(user).select_related("program", "author"), pk=pk)


def can_edit_guide(user: Any, guide: Any) -> bool:
    scope = scope_of(user)
    if scope.superuser:
        return True
    return guide.program_id is not None and guide.program_id in scope.directed_programs


def get_editable_guide(user: Any, pk: int) -> Any:
    guide = get_guide_for_user(user, pk)
    if not can_edit_guide(user, guide):
        raise Http404("Not found.")
    return guide


# Mentor development, training series: a series is run by its program's directors and
# facilitators. Trainees see the series they are enrolled in, invited to or asked to join;
# anyone in a program sees its series that are open for self-enrolment.


def facilitated_programs(user: Any) -> frozenset[int]:
    """Programs in which the user holds the facilitator role (read once per request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_hearth_facilitated", None)
    if cached is None:
        cached = frozenset(
            RoleGrant.objects.filter(person=user, role=Role.FACILITATOR).values_list(
                "program_id", flat=True
            )
        )
        user._hearth_facilitated = cached
    return cached


def runs_training_in(user: Any, program_id: int) -> bool:
    """Directors and facilitators of a program run its training series and its cases."""
    scope = scope_of(user)
    return (
        scope.superuser
        or program_id in scope.directed_programs
        or program_id in facilitated_programs(user)
    )


def can_run_series(user: Any, series: Any) -> bool:
    return runs_training_in(user, series.program_id)


def training_programs(user: Any) -> QuerySet[Program]:
    """Programs in which the user may create training series and cases."""
    scope = scope_of(user)
    if scope.superuser:
        return Program.objects.all()
    return Program.objects.filter(pk__in=scope.directed_programs | facilitated_programs(user))


def get_training_program(user: Any, slug: str) -> Program:
    return _get_or_404(training_programs(user), slug=slug)


def visible_series(user: Any) -> QuerySet[Any]:
    from hearth.mentor_development.models import Enrolment, TrainingSeries

    scope = scope_of(user)
    if scope.superuser:
        return TrainingSeries.objects.all()
    if not getattr(user, "is_authenticated", False):
        return TrainingSeries.objects.none()
    return TrainingSeries.objects.filter(
        Q(program_id__in=scope.directed_programs | facilitated_programs(user))
        | Q(pk__in=Enrolment.objects.filter(person_id=user.pk).values("series_id"))
        | Q(self_enrolment=True, program__in=visible_programs(user))
    )


def get_series_for_user(user: Any, pk: int) -> Any:
    return _get_or_404(visible_series(user).select_related("program"), pk=pk)


def get_run_series(user: Any, pk: int) -> Any:
    """A series the user runs (director or facilitator of its program); others get 404."""
    series = get_series_for_user(user, pk)
    if not can_run_series(user, series):
        raise Http404("Not found.")
    return series


def visible_training_sessions(user: Any) -> QuerySet[Any]:
    from hearth.mentor_development.models import TrainingSession

    return TrainingSession.objects.filter(series__in=visible_series(user))


def get_session_for_user(user: Any, pk: int) -> Any:
    return _get_or_404(
        visible_training_sessions(user).select_related("series__program", "facilitator"), pk=pk
    )


def get_run_session(user: Any, pk: int) -> Any:
    session = get_session_for_user(user, pk)
    if not can_run_series(user, session.series):
        raise Http404("Not found.")
    return session


def get_own_enrolment(user: Any, pk: int) -> Any:
    from hearth.mentor_development.models import Enrolment

    return _get_or_404(
        Enrolment.objects.filter(person_id=user.pk).select_related("series__program"), pk=pk
    )


def get_run_enrolment(user: Any, pk: int) -> Any:
    """An enrolment in a series the user runs."""
    from hearth.mentor_development.models import Enrolment

    return _get_or_404(
        Enrolment.objects.filter(series__program__in=training_programs(user)).select_related(
            "series__program", "person"
        ),
        pk=pk,
    )


def get_run_case(user: Any, pk: int) -> Any:
    """A program's own mentoring case, for those who run training there; Hearth's are read-only."""
    from hearth.mentor_development.models import MentoringCase

    return _get_or_404(
        MentoringCase.objects.filter(program__in=training_programs(user)).select_related("program"),
        pk=pk,
    )


# Mentor development, practice circles: a circle is seen by its members and by whoever runs
# its series (the program's directors and facilitators); its meetings, like every meeting,
# only by the people in them.


def visible_practice_circles(user: Any) -> QuerySet[Any]:
    from hearth.mentor_development.models import PracticeCircle, PracticeCircleMember

    scope = scope_of(user)
    if scope.superuser:
        return PracticeCircle.objects.all()
    if not getattr(user, "is_authenticated", False):
        return PracticeCircle.objects.none()
    return PracticeCircle.objects.filter(
        Q(pk__in=PracticeCircleMember.objects.filter(person_id=user.pk).values("circle_id"))
        | Q(series__program_id__in=scope.directed_programs | facilitated_programs(user))
    )


def get_practice_circle_for_user(user: Any, pk: int) -> Any:
    return _get_or_404(visible_practice_circles(user).select_related("series__program"), pk=pk)


# Matching: runs, proposals and mentoring rounds are for the program's directors; a learner
# or mentor reads only their own published placement (selectors in hearth.matching).


def visible_match_runs(user: Any) -> QuerySet[Any]:
    from hearth.matching.models import MatchRun

    scope = scope_of(user)
    if scope.superuser:
        return MatchRun.objects.all()
    return MatchRun.objects.filter(program_id__in=scope.directed_programs)


def get_run_for_director(user: Any, pk: int) -> Any:
    """A match run of a program the user directs; anyone else gets 404."""
    return _get_or_404(
        visible_match_runs(user).select_related(
            "program", "cohort", "round", "created_by", "published_by", "rematch_of"
        ),
        pk=pk,
    )


def get_mentoring_round_for_director(user: Any, pk: int) -> Any:
    from hearth.matching.models import MentoringRound

    scope = scope_of(user)
    rounds = MentoringRound.objects.all()
    if not scope.superuser:
        rounds = rounds.filter(program_id__in=scope.directed_programs)
    return _get_or_404(rounds.select_related("program"), pk=pk)


# Studies: a study is seen by its members only (its lead, coders and viewers), not by
# directors or site admins through pages: transcripts are research data under a protocol.
# Studies are started by the program's evaluators.


def visible_studies(user: Any) -> QuerySet[Any]:
    from hearth.studies.models import Study

    if not getattr(user, "is_authenticated", False):
        return Study.objects.none()
    return Study.objects.filter(members__person_id=user.pk)


def evaluated_programs(user: Any) -> QuerySet[Program]:
    """Programs in which the user holds the evaluator role, and so may start studies."""
    if not getattr(user, "is_authenticated", False):
        return Program.objects.none()
    return Program.objects.filter(role_grants__person_id=user.pk, role_grants__role=Role.EVALUATOR)


def get_study_member(user: Any, pk: int) -> Any:
    """The user's membership of study `pk` (with the study); anyone else gets 404."""
    from hearth.studies.models import StudyMember

    if not getattr(user, "is_authenticated", False):
        raise Http404("Not found.")
    return _get_or_404(
        StudyMember.objects.filter(person_id=user.pk).select_related(
            "study__program", "study__codebook"
        ),
        study_id=pk,
    )


def get_study_lead(user: Any, pk: int) -> Any:
    """The user's membership of study `pk` when they lead it; anyone else gets 404."""
    member = get_study_member(user, pk)
    if member.role != "lead":
        raise Http404("Not found.")
    return member


def get_study_coder(user: Any, pk: int) -> Any:
    """The user's membership of study `pk` when they code in it (lead or coder)."""
    member = get_study_member(user, pk)
    if not member.codes:
        raise Http404("Not found.")
    return member


def _study_object(user: Any, queryset: QuerySet[Any], pk: int, study_path: str) -> Any:
    if not getattr(user, "is_authenticated", False):
        raise Http404("Not found.")
    return _get_or_404(queryset.filter(**{f"{study_path}__members__person_id": user.pk}), pk=pk)


def get_source_for_member(user: Any, pk: int) -> Any:
    from hearth.studies.models import Source

    return _study_object(user, Source.objects.select_related("study", "participant"), pk, "study")


def get_participant_for_member(user: Any, pk: int) -> Any:
    from hearth.studies.models import Participant

    return _study_object(user, Participant.objects.select_related("study"), pk, "study")


def get_code_for_member(user: Any, pk: int) -> Any:
    from hearth.studies.models import Code

    return _study_object(
        user, Code.objects.select_related("codebook__study", "parent"), pk, "codebook__study"
    )


def get_theme_for_member(user: Any, pk: int) -> Any:
    from hearth.studies.models import Theme

    return _study_object(user, Theme.objects.select_related("study"), pk, "study")


def get_own_segment(user: Any, pk: int) -> Any:
    """A coded segment the user applied, in a study they still belong to."""
    from hearth.studies.models import CodedSegment

    return _study_object(
        user,
        CodedSegment.objects.filter(coder_id=user.pk).select_related("source__study", "code"),
        pk,
        "source__study",
    )


# Matching, for the people matched: a learner ranks communities while their class's choices
# are collected; a mentoring round's participant ranks the other side of their round.


def preference_windows_for_learner(user: Any) -> QuerySet[Any]:
    """Community choices collected for the user's own class, open or not."""
    from hearth.matching.models import PreferenceWindow

    if not getattr(user, "is_authenticated", False) or user.class_year is None:
        return PreferenceWindow.objects.none()
    return PreferenceWindow.objects.filter(cohort__class_year=user.class_year)


def get_preference_window_for_learner(user: Any, cohort_pk: int) -> Any:
    """The community choices of class `cohort_pk` when the user is one of its learners."""
    return _get_or_404(
        preference_windows_for_learner(user).select_related("cohort__program"),
        cohort_id=cohort_pk,
    )


def get_round_participation(user: Any, round_pk: int) -> Any:
    """The user's place in mentoring round `round_pk`; anyone not taking part gets 404."""
    from hearth.matching.models import RoundParticipant

    if not getattr(user, "is_authenticated", False):
        raise Http404("Not found.")
    return _get_or_404(
        RoundParticipant.objects.filter(person_id=user.pk).select_related("round__program"),
        round_id=round_pk,
    )
