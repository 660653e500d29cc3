"""Reads for matching: a program's runs, a proposal under review with its charts, the
placement a learner or mentor sees on their home page, and the choices people are asked for."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from hearth.communities.models import Cohort, Community, GroupMembership, MemberRole, Program
from hearth.lib.charts import grouped_bars_svg
from hearth.people.models import Person

from .messages import learner_reasons
from .models import (
    CommunityPreference,
    MatchRun,
    MentoringRound,
    Placement,
    PreferenceWindow,
    RoundParticipant,
    RoundPreference,
    RoundStatus,
    RunKind,
    RunStatus,
    Side,
)
from .problem import cohort_start

# A placement row that places someone (a mentoring override can leave a mentee with nobody).
PLACED = Q(group__isnull=False) | Q(mentor__isnull=False)

# A run's large JSON, which only its own page reads.
RUN_RESULTS = ("settings", "problem", "terms", "shares", "infeasible_reasons", "unmatched")


def runs_of(program: Program) -> list[MatchRun]:
    """Every run of the program, newest first, with how many it placed."""
    return list(
        MatchRun.objects.filter(program=program)
        .select_related("program", "cohort", "round", "created_by", "published_by", "rematch_of")
        .defer(*RUN_RESULTS, *[f"rematch_of__{name}" for name in RUN_RESULTS])
        .annotate(
            placement_count=Count(
                "placements",
                filter=Q(placements__group__isnull=False) | Q(placements__mentor__isnull=False),
            )
        )
        .order_by("-created_at", "-pk")
    )


@dataclass
class CohortToPlace:
    cohort: Cohort
    unplaced: int
    starts: dt.date
    ranked: int = 0  # learners who ranked communities
    window: PreferenceWindow | None = None


def cohorts_to_place(program: Program) -> list[CohortToPlace]:
    """Each class of the program with how many of its learners are in no group yet, how many
    have ranked communities, and whether Hearth collects their choices."""
    cohorts = list(
        Cohort.objects.filter(program=program)
        .select_related("preference_window")
        .order_by("-class_year")
    )
    ranked = dict(
        CommunityPreference.objects.filter(cohort__program=program)
        .order_by()  # the model's ordering by learner would join every learner's row
        .values_list("cohort_id")
        .annotate(n=Count("learner_id", distinct=True))
        .values_list("cohort_id", "n")
    )
    placed = GroupMembership.objects.filter(
        program=program, role=MemberRole.LEARNER, end_date__isnull=True
    ).values("person_id")
    unplaced = dict(
        Person.objects.filter(class_year__in=[c.class_year for c in cohorts], is_active=True)
        .exclude(pk__in=placed)
        .values_list("class_year")
        .annotate(n=Count("pk"))
        .values_list("class_year", "n")
    )
    return [
        CohortToPlace(
            c,
            unplaced.get(c.class_year, 0),
            cohort_start(c, program),
            ranked.get(c.pk, 0),
            getattr(c, "preference_window", None),
        )
        for c in cohorts
    ]


def rounds_of(program: Program) -> list[MentoringRound]:
    return list(
        MentoringRound.objects.filter(program=program).annotate(
            mentee_count=Count("participants", filter=Q(participants__side="mentee")),
            mentor_count=Count("participants", filter=Q(participants__side="mentor")),
        )
    )


@dataclass
class Term:
    label: str
    value: float


@dataclass
class ShareChart:
    label: str
    svg: str
    rows: list[dict[str, Any]]


@dataclass
class Review:
    run: MatchRun
    placements: list[Placement]
    communities: list[tuple[str, str]]  # (id, name)
    community: str  # the filter, "" for all
    group_names: dict[str, str]
    group_community: dict[str, str]
    group_mentors: dict[str, list[str]]
    groups: list[tuple[str, str]]  # (id, "Community · Group (n seats)") for overrides
    terms: list[Term]
    charts: list[ShareChart] = field(default_factory=list)
    # Mentoring runs, for overrides: (id, label) of every mentee and of every mentor.
    mentees: list[tuple[str, str]] = field(default_factory=list)
    mentors: list[tuple[str, str]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # names of mentees without a mentor
    overrides: int = 0
    first_choice: int = 0
    with_choices: int = 0

    @property
    def community_label(self) -> str:
        return dict(self.communities).get(self.community, "")

    @property
    def placed(self) -> int:
        return sum(1 for p in self.placements if p.group_id or p.mentor_id)


def _community_rows(run: MatchRun) -> list[tuple[str, str]]:
    return [(c_id, name) for c_id, name in run.problem.get("communities", [])]


def share_charts(run: MatchRun) -> list[ShareChart]:
    """One chart per balanced attribute: its share in each community against the class."""
    names = dict(_community_rows(run))
    by_goal: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for share in run.shares:
        by_goal[share["balance"]].append(share)
    charts = []
    for label, shares in by_goal.items():
        rows = []
        for share in sorted(shares, key=lambda s: names.get(s["community"], "")):
            community = names.get(share["community"], share["community"])
            rows.append(
                {"category": community, "series": "In the community", "value": share["share"]}
            )
            rows.append(
                {"category": community, "series": "Whole class", "value": share["cohort_share"]}
            )
        charts.append(
            ShareChart(
                label=label,
                svg=_share_chart_svg(label, rows),
                rows=[
                    {**s, "name": names.get(s["community"], "")}
                    for s in sorted(shares, key=lambda s: names.get(s["community"], ""))
                ],
            )
        )
    return charts


def _share_chart_svg(label: str, rows: list[dict[str, Any]]) -> str:
    description = (
        f"Bar chart of the share of {label} in each community next to the whole class's "
        "share. The same numbers are in the table below the chart."
    )
    return grouped_bars_svg(
        rows,
        value_title=f"Share of {label}",
        description=description,
        percent=True,
        width=300,
    )


def run_review(run: MatchRun, *, community: str = "", with_charts: bool = True) -> Review:
    """A proposal as the review page shows it; one query for the placements."""
    problem = run.problem
    communities = _community_rows(run)
    names = dict(communities)
    mentor_names = problem.get("mentor_names", {})
    group_names, group_community, group_mentors, groups = {}, {}, {}, []
    for g_id, name, c_id, capacity, mentors in problem.get("groups", []):
        group_names[g_id] = name
        group_community[g_id] = c_id
        group_mentors[g_id] = [mentor_names.get(m, m) for m in mentors]
        groups.append((g_id, f"{names.get(c_id, '')} · {name}", capacity))
    placements_qs = run.placements.select_related("learner", "mentor")
    if community:
        placements_qs = placements_qs.filter(
            group_id__in=[int(g) for g, c in group_community.items() if c == community]
        )
    placements = list(placements_qs.order_by("learner__display_name", "pk"))
    with_choices = {row["id"] for row in problem.get("learners", []) if row.get("preferences")}
    load: dict[str, int] = defaultdict(int)
    if run.kind == RunKind.PLACEMENT:
        for group_id in run.placements.values_list("group_id", flat=True):
            load[str(group_id)] += 1
    review = Review(
        run=run,
        placements=placements,
        communities=communities,
        community=community,
        group_names=group_names,
        group_community=group_community,
        group_mentors=group_mentors,
        groups=[
            (g_id, f"{label} — {load[g_id]} of {capacity} seats taken")
            for g_id, label, capacity in sorted(groups, key=lambda g: g[1])
            if capacity > 0
        ],
        terms=[Term(t["label"], t["value"]) for t in run.terms],
        charts=share_charts(run) if with_charts and run.shares else [],
        overrides=sum(p.overridden for p in placements) if not community else 0,
        first_choice=sum(p.preference_rank == 1 for p in placements),
        with_choices=sum(str(p.learner_id) in with_choices for p in placements),
    )
    if run.kind == RunKind.MENTORING:
        review.mentees, review.mentors = _pair_choices(run, placements)
        names = {p["id"]: p["name"] for p in problem.get("mentees", [])}
        review.unmatched = sorted(names.get(m, m) for m in run.unmatched)
    for placement in placements:
        g_id = str(placement.group_id) if placement.group_id else ""
        placement.group_name = group_names.get(g_id, "")  # type: ignore[attr-defined]
        placement.community_name = names.get(group_community.get(g_id, ""), "")  # type: ignore[attr-defined]
        placement.mentor_names = group_mentors.get(g_id, [])  # type: ignore[attr-defined]
        placement.from_name = group_names.get(str(placement.from_group_id), "")  # type: ignore[attr-defined]
    return review


def _pair_choices(
    run: MatchRun, placements: list[Placement]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Every mentee with their mentor now, and every mentor with the room they have left."""
    names = {p["id"]: p["name"] for p in run.problem.get("mentors", [])}
    now = {str(p.learner_id): str(p.mentor_id) for p in placements if p.mentor_id}
    load: dict[str, int] = defaultdict(int)
    for mentor in now.values():
        load[mentor] += 1
    mentees = [
        (
            p["id"],
            f"{p['name']} — with {names.get(now[p['id']], '')}"
            if p["id"] in now
            else f"{p['name']} — no mentor",
        )
        for p in sorted(run.problem.get("mentees", []), key=lambda p: p["name"])
    ]
    mentors = [
        (p["id"], f"{p['name']} — {load[p['id']]} of {p['capacity']} mentees")
        for p in sorted(run.problem.get("mentors", []), key=lambda p: p["name"])
    ]
    return mentees, mentors


def placed_count(run: MatchRun) -> int:
    """How many people the proposal places (with a group or with a mentor)."""
    return run.placements.filter(PLACED).count()


@dataclass
class OwnPlacement:
    """What a learner sees of their own placement by a published match."""

    run: MatchRun
    placement: Placement
    reasons: list[str]


@dataclass
class GroupIntake:
    """Learners a published match placed in a group the user mentors now."""

    group_name: str
    run: MatchRun
    learners: list[str]


def placements_for_home(
    person: Any, mentored_group_ids: list[int]
) -> tuple[list[OwnPlacement], list[GroupIntake]]:
    """The learner's own placements by published matches (the latest per program), and who
    the matches placed in the groups the user mentors, still there; three queries at most."""
    if not getattr(person, "is_authenticated", False):
        return [], []
    own: list[OwnPlacement] = []
    seen: set[int] = set()
    placements = (
        _published_placements()
        .filter(learner_id=person.pk)
        .select_related("run__program", "run__cohort", "run__round", "group__community", "mentor")
        .defer(*[f"run__{name}" for name in RUN_RESULTS])
    )
    for placement in placements:
        if placement.run.program_id not in seen:
            seen.add(placement.run.program_id)
            reasons = learner_reasons(placement.explanation)
            own.append(OwnPlacement(placement.run, placement, reasons))
    return own, _intakes(person, mentored_group_ids)


def _published_placements() -> QuerySet[Placement]:
    return Placement.objects.filter(PLACED, run__status=RunStatus.PUBLISHED).order_by(
        "-run__published_at", "group__name", "learner__display_name", "pk"
    )


def _intakes(person: Any, group_ids: list[int]) -> list[GroupIntake]:
    if not group_ids:
        return []
    still_there = GroupMembership.objects.filter(
        person_id=OuterRef("learner_id"),
        group_id=OuterRef("group_id"),
        role=MemberRole.LEARNER,
        end_date__isnull=True,
    )
    # Names only: a mentor's group can take in a whole class.
    rows = list(
        _published_placements()
        .filter(Exists(still_there), group_id__in=group_ids, run__kind=RunKind.PLACEMENT)
        .exclude(learner_id=person.pk)
        .values_list("run_id", "group_id", "group__name", "learner__display_name")
    )
    runs = (
        MatchRun.objects.select_related("program", "cohort", "round")
        .defer(*RUN_RESULTS)
        .in_bulk({run_id for run_id, *_ in rows})
    )
    intakes: dict[tuple[int, int], GroupIntake] = {}
    for run_id, group_id, group_name, learner_name in rows:
        if (run_id, group_id) not in intakes:
            intakes[run_id, group_id] = GroupIntake(group_name, runs[run_id], [])
        intakes[run_id, group_id].learners.append(learner_name)
    return list(intakes.values())


# --- Choices people are asked for --------------------------------------------------------------


@dataclass
class ChoicesDue:
    """On someone's home page: community choices open for their class, and the open mentoring
    rounds they take part in, each with how many choices they have made."""

    windows: list[PreferenceWindow] = field(default_factory=list)
    rounds: list[RoundParticipant] = field(default_factory=list)


def choices_for_home(person: Any) -> ChoicesDue:
    """One query for a learner's open community choices, one for open rounds they are in."""
    due = ChoicesDue()
    if not getattr(person, "is_authenticated", False):
        return due
    if person.class_year is not None:
        today = timezone.localdate()
        mine = CommunityPreference.objects.filter(cohort=OuterRef("cohort"), learner=person.pk)
        due.windows = list(
            PreferenceWindow.objects.filter(
                cohort__class_year=person.class_year,
                closed_at__isnull=True,
                opens_on__lte=today,
                closes_on__gte=today,
            )
            .select_related("cohort__program")
            .annotate(ranked=Exists(mine))
            .order_by("closes_on", "pk")
        )
    due.rounds = list(
        RoundParticipant.objects.filter(person=person.pk, round__status=RoundStatus.OPEN)
        .select_related("round__program")
        .annotate(chosen=_choices_made())
        .order_by("round__starts_on", "pk")
    )
    return due


def _choices_made() -> Any:
    """For a round participant: how many people of the other side they ranked."""
    return Coalesce(
        Subquery(
            RoundPreference.objects.filter(round=OuterRef("round"), chooser=OuterRef("person"))
            .values("chooser")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


@dataclass
class CommunityChoices:
    """A learner's page for ranking the program's communities."""

    window: PreferenceWindow
    communities: list[Community]
    ranked: list[Community]  # best first


def community_choices(window: PreferenceWindow, learner: Person) -> CommunityChoices:
    """The program's communities and the learner's ranking of them, in two queries."""
    cohort = window.cohort
    communities = list(Community.objects.filter(program=cohort.program_id).order_by("name"))
    by_id = {c.pk: c for c in communities}
    ranked = [
        by_id[pk]
        for pk in CommunityPreference.objects.filter(cohort=cohort, learner=learner)
        .order_by("rank")
        .values_list("community_id", flat=True)
        if pk in by_id
    ]
    return CommunityChoices(window=window, communities=communities, ranked=ranked)


@dataclass
class RoundChoices:
    """A round participant's page for ranking people of the other side."""

    participant: RoundParticipant
    others: list[RoundParticipant]  # the other side, with person and interests
    ranked: list[RoundParticipant]  # best first

    @property
    def other_side(self) -> str:
        return "mentors" if self.participant.side == Side.MENTEE else "mentees"


def round_choices(participant: RoundParticipant) -> RoundChoices:
    """The other side of the round (with their interests) and the participant's ranking."""
    other = Side.MENTOR if participant.side == Side.MENTEE else Side.MENTEE
    others = list(
        RoundParticipant.objects.filter(round=participant.round_id, side=other)
        .select_related("person")
        .prefetch_related("person__interests")
        .order_by("person__display_name", "pk")
    )
    by_person = {p.person_id: p for p in others}
    ranked = [
        by_person[pk]
        for pk in RoundPreference.objects.filter(
            round=participant.round_id, chooser=participant.person_id
        )
        .order_by("rank")
        .values_list("chosen_id", flat=True)
        if pk in by_person
    ]
    return RoundChoices(participant=participant, others=others, ranked=ranked)


@dataclass
class RoundSides:
    """A round as its director sees it: both sides, each with how many they ranked."""

    mentees: list[RoundParticipant]
    mentors: list[RoundParticipant]

    @property
    def mentees_ranked(self) -> int:
        return sum(1 for p in self.mentees if getattr(p, "chosen", 0))

    @property
    def mentors_ranked(self) -> int:
        return sum(1 for p in self.mentors if getattr(p, "chosen", 0))


def round_sides(round_: MentoringRound) -> RoundSides:
    """Both sides of the round in one query, each participant with the choices they made."""
    participants = list(
        round_.participants.select_related("person")
        .annotate(chosen=_choices_made())
        .order_by("side", "person__display_name", "pk")
    )
    return RoundSides(
        mentees=[p for p in participants if p.side == Side.MENTEE],
        mentors=[p for p in participants if p.side == Side.MENTOR],
    )


def cohort_size(cohort: Cohort) -> int:
    """How many active learners the class has."""
    return Person.objects.filter(class_year=cohort.class_year, is_active=True).count()
