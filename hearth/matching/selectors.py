"""Reads for matching: a program's runs, a proposal under review with its charts, and the
placement a learner or mentor sees on their home page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from hearth.communities.models import Cohort, GroupMembership, MemberRole, Program
from hearth.lib.charts import grouped_bars_svg
from hearth.people.models import Person

from .messages import learner_reasons
from .models import MatchRun, MentoringRound, Placement, RunKind, RunStatus
from .problem import cohort_start


def runs_of(program: Program) -> list[MatchRun]:
    """Every run of the program, newest first, with how many it placed."""
    return list(
        MatchRun.objects.filter(program=program)
        .select_related("program", "cohort", "round", "created_by", "published_by", "rematch_of")
        .annotate(placement_count=Count("placements"))
        .order_by("-created_at", "-pk")
    )


@dataclass
class CohortToPlace:
    cohort: Cohort
    unplaced: int
    starts: dt.date


def cohorts_to_place(program: Program) -> list[CohortToPlace]:
    """Each class of the program with how many of its learners are in no group yet."""
    cohorts = list(Cohort.objects.filter(program=program).order_by("-class_year"))
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
        CohortToPlace(c, unplaced.get(c.class_year, 0), cohort_start(c, program)) for c in cohorts
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
    overrides: int = 0
    first_choice: int = 0
    with_choices: int = 0

    @property
    def community_label(self) -> str:
        return dict(self.communities).get(self.community, "")


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
        description = (
            f"Bar chart of the share of {label} in each community next to the whole class's "
            "share. The same numbers are in the table below the chart."
        )
        charts.append(
            ShareChart(
                label=label,
                svg=grouped_bars_svg(
                    rows,
                    value_title=f"Share of {label}",
                    description=description,
                    percent=True,
                    width=300,
                ),
                rows=[
                    {**s, "name": names.get(s["community"], "")}
                    for s in sorted(shares, key=lambda s: names.get(s["community"], ""))
                ],
            )
        )
    return charts


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
    for placement in placements:
        g_id = str(placement.group_id) if placement.group_id else ""
        placement.group_name = group_names.get(g_id, "")  # type: ignore[attr-defined]
        placement.community_name = names.get(group_community.get(g_id, ""), "")  # type: ignore[attr-defined]
        placement.mentor_names = group_mentors.get(g_id, [])  # type: ignore[attr-defined]
        placement.from_name = group_names.get(str(placement.from_group_id), "")  # type: ignore[attr-defined]
    return review


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
    """In one query: the learner's own placements by published matches (the latest per
    program), and who the matches placed in the groups the user mentors, still there."""
    if not getattr(person, "is_authenticated", False):
        return [], []
    still_there = GroupMembership.objects.filter(
        person_id=OuterRef("learner_id"),
        group_id=OuterRef("group_id"),
        role=MemberRole.LEARNER,
        end_date__isnull=True,
    )
    mine = Q(learner_id=person.pk)
    if mentored_group_ids:
        mine |= Q(
            Exists(still_there),
            group_id__in=mentored_group_ids,
            run__kind=RunKind.PLACEMENT,
        )
    placements = (
        Placement.objects.filter(mine, run__status=RunStatus.PUBLISHED)
        .select_related(
            "run__program", "run__cohort", "run__round", "group__community", "mentor", "learner"
        )
        .order_by("-run__published_at", "group__name", "learner__display_name", "pk")
    )
    own: list[OwnPlacement] = []
    seen: set[int] = set()
    intakes: dict[tuple[int, int], GroupIntake] = {}
    for placement in placements:
        if placement.learner_id == person.pk:
            if placement.run.program_id not in seen:
                seen.add(placement.run.program_id)
                reasons = learner_reasons(placement.explanation)
                own.append(OwnPlacement(placement.run, placement, reasons))
            continue
        assert placement.group is not None
        key = (placement.run_id, placement.group.pk)
        if key not in intakes:
            intakes[key] = GroupIntake(placement.group.name, placement.run, [])
        intakes[key].learners.append(placement.learner.display_name)
    return own, list(intakes.values())
