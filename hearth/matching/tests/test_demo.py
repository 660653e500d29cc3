"""The demo shows matching alive: last years' runs, this year's draft, and each demo
account's own view of where the match put them."""

from __future__ import annotations

import re

from django.urls import reverse

from hearth.matching.models import MatchRun, RunKind, RunStatus
from hearth.people.models import Person


def test_demo_accounts_see_the_match(demo, client):
    runs = list(MatchRun.objects.order_by("created_at"))
    placements = [r for r in runs if r.kind == RunKind.PLACEMENT]
    assert [r.status for r in placements] == [
        RunStatus.PUBLISHED,
        RunStatus.PUBLISHED,
        RunStatus.READY,
    ]
    draft = placements[-1]
    assert draft.placements.count() >= 140 and draft.proven_optimal
    mentoring = next(r for r in runs if r.kind == RunKind.MENTORING)
    assert mentoring.status == RunStatus.PUBLISHED and not mentoring.unmatched

    director = Person.objects.get(email__startswith="director@")
    client.force_login(director)
    home = client.get(reverse("home")).content.decode()
    assert "Matching" in home
    page = client.get(reverse("matching", args=[draft.program.slug])).content.decode()
    assert page.count("Published") >= 2 and "Proposal ready for review" in page
    assert "Open until" in page, "the incoming class can still rank its houses"
    review = client.get(reverse("match_run", args=[draft.pk])).content.decode()
    assert "Proven optimal" in review and "Share of women" in review
    assert "Publish and email everyone" in review

    client.force_login(Person.objects.get(email__startswith="learner@"))
    home = client.get(reverse("home")).content.decode()
    assert re.search(r"Placed by the \d{4} match", home)
    assert "community preference" in home

    client.force_login(Person.objects.get(email__startswith="mentor@"))
    home = client.get(reverse("home")).content.decode()
    assert "Placed in your groups by the match" in home
    assert "Matched in Mentoring the Mentors" in home
