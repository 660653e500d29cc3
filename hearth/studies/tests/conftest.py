from __future__ import annotations

import pytest

from hearth.studies.tests.world import World, build_world


@pytest.fixture
def world(school) -> World:  # noqa: ANN001 - the shared school fixture
    return build_world(school)
