"""The placement engine: hard constraints always hold, small cases match brute force."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.matching.engine import (
    Balance,
    Community,
    Group,
    Infeasible,
    Learner,
    Problem,
    evaluate,
    explain_assignment,
    rematch,
    solve,
)

HOUSES = (Community("osler", "House Osler"), Community("peabody", "House Peabody"))


def house_groups(capacity: int = 2) -> tuple[Group, ...]:
    return (
        Group("o1", "Osler 1", "osler", capacity, ("dr-adams",)),
        Group("o2", "Osler 2", "osler", capacity, ("dr-baker",)),
        Group("p1", "Peabody 1", "peabody", capacity, ("dr-chen",)),
        Group("p2", "Peabody 2", "peabody", capacity, ("dr-diaz",)),
    )


MENTORS = {
    "dr-adams": "Dr Adams",
    "dr-baker": "Dr Baker",
    "dr-chen": "Dr Chen",
    "dr-diaz": "Dr Diaz",
}


def learner(name: str, *prefs: str, gender: str = "f", conflicts: tuple[str, ...] = ()) -> Learner:
    return Learner(name.lower(), name, {"gender": gender}, tuple(prefs), frozenset(conflicts))


def brute_force(problem: Problem) -> float | None:
    """Best objective over every assignment that breaks no hard constraint."""
    best = None
    ids = [group.id for group in problem.groups]
    for choice in itertools.product(ids, repeat=len(problem.learners)):
        assignment = {lr.id: g for lr, g in zip(problem.learners, choice, strict=True)}
        evaluation = evaluate(problem, assignment)
        if not evaluation.violations and (best is None or evaluation.objective > best):
            best = evaluation.objective
    return best


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    capacity = draw(st.integers(1, 3))
    groups = house_groups(capacity)
    count = draw(st.integers(2, 6))
    house_ids = [h.id for h in HOUSES]
    learners = []
    for k in range(count):
        prefs = draw(st.permutations(house_ids).map(tuple))[: draw(st.integers(0, 2))]
        conflicts = draw(st.lists(st.sampled_from(sorted(MENTORS)), max_size=2, unique=True))
        gender = draw(st.sampled_from("fm"))
        learners.append(
            Learner(f"l{k}", f"Learner {k}", {"gender": gender}, prefs, frozenset(conflicts))
        )
    ids = [lr.id for lr in learners]
    pairs = st.lists(
        st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1]),
        max_size=2,
    )
    band = draw(st.sampled_from([None, 1]))
    group_ids = [group.id for group in groups]
    fixed = draw(st.dictionaries(st.sampled_from(ids), st.sampled_from(group_ids), max_size=2))
    return Problem(
        communities=HOUSES,
        groups=groups,
        learners=tuple(learners),
        mentor_names=MENTORS,
        balance=(
            Balance("gender", "f", "women", weight=draw(st.sampled_from([0.0, 1.0])), band=band),
        ),
        keep_apart=tuple(draw(pairs)),
        keep_together=tuple(draw(pairs)),
        even_size_weight=draw(st.sampled_from([0.0, 0.5])),
        fixed=fixed,
        time_limit=5,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_results_keep_every_hard_constraint_and_match_brute_force(problem: Problem) -> None:
    best = brute_force(problem)
    try:
        result = solve(problem)
    except Infeasible as infeasible:
        assert best is None, f"brute force found {best} but the engine said {infeasible.reasons}"
        assert infeasible.reasons
        return
    assignment = {p.learner: p.group for p in result.placements}
    assert evaluate(problem, assignment).violations == ()
    assert result.status == "optimal"
    assert result.objective == pytest.approx(best)
    assert result.bound == pytest.approx(best)


def test_first_choices_when_there_is_room() -> None:
    problem = Problem(
        HOUSES,
        house_groups(),
        (learner("Ana", "osler"), learner("Ben", "peabody"), learner("Cy", "osler", "peabody")),
        MENTORS,
    )
    result = solve(problem)
    assert {p.learner: p.preference_rank for p in result.placements} == {
        "ana": 1,
        "ben": 1,
        "cy": 1,
    }
    assert result.objective == 9
    assert "1st community preference (House Osler)" in result.placements[0].reasons


def test_conflict_excludes_a_community_and_says_so() -> None:
    ana = learner("Ana", "osler", "peabody", conflicts=("dr-adams", "dr-baker"))
    result = solve(Problem(HOUSES, house_groups(), (ana,), MENTORS))
    (placement,) = result.placements
    assert placement.community == "peabody"
    assert "1st choice: conflict with Dr Adams, Dr Baker excluded House Osler" in placement.reasons


def test_conflict_steers_to_the_other_group_of_the_same_community() -> None:
    ana = learner("Ana", "osler", conflicts=("dr-adams",))
    (placement,) = solve(Problem(HOUSES, house_groups(), (ana,), MENTORS)).placements
    assert placement.group == "o2"
    assert "not in the group of Dr Adams (declared conflict)" in placement.reasons


def test_balance_band_holds_and_is_explained() -> None:
    women = [learner(f"W{k}", "osler", gender="f") for k in range(4)]
    men = [learner(f"M{k}", "osler", gender="m") for k in range(4)]
    problem = Problem(
        HOUSES,
        house_groups(capacity=3),
        tuple(women + men),
        MENTORS,
        balance=(Balance("gender", "f", "women", weight=0, band=1),),
    )
    result = solve(problem)
    in_osler = [p for p in result.placements if p.community == "osler"]
    women_in_osler = sum(1 for p in in_osler if p.learner.startswith("w"))
    assert abs(women_in_osler - len(in_osler) / 2) <= 1
    assert any(
        r.startswith("balances women in House") for p in result.placements for r in p.reasons
    )
    assert {s.community for s in result.shares} == {"osler", "peabody"}


def test_keep_apart_and_together() -> None:
    people = (learner("Ana", "osler"), learner("Ben", "osler"), learner("Cy", "peabody"))
    result = solve(
        Problem(
            HOUSES,
            house_groups(),
            people,
            MENTORS,
            keep_apart=(("ana", "ben"),),
            keep_together=(("ben", "cy"),),
        )
    )
    house = {p.learner: p.community for p in result.placements}
    assert house["ana"] != house["ben"] and house["ben"] == house["cy"]
    ben = next(p for p in result.placements if p.learner == "ben")
    assert "kept together with Cy" in ben.reasons


def test_capacity_shortfall_is_named() -> None:
    people = tuple(learner(f"L{k}") for k in range(9))
    with pytest.raises(Infeasible) as raised:
        solve(Problem(HOUSES, house_groups(capacity=2), people, MENTORS))
    assert raised.value.reasons == ("capacity 8 < 9 learners",)


def test_keep_together_against_a_conflict_names_both() -> None:
    ana = learner("Ana", conflicts=("dr-adams", "dr-baker"))
    ben = learner("Ben", conflicts=("dr-chen", "dr-diaz"))
    with pytest.raises(Infeasible) as raised:
        solve(Problem(HOUSES, house_groups(), (ana, ben), MENTORS, keep_together=(("ana", "ben"),)))
    reasons = raised.value.reasons
    assert "keep-together pair Ana/Ben" in reasons
    assert any(r.startswith("Ana has a declared conflict") for r in reasons)
    assert any(r.startswith("Ben has a declared conflict") for r in reasons)
    assert_irreducible(
        Problem(HOUSES, house_groups(), (ana, ben), MENTORS, keep_together=(("ana", "ben"),)),
        reasons,
    )


def test_three_learners_kept_mutually_apart_in_two_houses() -> None:
    people = tuple(learner(name) for name in ("Ana", "Ben", "Cy"))
    apart = (("ana", "ben"), ("ben", "cy"), ("ana", "cy"))
    problem = Problem(HOUSES, house_groups(), people, MENTORS, keep_apart=apart)
    with pytest.raises(Infeasible) as raised:
        solve(problem)
    assert sorted(raised.value.reasons) == sorted(
        ["keep-apart pair Ana/Ben", "keep-apart pair Ben/Cy", "keep-apart pair Ana/Cy"]
    )
    assert_irreducible(problem, raised.value.reasons)


def assert_irreducible(problem: Problem, reasons: tuple[str, ...]) -> None:
    """Dropping any one named pair makes the rest feasible (checked on the pairs named)."""
    for reason in reasons:
        if not reason.startswith(("keep-apart pair", "keep-together pair")):
            continue
        names = reason.split("pair ", 1)[1].split("/")
        ids = tuple(n.lower() for n in names)
        smaller = Problem(
            problem.communities,
            problem.groups,
            problem.learners,
            problem.mentor_names,
            keep_apart=tuple(p for p in problem.keep_apart if p != ids),
            keep_together=tuple(p for p in problem.keep_together if p != ids),
        )
        assert brute_force(smaller) is not None, f"still infeasible without {reason}"


def test_rematch_moves_only_the_departing_mentors_learners() -> None:
    people = tuple(learner(f"L{k}", "osler") for k in range(6))
    problem = Problem(HOUSES, house_groups(capacity=3), people, MENTORS)
    first = solve(problem)
    current = {p.learner: p.group for p in first.placements}
    leaving = next(g for g in current.values())
    moved = rematch(problem, current, frozenset({leaving}))
    after = {p.learner: p.group for p in moved.result.placements}
    for who, group in current.items():
        if group != leaving:
            assert after[who] == group
    assert {m[0] for m in moved.moved} == {who for who, g in current.items() if g == leaving}
    assert all(to != leaving for _, _, to in moved.moved)
    kept = next(p for p in moved.result.placements if p.learner not in {m[0] for m in moved.moved})
    assert kept.reasons[0].startswith("kept in place")


def test_soft_terms_are_reported() -> None:
    people = (learner("Ana", "osler", gender="f"), learner("Ben", "osler", gender="m"))
    problem = Problem(
        HOUSES,
        house_groups(),
        people,
        MENTORS,
        balance=(Balance("gender", "f", "women", weight=1),),
        even_size_weight=0.5,
    )
    result = solve(problem)
    keys = {t.key for t in result.terms}
    assert keys == {"preferences", "balance:gender=f", "even_sizes"}
    assert result.objective == pytest.approx(sum(t.value for t in result.terms))


def test_conflicts_crowding_one_group_are_resolved_by_a_cut() -> None:
    # all three avoid Dr Baker, so House Osler can seat only two of them (in Dr Adams's group)
    people = tuple(learner(name, "osler", conflicts=("dr-baker",)) for name in ("Ana", "Ben", "Cy"))
    problem = Problem(HOUSES, house_groups(), people, MENTORS)
    result = solve(problem)
    assignment = {p.learner: p.group for p in result.placements}
    assert evaluate(problem, assignment).violations == ()
    assert sum(1 for p in result.placements if p.community == "osler") == 2
    assert result.objective == brute_force(problem) == 6


def test_explanations_follow_an_override() -> None:
    people = (learner("Ana", "osler", "peabody"), learner("Ben", "peabody"))
    problem = Problem(HOUSES, house_groups(), people, MENTORS)
    moved = {"ana": "p1", "ben": "p2"}
    ana = next(p for p in explain_assignment(problem, moved) if p.learner == "ana")
    assert ana.preference_rank == 2
    assert "2nd community preference (House Peabody)" in ana.reasons
