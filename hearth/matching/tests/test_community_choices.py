"""Learners of an incoming class rank their learning communities in Hearth while a director
keeps the choices open; the match reads what they chose."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import Community
from hearth.matching import services
from hearth.matching.models import CommunityPreference, MatchRun, PreferenceWindow
from hearth.matching.tests.factories import incoming_class
from hearth.testing import PASSWORD, make_person

pytestmark = pytest.mark.django_db

DAY = dt.date(2028, 3, 1)


def _ranked(learner) -> list[str]:
    return list(
        CommunityPreference.objects.filter(learner=learner)
        .order_by("rank")
        .values_list("community__name", flat=True)
    )


# --- The services ------------------------------------------------------------------------------


def test_a_director_opens_and_closes_the_choices_of_a_class(school):
    incoming = incoming_class(school, size=1, choices=False)
    window = services.preference_window_open(
        cohort=incoming.cohort, by=school.director, closes_on=DAY + dt.timedelta(days=14), today=DAY
    )
    assert window.opens_on == DAY and window.opened_by == school.director
    assert window.is_open(DAY) and window.is_open(DAY + dt.timedelta(days=14))
    assert not window.is_open(DAY + dt.timedelta(days=15))
    services.preference_window_close(cohort=incoming.cohort)
    window.refresh_from_db()
    assert window.closed_at is not None and not window.is_open(DAY)
    # Opening again clears the early close; there is still one window per class.
    services.preference_window_open(
        cohort=incoming.cohort, by=school.director, closes_on=DAY + dt.timedelta(days=3), today=DAY
    )
    window = PreferenceWindow.objects.get()
    assert window.closed_at is None and window.closes_on == DAY + dt.timedelta(days=3)


def test_a_window_that_closes_before_it_opens_is_refused(school):
    incoming = incoming_class(school, size=1, choices=False)
    with pytest.raises(ValidationError, match="before they open"):
        services.preference_window_open(
            cohort=incoming.cohort,
            by=school.director,
            closes_on=DAY - dt.timedelta(days=1),
            today=DAY,
        )
    with pytest.raises(ValidationError, match="not open"):
        services.preference_window_close(cohort=incoming.cohort)
    from hearth.communities.models import Cohort, Program

    single = Program.objects.create(name="One house", slug="one-house")
    Community.objects.create(program=single, name="The only house")
    cohort = Cohort.objects.create(program=single, name="Class of 2029", class_year=2029)
    with pytest.raises(ValidationError, match="at least two"):
        services.preference_window_open(cohort=cohort, by=school.director, closes_on=DAY, today=DAY)
    assert not PreferenceWindow.objects.exists()


def test_a_learner_ranks_and_changes_their_communities_while_open(school):
    incoming = incoming_class(school, size=1, choices=False)
    learner = incoming.learners[0]
    services.preference_window_open(
        cohort=incoming.cohort, by=school.director, closes_on=DAY, today=DAY
    )
    services.community_preferences_set(
        cohort=incoming.cohort, learner=learner, communities=[school.house_b], today=DAY
    )
    assert _ranked(learner) == ["Blackwell House"]
    services.community_preferences_set(
        cohort=incoming.cohort,
        learner=learner,
        communities=[school.house_a, school.house_b],
        today=DAY,
    )
    assert _ranked(learner) == ["Apgar House", "Blackwell House"]
    with pytest.raises(ValidationError, match="closed"):
        services.community_preferences_set(
            cohort=incoming.cohort,
            learner=learner,
            communities=[school.house_b],
            today=DAY + dt.timedelta(days=1),
        )
    assert _ranked(learner) == ["Apgar House", "Blackwell House"]


@pytest.mark.parametrize(
    ("pick", "words"),
    [
        (lambda s: [], "at least your first choice"),
        (lambda s: [s.house_a, s.house_a], "each community once"),
        (lambda s: [s.house_a, s.house_b, s.house_c, s.house_d], "at most 3"),
        (lambda s: [s.elsewhere], "not a community of this program"),
    ],
)
def test_bad_choices_are_refused_by_name_and_change_nothing(school, pick, words):
    from hearth.communities.models import Program

    incoming = incoming_class(school, size=1, choices=False)
    learner = incoming.learners[0]
    school.house_c = Community.objects.create(program=school.program, name="Curie House")
    school.house_d = Community.objects.create(program=school.program, name="Drew House")
    other = Program.objects.create(name="PA program", slug="pa")
    school.elsewhere = Community.objects.create(program=other, name="Elsewhere House")
    services.preference_window_open(
        cohort=incoming.cohort, by=school.director, closes_on=DAY, today=DAY
    )
    services.community_preferences_set(
        cohort=incoming.cohort, learner=learner, communities=[school.house_b], today=DAY
    )
    with pytest.raises(ValidationError, match=words):
        services.community_preferences_set(
            cohort=incoming.cohort, learner=learner, communities=pick(school), today=DAY
        )
    assert _ranked(learner) == ["Blackwell House"]


def test_only_learners_of_the_class_rank_its_communities(school):
    incoming = incoming_class(school, size=1, choices=False)
    services.preference_window_open(
        cohort=incoming.cohort, by=school.director, closes_on=DAY, today=DAY
    )
    with pytest.raises(ValidationError, match="not in the Class of 2029"):
        services.community_preferences_set(
            cohort=incoming.cohort,
            learner=school.learner_a1,
            communities=[school.house_a],
            today=DAY,
        )


def test_the_match_reads_the_choices_learners_made_in_hearth(school):
    incoming = incoming_class(school, size=2, choices=False)
    first, second = incoming.learners
    today = timezone.localdate()
    services.preference_window_open(
        cohort=incoming.cohort, by=school.director, closes_on=today, today=today
    )
    services.community_preferences_set(
        cohort=incoming.cohort, learner=first, communities=[school.house_b, school.house_a]
    )
    run = services.run_start(
        program=school.program, by=school.director, cohort=incoming.cohort, enqueue=False
    )
    choices = {row["id"]: row["preferences"] for row in run.problem["learners"]}
    assert choices == {
        str(first.pk): [str(school.house_b.pk), str(school.house_a.pk)],
        str(second.pk): [],
    }
    run = services.run_execute(run_id=run.pk)
    assert run.placements.get(learner=first).preference_rank == 1


# --- The pages ---------------------------------------------------------------------------------


@pytest.fixture
def open_class(school):
    incoming = incoming_class(school, size=3, choices=False)
    services.preference_window_open(
        cohort=incoming.cohort,
        by=school.director,
        closes_on=timezone.localdate() + dt.timedelta(days=14),
    )
    return incoming


def _sign_in(client, person):
    client.login(email=person.email, password=PASSWORD)


def test_a_learner_is_asked_on_their_home_page_and_ranks_their_communities(client, open_class):
    learner = open_class.learners[0]
    _sign_in(client, learner)
    home = client.get(reverse("home")).content.decode()
    url = reverse("community_choices", args=[open_class.cohort.pk])
    assert "Rank your learning communities" in home and url in home
    assert "You have not ranked them yet" in home
    page = client.get(url).content.decode()
    assert 'label for="id_choice_1">1st choice' in page
    assert "Apgar House" in page and "Blackwell House" in page
    assert "id_choice_3" not in page, "two communities, two choices"
    saved = client.post(
        url,
        {
            "choice_1": open_class.cohort.program.communities.get(name="Blackwell House").pk,
            "choice_2": "",
        },
    )
    assert saved.status_code == 302
    assert _ranked(learner) == ["Blackwell House"]
    home = client.get(reverse("home")).content.decode()
    assert "You have ranked them; you can still change your choices" in home


def test_htmx_saves_the_choices_in_place_and_shows_mistakes(client, school, open_class):
    learner = open_class.learners[0]
    _sign_in(client, learner)
    url = reverse("community_choices", args=[open_class.cohort.pk])
    same = client.post(
        url,
        {"choice_1": school.house_a.pk, "choice_2": school.house_a.pk},
        headers={"HX-Request": "true"},
    )
    body = same.content.decode()
    assert same.status_code == 200 and "<html" not in body
    assert "Apgar House is already your 1st choice" in body
    assert not CommunityPreference.objects.exists()
    gap = client.post(url, {"choice_1": "", "choice_2": school.house_a.pk})
    assert gap.status_code == 400
    assert "This field is required" in gap.content.decode()
    saved = client.post(
        url,
        {"choice_1": school.house_a.pk, "choice_2": school.house_b.pk},
        headers={"HX-Request": "true"},
    )
    body = saved.content.decode()
    assert "Your choices are saved" in body and 'id="choices"' in body
    assert f'<option value="{school.house_b.pk}" selected>' in body
    assert _ranked(learner) == ["Apgar House", "Blackwell House"]
    assert saved["Vary"] and "HX-Request" in saved["Vary"]


def test_after_closing_a_learner_sees_their_choices_but_cannot_change_them(
    client, school, open_class
):
    learner = open_class.learners[0]
    services.community_preferences_set(
        cohort=open_class.cohort, learner=learner, communities=[school.house_b]
    )
    services.preference_window_close(cohort=open_class.cohort)
    _sign_in(client, learner)
    assert "Rank your learning communities" not in client.get(reverse("home")).content.decode()
    url = reverse("community_choices", args=[open_class.cohort.pk])
    page = client.get(url).content.decode()
    assert "Choices are closed" in page and "<select" not in page
    assert "<li>Blackwell House</li>" in page
    refused = client.post(url, {"choice_1": school.house_a.pk})
    assert refused.status_code == 400 and "are closed" in refused.content.decode()
    assert _ranked(learner) == ["Blackwell House"]


@pytest.mark.parametrize("persona", ["learner_a1", "mentor_a1", "director", "outsider"])
def test_nobody_outside_the_class_sees_or_changes_its_choices(client, school, open_class, persona):
    _sign_in(client, school.persona(persona))
    url = reverse("community_choices", args=[open_class.cohort.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"choice_1": school.house_a.pk}).status_code == 404
    assert not CommunityPreference.objects.exists()


def test_a_class_without_open_choices_has_no_page(client, school):
    incoming = incoming_class(school, size=1, choices=False)
    _sign_in(client, incoming.learners[0])
    url = reverse("community_choices", args=[incoming.cohort.pk])
    assert client.get(url).status_code == 404


def test_the_director_opens_the_choices_and_sees_how_many_have_ranked(client, school):
    incoming = incoming_class(school, size=3, choices=False)
    _sign_in(client, school.director)
    url = reverse("match_preferences", args=[school.program.slug, incoming.cohort.pk])
    window_url = reverse("match_preference_window", args=[school.program.slug, incoming.cohort.pk])
    closes = timezone.localdate() + dt.timedelta(days=10)
    bad = client.post(window_url, {"closes_on": (timezone.localdate() - dt.timedelta(days=1))})
    assert bad.status_code == 400 and "before they open" in bad.content.decode()
    opened = client.post(window_url, {"closes_on": closes.isoformat()}, follow=True)
    assert f"until {closes:%-d %B %Y}" in opened.content.decode()
    services.community_preferences_set(
        cohort=incoming.cohort, learner=incoming.learners[0], communities=[school.house_a]
    )
    page = client.get(url).content.decode()
    assert "<strong>1</strong> of 3 learners" in page and "Open:" in page
    home = client.get(reverse("matching", args=[school.program.slug])).content.decode()
    assert f"Open until {closes:%-d %B}" in home
    closed = client.post(window_url, {"close": "1"}, follow=True).content.decode()
    assert "are closed" in closed and "Closed" in closed
    assert not PreferenceWindow.objects.get().is_open()


def test_the_choices_page_reads_a_fixed_number_of_queries(client, school, open_class):
    learner = open_class.learners[0]
    _sign_in(client, learner)
    url = reverse("community_choices", args=[open_class.cohort.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for name in ("Curie House", "Drew House", "Eliot House"):
        Community.objects.create(program=school.program, name=name)
    services.community_preferences_set(
        cohort=open_class.cohort,
        learner=learner,
        communities=list(Community.objects.filter(program=school.program)[:3]),
    )
    assert count() == small <= 6


def test_the_learner_s_home_asks_in_one_query_however_many_classes(client, school, open_class):
    from hearth.communities.models import Cohort

    learner = open_class.learners[0]
    _sign_in(client, learner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        return len(queries)

    small = count()
    from hearth.communities.models import Program

    other = Program.objects.create(name="Dual degree", slug="dual")
    Community.objects.create(program=other, name="One")
    Community.objects.create(program=other, name="Two")
    cohort = Cohort.objects.create(program=other, name="Class of 2029", class_year=2029)
    services.preference_window_open(
        cohort=cohort, by=school.director, closes_on=timezone.localdate()
    )
    make_person("Another Newcomer", class_year=2029)
    page = client.get(reverse("home")).content.decode()
    assert page.count("Rank your learning communities") == 2
    assert count() == small
    assert not MatchRun.objects.exists()
