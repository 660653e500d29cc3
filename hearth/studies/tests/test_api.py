"""The studies router (mounted by hearth.api): the team reads, everyone else gets 404."""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from hearth.studies.api import router
from hearth.studies.tests.world import World, code


@pytest.fixture
def api() -> TestClient:
    return TestClient(router)


def test_my_studies_lists_only_the_callers(api: TestClient, world: World) -> None:
    [study] = api.get("/studies", user=world.coder).json()
    assert study["title"] == "Meaning in the mentor role" and study["role"] == "coder"
    assert api.get("/studies", user=world.school.outsider).json() == []


def test_agreement_and_segments_for_the_team(api: TestClient, world: World) -> None:
    code(world, world.lead, world.source, "it keeps me going", "Feeling rejuvenated")
    code(world, world.coder, world.source, "it keeps me going", "Feeling rejuvenated")
    body = api.get(f"/studies/{world.study.pk}/agreement?unit=character", user=world.viewer).json()
    assert body["rows"][-1]["code"] is None and body["rows"][-1]["percent"] == 100.0
    assert 0 < body["rows"][-1]["uncoded_share"] < 1
    [segment] = api.get(f"/studies/{world.study.pk}/segments", user=world.coder).json()
    assert segment["text"] == "it keeps me going"
    assert world.source.text[segment["start"] : segment["end"]] == "it keeps me going"


def test_outsiders_get_404(api: TestClient, world: World) -> None:
    for path in (f"/studies/{world.study.pk}/agreement", f"/studies/{world.study.pk}/segments"):
        assert api.get(path, user=world.school.outsider).status_code == 404
