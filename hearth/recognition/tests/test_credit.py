"""The teaching-credit rule, worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hearth.recognition.credit import (
    CreditRule,
    Session,
    academic_year,
    academic_year_label,
    credits_by_year,
    total_credits,
)

D = Decimal


def test_academic_years_run_from_july_to_june():
    assert academic_year(dt.date(2024, 6, 30)) == 2023
    assert academic_year(dt.date(2024, 7, 1)) == 2024
    assert academic_year(dt.date(2025, 1, 15)) == 2024
    assert academic_year_label(2024) == "2024–25"
    assert academic_year_label(2099) == "2099–00"


def test_each_relationship_reaching_the_hours_in_a_year_earns_the_credits():
    rule = CreditRule(credits_per_relationship=D("1.5"), min_hours_per_year=D("6"))
    sessions = [
        # Relationship 1: 3 h in August and 3 h in March of 2024–25 make 6 h: it counts.
        Session(1, dt.date(2024, 8, 20), 180),
        Session(1, dt.date(2025, 3, 3), 180),
        # Relationship 2: one minute short.
        Session(2, dt.date(2024, 9, 1), 359),
        # Relationship 3: 4 h either side of 1 July falls in two years, 6 h in neither.
        Session(3, dt.date(2025, 6, 30), 240),
        Session(3, dt.date(2025, 7, 1), 240),
    ]
    first, second = credits_by_year(rule, sessions)
    assert (first.year, first.relationships, first.qualifying) == (2024, 3, 1)
    assert first.credits == D("1.5") and not first.capped
    assert first.minutes == 180 + 180 + 359 + 240
    assert (second.year, second.relationships, second.qualifying) == (2025, 1, 0)
    assert second.credits == 0
    assert total_credits([first, second]) == D("1.5")


def test_a_year_is_capped_at_the_programs_limit():
    rule = CreditRule(
        credits_per_relationship=D("1.5"), min_hours_per_year=D("1"), max_credits_per_year=D("4")
    )
    sessions = [Session(r, dt.date(2025, 10, 1), 60) for r in range(1, 5)]
    sessions.append(Session(9, dt.date(2026, 10, 1), 60))
    capped, next_year = credits_by_year(rule, sessions)
    # 4 relationships × 1.5 = 6, capped at 4; the next year (1 × 1.5) is under the cap.
    assert capped.qualifying == 4 and capped.credits == D("4") and capped.capped
    assert next_year.credits == D("1.5") and not next_year.capped
    assert total_credits([capped, next_year]) == D("5.5")


def test_fractional_hours_compare_exactly():
    rule = CreditRule(credits_per_relationship=D("1"), min_hours_per_year=D("1.5"))
    [year] = credits_by_year(rule, [Session(1, dt.date(2024, 7, 1), 45)] * 2)
    assert year.qualifying == 1 and year.hours == D("1.5")


def test_no_meeting_time_earns_nothing():
    rule = CreditRule(credits_per_relationship=D("1"), min_hours_per_year=D("0"))
    assert credits_by_year(rule, []) == []
    assert credits_by_year(rule, [Session(1, dt.date(2024, 7, 1), 0)]) == []
    assert total_credits([]) == 0
