"""How `engine.solve` works; read engine.py first.

Learners who need nothing individual (no conflict, no keep-apart or keep-together pair) are
pooled by (balanced attributes, preferences): the community-level model has one integer per
pool and preferred community, plus one integer per attribute vector and community for pool
members placed outside their choices. Learners with a constraint of their own keep a boolean
per community. GLOP's relaxation gives the proven bound; CP-SAT finds the integral solution,
first inside the box around the relaxation, then (small models, or when the box fails) on the
whole model. Each community's groups are then filled by a min-cost flow that keeps learners
away from conflicted mentors and fills groups evenly; a community whose conflicts make that
impossible gets a Hall cut and the model is solved again.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from ortools.graph.python import max_flow, min_cost_flow
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from .engine import (
    PREFERENCE_POINTS,
    SCALE,
    Evaluation,
    Infeasible,
    Problem,
    Progress,
    Result,
    Share,
    Term,
)
from .explain import explain

FULL_MODEL_LIMIT = 20_000  # variables up to which CP-SAT solves the whole model at once
MAX_HALL_CUTS = 20


# ---------------------------------------------------------------- model in plain lists


@dataclass
class Model:
    """A linear integer model kept solver-neutral, so GLOP and CP-SAT read the same one."""

    lower: list[int] = field(default_factory=list)
    upper: list[int] = field(default_factory=list)
    objective: list[int] = field(default_factory=list)
    rows: list[tuple[dict[int, int], float, float]] = field(default_factory=list)
    constant: int = 0

    def var(self, upper: int, objective: int = 0, lower: int = 0) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.objective.append(objective)
        return len(self.lower) - 1

    def row(self, coefficients: dict[int, int], lower: float, upper: float) -> None:
        self.rows.append((coefficients, lower, upper))

    def attainable(self, bound: int) -> int:
        """The highest objective value at or below `bound` that whole learners can reach.

        Every value is the constant plus a multiple of the coefficients' common divisor, so
        a relaxation bound of 21,946.5 points proves 21,946 optimal.
        """
        step = math.gcd(*self.objective) or 1
        return self.constant + (bound - self.constant) // step * step


@dataclass
class Unit:
    """Learners who move as one: a keep-together block, or one learner with a constraint."""

    members: tuple[int, ...]  # learner indexes
    allowed: tuple[int, ...]  # community indexes
    vars: dict[int, int] = field(default_factory=dict)  # community -> variable


@dataclass
class Pool:
    """Identical simple learners: same balanced attributes and same preferences."""

    members: list[int]
    vector: tuple[int, ...]
    preferences: tuple[int, ...]
    vars: dict[int, int] = field(default_factory=dict)


@dataclass
class Built:
    model: Model
    units: list[Unit]
    pools: list[Pool]
    spill: dict[tuple[tuple[int, ...], int], int]  # (vector, community) -> variable
    community: dict[int, int] = field(default_factory=dict)  # placement variable -> community


class Index:
    """Positions and derived facts every step needs, computed once."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.communities = problem.communities
        self.community_at = {c.id: i for i, c in enumerate(problem.communities)}
        self.groups = problem.groups
        self.group_at = {g.id: i for i, g in enumerate(problem.groups)}
        self.learners = problem.learners
        self.learner_at = {learner.id: i for i, learner in enumerate(problem.learners)}
        self.group_community = [self.community_at[g.community] for g in problem.groups]
        self.groups_of: list[list[int]] = [[] for _ in problem.communities]
        for g, c in enumerate(self.group_community):
            self.groups_of[c].append(g)
        self.bits = [
            tuple(
                int(learner.attributes.get(goal.attribute) == goal.value)
                for goal in problem.balance
            )
            for learner in problem.learners
        ]
        self.total = len(problem.learners)
        self.goal_totals = [sum(bits[k] for bits in self.bits) for k in range(len(problem.balance))]
        self.fixed_group = {
            self.learner_at[lid]: self.group_at[gid]
            for lid, gid in problem.fixed.items()
            if lid in self.learner_at and gid in self.group_at
        }
        self.free_seats = [g.capacity for g in problem.groups]
        for g in self.fixed_group.values():
            self.free_seats[g] -= 1
        self.preference_ranks = [
            {
                self.community_at[c]: rank
                for rank, c in enumerate(learner.preferences)
                if c in self.community_at
            }
            for learner in problem.learners
        ]

    def points(self, learner: int, community: int) -> int:
        rank = self.preference_ranks[learner].get(community)
        if rank is None or rank >= len(PREFERENCE_POINTS):
            return 0
        return round(self.problem.preference_weight * PREFERENCE_POINTS[rank] * SCALE)

    def conflicted(self, learner: int, group: int) -> bool:
        return bool(self.learners[learner].conflicts.intersection(self.groups[group].mentors))

    def open_groups(self, learner: int, community: int) -> list[int]:
        return [
            g
            for g in self.groups_of[community]
            if self.free_seats[g] > 0 and not self.conflicted(learner, g)
        ]


# ---------------------------------------------------------------- building


def _components(index: Index) -> list[list[int]]:
    parent = list(range(index.total))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in index.problem.keep_together:
        if a in index.learner_at and b in index.learner_at:
            parent[find(index.learner_at[a])] = find(index.learner_at[b])
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(index.total):
        members[find(i)].append(i)
    return list(members.values())


def build(index: Index) -> Built:
    problem = index.problem
    model = Model()
    apart: dict[int, set[int]] = defaultdict(set)
    for a, b in problem.keep_apart:
        if a in index.learner_at and b in index.learner_at:
            apart[index.learner_at[a]].add(index.learner_at[b])
            apart[index.learner_at[b]].add(index.learner_at[a])
    fixed_community = {i: index.group_community[g] for i, g in index.fixed_group.items()}

    units: list[Unit] = []
    pooled: dict[tuple[tuple[int, ...], tuple[int, ...]], Pool] = {}
    open_communities = [
        c
        for c in range(len(index.communities))
        if any(index.free_seats[g] > 0 for g in index.groups_of[c])
    ]
    for block in _components(index):
        free = [i for i in block if i not in fixed_community]
        if not free:
            continue
        single = len(block) == 1
        simple = single and not apart.get(free[0]) and not index.learners[free[0]].conflicts
        if simple:
            i = free[0]
            prefs = tuple(
                sorted(index.preference_ranks[i], key=index.preference_ranks[i].__getitem__)
            )
            key = (index.bits[i], prefs[: len(PREFERENCE_POINTS)])
            pooled.setdefault(key, Pool([], key[0], key[1])).members.append(i)
            continue
        allowed = set(open_communities)
        anchored = {fixed_community[i] for i in block if i in fixed_community}
        allowed &= anchored if anchored else allowed
        if len(anchored) > 1:
            allowed = set()
        for i in free:
            allowed = {c for c in allowed if index.open_groups(i, c)}
            for other in apart.get(i, ()):
                if other in fixed_community:
                    allowed.discard(fixed_community[other])
        if any(apart.get(i, set()) & set(block) for i in block):
            allowed = set()
        units.append(Unit(members=tuple(free), allowed=tuple(sorted(allowed))))

    free_in: dict[int, dict[int, int]] = defaultdict(dict)  # community -> var -> learners
    goal_in: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)  # (goal, c) -> var -> n
    goals = range(len(problem.balance))
    community_of: dict[int, int] = {}

    def add(var: int, community: int, count: int, bits: Sequence[int]) -> None:
        free_in[community][var] = count
        community_of[var] = community
        for k in goals:
            if bits[k]:
                goal_in[(k, community)][var] = bits[k]

    for unit in units:
        if not unit.allowed:
            return Built(model=model, units=units, pools=[], spill={}, community=community_of)
        one_of: dict[int, int] = {}
        for c in unit.allowed:
            gain = sum(index.points(i, c) for i in unit.members)
            var = model.var(1, gain)
            unit.vars[c] = var
            one_of[var] = 1
            bits = [sum(index.bits[i][k] for i in unit.members) for k in goals]
            add(var, c, len(unit.members), bits)
        model.row(one_of, 1, 1)
    unit_of = {i: u for u, unit in enumerate(units) for i in unit.members}
    for i, others in apart.items():
        for j in others:
            if i not in unit_of or j not in unit_of or unit_of[i] >= unit_of[j]:
                continue
            first, second = units[unit_of[i]], units[unit_of[j]]
            for c in set(first.vars) & set(second.vars):
                model.row({first.vars[c]: 1, second.vars[c]: 1}, 0, 1)

    pools = list(pooled.values())
    by_vector: dict[tuple[int, ...], list[Pool]] = defaultdict(list)
    for pool in pools:
        by_vector[pool.vector].append(pool)
        taken: dict[int, int] = {}
        for c in pool.preferences:
            if c not in open_communities:
                continue
            var = model.var(len(pool.members), index.points(pool.members[0], c))
            pool.vars[c] = var
            taken[var] = 1
            add(var, c, 1, pool.vector)
        if taken:
            model.row(taken, 0, len(pool.members))
    spill: dict[tuple[tuple[int, ...], int], int] = {}
    for vector, group in by_vector.items():
        size = sum(len(p.members) for p in group)
        balance: dict[int, int] = {}
        for c in open_communities:
            var = model.var(size)
            spill[(vector, c)] = var
            balance[var] = 1
            add(var, c, 1, vector)
        for pool in group:
            for var in pool.vars.values():
                balance[var] = 1
        model.row(balance, size, size)

    fixed_size = [0] * len(index.communities)
    fixed_goal: dict[tuple[int, int], int] = defaultdict(int)
    for i, c in fixed_community.items():
        fixed_size[c] += 1
        for k in goals:
            fixed_goal[(k, c)] += index.bits[i][k]
        model.constant += index.points(i, c)
    seats = [
        sum(index.free_seats[g] for g in index.groups_of[c]) for c in range(len(index.communities))
    ]
    for c in open_communities:
        model.row(free_in[c], 0, seats[c])
    placed_in = [c for c in range(len(index.communities)) if c in open_communities or fixed_size[c]]

    n = index.total
    free_total = sum(len(u.members) for u in units) + sum(len(p.members) for p in pools)
    every_seat_taken = free_total == sum(seats[c] for c in open_communities)
    even = round(problem.even_size_weight * SCALE)
    if not problem.balance and not even:
        return Built(model=model, units=units, pools=pools, spill=spill, community=community_of)
    total_seats = sum(seats) + sum(fixed_size)
    for c in placed_in:
        known = every_seat_taken or c not in open_communities
        sizes = _size_choices(model, free_in[c], fixed_size[c], seats[c], known)
        for k, goal in enumerate(problem.balance):
            # the goal's count in this community, bounded by whole learners for each size
            count, fixed = goal_in[(k, c)], fixed_goal[(k, c)]
            share = partial(_scaled, index.goal_totals[k], n)  # size -> cohort share · size

            def lowest(size: int, band: int, share: Callable[..., int] = share) -> int:
                return max(0, share(size, up=True) - band)

            def highest(size: int, band: int, share: Callable[..., int] = share) -> int:
                return min(size, share(size, up=False) + band)

            if goal.band is not None:
                _at_least(model, count, fixed, sizes, partial(lowest, band=goal.band))
                _at_most(model, count, fixed, sizes, partial(highest, band=goal.band))
            weight = round(goal.weight * SCALE)
            if weight:
                # deviation ≥ count − ⌊share⌋ and ≥ ⌈share⌉ − count: |count − share|, rounded up
                deviation = model.var(n, -weight)
                _at_most(model, {**count, deviation: -1}, fixed, sizes, partial(highest, band=0))
                _at_least(model, {**count, deviation: 1}, fixed, sizes, partial(lowest, band=0))
        if even:

            def off(size: int, c: int = c) -> int:
                fair = n * (seats[c] + fixed_size[c])
                return -(-abs(total_seats * size - fair) // total_seats)

            for size, choice in sizes.items():
                if choice is None:
                    model.constant -= even * off(size)
                else:
                    model.objective[choice] -= even * off(size)
    return Built(model=model, units=units, pools=pools, spill=spill, community=community_of)


def _scaled(total: int, n: int, size: int, up: bool) -> int:
    """The cohort's share of a community of `size`, total/n · size, rounded up or down."""
    return -(-total * size // n) if up else total * size // n


Sizes = dict[int, int | None]  # community size -> its boolean, or None when the size is known


def _size_choices(
    model: Model, free_in: dict[int, int], fixed: int, seats: int, known: bool
) -> Sizes:
    """One boolean per possible community size, so balance can round to whole learners.

    A band of ±1 around 0.3·51 = 15.3 is 14.3..16.3 learners, but 15..16 in whole learners;
    stating that for every size makes the relaxation exact in practice (the bound meets the
    optimum), which is what lets the engine prove optimality quickly.
    """
    if known:
        return {fixed + seats if free_in else fixed: None}
    choices: Sizes = {size: model.var(1) for size in range(fixed, fixed + seats + 1)}
    model.row({var: 1 for var in choices.values() if var is not None}, 1, 1)
    model.row(
        {**free_in, **{var: -(size - fixed) for size, var in choices.items() if var is not None}},
        0,
        0,
    )
    return choices


def _at_least(
    model: Model, terms: dict[int, int], fixed: int, sizes: Sizes, floor: Callable[[int], int]
) -> None:
    """fixed + terms ≥ floor(size), for whichever size the community takes."""
    varying = {var: -floor(size) for size, var in sizes.items() if var is not None}
    constant = sum(floor(size) for size, var in sizes.items() if var is None)
    model.row({**terms, **varying}, constant - fixed, math.inf)


def _at_most(
    model: Model, terms: dict[int, int], fixed: int, sizes: Sizes, ceiling: Callable[[int], int]
) -> None:
    """fixed + terms ≤ ceiling(size), for whichever size the community takes."""
    varying = {var: -ceiling(size) for size, var in sizes.items() if var is not None}
    constant = sum(ceiling(size) for size, var in sizes.items() if var is None)
    model.row({**terms, **varying}, -math.inf, constant - fixed)


# ---------------------------------------------------------------- solving


def relax(model: Model) -> tuple[float, list[float]] | None:
    solver = pywraplp.Solver.CreateSolver(
        "HIGHS_LP"
    )  # OR-Tools' bundled HiGHS; GLOP is 3x slower here
    solver.SetSolverSpecificParametersAsString("output_flag false")  # no banner on stdout
    xs = [solver.NumVar(lo, hi, "") for lo, hi in zip(model.lower, model.upper, strict=True)]
    for coefficients, lo, hi in model.rows:
        row = solver.RowConstraint(
            -solver.infinity() if lo == -math.inf else lo,
            solver.infinity() if hi == math.inf else hi,
        )
        for var, a in coefficients.items():
            row.SetCoefficient(xs[var], a)
    objective = solver.Objective()
    for x, a in zip(xs, model.objective, strict=True):
        if a:
            objective.SetCoefficient(x, a)
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return objective.Value() + model.constant, [x.solution_value() for x in xs]


@dataclass
class Integral:
    values: list[int]
    objective: int
    bound: int
    optimal: bool


def integral(
    model: Model,
    deadline: float,
    box: Sequence[tuple[int, int]] | None = None,
    hint: Sequence[int] | None = None,
) -> Integral | None:
    cp = cp_model.CpModel()
    bounds = box or list(zip(model.lower, model.upper, strict=True))
    xs = [cp.new_int_var(lo, hi, "") for lo, hi in bounds]
    for coefficients, lo, hi in model.rows:
        expression = cp_model.LinearExpr.weighted_sum(
            [xs[v] for v in coefficients], list(coefficients.values())
        )
        if lo == hi:
            cp.add(expression == int(lo))
        else:
            if lo != -math.inf:
                cp.add(expression >= math.ceil(lo))
            if hi != math.inf:
                cp.add(expression <= math.floor(hi))
    paying = [v for v, a in enumerate(model.objective) if a]
    cp.maximize(
        cp_model.LinearExpr.weighted_sum(
            [xs[v] for v in paying], [model.objective[v] for v in paying]
        )
    )
    if hint is not None:
        for x, value in zip(xs, hint, strict=True):
            cp.add_hint(x, value)
    solver = cp_model.CpSolver()
    # building a large model takes a while: the time limit counts it
    solver.parameters.max_time_in_seconds = _left(deadline)
    solver.parameters.num_workers = 2
    solver.parameters.linearization_level = (
        2  # the balance rows carry the bound; keep them in the LP
    )
    status = solver.solve(cp)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return Integral(
        values=[solver.value(x) for x in xs],
        objective=round(solver.objective_value) + model.constant,
        bound=model.attainable(math.floor(solver.best_objective_bound + 1e-6) + model.constant),
        optimal=status == cp_model.OPTIMAL,
    )


# ---------------------------------------------------------------- from model to groups


def neighbourhood(built: Built, relaxed: Sequence[float], slack: int) -> list[tuple[int, int]]:
    """Bounds that keep the relaxation's whole values, except near its fractional ones.

    Placement variables in a community the relaxation split a learner over may move by
    `slack`; everything else keeps its (whole) value. Penalty variables stay free.
    """
    model = built.model
    split = {
        built.community[v]
        for v, value in enumerate(relaxed)
        if abs(value - round(value)) > 1e-6 and v in built.community
    }
    bounds = []
    for v, value in enumerate(relaxed):
        lo, hi = model.lower[v], model.upper[v]
        if model.objective[v] < 0:
            bounds.append((lo, hi))
        elif built.community.get(v, -1) in split or v not in built.community:
            bounds.append(
                (
                    max(lo, math.floor(value + 1e-6) - slack),
                    min(hi, math.ceil(value - 1e-6) + slack),
                )
            )
        else:
            bounds.append((round(value), round(value)))
    return bounds


def communities_of(index: Index, built: Built, values: Sequence[int]) -> dict[int, int]:
    """Learner -> community, read back from the model's values."""
    placed = {i: index.group_community[g] for i, g in index.fixed_group.items()}
    for unit in built.units:
        for c, var in unit.vars.items():
            if values[var]:
                placed.update(dict.fromkeys(unit.members, c))
    spill_of: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for pool in built.pools:
        waiting = list(pool.members)
        for c, var in pool.vars.items():
            for _ in range(values[var]):
                placed[waiting.pop()] = c
        spill_of[pool.vector].extend(waiting)
    for (vector, c), var in built.spill.items():
        for _ in range(values[var]):
            placed[spill_of[vector].pop()] = c
    return placed


def fill_groups(
    index: Index, community: int, learners: list[int]
) -> tuple[dict[int, int], tuple[dict[int, int], int] | None]:
    """Seat a community's learners in its groups: no conflicts, groups filled evenly.

    Returns the seating, or a Hall cut (learner -> 1 for the learners who cannot all fit in
    the groups open to them, and those groups' seats) when the conflicts make it impossible.
    """
    groups = [g for g in index.groups_of[community] if index.free_seats[g] > 0]
    needy = [i for i in learners if index.learners[i].conflicts]
    easy = [i for i in learners if not index.learners[i].conflicts]
    # nodes: 0 source, 1 sink, 2 the easy pool, then needy learners, then groups
    group_node = {g: 3 + len(needy) + k for k, g in enumerate(groups)}
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs: list[tuple[int, int, int]] = []  # (arc, learner or -1 for the pool, group)
    flow.add_arc_with_capacity_and_unit_cost(0, 2, len(easy), 0)
    for k in range(len(needy)):
        flow.add_arc_with_capacity_and_unit_cost(0, 3 + k, 1, 0)
    for g in groups:
        arcs.append(
            (flow.add_arc_with_capacity_and_unit_cost(2, group_node[g], len(easy), 0), -1, g)
        )
        for k, i in enumerate(needy):
            if not index.conflicted(i, g):
                arcs.append(
                    (flow.add_arc_with_capacity_and_unit_cost(3 + k, group_node[g], 1, 0), i, g)
                )
        already = index.groups[g].capacity - index.free_seats[g]
        for seat in range(1, index.free_seats[g] + 1):
            # rising marginal cost: each seat costs the fullness it brings, so groups fill evenly
            cost = (1000 * (already + seat)) // max(1, index.groups[g].capacity)
            flow.add_arc_with_capacity_and_unit_cost(group_node[g], 1, 1, cost)
    flow.set_node_supply(0, len(learners))
    flow.set_node_supply(1, -len(learners))
    if flow.solve() != flow.OPTIMAL:
        return {}, _hall_cut(index, groups, needy)
    seats: dict[int, int] = {}
    pool = list(easy)
    for arc, learner, g in arcs:
        for _ in range(flow.flow(arc)):
            seats[learner if learner >= 0 else pool.pop()] = g
    return seats, None


def _hall_cut(index: Index, groups: list[int], needy: list[int]) -> tuple[dict[int, int], int]:
    flow = max_flow.SimpleMaxFlow()
    group_node = {g: 2 + len(needy) + k for k, g in enumerate(groups)}
    for k, i in enumerate(needy):
        flow.add_arc_with_capacity(0, 2 + k, 1)
        for g in groups:
            if not index.conflicted(i, g):
                flow.add_arc_with_capacity(2 + k, group_node[g], 1)
    for g in groups:
        flow.add_arc_with_capacity(group_node[g], 1, index.free_seats[g])
    flow.solve(0, 1)
    source_side = set(flow.get_source_side_min_cut())
    stuck = {needy[k]: 1 for k in range(len(needy)) if 2 + k in source_side}
    room = sum(index.free_seats[g] for g in groups if group_node[g] in source_side)
    return stuck, room


# ---------------------------------------------------------------- the whole run


def solve(problem: Problem, progress: Progress) -> Result:
    started = time.perf_counter()
    deadline = started + problem.time_limit
    index = Index(problem)
    from .diagnose import diagnose, precheck

    precheck(index)
    progress(0.05, "Building the model")
    built = build(index)
    if any(unit.members and not unit.vars for unit in built.units):
        raise Infeasible(diagnose(index, deadline) or _out_of_time(problem))
    for _attempt in range(MAX_HALL_CUTS):
        progress(0.15, f"Solving the relaxation ({len(built.model.lower):,} variables)")
        relaxed = relax(built.model)
        if relaxed is None:
            raise Infeasible(diagnose(index, deadline) or _out_of_time(problem))
        bound = built.model.attainable(math.floor(relaxed[0] + 1e-6))
        progress(0.4, "Rounding to whole learners")
        found = None
        large = len(built.model.lower) > FULL_MODEL_LIMIT
        # search near the relaxation first (it is whole almost everywhere); a small model
        # gets a short try only, since CP-SAT on all of it is quick
        for slack in (0, 1, 3) if large else (0,):
            share = _left(deadline) / 3 if large else min(0.3, _left(deadline) / 3)
            within = time.perf_counter() + share
            found = integral(built.model, within, box=neighbourhood(built, relaxed[1], slack))
            if found is not None and _gap(found.objective, bound) <= problem.relative_gap:
                break
        if found is None or _gap(found.objective, bound) > problem.relative_gap:
            progress(0.6, "Closing the gap")
            hint = found.values if found else [round(value) for value in relaxed[1]]
            better = integral(built.model, deadline, hint=hint)
            if better is not None:
                bound = min(bound, better.bound)
                if found is None or better.objective >= found.objective:
                    found = better
        if found is None:
            raise Infeasible(diagnose(index, deadline) or _out_of_time(problem))
        progress(0.85, "Seating learners in groups")
        placed = communities_of(index, built, found.values)
        seats = dict(index.fixed_group)
        cut_added = False
        for c in range(len(index.communities)):
            members = [i for i, at in placed.items() if at == c and i not in index.fixed_group]
            if not members:
                continue
            seated, cut = fill_groups(index, c, members)
            if cut is not None:
                stuck, room = cut
                coefficients = {
                    unit.vars[c]: sum(1 for i in unit.members if i in stuck)
                    for unit in built.units
                    if c in unit.vars and any(i in stuck for i in unit.members)
                }
                built.model.row(coefficients, 0, room)
                cut_added = True
                break
            seats.update(seated)
        if not cut_added:
            break
    else:
        raise Infeasible(diagnose(index, deadline) or _out_of_time(problem))
    progress(0.95, "Explaining each placement")
    assignment = {index.learners[i].id: index.groups[g].id for i, g in seats.items()}
    evaluation = evaluate(problem, assignment)
    objective = evaluation.objective
    scaled = max(bound, round(objective * SCALE))
    bound_points, gap = scaled / SCALE, _gap(round(objective * SCALE), scaled)
    placements = explain(index, seats, evaluation)
    progress(1.0, "Done")
    return Result(
        status="optimal" if gap < 1e-9 else "feasible",
        placements=placements,
        objective=objective,
        bound=bound_points,
        gap=gap,
        terms=evaluation.terms,
        shares=evaluation.shares,
        seconds=time.perf_counter() - started,
    )


def _out_of_time(problem: Problem) -> tuple[str, ...]:
    return (f"no placement was found within {problem.time_limit:g} s; allow the solver more time",)


def _gap(objective: int, bound: int) -> float:
    """(bound − objective) / bound; penalties can make both negative, so at least one point."""
    return max(0, bound - objective) / max(abs(bound), SCALE)


def _left(deadline: float) -> float:
    return max(0.05, deadline - time.perf_counter())


# ---------------------------------------------------------------- scoring any assignment


def evaluate(problem: Problem, assignment: Mapping[str, str]) -> Evaluation:
    index = Index(problem)
    names = problem.mentor_names
    violations: list[str] = []
    community_of: dict[str, int] = {}
    load = [0] * len(index.groups)
    for learner in problem.learners:
        gid = assignment.get(learner.id)
        if gid is None or gid not in index.group_at:
            violations.append(f"{learner.name} has no group")
            continue
        g = index.group_at[gid]
        load[g] += 1
        community_of[learner.id] = index.group_community[g]
        clash = learner.conflicts.intersection(index.groups[g].mentors)
        for mentor in sorted(clash):
            violations.append(
                f"{learner.name} is placed with {names.get(mentor, mentor)}, a declared conflict"
            )
        kept = problem.fixed.get(learner.id)
        if kept is not None and kept != gid and kept in index.group_at:
            violations.append(
                f"{learner.name} must stay in {index.groups[index.group_at[kept]].name}"
            )
    for g, group in enumerate(index.groups):
        if load[g] > group.capacity:
            violations.append(
                f"{group.name} holds {load[g]} learners, over its {group.capacity} seats"
            )
    learner_name = {learner.id: learner.name for learner in problem.learners}
    for a, b in problem.keep_apart:
        if a in community_of and community_of.get(a) == community_of.get(b):
            house = index.communities[community_of[a]].name
            violations.append(
                f"{learner_name[a]} and {learner_name[b]} are both in {house} (keep apart)"
            )
    for a, b in problem.keep_together:
        if a in community_of and b in community_of and community_of[a] != community_of[b]:
            violations.append(
                f"{learner_name[a]} and {learner_name[b]} are in different communities "
                "(keep together)"
            )

    sizes = [0] * len(index.communities)
    for c in community_of.values():
        sizes[c] += 1
    preference = sum(
        index.points(i, community_of[learner.id])
        for i, learner in enumerate(problem.learners)
        if learner.id in community_of
    )
    terms = [Term("preferences", "Community preferences honoured", preference / SCALE)]
    shares: list[Share] = []
    n = index.total
    for k, goal in enumerate(problem.balance):
        label = goal.label or f"{goal.attribute}={goal.value}"
        counts = [0] * len(index.communities)
        for i, learner in enumerate(problem.learners):
            if learner.id in community_of and index.bits[i][k]:
                counts[community_of[learner.id]] += 1
        cohort_share = index.goal_totals[k] / n if n else 0.0
        penalty = 0
        for c, community in enumerate(index.communities):
            if not sizes[c]:
                continue
            delta = n * counts[c] - index.goal_totals[k] * sizes[c]
            penalty += -(-abs(delta) // n)  # whole learners off the share, rounded up
            deviation = delta / n if n else 0.0
            shares.append(
                Share(
                    label,
                    community.id,
                    counts[c],
                    sizes[c],
                    counts[c] / sizes[c],
                    cohort_share,
                    deviation,
                )
            )
            if goal.band is not None and abs(delta) > goal.band * n:
                violations.append(
                    f"{community.name} has {counts[c]} {label} of {sizes[c]}, "
                    f"{abs(deviation):.1f} off the cohort's share (allowed ±{goal.band})"
                )
        if goal.weight:
            terms.append(
                Term(
                    f"balance:{goal.attribute}={goal.value}",
                    f"Balance of {label}",
                    -goal.weight * penalty,
                )
            )
    if problem.even_size_weight:
        seats = [
            sum(index.groups[g].capacity for g in index.groups_of[c])
            for c in range(len(index.communities))
        ]
        total_seats = sum(seats)
        off = sum(
            -(-abs(total_seats * sizes[c] - n * seats[c]) // total_seats) for c in range(len(seats))
        )
        terms.append(Term("even_sizes", "Even community sizes", -problem.even_size_weight * off))
    objective = round(sum(term.value for term in terms) * SCALE) / SCALE
    return Evaluation(
        objective=objective, terms=tuple(terms), violations=tuple(violations), shares=tuple(shares)
    )
