from hearth.pulse.warnings import HarmRules, MentorSignals, suggestions

CALM = MentorSignals(
    learners=20,
    median_learners=20,
    harmed_scores=(2.0, 2.2),
    overdue=1,
    relationships=20,
    has_co_mentor=False,
)


def test_a_typical_mentor_is_not_flagged():
    assert suggestions(CALM, HarmRules()) == []


def test_a_heavy_load_without_a_co_mentor_suggests_asking_for_one():
    heavy = MentorSignals(28, 20, (2.0, 2.0), 0, 28, has_co_mentor=False)
    assert suggestions(heavy, HarmRules()) == [
        "You mentor 40 % more learners than most mentors here; ask your director for a co-mentor."
    ]
    assert suggestions(heavy, HarmRules(load_ratio=1.5)) == []


def test_a_rising_or_high_harm_score_and_many_overdue_mentees_are_signals():
    rising = MentorSignals(20, 20, (2.0, 2.7), 12, 20, has_co_mentor=True)
    found = suggestions(rising, HarmRules())
    assert len(found) == 2 and "rose since your last check-in" in found[0]
    assert "12 of your 20 mentees are overdue" in found[1]
    high = MentorSignals(20, 20, (3.8,), 0, 20, has_co_mentor=True)
    assert "weighs on you" in suggestions(high, HarmRules())[0]
    assert suggestions(high, HarmRules(harm_level=4.0)) == []


def test_one_late_meeting_of_a_single_mentee_is_not_a_signal():
    few = MentorSignals(1, 1, (), overdue=1, relationships=1, has_co_mentor=True)
    assert suggestions(few, HarmRules()) == []
