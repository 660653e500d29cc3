"""Pages issue a bounded number of SQL queries whatever the data size: each main page and API
list asks the database as many times with ten times the demo school as with the demo."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hearth.demo_scale import FRAME, FRAME_WITH_GROUPS, main_pages, multiply_demo
from hearth.meetings.models import Meeting
from hearth.people.models import Person
from hearth.serendipity.models import PairingMember

API_MOST_ITEMS = 100  # the API's largest page


def _queries_per_page() -> dict[str, int]:
    counts = {}
    for page in main_pages():
        client = Client()
        client.force_login(Person.objects.get(email=page.email))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.path)
        assert response.status_code == 200, f"{page.name}: {response.status_code}"
        if page.path.startswith("/api/") and "items" in (body := response.json()):
            assert len(body["items"]) <= API_MOST_ITEMS, f"{page.name} is not paged"
        counts[page.name] = len(queries)
    return counts


@pytest.mark.parametrize(
    "frame", [FRAME, FRAME_WITH_GROUPS], ids=["ten times the groups", "groups ten times as large"]
)
def test_main_pages_and_api_lists_ask_the_same_number_of_queries_at_ten_times_the_data(
    demo, frame: frozenset[str]
):
    mentor = Person.objects.get(email__startswith="mentor@")
    group = mentor.memberships.get(end_date=None).group
    learners = group.memberships.filter(role="learner", end_date=None).count()
    people, meetings, pairings = (
        Person.objects.count(),
        Meeting.objects.count(),
        PairingMember.objects.count(),
    )
    at_demo_size = _queries_per_page()

    multiply_demo(10, frame=frame)
    assert Person.objects.count() == 10 * people
    assert Meeting.objects.count() == 10 * meetings
    assert PairingMember.objects.count() == 10 * pairings
    copy = Person.objects.get(email=mentor.email.replace("@", ".c9@"))
    if frame == FRAME_WITH_GROUPS:
        # The copies join the same groups: a mentor's group is ten times as large.
        assert group.memberships.filter(role="learner", end_date=None).count() == 10 * learners
        assert copy.memberships.get(end_date=None).group == group
    else:
        # Each copy has its own group, as large as the demo's.
        copied_group = copy.memberships.get(end_date=None).group
        assert copied_group != group
        assert copied_group.community_id == group.community_id
        assert copied_group.memberships.filter(role="learner", end_date=None).count() == learners
    # The id sequences were moved past the copies.
    newcomer = Person.objects.create(email="newcomer@example.edu", display_name="Newcomer")
    assert newcomer.pk > copy.pk
    at_ten_times = _queries_per_page()

    grown = {
        name: (at_demo_size[name], count)
        for name, count in at_ten_times.items()
        if count != at_demo_size[name]
    }
    assert not grown, f"queries grew with the data (demo, ten times): {grown}"
    assert len(at_demo_size) >= 30
