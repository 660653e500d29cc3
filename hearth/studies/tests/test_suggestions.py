"""Assisted coding: training the suggester on a study's coding, and acting on its suggestions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearth.people.models import Person
from hearth.studies import embeddings, services, suggestions
from hearth.studies.importers import parse_source
from hearth.studies.models import (
    CodedSegment,
    CodeSuggestion,
    JobStatus,
    SegmentOrigin,
    Source,
    SuggesterRun,
    SuggestionStatus,
)
from hearth.studies.tests.world import World

BELONGING = [
    "I feel at home with the other mentors; we are a real community.",
    "The house gave me people I belong with, colleagues who became friends.",
    "Being part of this group means I am not alone at this school any more.",
    "We have dinner together every month and I feel connected to everyone.",
    "The students and the other mentors are my people now.",
    "I finally found a place here where I fit in and people know me.",
    "Our house feels like a family: we look out for each other.",
    "What I value most is the sense of belonging with the mentors.",
    "I trained elsewhere, and this community is where I put down roots.",
    "The mentor group welcomed me; I feel I am part of something.",
    "I look forward to seeing the other mentors, they are my friends.",
    "It gave me a community of colleagues I would not have met.",
]
TIME = [
    "There is no protected time, so I do it in the evenings after clinic.",
    "None of this counts for promotion and it eats my research days.",
    "On service weeks I cancel sessions because I simply have no hours left.",
    "The workload is heavy and mentoring comes on top of a full clinical load.",
    "I answer student emails at midnight because there is nowhere else to fit it.",
    "My division does not give me any time for it, it is all unpaid.",
    "The hours are the hard part: my family pays for the time I give.",
    "I am stretched thin between clinic, teaching and the students.",
    "Nobody counts mentoring in my workload, so it is invisible and exhausting.",
    "Clinic runs late and the mentoring sessions get squeezed out.",
    "It takes evenings and weekends that I do not really have.",
    "I had to give up a research afternoon to keep mentoring.",
]
NEW = [
    "The mentors here are like a second family to me, I belong with them.",
    "I never have time for it; it all happens late at night after my shifts.",
]


def interview(lines: list[str], speaker: str = "P09") -> str:
    return "".join(f"Interviewer: Tell me more.\n{speaker}: {line}\n" for line in lines)


def build_coded_world(world: World, coder: Person) -> list[Source]:
    """Four interviews, six answers each on two topics, coded by `coder`; a fifth uncoded."""
    sources = []
    for n in range(4):
        lines = [BELONGING[3 * n + i] for i in range(3)] + [TIME[3 * n + i] for i in range(3)]
        lines = [lines[i] for i in (0, 3, 1, 4, 2, 5)]
        source = services.source_import(
            study=world.study,
            by=world.lead,
            title=f"Interview {n + 3}",
            parsed=parse_source(f"i{n}.txt", interview(lines).encode()),
        )
        for line in lines:
            start = source.text.index(line)
            code = "Feeling connected" if line in BELONGING else "Harm"
            services.segments_add(
                source=source,
                coder=coder,
                start=start,
                end=start + len(line),
                codes=[world.codes[code]],
            )
        sources.append(source)
    sources.append(
        services.source_import(
            study=world.study,
            by=world.lead,
            title="Interview 7",
            parsed=parse_source("new.txt", interview(NEW, "P10").encode()),
        )
    )
    return sources


def train(world: World, who: Person, django_capture_on_commit_callbacks) -> SuggesterRun:  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        run = suggestions.suggester_run_request(study=world.study, by=who)
    run.refresh_from_db()
    return run


@pytest.fixture
def coded(world: World) -> list[Source]:
    return build_coded_world(world, world.coder)


def test_training_stores_held_out_kappa_above_the_baseline_and_suggests(
    world, coded, django_capture_on_commit_callbacks
):
    run = train(world, world.coder, django_capture_on_commit_callbacks)
    assert run.status == JobStatus.DONE, run.error
    assert run.progress == 100 and run.finished_at is not None and run.heartbeat_at is not None
    assert run.trained_units == 24 and run.held_out_units == 24
    assert run.kappa is not None and run.kappa > 0.6
    assert run.baseline_kappa is not None and run.kappa > run.baseline_kappa
    assert run.beats_baseline
    names = {v["name"]: v for v in run.per_code.values()}
    assert set(names) == {"Feeling connected", "Harm"}
    assert names["Harm"]["human"] == 12
    assert names["Feeling connected"]["kappa"] > 0.6
    # The uncoded interview gets the right code for each answer, and nothing for questions.
    made = {
        (s.source.text[s.start : s.end], s.code.name)
        for s in CodeSuggestion.objects.filter(run=run).select_related("source", "code")
    }
    assert (NEW[0], "Feeling connected") in made
    assert (NEW[1], "Harm") in made
    speakers = set(run.suggestions.values_list("turn__speaker", flat=True))
    assert "Interviewer" not in speakers and speakers <= {"P01", "P02", "P10"}
    assert all(0 < s.confidence <= 1 for s in run.suggestions.all())
    # Nothing was coded by the suggester itself.
    assert not CodedSegment.objects.filter(source=coded[-1]).exists()


def test_too_little_coding_stores_no_kappa_and_says_why(world, django_capture_on_commit_callbacks):
    run = train(world, world.lead, django_capture_on_commit_callbacks)
    assert run.status == JobStatus.DONE
    assert run.kappa is None and run.baseline_kappa is None
    assert "code at least 10 turns first (so far 0 turns)" in run.progress_message
    assert not run.suggestions.exists()


def test_without_the_model_installed_the_run_waits_with_a_plain_message(world, monkeypatch):
    monkeypatch.setattr(embeddings, "PACKAGES", ("hearth_no_such_package",))
    run = suggestions.suggester_run_request(study=world.study, by=world.coder)
    assert run.status == JobStatus.WAITING
    assert "not installed" in run.error and "hearth[studies-ml]" in run.error


def test_accepting_codes_the_unit_for_the_accepting_coder_only(
    world, coded, django_capture_on_commit_callbacks
):
    run = train(world, world.coder, django_capture_on_commit_callbacks)
    suggestion = run.suggestions.select_related("code").first()
    segment = suggestions.suggestion_accept(suggestion=suggestion, by=world.coder)
    assert segment.origin == SegmentOrigin.SUGGESTED
    assert segment.coder == world.coder
    assert (segment.start, segment.end, segment.code) == (
        suggestion.start,
        suggestion.end,
        suggestion.code,
    )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert suggestion.segment == segment and suggestion.decided_by == world.coder
    assert not CodedSegment.objects.filter(source=suggestion.source).exclude(pk=segment.pk).exists()
    with pytest.raises(ValidationError, match="already accepted"):
        suggestions.suggestion_accept(suggestion=suggestion, by=world.coder)


def test_dismissing_codes_nothing(world, coded, django_capture_on_commit_callbacks):
    run = train(world, world.coder, django_capture_on_commit_callbacks)
    suggestion = run.suggestions.first()
    suggestions.suggestion_dismiss(suggestion=suggestion, by=world.coder)
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DISMISSED
    assert not CodedSegment.objects.filter(source=suggestion.source).exists()


def test_a_viewer_sees_suggestions_but_cannot_act_or_train(
    world, coded, client, django_capture_on_commit_callbacks
):
    services.reconciliation_set(study=world.study, by=world.lead, open_=True)
    run = train(world, world.coder, django_capture_on_commit_callbacks)
    suggestion = run.suggestions.first()
    with pytest.raises(ValidationError, match="lead and coders"):
        suggestions.suggestion_accept(suggestion=suggestion, by=world.viewer)
    with pytest.raises(ValidationError, match="lead and coders"):
        suggestions.suggester_run_request(study=world.study, by=world.viewer)
    client.force_login(world.viewer)
    page = client.get(reverse("study_suggestions", args=[world.study.pk]))
    assert page.status_code == 200
    assert suggestion.code.name in page.content.decode()
    assert "/accept/" not in page.content.decode()
    assert client.post(reverse("suggestion_accept", args=[suggestion.pk])).status_code == 404
    assert client.post(reverse("study_suggestions_train", args=[world.study.pk])).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.WAITING


def test_blind_coding_a_run_learns_only_from_its_coders_codes_and_only_they_see_it(
    world, coded, client, django_capture_on_commit_callbacks
):
    # The lead codes the new interview; the coder's suggester must neither learn from that
    # nor treat the interview as coded, and the lead must not see the coder's suggestions.
    new = coded[-1]
    start = new.text.index(NEW[0])
    services.segments_add(
        source=new,
        coder=world.lead,
        start=start,
        end=start + len(NEW[0]),
        codes=[world.codes["Feeling honored"]],
    )
    run = train(world, world.coder, django_capture_on_commit_callbacks)
    assert "Feeling honored" not in {v["name"] for v in run.per_code.values()}
    assert run.suggestions.filter(start=start).exists()  # uncoded for the coder
    assert not run.suggestions.filter(code=world.codes["Feeling honored"]).exists()

    client.force_login(world.lead)
    page = client.get(reverse("study_suggestions", args=[world.study.pk])).content.decode()
    assert NEW[1] not in page
    suggestion = run.suggestions.first()
    assert client.post(reverse("suggestion_accept", args=[suggestion.pk])).status_code == 404
    with pytest.raises(ValidationError, match="another coder"):
        suggestions.suggestion_accept(suggestion=suggestion, by=world.lead)
    # The lead's own suggester learns only from the lead's one coded turn.
    lead_run = train(world, world.lead, django_capture_on_commit_callbacks)
    assert lead_run.trained_units == 1 and lead_run.kappa is None
    # Once reconciliation opens, everyone's coding is shared, and so are the suggestions.
    services.reconciliation_set(study=world.study, by=world.lead, open_=True)
    page = client.get(reverse("study_suggestions", args=[world.study.pk])).content.decode()
    assert NEW[1] in page


def test_a_new_run_replaces_the_waiting_suggestions_and_keeps_decided_ones(
    world, coded, django_capture_on_commit_callbacks
):
    first = train(world, world.coder, django_capture_on_commit_callbacks)
    accepted = first.suggestions.first()
    suggestions.suggestion_accept(suggestion=accepted, by=world.coder)
    second = train(world, world.coder, django_capture_on_commit_callbacks)
    assert second.pk != first.pk
    assert list(first.suggestions.values_list("status", flat=True)) == [SuggestionStatus.ACCEPTED]
    waiting = CodeSuggestion.objects.filter(status=SuggestionStatus.WAITING)
    assert set(waiting.values_list("run_id", flat=True)) == {second.pk}
    # The accepted turn is coded now, so it is not suggested again.
    assert not second.suggestions.filter(start=accepted.start).exists()


def test_the_page_shows_trust_in_plain_words_with_a_bounded_query_count(
    world, coded, client, django_capture_on_commit_callbacks
):
    from django.db import connection

    run = train(world, world.coder, django_capture_on_commit_callbacks)
    waiting = CodeSuggestion.objects.filter(status="waiting")
    before = (waiting.count(), waiting.values("source").distinct().count())
    client.force_login(world.coder)
    url = reverse("study_suggestions", args=[world.study.pk])
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert f"On {run.held_out_units} coded turns it had not seen" in page
    assert "always suggesting “" in page
    assert "% likely" in page
    # More suggestions, more sources: the same number of queries.
    more = build_coded_world(world, world.coder)[-1]
    more.title = "Interview 8"
    more.save()
    train(world, world.coder, django_capture_on_commit_callbacks)
    after = (waiting.count(), waiting.values("source").distinct().count())
    assert after[0] > before[0] and after[1] > before[1]
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_coding_page_tells_of_waiting_suggestions(
    world, coded, client, django_capture_on_commit_callbacks
):
    train(world, world.coder, django_capture_on_commit_callbacks)
    client.force_login(world.coder)
    note = client.get(reverse("source_suggestions_note", args=[coded[-1].pk])).content.decode()
    assert "suggested codes waiting for this source" in note or "suggested code waiting" in note
    client.force_login(world.lead)
    note = client.get(reverse("source_suggestions_note", args=[coded[-1].pk])).content.decode()
    assert note.strip() == ""


def test_outsiders_get_404(world, coded, client, django_capture_on_commit_callbacks):
    run = train(world, world.coder, django_capture_on_commit_callbacks)
    suggestion = run.suggestions.first()
    outsider = world.school.outsider
    client.force_login(outsider)
    for url, method in [
        (reverse("study_suggestions", args=[world.study.pk]), "get"),
        (reverse("study_suggestions_train", args=[world.study.pk]), "post"),
        (reverse("suggestion_accept", args=[suggestion.pk]), "post"),
        (reverse("suggestion_dismiss", args=[suggestion.pk]), "post"),
        (reverse("source_suggestions_note", args=[coded[0].pk]), "get"),
    ]:
        assert getattr(client, method)(url).status_code == 404, url
    assert not SuggesterRun.objects.exclude(pk=run.pk).exists()


def test_the_demo_has_suggestions_waiting_for_an_uncoded_interview(db):
    from django.utils import timezone

    from hearth.communities.demo import seed_demo
    from hearth.pulse.demo import seed_pulse
    from hearth.seed_snapshots import seeded
    from hearth.studies.demo import seed_studies

    today = timezone.localdate()
    school = seeded(seed_demo, today=today)
    seed_pulse(school=school, today=today)
    study = seed_studies(school=school, today=today)
    run = SuggesterRun.objects.get(study=study)
    assert run.status == JobStatus.DONE, run.error
    # Five coded interviews give just enough turns to measure it on interviews it did not see.
    assert run.trained_units >= suggestions.suggest.MIN_UNITS
    assert run.kappa is not None and run.beats_baseline
    waiting = CodeSuggestion.objects.filter(run=run, status=SuggestionStatus.WAITING)
    uncoded = Source.objects.filter(study=study, segments__isnull=True)
    assert waiting.filter(source__in=uncoded).exists()


def test_a_suggester_that_does_not_beat_the_baseline_says_so(world, client):
    SuggesterRun.objects.create(
        study=world.study,
        requested_by=world.coder,
        status=JobStatus.DONE,
        progress=100,
        trained_units=40,
        held_out_units=40,
        kappa=0.05,
        baseline_kappa=0.07,
        per_code={
            "a": {
                "name": "Harm",
                "kappa": 0.05,
                "human": 20,
                "suggested": 9,
                "both": 5,
                "commonest": True,
            }
        },
    )
    client.force_login(world.coder)
    page = client.get(reverse("study_suggestions", args=[world.study.pk])).content.decode()
    assert (
        "The suggester does not beat always suggesting “Harm” (κ 0.05 vs 0.07, on 40 coded "
        "turns it had not seen): treat its suggestions with caution." in page
    )


def test_a_run_whose_worker_fell_silent_fails_when_its_page_is_opened(world, client):
    run = suggestions.suggester_run_request(study=world.study, by=world.coder)
    SuggesterRun.objects.filter(pk=run.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=timezone.now() - dt.timedelta(minutes=14)
    )
    client.force_login(world.coder)
    url = reverse("study_suggestions", args=[world.study.pk])
    client.get(url)
    run.refresh_from_db()
    assert run.status == JobStatus.RUNNING, "fourteen minutes: still alive"
    SuggesterRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=16)
    )
    page = client.get(url).content.decode()
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED and run.finished_at is not None
    assert "stopped answering" in run.error and "stopped answering" in page
    # A worker that picks the task up late finds the run over and stores nothing.
    assert suggestions.suggester_run_execute(run.pk).status == JobStatus.FAILED
    assert not run.suggestions.exists()
