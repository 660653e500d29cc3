"""Mentoring rounds and re-matches through the pages a director uses."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hearth.communities.models import GroupMembership
from hearth.matching import services
from hearth.matching.models import MatchRun, MentoringRound, RoundParticipant, RunKind, RunStatus
from hearth.matching.tests.factories import BALANCE_WOMEN, incoming_class
from hearth.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_director_creates_a_round_adds_people_and_runs_it(
    client, school, django_capture_on_commit_callbacks
):
    client.login(email=school.director.email, password=PASSWORD)
    response = client.post(
        reverse("mentoring_round_new", args=[school.program.slug]),
        {
            "name": "2027 intake",
            "starts_on": "2027-01-04",
            "policy": "stable",
            "relationship_kind": "career",
        },
    )
    round_ = MentoringRound.objects.get()
    assert response["Location"] == reverse("mentoring_round", args=[round_.pk])
    url = reverse("mentoring_round", args=[round_.pk])
    for person, side in ((school.mentor_a1, "mentor"), (school.mentor_b1, "mentee")):
        added = client.post(
            url,
            {
                "p-person": person.email,
                "p-side": side,
                "p-capacity": 2,
                "p-division": "",
                "p-statement": "Research and teaching",
            },
        )
        assert added.status_code == 302
    assert RoundParticipant.objects.count() == 2
    unknown = client.post(
        url, {"p-person": "ghost@example.edu", "p-side": "mentee", "p-capacity": 1}
    )
    assert "Nobody in Hearth has the email ghost@example.edu" in unknown.content.decode()
    page = client.get(url).content.decode()
    assert "Mira Mentorone" in page and "Mona Mentorthree" in page
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            url,
            {
                "m-policy": "stable",
                "m-tag_weight": 50,
                "m-text_weight": 30,
                "m-preference_weight": 20,
            },
        )
    run = MatchRun.objects.get()
    assert started["Location"] == reverse("match_run", args=[run.pk])
    assert run.kind == RunKind.MENTORING and run.status == RunStatus.READY
    page = client.get(started["Location"]).content.decode()
    assert "Stable: no mentee and mentor would both rather" in page
    assert "Mona Mentorthree" in page and "Mira Mentorone" in page


def test_a_director_re_matches_from_a_published_run(
    client, school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    school.group_b1.capacity = 8
    school.group_b1.save()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(
            program=school.program,
            by=school.director,
            cohort=incoming.cohort,
            settings=BALANCE_WOMEN,
        )
    run = services.run_publish(run=MatchRun.objects.get(pk=run.pk), by=school.director)
    client.login(email=school.director.email, password=PASSWORD)
    page = client.get(reverse("match_run", args=[run.pk])).content.decode()
    assert "A mentor is leaving" in page
    leaving = run.placements.values_list("group_id", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("match_rematch", args=[run.pk]), {"group": leaving})
    rematch = MatchRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == reverse("match_run", args=[rematch.pk])
    assert rematch.rematch_of == run and rematch.status == RunStatus.READY
    page = client.get(response["Location"]).content.decode()
    assert "only their learners move" in page and "learners moved" in page
    client.post(reverse("match_publish", args=[rematch.pk]))
    moved = rematch.placements.values_list("learner_id", flat=True)
    assert not GroupMembership.objects.filter(
        person_id__in=moved, group_id=leaving, end_date__isnull=True
    ).exists()
