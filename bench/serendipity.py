"""Benchmark serendipity rounds: Hearth's planned schedule against a Donut-like random baseline.

    python bench/serendipity.py --people N --group-size K --absent A --seed S [--rounds R]

Both methods see the same population (four communities as equal as N allows) and the same
absences (a fraction A drawn at random each round). Without --rounds each runs until its first
repeated pair or the bound, whichever comes first, and always at least 26 rounds so that the
cross-community share over the first 26 rounds can be measured. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hearth.serendipity.schedule import (  # noqa: E402
    History,
    Member,
    Rules,
    bound,
    cross_share,
    make_plan,
    random_cross_share,
    schedule_round,
)

COMMUNITIES = ("Osler", "Peabody", "Blackwell", "Cushing")
MIN_ROUNDS = 26
RETRIES = 50

Groups = list[tuple[int, ...]]


def population(n: int) -> list[Member]:
    return [Member(id=i + 1, community=COMMUNITIES[i % 4]) for i in range(n)]


def absences(members: Sequence[Member], fraction: float, rounds: int, seed: int) -> list[set[int]]:
    rng = random.Random(seed * 7919 + 17)
    ids = [m.id for m in members]
    out = []
    for _ in range(rounds):
        out.append(set(rng.sample(ids, round(fraction * len(ids)))) if fraction > 0 else set())
    return out


def sizes_for(n: int, k: int) -> list[int]:
    """The same group sizes Hearth uses: groups of k, one group taking the remainder."""
    if n < 2:
        return []
    sizes = [k] * (n // k)
    r = n % k
    if r >= 2 or not sizes:
        sizes.append(r)
    elif r == 1:
        sizes[-1] += 1
    return sizes


def donut_round(ids: list[int], k: int, met: set[int], rng: random.Random) -> Groups:
    """Shuffle; each group takes the first people who met none of its members. Up to 50
    reshuffles when someone is left without such a partner; the best attempt is kept."""
    best: tuple[int, Groups] | None = None
    for _ in range(RETRIES):
        order = ids[:]
        rng.shuffle(order)
        used: set[int] = set()
        groups: Groups = []
        repeats = 0
        pos = 0
        for size in sizes_for(len(ids), k):
            while order[pos] in used:
                pos += 1
            grp = [order[pos]]
            used.add(order[pos])
            for x in order[pos + 1 :]:
                if len(grp) == size:
                    break
                if x not in used and all(_key(x, y) not in met for y in grp):
                    grp.append(x)
                    used.add(x)
            # Nobody new left: fill with whoever is next (a repeat).
            for x in order[pos + 1 :]:
                if len(grp) == size:
                    break
                if x not in used:
                    repeats += sum(_key(x, y) in met for y in grp)
                    grp.append(x)
                    used.add(x)
            groups.append(tuple(grp))
        if best is None or repeats < best[0]:
            best = (repeats, groups)
        if repeats == 0:
            break
    assert best is not None
    return best[1]


def _key(a: int, b: int) -> int:
    return (a << 32) | b if a < b else (b << 32) | a


def run(
    name: str,
    members: list[Member],
    absent: list[set[int]],
    limit: int,
    until_repeat: bool,
    step: Callable[[int, list[Member]], Groups],
) -> dict[str, float | int]:
    met: set[int] = set()
    clean: int | None = None
    first: Groups = []
    seconds = 0.0
    by_id = {m.id: m for m in members}
    done = 0
    for r in range(limit):
        present = [m for m in members if m.id not in absent[r]]
        t = time.perf_counter()
        groups = step(r, present)
        seconds += time.perf_counter() - t
        done += 1
        repeated = any(
            _key(a, b) in met for g in groups for i, a in enumerate(g) for b in g[i + 1 :]
        )
        if repeated and clean is None:
            clean = r
            print(f"  {name}: first repeated pair in round {r + 1}", flush=True)
        for g in groups:
            for i, a in enumerate(g):
                for b in g[i + 1 :]:
                    met.add(_key(a, b))
        if r < MIN_ROUNDS:
            first += groups
        if (r + 1) % 25 == 0:
            print(f"  {name}: {r + 1} rounds, {seconds / done:.3f} s/round", flush=True)
        if until_repeat and clean is not None and r + 1 >= MIN_ROUNDS:
            break
    return {
        "rounds_before_repeat": done if clean is None else clean,
        "cross_group_share": round(cross_share(first, by_id), 4),
        "seconds_per_round": round(seconds / max(done, 1), 4),
        "rounds_run": done,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, required=True)
    ap.add_argument("--group-size", type=int, default=2)
    ap.add_argument("--absent", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument(
        "--past-bound",
        action="store_true",
        help="with absences the bound is no limit: run on until the first repeat (4x the bound)",
    )
    args = ap.parse_args()
    n, k = args.people, args.group_size
    members = population(n)
    b = bound(n, k)
    limit = args.rounds if args.rounds else max(b, MIN_ROUNDS)
    if args.past_bound and not args.rounds:
        limit = max(4 * b, MIN_ROUNDS)
    absent = absences(members, args.absent, limit, args.seed)
    rules = Rules(group_size=k)
    print(f"{n} people, groups of {k}, {args.absent:.0%} absent, bound {b} rounds", flush=True)

    t = time.perf_counter()
    plan = make_plan(members, rules, seed=args.seed)
    plan_seconds = time.perf_counter() - t
    print(f"plan: {plan.design} {plan.params} in {plan_seconds:.2f} s", flush=True)
    history = History()

    def hearth_step(r: int, present: list[Member]) -> Groups:
        res = schedule_round(plan, r, present, rules, history, seed=args.seed)
        history.add_round(r, res.groups)
        return res.groups

    base_rng = random.Random(args.seed)
    base_met: set[int] = set()

    def donut_step(r: int, present: list[Member]) -> Groups:
        groups = donut_round([m.id for m in present], k, base_met, base_rng)
        for g in groups:
            for i, a in enumerate(g):
                for bb in g[i + 1 :]:
                    base_met.add(_key(a, bb))
        return groups

    until = args.rounds is None
    hearth = run("hearth", members, absent, limit, until, hearth_step)
    print(f"hearth: {hearth}", flush=True)
    baseline = run("random", members, absent, limit, until, donut_step)
    print(f"random baseline: {baseline}", flush=True)
    print(
        json.dumps(
            {
                "people": n,
                "group_size": k,
                "absent": args.absent,
                "bound": b,
                "hearth": {
                    **hearth,
                    "plan_seconds": round(plan_seconds, 3),
                    "design": plan.design,
                    "percent_of_bound": round(100 * hearth["rounds_before_repeat"] / b, 1)
                    if b
                    else None,
                },
                "random_baseline": baseline,
                "random_expected_share": round(random_cross_share(members), 4),
            }
        )
    )


if __name__ == "__main__":
    main()
