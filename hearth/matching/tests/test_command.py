"""`manage.py match`: the same run from a terminal or a cron job."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hearth.communities.models import GroupMembership
from hearth.matching import services
from hearth.matching.models import MatchRun, RunStatus, Side
from hearth.matching.tests.factories import incoming_class

pytestmark = pytest.mark.django_db


def _call(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("match", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_match_prints_the_summary_and_run_id_and_writes_no_membership(school):
    incoming = incoming_class(school)
    out, _ = _call(school.program.slug, "--cohort", "2029", "--balance", "gender=woman:2")
    run = MatchRun.objects.get()
    assert run.status == RunStatus.READY
    assert f"Run {run.pk}: Class of 2029" in out and "6 learners placed" in out
    assert "proven optimal" in out and "Balance of woman" in out
    assert not GroupMembership.objects.filter(person__in=incoming.learners).exists()


def test_match_with_publish_places_the_class(school):
    incoming = incoming_class(school)
    out, _ = _call(school.program.slug, "--cohort", "Class of 2029", "--publish")
    assert "Published run" in out
    assert MatchRun.objects.get().status == RunStatus.PUBLISHED
    assert GroupMembership.objects.filter(person__in=incoming.learners).count() == 6


def test_infeasible_exits_1_naming_the_rules_and_writes_nothing(school):
    incoming_class(school, size=9)
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("match", school.program.slug, "--cohort", "2029", stderr=err)
    assert exit_.value.code == 1
    assert "No placement meets every rule; nothing was written" in err.getvalue()
    assert "capacity" in err.getvalue()
    assert not MatchRun.objects.exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["nope", "--cohort", "2029"], "No program has the slug"),
        (["md-lc", "--cohort", "2050"], "has no class “2050”"),
        (["md-lc", "--cohort", "2029", "--preference-weight", "500"], "from 0 to 100"),
        (["md-lc", "--cohort", "2029", "--balance", "gender"], "ATTRIBUTE=VALUE"),
        (["md-lc", "--round", "999"], "has no mentoring round 999"),
    ],
)
def test_bad_arguments_say_what_is_wrong(school, args, words):
    incoming_class(school)
    with pytest.raises(CommandError, match=words):
        _call(*args)
    assert not MatchRun.objects.exists()


def test_match_a_mentoring_round(school):
    round_ = services.round_create(
        program=school.program, name="Faculty pairs", starts_on=dt.date(2027, 1, 4)
    )
    services.participant_add(round_=round_, person=school.mentor_a1, side=Side.MENTOR)
    services.participant_add(round_=round_, person=school.mentor_b1, side=Side.MENTEE)
    out, _ = _call(school.program.slug, "--round", str(round_.pk), "--policy", "stable")
    assert "1 pair;" in out and "Blocking pairs: 0" in out
