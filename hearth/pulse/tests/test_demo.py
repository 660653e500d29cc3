from __future__ import annotations

from hearth.communities.models import Program
from hearth.people.models import Person
from hearth.pulse.selectors import my_trend, open_check_ins, program_pulse


def test_demo_mentor_finds_a_check_in_and_a_trend_and_the_director_sees_both_kinds_of_cell(demo):
    mentor = Person.objects.get(email__startswith="mentor@")
    check_ins = open_check_ins(mentor)
    assert len(check_ins) == 1 and check_ins[0].response is None
    trend = my_trend(mentor)
    assert len(trend.waves) == 2
    harmed = next(row for row in trend.rows if row.theme.key == "harmed")
    assert harmed.cells[1].value > harmed.cells[0].value
    pulse = program_pulse(Program.objects.get(slug="md-learning-communities"))
    assert pulse.answered >= 30 and all(v is not None for v in pulse.reliability.values())
    cells = [
        c
        for w in pulse.waves
        for row in program_pulse(pulse.waves[0].program, w).by_community
        for c in row.cells
    ]
    assert any(c.shown for c in cells) and any(not c.shown for c in cells)


def test_demo_defaults_flag_a_few_mentors_not_all(demo):
    from hearth.pulse.selectors import harm_flags, my_suggestions

    flags = harm_flags(Program.objects.get(slug="md-learning-communities"))
    flagged = [f for f in flags if f.suggestions]
    assert 0 < len(flagged) < len(flags) / 2
    mentor = Person.objects.get(email__startswith="mentor@")
    assert any(
        "rose since your last check-in" in s for _, lines in my_suggestions(mentor) for s in lines
    )


def test_demo_learner_has_mentoring_to_rate_and_demo_mentor_sees_averages(demo):
    from hearth.pulse.selectors import (
        mentee_feedback_for_portfolio,
        my_mentee_feedback,
        open_feedback,
    )

    learner = Person.objects.get(email__startswith="learner@")
    assert any(f.feedback is None for f in open_feedback(learner))
    mentor = Person.objects.get(email__startswith="mentor@")
    summary = my_mentee_feedback(mentor)
    assert summary.overall and summary.learners >= 3
    assert mentee_feedback_for_portfolio(mentor) is not None
