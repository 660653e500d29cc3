"""Paired statistics for competency growth: did the same trainees rate themselves higher later?

Pure Python and SciPy (no Django), so the arithmetic can be checked against SciPy's own
reference values and read by someone who knows statistics but not the rest of Hearth.

For one domain, each trainee with both ratings gives a pair (before, after); the change is
after - before. Reported:

- n, the number of pairs; the mean before and after over those pairs; the mean change and
  the sample standard deviation of the changes (n - 1 in the denominator).
- The effect size as Cohen's d_z: mean change / SD of the changes. It is the standardised
  mean of the paired differences, so it answers "how large is the change relative to how much
  trainees differ in their change", not the d of two independent groups (which divides by the
  SD of the scores and is usually smaller). None when n < 2 or every change is the same (SD 0),
  where it is undefined.
- The Wilcoxon signed-rank test of the changes, `scipy.stats.wilcoxon` with its defaults
  (zeros dropped, two-sided, exact for small samples), only from 6 pairs: with 5 pairs or fewer
  the smallest possible two-sided p-value is 2 / 2**5 = 0.0625, so the test can never show a
  difference at 0.05 and a p-value would only mislead. None too when every change is zero,
  where nothing is left to rank.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import wilcoxon

MINIMUM_PAIRS_FOR_TEST = 6
# Scores are means of a few 1-5 answers; changes are rounded so that two equal changes reached
# by different sums (4/3 - 1 and 2 - 5/3) are equal ranks and an SD of 0 is exactly 0.
DECIMALS = 9


@dataclass(frozen=True)
class Pair:
    """One trainee's score on one domain at two moments."""

    before: float
    after: float

    @property
    def change(self) -> float:
        return round(self.after - self.before, DECIMALS)


@dataclass(frozen=True)
class SignedRankTest:
    statistic: float
    p_value: float


@dataclass(frozen=True)
class PairedChange:
    n: int
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None
    sd_change: float | None
    effect_size: float | None  # Cohen's d_z
    test: SignedRankTest | None


def cohens_dz(changes: Sequence[float]) -> float | None:
    """Mean change over the sample SD of the changes; None when n < 2 or the SD is 0."""
    if len(changes) < 2:
        return None
    sd = statistics.stdev(changes)
    if sd == 0:
        return None
    return statistics.fmean(changes) / sd


def signed_rank_test(changes: Sequence[float]) -> SignedRankTest | None:
    """`scipy.stats.wilcoxon` with its defaults, from MINIMUM_PAIRS_FOR_TEST pairs up."""
    if len(changes) < MINIMUM_PAIRS_FOR_TEST or all(change == 0 for change in changes):
        return None
    with warnings.catch_warnings():
        # With many zeros SciPy warns that the sample is small; the result stands as computed.
        warnings.simplefilter("ignore", category=UserWarning)
        result = wilcoxon(list(changes))
    statistic, p_value = float(result.statistic), float(result.pvalue)
    if math.isnan(statistic) or math.isnan(p_value):
        return None
    return SignedRankTest(statistic=statistic, p_value=p_value)


def paired_change(pairs: Sequence[Pair]) -> PairedChange:
    """Every figure of one domain's before/after comparison (see the module docstring)."""
    n = len(pairs)
    if n == 0:
        return PairedChange(0, None, None, None, None, None, None)
    changes = [pair.change for pair in pairs]
    return PairedChange(
        n=n,
        mean_before=statistics.fmean(pair.before for pair in pairs),
        mean_after=statistics.fmean(pair.after for pair in pairs),
        mean_change=statistics.fmean(changes),
        sd_change=statistics.stdev(changes) if n >= 2 else None,
        effect_size=cohens_dz(changes),
        test=signed_rank_test(changes),
    )
