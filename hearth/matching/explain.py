"""Plain sentences saying why each learner landed where they did."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .engine import Evaluation, Placement, ordinal

if TYPE_CHECKING:
    from ._placement import Index


def explain(
    index: Index, seats: Mapping[int, int], evaluation: Evaluation
) -> tuple[Placement, ...]:
    problem = index.problem
    community_of = {i: index.group_community[g] for i, g in seats.items()}
    size = [0] * len(index.communities)
    for c in community_of.values():
        size[c] += 1
    room = [sum(index.groups[g].capacity for g in index.groups_of[c]) for c in range(len(size))]
    share = {(s.balance, s.community): s for s in evaluation.shares}
    partners: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for kind, pairs in (("apart", problem.keep_apart), ("together", problem.keep_together)):
        for a, b in pairs:
            if a in index.learner_at and b in index.learner_at:
                i, j = index.learner_at[a], index.learner_at[b]
                partners[i].append((kind, j))
                partners[j].append((kind, i))
    mentor = problem.mentor_names

    def why_not(i: int, c: int) -> str:
        house = index.communities[c].name
        learner = index.learners[i]
        groups = index.groups_of[c]
        if groups and all(index.conflicted(i, g) for g in groups):
            names = sorted(
                {
                    mentor.get(m, m)
                    for g in groups
                    for m in learner.conflicts & set(index.groups[g].mentors)
                }
            )
            return f"conflict with {', '.join(names)} excluded {house}"
        for kind, j in partners[i]:
            if kind == "apart" and community_of.get(j) == c:
                return f"kept apart from {index.learners[j].name}, who is in {house}"
        if size[c] >= room[c]:
            return f"{house} was full"
        for k, goal in enumerate(problem.balance):
            if not index.bits[i][k] or goal.band is None:
                continue
            # one more learner like this one would break the band
            n, total = index.total, index.goal_totals[k]
            counted = share.get(
                (goal.label or f"{goal.attribute}={goal.value}", index.communities[c].id)
            )
            if (
                counted
                and abs(n * (counted.count + 1) - total * (counted.size + 1)) > goal.band * n
            ):
                return f"{house} already held its share of {goal.label or goal.value}"
        return f"placing them in {house} would have lowered the overall score"

    placements = []
    for i, g in sorted(seats.items()):
        c = index.group_community[g]
        learner = index.learners[i]
        house = index.communities[c].name
        rank = index.preference_ranks[i].get(c)
        reasons: list[str] = []
        if i in index.fixed_group:
            reasons.append("kept in place: only learners whose mentor left are moved")
        wanted = sorted(index.preference_ranks[i], key=index.preference_ranks[i].__getitem__)
        if rank is not None:
            reasons.append(f"{ordinal(rank + 1)} community preference ({house})")
        elif wanted:
            reasons.append(f"none of their choices could take them; placed in {house}")
        if i not in index.fixed_group:
            for better in wanted[: rank if rank is not None else 3]:
                label = ordinal(index.preference_ranks[i][better] + 1)
                reasons.append(f"{label} choice: {why_not(i, better)}")
        for k, goal in enumerate(problem.balance):
            if index.bits[i][k]:
                label = goal.label or f"{goal.attribute}={goal.value}"
                counted = share.get((label, index.communities[c].id))
                if counted:
                    reasons.append(
                        f"balances {label} in {house}: {counted.share:.0%} vs cohort "
                        f"{counted.cohort_share:.0%}"
                    )
        for kind, j in partners[i]:
            if kind == "together":
                reasons.append(f"kept together with {index.learners[j].name}")
            elif j in community_of:
                other = index.communities[community_of[j]].name
                reasons.append(f"kept apart from {index.learners[j].name} ({other})")
        avoided = sorted(
            {
                mentor.get(m, m)
                for h in index.groups_of[c]
                for m in learner.conflicts & set(index.groups[h].mentors)
            }
        )
        if avoided:
            reasons.append(f"not in the group of {', '.join(avoided)} (declared conflict)")
        placements.append(
            Placement(
                learner=learner.id,
                group=index.groups[g].id,
                community=index.communities[c].id,
                preference_rank=None if rank is None else rank + 1,
                reasons=tuple(reasons),
            )
        )
    return tuple(placements)
