"""Cohort placement: learners into mentor groups (and so communities), proven optimal.

Pure Python over dataclasses; no Django. The solver aggregates identical learners,
solves the community-level model (an LP bound from GLOP, CP-SAT for the integral part)
and then fills each community's groups with a max-flow that respects mentor conflicts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

PREFERENCE_POINTS = (3, 2, 1)  # first, second, third community choice


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th, 22nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Community:
    id: str
    name: str


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    community: str
    capacity: int  # seats free for this cohort
    mentors: tuple[str, ...] = ()  # mentor ids, named in Problem.mentor_names


@dataclass(frozen=True)
class Learner:
    id: str
    name: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    preferences: tuple[str, ...] = ()  # community ids, best first
    conflicts: frozenset[str] = frozenset()  # mentor ids this learner must not be placed with


@dataclass(frozen=True)
class Balance:
    """Keep the share of learners with attribute == value in every community near the cohort's."""

    attribute: str
    value: str
    label: str = ""  # "women", "under-represented"; defaults to "attribute=value"
    weight: float = 1.0  # points lost per learner of deviation (soft goal)
    band: int | None = None  # hard: within ±band learners of the proportional share


@dataclass(frozen=True)
class Problem:
    communities: tuple[Community, ...]
    groups: tuple[Group, ...]
    learners: tuple[Learner, ...]
    mentor_names: Mapping[str, str] = field(default_factory=dict)
    balance: tuple[Balance, ...] = ()
    keep_apart: tuple[tuple[str, str], ...] = ()  # learner ids, different communities
    keep_together: tuple[tuple[str, str], ...] = ()  # learner ids, same community
    preference_weight: float = 1.0  # multiplies PREFERENCE_POINTS
    even_size_weight: float = 0.0  # points lost per learner a community is off its fair size
    fixed: Mapping[str, str] = field(default_factory=dict)  # learner id -> group id, kept
    time_limit: float = 10.0
    relative_gap: float = 0.0  # stop once proven within this gap


@dataclass(frozen=True)
class Placement:
    learner: str
    group: str
    community: str
    preference_rank: int | None  # 1 = first choice; None = not among the learner's choices
    reasons: tuple[str, ...]  # plain sentences, the terms that decided this placement


@dataclass(frozen=True)
class Term:
    key: str  # "preferences", "balance:gender=female", "even_sizes"
    label: str
    value: float  # contribution to the objective (penalties are negative)


@dataclass(frozen=True)
class Share:
    balance: str  # Balance label
    community: str
    count: int
    size: int
    share: float  # count / size
    cohort_share: float
    deviation: float  # count - proportional share, in learners


@dataclass(frozen=True)
class Result:
    status: str  # "optimal" | "feasible"
    placements: tuple[Placement, ...]
    objective: float
    bound: float  # proven upper bound on the objective
    gap: float  # (bound - objective) / bound, 0 when bound is 0
    terms: tuple[Term, ...]
    shares: tuple[Share, ...]
    seconds: float


@dataclass(frozen=True)
class Evaluation:
    """A hand-made assignment checked against the problem (for overrides)."""

    objective: float
    terms: tuple[Term, ...]
    violations: tuple[str, ...]  # hard constraints broken, in plain words
    shares: tuple[Share, ...]


@dataclass(frozen=True)
class Rematch:
    result: Result
    moved: tuple[tuple[str, str, str], ...]  # (learner, from group, to group)


class Infeasible(Exception):
    """The constraints cannot all hold; `reasons` is an irreducible set of them."""

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


Progress = Callable[[float, str], None]  # fraction done 0..1, what is happening


SCALE = 100  # objective coefficients are integers in hundredths of a point


def solve(problem: Problem, progress: Progress | None = None) -> Result:
    """Place every learner; raise Infeasible naming an irreducible set of constraints."""
    from . import _placement

    return _placement.solve(problem, progress or _silent)


def evaluate(problem: Problem, assignment: Mapping[str, str]) -> Evaluation:
    """Score an assignment (learner id -> group id) and list the hard constraints it breaks."""
    from . import _placement

    return _placement.evaluate(problem, assignment)


def explain_assignment(problem: Problem, assignment: Mapping[str, str]) -> tuple[Placement, ...]:
    """The reasons for every placement of an assignment, e.g. after a director's override."""
    from . import _placement
    from .explain import explain

    index = _placement.Index(problem)
    seats = {
        index.learner_at[learner]: index.group_at[group]
        for learner, group in assignment.items()
        if learner in index.learner_at and group in index.group_at
    }
    return explain(index, seats, _placement.evaluate(problem, assignment))


def rematch(
    problem: Problem, current: Mapping[str, str], leaving_groups: frozenset[str]
) -> Rematch:
    """Re-place only the learners of groups that lost their mentor; everyone else stays."""
    from dataclasses import replace

    freed = {learner for learner, group in current.items() if group in leaving_groups}
    kept = {learner: group for learner, group in current.items() if learner not in freed}
    groups = tuple(
        replace(group, capacity=0) if group.id in leaving_groups else group
        for group in problem.groups
    )
    result = solve(replace(problem, groups=groups, fixed={**problem.fixed, **kept}))
    to = {placement.learner: placement.group for placement in result.placements}
    moved = tuple(
        (learner, current[learner], to[learner])
        for learner in sorted(freed)
        if to.get(learner) != current[learner]
    )
    return Rematch(result=result, moved=moved)


def _silent(fraction: float, message: str) -> None:
    return None
