"""A director re-pairs a mentee in a mentoring proposal: the hard rules are checked again, a
breaking move is refused with the rule named, and a kept one shows its cost in fit and its
change in blocking pairs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hearth.communities.models import Relationship
from hearth.matching import pairing, services
from hearth.matching.models import Placement, RunStatus, Side
from hearth.people.models import Interest
from hearth.testing import PASSWORD, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(school):
    """Two mentors (Cardiology, room for two; Nephrology, room for one) and three mentees."""
    round_ = services.round_create(
        program=school.program, name="Faculty pairs", starts_on=dt.date(2027, 1, 4)
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
    round_.mentees = []
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
        round_.mentees.append(person)
    return round_


def _ready(school, round_, **settings):
    run = services.run_start(
        program=school.program, by=school.director, round_=round_, settings=settings, enqueue=False
    )
    run = services.run_execute(run_id=run.pk)
    assert run.status == RunStatus.READY, run.error
    return run


def _pairs(run) -> dict[int, int | None]:
    return dict(run.placements.values_list("learner_id", "mentor_id"))


def _blocking(run, pairs: dict[int, int | None]) -> int:
    """Blocking pairs of an assignment, counted independently of the override."""
    snapshot = services._RoundInput.of(run)
    problem = pairing.pairing_problem(snapshot.mentees, snapshot.mentors, snapshot.fits())
    return len(pairing.blocking_pairs(problem, {str(a): str(b) for a, b in pairs.items() if b}))


def test_a_move_is_kept_with_its_cost_in_fit_and_its_blocking_pairs(school, round_):
    run = _ready(school, round_)
    researcher = round_.mentees[0]
    assert _pairs(run)[researcher.pk] == school.mentor_a1.pk
    # Make room with the Nephrology mentor first: their mentee goes without.
    held = next(m for m, mentor in _pairs(run).items() if mentor == school.mentor_a2.pk)
    services.pairing_override(
        run=run,
        mentee=Placement.objects.get(run=run, learner=held).learner,
        mentor=None,
        by=school.director,
    )
    run.refresh_from_db()
    before = run.objective
    placement = run.placements.get(learner=researcher)
    old_fit = placement.fit
    move = services.pairing_override(
        run=run, mentee=researcher, mentor=school.mentor_a2, by=school.director
    )
    run.refresh_from_db()
    placement.refresh_from_db()
    assert (move.mentee, move.mentor, move.back) == ("Junior Researcher", "Mateo Mentortwo", False)
    assert move.fit_before == old_fit and move.fit_after == placement.fit
    assert move.cost == pytest.approx(old_fit - placement.fit) and move.cost > 0
    assert run.objective == pytest.approx(before - move.cost)
    assert placement.mentor == school.mentor_a2 and placement.overridden
    assert placement.proposed_mentor == school.mentor_a1
    assert placement.override_cost == pytest.approx(move.cost)
    assert placement.explanation[0] == "moved here by Dora Director (override)"
    assert move.blocking_after == run.blocking_pairs == _blocking(run, _pairs(run))
    labels = {c["label"] for c in placement.override_changes}
    assert "Fit of the pair" in labels


def test_moving_back_clears_the_override_and_restores_the_score(school, round_):
    run = _ready(school, round_)
    solved = run.objective
    mentee = round_.mentees[0]
    services.pairing_override(run=run, mentee=mentee, mentor=None, by=school.director)
    run.refresh_from_db()
    assert str(mentee.pk) in run.unmatched
    row = run.placements.get(learner=mentee)
    assert row.mentor is None and row.overridden
    assert row.explanation == ["left without a mentor by Dora Director (override)"]
    back = services.pairing_override(
        run=run, mentee=mentee, mentor=school.mentor_a1, by=school.director
    )
    run.refresh_from_db()
    row.refresh_from_db()
    assert back.back and not row.overridden and row.override_cost is None
    assert row.mentor == school.mentor_a1 and row.reasons
    assert run.objective == pytest.approx(solved) and str(mentee.pk) not in run.unmatched


def test_a_full_mentor_is_refused_with_the_rule_named_and_nothing_changes(school, round_):
    run = _ready(school, round_)
    before = _pairs(run)
    mentee = next(m for m, mentor in before.items() if mentor != school.mentor_a2.pk)
    with pytest.raises(services.OverrideRefused) as refused:
        services.pairing_override(
            run=run,
            mentee=Placement.objects.get(run=run, learner=mentee).learner,
            mentor=school.mentor_a2,
            by=school.director,
        )
    assert refused.value.violations == (
        "Mateo Mentortwo's capacity: they take at most 1 mentee in this round",
    )
    assert _pairs(run) == before


def test_a_conflict_is_refused_by_name(school, round_):
    teacher = round_.mentees[1]
    services.conflict_add(
        program=school.program, learner=teacher, mentor=school.mentor_a1, kind="supervisor"
    )
    run = _ready(school, round_)
    services.pairing_override(run=run, mentee=round_.mentees[0], mentor=None, by=school.director)
    with pytest.raises(services.OverrideRefused) as refused:
        services.pairing_override(
            run=run, mentee=teacher, mentor=school.mentor_a1, by=school.director
        )
    assert "a conflict keeps Junior Teacher from Mira Mentorone" in refused.value.violations[0]


def test_the_division_and_seniority_rules_are_refused_by_name(school, round_):
    senior_mentee = make_person("Senior Mentee", academic_rank="full")
    services.participant_add(
        round_=round_, person=senior_mentee, side=Side.MENTEE, division="Nephrology"
    )
    run = _ready(school, round_, outside_division=True, senior_mentor=True)
    both = round_.mentees[2]  # Cardiology, like Mira Mentorone
    assert _pairs(run).get(both.pk) != school.mentor_a1.pk
    with pytest.raises(services.OverrideRefused) as refused:
        services.pairing_override(run=run, mentee=both, mentor=school.mentor_a1, by=school.director)
    assert refused.value.violations[0] == (
        "the mentor must be from outside the mentee's division: both are in Cardiology"
    )
    with pytest.raises(services.OverrideRefused) as refused:
        services.pairing_override(
            run=run, mentee=senior_mentee, mentor=school.mentor_a1, by=school.director
        )
    assert (
        "the mentor must be senior in rank: Mira Mentorone is not senior to Senior Mentee"
        in refused.value.violations
    )


def test_an_unmatched_mentee_is_paired_by_hand_and_publishing_skips_the_unpaired(
    school, round_, django_capture_on_commit_callbacks, smtp_server
):
    extra = make_person("Junior Extra", academic_rank="instructor")
    services.participant_add(round_=round_, person=extra, side=Side.MENTEE, division="Surgery")
    run = _ready(school, round_)
    assert run.unmatched, "three seats for four mentees"
    waiting = next(m for m in round_.mentees + [extra] if str(m.pk) in run.unmatched)
    leaving = next(m for m in round_.mentees + [extra] if m != waiting)
    taken_by = _pairs(run)[leaving.pk]
    services.pairing_override(run=run, mentee=leaving, mentor=None, by=school.director)
    from hearth.people.models import Person

    mentor = Person.objects.get(pk=taken_by)
    move = services.pairing_override(run=run, mentee=waiting, mentor=mentor, by=school.director)
    assert move.fit_before == 0 and not move.back
    run.refresh_from_db()
    assert run.unmatched == [str(leaving.pk)]
    created = run.placements.get(learner=waiting)
    assert created.overridden and created.proposed_mentor is None and created.mentor == mentor
    with django_capture_on_commit_callbacks(execute=True):
        services.run_publish(run=run, by=school.director)
    assert not Relationship.objects.filter(mentee=leaving).exists()
    assert Relationship.objects.filter(mentee=waiting, mentor=mentor).exists()
    assert Relationship.objects.filter(program=school.program, kind="career").count() == 3
    assert not smtp_server.to(leaving.email)


def test_only_ready_mentoring_proposals_change_here(school, round_):
    run = _ready(school, round_)
    with pytest.raises(ValidationError, match="already paired with"):
        mentee = round_.mentees[0]
        services.pairing_override(
            run=run,
            mentee=mentee,
            mentor=Placement.objects.get(run=run, learner=mentee).mentor,
            by=school.director,
        )
    with pytest.raises(ValidationError, match="not a mentor of this run"):
        services.pairing_override(
            run=run, mentee=round_.mentees[0], mentor=school.mentor_b1, by=school.director
        )
    services.run_publish(run=run, by=school.director, notify=False)
    with pytest.raises(ValidationError, match="published"):
        services.pairing_override(
            run=run, mentee=round_.mentees[0], mentor=None, by=school.director
        )


def test_the_review_page_moves_a_mentee_and_shows_what_it_costs(client, school, round_):
    run = _ready(school, round_)
    client.login(email=school.director.email, password=PASSWORD)
    page = client.get(reverse("match_run", args=[run.pk])).content.decode()
    assert "Pair a mentee differently" in page and "No mentor in this round" in page
    assert "Mateo Mentortwo — 1 of 1 mentees" in page
    url = reverse("match_pair_override", args=[run.pk])
    mentee = round_.mentees[0]
    full = client.post(url, {"mentee": mentee.pk, "mentor": school.mentor_a2.pk})
    assert full.status_code == 400
    assert "Not moved:" in full.content.decode()
    assert "Mateo Mentortwo&#x27;s capacity" in full.content.decode()
    moved = client.post(url, {"mentee": mentee.pk, "mentor": "none"}, follow=True)
    body = moved.content.decode()
    assert "Junior Researcher is left without a mentor. This override costs" in body
    assert "fit points (fit of the pair" in body and "blocking pairs" in body
    assert "<strong>Override</strong>, cost" in body and "No mentor" in body
    assert "Without a mentor: Junior Researcher." in body
    back = client.post(url, {"mentee": mentee.pk, "mentor": school.mentor_a1.pk}, follow=True)
    assert "Junior Researcher is back where the matcher placed them" in back.content.decode()


def test_the_mentoring_review_reads_a_fixed_number_of_queries(client, school, round_):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(run) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("match_run", args=[run.pk])).status_code == 200
        return len(queries)

    client.login(email=school.director.email, password=PASSWORD)
    small = count(_ready(school, round_))
    for n in range(4):
        services.participant_add(
            round_=round_, person=make_person(f"More Mentee {n}"), side=Side.MENTEE
        )
    services.participant_add(round_=round_, person=school.mentor_b1, side=Side.MENTOR, capacity=4)
    bigger = _ready(school, round_)
    services.pairing_override(run=bigger, mentee=round_.mentees[0], mentor=None, by=school.director)
    assert bigger.placements.count() > 3
    assert count(bigger) == small <= 10
