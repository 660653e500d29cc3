"""A director never sees a small group's pulse, and a mentor never sees another's check-ins."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import MemberRole
from hearth.communities.services import membership_start
from hearth.lib.suppression import DEFAULT_K
from hearth.pulse.scoring import load_item_bank, theme_scores
from hearth.pulse.services import response_submit, wave_open
from hearth.testing import START, School, make_person

BANK = load_item_bank()
TODAY = timezone.localdate()
LONE = {item.key: 1 for item in BANK.items}  # Blackwell's one mentor, unlike everyone else
USUAL = {item.key: 4 for item in BANK.items}


@pytest.fixture
def answered(school: School):  # noqa: ANN201
    """Six Apgar mentors and Blackwell's one answer the same check-in."""
    wave = wave_open(
        program=school.program,
        label="Autumn",
        opens_on=TODAY,
        closes_on=TODAY + dt.timedelta(days=14),
    )
    apgar = [school.mentor_a1, school.mentor_a2]
    for number in range(4):
        person = make_person(f"Extra Mentor{number}")
        membership_start(
            group=school.group_a1, person=person, role=MemberRole.MENTOR, start_date=START
        )
        apgar.append(person)
    for person in apgar:
        response_submit(wave=wave, person=person, answers=USUAL)
    response_submit(wave=wave, person=school.mentor_b1, answers=LONE, free_text="Mona's own worry")
    assert len(apgar) >= DEFAULT_K > 1
    return wave


def _figures(client, school: School) -> tuple[list[dict], list[dict]]:  # noqa: ANN001
    body = client.get(reverse("program_pulse_csv", args=[school.program.slug])).content.decode()
    api = client.get(f"/api/programs/{school.program.slug}/pulse").json()
    return list(csv.DictReader(io.StringIO(body))), api


def test_a_director_sees_no_figure_of_a_group_below_the_threshold(client, school, answered):
    client.force_login(school.director)
    rows, api = _figures(client, school)
    for figures, empty in ((rows, ""), (api, None)):
        for scope in ("Blackwell House", "Apgar House"):
            # Blackwell has one answer; Apgar is hidden too, or total minus Apgar = Blackwell.
            cells = [f for f in figures if f["scope"] == scope]
            assert cells and all(f["respondents"] == empty and f["mean"] == empty for f in cells)
    page = client.get(reverse("program_pulse", args=[school.program.slug])).content.decode()
    assert "too few to show" in page and "hidden so a smaller cell" in page


def test_the_lone_mentors_scores_cannot_be_read_or_worked_out_anywhere(client, school, answered):
    lone = {k: v for k, v in theme_scores(LONE, BANK).items() if v is not None}
    usual = theme_scores(USUAL, BANK)
    client.force_login(school.director)
    rows, api = _figures(client, school)
    page = client.get(reverse("program_pulse", args=[school.program.slug])).content.decode()
    for theme, value in lone.items():
        shown = [float(r["mean"]) for r in rows if r["theme"] == theme and r["mean"]]
        shown += [f["mean"] for f in api if f["theme"] == theme and f["mean"] is not None]
        assert all(m != pytest.approx(value, abs=0.01) for m in shown), theme
        # The program's mean mixes all seven; with Apgar hidden there is nothing to subtract.
        assert all(m != pytest.approx(usual[theme], abs=0.01) for m in shown), theme
    for body in (page, str(rows), str(api)):
        assert "Mona's own worry" not in body


def test_a_mentor_cannot_see_another_mentors_check_ins_nor_the_programs_figures(client, school):
    past = wave_open(
        program=school.program,
        label="Winter",
        opens_on=TODAY - dt.timedelta(days=30),
        closes_on=TODAY - dt.timedelta(days=20),
    )
    response_submit(
        wave=past,
        person=school.mentor_b1,
        answers=LONE,
        free_text="Mona's own worry",
        on=TODAY - dt.timedelta(days=25),
    )
    client.force_login(school.mentor_a1)
    own = client.get(reverse("pulse")).content.decode()
    assert "Winter" not in own and "Mona's own worry" not in own
    for url in (
        reverse("program_pulse", args=[school.program.slug]),
        reverse("program_pulse_csv", args=[school.program.slug]),
        f"/api/programs/{school.program.slug}/pulse",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("pulse_check_in", args=[past.pk]), {"skip": "1"}).status_code == 404
    # mentor_b1 sees their own, so the page above really would show it.
    client.force_login(school.mentor_b1)
    assert "Winter" in client.get(reverse("pulse")).content.decode()
