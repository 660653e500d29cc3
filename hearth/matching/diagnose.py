"""Name an irreducible set of constraints that cannot hold together.

Every droppable constraint gets an enforcement literal in a learner × community CP-SAT
model; the solver's core (the assumptions it needed to prove infeasibility) is shrunk by a
deletion filter until dropping any one constraint left makes the rest feasible.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from .engine import Infeasible

if TYPE_CHECKING:
    from ._placement import Index


def precheck(index: Index) -> None:
    """The common cases, answered without a solver."""
    seats = sum(group.capacity for group in index.groups)
    if seats < index.total:
        raise Infeasible((f"capacity {seats} < {index.total} learners",))
    names = index.problem.mentor_names
    crowded: dict[int, list[str]] = {}
    for i, g in index.fixed_group.items():
        learner, group = index.learners[i], index.groups[g]
        stays = f"{learner.name} stays in {group.name}"
        crowded.setdefault(g, []).append(stays)
        for m in sorted(learner.conflicts & set(group.mentors)):
            raise Infeasible(
                (stays, f"{learner.name} has a declared conflict with {names.get(m, m)}")
            )
    problem, at = index.problem, index.learner_at
    house = {i: index.group_community[g] for i, g in index.fixed_group.items()}
    for kind, pairs in (
        ("keep-apart", problem.keep_apart),
        ("keep-together", problem.keep_together),
    ):
        for a, b in pairs:
            i, j = at.get(a, -1), at.get(b, -1)
            if i in house and j in house and (house[i] == house[j]) == (kind == "keep-apart"):
                first, second = index.learners[i], index.learners[j]
                raise Infeasible(
                    (
                        f"{kind} pair {first.name}/{second.name}",
                        f"{first.name} stays in {index.groups[index.fixed_group[i]].name}",
                        f"{second.name} stays in {index.groups[index.fixed_group[j]].name}",
                    )
                )
    for g, staying in crowded.items():
        if len(staying) > index.groups[g].capacity:
            group = index.groups[g]
            kept = staying[: group.capacity + 1]
            raise Infeasible((*kept, f"{group.name} has {group.capacity} seats"))
    for i, learner in enumerate(index.learners):
        if i in index.fixed_group or not learner.conflicts:
            continue
        open_groups = [g for g, group in enumerate(index.groups) if group.capacity > 0]
        if open_groups and all(index.conflicted(i, g) for g in open_groups):
            clashes = sorted(
                {m for g in open_groups for m in learner.conflicts & set(index.groups[g].mentors)}
            )
            raise Infeasible(
                tuple(
                    f"{learner.name} has a declared conflict with {names.get(m, m)}"
                    for m in clashes
                )
            )


def diagnose(index: Index, deadline: float) -> tuple[str, ...]:
    problem = index.problem
    n, communities = index.total, range(len(index.communities))
    names = problem.mentor_names
    model = cp_model.CpModel()
    place = [[model.new_bool_var("") for _ in communities] for _ in range(n)]
    for row in place:
        model.add_exactly_one(row)
    literals: list[tuple[cp_model.IntVar, str]] = []

    def constraint(message: str) -> cp_model.IntVar:
        literal = model.new_bool_var("")
        literals.append((literal, message))
        return literal

    for c, community in enumerate(index.communities):
        seats = sum(index.groups[g].capacity for g in index.groups_of[c])
        enforce = constraint(f"{community.name} has {seats} seats")
        model.add(sum(place[i][c] for i in range(n)) <= seats).only_enforce_if(enforce)
    for i, learner in enumerate(index.learners):
        clash_literals = {
            m: constraint(f"{learner.name} has a declared conflict with {names.get(m, m)}")
            for m in sorted(learner.conflicts)
        }
        for c in communities:
            open_groups = [g for g in index.groups_of[c] if index.groups[g].capacity > 0]
            if not open_groups:
                model.add(place[i][c] == 0)
            elif all(index.conflicted(i, g) for g in open_groups):
                needed = {
                    m for g in open_groups for m in learner.conflicts & set(index.groups[g].mentors)
                }
                model.add(place[i][c] == 0).only_enforce_if(
                    [clash_literals[m] for m in sorted(needed)]
                )
        if i in index.fixed_group:
            g = index.fixed_group[i]
            enforce = constraint(f"{learner.name} stays in {index.groups[g].name}")
            model.add(place[i][index.group_community[g]] == 1).only_enforce_if(enforce)
    name = {learner.id: learner.name for learner in index.learners}
    for kind, pairs in (("different", problem.keep_apart), ("the same", problem.keep_together)):
        for a, b in pairs:
            if a not in index.learner_at or b not in index.learner_at:
                continue
            i, j = index.learner_at[a], index.learner_at[b]
            pair = "keep-apart" if kind == "different" else "keep-together"
            enforce = constraint(f"{pair} pair {name[a]}/{name[b]}")
            for c in communities:
                if kind == "different":
                    model.add(place[i][c] + place[j][c] <= 1).only_enforce_if(enforce)
                else:
                    model.add(place[i][c] == place[j][c]).only_enforce_if(enforce)
    for k, goal in enumerate(problem.balance):
        if goal.band is None:
            continue
        label = goal.label or f"{goal.attribute}={goal.value}"
        total = index.goal_totals[k]
        for c, community in enumerate(index.communities):
            enforce = constraint(
                f"{label} in {community.name} within ±{goal.band} of the cohort's share"
            )
            delta = sum(place[i][c] * (n * index.bits[i][k] - total) for i in range(n))
            model.add(delta <= goal.band * n).only_enforce_if(enforce)
            model.add(delta >= -goal.band * n).only_enforce_if(enforce)

    def infeasible(chosen: list[int]) -> list[int] | None:
        """The core within `chosen` if those constraints cannot hold together, else None."""
        model.clear_assumptions()
        model.add_assumptions([literals[k][0] for k in chosen])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.5, deadline - time.perf_counter())
        solver.parameters.num_workers = 1  # cores are only reported by a single worker
        if solver.solve(model) != cp_model.INFEASIBLE:
            return None
        core = {
            literal if isinstance(literal, int) else literal.index
            for literal in solver.sufficient_assumptions_for_infeasibility()
        }
        return [k for k in chosen if literals[k][0].index in core] or chosen

    core = infeasible(list(range(len(literals))))
    if core is None:
        return ()  # all can hold: the solver ran out of time, or conflicts crowd a group
    for k in list(core):
        if k not in core:
            continue
        smaller = infeasible([other for other in core if other != k])
        if smaller is not None:
            core = smaller
    return _summarise([literals[k][1] for k in core], index)


def _summarise(messages: list[str], index: Index) -> tuple[str, ...]:
    seats = [m for m in messages if m.endswith(" seats") and " has " in m]
    if len(seats) == len(index.communities) and len(seats) == len(messages):
        total = sum(group.capacity for group in index.groups)
        return (f"capacity {total} < {index.total} learners",)
    return tuple(messages)
