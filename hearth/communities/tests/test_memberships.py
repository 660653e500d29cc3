from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hearth.communities import services
from hearth.communities.models import (
    EndReason,
    GroupMembership,
    MemberRole,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
)
from hearth.communities.selectors import group_roster, mentor_map
from hearth.people.permissions import can_view
from hearth.testing import START, make_person


def open_membership(person, program) -> GroupMembership:
    return GroupMembership.objects.get(person=person, program=program, end_date__isnull=True)


def test_database_refuses_a_second_open_learner_membership_in_a_program(school):
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembership.objects.create(
            group=school.group_b1,
            program=school.program,
            person=school.learner_a1,
            role=MemberRole.LEARNER,
            start_date=START,
        )


def test_service_explains_why_a_learner_cannot_join_a_second_group(school):
    with pytest.raises(ValidationError, match="already in Apgar 1"):
        services.membership_start(
            group=school.group_b1,
            person=school.learner_a1,
            role=MemberRole.LEARNER,
            start_date=START,
        )


def test_joining_a_group_opens_the_lc_mentor_relationship_and_firewall(school):
    relationship = Relationship.objects.get(mentee=school.learner_a1)
    assert relationship.mentor == school.mentor_a1
    assert relationship.kind == RelationshipKind.LC_MENTOR
    assert school.program.exclusions.filter(
        assessor=school.mentor_a1, learner=school.learner_a1
    ).exists()


def test_transfer_ends_one_membership_and_relationship_and_begins_the_next(school):
    moved_on = dt.date(2025, 2, 1)
    services.learner_transfer(
        membership=open_membership(school.learner_a1, school.program),
        to_group=school.group_b1,
        on=moved_on,
    )
    history = GroupMembership.objects.filter(person=school.learner_a1).order_by("start_date", "pk")
    assert [(m.group.name, m.end_reason) for m in history] == [
        ("Apgar 1", EndReason.TRANSFERRED),
        ("Blackwell 1", ""),
    ]
    old = Relationship.objects.get(mentee=school.learner_a1, mentor=school.mentor_a1)
    assert old.end_date == moved_on and old.status == RelationshipStatus.ENDED_EARLY
    assert Relationship.objects.get(mentee=school.learner_a1, mentor=school.mentor_b1).is_open


def test_capacity_is_enforced(school):
    for n in range(2):
        services.membership_start(
            group=school.group_a1,
            person=make_person(f"Extra Learner{n}", class_year=2028),
            role=MemberRole.LEARNER,
            start_date=START,
        )
    with pytest.raises(ValidationError, match="full"):
        services.membership_start(
            group=school.group_a1,
            person=make_person("One Toomany", class_year=2028),
            role=MemberRole.LEARNER,
            start_date=START,
        )


def test_successor_sees_only_history_the_learner_shared(school):
    """A mentor who takes a group over sees earlier members only where they agreed."""
    sharer = make_person("Sam Sharer", class_year=2027)
    private = make_person("Pat Private", class_year=2027)
    for person in (sharer, private):
        services.membership_start(
            group=school.group_a2, person=person, role=MemberRole.LEARNER, start_date=START
        )
    for person in (sharer, private):
        services.membership_end(
            membership=open_membership(person, school.program),
            end_date=dt.date(2025, 5, 31),
            reason=EndReason.GRADUATED,
        )
    services.membership_share_history(
        membership=GroupMembership.objects.get(person=sharer), shares=True
    )
    successor = make_person("Sol Successor")
    services.group_mentor_replace(
        group=school.group_a2,
        leaving=school.mentor_a2,
        successor=successor,
        on=dt.date(2025, 8, 1),
    )
    past_names = {
        m.person.display_name for m in group_roster(user=successor, group=school.group_a2).past
    }
    assert "Sam Sharer" in past_names
    assert "Pat Private" not in past_names
    assert can_view(successor, sharer) and not can_view(successor, private)
    # The current learner's relationship moved to the successor; the old one is history.
    current = mentor_map(user=school.learner_a2, person=school.learner_a2)
    assert [r.mentor for r in current.current["Learning-community mentor"]] == [successor]
    assert [r.mentor for r in current.past["Learning-community mentor"]] == [school.mentor_a2]


def test_membership_changes_are_audited(school):
    membership = open_membership(school.learner_a1, school.program)
    services.membership_end(membership=membership, end_date=dt.date(2025, 1, 1), reason="leave")
    assert [h.history_type for h in membership.history.order_by("history_date")] == ["+", "~"]


def test_research_mentor_shows_on_the_mentor_map(school):
    services.relationship_start(
        program=school.program,
        mentor=school.mentor_b1,
        mentee=school.learner_a1,
        kind=RelationshipKind.RESEARCH,
        start_date=START,
    )
    mentors = mentor_map(user=school.learner_a1, person=school.learner_a1).current
    assert set(mentors) == {"Learning-community mentor", "Research mentor"}


def test_directors_see_who_changed_a_membership_on_the_group_page(client, school):
    from django.urls import reverse

    from hearth.testing import PASSWORD

    school.learner_a1.learner_year = 4
    school.learner_a1.save()
    client.login(email=school.director.email, password=PASSWORD)
    client.post(reverse("rollover", args=[school.program.slug]), {"on": "2025-05-31"})
    page = client.get(reverse("group", args=[school.group_a1.pk])).content.decode()
    audit = page[page.index("Record of changes") :]
    assert "Dora Director" in audit and "graduated" in audit and "Lena Learnerone" in audit
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    page = client.get(reverse("group", args=[school.group_a1.pk])).content.decode()
    assert "Record of changes" not in page
