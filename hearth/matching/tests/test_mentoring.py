"""Mentee–mentor matching for a mentoring round: fit or stable, published as relationships."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hearth.communities.models import Relationship, RelationshipKind
from hearth.matching import services
from hearth.matching.models import Policy, RunKind, RunStatus, Side
from hearth.people.models import Interest
from hearth.testing import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(school):
    round_ = services.round_create(
        program=school.program, name="Mentoring the Mentors 2027", starts_on=dt.date(2027, 1, 4)
    )
    research, teaching = (Interest.objects.create(name=n) for n in ("research", "teaching"))
    school.mentor_a1.interests.add(research)
    school.mentor_a2.interests.add(teaching)
    services.participant_add(
        round_=round_,
        person=school.mentor_a1,
        side=Side.MENTOR,
        capacity=2,
        division="Cardiology",
        statement="Clinical research careers and writing grants.",
    )
    services.participant_add(
        round_=round_,
        person=school.mentor_a2,
        side=Side.MENTOR,
        capacity=1,
        division="Nephrology",
        statement="Teaching, curriculum and becoming a clerkship director.",
    )
    mentees = []
    for name, interest, division, hope in [
        ("Junior Researcher", research, "Nephrology", "I want to write my first grant."),
        ("Junior Teacher", teaching, "Cardiology", "I hope to lead a teaching curriculum."),
        ("Junior Both", research, "Cardiology", "Research and writing papers."),
    ]:
        person = make_person(name, academic_rank="instructor")
        person.interests.add(interest)
        services.participant_add(
            round_=round_, person=person, side=Side.MENTEE, division=division, statement=hope
        )
        mentees.append(person)
    round_.mentees = mentees
    return round_


def _run(school, round_, capture, **settings):
    with capture(execute=True):
        run = services.run_start(
            program=school.program, by=school.director, round_=round_, settings=settings
        )
    run.refresh_from_db()
    return run


@pytest.mark.parametrize("policy", [Policy.FIT, Policy.STABLE])
def test_every_mentee_gets_a_mentor_within_load_caps_with_reasons(
    school, round_, django_capture_on_commit_callbacks, policy
):
    run = _run(school, round_, django_capture_on_commit_callbacks, policy=policy)
    assert run.kind == RunKind.MENTORING and run.status == RunStatus.READY, run.error
    pairs = {p.learner_id: p for p in run.placements.all()}
    assert set(pairs) == {m.pk for m in round_.mentees}
    loads = [p.mentor_id for p in pairs.values()]
    assert loads.count(school.mentor_a2.pk) <= 1 and loads.count(school.mentor_a1.pk) <= 2
    assert all(0 <= p.fit <= 100 for p in pairs.values())
    assert pairs[round_.mentees[0].pk].mentor == school.mentor_a1
    assert any(pairs[m.pk].reasons for m in round_.mentees)
    assert run.blocking_pairs is not None
    if policy == Policy.STABLE:
        assert run.blocking_pairs == 0


def test_outside_division_rule_and_conflicts_hold(
    school, round_, django_capture_on_commit_callbacks
):
    junior_both = round_.mentees[2]  # Cardiology, like mentor_a1
    run = _run(school, round_, django_capture_on_commit_callbacks, outside_division=True)
    pairs = {p.learner_id: p.mentor_id for p in run.placements.all()}
    assert pairs.get(junior_both.pk) != school.mentor_a1.pk
    services.conflict_add(
        program=school.program,
        learner=round_.mentees[0],
        mentor=school.mentor_a1,
        kind="supervisor",
    )
    run = _run(school, round_, django_capture_on_commit_callbacks)
    pairs = {p.learner_id: p.mentor_id for p in run.placements.all()}
    assert pairs.get(round_.mentees[0].pk) != school.mentor_a1.pk


def test_ranked_choices_of_both_sides_are_kept_and_shown(
    school, round_, django_capture_on_commit_callbacks
):
    teacher = round_.mentees[1]
    services.round_preferences_set(
        round_=round_, chooser=teacher, chosen=[school.mentor_a2, school.mentor_a1]
    )
    services.round_preferences_set(round_=round_, chooser=school.mentor_a2, chosen=[teacher])
    run = _run(school, round_, django_capture_on_commit_callbacks, policy="stable")
    placement = run.placements.get(learner=teacher)
    assert placement.mentor == school.mentor_a2 and placement.preference_rank == 1
    with pytest.raises(ValidationError, match="not on the other side"):
        services.round_preferences_set(round_=round_, chooser=teacher, chosen=[round_.mentees[0]])


def test_publishing_opens_mentoring_relationships_and_emails_both_sides(
    school, round_, smtp_server, django_capture_on_commit_callbacks
):
    run = _run(school, round_, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_publish(run=run, by=school.director)
    for placement in run.placements.select_related("mentor", "learner"):
        relationship = Relationship.objects.get(
            mentor=placement.mentor, mentee=placement.learner, kind=RelationshipKind.CAREER
        )
        assert relationship.start_date == dt.date(2027, 1, 4) and relationship.group is None
        (mail,) = smtp_server.to(placement.learner.email)
        assert placement.mentor.display_name in mail["Subject"]
    assert smtp_server.to(school.mentor_a1.email)


def test_a_round_without_mentors_cannot_run(school, django_capture_on_commit_callbacks):
    empty = services.round_create(
        program=school.program, name="Empty", starts_on=dt.date(2027, 1, 4)
    )
    with pytest.raises(ValidationError, match="at least one mentee and one mentor"):
        services.run_start(program=school.program, by=school.director, round_=empty)


def test_bad_policy_is_refused_by_name(school, round_):
    with pytest.raises(ValidationError, match="policy must be"):
        services.run_start(
            program=school.program,
            by=school.director,
            round_=round_,
            settings={"policy": "random"},
        )
