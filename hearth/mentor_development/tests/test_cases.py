"""The case library, and responses the cohort sees only once the session starts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from hearth.mentor_development.models import CaseResponse, MentoringCase
from hearth.mentor_development.selectors import series as selectors
from hearth.mentor_development.services import series as services
from hearth.pulse.scoring import load_competency_bank

from .series_world import enrol, make_series, sessions_of

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 1, 12, 15, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def test_the_library_ships_short_scenarios_tagged_by_competency():
    library = json.loads(services.CASES_FIXTURE.read_text(encoding="utf-8"))
    cases = library["cases"]
    assert len(cases) >= 6
    themes = {theme.key for theme in load_competency_bank().themes}
    for case in cases:
        assert case["questions"] and all(q.strip() for q in case["questions"]), case["slug"]
        assert case["domains"] and set(case["domains"]) <= themes, case["slug"]
        assert 200 < len(case["scenario"]) < 1500, case["slug"]
    scenarios = " ".join(c["scenario"] for c in cases)
    assert "never once turned the camera on" in scenarios
    assert "shared agenda" in scenarios and "nothing personal" in scenarios.lower()
    assert "Dr. Brooks told her to say no" in scenarios and "Dr. Mendez told her to say yes" in (
        scenarios
    )
    assert len({c["slug"] for c in cases}) == len(cases)


def test_the_library_loads_as_hearths_own_cases_and_loading_again_changes_nothing():
    # The data migration loaded them; a test database flushed by another test may not have.
    count = services.case_library_load()
    assert MentoringCase.objects.filter(program__isnull=True).count() == count
    services.case_library_load()
    assert MentoringCase.objects.filter(program__isnull=True).count() == count
    camera = MentoringCase.objects.get(program__isnull=True, slug="camera-always-off")
    assert camera.title == "The camera that never comes on"
    assert "communication" in camera.domains


def test_a_program_adds_its_own_case_and_cannot_edit_hearths(school):
    services.case_library_load()
    case = services.case_create(
        program=school.program,
        title="The silent group",
        scenario="Nobody speaks in the first ten minutes of a virtual group session.",
        questions=["What would you try first?", "  "],
        domains=["communication"],
    )
    assert case.slug == "the-silent-group" and case.questions == ["What would you try first?"]
    again = services.case_create(
        program=school.program,
        title="The silent group",
        scenario="Another take.",
        questions=["Why?"],
        domains=[],
    )
    assert again.slug == "the-silent-group-2"
    with pytest.raises(ValidationError, match="Unknown competency domain"):
        services.case_create(
            program=school.program, title="X", scenario="Y", questions=["Z"], domains=["charm"]
        )
    hearths = MentoringCase.objects.filter(program__isnull=True).first()
    with pytest.raises(ValidationError, match="cannot be edited"):
        services.case_update(
            case=hearths, title="Mine now", scenario="x", questions=["y"], domains=[]
        )


@pytest.fixture
def session(school):
    services.case_library_load()
    series = make_series(school, first=START, sessions=2)
    enrol(series, school.mentor_a1, school.mentor_a2, by=school.director)
    first = sessions_of(series)[0]
    case = MentoringCase.objects.get(program__isnull=True, slug="camera-always-off")
    services.session_case_attach(session=first, case=case)
    return first


def respond(session, person, body, now=START - dt.timedelta(hours=2)):
    return services.case_response_save(
        session=session, case=session.cases.get(), person=person, body=body, now=now
    )


def test_a_trainee_posts_and_edits_a_response_before_the_session(school, session):
    first = respond(session, school.mentor_a1, "Ask what would make video easier.")
    edited = respond(session, school.mentor_a1, "Ask, and offer a phone call instead.")
    assert first.pk == edited.pk and edited.body == "Ask, and offer a phone call instead."
    with pytest.raises(ValidationError, match="responses are closed"):
        respond(session, school.mentor_a1, "Too late", now=START)
    with pytest.raises(ValidationError, match="not enrolled"):
        respond(session, school.mentor_b1, "Not mine to answer")
    assert CaseResponse.objects.count() == 1


def test_responses_reach_the_cohort_only_once_the_session_starts(school, session):
    respond(session, school.mentor_a1, "Mira's answer")
    respond(session, school.mentor_a2, "Mateo's answer")
    before = START - MINUTE

    def seen(person, now):
        [block] = selectors.session_page(session, person, now).cases
        return [r.body for r in block.responses], block.waiting

    assert seen(school.mentor_a1, before) == (["Mira's answer"], 1)
    assert seen(school.mentor_a2, before) == (["Mateo's answer"], 1)
    assert seen(school.facilitator, before) == ([], 2)
    assert seen(school.director, before) == ([], 2)

    both = ["Mira's answer", "Mateo's answer"]
    for person in [school.mentor_a1, school.mentor_a2, school.facilitator, school.director]:
        assert seen(person, START) == (both, 0), person
    # Not in the cohort: a mentor of the program who is not enrolled sees none of them.
    assert seen(school.mentor_b1, START) == ([], 0)


def test_a_case_with_responses_stays_attached(school, session):
    respond(session, school.mentor_a1, "An answer")
    with pytest.raises(ValidationError, match="stays with the session"):
        services.session_case_detach(session=session, case=session.cases.get())
