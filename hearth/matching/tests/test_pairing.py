"""Pairing: fit scores, maximum-fit and stable matchings, checked against brute force."""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearth.matching.pairing import (
    PairingProblem,
    PairingResult,
    Person,
    Rules,
    blocking_pairs,
    fit_scores,
    match,
    ordinal,
    pairing_problem,
    preference_order,
)

# --- independent reference implementations ------------------------------------------------------


def ranked(problem: PairingProblem, owner: str, side: str) -> list[str]:
    """The owner's acceptable partners: explicit choices first, then score desc, then id."""
    if side == "mentee":
        score = {r: s for (m, r), s in problem.scores.items() if m == owner}
        explicit = problem.mentee_preferences.get(owner, ())
    else:
        score = {m: s for (m, r), s in problem.scores.items() if r == owner}
        explicit = problem.mentor_preferences.get(owner, ())
    head: list[str] = []
    for other in explicit:
        if other in score and other not in head:
            head.append(other)
    rest = sorted((x for x in score if x not in head), key=lambda x: (-score[x], x))
    return head + rest


def brute_blocking(problem: PairingProblem, pairs: Mapping[str, str]) -> set[tuple[str, str]]:
    """Blocking pairs by definition; fixed mentees cannot move and their seats cannot be freed."""
    matching = {**pairs, **problem.fixed}
    found = set()
    for m, r in problem.scores:
        if m in problem.fixed or matching.get(m) == r:
            continue
        mine = ranked(problem, m, "mentee")
        current = matching.get(m)
        mentee_wants = current is None or current not in mine or mine.index(r) < mine.index(current)
        theirs = ranked(problem, r, "mentor")
        held = [x for x, y in matching.items() if y == r]
        movable = [x for x in held if x not in problem.fixed]
        free_seat = len(held) < problem.capacities[r]
        worst = max((theirs.index(x) if x in theirs else len(theirs) for x in movable), default=-1)
        if mentee_wants and (free_seat or theirs.index(m) < worst):
            found.add((m, r))
    return found


def all_matchings(problem: PairingProblem) -> Iterator[dict[str, str]]:
    """Every matching that keeps the fixed pairs and respects capacities."""
    movable = [m for m in problem.mentees if m not in problem.fixed]
    options = [[None, *(r for (x, r) in problem.scores if x == m)] for m in movable]
    for choice in itertools.product(*options):
        matching = dict(problem.fixed)
        matching.update({m: r for m, r in zip(movable, choice, strict=True) if r is not None})
        load = Counter(matching.values())
        if all(load[r] <= cap for r, cap in problem.capacities.items()):
            yield matching


def total_fit(problem: PairingProblem, pairs: Mapping[str, str]) -> int:
    return sum(problem.scores.get((m, r), 0) for m, r in pairs.items())


@st.composite
def problems(draw: st.DrawFn) -> PairingProblem:
    """Tiny instances with many ties, explicit choices (some unacceptable) and fixed pairs."""
    mentees = tuple(draw(st.permutations([f"e{i}" for i in range(draw(st.integers(0, 5)))])))
    mentors = [f"r{j}" for j in range(draw(st.integers(1, 3)))]
    capacities = {r: draw(st.integers(0, 2)) for r in mentors}
    scores = {
        (m, r): draw(st.integers(0, 3)) for m in mentees for r in mentors if draw(st.booleans())
    }
    choices = st.lists(st.sampled_from(mentors), max_size=3)
    mentee_preferences = {m: tuple(draw(choices)) for m in mentees if draw(st.booleans())}
    mentor_preferences = {}
    if mentees:
        choices = st.lists(st.sampled_from(mentees), max_size=4)
        mentor_preferences = {r: tuple(draw(choices)) for r in mentors if draw(st.booleans())}
    fixed: dict[str, str] = {}
    for m in mentees:
        r = draw(st.sampled_from(mentors))
        if draw(st.integers(0, 3)) == 0 and Counter(fixed.values())[r] < capacities[r]:
            fixed[m] = r
    return PairingProblem(
        mentees=mentees,
        capacities=capacities,
        scores=scores,
        mentee_preferences=mentee_preferences,
        mentor_preferences=mentor_preferences,
        fixed=fixed,
    )


def assert_valid(problem: PairingProblem, result: PairingResult) -> None:
    assert set(result.pairs) <= set(problem.mentees)
    for m, r in problem.fixed.items():
        assert result.pairs[m] == r
    for m, r in result.pairs.items():
        assert m in problem.fixed or (m, r) in problem.scores
    load = Counter(result.pairs.values())
    assert all(load[r] <= problem.capacities[r] for r in load)
    assert result.unmatched == tuple(m for m in problem.mentees if m not in result.pairs)
    assert result.objective == total_fit(problem, result.pairs)
    assert result.bound >= result.objective
    assert result.blocking_pairs == len(brute_blocking(problem, result.pairs))
    assert result.status == "optimal"


# --- properties on random small instances -------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(problems(), st.sampled_from(["fit", "stable"]))
def test_every_result_is_a_matching_that_keeps_fixed_pairs(
    problem: PairingProblem, policy: str
) -> None:
    result = match(problem, policy)
    assert result.policy == policy
    assert_valid(problem, result)


@settings(max_examples=200, deadline=None)
@given(problems())
def test_fit_reaches_the_brute_force_optimum_and_matches_most_among_ties(
    problem: PairingProblem,
) -> None:
    candidates = [(total_fit(problem, x), len(x)) for x in all_matchings(problem)]
    best = max(candidates)
    result = match(problem, "fit")
    assert (result.objective, len(result.pairs)) == best
    assert result.bound == best[0]


@settings(max_examples=200, deadline=None)
@given(problems())
def test_stable_has_no_blocking_pair_and_is_best_for_every_mentee(
    problem: PairingProblem,
) -> None:
    result = match(problem, "stable")
    assert brute_blocking(problem, result.pairs) == set()
    assert result.blocking_pairs == 0
    assert result.bound == max(total_fit(problem, x) for x in all_matchings(problem))
    # Mentee-proposing deferred acceptance gives each mentee its best partner in any stable
    # matching, and (rural hospitals) every stable matching places the same mentees.
    stable = [x for x in all_matchings(problem) if not brute_blocking(problem, x)]
    for other in stable:
        assert set(other) == set(result.pairs)
        for m, r in other.items():
            if m not in problem.fixed:
                mine = ranked(problem, m, "mentee")
                assert mine.index(result.pairs[m]) <= mine.index(r)


@settings(max_examples=200, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_blocking_pairs_agrees_with_the_definition(
    problem: PairingProblem, rng: random.Random
) -> None:
    matchings = list(all_matchings(problem))
    pairs = rng.choice(matchings)
    found = blocking_pairs(problem, pairs)
    assert set(found) == brute_blocking(problem, pairs)
    assert len(found) == len(set(found))


@settings(max_examples=200, deadline=None)
@given(problems())
def test_preference_order_puts_explicit_choices_first_then_score_then_id(
    problem: PairingProblem,
) -> None:
    mentee_lists = preference_order(problem, "mentee")
    mentor_lists = preference_order(problem, "mentor")
    assert mentee_lists == {m: tuple(ranked(problem, m, "mentee")) for m in problem.mentees}
    assert mentor_lists == {r: tuple(ranked(problem, r, "mentor")) for r in problem.capacities}


# --- textbook examples --------------------------------------------------------------------------


def problem_from_lists(
    mentee_lists: Mapping[str, tuple[str, ...]],
    mentor_lists: Mapping[str, tuple[str, ...]],
    capacities: Mapping[str, int],
) -> PairingProblem:
    """Pure preference instance: a pair is acceptable when both list each other; fit 0."""
    scores = {
        (m, r): 0 for m, rs in mentee_lists.items() for r in rs if m in mentor_lists.get(r, ())
    }
    return PairingProblem(
        mentees=tuple(mentee_lists),
        capacities=capacities,
        scores=scores,
        mentee_preferences=mentee_lists,
        mentor_preferences=mentor_lists,
    )


def test_gale_shapley_cycle_gives_proposers_their_first_choices() -> None:
    # The 3x3 Latin-square instance has three stable matchings; proposers get their best one.
    problem = problem_from_lists(
        {"a": ("x", "y", "z"), "b": ("y", "z", "x"), "c": ("z", "x", "y")},
        {"x": ("b", "c", "a"), "y": ("c", "a", "b"), "z": ("a", "b", "c")},
        {"x": 1, "y": 1, "z": 1},
    )
    result = match(problem, "stable")
    assert result.pairs == {"a": "x", "b": "y", "c": "z"}
    assert result.blocking_pairs == 0
    # The receivers' best and the "everyone's second choice" matchings are stable too.
    assert blocking_pairs(problem, {"a": "z", "b": "x", "c": "y"}) == []
    assert blocking_pairs(problem, {"a": "y", "b": "z", "c": "x"}) == []


def test_hospitals_residents_with_capacities_and_an_unmatched_resident() -> None:
    # Deferred acceptance by hand: r1, r2, r3 propose to H1 and r4 to H2; H1 (2 seats) keeps
    # r3, r2 and rejects r1; r1 displaces r4 at H2; r4 displaces r2 at H1; H2 keeps r1 over r2.
    problem = problem_from_lists(
        {
            "r1": ("H1", "H2"),
            "r2": ("H1", "H2"),
            "r3": ("H1", "H2"),
            "r4": ("H2", "H1"),
        },
        {"H1": ("r4", "r3", "r2", "r1"), "H2": ("r1", "r2", "r4", "r3")},
        {"H1": 2, "H2": 1},
    )
    result = match(problem, "stable")
    assert result.pairs == {"r1": "H2", "r3": "H1", "r4": "H1"}
    assert result.unmatched == ("r2",)
    assert result.blocking_pairs == 0


def test_fit_leaves_a_blocking_pair_that_stable_removes() -> None:
    problem = PairingProblem(
        mentees=("ann", "bob"),
        capacities={"xia": 1, "yu": 1},
        scores={("ann", "xia"): 10, ("ann", "yu"): 9, ("bob", "xia"): 9, ("bob", "yu"): 0},
    )
    fit = match(problem, "fit")
    assert fit.pairs == {"ann": "yu", "bob": "xia"}
    assert (fit.objective, fit.bound) == (18, 18)
    # Ann and Xia both rank each other first (score 10) yet are kept apart.
    assert blocking_pairs(problem, fit.pairs) == [("ann", "xia")]
    assert fit.blocking_pairs == 1

    stable = match(problem, "stable")
    assert stable.pairs == {"ann": "xia", "bob": "yu"}
    assert (stable.objective, stable.bound, stable.blocking_pairs) == (10, 18, 0)


def test_fit_places_more_mentees_when_total_fit_ties() -> None:
    # {ann: xia} and {ann: yu, bob: xia} both total 2; the second leaves nobody out.
    problem = PairingProblem(
        mentees=("ann", "bob"),
        capacities={"xia": 1, "yu": 1},
        scores={("ann", "xia"): 2, ("ann", "yu"): 1, ("bob", "xia"): 1},
    )
    result = match(problem, "fit")
    assert result.pairs == {"ann": "yu", "bob": "xia"}
    assert result.unmatched == ()


def test_explicit_choices_outrank_scores() -> None:
    problem = PairingProblem(
        mentees=("ann",),
        capacities={"xia": 1, "yu": 1},
        scores={("ann", "xia"): 90, ("ann", "yu"): 10},
        mentee_preferences={"ann": ("yu",)},
    )
    assert match(problem, "stable").pairs == {"ann": "yu"}
    assert match(problem, "fit").pairs == {"ann": "xia"}


def test_fixed_pair_stays_and_uses_a_seat() -> None:
    problem = PairingProblem(
        mentees=("ann", "bob"),
        capacities={"xia": 1, "yu": 1},
        scores={("ann", "xia"): 100, ("bob", "xia"): 100, ("bob", "yu"): 5},
        fixed={"ann": "yu"},  # not even scored: a re-match keeps it as given
    )
    for policy in ("fit", "stable"):
        result = match(problem, policy)
        assert result.pairs == {"ann": "yu", "bob": "xia"}
        assert result.objective == 100
    # Ann would rather have Xia, but a fixed pair cannot be broken, so it does not block.
    assert blocking_pairs(problem, {"ann": "yu", "bob": "xia"}) == []


def test_fixed_pairs_beyond_capacity_are_refused() -> None:
    problem = PairingProblem(
        mentees=("ann", "bob"),
        capacities={"xia": 1},
        scores={},
        fixed={"ann": "xia", "bob": "xia"},
    )
    with pytest.raises(ValueError, match="capacity of mentor 'xia'"):
        match(problem, "fit")


def test_scores_naming_strangers_are_refused() -> None:
    problem = PairingProblem(mentees=("ann",), capacities={"xia": 1}, scores={("zed", "xia"): 1})
    with pytest.raises(ValueError, match="zed"):
        match(problem, "stable")


def test_unknown_policy_is_refused() -> None:
    problem = PairingProblem(mentees=(), capacities={}, scores={})
    with pytest.raises(ValueError, match="policy"):
        match(problem, "greedy")


def test_empty_round_matches_nobody() -> None:
    problem = PairingProblem(mentees=("ann",), capacities={"xia": 0}, scores={("ann", "xia"): 5})
    for policy in ("fit", "stable"):
        result = match(problem, policy)
        assert result.pairs == {}
        assert result.unmatched == ("ann",)
        assert (result.objective, result.bound, result.blocking_pairs) == (0, 0, 0)


# --- fit scores ---------------------------------------------------------------------------------


def test_outside_division_excludes_mentors_of_the_same_division() -> None:
    mentee = Person("m1", "Mia", division="Cardiology")
    same = Person("r1", "Raj", capacity=2, division="Cardiology")
    other = Person("r2", "Rosa", capacity=2, division="Nephrology")
    unknown = Person("r3", "Ravi", capacity=2)
    fits = fit_scores([mentee], [same, other, unknown], Rules(outside_division=True))
    assert set(fits) == {("m1", "r2"), ("m1", "r3")}
    assert set(fit_scores([mentee], [same, other, unknown], Rules())) == {
        ("m1", "r1"),
        ("m1", "r2"),
        ("m1", "r3"),
    }


def test_senior_mentor_requires_a_higher_rank() -> None:
    mentee = Person("m1", "Mia", rank=2)
    peer = Person("r1", "Raj", rank=2)
    junior = Person("r2", "Rosa", rank=1)
    senior = Person("r3", "Ravi", rank=4)
    fits = fit_scores([mentee], [peer, junior, senior], Rules(senior_mentor=True))
    assert set(fits) == {("m1", "r3")}


def test_reasons_read_as_sentences() -> None:
    mentee = Person(
        "m1",
        "Mia",
        tags=frozenset({"ethics", "wellness", "surgery"}),
        statement="I want help writing grants and balancing clinical work with research.",
        preferences=("r1",),
    )
    mentor = Person(
        "r1",
        "Raj",
        tags=frozenset({"ethics", "wellness"}),
        statement="Happy to help with grants, research careers and clinical balance.",
        preferences=("m1",),
    )
    fit = fit_scores([mentee], [mentor], Rules())[("m1", "r1")]
    assert "shares 2 interests: ethics, wellness" in fit.reasons
    assert "ranked this mentor 1st" in fit.reasons
    assert "this mentor ranked them 1st" in fit.reasons
    similar = [r for r in fit.reasons if r.startswith("statements are similar")]
    assert len(similar) == 1
    assert re.fullmatch(r"statements are similar \((0\.\d\d|1\.00)\)", similar[0])


def test_reasons_lead_with_the_biggest_contribution() -> None:
    mentee = Person("m1", "Mia", tags=frozenset({"ethics"}), preferences=("r2", "r1"))
    mentor = Person("r1", "Raj", tags=frozenset({"ethics"}))
    other = Person("r2", "Rosa")
    fit = fit_scores([mentee], [mentor, other], Rules())[("m1", "r1")]
    assert fit.reasons == ("shares 1 interest: ethics", "ranked this mentor 2nd")


def test_weights_of_components_without_data_move_to_the_others() -> None:
    # Tags only: no statements and no preferences anywhere, so identical tags score 100.
    mentee = Person("m1", "Mia", tags=frozenset({"ethics", "wellness"}))
    twin = Person("r1", "Raj", tags=frozenset({"ethics", "wellness"}))
    half = Person("r2", "Rosa", tags=frozenset({"ethics"}))
    stranger = Person("r3", "Ravi", tags=frozenset({"surgery"}))
    fits = fit_scores([mentee], [twin, half, stranger], Rules())
    assert fits[("m1", "r1")].score == 100
    assert fits[("m1", "r2")].score == 50
    assert fits[("m1", "r3")].score == 0
    assert fits[("m1", "r3")].reasons == ()


def test_preferences_raise_the_score() -> None:
    tags = frozenset({"ethics", "teaching"})
    mentors = [
        Person("r1", "Raj", tags=frozenset({"ethics"})),
        Person("r2", "Rosa", tags=frozenset({"ethics"})),
    ]
    plain = Person("m1", "Mia", tags=tags)
    chooser = Person("m2", "Max", tags=tags, preferences=("r2",))
    fits = fit_scores([plain, chooser], mentors, Rules())
    assert fits[("m2", "r2")].score > fits[("m2", "r1")].score
    assert fits[("m2", "r2")].score > fits[("m1", "r2")].score
    assert "ranked this mentor 1st" in fits[("m2", "r2")].reasons


def test_candidates_keep_the_best_mentors_per_mentee() -> None:
    mentee = Person("m1", "Mia", tags=frozenset({"a", "b", "c"}))
    mentors = [
        Person("r1", "One", tags=frozenset({"a"})),
        Person("r2", "Two", tags=frozenset({"a", "b", "c"})),
        Person("r3", "Three", tags=frozenset({"a", "b"})),
        Person("r4", "Four"),
    ]
    fits = fit_scores([mentee], mentors, Rules(candidates=2))
    assert set(fits) == {("m1", "r2"), ("m1", "r3")}


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
        "101st",
        "111th",
    ]


TAGS = ["ethics", "wellness", "research", "teaching", "surgery"]
WORDS = ["grant", "writing", "career", "balance", "clinic", "leadership", "family", "the"]


@st.composite
def people(draw: st.DrawFn, prefix: str) -> list[Person]:
    return [
        Person(
            id=f"{prefix}{i}",
            name=f"{prefix.upper()}{i}",
            capacity=draw(st.integers(0, 3)),
            division=draw(st.sampled_from(["", "A", "B"])),
            rank=draw(st.integers(0, 5)),
            tags=frozenset(draw(st.lists(st.sampled_from(TAGS), max_size=3))),
            statement=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=6))),
        )
        for i in range(draw(st.integers(0, 5)))
    ]


@settings(max_examples=200, deadline=None)
@given(people("m"), people("r"), st.booleans(), st.booleans(), st.integers(0, 4))
def test_fit_scores_respect_rules_range_and_candidates(
    mentees: list[Person],
    mentors: list[Person],
    outside_division: bool,
    senior_mentor: bool,
    candidates: int,
) -> None:
    # Some people on each side rank a few people on the other.
    mentees = [
        replace(p, preferences=tuple(r.id for r in mentors[i % 3 :: 2]))
        for i, p in enumerate(mentees)
    ]
    mentors = [
        replace(p, preferences=tuple(m.id for m in mentees[j % 2 :: 3]))
        for j, p in enumerate(mentors)
    ]
    rules = Rules(
        outside_division=outside_division, senior_mentor=senior_mentor, candidates=candidates
    )
    fits = fit_scores(mentees, mentors, rules)
    assert fits == fit_scores(mentees, mentors, rules)
    by_id = {p.id: p for p in (*mentees, *mentors)}
    for (m, r), fit in fits.items():
        assert 0 <= fit.score <= 100
        mentee, mentor = by_id[m], by_id[r]
        if outside_division and mentee.division and mentor.division:
            assert mentee.division != mentor.division
        if senior_mentor:
            assert mentor.rank > mentee.rank
        assert all(isinstance(reason, str) and reason for reason in fit.reasons)
    unrestricted = fit_scores(mentees, mentors, replace(rules, candidates=0))
    for mentee in mentees:
        allowed = {
            mentor.id
            for mentor in mentors
            if not (outside_division and mentee.division and mentee.division == mentor.division)
            and not (senior_mentor and mentor.rank <= mentee.rank)
        }
        assert {r for (m, r) in unrestricted if m == mentee.id} == allowed
        kept = {r for (m, r) in fits if m == mentee.id}
        assert kept <= allowed
        assert len(kept) == min(candidates or len(mentors), len(allowed))
        # Whatever the cut leaves out scores no higher than what it keeps.
        for left_out in allowed - kept:
            assert all(
                unrestricted[(mentee.id, left_out)].score <= fits[(mentee.id, r)].score
                for r in kept
            )


def test_round_from_people_to_pairs() -> None:
    mentees = [
        Person("m1", "Mia", tags=frozenset({"ethics"}), preferences=("r2",)),
        Person("m2", "Max", tags=frozenset({"surgery"})),
        Person("m3", "Meg", tags=frozenset({"ethics", "surgery"})),
    ]
    mentors = [
        Person("r1", "Raj", capacity=2, tags=frozenset({"surgery"})),
        Person("r2", "Rosa", capacity=1, tags=frozenset({"ethics"}), preferences=("m3",)),
    ]
    problem = pairing_problem(mentees, mentors, fit_scores(mentees, mentors, Rules()))
    assert problem.capacities == {"r1": 2, "r2": 1}
    assert problem.mentee_preferences == {"m1": ("r2",)}
    stable = match(problem, "stable")
    fit = match(problem, "fit")
    assert stable.blocking_pairs == 0
    assert fit.objective == fit.bound >= stable.objective
    assert set(stable.pairs) == set(fit.pairs) == {"m1", "m2", "m3"}
