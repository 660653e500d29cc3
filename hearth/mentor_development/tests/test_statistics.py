"""Paired statistics against values worked out here by hand and SciPy's documented example."""

from __future__ import annotations

import itertools
import math
import statistics

import pytest

from hearth.mentor_development.statistics import (
    MINIMUM_PAIRS_FOR_TEST,
    Pair,
    cohens_dz,
    paired_change,
    signed_rank_test,
)

# The example in the documentation of scipy.stats.wilcoxon: the differences in height of
# cross- and self-fertilised corn plants (Fisher, after Darwin). Documented: statistic 24.0,
# two-sided exact p-value 0.04125976562499999.
DARWIN = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]


def pairs_from_changes(changes: list[float], start: float = 3.0) -> list[Pair]:
    return [Pair(before=start, after=start + change) for change in changes]


def exact_signed_rank(changes: list[float]) -> tuple[float, float]:
    """The signed-rank test worked out from its definition, independently of SciPy.

    Zeros are dropped (Wilcoxon's convention); tied absolute values share the mean of their
    ranks; T is the smaller of the positive and negative rank sums; the exact two-sided p is
    the share of all 2**n sign assignments whose smaller sum is at most T.
    """
    kept = [c for c in changes if c != 0]
    ordered = sorted(abs(c) for c in kept)
    rank_of = {
        value: statistics.fmean(i + 1 for i, v in enumerate(ordered) if v == value)
        for value in ordered
    }
    ranks = [rank_of[abs(c)] for c in kept]
    positive = sum(r for r, c in zip(ranks, kept, strict=True) if c > 0)
    total = sum(ranks)
    smaller = min(positive, total - positive)
    extreme = 0
    for signs in itertools.product([False, True], repeat=len(ranks)):
        plus = sum(r for r, s in zip(ranks, signs, strict=True) if s)
        if min(plus, total - plus) <= smaller + 1e-9:
            extreme += 1
    return smaller, extreme / 2 ** len(ranks)


def test_scipy_documented_example_gives_statistic_24_and_p_0_041() -> None:
    result = signed_rank_test(DARWIN)
    assert result is not None
    assert result.statistic == 24.0
    assert result.p_value == pytest.approx(0.041259765625, abs=1e-12)
    # The same numbers from the definition: 1352 of the 32768 sign patterns are as extreme.
    assert exact_signed_rank(DARWIN) == (24.0, pytest.approx(1352 / 32768))


def test_all_figures_of_a_small_cohort_worked_out_by_hand() -> None:
    pairs = [
        Pair(2.0, 3.0),
        Pair(3.0, 3.5),
        Pair(2.5, 4.0),
        Pair(4.0, 3.5),
        Pair(3.0, 4.0),
        Pair(3.5, 4.5),
        Pair(2.0, 3.5),
    ]
    result = paired_change(pairs)
    changes = [1.0, 0.5, 1.5, -0.5, 1.0, 1.0, 1.5]
    assert result.n == 7
    assert result.mean_before == pytest.approx(20 / 7)
    assert result.mean_after == pytest.approx(26 / 7)
    assert result.mean_change == pytest.approx(6 / 7)
    # Sum of squared deviations from 6/7: 2.857142... over n - 1 = 6.
    sd = math.sqrt(sum((c - 6 / 7) ** 2 for c in changes) / 6)
    assert result.sd_change == pytest.approx(sd)
    assert result.sd_change == pytest.approx(0.6900655593423543)
    assert result.effect_size == pytest.approx((6 / 7) / sd)
    # Ranks of |change|: 0.5 and -0.5 tie at 1.5; the three 1.0 at 4; the two 1.5 at 6.5.
    # Negative ranks: 1.5, so T = 1.5 of a total 28. A sign pattern is as extreme when one side
    # sums to 1.5 or less: nothing, or either rank 1.5 alone; 3 patterns each side, 6 of 128.
    assert result.test is not None
    assert result.test.statistic == 1.5
    assert result.test.p_value == pytest.approx(6 / 128)
    assert exact_signed_rank(changes) == (1.5, pytest.approx(6 / 128))


@pytest.mark.parametrize(
    "changes",
    [
        [1, -1, 2, 2, 3, -3, 4],  # ties across signs
        [0.5, -0.25, 1, 1, 0.75, 0, 1.5, -0.5],  # a zero, dropped
        [1, 2, 3, -4, 5, 6, 7],
        [1, 1, 1, 1, 1, 1],  # every change tied
        [0, 0, 1, 2, 3, 4, 5, 6],  # two zeros
    ],
)
def test_signed_rank_test_matches_the_definition_with_ties_and_zeros(changes) -> None:
    result = signed_rank_test(changes)
    assert result is not None
    statistic, p_value = exact_signed_rank(changes)
    assert result.statistic == pytest.approx(statistic)
    assert result.p_value == pytest.approx(p_value)


def test_no_test_below_six_pairs_since_five_can_never_reach_0_05() -> None:
    assert MINIMUM_PAIRS_FOR_TEST == 6
    five_all_up = [1.0, 2.0, 3.0, 4.0, 5.0]
    # The most extreme five pairs can be: every one up. p = 2 / 32 = 0.0625 > 0.05.
    assert exact_signed_rank(five_all_up)[1] == 0.0625
    assert signed_rank_test(five_all_up) is None
    result = paired_change(pairs_from_changes(five_all_up))
    assert result.test is None
    assert result.effect_size is not None and result.mean_change == 3.0
    six = signed_rank_test([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert six is not None and six.p_value == pytest.approx(2 / 64)


def test_no_effect_size_or_test_when_everyone_changes_alike_or_not_at_all() -> None:
    same = paired_change(pairs_from_changes([0.5] * 8))
    assert same.mean_change == 0.5 and same.sd_change == 0
    assert same.effect_size is None
    assert same.test is not None  # all up: the test still says something
    nothing = paired_change(pairs_from_changes([0.0] * 8))
    assert nothing.mean_change == 0 and nothing.effect_size is None
    assert nothing.test is None  # every change is zero: nothing to rank


def test_floating_point_noise_neither_breaks_ties_nor_invents_spread() -> None:
    # 4/3 - 1 and 2 - 5/3 are both 1/3 but differ in the last bits as floats.
    pairs = [Pair(1.0, 4 / 3), Pair(5 / 3, 2.0)] * 3
    result = paired_change(pairs)
    assert result.sd_change == 0 and result.effect_size is None


def test_one_pair_and_none() -> None:
    one = paired_change([Pair(3.0, 4.0)])
    assert (one.n, one.mean_change, one.sd_change, one.effect_size, one.test) == (
        1,
        1.0,
        None,
        None,
        None,
    )
    empty = paired_change([])
    assert empty.n == 0 and empty.mean_before is None and empty.test is None
    assert cohens_dz([2.0]) is None
    assert cohens_dz([1.0, 3.0]) == pytest.approx(2.0 / math.sqrt(2.0))
