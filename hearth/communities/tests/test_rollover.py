from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hearth.communities import services
from hearth.communities.models import EndReason, GroupMembership, MemberRole
from hearth.testing import PASSWORD, START, make_person

YEAR_END = dt.date(2025, 5, 31)


@pytest.fixture
def senior(school):
    person = make_person("Sena Senior", class_year=2025, learner_year=4)
    services.membership_start(
        group=school.group_a2, person=person, role=MemberRole.LEARNER, start_date=START
    )
    return person


def test_rollover_graduates_final_year_and_moves_others_up(school, senior):
    plan = services.rollover_apply(program=school.program, on=YEAR_END)
    assert [m.person for m in plan.graduating] == [senior]
    ended = GroupMembership.objects.get(person=senior)
    assert (ended.end_date, ended.end_reason) == (YEAR_END, EndReason.GRADUATED)
    school.learner_a1.refresh_from_db()
    assert school.learner_a1.learner_year == 2
    assert not senior.mentored_by.filter(end_date__isnull=True).exists()


def test_rollover_twice_in_a_year_is_refused(school, senior):
    services.rollover_apply(program=school.program, on=YEAR_END)
    with pytest.raises(ValidationError, match="already closed"):
        services.rollover_apply(program=school.program, on=YEAR_END + dt.timedelta(days=3))
    school.learner_a1.refresh_from_db()
    assert school.learner_a1.learner_year == 2


def test_preview_page_changes_nothing_and_confirm_applies(client, school, senior):
    client.login(email=school.director.email, password=PASSWORD)
    url = reverse("rollover", args=[school.program.slug])
    preview = client.get(url, {"on": "2025-05-31"})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "1</strong> graduate" in body and "Apgar 2" in body
    assert GroupMembership.objects.get(person=senior).is_open
    response = client.post(url, {"on": "2025-05-31"})
    assert response.status_code == 302
    assert not GroupMembership.objects.get(person=senior).is_open


def test_rollover_page_is_for_program_directors_only(client, school):
    for person in (school.house_director, school.mentor_a1, school.learner_a1):
        client.login(email=person.email, password=PASSWORD)
        assert client.get(reverse("rollover", args=[school.program.slug])).status_code == 404
