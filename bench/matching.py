"""Benchmark matching: Hearth's cohort placement and mentee-mentor pairing against baselines.

    python bench/matching.py --learners N --groups M --attributes A --seed S
    python bench/matching.py --class-size 250 --communities 8 --attributes 4 --seed S
    python bench/matching.py --mentees 10000 --mentors 2000 --capacity 5 --candidates 50 --seed S

The last line is one JSON object; the lines before it are for people.

Cohorts (first two forms). Groups hold 10 learners and form communities of 25 groups (group g
is in community g // 25), so 2,000 / 200 has 8 communities and 10,000 / 1,000 has 40. With
fewer than 75 groups, 25 per community would leave fewer than 3 communities to rank, so
communities have 3 groups instead (24 groups -> 8 communities, like a class of 250 in 8
houses). The class form has --communities communities of 3 groups each, every group of capacity
ceil(class size / (3 * communities)) so that the seats cover the class (250 / 8 -> 11, 264 seats).
Each group has exactly one mentor, "m<g>". One random.Random(seed) draws, in this order:
  1. for each learner in turn: attribute j = 0..A-1 is "1" when random() < (0.5, 0.3, 0.15,
     0.1)[j], else "0"; then 3 distinct communities, best first, each drawn from those not yet
     taken with weight 1 / (k + 1) for community k (Zipf by community index): u = random() times
     the total weight, the first community whose running weight sum exceeds u;
  2. max(1, N // 100) learners (sample()) each with a conflict with the mentor of one group
     (randrange(M)), drawn learner by learner;
  3. max(1, N // 400) keep-apart pairs (0.5 % of learners): 2 * pairs learners (sample()),
     paired in the order drawn.
Balance is hard: Balance(attribute="a<j>", value="1", band=1, weight=0.0) for every attribute
(weight 0: the engine would otherwise also charge deviations inside the band). "Within ±1
of the proportional share" means, for a community with s learners placed and n_j of the N
learners having a<j> = "1", |N * count - n_j * s| <= N; s may vary when seats exceed learners
(200 / 24 has 240 seats). The objective, the same for every method and never negative, is the
preference score alone: 3 points for a first choice, 2 for a second, 1 for a third.

Methods, in this order:
  hearth     engine.solve(), wall clock around the call, after solving a two-learner instance
             so that the engine's one-off imports are not timed. peak_mib is ru_maxrss read
             right after it, before anything else runs, so it covers imports, the instance and
             the solve and is not polluted by the baselines.
  greedy     learners in random order (random.Random(f"greedy-{seed}")), each to the community
             best in its ranking where a group not led by a conflicted mentor has a free seat
             and the keep-apart partner is not (else the community with most free seats), and
             there to the group with most free seats. It ignores the balance bands; the bands
             it breaks are counted (band_violations) and printed. peak_mib is the process's
             peak while it ran (the high-water mark is reset through /proc/self/clear_refs
             first), so it includes what was resident already.
  naive_mip  scipy.optimize.milp (HiGHS) with one binary per learner x group (conflicted groups
             left out); rows: one group per learner, group capacity, keep-apart per pair and
             community, and the bands as N * count - n_j * size in [-N, N], all linear in the
             binaries (scipy.sparse). It runs in a fresh child process, so peak_mib is its own
             peak (Python, SciPy, the model, HiGHS). Time limit --mip-time-limit, the same
             relative gap as Hearth (0: prove optimal). HiGHS's presolve is off unless
             --mip-presolve: on this model it removes nothing, does not check the time limit
             and takes 200 s at 1,000 / 100 and 30 min at 2,000 / 200 (HiGHS 1.12). Should
             HiGHS still overrun, the child is killed 10 % (at least 10 s) past the limit and
             the status is "timeout". seconds is the milp() call alone (building the model is
             printed separately), which favours the baseline. Status: "optimal"; "feasible" (a
             solution, no proof when time ran out); "timeout" (no solution); "skipped" above
             5 M binaries (10,000 / 1,000 has 10 M, whose model does not fit in memory) unless
             --mip is passed.
Every method's placement is checked against the same constraints here, not taken on trust.

Pairing (third form). Mentees "e<i>", mentors "m<k>" of equal capacity. For each mentee in
turn, one random.Random(seed) draws its candidates (sample() of --candidates mentors) and, for
each candidate in order, a fit score randint(0, 100). Preferences on both sides follow the
scores (the pairing module's default). pairing.match() runs under "fit" (maximum total fit,
proven optimal) and "stable" (no blocking pair), each timed alone; building the instance is
not timed. Blocking pairs and totals are recounted here with strict score comparisons.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing
import os
import random
import resource
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hearth.matching.engine import (  # noqa: E402
    Balance,
    Community,
    Group,
    Infeasible,
    Learner,
    Problem,
    Result,
    solve,
)

PREVALENCE = (0.5, 0.3, 0.15, 0.1)
POINTS = (3, 2, 1)
CAPACITY = 10
GROUPS_PER_COMMUNITY = 25
SMALL_GROUPS_PER_COMMUNITY = 3
BAND = 1
MIP_MAX_BINARIES = 5_000_000
MIP_GRACE = 10.0  # seconds past its time limit before the MIP process is killed


@dataclass(frozen=True)
class Cohort:
    learners: int
    group_community: tuple[int, ...]  # community index of each group
    communities: int
    capacity: int
    attributes: tuple[tuple[int, ...], ...]  # per learner, 0/1 per attribute
    preferences: tuple[tuple[int, ...], ...]  # per learner, community indices best first
    conflict: tuple[int, ...]  # per learner, the group whose mentor it conflicts with, or -1
    pairs: tuple[tuple[int, int], ...]  # keep-apart learner pairs

    @property
    def groups(self) -> int:
        return len(self.group_community)

    def score(self, learner: int, community: int) -> int:
        prefs = self.preferences[learner]
        return POINTS[prefs.index(community)] if community in prefs else 0

    def attribute_totals(self) -> list[int]:
        return [sum(col) for col in zip(*self.attributes, strict=True)] if self.attributes else []


def generate(
    learners: int, groups: int, per_community: int, capacity: int, attributes: int, seed: int
) -> Cohort:
    rng = random.Random(seed)
    communities = math.ceil(groups / per_community)
    weights = [1 / (k + 1) for k in range(communities)]
    attrs: list[tuple[int, ...]] = []
    prefs: list[tuple[int, ...]] = []
    for _ in range(learners):
        attrs.append(tuple(int(rng.random() < PREVALENCE[j]) for j in range(attributes)))
        pool = list(range(communities))
        w = weights[:]
        chosen = []
        for _ in range(min(3, communities)):
            u = rng.random() * sum(w)
            acc = 0.0
            pick = len(pool) - 1  # guards against rounding at the top end
            for idx, wk in enumerate(w):
                acc += wk
                if u < acc:
                    pick = idx
                    break
            chosen.append(pool.pop(pick))
            w.pop(pick)
        prefs.append(tuple(chosen))
    conflict = [-1] * learners
    for i in rng.sample(range(learners), min(learners, max(1, learners // 100))):
        conflict[i] = rng.randrange(groups)
    n_pairs = min(learners // 2, max(1, learners // 400))
    members = rng.sample(range(learners), 2 * n_pairs)
    pairs = tuple((members[2 * k], members[2 * k + 1]) for k in range(n_pairs))
    return Cohort(
        learners=learners,
        group_community=tuple(g // per_community for g in range(groups)),
        communities=communities,
        capacity=capacity,
        attributes=tuple(attrs),
        preferences=tuple(prefs),
        conflict=tuple(conflict),
        pairs=pairs,
    )


def to_problem(cohort: Cohort, time_limit: float, relative_gap: float) -> Problem:
    n_attrs = len(cohort.attributes[0]) if cohort.attributes else 0
    return Problem(
        communities=tuple(
            Community(id=f"c{k}", name=f"Community {k}") for k in range(cohort.communities)
        ),
        groups=tuple(
            Group(
                id=f"g{g}",
                name=f"Group {g}",
                community=f"c{c}",
                capacity=cohort.capacity,
                mentors=(f"m{g}",),
            )
            for g, c in enumerate(cohort.group_community)
        ),
        learners=tuple(
            Learner(
                id=f"l{i}",
                name=f"Learner {i}",
                attributes={f"a{j}": str(v) for j, v in enumerate(cohort.attributes[i])},
                preferences=tuple(f"c{k}" for k in cohort.preferences[i]),
                conflicts=frozenset({f"m{cohort.conflict[i]}"})
                if cohort.conflict[i] >= 0
                else frozenset(),
            )
            for i in range(cohort.learners)
        ),
        mentor_names={f"m{g}": f"Mentor {g}" for g in range(cohort.groups)},
        balance=tuple(
            Balance(attribute=f"a{j}", value="1", band=BAND, weight=0.0) for j in range(n_attrs)
        ),
        keep_apart=tuple((f"l{a}", f"l{b}") for a, b in cohort.pairs),
        preference_weight=1.0,
        even_size_weight=0.0,
        time_limit=time_limit,
        relative_gap=relative_gap,
    )


@dataclass
class Check:
    score: int
    unplaced: int
    over_capacity: int
    conflicts: int
    keep_apart: int
    band_violations: int
    max_deviation: float

    @property
    def hard_violations(self) -> int:
        return self.unplaced + self.over_capacity + self.conflicts + self.keep_apart

    def describe(self) -> str:
        parts = [
            f"{n} {what}"
            for n, what in (
                (self.unplaced, "unplaced"),
                (self.over_capacity, "over capacity"),
                (self.conflicts, "mentor conflicts"),
                (self.keep_apart, "keep-apart pairs together"),
                (self.band_violations, "bands broken"),
            )
            if n
        ]
        return ", ".join(parts) or "all constraints hold"


def check(cohort: Cohort, assign: Sequence[int]) -> Check:
    """Score an assignment (group index per learner, -1 = unplaced) and count what it breaks."""
    n = cohort.learners
    load = [0] * cohort.groups
    size = [0] * cohort.communities
    totals = cohort.attribute_totals()
    counts = [[0] * len(totals) for _ in range(cohort.communities)]
    score = unplaced = conflicts = 0
    for i, g in enumerate(assign):
        if g < 0:
            unplaced += 1
            continue
        c = cohort.group_community[g]
        load[g] += 1
        size[c] += 1
        score += cohort.score(i, c)
        conflicts += g == cohort.conflict[i]
        for j, v in enumerate(cohort.attributes[i]):
            counts[c][j] += v
    apart = sum(
        1
        for a, b in cohort.pairs
        if assign[a] >= 0
        and assign[b] >= 0
        and cohort.group_community[assign[a]] == cohort.group_community[assign[b]]
    )
    bands = 0
    worst = 0.0
    for c in range(cohort.communities):
        for j, total in enumerate(totals):
            bands += abs(n * counts[c][j] - total * size[c]) > BAND * n
            worst = max(worst, abs(counts[c][j] - total * size[c] / n))
    return Check(
        score=score,
        unplaced=unplaced,
        over_capacity=sum(max(0, x - cohort.capacity) for x in load),
        conflicts=conflicts,
        keep_apart=apart,
        band_violations=bands,
        max_deviation=worst,
    )


def greedy(cohort: Cohort, seed: int) -> list[int]:
    rng = random.Random(f"greedy-{seed}")
    order = list(range(cohort.learners))
    rng.shuffle(order)
    free = [cohort.capacity] * cohort.groups
    members: list[list[int]] = [[] for _ in range(cohort.communities)]
    for g, c in enumerate(cohort.group_community):
        members[c].append(g)
    community_free = [cohort.capacity * len(gs) for gs in members]
    partner: dict[int, int] = {}
    for a, b in cohort.pairs:
        partner[a], partner[b] = b, a
    assign = [-1] * cohort.learners

    def best_group(i: int, c: int) -> int:
        best = -1
        for g in members[c]:
            if free[g] > 0 and g != cohort.conflict[i] and (best < 0 or free[g] > free[best]):
                best = g
        return best

    for i in order:
        p = partner.get(i, -1)
        blocked = cohort.group_community[assign[p]] if p >= 0 and assign[p] >= 0 else -1
        g = -1
        for c in cohort.preferences[i]:
            if c != blocked and (g := best_group(i, c)) >= 0:
                break
        if g < 0:
            by_room = sorted(range(cohort.communities), key=lambda c: -community_free[c])
            for c in by_room:
                if c != blocked and (g := best_group(i, c)) >= 0:
                    break
        if g < 0:  # nowhere allowed: take any free seat and let the check count it
            g = max(range(cohort.groups), key=lambda x: free[x])
        assign[i] = g
        free[g] -= 1
        community_free[cohort.group_community[g]] -= 1
    return assign


@dataclass(frozen=True)
class MipOptions:
    time_limit: float
    relative_gap: float
    presolve: bool
    log: bool


def naive_mip(cohort: Cohort, options: MipOptions) -> tuple[dict[str, Any], list[int] | None]:
    """Run the naive MIP in a child process, killed if HiGHS overruns its time limit."""
    ctx = multiprocessing.get_context("spawn")  # a fresh process: its own, clean peak memory
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_mip_child, args=(cohort, options, send))
    proc.start()
    send.close()
    built: dict[str, Any] = {}
    assign: list[int] | None = None
    try:
        built = receive.recv()
        print(
            f"naive MIP: {built['binaries']:,} binaries, {built['rows']:,} rows, "
            f"{built['nonzeros']:,} nonzeros, built in {built['build_seconds']:.2f} s",
            flush=True,
        )
        t = time.perf_counter()
        deadline = options.time_limit + max(MIP_GRACE, 0.1 * options.time_limit)
        if receive.poll(deadline):
            out, assign = receive.recv()
        else:
            proc.kill()
            print(
                f"naive MIP: HiGHS ignored its {options.time_limit:g} s time limit and was "
                f"stopped after {time.perf_counter() - t:.0f} s",
                flush=True,
            )
            out = {
                "status": "timeout",
                "seconds": round(time.perf_counter() - t, 3),
                "bound": None,
                "peak_mib": None,
            }
    except EOFError:  # the child died, most likely out of memory
        print("naive MIP: its process died (out of memory?)", flush=True)
        out = {"status": "error: the MIP process died", "seconds": None, "bound": None}
    finally:
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()
    return {**out, **built}, assign


def _mip_child(cohort: Cohort, options: MipOptions, send: Connection) -> None:
    import numpy as np
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    t0 = time.perf_counter()
    n, m, nc = cohort.learners, cohort.groups, cohort.communities
    learner_of = np.repeat(np.arange(n), m)
    group_of = np.tile(np.arange(m), n)
    keep = group_of != np.asarray(cohort.conflict)[learner_of]
    learner_of, group_of = learner_of[keep], group_of[keep]
    del keep
    comm = np.asarray(cohort.group_community)[group_of]
    scores = np.zeros((n, nc), dtype=np.int64)
    for i, prefs in enumerate(cohort.preferences):
        for r, c in enumerate(prefs):
            scores[i, c] = POINTS[r]
    cost = -scores[learner_of, comm].astype(float)
    k = len(learner_of)

    rows, cols, vals, lo, hi = [], [], [], [], []
    col_ids = np.arange(k)
    rows += [learner_of, n + group_of]
    cols += [col_ids, col_ids]
    vals += [np.ones(k), np.ones(k)]
    lo += [np.ones(n), np.zeros(m)]
    hi += [np.ones(n), np.full(m, cohort.capacity, dtype=float)]
    base = n + m
    attrs = np.asarray(cohort.attributes, dtype=np.int64)
    for j, total in enumerate(cohort.attribute_totals()):
        coef = n * attrs[learner_of, j] - total
        nz = coef != 0
        rows.append(base + comm[nz])
        cols.append(col_ids[nz])
        vals.append(coef[nz].astype(float))
        lo.append(np.full(nc, -BAND * n, dtype=float))
        hi.append(np.full(nc, BAND * n, dtype=float))
        base += nc
    start = np.searchsorted(learner_of, np.arange(n + 1))
    for a, b in cohort.pairs:
        for x in (a, b):
            span = np.arange(start[x], start[x + 1])
            rows.append(base + comm[span])
            cols.append(span)
            vals.append(np.ones(len(span)))
        lo.append(np.zeros(nc))
        hi.append(np.ones(nc))
        base += nc
    matrix = sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(base, k)
    )
    del rows, cols, vals
    build = time.perf_counter() - t0
    send.send(
        {"binaries": k, "rows": base, "nonzeros": matrix.nnz, "build_seconds": round(build, 3)}
    )

    t = time.perf_counter()
    res = milp(
        cost,
        integrality=np.ones(k),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(matrix, np.concatenate(lo), np.concatenate(hi)),
        options={
            "time_limit": options.time_limit,
            "mip_rel_gap": options.relative_gap,
            "presolve": options.presolve,
            "disp": options.log,
        },
    )
    seconds = time.perf_counter() - t
    assign: list[int] | None = None
    if res.x is not None:
        chosen = np.flatnonzero(res.x > 0.5)
        out = np.full(n, -1)
        out[learner_of[chosen]] = group_of[chosen]
        assign = out.tolist()
    if res.status == 0:
        status = "optimal"
    elif res.status == 1:
        status = "feasible" if assign is not None else "timeout"
    elif res.status == 2:
        status = "infeasible"
    else:
        status = f"error: {res.message}"
    dual = getattr(res, "mip_dual_bound", None)
    bound = None if dual is None or not math.isfinite(dual) else -dual
    result = {
        "status": status,
        "seconds": round(seconds, 3),
        "bound": None if bound is None else round(bound, 3),
        "peak_mib": round(peak_mib(), 1),
    }
    send.send((result, assign))


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Reset the process's high-water mark so the next peak_mib() covers what runs next."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def gap_of(objective: float, bound: float | None) -> float | None:
    if bound is None:
        return None
    return (bound - objective) / bound if bound > 0 else 0.0


def warm_up() -> None:
    """Solve a two-learner instance so the engine's one-off imports are not timed."""
    tiny = generate(2, 3, 3, 1, 1, 0)
    with contextlib.suppress(Infeasible, NotImplementedError):
        solve(to_problem(tiny, 1.0, 0.0))


def run_hearth(problem: Problem) -> tuple[Result | None, float, str]:
    warm_up()
    t = time.perf_counter()
    try:
        result = solve(problem)
    except Infeasible as e:
        seconds = time.perf_counter() - t
        print(f"hearth: infeasible after {seconds:.2f} s:", flush=True)
        for reason in e.reasons:
            print(f"  - {reason}", flush=True)
        return None, seconds, "infeasible"
    except NotImplementedError:
        print("hearth: engine.solve() is not implemented yet", flush=True)
        return None, time.perf_counter() - t, "not implemented"
    return result, time.perf_counter() - t, result.status


def hearth_assignment(cohort: Cohort, result: Result) -> list[int]:
    assign = [-1] * cohort.learners
    for p in result.placements:
        assign[int(p.learner[1:])] = int(p.group[1:])
    return assign


def report_hearth(cohort: Cohort, result: Result | None, seconds: float, status: str) -> dict:
    """Hearth's figures, with its placement checked here; None values when it gave none."""
    out: dict[str, Any] = {"status": status, "seconds": round(seconds, 3)}
    if result is None:
        return {"objective": None, "bound": None, "gap": None, **out, "violations": None}
    checked = check(cohort, hearth_assignment(cohort, result))
    if abs(checked.score - result.objective) > 1e-6:
        print(
            f"WARNING: engine reports objective {result.objective}, its placements score "
            f"{checked.score}; the latter is reported",
            flush=True,
        )
    gap = gap_of(checked.score, result.bound)
    print(
        f"hearth: {status}, objective {checked.score}, bound {result.bound:.2f}, "
        f"gap {100 * (gap or 0):.4f} %, {seconds:.3f} s (engine says {result.seconds:.3f} s); "
        f"{checked.describe()}",
        flush=True,
    )
    if status != "optimal" and math.floor(result.bound + 1e-9) == checked.score:
        print("hearth: the score is whole points and the bound rounds down to it: optimal")
    if checked.hard_violations or checked.band_violations:
        print("WARNING: Hearth's placement breaks hard constraints; its figures are invalid")
    return {
        "objective": checked.score,
        "bound": round(result.bound, 3),
        "gap": None if gap is None else round(gap, 6),
        **out,
        "violations": checked.hard_violations + checked.band_violations,
        "max_share_deviation": round(checked.max_deviation, 3),
    }


def describe(cohort: Cohort, seed: int) -> None:
    totals = cohort.attribute_totals()
    per = cohort.groups // cohort.communities
    print(
        f"{cohort.learners:,} learners, {cohort.groups:,} groups of {cohort.capacity} "
        f"({cohort.groups * cohort.capacity:,} seats) in {cohort.communities} communities of "
        f"{per} groups; attributes with 1: {totals}; "
        f"{sum(c >= 0 for c in cohort.conflict)} conflicts, {len(cohort.pairs)} keep-apart "
        f"pair(s); seed {seed}; {len(os.sched_getaffinity(0))} cores",
        flush=True,
    )


def run_baselines(cohort: Cohort, args: argparse.Namespace, hearth_objective: float | None):
    reset_peak()
    t = time.perf_counter()
    g_assign = greedy(cohort, args.seed)
    g_seconds = time.perf_counter() - t
    g = check(cohort, g_assign)
    ratio = g.score / hearth_objective if hearth_objective else None
    greedy_out: dict[str, Any] = {
        "objective": g.score,
        "seconds": round(g_seconds, 4),
        "ratio_to_hearth": None if ratio is None else round(ratio, 4),
        "band_violations": g.band_violations,
        "other_violations": g.hard_violations,
        "max_share_deviation": round(g.max_deviation, 3),
        "peak_mib": round(peak_mib(), 1),
    }
    print(
        f"greedy: objective {g.score}, {g_seconds:.3f} s, peak {greedy_out['peak_mib']} MiB; "
        f"ratio to Hearth {'n/a' if ratio is None else f'{ratio:.4f}'}",
        flush=True,
    )
    bands = cohort.communities * len(cohort.attribute_totals())
    print(
        f"greedy breaks {g.band_violations} of {bands} community x attribute bands "
        f"(worst {g.max_deviation:.1f} learners off); "
        f"{g.describe()}",
        flush=True,
    )

    binaries = cohort.learners * cohort.groups
    if args.no_mip or (binaries > MIP_MAX_BINARIES and not args.mip):
        if not args.no_mip:
            print(
                f"naive MIP: skipped, {binaries:,} binaries would not fit in memory "
                f"(pass --mip to try anyway)",
                flush=True,
            )
        return greedy_out, {"objective": None, "seconds": None, "status": "skipped"}
    options = MipOptions(
        time_limit=args.mip_time_limit,
        relative_gap=args.relative_gap,
        presolve=args.mip_presolve,
        log=args.mip_log,
    )
    mip_out, m_assign = naive_mip(cohort, options)
    objective = gap = None
    if m_assign is not None:
        m = check(cohort, m_assign)
        objective = m.score
        gap = gap_of(m.score, mip_out["bound"])
        if m.hard_violations or m.band_violations:
            print(f"WARNING: the MIP's placement: {m.describe()}", flush=True)
    mip_out["gap"] = None if gap is None else round(gap, 6)
    print(
        f"naive MIP: {mip_out['status']}, objective {objective}, bound {mip_out['bound']}, "
        f"gap {'n/a' if gap is None else f'{100 * gap:.2f} %'}, {mip_out['seconds']} s "
        f"(+{mip_out.get('build_seconds')} s to build), peak {mip_out.get('peak_mib')} MiB",
        flush=True,
    )
    return greedy_out, {"objective": objective, **mip_out}


def cohort_case(args: argparse.Namespace) -> int:
    n, m = args.learners, args.groups
    if n > CAPACITY * m:
        sys.exit(f"{n} learners do not fit in {m} groups of {CAPACITY}")
    per = GROUPS_PER_COMMUNITY if m >= 3 * GROUPS_PER_COMMUNITY else SMALL_GROUPS_PER_COMMUNITY
    cohort = generate(n, m, per, CAPACITY, args.attributes, args.seed)
    describe(cohort, args.seed)
    problem = to_problem(cohort, args.time_limit, args.relative_gap)

    result, seconds, status = run_hearth(problem)
    peak = peak_mib()  # before greedy and the MIP run, see the module docstring
    hearth = {**report_hearth(cohort, result, seconds, status), "peak_mib": round(peak, 1)}
    print(f"hearth: peak {hearth['peak_mib']} MiB", flush=True)

    greedy_out, mip_out = run_baselines(cohort, args, hearth["objective"])
    speedup = None
    if hearth["objective"] is not None and mip_out.get("seconds"):
        # Short of Hearth's objective when it stopped, the MIP would need longer still.
        reached = (mip_out["objective"] or 0) >= hearth["objective"]
        speedup = mip_out["seconds"] / max(hearth["seconds"], 1e-9)
        print(
            f"hearth is {'' if reached else 'at least '}{speedup:.1f}x faster than the naive MIP "
            f"({mip_out['status']}, objective {mip_out['objective']} vs Hearth's "
            f"{hearth['objective']})",
            flush=True,
        )
        mip_out["hearth_speedup"] = round(speedup, 1)
        mip_out["speedup_is_lower_bound"] = not reached
    targets(cohort, hearth, mip_out, speedup)
    print(
        json.dumps(
            {
                "learners": n,
                "groups": m,
                "attributes": args.attributes,
                "seed": args.seed,
                "hearth": hearth,
                "greedy": greedy_out,
                "naive_mip": mip_out,
            }
        )
    )
    return hearth_exit(hearth)


def targets(cohort: Cohort, hearth: dict, mip: dict, speedup: float | None) -> None:
    if hearth["objective"] is None:
        return
    if cohort.learners == 10_000 and cohort.groups == 1_000:
        ok = (
            hearth["gap"] is not None
            and hearth["gap"] <= 0.001
            and hearth["seconds"] <= 10
            and hearth["peak_mib"] <= 1024
        )
        print(f"target gap <= 0.1 % in <= 10 s and <= 1 GiB: {'met' if ok else 'MISSED'}")
    if cohort.learners == 2_000 and cohort.groups == 200 and speedup is not None:
        verdict = "met" if speedup >= 10 else "MISSED"
        if mip["speedup_is_lower_bound"]:
            verdict += " (a lower bound: the MIP stopped short of Hearth's objective)"
        print(f"target >= 10x faster than the MIP at the same objective: {verdict}")


def hearth_exit(hearth: dict) -> int:
    """Non-zero when Hearth gave no usable answer (not an infeasible instance)."""
    if hearth["status"] == "not implemented":
        return 1
    return 1 if hearth.get("violations") else 0


def class_case(args: argparse.Namespace) -> int:
    n, nc = args.class_size, args.communities
    m = SMALL_GROUPS_PER_COMMUNITY * nc
    capacity = math.ceil(n / m)
    cohort = generate(n, m, SMALL_GROUPS_PER_COMMUNITY, capacity, args.attributes, args.seed)
    describe(cohort, args.seed)
    problem = to_problem(cohort, args.time_limit, args.relative_gap)
    result, seconds, status = run_hearth(problem)
    hearth = report_hearth(cohort, result, seconds, status)
    if result is not None:
        ranks = [p.preference_rank for p in result.placements]
        first = sum(r == 1 for r in ranks) / n
        top3 = sum(r is not None and 1 <= r <= 3 for r in ranks) / n
        deviation = max((abs(s.deviation) for s in result.shares), default=0.0)
        hearth.update(
            first_choice_share=round(first, 4),
            top3_share=round(top3, 4),
            max_share_deviation=round(deviation, 3),
        )
        print(
            f"hearth: first choice {first:.1%}, top 3 {top3:.1%}, worst share "
            f"{deviation:.2f} learners off (engine), "
            f"{'proven optimal' if status == 'optimal' else status} in {seconds:.3f} s; "
            f"target optimal in <= 1 s: "
            f"{'met' if status == 'optimal' and seconds <= 1 else 'MISSED'}",
            flush=True,
        )
    else:
        hearth.update(first_choice_share=None, top3_share=None, max_share_deviation=None)
    greedy_out, mip_out = run_baselines(cohort, args, hearth["objective"])
    if (
        mip_out["status"] == "optimal"
        and status == "optimal"
        and mip_out["objective"] != hearth["objective"]
    ):
        print("WARNING: the MIP's proven optimum differs from Hearth's", flush=True)
    print(
        json.dumps(
            {
                "class_size": n,
                "communities": nc,
                "groups": m,
                "capacity": capacity,
                "attributes": args.attributes,
                "seed": args.seed,
                "hearth": hearth,
                "greedy": greedy_out,
                "naive_mip": mip_out,
            }
        )
    )
    return hearth_exit(hearth)


def mentee_case(args: argparse.Namespace) -> int:
    from hearth.matching.pairing import PairingProblem, match

    n, nm, cap, k = args.mentees, args.mentors, args.capacity, args.candidates
    t = time.perf_counter()
    rng = random.Random(args.seed)
    scores: dict[tuple[str, str], int] = {}
    for i in range(n):
        for r in rng.sample(range(nm), k):
            scores[(f"e{i}", f"m{r}")] = rng.randint(0, 100)
    problem = PairingProblem(
        mentees=tuple(f"e{i}" for i in range(n)),
        capacities={f"m{r}": cap for r in range(nm)},
        scores=scores,
    )
    print(
        f"{n:,} mentees, {nm:,} mentors of capacity {cap} ({nm * cap:,} seats), {k} candidates "
        f"each; built in {time.perf_counter() - t:.2f} s (not timed); seed {args.seed}",
        flush=True,
    )
    out: dict[str, dict[str, Any]] = {}
    for policy in ("fit", "stable"):
        t = time.perf_counter()
        res = match(problem, policy)
        seconds = time.perf_counter() - t
        total, blocking, unmatched, problems = recount(scores, problem.mentees, cap, res.pairs)
        if total != res.objective or blocking > res.blocking_pairs:
            print(
                f"WARNING: {policy}: the module reports objective {res.objective}, "
                f"{res.blocking_pairs} blocking pairs; recounted {total}, {blocking}",
                flush=True,
            )
        for p in problems:
            print(f"WARNING: {policy}: {p}", flush=True)
        out[policy] = {
            "status": res.status,
            "objective": res.objective,
            "bound": res.bound,
            "blocking_pairs": res.blocking_pairs,
            "unmatched": len(res.unmatched),
            "seconds": round(seconds, 3),
        }
        print(
            f"{policy}: {res.status}, objective {res.objective}, bound {res.bound}, "
            f"{res.blocking_pairs} blocking pairs ({blocking} on strict scores), "
            f"{len(res.unmatched)} unmatched, {seconds:.3f} s",
            flush=True,
        )
    fit, stable = out["fit"], out["stable"]
    ratio = stable["objective"] / fit["objective"] if fit["objective"] else None
    stable["fit_ratio"] = None if ratio is None else round(ratio, 4)
    print(f"stable's fit as a share of the optimum: {'n/a' if ratio is None else f'{ratio:.4f}'}")
    ok = (
        fit["seconds"] <= 2
        and stable["seconds"] <= 2
        and fit["status"] == "optimal"
        and stable["blocking_pairs"] == 0
    )
    if n == 10_000 and nm == 2_000:
        verdict = "met" if ok else "MISSED"
        print(f"target both in <= 2 s, fit optimal, stable without blocking pairs: {verdict}")
    print(
        json.dumps(
            {
                "mentees": n,
                "mentors": nm,
                "capacity": cap,
                "candidates": k,
                "seed": args.seed,
                "fit": {k2: fit[k2] for k2 in ("objective", "bound", "blocking_pairs", "seconds")}
                | {"status": fit["status"], "unmatched": fit["unmatched"]},
                "stable": stable,
            }
        )
    )
    return 0


def recount(
    scores: dict[tuple[str, str], int],
    mentees: Sequence[str],
    capacity: int,
    pairs: Mapping[str, str],
) -> tuple[int, int, int, list[str]]:
    """Total fit, blocking pairs, unmatched, and broken rules. A pair blocks when both sides'
    scores are strictly better, so it never counts more than the module, which breaks score
    ties by id."""
    problems: list[str] = []
    mine: dict[str, str] = {}
    load: dict[str, list[int]] = {}
    for e, r in pairs.items():
        if (e, r) not in scores:
            problems.append(f"pair {e}-{r} is not a candidate pair")
            continue
        if e in mine:
            problems.append(f"{e} is matched twice")
        mine[e] = r
        load.setdefault(r, []).append(scores[(e, r)])
    over = [r for r, got in load.items() if len(got) > capacity]
    if over:
        problems.append(f"{len(over)} mentors over capacity")
    worst = {r: min(got) if len(got) >= capacity else -1 for r, got in load.items()}
    total = sum(scores[(e, r)] for e, r in mine.items())
    blocking = 0
    for (e, r), s in scores.items():
        if mine.get(e) == r:
            continue
        own = scores[(e, mine[e])] if e in mine else -1
        if s > own and s > worst.get(r, -1):
            blocking += 1
    return total, blocking, sum(e not in mine for e in mentees), problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--learners", type=int)
    ap.add_argument("--groups", type=int)
    ap.add_argument("--class-size", type=int)
    ap.add_argument("--communities", type=int)
    ap.add_argument("--attributes", type=int, default=3, choices=range(len(PREVALENCE) + 1))
    ap.add_argument("--mentees", type=int)
    ap.add_argument("--mentors", type=int)
    ap.add_argument("--capacity", type=int, default=5)
    ap.add_argument("--candidates", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=10.0, help="Hearth's, in seconds")
    ap.add_argument("--relative-gap", type=float, default=0.0, help="Hearth's and the MIP's")
    ap.add_argument("--mip-time-limit", type=float, default=120.0)
    ap.add_argument("--mip", action="store_true", help="build the naive MIP at any size")
    ap.add_argument("--no-mip", action="store_true", help="leave the naive MIP out")
    ap.add_argument("--mip-presolve", action="store_true", help="turn HiGHS's presolve on")
    ap.add_argument("--mip-log", action="store_true", help="show HiGHS's log")
    args = ap.parse_args()
    if args.learners is not None and args.groups is not None:
        code = cohort_case(args)
    elif args.class_size is not None and args.communities is not None:
        code = class_case(args)
    elif args.mentees is not None and args.mentors is not None:
        code = mentee_case(args)
    else:
        ap.error(
            "give --learners and --groups, --class-size and --communities, "
            "or --mentees and --mentors"
        )
    sys.exit(code)


if __name__ == "__main__":
    main()
