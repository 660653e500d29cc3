"""What each role's home page shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch
from django.utils import timezone

from hearth.communities.models import Community, GroupMembership, MemberRole, MentorGroup, Program
from hearth.communities.selectors import OPEN_LEARNERS, open_mentors_prefetch
from hearth.matching.selectors import ChoicesDue, choices_for_home, placements_for_home
from hearth.pulse.selectors import open_check_ins, open_feedback
from hearth.serendipity.selectors import current_pairings, drop_ins_now_and_next

from .models import Role, RoleGrant
from .permissions import scope_of, visible_programs


@dataclass
class Home:
    directed_programs: list[Program] = field(default_factory=list)
    directed_communities: list[Community] = field(default_factory=list)
    mentored_groups: list[MentorGroup] = field(default_factory=list)
    learner_groups: list[MentorGroup] = field(default_factory=list)
    other_roles: list[RoleGrant] = field(default_factory=list)
    pairings: list[Any] = field(default_factory=list)
    drop_ins_now: list[Any] = field(default_factory=list)
    check_ins: list[Any] = field(default_factory=list)
    feedback_due: list[Any] = field(default_factory=list)
    placements: list[Any] = field(default_factory=list)
    intakes: list[Any] = field(default_factory=list)
    choices: ChoicesDue = field(default_factory=ChoicesDue)

    @property
    def is_empty(self) -> bool:
        return not (
            self.directed_programs
            or self.directed_communities
            or self.mentored_groups
            or self.learner_groups
            or self.other_roles
        )


def home_for(user: Any) -> Home:
    """The sections of the home page, one per role the user holds."""
    scope = scope_of(user)
    home = Home()
    if scope.superuser:
        home.directed_programs = list(Program.objects.all())
    else:
        home.directed_programs = list(Program.objects.filter(pk__in=scope.directed_programs))
    home.directed_communities = list(
        Community.objects.filter(pk__in=scope.directed_communities)
        .select_related("program")
        .annotate(group_count=Count("groups", distinct=True))
    )
    open_learners = Prefetch(
        "memberships",
        queryset=GroupMembership.objects.filter(role=MemberRole.LEARNER, end_date__isnull=True)
        .select_related("person")
        .only("group_id", "person_id", "person__display_name", "person__learner_year")
        .order_by("person__display_name"),
        to_attr="open_learners",
    )
    current_mentored = [m.group_id for m in scope.mentor_tenures if m.end_date is None]
    home.mentored_groups = list(
        MentorGroup.objects.filter(pk__in=current_mentored)
        .select_related("community__program")
        .annotate(learner_count=Count("memberships", filter=OPEN_LEARNERS))
        .prefetch_related(open_learners, open_mentors_prefetch())
    )
    home.learner_groups = list(
        MentorGroup.objects.filter(pk__in=scope.learner_groups)
        .select_related("community__program")
        .prefetch_related(open_learners, open_mentors_prefetch())
    )
    home.other_roles = list(
        RoleGrant.objects.filter(
            person=user, role__in=[Role.EVALUATOR, Role.FACILITATOR]
        ).select_related("program")
    )
    home.check_ins = [c for c in open_check_ins(user) if c.response is None]
    home.feedback_due = [f for f in open_feedback(user) if f.feedback is None]
    home.pairings = current_pairings(user)
    home.drop_ins_now, _ = drop_ins_now_and_next(visible_programs(user), timezone.now())
    home.placements, home.intakes = placements_for_home(user, current_mentored)
    home.choices = choices_for_home(user)
    return home
