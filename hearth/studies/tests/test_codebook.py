"""The codebook: hierarchy, versions and history; codings follow renames, merges, splits."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hearth.studies import services
from hearth.studies.models import ChangeKind, Code, CodedSegment
from hearth.studies.tests.world import World, code
from hearth.testing import PASSWORD


def _lead(world: World) -> Client:
    client = Client()
    client.login(email=world.lead.email, password=PASSWORD)
    return client


def test_a_study_can_start_with_the_starter_codebook_or_empty(world: World) -> None:
    names = list(world.study.codebook.codes.values_list("name", flat=True))
    assert names == [
        "Becoming a better professional",
        "Feeling connected",
        "Feeling rejuvenated",
        "Contributing",
        "Feeling honored",
        "Harm",
    ]
    assert [c.label for c in world.study.framework.all()] == [
        "Individuation",
        "Contribution",
        "Self-connection",
        "Unification",
    ]
    harm = world.codes["Harm"]
    assert harm.use_when and harm.not_when and harm.example and harm.colour.startswith("#")
    empty = services.study_create(
        program=world.study.program,
        by=world.lead,
        title="Empty",
        research_question="?",
        starter_codebook=False,
    )
    assert not empty.codebook.codes.exists() and not empty.framework.exists()


def test_a_rename_keeps_history_and_codings(world: World) -> None:
    code(world, world.lead, world.source, "it keeps me going", "Feeling rejuvenated")
    rejuvenated = world.codes["Feeling rejuvenated"]
    services.code_update(
        code=rejuvenated,
        by=world.lead,
        name="Renewed",
        definition=rejuvenated.definition,
        use_when=rejuvenated.use_when,
        not_when=rejuvenated.not_when,
        example=rejuvenated.example,
        colour=rejuvenated.colour,
    )
    change = rejuvenated.changes.get(kind=ChangeKind.RENAME)
    assert change.summary == "Renamed “Feeling rejuvenated” to “Renewed”"
    assert change.mapping["before"]["name"] == "Feeling rejuvenated"
    assert CodedSegment.objects.get().code.name == "Renewed"


def test_a_merge_moves_codings_themes_and_children_and_retires_the_others(world: World) -> None:
    code(
        world,
        world.lead,
        world.source,
        "it keeps me going",
        "Feeling rejuvenated",
        "Feeling connected",
    )
    code(world, world.coder, world.source, "I feel I belong", "Feeling connected")
    child = services.code_create(
        codebook=world.study.codebook,
        by=world.lead,
        name="Belonging",
        parent=world.codes["Feeling connected"],
    )
    theme = services.theme_save(
        study=world.study, name="Renewal", codes=[world.codes["Feeling connected"]]
    )
    into = world.codes["Feeling rejuvenated"]
    services.code_merge(codes=[world.codes["Feeling connected"]], into=into, by=world.lead)
    connected = Code.objects.get(pk=world.codes["Feeling connected"].pk)
    assert connected.retired_at is not None
    assert set(CodedSegment.objects.values_list("code_id", flat=True)) == {into.pk}
    assert CodedSegment.objects.count() == 2  # the lead's duplicate collapsed into one
    assert list(theme.codes.all()) == [into]
    child.refresh_from_db()
    assert child.parent == into
    change = into.changes.get(kind=ChangeKind.MERGE)
    assert len(change.mapping["segments"]) == 2 and list(change.others.all()) == [connected]


def test_a_split_sends_codings_to_the_chosen_new_code(world: World) -> None:
    code(world, world.lead, world.source, "I had nothing left for my family", "Harm")
    made = services.code_split(
        code=world.codes["Harm"],
        by=world.lead,
        names=["Time taken", "Emotional load"],
        segments_to=1,
    )
    assert [c.name for c in made] == ["Time taken", "Emotional load"]
    assert CodedSegment.objects.get().code == made[1]
    assert Code.objects.get(pk=world.codes["Harm"].pk).retired_at is not None
    assert made[1].definition == world.codes["Harm"].definition


def test_a_move_that_makes_a_cycle_is_refused_and_changes_nothing(world: World) -> None:
    parent = world.codes["Harm"]
    child = services.code_create(
        codebook=world.study.codebook, by=world.lead, name="Time", parent=parent
    )
    grandchild = services.code_create(
        codebook=world.study.codebook, by=world.lead, name="Nights", parent=child
    )
    with pytest.raises(ValidationError, match="cycle"):
        services.code_move(code=parent, by=world.lead, parent=grandchild)
    parent.refresh_from_db()
    assert parent.parent is None
    response = _lead(world).post(
        reverse("code", args=[parent.pk]), {"action": "move", "parent": grandchild.pk}
    )
    assert "cycle" in response.content.decode() and response.status_code == 200


def test_a_codebook_csv_with_a_cycle_imports_nothing(world: World) -> None:
    csv = "name,parent,definition\nA,C,first\nB,A,second\nC,B,third\n"
    before = Code.objects.count()
    response = _lead(world).post(
        reverse("codebook", args=[world.study.pk]),
        {"import": "1", "file": SimpleUploadedFile("codes.csv", csv.encode())},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "has a cycle" in body
    assert Code.objects.count() == before


def test_a_codebook_csv_adds_a_hierarchy(world: World) -> None:
    csv = (
        "name,parent,definition,use_when,colour\n"
        "Nights,Time costs,Night calls,,#112233\n"
        "Time costs,Harm,Hours the role takes,When hours are named,\n"
    )
    response = _lead(world).post(
        reverse("codebook", args=[world.study.pk]),
        {"import": "1", "file": SimpleUploadedFile("codes.csv", csv.encode())},
    )
    assert response.status_code == 302
    nights = Code.objects.get(name="Nights")
    assert nights.parent.name == "Time costs" and nights.parent.parent == world.codes["Harm"]
    assert nights.colour == "#112233"


def test_saving_a_version_freezes_a_snapshot_and_opens_the_next(world: World) -> None:
    version = services.codebook_version_save(
        codebook=world.study.codebook, by=world.lead, note="Pilot"
    )
    assert version.number == 1 and len(version.snapshot) == 6
    services.code_create(codebook=world.study.codebook, by=world.lead, name="New")
    assert services.open_version(world.study.codebook).number == 2
    assert Code.objects.get(name="New").changes.get().version.number == 2
    page = _lead(world).get(reverse("codebook", args=[world.study.pk])).content.decode()
    assert "Version 1" in page and "Pilot" in page and "Added “New”" in page
