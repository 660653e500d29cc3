from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from hearth.people.models import Person
from hearth.serendipity.models import Circle, Contact, DropIn, RoundAbsence
from hearth.serendipity.selectors import circle_summary, current_pairings


def test_demo_accounts_find_a_running_round_past_contacts_and_an_open_door(demo, client):
    coffee = Circle.objects.get(name="Coffee across houses")
    summary = circle_summary(coffee)
    assert summary.rounds == 5 and summary.repeats == 0
    assert summary.cross_share > summary.random_cross_share
    assert RoundAbsence.objects.filter(round__circle=coffee, reason="paused").exists()
    for prefix in ("learner@", "mentor@", "director@"):
        person = Person.objects.get(email__startswith=prefix)
        assert current_pairings(person), f"{prefix} has no introduction this round"
    mentor = Person.objects.get(email__startswith="mentor@")
    assert Contact.objects.filter(pairing__members__person=mentor).exists()
    assert DropIn.objects.filter(
        host=mentor, starts_at__lte=timezone.now(), ends_at__gt=timezone.now()
    ).exists()
    client.force_login(Person.objects.get(email__startswith="learner@"))
    home = client.get(reverse("home")).content.decode()
    assert "Someone new to meet" in home and "has an open door now" in home
