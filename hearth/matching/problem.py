"""The engine's input read from the database in a fixed number of queries, whatever the size
of the cohort or round, and its JSON form kept on each run."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from hearth.communities.models import (
    AttributeDefinition,
    Cohort,
    GroupMembership,
    MemberRole,
    MentorGroup,
    PersonAttribute,
    Program,
    Relationship,
)
from hearth.communities.selectors import open_mentors_prefetch
from hearth.people.models import AcademicRank, Person, Supervision

from . import engine, pairing
from .models import (
    CommunityPreference,
    MatchConflict,
    MentoringRound,
    PairKind,
    PairRule,
    RoundParticipant,
    RoundPreference,
    Side,
)
from .options import MentoringOptions, PlacementOptions

# --- Cohort placement -----------------------------------------------------------------------


def cohort_start(cohort: Cohort, program: Program) -> dt.date:
    """The day an entering class begins: 1 August of its first year."""
    return dt.date(cohort.class_year - program.years_of_study, 8, 1)


def attribute_choices(program: Program) -> dict[str, list[str]]:
    return {
        d.key: list(d.choices or []) for d in AttributeDefinition.objects.filter(program=program)
    }


def cohort_learners(program: Program, cohort: Cohort) -> QuerySet[Person]:
    """Active people of the cohort's class year not yet in a group of the program."""
    placed = GroupMembership.objects.filter(
        program=program, role=MemberRole.LEARNER, end_date__isnull=True
    ).values("person_id")
    return Person.objects.filter(class_year=cohort.class_year, is_active=True).exclude(
        pk__in=placed
    )


def placed_cohort_memberships(program: Program, cohort: Cohort) -> QuerySet[GroupMembership]:
    return GroupMembership.objects.filter(
        program=program,
        role=MemberRole.LEARNER,
        end_date__isnull=True,
        person__class_year=cohort.class_year,
    )


@dataclass
class PlacementInput:
    problem: engine.Problem
    current: dict[str, str] = field(default_factory=dict)  # learner id -> group id, placed now
    left_out: list[str] = field(default_factory=list)  # groups without a mentor, left out


def _conflicts(
    program: Program, learner_ids: list[int], mentor_ids: set[int], on: dt.date
) -> dict[int, set[int]]:
    """Declared conflicts, current supervision either way, and relationships that ended
    (a prior mentor), unless the two have an open relationship again now."""
    found: dict[int, set[int]] = defaultdict(set)
    for learner, mentor in MatchConflict.objects.filter(
        program=program, learner_id__in=learner_ids, mentor_id__in=mentor_ids
    ).values_list("learner_id", "mentor_id"):
        found[learner].add(mentor)
    current = Q(end_date__isnull=True) | Q(end_date__gte=on)
    for supervisor, supervisee in (
        Supervision.objects.filter(current)
        .filter(
            Q(supervisor_id__in=mentor_ids, supervisee_id__in=learner_ids)
            | Q(supervisee_id__in=mentor_ids, supervisor_id__in=learner_ids)
        )
        .values_list("supervisor_id", "supervisee_id")
    ):
        if supervisor in mentor_ids:
            found[supervisee].add(supervisor)
        else:
            found[supervisor].add(supervisee)
    ended: set[tuple[int, int]] = set()
    open_now: set[tuple[int, int]] = set()
    for learner, mentor, end_date in Relationship.objects.filter(
        mentee_id__in=learner_ids, mentor_id__in=mentor_ids
    ).values_list("mentee_id", "mentor_id", "end_date"):
        (ended if end_date is not None else open_now).add((learner, mentor))
    for learner, mentor in ended - open_now:
        found[learner].add(mentor)
    return found


def placement_input(
    *,
    program: Program,
    cohort: Cohort,
    options: PlacementOptions,
    today: dt.date,
    placed: bool = False,
) -> PlacementInput:
    """The cohort's unplaced learners and the seats free for them; with `placed`, the
    cohort's learners already in groups instead, with where each is now (for a re-match)."""
    starts = cohort_start(cohort, program)
    # Before the class arrives, the final-year class will have graduated and left its seats.
    staying = Q()
    if today < starts:
        staying = Q(person__class_year__isnull=True) | Q(
            person__class_year__gt=cohort.class_year - program.years_of_study
        )
    open_learners = GroupMembership.objects.filter(
        program=program, role=MemberRole.LEARNER, end_date__isnull=True
    ).filter(staying)
    current: dict[str, str] = {}
    if placed:
        rows = placed_cohort_memberships(program, cohort).values_list(
            "person_id", "person__display_name", "group_id"
        )
        people = [(pk, name) for pk, name, _ in rows]
        current = {str(pk): str(group) for pk, _, group in rows}
        open_learners = open_learners.exclude(person__class_year=cohort.class_year)
    else:
        people = list(
            cohort_learners(program, cohort)
            .order_by("display_name", "pk")
            .values_list("pk", "display_name")
        )
    occupied = dict(
        open_learners.values_list("group_id").annotate(n=Count("pk")).values_list("group_id", "n")
    )
    groups = list(
        MentorGroup.objects.filter(community__program=program)
        .select_related("community")
        .prefetch_related(open_mentors_prefetch())
        .order_by("community__name", "name")
    )
    holding = set(current.values())
    mentor_names: dict[str, str] = {}
    engine_groups, left_out, communities = [], [], {}
    for group in groups:
        mentors = [m.person for m in group.open_mentors]  # type: ignore[attr-defined]
        if not mentors and str(group.pk) not in holding:
            left_out.append(group.name)
            continue
        communities[group.community_id] = engine.Community(
            id=str(group.community_id), name=group.community.name
        )
        for mentor in mentors:
            mentor_names[str(mentor.pk)] = mentor.display_name
        engine_groups.append(
            engine.Group(
                id=str(group.pk),
                name=group.name,
                community=str(group.community_id),
                capacity=max(0, group.capacity - occupied.get(group.pk, 0)),
                mentors=tuple(str(m.pk) for m in mentors),
            )
        )
    learner_ids = [pk for pk, _ in people]
    learners_qs = Person.objects.filter(pk__in=learner_ids) if placed else None
    people_filter: Any = (
        learners_qs if learners_qs is not None else cohort_learners(program, cohort)
    )
    attributes: dict[int, dict[str, str]] = defaultdict(dict)
    for person_id, key, value in PersonAttribute.objects.filter(
        person__in=people_filter, definition__program=program, consented=True
    ).values_list("person_id", "definition__key", "value"):
        attributes[person_id][key] = value
    preferences: dict[int, list[str]] = defaultdict(list)
    for learner_id, community_id in (
        CommunityPreference.objects.filter(cohort=cohort, learner__in=people_filter)
        .order_by("learner_id", "rank")
        .values_list("learner_id", "community_id")
    ):
        if community_id in communities:
            preferences[learner_id].append(str(community_id))
    mentor_ids = {int(m) for m in mentor_names}
    conflicts = _conflicts(program, learner_ids, mentor_ids, today)
    present = set(learner_ids)
    apart: list[tuple[str, str]] = []
    together: list[tuple[str, str]] = []
    for a, b, kind in PairRule.objects.filter(cohort=cohort).values_list("a_id", "b_id", "kind"):
        if a in present and b in present:
            (apart if kind == PairKind.APART else together).append((str(a), str(b)))
    learners = tuple(
        engine.Learner(
            id=str(pk),
            name=name,
            attributes=attributes.get(pk, {}),
            preferences=tuple(preferences.get(pk, ())),
            conflicts=frozenset(str(m) for m in conflicts.get(pk, ())),
        )
        for pk, name in people
    )
    problem = engine.Problem(
        communities=tuple(communities.values()),
        groups=tuple(engine_groups),
        learners=learners,
        mentor_names=mentor_names,
        balance=tuple(
            engine.Balance(
                attribute=goal.attribute,
                value=goal.value,
                label=goal.label,
                weight=goal.weight,
                band=goal.band,
            )
            for goal in options.balance
        ),
        keep_apart=tuple(apart),
        keep_together=tuple(together),
        preference_weight=options.preference_weight,
        even_size_weight=options.even_size_weight,
        time_limit=options.time_limit,
    )
    return PlacementInput(problem=problem, current=current, left_out=left_out)


def problem_to_json(problem: engine.Problem) -> dict[str, Any]:
    return {
        "communities": [[c.id, c.name] for c in problem.communities],
        "groups": [
            [g.id, g.name, g.community, g.capacity, list(g.mentors)] for g in problem.groups
        ],
        "learners": [
            {
                "id": learner.id,
                "name": learner.name,
                "attributes": dict(learner.attributes),
                "preferences": list(learner.preferences),
                "conflicts": sorted(learner.conflicts),
            }
            for learner in problem.learners
        ],
        "mentor_names": dict(problem.mentor_names),
        "balance": [
            {"attribute": b.attribute, "value": b.value, "label": b.label, "weight": b.weight}
            | {"band": b.band}
            for b in problem.balance
        ],
        "keep_apart": [list(pair) for pair in problem.keep_apart],
        "keep_together": [list(pair) for pair in problem.keep_together],
        "preference_weight": problem.preference_weight,
        "even_size_weight": problem.even_size_weight,
        "fixed": dict(problem.fixed),
        "time_limit": problem.time_limit,
        "relative_gap": problem.relative_gap,
    }


def problem_from_json(data: dict[str, Any]) -> engine.Problem:
    return engine.Problem(
        communities=tuple(engine.Community(id=i, name=n) for i, n in data["communities"]),
        groups=tuple(
            engine.Group(id=i, name=n, community=c, capacity=cap, mentors=tuple(m))
            for i, n, c, cap, m in data["groups"]
        ),
        learners=tuple(
            engine.Learner(
                id=row["id"],
                name=row["name"],
                attributes=row["attributes"],
                preferences=tuple(row["preferences"]),
                conflicts=frozenset(row["conflicts"]),
            )
            for row in data["learners"]
        ),
        mentor_names=data["mentor_names"],
        balance=tuple(engine.Balance(**row) for row in data["balance"]),
        keep_apart=tuple((a, b) for a, b in data["keep_apart"]),
        keep_together=tuple((a, b) for a, b in data["keep_together"]),
        preference_weight=data["preference_weight"],
        even_size_weight=data["even_size_weight"],
        fixed=data.get("fixed", {}),
        time_limit=data.get("time_limit", 10.0),
        relative_gap=data.get("relative_gap", 0.0),
    )


# --- Mentee–mentor matching -----------------------------------------------------------------

# Seniority for the "mentor senior to mentee" rule: learners 0, then faculty ranks upward.
RANK_ORDER = {
    AcademicRank.INSTRUCTOR: 2,
    AcademicRank.ASSISTANT: 3,
    AcademicRank.ASSOCIATE: 4,
    AcademicRank.FULL: 5,
}


def rank_ordinal(person: Person) -> int:
    if person.academic_rank in RANK_ORDER:
        return RANK_ORDER[AcademicRank(person.academic_rank)]
    return 0 if person.is_learner else 1


@dataclass
class MentoringInput:
    mentees: list[pairing.Person]
    mentors: list[pairing.Person]
    names: dict[str, str]
    conflicts: set[tuple[str, str]]  # (mentee, mentor) never paired


def mentoring_input(*, round_: MentoringRound, today: dt.date) -> MentoringInput:
    """Both sides of the round with their interests, ranks and ranked choices."""
    participants = list(
        RoundParticipant.objects.filter(round=round_)
        .select_related("person")
        .prefetch_related("person__interests")
        .order_by("person__display_name", "pk")
    )
    choices: dict[int, list[str]] = defaultdict(list)
    for chooser, chosen in (
        RoundPreference.objects.filter(round=round_)
        .order_by("chooser_id", "rank")
        .values_list("chooser_id", "chosen_id")
    ):
        choices[chooser].append(str(chosen))
    sides: dict[str, list[pairing.Person]] = {Side.MENTEE: [], Side.MENTOR: []}
    names = {}
    for participant in participants:
        person = participant.person
        names[str(person.pk)] = person.display_name
        sides[participant.side].append(
            pairing.Person(
                id=str(person.pk),
                name=person.display_name,
                capacity=participant.capacity if participant.side == Side.MENTOR else 1,
                department=person.department,
                division=participant.division,
                rank=rank_ordinal(person),
                tags=frozenset(i.name for i in person.interests.all()),
                statement=participant.statement,
                preferences=tuple(choices.get(person.pk, ())),
            )
        )
    mentee_ids = [int(p.id) for p in sides[Side.MENTEE]]
    mentor_ids = {int(p.id) for p in sides[Side.MENTOR]}
    conflicts = {
        (str(mentee), str(mentor))
        for mentee, mentors in _conflicts(round_.program, mentee_ids, mentor_ids, today).items()
        for mentor in mentors
    }
    return MentoringInput(
        mentees=sides[Side.MENTEE], mentors=sides[Side.MENTOR], names=names, conflicts=conflicts
    )


def mentoring_rules(options: MentoringOptions) -> pairing.Rules:
    return pairing.Rules(
        outside_division=options.outside_division,
        senior_mentor=options.senior_mentor,
        tag_weight=options.tag_weight,
        text_weight=options.text_weight,
        preference_weight=options.preference_weight,
    )
