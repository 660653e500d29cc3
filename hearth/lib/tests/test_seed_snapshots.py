"""Seeding once per test process: later tests get the same rows back without seeding again."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction

from hearth.meetings.models import AgendaTemplate
from hearth.people.models import Person
from hearth.seed_snapshots import seeded
from hearth.testing import School, build_school

ITEMS = ["Step 1 scores", {"nested": [1, 2.5, None, "é"]}]
SEEDINGS: list[str] = []  # each test seeds under its own label


def _seed(label: str) -> School:
    SEEDINGS.append(label)
    school = build_school()
    AgendaTemplate.objects.create(program=school.program, name="First year", items=ITEMS)
    Permission.objects.filter(codename="view_person").update(name="Look people up")  # was there
    return school


def _rows() -> tuple[list[tuple], list, list[str]]:
    people = list(Person.objects.order_by("pk").values_list("pk", "email", "date_joined"))
    return (
        people,
        [t.items for t in AgendaTemplate.objects.all()],
        list(Permission.objects.order_by("pk").values_list("name", flat=True)),
    )


@pytest.mark.django_db
def test_the_rows_come_back_without_seeding_again():
    with transaction.atomic():
        first = seeded(_seed, label="restored")
        seeded_rows = _rows()
        transaction.set_rollback(True)
    assert (
        not Person.objects.exists()
        and Permission.objects.get(codename="view_person").name != "Look people up"
    )

    again = seeded(_seed, label="restored")

    assert SEEDINGS.count("restored") == 1
    assert _rows() == seeded_rows
    assert again.director.pk == first.director.pk and again is not first
    assert again.director.history.count() == first.director.history.count() > 0
    # The next row a test creates takes an id after the restored ones.
    restored = AgendaTemplate.objects.get()
    assert AgendaTemplate.objects.create(program=again.program, name="Later").pk > restored.pk


@pytest.mark.django_db
def test_rows_changed_under_it_make_it_seed_afresh():
    with transaction.atomic():
        seeded(_seed, label="afresh")
        transaction.set_rollback(True)
    Permission.objects.filter(codename="add_person").update(name="Changed")  # as a flush would

    seeded(_seed, label="afresh")

    assert SEEDINGS.count("afresh") == 2
