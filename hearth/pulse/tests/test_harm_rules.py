"""Directors set their program's early-warning thresholds on a page, not in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hearth.pulse.models import HarmRuleSettings
from hearth.pulse.selectors import harm_rules_for
from hearth.testing import PASSWORD

pytestmark = pytest.mark.django_db

GOOD = {"load_ratio": "2", "harm_rise": "0.8", "harm_level": "4", "overdue_share": "0.6"}


def test_director_sets_the_rules_and_the_warning_follows_them(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    url = reverse("harm_rules", args=[school.program.slug])
    page = client.get(url)
    assert page.status_code == 200 and "Early-warning rules" in page.content.decode()
    assert client.post(url, GOOD).status_code == 302
    rules = harm_rules_for(school.program)
    assert (rules.load_ratio, rules.harm_level, rules.flag_without_co_mentor) == (2, 4, False)


def test_a_value_out_of_range_is_named_and_changes_nothing(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    url = reverse("harm_rules", args=[school.program.slug])
    response = client.post(url, {**GOOD, "harm_level": "9"})
    assert response.status_code == 400
    assert "Choose a value from 1 to 5." in response.content.decode()
    assert not HarmRuleSettings.objects.exists()


def test_mentors_and_outsiders_cannot_see_or_change_the_rules(client, school):
    url = reverse("harm_rules", args=[school.program.slug])
    for person in (school.mentor_a1, school.outsider):
        client.login(email=person.email, password=PASSWORD)
        assert client.get(url).status_code == 404
        assert client.post(url, GOOD).status_code == 404
    assert not HarmRuleSettings.objects.exists()
