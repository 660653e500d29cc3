"""Every matching page and action is for the program's directors: anyone else gets 404 and
changes nothing, whether they look or post."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from hearth.matching import services
from hearth.matching.models import (
    MatchConflict,
    MatchRun,
    MentoringRound,
    PreferenceWindow,
    RunStatus,
)
from hearth.matching.tests.factories import incoming_class
from hearth.testing import PASSWORD

pytestmark = pytest.mark.django_db

NOT_DIRECTORS = [
    "house_director",
    "mentor_a1",
    "learner_a1",
    "evaluator",
    "facilitator",
    "outsider",
]


@pytest.fixture
def ready(school):
    incoming = incoming_class(school)
    run = services.run_start(
        program=school.program, by=school.director, cohort=incoming.cohort, enqueue=False
    )
    run = services.run_execute(run_id=run.pk)
    round_ = services.round_create(
        program=school.program, name="Pairs", starts_on=dt.date(2027, 1, 4)
    )
    return run, round_


def _posts(school, run, round_):
    placement = run.placements.first()
    slug = school.program.slug
    return [
        (reverse("matching", args=[slug]), {"cohort": run.cohort_id, "preference_weight": 1}),
        (
            reverse("match_override", args=[run.pk]),
            {"placement": placement.pk, "group": school.group_b1.pk},
        ),
        (reverse("match_publish", args=[run.pk]), {}),
        (reverse("match_rematch", args=[run.pk]), {"group": school.group_a1.pk}),
        (
            reverse("match_rules", args=[slug]),
            {
                "conflict-learner": school.learner_a1.email,
                "conflict-mentor": school.mentor_b1.email,
                "conflict-kind": "other",
            },
        ),
        (reverse("match_preferences", args=[slug, run.cohort_id]), {}),
        (reverse("mentoring_round_new", args=[slug]), {"name": "x", "starts_on": "2027-01-01"}),
        (reverse("mentoring_round", args=[round_.pk]), {"m-policy": "fit", "m-tag_weight": 1}),
        (reverse("match_pair_override", args=[run.pk]), {"mentee": 1, "mentor": "none"}),
        (reverse("match_run_again", args=[run.pk]), {}),
        (
            reverse("match_preference_window", args=[slug, run.cohort_id]),
            {"closes_on": "2099-01-01"},
        ),
        (reverse("round_preferences", args=[round_.pk]), {}),
    ]


@pytest.mark.parametrize("persona", NOT_DIRECTORS)
def test_everyone_but_directors_gets_404_on_every_action(client, school, ready, persona):
    run, round_ = ready
    client.login(email=school.persona(persona).email, password=PASSWORD)
    for url, data in _posts(school, run, round_):
        assert client.post(url, data).status_code == 404, url
    assert MatchRun.objects.count() == 1
    assert MatchRun.objects.get().status == RunStatus.READY
    assert not MatchConflict.objects.exists()
    assert MentoringRound.objects.count() == 1
    assert not PreferenceWindow.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, school, ready):
    run, round_ = ready
    for url, data in _posts(school, run, round_):
        response = client.post(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_directors_of_another_program_get_404(client, school, ready):
    from hearth.communities.models import Program
    from hearth.people.models import Role, RoleGrant
    from hearth.testing import make_person

    other = Program.objects.create(name="Physician Assistant LC", slug="pa-lc")
    elsewhere = make_person("Pat Otherdirector")
    RoleGrant.objects.create(person=elsewhere, role=Role.PROGRAM_DIRECTOR, program=other)
    run, round_ = ready
    client.login(email=elsewhere.email, password=PASSWORD)
    assert client.get(reverse("match_run", args=[run.pk])).status_code == 404
    assert client.get(reverse("mentoring_round", args=[round_.pk])).status_code == 404
    for url, data in _posts(school, run, round_):
        assert client.post(url, data).status_code == 404, url
