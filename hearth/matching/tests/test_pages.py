"""The matching pages: start, watch, review, override, publish, import choices; and what a
learner and a mentor see afterwards on their home page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearth.communities.models import GroupMembership
from hearth.matching import services
from hearth.matching.models import CommunityPreference, MatchConflict, MatchRun
from hearth.matching.selectors import placements_for_home, share_charts
from hearth.matching.tests.factories import incoming_class
from hearth.testing import PASSWORD, make_person

pytestmark = pytest.mark.django_db


def _signed_in(client, person):
    client.login(email=person.email, password=PASSWORD)
    return client


def _start(client, school, incoming, capture):
    data = {"cohort": incoming.cohort.pk, "preference_weight": "1", "even_size_weight": "0.5"}
    data[f"balance_{incoming.gender.pk}_0"] = "2"  # women
    with capture(execute=True):
        response = client.post(reverse("matching", args=[school.program.slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return MatchRun.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_a_director_starts_a_run_from_the_matching_page_and_reviews_it(
    client, school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    _signed_in(client, school.director)
    page = client.get(reverse("matching", args=[school.program.slug])).content.decode()
    assert "Class of 2029" in page and "Gender: woman" in page
    run = _start(client, school, incoming, django_capture_on_commit_callbacks)
    assert run.settings["balance"][0]["attribute"] == "gender"
    page = client.get(reverse("match_run", args=[run.pk])).content.decode()
    assert "Proven optimal" in page
    assert "Share of gender: woman" in page and "<svg" in page
    assert "New Learner 00" in page and "community preference" in page
    assert "Publish and email everyone" in page
    only_b = client.get(reverse("match_run", args=[run.pk]), {"community": school.house_b.pk})
    body = only_b.content.decode()
    assert "Blackwell House" in body
    names_in_b = set(
        run.placements.filter(group__community=school.house_b).values_list(
            "learner__display_name", flat=True
        )
    )
    for placement in run.placements.exclude(group__community=school.house_b).select_related(
        "learner"
    ):
        assert f'<th scope="row">{placement.learner.display_name}</th>' not in body
    assert all(f'<th scope="row">{name}</th>' in body for name in names_in_b)


def test_bad_weights_are_shown_on_the_form_and_nothing_runs(client, school):
    incoming = incoming_class(school)
    _signed_in(client, school.director)
    response = client.post(
        reverse("matching", args=[school.program.slug]),
        {"cohort": incoming.cohort.pk, "preference_weight": "900", "even_size_weight": "0"},
    )
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 100" in response.content.decode()
    assert not MatchRun.objects.exists()


def test_the_run_page_polls_progress_while_queued_and_refreshes_when_done(client, school):
    incoming = incoming_class(school)
    run = services.run_start(
        program=school.program, by=school.director, cohort=incoming.cohort, enqueue=False
    )
    _signed_in(client, school.director)
    page = client.get(reverse("match_run", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    poll = client.get(reverse("match_run", args=[run.pk]), headers={"HX-Request": "true"})
    assert poll.status_code == 200 and "<progress" in poll.content.decode()
    assert "<html" not in poll.content.decode()
    services.run_execute(run_id=run.pk)
    done = client.get(reverse("match_run", args=[run.pk]), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_an_override_shows_its_cost_and_a_refused_one_shows_the_rule(
    client, school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    learner = incoming.learners[0]
    services.conflict_add(
        program=school.program, learner=learner, mentor=school.mentor_b1, kind="relative"
    )
    _signed_in(client, school.director)
    run = _start(client, school, incoming, django_capture_on_commit_callbacks)
    placement = run.placements.get(learner=learner)
    url = reverse("match_override", args=[run.pk])
    refused = client.post(url, {"placement": placement.pk, "group": school.group_b1.pk})
    assert refused.status_code == 400
    assert "Not moved:" in refused.content.decode()
    assert "Mona Mentorthree" in refused.content.decode()
    # Room for one more in the other Apgar group, so the move keeps every rule.
    other = school.group_a2 if placement.group == school.group_a1 else school.group_a1
    assert placement.group != other
    other.capacity += 4
    other.save()
    run.problem["groups"] = [
        [g, n, c, cap + 4 if g == str(other.pk) else cap, m]
        for g, n, c, cap, m in run.problem["groups"]
    ]
    run.save(update_fields=["problem"])
    moved = client.post(url, {"placement": placement.pk, "group": other.pk}, follow=True)
    body = moved.content.decode()
    assert f"{learner.display_name} moves to {other.name}. This override" in body
    placement.refresh_from_db()
    assert placement.group == other


def test_publishing_from_the_page_and_a_second_click_is_refused_clearly(
    client, school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    _signed_in(client, school.director)
    run = _start(client, school, incoming, django_capture_on_commit_callbacks)
    url = reverse("match_publish", args=[run.pk])
    first = client.post(url, follow=True).content.decode()
    assert "Published: 6 placements made" in first
    second = client.post(url, follow=True).content.decode()
    assert "This proposal was already published by Dora Director" in second
    assert GroupMembership.objects.filter(person__in=incoming.learners).count() == 6


def test_learners_and_mentors_see_the_placement_on_their_home_page(
    client, school, django_capture_on_commit_callbacks, django_assert_num_queries
):
    incoming = incoming_class(school, size=2)
    a, b = incoming.learners
    services.pair_rule_add(cohort=incoming.cohort, a=a, b=b, kind="apart", note="siblings")
    _signed_in(client, school.director)
    run = _start(client, school, incoming, django_capture_on_commit_callbacks)
    services.run_publish(run=run, by=school.director)
    placement = run.placements.select_related("group__community").get(learner=a)
    client.logout()
    home = _signed_in(client, a).get(reverse("home")).content.decode()
    assert f"Placed by the {run.created_at:%Y} match" in home
    assert placement.group.community.name in home and "community preference" in home
    # What concerns other people (a pair kept apart) stays with directors.
    assert "kept apart" not in home and b.display_name not in home
    client.logout()
    mentor = {
        school.group_a1.pk: school.mentor_a1,
        school.group_a2.pk: school.mentor_a2,
        school.group_b1.pk: school.mentor_b1,
    }[placement.group_id]
    home = _signed_in(client, mentor).get(reverse("home")).content.decode()
    assert "Placed in your groups by the match" in home and a.display_name in home

    # A few queries whatever the numbers, and the run's large problem is not read for a home.
    with django_assert_num_queries(1) as learner_queries:
        [own], intakes = placements_for_home(a, [])
        assert own.run.subject and own.run.match_label and own.reasons and not intakes
    with django_assert_num_queries(3) as mentor_queries:
        _, [intake] = placements_for_home(mentor, [placement.group_id])
        assert intake.run.subject and intake.run.match_label and a.display_name in intake.learners
    queries = learner_queries.captured_queries + mentor_queries.captured_queries
    assert not any('"problem"' in query["sql"] for query in queries)


def test_preferences_import_replaces_choices_and_a_bad_file_changes_nothing(client, school):
    incoming = incoming_class(school, size=2, choices=False)
    a, b = incoming.learners
    _signed_in(client, school.director)
    url = reverse("match_preferences", args=[school.program.slug, incoming.cohort.pk])
    good = (
        "email,first_choice,second_choice\n"
        f"{a.email},Blackwell House,apgar house\n"
        f"{b.email},Apgar House,\n"
    ).encode()
    response = client.post(url, {"file": SimpleUploadedFile("choices.csv", good)})
    assert response.status_code == 302
    ranked = list(
        CommunityPreference.objects.filter(learner=a)
        .order_by("rank")
        .values_list("community__name", flat=True)
    )
    assert ranked == ["Blackwell House", "Apgar House"]
    bad = (
        "email,first_choice,second_choice\n"
        f"{a.email},Apgar House,Apgar House\n"
        "nobody@example.edu,Apgar House,\n"
        f"{b.email},Hogwarts,\n"
    ).encode()
    response = client.post(url, {"file": SimpleUploadedFile("choices.csv", bad)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported: 3 problems" in body
    assert "Apgar House is chosen twice" in body
    assert "no learner of the Class of 2029 has the email nobody@example.edu" in body
    assert "no community is called “Hogwarts”" in body
    assert CommunityPreference.objects.filter(learner=a).count() == 2
    assert CommunityPreference.objects.get(learner=a, rank=1).community == school.house_b
    unreadable = client.post(url, {"file": SimpleUploadedFile("choices.txt", b"x")})
    assert "Hearth imports .csv and .xlsx files" in unreadable.content.decode()


def test_a_director_declares_a_conflict_on_the_rules_page(client, school):
    _signed_in(client, school.director)
    url = reverse("match_rules", args=[school.program.slug])
    response = client.post(
        url,
        {
            "conflict-learner": school.learner_b1.email,
            "conflict-mentor": school.mentor_a1.email,
            "conflict-kind": "relative",
            "conflict-note": "cousins",
        },
    )
    assert response.status_code == 302
    assert MatchConflict.objects.get().note == "cousins"
    response = client.post(
        url,
        {
            "conflict-learner": "ghost@example.edu",
            "conflict-mentor": school.mentor_a1.email,
            "conflict-kind": "relative",
        },
    )
    assert "Nobody in Hearth has the email ghost@example.edu" in response.content.decode()


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_pages_issue_a_fixed_number_of_queries(
    client, school, django_capture_on_commit_callbacks
):
    _signed_in(client, school.director)
    home_url = reverse("matching", args=[school.program.slug])
    incoming = incoming_class(school, size=2)
    run = _start(client, school, incoming, django_capture_on_commit_callbacks)
    small_home = _count(client, home_url)
    small_run = _count(client, reverse("match_run", args=[run.pk]))
    # More runs, more learners, more placements.
    for i in range(6):
        make_person(f"Another Learner {i}", class_year=2029)
    bigger = _start(client, school, incoming, django_capture_on_commit_callbacks)
    assert bigger.placements.count() == 8
    assert _count(client, home_url) == small_home
    assert _count(client, reverse("match_run", args=[bigger.pk])) == small_run
    assert small_home <= 13 and small_run <= 10


def test_home_reads_placements_in_one_query_however_many_runs(
    client, school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school, size=2)
    _signed_in(client, school.director)
    first = _start(client, school, incoming, django_capture_on_commit_callbacks)
    services.run_publish(run=first, by=school.director)
    client.logout()
    learner = incoming.learners[0]
    mentor_of = {
        school.group_a1.pk: school.mentor_a1,
        school.group_a2.pk: school.mentor_a2,
        school.group_b1.pk: school.mentor_b1,
    }
    mentor = mentor_of[first.placements.get(learner=learner).group_id]
    counts = {}
    for person in (learner, mentor):
        _signed_in(client, person)
        counts[person.pk] = _count(client, reverse("home"))
        client.logout()
    # Another class placed by another published run: more placements, same queries.
    for i in range(3):
        make_person(f"Another Learner {i}", class_year=2029)
    _signed_in(client, school.director)
    second = _start(client, school, incoming, django_capture_on_commit_callbacks)
    services.run_publish(run=second, by=school.director)
    client.logout()
    for person in (learner, mentor):
        _signed_in(client, person)
        assert _count(client, reverse("home")) == counts[person.pk]
        client.logout()


def test_share_charts_are_redrawn_when_the_shares_change():
    def shares(women_in_a: float) -> list[dict[str, object]]:
        return [
            {"balance": "women", "community": "1", "share": women_in_a, "cohort_share": 0.5},
            {"balance": "women", "community": "2", "share": 1 - women_in_a, "cohort_share": 0.5},
        ]

    problem = {"communities": [["1", "Apgar House"], ["2", "Blackwell House"]]}
    even = MatchRun(problem=problem, shares=shares(0.5))
    uneven = MatchRun(problem=problem, shares=shares(0.9))

    [first] = share_charts(even)
    [moved] = share_charts(uneven)
    [again] = share_charts(MatchRun(problem=problem, shares=shares(0.5)))

    assert "Share of women" in first.svg and "Apgar House" in first.svg
    assert moved.svg != first.svg
    assert again.svg == first.svg
    assert [row["share"] for row in moved.rows] == [0.9, pytest.approx(0.1)]
