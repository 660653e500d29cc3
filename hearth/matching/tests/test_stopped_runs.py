"""A run whose worker died stays "running" no longer: silent for ten minutes, it shows as
stopped with a way to run it again, and nothing can bring the stopped run back to life."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hearth.lib.jobs import JobGone
from hearth.matching import engine, services
from hearth.matching.models import MatchRun, Placement, RunKind, RunStatus, Side
from hearth.matching.tests.factories import BALANCE_WOMEN, incoming_class
from hearth.testing import PASSWORD, make_person

pytestmark = pytest.mark.django_db


def _running(school, incoming, *, silent_for: dt.timedelta | None) -> MatchRun:
    """A run a worker claimed, last heard from `silent_for` ago (None: never heard from)."""
    run = services.run_start(
        program=school.program,
        by=school.director,
        cohort=incoming.cohort,
        settings=BALANCE_WOMEN,
        enqueue=False,
    )
    now = timezone.now()
    MatchRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        progress=40,
        heartbeat_at=now - silent_for if silent_for is not None else None,
        created_at=now - dt.timedelta(hours=1),
    )
    run.refresh_from_db()
    return run


def test_a_run_silent_for_ten_minutes_is_marked_stopped_and_one_heard_from_is_not(school):
    incoming = incoming_class(school)
    silent = _running(school, incoming, silent_for=dt.timedelta(minutes=11))
    alive = _running(school, incoming, silent_for=dt.timedelta(minutes=9))
    never = _running(school, incoming, silent_for=None)
    assert services.runs_stop_silent(program=school.program) == 2
    statuses = dict(MatchRun.objects.values_list("pk", "status"))
    assert statuses == {
        silent.pk: RunStatus.STOPPED,
        alive.pk: RunStatus.RUNNING,
        never.pk: RunStatus.STOPPED,
    }
    silent.refresh_from_db()
    assert "stopped answering" in silent.error and silent.finished_at is not None
    assert not silent.is_active and silent.can_run_again


def test_a_stopped_run_cannot_be_claimed_again(school):
    incoming = incoming_class(school)
    run = _running(school, incoming, silent_for=dt.timedelta(minutes=30))
    services.run_stop_if_silent(run=run)
    run = services.run_execute(run_id=run.pk)
    assert run.status == RunStatus.STOPPED and not run.placements.exists()


def test_a_late_worker_s_result_is_dropped_once_its_run_is_stopped(school, monkeypatch):
    """The worker was only slow: by the time it finishes, the run is marked stopped."""
    incoming = incoming_class(school)
    run = services.run_start(
        program=school.program, by=school.director, cohort=incoming.cohort, enqueue=False
    )
    solve = engine.solve

    def slow(problem, progress=None):  # noqa: ANN001, ANN202
        result = solve(problem, progress)
        MatchRun.objects.filter(pk=run.pk).update(
            heartbeat_at=timezone.now() - dt.timedelta(minutes=20)
        )
        services.runs_stop_silent(program=school.program)
        return result

    monkeypatch.setattr(services.engine, "solve", slow)
    run = services.run_execute(run_id=run.pk)
    assert run.status == RunStatus.STOPPED
    assert not Placement.objects.exists()


def test_progress_is_a_sign_of_life_and_a_stopped_run_ends_the_solve(school, monkeypatch):
    incoming = incoming_class(school)
    run = _running(school, incoming, silent_for=dt.timedelta(minutes=5))
    monkeypatch.setattr(services, "PROGRESS_EVERY", 0)
    progress = services._Progress(run.pk)
    progress(0.5, "Closing the gap")
    run.refresh_from_db()
    assert timezone.now() - run.heartbeat_at < dt.timedelta(seconds=5)
    assert (run.progress, run.progress_message) == (50, "Closing the gap")
    # The same percentage again is still written once HEARTBEAT_EVERY has passed.
    MatchRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    progress(0.5, "Closing the gap")
    run.refresh_from_db()
    assert timezone.now() - run.heartbeat_at > dt.timedelta(minutes=59), "throttled"
    monkeypatch.setattr(services, "HEARTBEAT_EVERY", 0)
    progress(0.5, "Closing the gap")
    run.refresh_from_db()
    assert timezone.now() - run.heartbeat_at < dt.timedelta(seconds=5)
    MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.STOPPED)
    with pytest.raises(JobGone):
        progress(0.6, "Seating learners in groups")


def test_the_run_page_shows_a_stopped_run_and_runs_it_again(
    client, school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    run = _running(school, incoming, silent_for=dt.timedelta(minutes=15))
    client.login(email=school.director.email, password=PASSWORD)
    url = reverse("match_run", args=[run.pk])
    poll = client.get(url, headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true", "the progress bar gives way to the stopped run"
    page = client.get(url).content.decode()
    assert "The run stopped" in page and "stopped answering" in page
    assert "The matcher is working" not in page
    assert "Run again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("match_run_again", args=[run.pk]))
    fresh = MatchRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == reverse("match_run", args=[fresh.pk])
    assert fresh.status == RunStatus.READY and fresh.cohort == run.cohort
    assert fresh.settings["balance"] == run.settings["balance"]
    matching = client.get(reverse("matching", args=[school.program.slug])).content.decode()
    assert "Stopped" in matching


def test_the_matching_page_marks_silent_runs_stopped(client, school):
    incoming = incoming_class(school)
    run = _running(school, incoming, silent_for=dt.timedelta(minutes=12))
    client.login(email=school.director.email, password=PASSWORD)
    page = client.get(reverse("matching", args=[school.program.slug])).content.decode()
    assert "<td>Stopped</td>" in page
    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED


def test_running_again_keeps_the_settings_of_each_kind_of_run(school):
    incoming = incoming_class(school)
    placement = _running(school, incoming, silent_for=dt.timedelta(minutes=12))
    services.run_stop_if_silent(run=placement)
    again = services.run_retry(run=placement, by=school.director)
    assert (again.kind, again.cohort, again.status) == (
        RunKind.PLACEMENT,
        incoming.cohort,
        RunStatus.QUEUED,
    )
    assert {k: v for k, v in again.settings.items() if k != "left_out"} == {
        k: v for k, v in placement.settings.items() if k != "left_out"
    }

    round_ = services.round_create(
        program=school.program, name="Pairs", starts_on=dt.date(2027, 1, 4)
    )
    services.participant_add(round_=round_, person=school.mentor_a1, side=Side.MENTOR)
    services.participant_add(round_=round_, person=make_person("Junior"), side=Side.MENTEE)
    mentoring = services.run_start(
        program=school.program,
        by=school.director,
        round_=round_,
        settings={"policy": "stable", "outside_division": True},
        enqueue=False,
    )
    MatchRun.objects.filter(pk=mentoring.pk).update(status=RunStatus.FAILED)
    mentoring.refresh_from_db()
    again = services.run_retry(run=mentoring, by=school.director)
    assert again.round == round_ and again.settings == mentoring.settings

    with pytest.raises(ValidationError, match="Only a stopped or failed run"):
        services.run_retry(run=again, by=school.director)


def test_a_stopped_re_match_runs_again_for_the_same_leaving_group(
    school, django_capture_on_commit_callbacks
):
    incoming = incoming_class(school)
    school.group_b1.capacity = 8
    school.group_b1.save()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(
            program=school.program,
            by=school.director,
            cohort=incoming.cohort,
            settings=BALANCE_WOMEN,
        )
    services.run_publish(run=MatchRun.objects.get(pk=run.pk), by=school.director, notify=False)
    leaving = school.group_a2
    rematch = services.rematch_start(
        run=run, leaving_groups=[leaving], by=school.director, enqueue=False
    )
    MatchRun.objects.filter(pk=rematch.pk).update(status=RunStatus.STOPPED)
    rematch.refresh_from_db()
    again = services.run_retry(run=rematch, by=school.director)
    assert again.rematch_of_id == run.pk
    assert again.settings["leaving"] == [str(leaving.pk)]
