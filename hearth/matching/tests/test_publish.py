"""Publishing a proposal: all or nothing, once, and everyone placed hears about it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from hearth.communities.models import (
    GroupMembership,
    MemberRole,
    Relationship,
    RelationshipKind,
)
from hearth.communities.services import membership_start
from hearth.matching import services
from hearth.matching.models import MatchRun, RunStatus
from hearth.matching.tests.factories import BALANCE_WOMEN, incoming_class
from hearth.testing import make_person

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
    assert run.status == RunStatus.READY
    return run


def test_publishing_creates_memberships_and_relationships_and_emails_everyone(
    school, smtp_server, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    run = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_publish(run=run, by=school.director)
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED and run.published_by == school.director
    for placement in run.placements.select_related("group"):
        membership = GroupMembership.objects.get(person=placement.learner_id, end_date__isnull=True)
        assert membership.group == placement.group
        assert membership.start_date == run.starts_on
        assert Relationship.objects.filter(
            mentee=placement.learner_id, kind=RelationshipKind.LC_MENTOR, group=placement.group
        ).exists()
    for learner in incoming.learners:
        (mail,) = smtp_server.to(learner.email)
        assert mail["Subject"].startswith("Your learning community:")
        body = mail.get_payload(decode=True).decode()
        assert "Why here:" in body and "community preference" in body
    mentors = {
        school.group_a1.pk: school.mentor_a1,
        school.group_a2.pk: school.mentor_a2,
        school.group_b1.pk: school.mentor_b1,
    }
    receiving = {mentors[g] for g in run.placements.values_list("group_id", flat=True)}
    for mentor in receiving:
        (mail,) = smtp_server.to(mentor.email)
        assert "join" in mail["Subject"]
        assert "New Learner" in mail.get_payload(decode=True).decode()


def test_a_second_publish_is_refused_with_who_published_and_nothing_changes(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    run = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    services.run_publish(run=run, by=school.director)
    before = GroupMembership.objects.count()
    with pytest.raises(services.PublishRefused, match="already published by Dora Director"):
        services.run_publish(run=run, by=school.admin)
    assert GroupMembership.objects.count() == before


def test_a_proposal_overtaken_by_another_published_run_is_refused(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    first = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    second = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    services.run_publish(run=second, by=school.director)
    with pytest.raises(services.PublishRefused, match=f"run {second.pk}.*published by Dora"):
        services.run_publish(run=first, by=school.admin)
    first.refresh_from_db()
    assert first.status == RunStatus.READY


def test_a_publish_that_no_longer_fits_writes_nothing(school, django_capture_on_commit_callbacks):
    incoming = incoming_class(school)
    run = _ready_run(school, incoming, django_capture_on_commit_callbacks)
    # Meanwhile someone fills a group the proposal counted on.
    target = run.placements.values_list("group_id", flat=True).first()
    group = school.group_a1 if target == school.group_a1.pk else school.group_a2
    if target == school.group_b1.pk:
        group = school.group_b1
    while group.memberships.filter(role="learner", end_date__isnull=True).count() < group.capacity:
        membership_start(
            group=group,
            person=make_person(f"Late Arrival {group.memberships.count()}", class_year=2030),
            role=MemberRole.LEARNER,
            start_date=run.starts_on,
        )
    with pytest.raises(services.PublishRefused, match="Nothing was published: .* is full"):
        services.run_publish(run=run, by=school.director)
    assert not GroupMembership.objects.filter(person__in=incoming.learners).exists()
    run.refresh_from_db()
    assert run.status == RunStatus.READY


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no row locks; see the sequential test"
)
def test_two_directors_publishing_at_once_only_one_succeeds(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    runs = [_ready_run(school, incoming, django_capture_on_commit_callbacks) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def publish(run: MatchRun, by) -> None:  # noqa: ANN001
        try:
            barrier.wait()
            services.run_publish(run=run, by=by)
            outcomes.append("published")
        except services.PublishRefused as refused:
            outcomes.append(str(refused.messages[0]))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=publish, args=(runs[0], school.director)),
        threading.Thread(target=publish, args=(runs[1], school.admin)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "published"
    assert outcomes.count("published") == 1, outcomes
    assert "was published by" in [o for o in outcomes if o != "published"][0]
    assert MatchRun.objects.filter(status=RunStatus.PUBLISHED).count() == 1
    assert GroupMembership.objects.filter(person__in=incoming.learners).count() == len(
        incoming.learners
    )
