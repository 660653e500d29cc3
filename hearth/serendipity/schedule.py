"""Serendipity rounds: split the people present into pairs or small groups, round after round,
so that nobody meets the same person twice before it is mathematically necessary.

The whole schedule is planned up front from a combinatorial design (``designs``); round-by-round
searches stall well short of the bound, a design does not:

- pairs, n divisible by 4: the blow-up of a 1-factorisation of K_c over c blocks filled by
  community (c = number of communities when that fits, else 2): n - 1 rounds, the first
  (c - 1) * n / c of them entirely cross-community;
- other pairs: the round-robin (circle method) on n or n + 1 points; for odd n the person
  whose partner is the empty point joins a pair (one trio per round);
- groups: affine geometry AG(m, q) lines (n = 3^m, 4^m), Kirkman triple systems KTS(3q) for a
  prime q = 1 mod 6 (n = 3q or 3q - 1: one pair per round), a transversal design on k columns
  of q (q prime) minus holes whose leftovers regroup within their column along blocks with
  distinct differences, or a plain transversal design or affine space minus points, repaired
  round by round; small circles simulate the candidates and keep the best.

The mapping of members to design points is searched (simulated annealing over swaps) so that
the first 26 rounds mix communities (and departments, ranks when weighted), and rounds are
ordered by their cross share.

Each round is the planned design round restricted to the people present. Those whose planned
group is broken (absent partner, newcomer, hard rule, no common hour, already met) are re-placed:
pairs by a matching on the sparse graph of never-met pairs weighted by the mixing goals, groups
by a greedy search with swaps that forbids past pairs and avoids pairs the design still needs.
When that fails, a growing share of the planned groups is dissolved into the pool, and only
then are repeats accepted, those that met longest ago first.

Group sizes: groups of k; when k does not divide the count, one group of r (r >= 2) or of
k + 1 (r == 1), for pairs one trio. A design one point larger than the circle leaves its odd
group in place (KTS(201) for 200 people: 66 trios and a pair). ``Rules.keep_design_holes``
keeps every group a design larger than the circle leaves short instead of merging them.

Pure Python (stdlib + networkx), no Django: the Django side stores ``Plan.to_dict()`` and feeds
``History`` from its own records.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from hearth.serendipity import designs

MIX_WINDOW = 26  # the mixing target is judged over the first 26 rounds
REASONS = ("no-overlap", "no-partner")
REPEAT = 1_000_000  # cost of a repeated pair in repairs
MIX_SCALE = 3.0  # in repairs a cross pair offsets part of the charge for a pair the design needs


@dataclass(frozen=True)
class Member:
    id: int
    community: str = ""
    department: str = ""
    rank: str = ""
    is_learner: bool = False
    slots: frozenset[int] | None = None  # UTC hour-of-week slots 0..167 when free; None = any


@dataclass(frozen=True)
class Rules:
    group_size: int = 2
    mix_community: float = 1.0
    mix_department: float = 0.0
    mix_rank: float = 0.0
    never_same_community: bool = False
    mentor_learner_cross_community_only: bool = False
    forbidden_pairs: frozenset[frozenset[int]] = frozenset()
    # A design larger than the circle leaves holes: keep its groups of k-1 (or fewer, at least
    # 2) as they are instead of merging them into groups of k. Off by default: group sizes
    # then follow the rule of one odd group per round.
    keep_design_holes: bool = False


@dataclass(frozen=True)
class RoundResult:
    groups: list[tuple[int, ...]]
    unplaced: list[tuple[int, str]]
    repeated_pairs: list[tuple[int, int]]


def pair_key(a: int, b: int) -> int:
    # One int per pair: a dict of ints is a fraction of the size of a dict of frozensets.
    return (a << 32) | b if a < b else (b << 32) | a


class History:
    """When each pair last met (round index). Only the last meeting matters for the choice."""

    def __init__(self) -> None:
        self._last: dict[int, int] = {}

    def add_round(self, index: int, groups: Iterable[Sequence[int]]) -> None:
        last = self._last
        for grp in groups:
            for i, a in enumerate(grp):
                for b in grp[i + 1 :]:
                    key = pair_key(a, b)
                    if last.get(key, -1) < index:
                        last[key] = index

    def last_met(self, a: int, b: int) -> int | None:
        return self._last.get(pair_key(a, b))

    def __len__(self) -> int:
        return len(self._last)


def bound(n: int, k: int) -> int:
    """Most rounds without a repeated pair (the social golfer bound; for odd pairs one trio)."""
    if n < 2 or k < 2:
        return 0
    if k == 2:
        return n - 1 if n % 2 == 0 else n * (n - 1) // (n + 3)
    return (n - 1) // (k - 1)


def cross_share(
    groups: Iterable[Sequence[int]], members: Mapping[int, Member], attribute: str = "community"
) -> float:
    cross = total = 0
    for grp in groups:
        for i, a in enumerate(grp):
            for b in grp[i + 1 :]:
                total += 1
                cross += getattr(members[a], attribute) != getattr(members[b], attribute)
    return cross / total if total else 0.0


def random_cross_share(members: Iterable[Member], attribute: str = "community") -> float:
    counts = Counter(getattr(m, attribute) for m in members)
    n = sum(counts.values())
    if n < 2:
        return 0.0
    return 1 - sum(c * (c - 1) for c in counts.values()) / (n * (n - 1))


# --------------------------------------------------------------------------------------- plan


@dataclass
class Plan:
    """The whole-schedule design for a circle. ``points`` maps member id -> design point;
    circle round i is design round ``order[(i - start) % len(order)]``."""

    design: str
    group_size: int = 2
    params: dict[str, int] = field(default_factory=dict)
    points: dict[int, int] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    people: int = 0
    bound: int = 0
    seconds: float = 0.0
    # The circle round the plan's round 0 falls on: set it when re-planning mid-circle so the
    # new plan starts from its best-mixed rounds.
    start: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "design": self.design,
            "group_size": self.group_size,
            "params": dict(self.params),
            # JSON object keys are strings; a list of pairs keeps the ints.
            "points": [[m, p] for m, p in self.points.items()],
            "order": list(self.order),
            "people": self.people,
            "bound": self.bound,
            "seconds": self.seconds,
            "start": self.start,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        raw = data.get("points", [])
        items = raw.items() if isinstance(raw, Mapping) else raw
        return cls(
            design=str(data["design"]),
            group_size=int(data.get("group_size", 2)),
            params={str(k): int(v) for k, v in dict(data.get("params", {})).items()},
            points={int(m): int(p) for m, p in items},
            order=[int(r) for r in data.get("order", [])],
            people=int(data.get("people", 0)),
            bound=int(data.get("bound", 0)),
            seconds=float(data.get("seconds", 0.0)),
            start=int(data.get("start", 0)),
        )

    @property
    def kind(self) -> str:
        return "affine" if self.design.startswith("affine") else self.design

    def built(self) -> designs.Design | None:
        if self.design == "none" or not self.order:
            return None
        return designs.build(self.kind, tuple(sorted(self.params.items())))

    def member_at(self) -> dict[int, int]:
        return {p: m for m, p in self.points.items()}

    def planned_groups(self, index: int) -> list[tuple[int, ...]]:
        """Plan round ``index`` as groups of member ids (empty design points dropped)."""
        d = self.built()
        if d is None:
            return []
        at = self.member_at()
        out = []
        for grp in d.round(self.order[(index - self.start) % len(self.order)]):
            ids = tuple(at[p] for p in grp if p in at)
            if ids:
                out.append(ids)
        return out


def _design_name(d: designs.Design) -> str:
    if isinstance(d, designs.Affine):
        return f"affine-{d.q}"
    return d.kind


def _attribute_codes(members: Sequence[Member], rules: Rules) -> list[tuple[float, list[int]]]:
    out = []
    for attr, weight in (
        ("community", rules.mix_community),
        ("department", rules.mix_department),
        ("rank", rules.mix_rank),
    ):
        values = [getattr(m, attr) for m in members]
        if weight > 0 and len(set(values)) > 1:
            index: dict[str, int] = {}
            out.append((weight, [index.setdefault(v, len(index)) for v in values]))
    return out


def _improve_mapping(
    slot_of: list[int],
    v: int,
    rounds: list[designs.Round],
    attrs: list[tuple[float, list[int]]],
    rng: random.Random,
    budget: float,
) -> list[int]:
    """Local search over which member sits on which design point, lowering the weighted number
    of same-attribute pairs in ``rounds`` (the first rounds of the schedule). A swap only
    touches the two groups each point is in per round, so a delta costs O(rounds * k)."""
    n = len(slot_of)
    if not attrs or not rounds or n < 3:
        return slot_of
    member_at = [-1] * v
    for i, p in enumerate(slot_of):
        member_at[p] = i
    group_of = []
    for rd in rounds:
        g = [0] * v
        for gi, grp in enumerate(rd):
            for p in grp:
                g[p] = gi
        group_of.append(g)

    def code(a: int, p: int) -> int:
        i = member_at[p]
        return attrs[a][1][i] if i >= 0 else -1 - p

    def badness(p: int) -> float:
        total = 0.0
        for rd, g in zip(rounds, group_of, strict=True):
            for q in rd[g[p]]:
                if q != p:
                    for a, (w, _) in enumerate(attrs):
                        if code(a, q) == code(a, p):
                            total += w
        return total

    def delta(p: int, q: int) -> float:
        d = 0.0
        for rd, g in zip(rounds, group_of, strict=True):
            gp, gq = g[p], g[q]
            if gp == gq:
                continue
            for a, (w, _) in enumerate(attrs):
                cp, cq = code(a, p), code(a, q)
                if cp == cq:
                    continue
                s = 0
                for x in rd[gp]:
                    if x != p:
                        cx = code(a, x)
                        s += (cx == cq) - (cx == cp)
                for x in rd[gq]:
                    if x != q:
                        cx = code(a, x)
                        s += (cx == cp) - (cx == cq)
                d += w * s
        return d

    occupied = [p for p in range(v) if member_at[p] >= 0]
    start = time.perf_counter()
    deadline = start + budget
    current = sum(badness(p) for p in occupied) / 2
    best, best_map = current, member_at[:]
    temp0 = 0.6
    while current > 0:
        now = time.perf_counter()
        if now > deadline:
            break
        # Annealing: early uphill moves escape the local optima a plain descent stalls in.
        temp = temp0 * (1 - (now - start) / budget)
        bad = [p for p in occupied if badness(p) > 0]
        if not bad:
            break
        for _ in range(max(500, n)):  # refreshing ``bad`` costs O(n * rounds * k)
            p = rng.choice(bad)
            q = rng.choice(occupied)
            if p == q:
                continue
            d = delta(p, q)
            if d <= 0 or (temp > 0.01 and rng.random() < math.exp(-d / temp)):
                member_at[p], member_at[q] = member_at[q], member_at[p]
                current += d
                if current < best - 1e-9:
                    best, best_map = current, member_at[:]
    member_at = best_map
    out = [0] * n
    for p, i in enumerate(member_at):
        if i >= 0:
            out[i] = p
    return out


def _empty_points(d: designs.Design, n: int) -> set[int]:
    """Which design points stay empty when the design is larger than the circle."""
    extra = d.points - n
    if d.empty:
        return set(d.empty)
    if extra <= 0:
        return set()
    if isinstance(d, designs.Transversal) and extra <= d.q:
        # From the last column only: no group loses two people, and the k-1 columns left with a
        # hole each round hold as many loose people, who regroup within their own column (pairs
        # the design never uses) when that count divides by k.
        return {(d.k - 1) * d.q + y for y in range(d.q - extra, d.q)}
    # Highest indices: for affine designs these fill a sub-space coset, so lines parallel to it
    # lose nothing; for the round-robin this is the hub.
    return set(range(d.points - extra, d.points))


def _same_pairs(rd: designs.Round, attrs: list[tuple[float, list[int]]], at: list[int]) -> float:
    """Weighted number of same-attribute pairs in a round (empty points match nothing)."""
    total = 0.0
    for w, codes in attrs:
        code = [codes[i] if i >= 0 else -1 - p for p, i in enumerate(at)]
        same = 0
        for grp in rd:
            for j, a in enumerate(grp):
                ca = code[a]
                for b in grp[j + 1 :]:
                    same += ca == code[b]
        total += w * same
    return total


def _plan_for(
    d: designs.Design, members: Sequence[Member], rules: Rules, rng: random.Random, budget: float
) -> Plan:
    n = len(members)
    empty = _empty_points(d, n)
    free = [p for p in range(d.points) if p not in empty]
    attrs = _attribute_codes(members, rules)
    idx = list(range(n))
    rng.shuffle(idx)
    structured = isinstance(d, designs.BlowUp | designs.Transversal | designs.Kirkman3q)
    if isinstance(d, designs.TransversalHoles) and attrs:
        # Community by (column + row) mod c: lines of even slope and the column groups along
        # blocks spread mod k then hold one person per community, up to wrap-around mod q,
        # which the search below repairs. (Columns = communities would make every column
        # group a same-community group.)
        codes = attrs[0][1]
        c = len(set(codes))
        by_class: dict[int, list[int]] = {}
        for p in free:
            by_class.setdefault((p // d.q + p % d.q) % c, []).append(p)
        ranked = [code for code, _ in Counter(codes).most_common()]
        classes = sorted(by_class, key=lambda x: -len(by_class[x]))
        spots = {code: by_class[cls] for code, cls in zip(ranked, classes, strict=False)}
        placed: list[int | None] = [None] * n
        for i in idx:
            lst = spots.get(codes[i])
            if lst:
                placed[i] = lst.pop()
        rest = [p for lst in spots.values() for p in lst] + [
            p for cls in classes[len(ranked) :] for p in by_class[cls]
        ]
        idx = [i for i in idx if placed[i] is not None] + [i for i in idx if placed[i] is None]
        free = [p for p in (placed[i] for i in idx) if p is not None] + rest
    elif structured and attrs:
        # Fill the blocks (columns) community by community, largest first: with c equal
        # communities the first (c-1)*m rounds of a blow-up are then all cross-community, and
        # every group of a transversal design (or of a Kirkman system's orbit classes) takes
        # one person per column.
        codes = attrs[0][1]
        sizes = Counter(codes)
        idx.sort(key=lambda i: (-sizes[codes[i]], codes[i]))
    slot_of = [0] * n
    for i, p in zip(idx, free, strict=False):
        slot_of[i] = p
    order = list(range(d.rounds))
    window = min(MIX_WINDOW, d.rounds)
    if attrs:
        at = [-1] * d.points

        def place() -> None:
            at[:] = [-1] * d.points
            for i, p in enumerate(slot_of):
                at[p] = i

        def reorder() -> list[int]:
            # Rounds by cross share when scoring them all is cheap; otherwise an evenly spread
            # sample competes for the first places (designs differ along their rounds: the
            # orbit classes of a Kirkman system come last).
            stride = -(-d.rounds * d.points // 1_500_000)
            pool = order[::stride]
            scored = sorted(pool, key=lambda r: _same_pairs(d.round(r), attrs, at))
            rest = set(scored)
            return scored + [r for r in order if r not in rest]

        place()
        order = reorder()
        first = [d.round(r) for r in order[:window]]
        if sum(_same_pairs(rd, attrs, at) for rd in first) > 0 and budget > 0:
            slot_of = _improve_mapping(slot_of, d.points, first, attrs, rng, budget)
            place()
            order = reorder()
    return Plan(
        design=_design_name(d),
        group_size=rules.group_size,
        params=d.params(),
        points={m.id: slot_of[i] for i, m in enumerate(members)},
        order=order,
        people=n,
        bound=bound(n, rules.group_size),
    )


def _designs_for(members: Sequence[Member], k: int) -> list[designs.Design]:
    n = len(members)
    out: list[designs.Design] = []
    if k == 2:
        communities = len({m.community for m in members})
        if n % 4 == 0:
            # Blocks = communities when c is even and c blocks of even size fit; else halves.
            c = communities if communities % 2 == 0 and n % (2 * communities) == 0 else 2
            out.append(designs.BlowUp(c, n // c))
        out.append(designs.RoundRobin(n + n % 2))
        return out
    for kind, params in designs.candidates(n, k):
        try:
            out.append(designs.build(kind, tuple(sorted(params.items()))))
        except ValueError:  # e.g. no difference blocks found for these holes
            continue
    return out


def make_plan(
    members: Sequence[Member], rules: Rules, seed: int = 0, budget: float | None = None
) -> Plan:
    """Plan the whole schedule: pick the design, map members to its points, order its rounds.
    ``budget``: seconds for the mapping search (default: grows with the circle, 3 s at most)."""
    start = time.perf_counter()
    members = list({m.id: m for m in members}.values())
    n, k = len(members), rules.group_size
    if n < 2 or k < 2:
        return Plan(design="none", group_size=k, people=n, bound=bound(n, k))
    rng = random.Random(seed)
    options = _designs_for(members, k)
    limit = bound(n, k)
    if k == 2:
        chosen = options[0]
    else:
        # Several designs may fit: a Kirkman system minus one point, an affine space minus a
        # sub-space, a transversal design minus part of a column. A complete design (or one
        # point short) is taken as is; a small circle simulates the others and keeps the one
        # free of repeats longest; a large one takes the most rounds net of holes.
        def slack(d: designs.Design) -> int:
            return d.points - len(d.empty) - n

        def expected(d: designs.Design) -> float:
            # Rounds a design promises: all of them when it fits (at most one point over),
            # else discounted by the share of groups its empty points break each round, times
            # three: each repair uses pairs the design needs later (measured: AG(5, 4) minus 24
            # points for 1,000 people in fours stays new for 68 % of the bound, not 90 %).
            return min(d.rounds, limit) * (1 - 3 * k * slack(d) / n)

        viable = [d for d in options if slack(d) <= max(2, 0.35 * n)] or options[:1]
        fitting = [d for d in viable if slack(d) <= 1]
        chosen = max(viable, key=expected)
        if n <= 400 and chosen not in fitting:
            best_fit = max((min(d.rounds, limit) for d in fitting), default=0)
            scored = [(float(best_fit), 1, max(fitting, key=expected))] if fitting else []
            for i, d in enumerate(viable):
                if d in fitting or min(d.rounds, limit) <= best_fit:
                    continue
                trial = _plan_for(d, members, rules, random.Random(seed), budget=0.0)
                sim = 1.5 if budget is None else budget
                scored.append((_clean_rounds(trial, members, rules, seed, sim), -i, d))
            if scored:
                chosen = max(scored, key=lambda s: (s[0], s[1]))[2]
    if budget is None:
        budget = min(3.0, 0.3 + n / 100)
    plan = _plan_for(chosen, members, rules, rng, budget=budget)
    plan.seconds = round(time.perf_counter() - start, 3)
    return plan


def _clean_rounds(
    plan: Plan, members: Sequence[Member], rules: Rules, seed: int, budget: float
) -> int:
    """Rounds before the first repeat with everyone present (stops after ``budget`` seconds)."""
    history = History()
    limit = bound(len(members), rules.group_size)
    deadline = time.perf_counter() + budget
    for r in range(limit):
        if time.perf_counter() > deadline:
            return r
        res = schedule_round(plan, r, members, rules, history, seed)
        if res.repeated_pairs or res.unplaced:
            return r
        history.add_round(r, res.groups)
    return limit


# ------------------------------------------------------------------------------------ a round


class _Round:
    """Everything one round needs to judge a candidate pair or group, with cheap lookups."""

    def __init__(
        self, plan: Plan, index: int, people: dict[int, Member], rules: Rules, history: History
    ) -> None:
        self.plan, self.index, self.people, self.rules = plan, index, people, rules
        self.now_cost = 0.0  # see _group_up(split=True)
        self._costs: dict[int, float] = {}
        self._costs_split: dict[int, float] = {}
        self.deadline = time.perf_counter() + 1.5  # the per-round budget at 5,000 people is 2 s
        self.last = history._last
        self.forbidden = {pair_key(*sorted(p)) for p in rules.forbidden_pairs if len(p) == 2}
        self.design = plan.built()
        self.cycle = len(plan.order)
        self.position = (index - plan.start) % self.cycle if self.cycle else 0
        self.pos_of = {r: i for i, r in enumerate(plan.order)}
        self.weights = [
            (a, w)
            for a, w in (
                ("community", rules.mix_community),
                ("department", rules.mix_department),
                ("rank", rules.mix_rank),
            )
            if w > 0
        ]

    def allowed(self, a: int, b: int) -> bool:
        if pair_key(a, b) in self.forbidden:
            return False
        ma, mb = self.people[a], self.people[b]
        same = ma.community == mb.community and ma.community != ""
        if same and self.rules.never_same_community:
            return False
        return not (
            same
            and self.rules.mentor_learner_cross_community_only
            and ma.is_learner != mb.is_learner
        )

    def fresh(self, a: int, b: int) -> bool:
        return pair_key(a, b) not in self.last

    def age(self, a: int, b: int) -> int | None:
        t = self.last.get(pair_key(a, b))
        return None if t is None else self.index - t

    def mix(self, a: int, b: int) -> float:
        ma, mb = self.people[a], self.people[b]
        return sum(w for attr, w in self.weights if getattr(ma, attr) != getattr(mb, attr))

    def future(self, a: int, b: int) -> float:
        """0..1: how soon the design itself would put a and b together (1 = this cycle's next
        round). Meeting them now breaks that planned group later, so repairs avoid it."""
        if self.design is None:
            return 0.0
        pa, pb = self.plan.points.get(a), self.plan.points.get(b)
        if pa is None or pb is None:
            return 0.0
        r = self.design.meet(pa, pb)
        if r is None:
            return 0.0
        pos = self.pos_of.get(r)
        if pos == self.position:
            return self.now_cost
        if pos is None or pos < self.position:
            return 0.0
        return 1.0 - (pos - self.position - 1) / self.cycle

    def pair_cost(self, a: int, b: int) -> float:
        """Lower is better. Each repeat costs about REPEAT, less the older the meeting, so the
        fewest repeats win first and the oldest meetings second."""
        key = pair_key(a, b)
        cache = self._costs_split if self.now_cost else self._costs
        cost = cache.get(key)
        if cost is None:
            age = self.age(a, b)
            if age is not None:
                cost = REPEAT - min(age, REPEAT // 10)
            else:
                # Any pair the design still needs breaks one of its later groups, however far
                # off: a flat charge, a little more when it comes soon.
                f = self.future(a, b)
                cost = (4 + 6 * f if f > 0 else 0) - MIX_SCALE * self.mix(a, b)
            cache[key] = cost
        return cost


def _overlap(slots: frozenset[int] | None, other: frozenset[int] | None) -> frozenset[int] | None:
    if slots is None:
        return other
    if other is None:
        return slots
    return slots & other


def schedule_round(
    plan: Plan,
    index: int,
    present: Sequence[Member],
    rules: Rules,
    history: History,
    seed: int = 0,
) -> RoundResult:
    """Groups for round ``index`` (0-based) of the circle among the people ``present``."""
    rng = random.Random(seed * 1_000_003 + index)
    people = {m.id: m for m in present}
    k = max(2, rules.group_size)
    ctx = _Round(plan, index, people, rules, history)
    unplaced: list[tuple[int, str]] = []

    # People whose free hours meet nobody else's cannot be placed at all.
    anytime = sum(1 for m in people.values() if m.slots is None)
    per_slot: Counter[int] = Counter()
    for m in people.values():
        if m.slots is not None:
            per_slot.update(m.slots)
    placeable: list[int] = []
    for m in people.values():
        if m.slots is None:
            ok = len(people) > 1
        else:
            ok = anytime > 0 or any(per_slot[s] > 1 for s in m.slots)
        if ok:
            placeable.append(m.id)
        else:
            unplaced.append((m.id, "no-overlap" if len(people) > 1 else "no-partner"))
    here = set(placeable)

    # The planned round, restricted to who is here; broken groups leave fragments to re-place.
    # Once the design has run through, its groups are due again: replaying them repeats the
    # pairs that met longest ago, but under churn some pairs never met (an absent partner on
    # the day) and a fresh arrangement may still exist, so both are tried.
    planned_groups = plan.planned_groups(index)
    best: tuple[float, list[list[int]], list[int]] | None = None
    for due in (-1, index - ctx.cycle) if ctx.cycle and index - plan.start >= ctx.cycle else (-1,):
        kept: list[list[int]] = []
        fragments: list[list[int]] = []
        planned: set[int] = set()
        block = ctx.design.block if ctx.design is not None else k
        for grp in planned_groups:
            ids = [m for m in grp if m in here]
            planned.update(ids)
            parts = _split_valid(ids, ctx, due)
            whole = len(parts) == 1 and len(ids) == len(grp)
            if whole and (len(ids) == block == k or (rules.keep_design_holes and len(ids) >= 2)):
                kept.append(parts[0])
            else:
                fragments.extend(parts)
        fragments.extend([m] for m in placeable if m not in planned)  # newcomers
        rng.shuffle(fragments)
        groups, stuck = _assemble(kept, fragments, ctx, rng, k)
        cost = sum(_group_cost(g, ctx) for g in groups) + REPEAT * 10 * len(stuck)
        if best is None or cost < best[0]:
            best = (cost, groups, stuck)
        if cost < REPEAT / 2:
            break
    assert best is not None
    _, groups, stuck = best
    unplaced += [(m, _reason(m, ctx)) for m in stuck]

    repeated = []
    for members_of in groups:
        for i, a in enumerate(members_of):
            for b in members_of[i + 1 :]:
                if not ctx.fresh(a, b):
                    repeated.append((min(a, b), max(a, b)))
    return RoundResult(
        groups=[tuple(g) for g in groups], unplaced=sorted(unplaced), repeated_pairs=repeated
    )


def _assemble(
    kept: list[list[int]],
    fragments: list[list[int]],
    ctx: _Round,
    rng: random.Random,
    k: int,
    attempts: int = 8,
) -> tuple[list[list[int]], list[int]]:
    """Re-place the fragments around the kept planned groups. When that cannot avoid a repeat,
    retry with a growing share of the kept groups dissolved into the pool: a larger pool has
    more never-met combinations (late in a schedule, or under churn, the loose few rarely do)."""
    best: tuple[float, list[list[int]], list[int]] | None = None
    for attempt in range(attempts):
        share = 0.0 if attempt == 0 else min(1.0, 0.1 * 2 ** (attempt - 1))
        keep: list[list[int]] = []
        pool = [list(f) for f in fragments]
        for g in kept:
            (pool if rng.random() < share else keep).append(list(g))
        rng.shuffle(pool)
        for split in (False, True) if k > 2 and attempt < 2 else (False,):
            if k == 2:
                groups, left = _pair_up([m for f in pool for m in f], ctx, rng)
            else:
                groups, left = _group_up([list(f) for f in pool], ctx, rng, k, split)
                _polish(groups, ctx, rng)
            # Copies: joining and repairs below change groups in place, and each try starts afresh.
            groups = [list(g) for g in keep] + groups
            stuck = [m for m in left if not _join_group(m, groups, ctx)]
            stuck = [m for m in stuck if not _rescue(m, groups, ctx)]
            _fix_repeats(groups, ctx, budget=0.2)
            cost = sum(_group_cost(g, ctx) for g in groups) + REPEAT * 10 * len(stuck)
            if best is None or cost < best[0]:
                best = (cost, groups, stuck)
        if (best is not None and best[0] < REPEAT / 2) or time.perf_counter() > ctx.deadline:
            break
    assert best is not None
    return best[1], best[2]


def _split_valid(ids: list[int], ctx: _Round, due: int = -1) -> list[list[int]]:
    """A planned group as it stands, or split into parts that keep no forbidden, already-met or
    hour-less pair (a pair that last met in round ``due`` or before counts as due, not met)."""
    parts: list[tuple[list[int], list[frozenset[int] | None]]] = []
    for m in ids:
        slots = ctx.people[m].slots
        for part, common in parts:
            both = _overlap(common[0], slots)
            if both is not None and not both:
                continue
            if all(ctx.allowed(m, x) and ctx.last.get(pair_key(m, x), due) <= due for x in part):
                part.append(m)
                common[0] = both
                break
        else:
            parts.append(([m], [slots]))
    return [p for p, _ in parts]


def _compatible(
    group: Sequence[int], common: frozenset[int] | None, other: Sequence[int], ctx: _Round
) -> tuple[bool, frozenset[int] | None]:
    for m in other:
        common = _overlap(common, ctx.people[m].slots)
    if common is not None and not common:
        return False, common
    ok = all(ctx.allowed(a, b) for a in group for b in other)
    return ok, common


def _slots_of(group: Sequence[int], ctx: _Round) -> frozenset[int] | None:
    common: frozenset[int] | None = None
    for m in group:
        common = _overlap(common, ctx.people[m].slots)
    return common


def _pair_up(
    loose: list[int], ctx: _Round, rng: random.Random
) -> tuple[list[list[int]], list[int]]:
    """Pairs among the loose people: a matching on the sparse graph of never-met, allowed,
    overlapping pairs weighted by the mixing goals; then repeats (oldest first) for the rest.
    Returns the pairs and who is left (at most one when the count is odd, else the stuck)."""
    pairs: list[list[int]] = []
    left = list(loose)
    for allow_repeat in (False, True):
        if len(left) < 2:
            break
        matched = _match(left, ctx, rng, allow_repeat)
        pairs += [list(p) for p in matched]
        done = {m for p in matched for m in p}
        left = [m for m in left if m not in done]
    return pairs, left


def _edge_weight(a: int, b: int, ctx: _Round, allow_repeat: bool) -> int | None:
    if not ctx.allowed(a, b):
        return None
    sa, sb = ctx.people[a].slots, ctx.people[b].slots
    if sa is not None and sb is not None and not sa & sb:
        return None
    age = ctx.age(a, b)
    if age is not None:
        return 1 + min(age, 100_000) if allow_repeat else None
    return int(1000 + 100 * ctx.mix(a, b) - 50 * ctx.future(a, b))


def _match(
    people: list[int], ctx: _Round, rng: random.Random, allow_repeat: bool
) -> list[tuple[int, int]]:
    n = len(people)
    edges: dict[tuple[int, int], int] = {}
    if n <= 80:
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                w = _edge_weight(a, b, ctx, allow_repeat)
                if w is not None:
                    edges[(a, b)] = w
    else:
        # A few candidate partners per person keep the graph sparse at 5,000 people; random
        # graphs of degree ~8 almost surely have a near-perfect matching.
        for a in people:
            found = 0
            for _ in range(40):
                b = people[rng.randrange(n)]
                if b == a or (a, b) in edges or (b, a) in edges:
                    continue
                w = _edge_weight(a, b, ctx, allow_repeat)
                if w is not None:
                    edges[(a, b)] = w
                    found += 1
                    if found >= 8:
                        break
    if n <= 300:
        g = nx.Graph()
        g.add_weighted_edges_from((a, b, w) for (a, b), w in edges.items())
        return [tuple(p) for p in nx.max_weight_matching(g, maxcardinality=True)]
    return _greedy_match(people, edges, ctx, rng, allow_repeat)


def _greedy_match(
    people: list[int],
    edges: dict[tuple[int, int], int],
    ctx: _Round,
    rng: random.Random,
    allow_repeat: bool,
) -> list[tuple[int, int]]:
    """Heaviest edges first, then length-3 augmenting paths for those left over (exact
    blossom matching is too slow in pure Python at a few thousand loose people)."""
    mate: dict[int, int] = {}
    for (a, b), _ in sorted(edges.items(), key=lambda e: -e[1]):
        if a not in mate and b not in mate:
            mate[a], mate[b] = b, a
    adj: dict[int, list[int]] = {}
    for a, b in edges:
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    free = [m for m in people if m not in mate]
    # Free people can be paired directly when the sparse graph missed their edge.
    for u in free if len(free) <= 300 else []:
        for w in free:
            if u in mate:
                break
            if w != u and w not in mate and _edge_weight(u, w, ctx, allow_repeat) is not None:
                mate[u], mate[w] = w, u
    for u in [m for m in people if m not in mate]:
        if u in mate:
            continue
        for a in adj.get(u, []):
            mate_a = mate.get(a)
            if mate_a is None:
                continue
            b = mate_a
            other = next(
                (
                    x
                    for x in adj.get(b, [])
                    if x not in mate
                    and x != u
                    and _edge_weight(b, x, ctx, allow_repeat) is not None
                ),
                None,
            )
            if other is not None:
                mate[u], mate[a], mate[b], mate[other] = a, u, other, b
                break
    return [(a, b) for a, b in mate.items() if a < b]


def _group_up(
    fragments: list[list[int]], ctx: _Round, rng: random.Random, k: int, split: bool = False
) -> tuple[list[list[int]], list[int]]:
    """Groups of k from fragments (parts of planned groups, newcomers): each group grows from
    its largest fragment by the fragments that keep all its pairs new, fitting exactly when
    possible; repeats only when nothing new fits, oldest meetings first. One group takes the
    remainder: r people when r >= 2, or k + 1 when r == 1.

    With ``split`` every fragment is broken up first and pairs the design never uses (such as
    two people of one column of a transversal design) are slightly preferred to the remains
    of a broken planned group: k - 1 remains plus one stranger make k - 2 pairs the design
    still has to use later, while k people of one column make none."""
    if split:
        fragments = [[m] for f in fragments for m in f]
        ctx.now_cost = 0.3
    try:
        return _group_up_inner(fragments, ctx, rng, k)
    finally:
        ctx.now_cost = 0.0


def _group_up_inner(
    fragments: list[list[int]], ctx: _Round, rng: random.Random, k: int
) -> tuple[list[list[int]], list[int]]:
    total = sum(len(f) for f in fragments)
    if total == 0:
        return [], []
    sizes = [k] * (total // k)
    r = total % k
    if r >= 2 or not sizes:
        sizes.append(r)
    elif r == 1:
        sizes[-1] += 1
    pool = sorted(fragments, key=len, reverse=True)
    groups: list[list[int]] = []
    left: list[int] = []
    for size in sorted(sizes, reverse=True):
        if not pool:
            break
        # Seed with the largest fragment that fits; split one that is too big.
        seed = pool.pop(0)
        while len(seed) > size:
            pool.append([seed.pop()])
        group, common = list(seed), _slots_of(seed, ctx)
        while len(group) < size and pool:
            need = size - len(group)
            best: tuple[float, int, int | None] | None = None
            probes = 0
            for j in _probe_order(len(pool), rng):
                frag = pool[j]
                probes += 1
                # A fragment too big to fit may give up one person (a seam, so a penalty).
                options = ([frag] if len(frag) <= need else []) + (
                    [[x] for x in frag] if len(frag) > 1 else []
                )
                for part in options:
                    ok, _ = _compatible(group, common, part, ctx)
                    if not ok:
                        continue
                    cost = sum(ctx.pair_cost(a, b) for a in group for b in part)
                    # Prefer exact fits, then whole fragments, then low cost.
                    score = cost - 30 * len(part) + (20 if part is not frag else 0)
                    if best is None or score < best[0]:
                        best = (score, j, part[0] if part is not frag else None)
                if best is not None and best[0] < REPEAT / 2 and probes >= 12:
                    break
                # Past the round's time budget, settle for what is at hand.
                cap = 400 if time.perf_counter() < ctx.deadline else 20
                if probes >= cap and best is not None:
                    break
            if best is None:
                break
            _, j, single = best
            if single is None:
                group += pool.pop(j)
            else:
                pool[j].remove(single)
                group.append(single)
            common = _slots_of(group, ctx)
        if len(group) >= 2:
            groups.append(group)
        else:
            left += group
    for frag in pool:
        left += frag
    return groups, left


def _group_cost(group: Sequence[int], ctx: _Round) -> float:
    return sum(ctx.pair_cost(a, b) for i, a in enumerate(group) for b in group[i + 1 :])


def _valid(group: Sequence[int], ctx: _Round) -> bool:
    common = _slots_of(group, ctx)
    if common is not None and not common:
        return False
    return all(ctx.allowed(a, b) for i, a in enumerate(group) for b in group[i + 1 :])


def _fix_repeats(groups: list[list[int]], ctx: _Round, budget: float = 0.5) -> None:
    """Swap single people between groups while that removes a repeated pair (or makes it an
    older one): greedy construction leaves its last groups with whoever remains."""
    deadline = time.perf_counter() + budget
    costs = [_group_cost(g, ctx) for g in groups]
    for gi in range(len(groups)):
        if costs[gi] < REPEAT / 2:
            continue
        improved = True
        while improved and costs[gi] >= REPEAT / 2 and time.perf_counter() < deadline:
            improved = False
            g = groups[gi]
            stale = {
                x
                for i, a in enumerate(g)
                for b in g[i + 1 :]
                if not ctx.fresh(a, b)
                for x in (a, b)
            }
            for xi, x in enumerate(g):
                if x not in stale:
                    continue
                for hi, h in enumerate(groups):
                    if hi == gi:
                        continue
                    for yi, y in enumerate(h):
                        g2 = g[:xi] + [y] + g[xi + 1 :]
                        h2 = h[:yi] + [x] + h[yi + 1 :]
                        new = _group_cost(g2, ctx) + _group_cost(h2, ctx)
                        if (
                            new < costs[gi] + costs[hi] - 1e-9
                            and _valid(g2, ctx)
                            and _valid(h2, ctx)
                        ):
                            groups[gi], groups[hi] = g2, h2
                            costs[gi], costs[hi] = _group_cost(g2, ctx), _group_cost(h2, ctx)
                            improved = True
                            break
                    if improved:
                        break
                if improved:
                    break


def _polish(groups: list[list[int]], ctx: _Round, rng: random.Random, passes: int = 3) -> None:
    """Swap people between re-formed groups while the total cost falls: greedy groups formed
    last take whoever remains, often pairs the design still has to use (or repeats)."""
    if len(groups) < 2:
        return
    costs = [_group_cost(g, ctx) for g in groups]
    deadline = min(ctx.deadline, time.perf_counter() + 0.08)
    for _ in range(passes):
        changed = False
        for gi in sorted(range(len(groups)), key=lambda i: -costs[i]):
            if costs[gi] <= 0 or time.perf_counter() > deadline:
                continue
            others = [i for i in range(len(groups)) if i != gi]
            if len(others) > 20:
                others = rng.sample(others, 20)
            best: tuple[float, int, int, int] | None = None
            g = groups[gi]
            for hi in others:
                h = groups[hi]
                for xi in range(len(g)):
                    for yi in range(len(h)):
                        g2 = g[:xi] + [h[yi]] + g[xi + 1 :]
                        h2 = h[:yi] + [g[xi]] + h[yi + 1 :]
                        d = _group_cost(g2, ctx) + _group_cost(h2, ctx) - costs[gi] - costs[hi]
                        better = d < -1e-9 and (best is None or d < best[0])
                        if better and _valid(g2, ctx) and _valid(h2, ctx):
                            best = (d, hi, xi, yi)
            if best is not None:
                _, hi, xi, yi = best
                h = groups[hi]
                g[xi], h[yi] = h[yi], g[xi]
                costs[gi], costs[hi] = _group_cost(g, ctx), _group_cost(h, ctx)
                changed = True
        if not changed:
            break


def _probe_order(n: int, rng: random.Random) -> Iterable[int]:
    start = rng.randrange(n) if n else 0
    for i in range(n):
        yield (start + i) % n


def _join_group(m: int, groups: list[list[int]], ctx: _Round) -> bool:
    """A leftover person joins the group where all pairs are allowed and new (or oldest)."""
    best: tuple[float, int] | None = None
    slots = ctx.people[m].slots
    for gi, grp in enumerate(groups):
        ok, _ = _compatible(grp, _overlap(_slots_of(grp, ctx), slots), [m], ctx)
        if not ok:
            continue
        cost = sum(ctx.pair_cost(m, x) for x in grp) + 100 * len(grp)
        if best is None or cost < best[0]:
            best = (cost, gi)
    if best is None:
        return False
    groups[best[1]].append(m)
    return True


def _rescue(m: int, groups: list[list[int]], ctx: _Round) -> bool:
    """Someone no group can take (hard rules, hours) takes a place in a group instead of one of
    its members, who then joins another group: a leftover is often stuck only by chance."""
    deadline = min(ctx.deadline, time.perf_counter() + 0.2)
    for gi, g in enumerate(groups):
        if time.perf_counter() > deadline:
            break
        for xi, x in enumerate(g):
            swapped = g[:xi] + [m] + g[xi + 1 :]
            if not _valid(swapped, ctx):
                continue
            groups[gi] = swapped
            others = groups[:gi] + groups[gi + 1 :]
            if _join_group(x, others, ctx):
                groups[:] = others[:gi] + [swapped] + others[gi:]
                return True
            groups[gi] = g
    return False


def _reason(m: int, ctx: _Round) -> str:
    slots = ctx.people[m].slots
    overlaps = any(
        x != m and _overlap(slots, ctx.people[x].slots) != frozenset() for x in ctx.people
    )
    return "no-partner" if overlaps else "no-overlap"
