"""Teaching credit for longitudinal mentoring: a program's rule applied to meeting time.

Pure: dataclasses in, dataclasses out, no Django. Academic years run from 1 July to 30 June
(the US medical-school year) and are named by the calendar year they start in: 2024 is
July 2024 to June 2025, shown as "2024–25".

The rule: in each academic year, every relationship whose meetings that year add up to at
least `min_hours_per_year` earns `credits_per_relationship`; the year's total is capped at
`max_credits_per_year` when the program sets one. A relationship is counted in a year only
when it had meeting time in that year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ACADEMIC_YEAR_STARTS_IN_MONTH = 7


@dataclass(frozen=True)
class CreditRule:
    credits_per_relationship: Decimal
    min_hours_per_year: Decimal
    max_credits_per_year: Decimal | None = None


@dataclass(frozen=True)
class Session:
    """Time one relationship spent meeting on one day (a one-on-one or a group session)."""

    relationship: int
    day: dt.date
    minutes: int


@dataclass(frozen=True)
class YearCredits:
    year: int
    relationships: int
    qualifying: int
    minutes: int
    credits: Decimal
    capped: bool

    @property
    def label(self) -> str:
        return academic_year_label(self.year)

    @property
    def hours(self) -> Decimal:
        return Decimal(self.minutes) / 60


def academic_year(day: dt.date) -> int:
    return day.year if day.month >= ACADEMIC_YEAR_STARTS_IN_MONTH else day.year - 1


def academic_year_label(year: int) -> str:
    return f"{year}–{(year + 1) % 100:02d}"


def credits_by_year(rule: CreditRule, sessions: Iterable[Session]) -> list[YearCredits]:
    """Credits earned in each academic year that had any meeting time, oldest first."""
    minutes: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for session in sessions:
        if session.minutes > 0:
            minutes[academic_year(session.day)][session.relationship] += session.minutes
    # Compare whole minutes so that 1.5 hours is exactly 90 minutes, never 89.99.
    threshold = rule.min_hours_per_year * 60
    years = []
    for year in sorted(minutes):
        per_relationship = minutes[year].values()
        qualifying = sum(1 for m in per_relationship if m >= threshold)
        credits = rule.credits_per_relationship * qualifying
        cap = rule.max_credits_per_year
        capped = cap is not None and credits > cap
        if cap is not None and capped:
            credits = cap
        years.append(
            YearCredits(
                year=year,
                relationships=len(per_relationship),
                qualifying=qualifying,
                minutes=sum(per_relationship),
                credits=credits,
                capped=capped,
            )
        )
    return years


def total_credits(years: Iterable[YearCredits]) -> Decimal:
    return sum((y.credits for y in years), Decimal(0))
