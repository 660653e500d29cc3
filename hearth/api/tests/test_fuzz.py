"""Fuzz the JSON API against its own OpenAPI schema with schemathesis: every operation, as a
director and as a learner, with generated and malformed input, through the real Django app
on a seeded school. No answer may be a 500 or stray from the schema (status code, content
type, body). Derandomized and bounded so CI sees the same examples every run; set
HEARTH_FUZZ_EXAMPLES=200 for a deeper local run."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hearth.api.api import api
from hearth.api.services import api_token_create
from hearth.api.tests.conftest import ApiGet
from hearth.matching import services as matching
from hearth.matching.tests.factories import incoming_class
from hearth.serendipity import services as serendipity
from hearth.studies.tests.world import build_world, code
from hearth.testing import School

EXAMPLES = int(os.environ.get("HEARTH_FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}


@dataclass
class Seeded:
    # Real values for each path parameter, so generated calls reach rows, not only 404s.
    path_values: dict[str, list[Any]]


@pytest.fixture
def seeded(school: School) -> Seeded:
    circle = serendipity.circle_create(
        program=school.program,
        created_by=school.director,
        name="Coffee across houses",
        first_round_at=timezone.now() + dt.timedelta(days=2),
    )
    for name in ["mentor_a1", "mentor_b1", "learner_a1", "learner_b1"]:
        serendipity.circle_join(circle=circle, person=school.persona(name))
    serendipity.round_run(circle=circle)
    world = build_world(school)
    code(world, world.lead, world.source, "it keeps me going", "Feeling rejuvenated")
    code(world, world.coder, world.source, "it keeps me going", "Feeling rejuvenated")
    incoming = incoming_class(school)
    run = matching.run_start(
        program=school.program, by=school.director, cohort=incoming.cohort, enqueue=False
    )
    run = matching.run_execute(run_id=run.pk)
    return Seeded(
        path_values={
            "slug": [school.program.slug],
            "community_id": [school.house_a.pk, school.house_b.pk],
            "group_id": [school.group_a1.pk, school.group_b1.pk],
            "person_id": [school.director.pk, school.learner_a1.pk, school.mentor_b1.pk],
            "circle_id": [circle.pk],
            "run_id": [run.pk],
            "study_id": [world.study.pk],
        }
    )


@pytest.fixture
def app(settings: Any) -> Iterator[WSGIHandler]:
    # Like Django's test client: the test's transaction spans every request, so requests
    # must not close the connection under it.
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _strategy(label: str, seeded: Seeded) -> st.SearchStrategy[Any]:
    operation = OPERATIONS[label]
    names = [p.name for p in operation.path_parameters]
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if names:
        for values in itertools.product(*(seeded.path_values[n] for n in names)):
            strategies.append(
                operation.as_strategy(
                    GenerationMode.POSITIVE, path_parameters=dict(zip(names, values, strict=True))
                )
            )
    return st.one_of(strategies)


def _fuzz(label: str, seeded: Seeded, app: WSGIHandler, headers: dict[str, str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(label, seeded))
    def run(case: Any) -> None:
        case.call_and_validate(app=app, headers=headers, checks=CHECKS)

    run()


@pytest.mark.parametrize("persona", ["director", "learner_a1"])
def test_every_operation_answers_within_its_schema(
    persona: str, school: School, seeded: Seeded, app: WSGIHandler
) -> None:
    _, secret = api_token_create(person=school.persona(persona), name="fuzz")
    headers = {"Authorization": f"Bearer {secret}"}
    failures = []
    for label in OPERATIONS:
        try:
            _fuzz(label, seeded, app, headers)
        except (AssertionError, BaseExceptionGroup) as error:  # collect every operation's
            failures.append(f"{label}: {error}")
    assert not failures, "\n\n".join(failures)


def test_the_schema_lists_every_operation() -> None:
    # A guard that the fuzz test above is not quietly fuzzing nothing.
    assert "GET /api/programs" in OPERATIONS
    assert "POST /api/programs/{slug}/matches" in OPERATIONS
    assert len(OPERATIONS) >= 20


# What the fuzzing found (each a 500 before): numbers past 64 bits overflowed the database.
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("programs", {"page": 10**24}),
        ("people", {"page": 2**62}),
        ("memberships", {"group": 10**24}),
        (f"people/{10**24}", {}),
        (f"studies/{-(10**21)}/agreement", {}),
        (f"studies/{10**24}/segments", {}),
        (f"matches/{10**24}", {}),
    ],
)
def test_numbers_too_big_for_the_database_answer_422(
    api_get: ApiGet, path: str, params: dict[str, int]
) -> None:
    response = api_get("director", path, **params)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["type"] in ("less_than_equal", "greater_than_equal")
