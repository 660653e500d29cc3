"""Check-ins through the services and pages people use, on the test school."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import MemberRole
from hearth.communities.services import membership_start
from hearth.pulse import services
from hearth.pulse.models import PulseResponse
from hearth.pulse.scoring import load_item_bank, scale_reliability
from hearth.pulse.selectors import my_trend, program_pulse
from hearth.testing import PASSWORD, START, make_person

pytestmark = pytest.mark.django_db

BANK = load_item_bank()
TODAY = timezone.localdate()


def answers(value: int, harmed: int | None = None) -> dict[str, int]:
    """Every item answered `value` (the harm items `harmed`), as a person would tick them."""
    chosen = {item.key: value for item in BANK.items}
    if harmed is not None:
        chosen.update({item.key: harmed for item in BANK.items_for("harmed")})
    return chosen


def _wave(school, label="Autumn", days_ago=0):
    return services.wave_open(
        program=school.program,
        label=label,
        opens_on=TODAY - dt.timedelta(days=days_ago),
        closes_on=TODAY + dt.timedelta(days=14),
    )


def test_opening_a_wave_invites_each_current_mentor(
    school, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _wave(school)
    invited = sorted(m["To"] for m in smtp_server.messages if "check-in" in m["Subject"])
    assert invited == sorted(
        p.email for p in (school.mentor_a1, school.mentor_a2, school.mentor_b1)
    )
    assert "two-minute check-in" in smtp_server.messages[0]["Subject"]
    with pytest.raises(ValidationError, match="already has a check-in"):
        _wave(school)


def test_a_check_in_needs_every_statement_a_valid_answer_and_a_current_mentor(school):
    wave = _wave(school)
    partial = answers(4)
    partial.pop("connected_2")
    with pytest.raises(ValidationError, match="colleagues in my learning community"):
        services.response_submit(wave=wave, person=school.mentor_a1, answers=partial)
    with pytest.raises(ValidationError, match="choose 1 to 5, not 7"):
        services.response_submit(wave=wave, person=school.mentor_a1, answers=answers(7))
    with pytest.raises(ValidationError, match="choose 1 to 5, not True"):
        services.response_submit(wave=wave, person=school.mentor_a1, answers=answers(True))
    with pytest.raises(ValidationError, match="current mentors"):
        services.response_submit(wave=wave, person=school.learner_a1, answers=answers(4))
    assert not PulseResponse.objects.exists()
    services.response_submit(wave=wave, person=school.mentor_a1, answers=answers(2))
    services.response_submit(wave=wave, person=school.mentor_a1, answers=answers(4))
    response = PulseResponse.objects.get()
    assert response.answers["professional_1"] == 4, "an open check-in can be changed"
    assert response.community == school.house_a


def test_a_closed_check_in_takes_no_answers(school):
    wave = services.wave_open(
        program=school.program,
        label="Last spring",
        opens_on=TODAY - dt.timedelta(days=200),
        closes_on=TODAY - dt.timedelta(days=150),
    )
    with pytest.raises(ValidationError, match="closed"):
        services.response_skip(wave=wave, person=school.mentor_a1)


def test_the_mentor_sees_their_own_scores_with_reversed_items_turned_round(school):
    wave = _wave(school)
    chosen = answers(4, harmed=2)
    chosen["professional_3"] = 1  # "Mentoring has added little to my own skills." reversed: 5
    services.response_submit(wave=wave, person=school.mentor_a1, answers=chosen)
    trend = my_trend(school.mentor_a1, BANK)
    by_theme = {row.theme.key: row.cells[0].value for row in trend.rows}
    # professional: 4, 4 and the reversed 1 → 5: mean 13/3.
    assert by_theme["professional"] == pytest.approx(13 / 3)
    # connected: 4, 4 and the reversed 4 → 2: mean 10/3.
    assert by_theme["connected"] == pytest.approx(10 / 3)
    # harmed: 2, 2 and the reversed 2 → 4: mean 8/3 (higher means more harm).
    assert by_theme["harmed"] == pytest.approx(8 / 3)


def _more_mentors(school, count: int, group) -> list:
    people = []
    for number in range(count):
        person = make_person(f"Extra Mentor{number} {group.name}")
        membership_start(group=group, person=person, role=MemberRole.MENTOR, start_date=START)
        people.append(person)
    return people


def test_directors_see_only_cells_of_five_or_more_and_never_free_text(school, client):
    house_a = [school.mentor_a1, school.mentor_a2, *_more_mentors(school, 4, school.group_a1)]
    house_b = [school.mentor_b1, *_more_mentors(school, 1, school.group_b1)]
    early = services.wave_open(
        program=school.program,
        label="Summer",
        opens_on=TODAY - dt.timedelta(days=3),
        closes_on=TODAY,
    )
    for person in house_a[:3]:
        services.response_submit(wave=early, person=person, answers=answers(3))
    wave = _wave(school)
    for person in house_a + house_b:
        services.response_submit(
            wave=wave, person=person, answers=answers(4), free_text="A private worry about Lena"
        )
    pulse = program_pulse(school.program)
    professional = next(row for row in pulse.over_time if row.theme.key == "professional")
    summer, autumn = professional.cells
    assert not summer.shown and summer.value is None and summer.reason == "too few to show"
    # 4, 4 and the reversed 4 → 2 for every mentor: 10/3.
    assert autumn.shown and autumn.value == pytest.approx(10 / 3) and autumn.respondents == 8
    by_community = {c.key: c for c in pulse.by_community[0].cells}
    assert not by_community["Blackwell House"].shown  # 2 answers
    # Apgar (6 answers) is hidden too, or the total would give Blackwell away.
    assert not by_community["Apgar House"].shown
    assert by_community["Apgar House"].reason.startswith("hidden so a smaller cell")

    client.login(email=school.director.email, password=PASSWORD)
    page = client.get(reverse("program_pulse", args=[school.program.slug])).content.decode()
    assert "too few to show" in page and "3.3" in page
    assert "private worry" not in page
    assert "Shown once the program has at least 30 answers" in page
    assert (
        client.get(reverse("program_pulse", args=[school.program.slug]) + "?wave=x").status_code
        == 404
    )


def test_reliability_appears_from_thirty_answers(school):
    mentors = _more_mentors(school, 27, school.group_a2) + [
        school.mentor_a1,
        school.mentor_a2,
        school.mentor_b1,
    ]
    wave = _wave(school)
    for index, person in enumerate(mentors):
        level = 1 + index % 5
        services.response_submit(wave=wave, person=person, answers=answers(level, harmed=6 - level))
    pulse = program_pulse(school.program)
    assert pulse.answered == 30
    assert set(pulse.reliability) == {theme.key for theme in BANK.themes}
    # The reversed item of each theme pulls against the others: alpha is defined, not perfect.
    assert all(alpha is not None and alpha < 1 for alpha in pulse.reliability.values())
    # Drawn from the answers scored once for the page, it is the public rule's figure.
    stored = [response.answers for response in PulseResponse.objects.filter(wave=wave)]
    assert pulse.reliability == scale_reliability(stored, BANK)


def test_a_mentor_answers_or_skips_from_the_page(school, client):
    wave = _wave(school)
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    page = client.get(reverse("pulse")).content.decode()
    assert "Autumn check-in" in page and BANK.notice in page
    assert "A two-minute check-in" in client.get(reverse("home")).content.decode()
    data = {item.key: "4" for item in BANK.items}
    data.pop("harmed_1")
    response = client.post(reverse("pulse_check_in", args=[wave.pk]), data)
    assert (
        response.status_code == 400
        and "Choose an answer for this statement." in response.content.decode()
    )
    data["harmed_1"] = "2"
    data["free_text"] = "Good term."
    assert client.post(reverse("pulse_check_in", args=[wave.pk]), data).status_code == 302
    assert PulseResponse.objects.get(person=school.mentor_a1).free_text == "Good term."
    page = client.get(reverse("pulse")).content.decode()
    assert "Your answers over time" in page and "<svg" in page
    client.login(email=school.mentor_b1.email, password=PASSWORD)
    client.post(reverse("pulse_check_in", args=[wave.pk]), {"skip": "1"})
    assert PulseResponse.objects.get(person=school.mentor_b1).skipped
    client.login(email=school.learner_a1.email, password=PASSWORD)
    assert client.post(reverse("pulse_check_in", args=[wave.pk]), {"skip": "1"}).status_code == 404


def test_those_who_have_not_answered_are_reminded_once_before_it_closes(
    school, smtp_server, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    wave = services.wave_open(
        program=school.program,
        label="Winter",
        opens_on=TODAY - dt.timedelta(days=10),
        closes_on=TODAY + dt.timedelta(days=2),
        invite=False,
    )
    services.response_submit(wave=wave, person=school.mentor_a1, answers=answers(4))
    services.response_skip(wave=wave, person=school.mentor_a2)
    assert services.reminders_send(today=TODAY - dt.timedelta(days=5)) == 0, "too early"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("pulse_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [m["To"] for m in smtp_server.messages] == [school.mentor_b1.email]
    assert "closes soon" in smtp_server.messages[0]["Subject"]
    assert services.reminders_send() == 0, "once per check-in"


def test_a_director_opens_a_check_in_from_the_page(school, client):
    client.login(email=school.director.email, password=PASSWORD)
    url = reverse("program_pulse", args=[school.program.slug])
    bad = {"label": "Spring", "opens_on": "2027-02-10", "closes_on": "2027-02-01"}
    response = client.post(url, bad)
    assert response.status_code == 400 and "close on or after" in response.content.decode()
    good = {"label": "Spring", "opens_on": "2027-02-01", "closes_on": "2027-02-21"}
    assert client.post(url, good).status_code == 302
    assert school.program.pulse_waves.get().label == "Spring"


def test_the_csv_and_the_api_show_no_more_than_the_page(school, client):
    import csv
    import io

    house_a = [school.mentor_a1, school.mentor_a2, *_more_mentors(school, 4, school.group_a1)]
    wave = _wave(school)
    for person in [*house_a, school.mentor_b1]:
        services.response_submit(wave=wave, person=person, answers=answers(4), free_text="secret")
    client.login(email=school.director.email, password=PASSWORD)
    body = client.get(reverse("program_pulse_csv", args=[school.program.slug])).content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert "secret" not in body
    program_row = next(
        r for r in rows if r["scope"] == school.program.name and r["theme"] == "harmed"
    )
    assert program_row["respondents"] == "7" and program_row["shown"] == "True"
    blackwell = next(r for r in rows if r["scope"] == "Blackwell House" and r["theme"] == "harmed")
    assert (
        blackwell["respondents"] == ""
        and blackwell["mean"] == ""
        and blackwell["note"] == "too few to show"
    )
    figures = client.get(f"/api/programs/{school.program.slug}/pulse").json()
    assert len(figures) == len(rows)
    api_apgar = next(f for f in figures if f["scope"] == "Apgar House" and f["theme"] == "harmed")
    assert api_apgar["respondents"] is None and api_apgar["mean"] is None and not api_apgar["shown"]
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    assert client.get(f"/api/programs/{school.program.slug}/pulse").status_code == 404


def test_the_early_warning_tells_the_mentor_privately_and_the_director_only_a_count(school, client):
    # mentor_a1 has two learners where the median mentor has one, and no co-mentor.
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    page = client.get(reverse("pulse")).content.decode()
    assert "You mentor 100 % more learners than most mentors here" in page
    assert "ask your director for a co-mentor" in page
    client.login(email=school.mentor_b1.email, password=PASSWORD)
    assert "A suggestion, just for you" not in client.get(reverse("pulse")).content.decode()
    client.login(email=school.director.email, password=PASSWORD)
    page = client.get(reverse("program_pulse", args=[school.program.slug])).content.decode()
    assert "Apgar House: fewer than 5" in page and "Blackwell House: none" in page
    assert "Mira Mentorone" not in page
