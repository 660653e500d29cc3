"""The harm warning reads each mentor's last two "harmed" scores, oldest first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hearth.communities.models import MemberRole
from hearth.communities.services import membership_start
from hearth.pulse import services
from hearth.pulse.models import PulseResponse
from hearth.pulse.scoring import load_item_bank
from hearth.pulse.selectors import _harmed_scores
from hearth.testing import START, make_person

pytestmark = pytest.mark.django_db

BANK = load_item_bank()
TODAY = timezone.localdate()


def answers(harmed: int) -> dict[str, int]:
    chosen = {item.key: 4 for item in BANK.items}
    chosen.update({item.key: harmed for item in BANK.items_for("harmed")})
    return chosen


def harmed_score(harmed: int) -> float:
    # Two harm items answered `harmed`, the reversed third scored 6 - harmed.
    return (harmed + 6) / 3


def test_the_last_two_harmed_scores_oldest_first(school):
    autumn, winter, spring = (
        services.wave_open(
            program=school.program,
            label=label,
            opens_on=TODAY - dt.timedelta(days=days_ago),
            closes_on=TODAY + dt.timedelta(days=14),
            invite=False,
        )
        for label, days_ago in (("Autumn", 60), ("Winter", 30), ("Spring", 0))
    )
    # Answered out of order: the waves' order counts, not the order of answering.
    for wave, harmed in ((spring, 5), (autumn, 1), (winter, 3)):
        services.response_submit(wave=wave, person=school.mentor_a1, answers=answers(harmed))
    # A latest response without the harm items (fewer than half answered) gives no score,
    # so the two before it are read.
    services.response_submit(wave=autumn, person=school.mentor_a2, answers=answers(2))
    services.response_submit(wave=winter, person=school.mentor_a2, answers=answers(4))
    unanswered = {item.key: 5 for item in BANK.items if item not in BANK.items_for("harmed")}
    PulseResponse.objects.create(wave=spring, person=school.mentor_a2, answers=unanswered)
    services.response_submit(wave=spring, person=school.mentor_b1, answers=answers(2))
    skipper = make_person("Sasha Skipper")
    membership_start(
        group=school.group_b1, person=skipper, role=MemberRole.MENTOR, start_date=START
    )
    services.response_skip(wave=spring, person=skipper)

    mentors = [school.mentor_a1.pk, school.mentor_a2.pk, school.mentor_b1.pk, skipper.pk]
    assert _harmed_scores(school.program, mentors, BANK) == {
        school.mentor_a1.pk: (harmed_score(3), harmed_score(5)),
        school.mentor_a2.pk: (harmed_score(2), harmed_score(4)),
        school.mentor_b1.pk: (harmed_score(2),),
    }
    # Only the mentors asked about.
    assert set(_harmed_scores(school.program, [school.mentor_b1.pk], BANK)) == {school.mentor_b1.pk}
