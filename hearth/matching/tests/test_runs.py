"""Starting and solving runs with the real engine, on the test school and an incoming class."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hearth.communities.models import GroupMembership, MemberRole
from hearth.matching import services
from hearth.matching.models import MatchRun, PairKind, Placement, RunStatus
from hearth.matching.tests.factories import BALANCE_WOMEN, incoming_class
from hearth.people.models import Supervision
from hearth.testing import START

pytestmark = pytest.mark.django_db


def _run(school, incoming, options=BALANCE_WOMEN, capture=None):
    with capture(execute=True):
        run = services.run_start(
            program=school.program, by=school.director, cohort=incoming.cohort, settings=options
        )
    run.refresh_from_db()
    return run


def test_a_run_places_every_learner_of_the_class_with_reasons(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    run = _run(school, incoming, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.READY
    assert (run.progress, run.progress_message) == (100, "Proposal ready")
    placements = list(run.placements.select_related("group__community"))
    assert {p.learner_id for p in placements} == {p.pk for p in incoming.learners}
    assert all(p.reasons for p in placements)
    # Everyone had room in their first choice, and the optimum is proven.
    assert all(p.preference_rank == 1 for p in placements)
    assert run.proven_optimal and run.bound == pytest.approx(run.objective)
    assert {t["key"] for t in run.terms} >= {"preferences", "balance:gender=woman"}
    assert {s["balance"] for s in run.shares} == {"women"}
    # A proposal changes nobody's membership until it is published.
    assert not GroupMembership.objects.filter(person__in=incoming.learners).exists()


def test_the_engine_reports_progress_that_the_page_can_read(
    school, django_capture_on_commit_callbacks, monkeypatch
):
    incoming = incoming_class(school)
    seen: list[tuple[int, str]] = []
    monkeypatch.setattr(services, "PROGRESS_EVERY", 0)
    original = services._Progress.__call__

    def spy(self, fraction, message):
        original(self, fraction, message)
        run = MatchRun.objects.get(pk=self.run_id)
        seen.append((run.progress, run.status))

    monkeypatch.setattr(services._Progress, "__call__", spy)
    _run(school, incoming, capture=django_capture_on_commit_callbacks)
    assert seen, "the engine never reported progress"
    assert all(status == RunStatus.RUNNING for _, status in seen)
    assert all(1 <= percent <= 99 for percent, _ in seen)


def test_the_program_s_learners_already_placed_are_not_placed_again(school):
    incoming = incoming_class(school, size=2)
    services.run_start(program=school.program, by=school.director, cohort=incoming.cohort)
    run = MatchRun.objects.get()
    learners = {row["id"] for row in run.problem["learners"]}
    assert learners == {str(p.pk) for p in incoming.learners}
    # Group seats already taken count: Apgar 1 holds two of its four.
    seats = {name: capacity for _, name, _, capacity, _ in run.problem["groups"]}
    assert seats == {"Apgar 1": 2, "Apgar 2": 3, "Blackwell 1": 3}


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"preference_weight": 150}, "The weight for preferences must be from 0 to 100; got 150"),
        ({"even_size_weight": "lots"}, "The weight for even sizes must be a number"),
        (
            {"balance": [{"attribute": "religion", "value": "x"}]},
            "the program collects no attribute “religion”",
        ),
        (
            {"balance": [{"attribute": "gender", "value": "robot"}]},
            "“robot” is not an answer to “gender”",
        ),
    ],
)
def test_bad_settings_are_refused_by_name_and_nothing_is_written(school, options, words):
    incoming = incoming_class(school)
    with pytest.raises(ValidationError) as refused:
        services.run_start(
            program=school.program, by=school.director, cohort=incoming.cohort, settings=options
        )
    assert words in " ".join(refused.value.messages)
    assert not MatchRun.objects.exists()


def test_a_class_with_nobody_left_to_place_is_refused(school):
    from hearth.communities.models import Cohort

    cohort = Cohort.objects.get(program=school.program, class_year=2028)
    with pytest.raises(ValidationError, match="already in a mentor group"):
        services.run_start(program=school.program, by=school.director, cohort=cohort)


def test_infeasible_input_names_the_rules_and_places_nobody(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school, size=9)  # eight free seats
    run = _run(school, incoming, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.INFEASIBLE
    assert run.infeasible_reasons
    assert any("capacit" in reason or "seat" in reason for reason in run.infeasible_reasons)
    assert not Placement.objects.exists()
    assert not GroupMembership.objects.filter(person__in=incoming.learners).exists()


def test_conflicts_supervision_and_earlier_mentoring_keep_a_learner_from_a_mentor(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school, size=4)
    first, second, third = incoming.learners[:3]
    services.conflict_add(
        program=school.program, learner=first, mentor=school.mentor_a1, kind="relative"
    )
    Supervision.objects.create(supervisor=school.mentor_a2, supervisee=first, start_date=START)
    from hearth.communities.services import relationship_end, relationship_start

    earlier = relationship_start(
        program=school.program,
        mentor=school.mentor_a1,
        mentee=second,
        kind="research",
        start_date=START,
    )
    relationship_end(
        relationship=earlier, end_date=START, status="ended_early", reason="Moved away"
    )
    # A research mentor the learner still works with is no conflict.
    relationship_start(
        program=school.program,
        mentor=school.mentor_b1,
        mentee=third,
        kind="research",
        start_date=START,
    )
    services.pair_rule_add(cohort=incoming.cohort, a=third, b=second, kind=PairKind.APART)
    run = _run(school, incoming, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.READY
    placed = {p.learner_id: p for p in run.placements.select_related("group__community")}
    assert placed[first.pk].group == school.group_b1  # both Apgar mentors are excluded
    assert placed[second.pk].group != school.group_a1
    assert placed[second.pk].group.community_id != placed[third.pk].group.community_id, "kept apart"
    conflicts = {r["id"]: set(r["conflicts"]) for r in run.problem["learners"]}
    assert conflicts[str(first.pk)] == {str(school.mentor_a1.pk), str(school.mentor_a2.pk)}
    assert conflicts[str(second.pk)] == {str(school.mentor_a1.pk)}
    assert conflicts[str(third.pk)] == set()


def test_keep_together_puts_a_couple_in_the_same_community(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school, size=4)
    apgar_fan, blackwell_fan = incoming.learners[0], incoming.learners[2]
    services.pair_rule_add(
        cohort=incoming.cohort, a=apgar_fan, b=blackwell_fan, kind=PairKind.TOGETHER
    )
    run = _run(school, incoming, capture=django_capture_on_commit_callbacks)
    placed = {p.learner_id: p.group.community_id for p in run.placements.select_related("group")}
    assert placed[apgar_fan.pk] == placed[blackwell_fan.pk]


def test_only_consented_answers_are_used_for_balance(school):
    incoming = incoming_class(school, size=2)
    incoming.learners[1].attributes.update(consented=False)
    services.run_start(
        program=school.program,
        by=school.director,
        cohort=incoming.cohort,
        settings=BALANCE_WOMEN,
        enqueue=False,
    )
    rows = {r["id"]: r["attributes"] for r in MatchRun.objects.get().problem["learners"]}
    assert rows == {
        str(incoming.learners[0].pk): {"gender": "man"},
        str(incoming.learners[1].pk): {},
    }


def test_an_incoming_class_counts_the_seats_the_final_year_frees(school):
    """Before a class arrives, the learners who graduate first have left their seats."""
    from hearth.communities.models import Cohort
    from hearth.testing import make_person

    school.program.years_of_study = 1  # the Class of 2028 graduates before the next one
    school.program.save()
    cohort = Cohort.objects.create(program=school.program, name="Class of 2099", class_year=2099)
    make_person("Far Future", class_year=2099)
    run = services.run_start(
        program=school.program, by=school.director, cohort=cohort, enqueue=False
    )
    seats = {name: capacity for _, name, _, capacity, _ in run.problem["groups"]}
    assert seats == {"Apgar 1": 4, "Apgar 2": 4, "Blackwell 1": 4}
    assert run.starts_on.isoformat() == "2098-08-01"
    assert GroupMembership.objects.filter(role=MemberRole.LEARNER).count() == 4
