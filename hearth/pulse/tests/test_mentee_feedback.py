"""Learners rate their mentoring; the mentor sees averages of three or more, never who."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import MemberRole, Relationship
from hearth.communities.services import membership_start
from hearth.pulse import services
from hearth.pulse.models import MenteeFeedback
from hearth.pulse.scoring import load_competency_bank
from hearth.pulse.selectors import mentee_feedback_for_portfolio, my_mentee_feedback
from hearth.testing import PASSWORD, START, make_person

pytestmark = pytest.mark.django_db

BANK = load_competency_bank()
TODAY = timezone.localdate()


def ratings(value: int, **by_domain: int) -> dict[str, int]:
    chosen = {item.key: value for item in BANK.items}
    for domain, domain_value in by_domain.items():
        chosen.update({item.key: domain_value for item in BANK.items_for(domain)})
    return chosen


def relationship(school, learner):
    return Relationship.objects.get(mentee=learner, end_date__isnull=True)


def more_mentees(school, count: int):
    """Extra learners in Mira's group, so she can reach three raters."""
    people = []
    for number in range(count):
        person = make_person(f"Extra Learner{number}", class_year=2028, learner_year=1)
        membership_start(
            group=school.group_a1, person=person, role=MemberRole.LEARNER, start_date=START
        )
        people.append(person)
    return people


def past_term(school, label: str, days_ago: int):
    opens_on = TODAY - dt.timedelta(days=days_ago)
    return services.wave_open(
        program=school.program,
        label=label,
        opens_on=opens_on,
        closes_on=opens_on + dt.timedelta(days=14),
        invite=False,
    )


def rate(school, wave, learner, answers):
    return services.feedback_submit(
        wave=wave,
        relationship=relationship(school, learner),
        learner=learner,
        answers=answers,
        on=wave.opens_on,
    )


def test_the_bank_has_six_domains_each_item_in_a_mentee_and_a_mentor_wording() -> None:
    assert [t.label for t in BANK.themes] == [
        "Maintaining effective communication",
        "Aligning expectations",
        "Assessing understanding",
        "Addressing equity and inclusion",
        "Fostering independence",
        "Promoting professional development",
    ]
    for theme in BANK.themes:
        assert len(BANK.items_for(theme.key)) >= 2
    assert all(item.self_text and item.self_text != item.text for item in BANK.items)
    assert BANK.free_text == "", "no free text: words would say who wrote them"
    assert "not a validated instrument" in BANK.notice


def test_only_the_mentee_rates_only_while_the_term_is_open_and_answers_every_item(school):
    wave = past_term(school, "Spring", days_ago=3)
    mine = relationship(school, school.learner_a1)
    with pytest.raises(ValidationError, match="only your own mentoring"):
        services.feedback_submit(
            wave=wave, relationship=mine, learner=school.mate_a1, answers=ratings(4)
        )
    partial = ratings(4)
    partial.pop("equity_2")
    with pytest.raises(ValidationError, match="bias or belonging"):
        services.feedback_submit(
            wave=wave, relationship=mine, learner=school.learner_a1, answers=partial
        )
    with pytest.raises(ValidationError, match="is closed"):
        services.feedback_submit(
            wave=wave,
            relationship=mine,
            learner=school.learner_a1,
            answers=ratings(4),
            on=TODAY + dt.timedelta(days=30),
        )
    assert not MenteeFeedback.objects.exists()
    services.feedback_submit(
        wave=wave, relationship=mine, learner=school.learner_a1, answers=ratings(2)
    )
    services.feedback_submit(
        wave=wave, relationship=mine, learner=school.learner_a1, answers=ratings(5)
    )
    assert MenteeFeedback.objects.get().answers["communication_1"] == 5


def test_a_term_shows_only_once_closed_and_with_three_learners(school):
    extra = more_mentees(school, 2)
    raters = [school.learner_a1, school.mate_a1, *extra]
    autumn = past_term(school, "Autumn", days_ago=100)  # closed, 4 raters
    winter = past_term(school, "Winter", days_ago=60)  # closed, 2 raters
    spring = past_term(school, "Spring", days_ago=2)  # still open, 4 raters
    for learner, value in zip(raters, [2, 3, 4, 5], strict=True):
        rate(school, autumn, learner, ratings(value, equity=1))
        rate(school, spring, learner, ratings(1))
    for learner in raters[:2]:
        rate(school, winter, learner, ratings(5))

    summary = my_mentee_feedback(school.mentor_a1)
    assert [(t.key, t.shown) for t in summary.terms] == [("Autumn", True), ("Winter", False)]
    communication = summary.rows[0]
    assert communication.cells[0].value == pytest.approx(3.5)  # (2 + 3 + 4 + 5) / 4
    assert communication.cells[1].value is None and communication.cells[1].respondents is None
    overall = {d.theme.key: d.mean for d in summary.overall}
    # Over shown terms only: winter's two 5s must not move the average.
    assert overall["communication"] == pytest.approx(3.5)
    assert overall["equity"] == pytest.approx(1.0)
    assert summary.learners == 4 and summary.hidden_terms == 1


def test_two_raters_show_nothing(school):
    wave = past_term(school, "Autumn", days_ago=100)
    rate(school, wave, school.learner_a1, ratings(5))
    rate(school, wave, school.mate_a1, ratings(1))
    summary = my_mentee_feedback(school.mentor_a1)
    assert summary.overall == [] and summary.learners == 0
    assert all(not cell.shown for row in summary.rows for cell in row.cells)


def test_the_portfolio_gets_the_averages_only_when_the_mentor_chooses(school):
    extra = more_mentees(school, 1)
    wave = past_term(school, "Autumn", days_ago=100)
    for learner in [school.learner_a1, school.mate_a1, *extra]:
        rate(school, wave, learner, ratings(4))
    assert mentee_feedback_for_portfolio(school.mentor_a1) is None
    services.feedback_sharing_set(mentor=school.mentor_a1, in_portfolio=True)
    shared = mentee_feedback_for_portfolio(school.mentor_a1)
    assert shared is not None and len(shared) == 6
    assert shared[0] == {
        "domain": "Maintaining effective communication",
        "respondents": 3,
        "mean": 4.0,
    }
    services.feedback_sharing_set(mentor=school.mentor_a1, in_portfolio=False)
    assert mentee_feedback_for_portfolio(school.mentor_a1) is None


def test_opening_a_term_invites_the_mentees_to_rate(
    school, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.wave_open(
            program=school.program,
            label="Autumn",
            opens_on=TODAY,
            closes_on=TODAY + dt.timedelta(days=14),
        )
    invited = sorted(m["To"] for m in smtp_server.messages if "your mentoring" in m["Subject"])
    assert invited == sorted(
        p.email for p in (school.learner_a1, school.mate_a1, school.learner_a2, school.learner_b1)
    )


def test_the_page_lets_a_learner_rate_and_never_names_raters_to_the_mentor(client, school):
    extra = more_mentees(school, 1)
    closed = past_term(school, "Autumn", days_ago=100)
    for learner in [school.mate_a1, *extra]:
        rate(school, closed, learner, ratings(4))
    current = past_term(school, "Spring", days_ago=1)
    mine = relationship(school, school.learner_a1)

    client.login(email=school.learner_a1.email, password=PASSWORD)
    page = client.get(reverse("mentee_feedback"))
    assert "Your mentoring with Mira Mentorone" in page.content.decode()
    url = reverse("mentee_feedback_submit", args=[current.pk, mine.pk])
    prefix = f"w{current.pk}r{mine.pk}"
    incomplete = client.post(url, {f"{prefix}-communication_1": "4"})
    assert incomplete.status_code == 400
    assert "Choose an answer for this statement." in incomplete.content.decode()
    form = {f"{prefix}-{item.key}": "5" for item in BANK.items}
    assert client.post(url, form).status_code == 302
    assert MenteeFeedback.objects.filter(wave=current, relationship=mine).exists()
    # Last term too, so the mentor has three raters there.
    rate(school, closed, school.learner_a1, ratings(4))

    client.login(email=school.mentor_a1.email, password=PASSWORD)
    page = client.get(reverse("mentee_feedback")).content.decode()
    assert "What your mentees say" in page and "4.0" in page
    for learner in [school.learner_a1, school.mate_a1, *extra]:
        assert learner.display_name not in page
    client.post(reverse("mentee_feedback_sharing"), {"in_portfolio": "1"})
    assert mentee_feedback_for_portfolio(school.mentor_a1) is not None


def test_nobody_rates_someone_elses_relationship(client, school):
    wave = past_term(school, "Spring", days_ago=1)
    mine = relationship(school, school.learner_a1)
    client.login(email=school.outsider.email, password=PASSWORD)
    url = reverse("mentee_feedback_submit", args=[wave.pk, mine.pk])
    assert client.post(url, {}).status_code == 404
    client.login(email=school.mate_a1.email, password=PASSWORD)
    assert client.post(url, {}).status_code == 404
