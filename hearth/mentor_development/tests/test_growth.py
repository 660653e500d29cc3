"""Competency growth: trainees rate themselves in three windows; each sees their own change;
directors and facilitators see the cohort's only from five trainees, the test from six."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearth.lib.suppression import TOO_FEW
from hearth.mentor_development.models import (
    EnrolmentStatus,
    SelfRating,
    TrainingSeries,
    TrainingSession,
)
from hearth.mentor_development.selectors.growth import cohort_growth, my_growth
from hearth.mentor_development.services.growth import (
    rating_windows,
    self_rating_bank,
    self_rating_submit,
)
from hearth.testing import PASSWORD, make_person

from .growth_factories import (
    answers,
    enrol,
    first_and_last,
    make_series,
    mentee_rates,
    mentor_with_learners,
    rate,
    term,
    trainees,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def session(day: int, hour: int = 14, cancelled: bool = False) -> TrainingSession:
    return TrainingSession(
        title=f"Day {day}",
        starts_at=dt.datetime(2026, 9, day, hour, tzinfo=UTC),
        duration_minutes=90,
        cancelled_at=dt.datetime(2026, 8, 1, tzinfo=UTC) if cancelled else None,
    )


def test_windows_before_until_the_first_session_ends_end_for_60_days_later_at_six_months():
    before, end, later = rating_windows([session(22), session(1), session(29, cancelled=True)])
    assert (before.moment, end.moment, later.moment) == ("before", "end", "later")
    # The cancelled session on the 29th counts for nothing; sessions come in any order.
    assert before.opens_at is None
    assert before.closes_at == dt.datetime(2026, 9, 1, 15, 30, tzinfo=UTC)
    assert end.opens_at == dt.datetime(2026, 9, 22, 14, tzinfo=UTC)
    assert end.closes_at == dt.datetime(2026, 11, 21, 15, 30, tzinfo=UTC)
    assert later.opens_at == dt.datetime(2027, 3, 22, 15, 30, tzinfo=UTC)
    assert later.closes_at == dt.datetime(2027, 5, 21, 15, 30, tzinfo=UTC)
    assert before.is_open_at(dt.datetime(2020, 1, 1, tzinfo=UTC))
    assert before.is_open_at(before.closes_at)
    assert not before.is_open_at(before.closes_at + dt.timedelta(seconds=1))
    assert not end.is_open_at(end.opens_at - dt.timedelta(seconds=1))
    assert end.is_open_at(end.opens_at) and end.is_open_at(end.closes_at)
    assert later.is_ahead_at(later.opens_at - dt.timedelta(days=1))
    assert not later.is_open_at(later.closes_at + dt.timedelta(seconds=1))
    assert rating_windows([]) == []
    assert rating_windows([session(1, cancelled=True)]) == []


def test_self_rating_bank_asks_in_the_mentor_wording():
    bank = self_rating_bank()
    assert bank.items[0].text == "I listen closely before giving advice."
    assert all(item.text == item.self_text for item in bank.items)


def test_only_an_enrolled_trainee_rates_only_while_the_window_is_open(school):
    series = make_series(school, first_in_days=10)
    enrol(series, school.mentor_a1)
    enrol(series, school.mentor_a2, status=EnrolmentStatus.WITHDRAWN)
    for person in (school.mentor_a2, school.mentor_b1):
        with pytest.raises(ValidationError, match="enrolled trainees"):
            self_rating_submit(series=series, person=person, moment="before", answers=answers(3))
    partial = answers(3)
    partial.pop("equity_2")
    with pytest.raises(ValidationError, match="bias or belonging with me"):
        self_rating_submit(series=series, person=school.mentor_a1, moment="before", answers=partial)
    with pytest.raises(ValidationError, match="not open"):
        self_rating_submit(series=series, person=school.mentor_a1, moment="end", answers=answers(3))
    with pytest.raises(ValidationError, match="Unknown moment"):
        self_rating_submit(
            series=series, person=school.mentor_a1, moment="whenever", answers=answers(3)
        )
    assert not SelfRating.objects.exists()

    self_rating_submit(series=series, person=school.mentor_a1, moment="before", answers=answers(2))
    self_rating_submit(series=series, person=school.mentor_a1, moment="before", answers=answers(3))
    rating = SelfRating.objects.get()
    assert rating.answers["communication_1"] == 3 and rating.moment == "before"

    first, last = first_and_last(series)
    with pytest.raises(ValidationError, match="before the series is not open"):
        self_rating_submit(
            series=series,
            person=school.mentor_a1,
            moment="before",
            answers=answers(5),
            on=first.ends_at + dt.timedelta(minutes=1),
        )
    self_rating_submit(
        series=series,
        person=school.mentor_a1,
        moment="end",
        answers=answers(4),
        on=last.starts_at,
    )
    with pytest.raises(ValidationError, match="not open"):
        self_rating_submit(
            series=series,
            person=school.mentor_a1,
            moment="later",
            answers=answers(4),
            on=last.ends_at + dt.timedelta(days=100),
        )
    self_rating_submit(
        series=series,
        person=school.mentor_a1,
        moment="later",
        answers=answers(4),
        on=last.ends_at + dt.timedelta(days=200),
    )
    assert SelfRating.objects.get(moment="before").answers["communication_1"] == 3
    assert SelfRating.objects.count() == 3


def past_cohort(school, count: int) -> tuple[TrainingSeries, list]:
    """A finished series whose trainees rated before and at the end: everyone grew by one
    point in communication, some more than others elsewhere."""
    series = make_series(school, first_in_days=-120)
    people = trainees(count)
    enrol(series, *people)
    for number, person in enumerate(people):
        rate(series, person, "before", answers(3, communication=2))
        rate(series, person, "end", answers(3 + number % 2, communication=3))
    return series, people


def test_cohort_figures_are_hidden_below_five_pairs(school):
    series, people = past_cohort(school, 4)
    cohort = cohort_growth(series)
    assert cohort.trainees == 4
    assert [n for _, n in cohort.rated] == [4, 4, 0]
    by_end, later = cohort.comparisons
    assert all(not row.cell.shown and row.change is None for row in by_end.rows)
    assert all(row.cell.reason == TOO_FEW and row.cell.respondents is None for row in by_end.rows)
    # Nobody rated six months later: an empty cell, not a hidden one.
    assert all(row.cell.shown and row.cell.empty and row.change is None for row in later.rows)
    assert cohort.chart_rows == []


def test_five_pairs_show_change_and_effect_size_but_no_test(school):
    series, people = past_cohort(school, 5)
    cohort = cohort_growth(series)
    communication = cohort.comparisons[0].rows[0]
    assert communication.theme.key == "communication"
    change = communication.change
    assert change is not None and change.n == 5
    assert (change.mean_before, change.mean_after, change.mean_change) == (2.0, 3.0, 1.0)
    assert change.sd_change == 0 and change.effect_size is None  # all grew alike
    assert change.test is None  # five pairs can never reach p < 0.05
    independence = cohort.comparisons[0].rows[4].change
    # Changes 0, 1, 0, 1, 0: mean 0.4, sample SD sqrt(0.3).
    assert independence.mean_change == pytest.approx(0.4)
    assert independence.effect_size == pytest.approx(0.4 / 0.3**0.5)
    assert cohort.chart_rows[0] == {
        "comparison": "By the end",
        "domain": "Maintaining effective communication",
        "change": 1.0,
    }


def test_the_test_shows_from_six_pairs(school):
    series, people = past_cohort(school, 6)
    by_end = cohort_growth(series).comparisons[0]
    communication = by_end.rows[0].change
    assert communication.test is not None
    assert communication.test.statistic == 0.0
    assert communication.test.p_value == pytest.approx(2 / 64)  # six of six up
    independence = by_end.rows[4].change
    assert independence.test is not None  # three zeros dropped; three up
    assert independence.test.p_value == pytest.approx(2 / 8)


def test_means_of_the_smaller_comparison_are_hidden_when_a_few_trainees_would_show(school):
    series, people = past_cohort(school, 6)
    for person in people[:5]:
        rate(series, person, "later", answers(4))
    by_end, later = cohort_growth(series).comparisons
    # Before over six and before over five of them: subtracting would give the sixth.
    assert all(not row.means_hidden for row in by_end.rows)
    assert all(row.means_hidden and row.change is not None for row in later.rows)
    assert later.rows[0].change.mean_change == 2.0  # the change still shows

    rate(series, people[5], "later", answers(4))
    by_end, later = cohort_growth(series).comparisons
    assert not any(row.means_hidden for row in by_end.rows + later.rows)  # the same six


def test_comparisons_five_apart_hide_nothing(school):
    series, people = past_cohort(school, 10)
    for person in people[:5]:
        rate(series, person, "later", answers(4))
    by_end, later = cohort_growth(series).comparisons
    assert not any(row.means_hidden for row in by_end.rows + later.rows)


def test_withdrawn_trainees_do_not_count(school):
    series, people = past_cohort(school, 5)
    people[0].enrolments.update(status=EnrolmentStatus.WITHDRAWN)
    cohort = cohort_growth(series)
    assert cohort.trainees == 4
    assert not cohort.comparisons[0].rows[0].cell.shown


def signed_in(client, person):
    client.login(email=person.email, password=PASSWORD)
    return client


def test_the_trainee_rates_themself_on_their_page_and_sees_their_own_change(client, school):
    series = make_series(school, first_in_days=5)
    enrol(series, school.mentor_a1)
    signed_in(client, school.mentor_a1)
    url = reverse("series_growth", args=[series.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Rate yourself: before the series" in page.text
    assert "I listen closely before giving advice." in page.text
    assert "No self-ratings yet." in page.text

    rate_url = reverse("series_growth_rate", args=[series.pk, "before"])
    missing = {f"before-{k}": v for k, v in answers(2).items() if k != "equity_1"}
    assert client.post(rate_url, missing).status_code == 400
    assert not SelfRating.objects.exists()
    posted = {f"before-{k}": v for k, v in answers(2, development=3).items()}
    response = client.post(rate_url, posted)
    assert response.status_code == 302 and response.url == url
    assert SelfRating.objects.get().answers["development_2"] == 3

    # Later, at the end: one point up everywhere, and the page says so.
    first, last = first_and_last(series)
    rate(series, school.mentor_a1, "end", answers(3, development=4))
    mine = my_growth(series, school.mentor_a1)
    assert mine.rows[0].scores == [2.0, 3.0, None]
    assert mine.rows[0].changes == [1.0, None]
    page = client.get(url)
    assert "Your change per domain" in page.text and "+1.0" in page.text
    assert "done on" in page.text


def test_the_trainee_page_is_theirs_alone(client, school):
    series = make_series(school, first_in_days=5)
    enrol(series, school.mentor_a1)
    enrol(series, school.mentor_a2, status=EnrolmentStatus.INVITED)
    url = reverse("series_growth", args=[series.pk])
    for person in (school.outsider, school.mentor_a2, school.learner_a1):
        signed_in(client, person)
        assert client.get(url).status_code == 404
        assert (
            client.post(reverse("series_growth_rate", args=[series.pk, "before"])).status_code
            == 404
        )
    # A director has no ratings of their own here: the series page links them to the cohort.
    signed_in(client, school.director)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_cohort_page_for_directors_and_facilitators_only(client, school):
    series, people = past_cohort(school, 6)
    url = reverse("series_growth_cohort", args=[series.pk])
    for person in (
        people[0],
        school.outsider,
        school.mentor_a1,
        school.evaluator,
        school.house_director,
    ):
        signed_in(client, person)
        assert client.get(url).status_code == 404, person
    session_lead = make_person("Session Lead")
    series.sessions.update(facilitator=session_lead)
    for person in (school.director, school.facilitator, school.admin, session_lead):
        signed_in(client, person)
        page = client.get(url)
        assert page.status_code == 200, person
    assert "Did the cohort grow?" in page.text
    assert "+1.00" in page.text and "0.031" in page.text
    assert people[0].display_name not in page.text


def test_cohort_page_shows_too_few_below_five(client, school):
    series, people = past_cohort(school, 4)
    signed_in(client, school.director)
    page = client.get(reverse("series_growth_cohort", args=[series.pk]))
    assert page.status_code == 200
    assert TOO_FEW in page.text
    assert "+1.00" not in page.text


def test_cohort_page_of_a_running_series_says_when_the_end_rating_opens(client, school):
    series = make_series(school, first_in_days=-1)
    people = trainees(6)
    enrol(series, *people)
    for person in people:
        rate(series, person, "before", answers(3))
    cohort = cohort_growth(series)
    assert [n for _, n in cohort.rated] == [6, 0, 0]
    assert not any(c.has_pairs for c in cohort.comparisons)
    signed_in(client, school.director)
    page = client.get(reverse("series_growth_cohort", args=[series.pk]))
    assert page.text.count("No trainee has both ratings yet.") == 2
    _, last = first_and_last(series)
    opens = timezone.localtime(last.starts_at, zoneinfo.ZoneInfo(school.director.time_zone))
    assert f"at the end opens on {opens.day} {opens:%B %Y}" in page.text


def test_cohort_page_query_count_does_not_grow_with_the_cohort(client, school):
    signed_in(client, school.director)
    counts = []
    for size in (6, 12):
        series, _ = past_cohort(school, size) if size == 6 else past_cohort_more(school, size)
        url = reverse("series_growth_cohort", args=[series.pk])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] <= 12


def past_cohort_more(school, count: int):
    series = make_series(school, first_in_days=-120, title="A larger cohort")
    people = trainees(count, prefix="Larger")
    enrol(series, *people)
    for person in people:
        rate(series, person, "before", answers(3))
        rate(series, person, "end", answers(4))
    return series, people


def feedback_cohort(school, count: int, learners: int = 3):
    """A series held 300 to 240 days ago; each trainee mentors `learners` learners who rated
    them 3 in a term before it and 4 in a term after it."""
    series = make_series(school, first_in_days=-300, every_days=30)
    people = trainees(count)
    enrol(series, *people)
    today = timezone.localdate()
    before = term(school, "Before", today - dt.timedelta(days=400))
    after = term(school, "After", today - dt.timedelta(days=150))
    still_open = term(school, "Now", today - dt.timedelta(days=2))
    for person in people:
        relationships = mentor_with_learners(school, person, learners)
        mentee_rates(before, relationships, 3)
        mentee_rates(after, relationships, 4)
        mentee_rates(still_open, relationships, 1)  # an open term never counts
    return series, people


def test_mentee_feedback_beside_the_ratings_from_five_trainees_with_three_learners(school):
    series, people = feedback_cohort(school, 5)
    cohort = cohort_growth(series)
    for row in cohort.feedback:
        assert [(c.shown, c.value, c.respondents) for c in row.cells] == [
            (True, 3.0, 5),
            (True, 4.0, 5),
        ]
    mine = my_growth(series, people[0])
    assert [(c.shown, c.value, c.respondents) for c in mine.feedback[0].cells] == [
        (True, 3.0, 3),
        (True, 4.0, 3),
    ]
    assert mine.feedback_learners == [3, 3]


def test_mentee_feedback_hidden_with_four_trainees(school):
    series, people = feedback_cohort(school, 4)
    cohort = cohort_growth(series)
    assert all(not c.shown and c.reason == TOO_FEW for row in cohort.feedback for c in row.cells)


def test_mentee_feedback_of_two_learners_counts_for_nobody(school):
    series, people = feedback_cohort(school, 5, learners=2)
    cohort = cohort_growth(series)
    assert all(not c.shown for row in cohort.feedback for c in row.cells)
    mine = my_growth(series, people[0])
    assert all(not c.shown and c.reason == TOO_FEW for row in mine.feedback for c in row.cells)
    assert mine.feedback_learners == [0, 0]


def test_no_feedback_is_empty_not_hidden(school):
    series = make_series(school, first_in_days=-300)
    enrol(series, school.mentor_a1)
    mine = my_growth(series, school.mentor_a1)
    assert all(c.shown and c.empty for row in mine.feedback for c in row.cells)
