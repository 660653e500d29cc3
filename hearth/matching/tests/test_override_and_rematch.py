"""A director overrides a placement (the engine re-checks it and prices it), and re-matches
only the learners of a mentor who leaves."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hearth.communities.models import EndReason, GroupMembership
from hearth.matching import services
from hearth.matching.models import RunStatus
from hearth.matching.tests.factories import BALANCE_WOMEN, incoming_class

pytestmark = pytest.mark.django_db


def _ready_run(school, incoming, capture):
    with capture(execute=True):
        run = services.run_start(
            program=school.program,
            by=school.director,
            cohort=incoming.cohort,
            settings=BALANCE_WOMEN,
        )
    run.refresh_from_db()
    return run


def test_an_override_is_kept_with_its_cost_and_the_terms_it_changed(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    run = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    placement = run.placements.filter(group__community=school.house_a).first()
    before = run.objective
    moved = services.placement_override(
        placement=placement, group=school.group_b1, by=school.director
    )
    run.refresh_from_db()
    assert moved.overridden and moved.group == school.group_b1
    assert moved.proposed_group_id in (school.group_a1.pk, school.group_a2.pk)
    # The learner chose Apgar first and Blackwell second: the move costs preference points.
    assert moved.preference_rank == 2
    assert moved.override_cost == pytest.approx(before - run.objective)
    assert moved.override_cost > 0
    assert any(c["label"] == "Community preferences honoured" for c in moved.override_changes)
    assert moved.explanation[0] == "moved here by Dora Director (override)"
    assert "2nd community preference (Blackwell House)" in moved.explanation
    assert run.solved_objective == before and run.override_cost == pytest.approx(
        moved.override_cost
    )


def test_after_an_override_every_placement_is_explained_by_the_proposal_as_it_stands(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    run = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    woman = run.placements.filter(
        group__community=school.house_a, learner__in=incoming.learners[1::2]
    ).first()
    assert woman is not None, "a woman placed in Apgar"
    before = {p.pk: p.reasons for p in run.placements.all()}
    services.placement_override(placement=woman, group=school.group_b1, by=school.director)
    run.refresh_from_db()
    names = {str(school.house_a.pk): "Apgar House", str(school.house_b.pk): "Blackwell House"}
    shares = {names[s["community"]]: s for s in run.shares}
    changed = 0
    for placement in run.placements.all():
        balance = [r for r in placement.reasons if r.startswith("balances women")]
        for sentence in balance:
            house = sentence.removeprefix("balances women in ").split(":")[0]
            share = shares[house]
            assert sentence == (
                f"balances women in {house}: {share['share']:.0%} vs cohort "
                f"{share['cohort_share']:.0%}"
            )
        changed += placement.reasons != before[placement.pk]
    assert changed > 1, "the other women's sentences changed too"
    woman.refresh_from_db()
    assert woman.explanation[0] == "moved here by Dora Director (override)"
    assert woman.preference_rank == 2
    # Why the matcher did not place them elsewhere no longer explains a director's choice.
    assert not any(r.startswith("1st choice:") for r in woman.reasons)
    assert any(r.startswith("balances women in Blackwell House") for r in woman.reasons)


def test_moving_back_to_the_proposed_group_clears_the_override(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    run = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    placement = run.placements.filter(group__community=school.house_a).first()
    proposed = placement.group
    reasons = {p.pk: p.reasons for p in run.placements.all()}
    services.placement_override(placement=placement, group=school.group_b1, by=school.director)
    placement.refresh_from_db()
    back = services.placement_override(placement=placement, group=proposed, by=school.director)
    run.refresh_from_db()
    assert not back.overridden and back.override_cost is None
    assert run.objective == pytest.approx(run.solved_objective)
    # Explained again, every placement reads as the matcher first explained it.
    assert {p.pk: p.reasons for p in run.placements.all()} == reasons


def test_an_override_that_breaks_a_hard_rule_is_refused_and_changes_nothing(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    learner = incoming.learners[0]
    services.conflict_add(
        program=school.program, learner=learner, mentor=school.mentor_b1, kind="relative"
    )
    run = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    placement = run.placements.get(learner=learner)
    group = placement.group
    with pytest.raises(services.OverrideRefused) as refused:
        services.placement_override(placement=placement, group=school.group_b1, by=school.director)
    assert any("Mona Mentorthree" in v for v in refused.value.violations)
    placement.refresh_from_db()
    assert placement.group == group and not placement.overridden


def test_a_published_proposal_cannot_be_overridden(school, django_capture_on_commit_callbacks):
    incoming = incoming_class(school)
    run = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    services.run_publish(run=run, by=school.director)
    placement = run.placements.first()
    with pytest.raises(ValidationError, match="published"):
        services.placement_override(placement=placement, group=school.group_b1, by=school.director)


def test_a_mentor_leaving_moves_only_their_learners_and_publishing_transfers_them(
    school, smtp_server, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    school.group_b1.capacity = 8  # room for Apgar 2's learners once its mentor leaves
    school.group_b1.save()
    run = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    services.run_publish(run=run, by=school.director)
    leaving = school.group_a2
    in_a2 = set(run.placements.filter(group=leaving).values_list("learner_id", flat=True))
    assert in_a2, "the proposal put somebody in Apgar 2"
    staying = {
        m.person_id: m.group_id
        for m in GroupMembership.objects.filter(
            person__in=incoming.learners, end_date__isnull=True
        ).exclude(group=leaving)
    }
    with django_capture_on_commit_callbacks(execute=True):
        rematch = services.rematch_start(run=run, leaving_groups=[leaving], by=school.director)
    rematch.refresh_from_db()
    assert rematch.status == RunStatus.READY, rematch.infeasible_reasons
    moved = list(rematch.placements.all())
    assert {p.learner_id for p in moved} == in_a2
    assert all(p.from_group == leaving and p.group != leaving for p in moved)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_publish(run=rematch, by=school.director)
    for placement in moved:
        ended = GroupMembership.objects.get(person=placement.learner_id, group=leaving)
        assert ended.end_reason == EndReason.TRANSFERRED
        assert (
            GroupMembership.objects.get(person=placement.learner_id, end_date__isnull=True).group
            == placement.group
        )
        (mail,) = smtp_server.to(placement.learner.email)[-1:]
        assert "Your new mentor group" in mail["Subject"]
    # Nobody else moved.
    now = dict(
        GroupMembership.objects.filter(person_id__in=staying, end_date__isnull=True).values_list(
            "person_id", "group_id"
        )
    )
    assert now == staying


def test_a_rematch_needs_a_published_run_and_someone_to_move(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    run = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="published"):
        services.rematch_start(run=run, leaving_groups=[school.group_a2], by=school.director)
    services.run_publish(run=run, by=school.director)
    empty = {school.group_a1, school.group_a2, school.group_b1} - {
        p.group for p in run.placements.select_related("group")
    }
    if empty:
        with pytest.raises(ValidationError, match="nobody to move"):
            services.rematch_start(run=run, leaving_groups=list(empty), by=school.director)
