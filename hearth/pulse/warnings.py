"""Harm early warning: a program's own rules over signals Hearth has, as a pure function.

Which signals foretell harm is each program's call, so every threshold is a rule the program
sets (`HarmRules`); the defaults are documented in the README."""

from __future__ import annotations

from dataclasses import dataclass

MIN_MENTEES_FOR_OVERDUE = 3


@dataclass(frozen=True)
class HarmRules:
    load_ratio: float = 1.4  # learners mentored, against the program's median mentor
    harm_rise: float = 0.5  # rise of the "harmed" score since the previous check-in
    harm_level: float = 3.5  # a "harmed" score at or above this is a signal on its own
    overdue_share: float = 0.5  # share of the mentor's relationships overdue for a meeting
    flag_without_co_mentor: bool = True  # a heavy load with no co-mentor in any group


@dataclass(frozen=True)
class MentorSignals:
    learners: int
    median_learners: float
    harmed_scores: tuple[float, ...]  # the mentor's own "harmed" scores, oldest first
    overdue: int
    relationships: int
    has_co_mentor: bool


def suggestions(signals: MentorSignals, rules: HarmRules) -> list[str]:
    """What the mentor privately reads; an empty list means no flag."""
    found = []
    heavy = (
        signals.median_learners > 0
        and signals.learners >= rules.load_ratio * signals.median_learners
    )
    if heavy:
        more = round(100 * (signals.learners / signals.median_learners - 1))
        advice = "; ask your director for a co-mentor" if not signals.has_co_mentor else ""
        found.append(f"You mentor {more} % more learners than most mentors here{advice}.")
    harmed = signals.harmed_scores
    if len(harmed) >= 2 and harmed[-1] - harmed[-2] >= rules.harm_rise:
        found.append(
            "Your answers on the weight of mentoring rose since your last check-in; "
            "a word with your director or a peer mentor may help."
        )
    elif harmed and harmed[-1] >= rules.harm_level:
        found.append(
            "Your last check-in says mentoring weighs on you; you need not carry it alone."
        )
    # With one or two mentees a single late meeting says little about the mentor's load.
    if (
        signals.relationships >= MIN_MENTEES_FOR_OVERDUE
        and signals.overdue / signals.relationships >= rules.overdue_share
    ):
        found.append(
            f"{signals.overdue} of your {signals.relationships} mentees are overdue for a "
            "meeting; a group session could catch up with several at once."
        )
    if heavy and rules.flag_without_co_mentor and not signals.has_co_mentor and not found:
        found.append("You carry your groups alone; a co-mentor could share the load.")
    return found
