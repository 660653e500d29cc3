"""Assisted coding: training the code suggester on a study's coding, and acting on what it
suggests. The algorithm is in suggest.py, the language model in embeddings.py.

Blind coding: a suggester trained on other coders' segments would reveal their codes through
its suggestions. So a run trains on exactly the segments its requester may see
(selectors.visible_segments): their own before reconciliation opens, everyone's after. The
study lead is no exception, since the lead codes blind too. For the same reason a run and
its suggestions are seen only by the coder who asked for it until reconciliation opens.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from hearth.lib.jobs import JobGone, JobRows
from hearth.people.models import Person

from . import embeddings, services, suggest
from .models import (
    Code,
    CodedSegment,
    CodeSuggestion,
    JobStatus,
    SegmentOrigin,
    Source,
    Study,
    StudyEvent,
    StudyMember,
    SuggesterRun,
    SuggestionStatus,
    Turn,
)
from .selectors import speaker_label, visible_segments

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1.0  # seconds between progress writes
SILENT_AFTER = dt.timedelta(minutes=15)  # a running job this quiet has lost its worker
RUNS = JobRows(SuggesterRun, JobStatus.QUEUED, JobStatus.RUNNING, SILENT_AFTER, "requested_at")
BATCH = 64  # units embedded between progress writes
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)

NOT_INSTALLED = (
    "The suggester's language model is not installed on this site. Ask your site "
    "administrator to run pip install 'hearth[studies-ml]'; the suggester can then be trained."
)


# -- Who sees what -------------------------------------------------------------------------------


def runs_visible(study: Study, member: StudyMember) -> QuerySet[SuggesterRun]:
    """The runs a member sees: their own before reconciliation, the study's after."""
    runs = SuggesterRun.objects.filter(study=study)
    if study.reconciliation_open:
        return runs
    return runs.filter(requested_by_id=member.person_id)


def waiting_suggestions(study: Study, member: StudyMember) -> QuerySet[CodeSuggestion]:
    return CodeSuggestion.objects.filter(
        run__in=runs_visible(study, member), status=SuggestionStatus.WAITING
    )


def get_suggestion_for_member(user: Any, pk: int) -> tuple[CodeSuggestion, StudyMember]:
    """A suggestion of a run the user may see, with their membership; anyone else gets 404."""
    suggestion = (
        CodeSuggestion.objects.filter(pk=pk, run__study__members__person_id=user.pk)
        .select_related("run__study__codebook", "source", "code")
        .first()
    )
    if suggestion is None:
        raise Http404("Not found.")
    study = suggestion.run.study
    member = study.members.get(person_id=user.pk)
    if not runs_visible(study, member).filter(pk=suggestion.run_id).exists():
        raise Http404("Not found.")
    return suggestion, member


# -- Requesting and running ----------------------------------------------------------------------


def _event(study: Study, actor: Person | None, kind: str, message: str) -> None:
    StudyEvent.objects.create(study=study, actor=actor, kind=kind, message=message[:400])


@transaction.atomic
def suggester_run_request(*, study: Study, by: Person) -> SuggesterRun:
    """Queue a training of the suggester on the coding `by` may see (one at a time each)."""
    member = study.members.filter(person=by).first()
    if member is None or not member.codes:
        raise ValidationError("Only the study's lead and coders train the suggester.")
    running = (
        SuggesterRun.objects.select_for_update()
        .filter(study=study, requested_by=by, status__in=ACTIVE)
        .first()
    )
    if running is not None:
        return running
    if not embeddings.available():
        return SuggesterRun.objects.create(
            study=study,
            requested_by=by,
            status=JobStatus.WAITING,
            progress_message="Waiting for the language model to be installed",
            error=NOT_INSTALLED,
        )
    run = SuggesterRun.objects.create(
        study=study, requested_by=by, progress_message="Waiting for the background worker"
    )
    _event(study, by, "suggester_run", "Asked the suggester to learn from the coding.")
    from .tasks import suggester_run_task

    run_id = run.pk
    transaction.on_commit(lambda: suggester_run_task.enqueue(run_id))
    return run


class _Progress:
    """Throttled progress writes that the page polls; they double as the heartbeat."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.last = 0.0

    def __call__(self, percent: int, message: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        RUNS.write(self.run_id, progress=max(1, min(99, percent)), progress_message=message[:200])


@dataclass
class _Units:
    units: list[suggest.Unit] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    turns: list[int | None] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)


def _units(study: Study) -> _Units:
    """Every speaker turn of the study (paragraphs where a source has none), withdrawn
    words left out."""
    found = _Units()
    sources = list(Source.objects.filter(study=study).order_by("title", "pk").only("pk", "text"))
    turns: defaultdict[int, list[Turn]] = defaultdict(list)
    for t in Turn.objects.filter(source__study=study).order_by("start"):
        turns[t.source_id].append(t)

    def add(source: Source, turn: Turn | None, start: int, end: int, speaker: str) -> None:
        text = source.text[start:end]
        if not text.strip():
            return
        found.units.append(suggest.Unit(len(found.units), str(source.pk), start, end, speaker))
        found.texts.append(text)
        found.turns.append(turn.pk if turn else None)
        found.sources.append(source.pk)

    for source in sources:
        if turns[source.pk]:
            for t in turns[source.pk]:
                if not t.withdrawn:
                    # Participants' turns share one speaker key: the interviewer's do not.
                    who = "participant" if t.participant_id else t.speaker.strip().casefold()
                    add(source, t, t.start, t.end, who)
            continue
        at = 0
        for line in source.text.split("\n"):
            lead = len(line) - len(line.lstrip())
            if line.strip():
                add(source, None, at + lead, at + len(line.rstrip()), "")
            at += len(line) + 1
    return found


def suggester_run_execute(run_id: int) -> SuggesterRun:
    """The task body: embed the study's turns, measure the suggester on sources it did not
    see, train it on all the coding, and store its suggestions for the uncoded turns."""
    claimed = RUNS.claim(run_id, progress=1, progress_message="Reading the coding")
    run = SuggesterRun.objects.select_related("study", "requested_by").get(pk=run_id)
    if not claimed:
        return run
    progress = _Progress(run.pk)
    try:
        try:
            _execute(run, progress)
        except JobGone:
            raise
        except embeddings.EncoderUnavailable as error:
            RUNS.finish(run.pk, status=JobStatus.FAILED, error=str(error)[:400], progress=100)
        except Exception as error:
            logger.exception("Suggester run %s failed", run.pk)
            RUNS.finish(
                run.pk,
                status=JobStatus.FAILED,
                error=f"The suggester stopped unexpectedly ({type(error).__name__}). Nothing "
                "was changed; try again, and tell your site administrator if it happens again.",
                progress=100,
            )
    except JobGone:
        logger.warning(
            "Suggester run %s stopped being a running run; its result is dropped", run_id
        )
    run.refresh_from_db()
    return run


def _execute(run: SuggesterRun, progress: _Progress) -> None:
    study = run.study
    member = (
        study.members.filter(person_id=run.requested_by_id).first()
        if run.requested_by_id is not None
        else None
    )
    if member is None or not member.codes:
        RUNS.finish(
            run.pk,
            status=JobStatus.FAILED,
            error="Whoever asked for this is no longer a coder of the study.",
            progress=100,
        )
        return
    codes = {str(c.pk): c for c in Code.objects.filter(codebook__study=study, retired_at=None)}
    segments = [
        suggest.Segment(str(source), start, end, str(code))
        for source, start, end, code in visible_segments(study, member).values_list(
            "source_id", "start", "end", "code_id"
        )
    ]
    found = _units(study)
    plan = suggest.plan(found.units, segments, set(codes))
    if len(plan.coded) < suggest.MIN_TRAIN:
        n = len(plan.coded)
        RUNS.finish(
            run.pk,
            status=JobStatus.DONE,
            progress=100,
            progress_message=f"The suggester learns from your coding: code at least "
            f"{suggest.MIN_TRAIN} turns first (so far {n} turn{'s' if n != 1 else ''}).",
            trained_units=n,
        )
        return
    # Only the coded units (to learn from) and the uncoded ones (to suggest for) are embedded.
    wanted = list(plan.coded) + list(plan.uncoded)
    vectors = {}
    for at in range(0, len(wanted), BATCH):
        chunk = wanted[at : at + BATCH]
        progress(
            5 + round(80 * at / len(wanted)),
            f"Reading the turns ({at} of {len(wanted)})",
        )
        for i, row in zip(chunk, embeddings.encode([found.texts[i] for i in chunk]), strict=True):
            vectors[i] = row
    progress(86, "Checking it against your coding of interviews it has not seen", force=True)
    import numpy as np

    x_coded = np.array([vectors[i] for i in plan.coded]).reshape(len(plan.coded), -1)
    sources = [found.units[i].source for i in plan.coded]
    evaluation = suggest.evaluate(x_coded, plan.labels, sources)
    progress(94, "Learning from all the coding", force=True)
    model = suggest.train(x_coded, plan.labels, plan.codes)
    x_uncoded = np.array([vectors[i] for i in plan.uncoded]).reshape(len(plan.uncoded), -1)
    made = suggest.suggest(model, x_uncoded, plan.uncoded)
    per_code = {
        str(codes[f.code].guid): {
            "name": codes[f.code].name,
            "kappa": f.kappa,
            "human": f.human,
            "suggested": f.suggested,
            "both": f.both,
            "commonest": f.code == evaluation.baseline_code,
        }
        for f in evaluation.per_code
    }
    with transaction.atomic():
        if not SuggesterRun.objects.select_for_update().filter(pk=run.pk, status=JobStatus.RUNNING):
            raise JobGone(run.pk)
        older = CodeSuggestion.objects.filter(
            run__study=study,
            run__requested_at__lte=run.requested_at,
            status=SuggestionStatus.WAITING,
        ).exclude(run=run)
        if not study.reconciliation_open:
            older = older.filter(run__requested_by_id=run.requested_by_id)
        older.delete()
        CodeSuggestion.objects.bulk_create(
            CodeSuggestion(
                run=run,
                source_id=found.sources[s.unit],
                turn_id=found.turns[s.unit],
                start=found.units[s.unit].start,
                end=found.units[s.unit].end,
                code=codes[s.code],
                confidence=s.confidence,
            )
            for s in made
        )
        RUNS.finish(
            run.pk,
            status=JobStatus.DONE,
            progress=100,
            progress_message=evaluation.note or "Done",
            trained_units=len(plan.coded),
            held_out_units=evaluation.units if evaluation.kappa is not None else 0,
            kappa=evaluation.kappa,
            baseline_kappa=evaluation.baseline_kappa,
            per_code=per_code,
        )


def suggester_run_fail_if_silent(*, run: SuggesterRun, now: dt.datetime | None = None) -> None:
    """Mark a running run failed when its worker has been silent too long."""
    if run.status == JobStatus.RUNNING and RUNS.end_silent(
        SuggesterRun.objects.filter(pk=run.pk),
        now=now,
        status=JobStatus.FAILED,
        error="The background worker stopped answering while it trained the suggester. "
        "Nothing was changed; train it again.",
    ):
        run.refresh_from_db()


# -- Acting on a suggestion ----------------------------------------------------------------------


def _check_may_decide(suggestion: CodeSuggestion, by: Person) -> StudyMember:
    study = suggestion.run.study
    member = study.members.filter(person=by).first()
    if member is None or not member.codes:
        raise ValidationError("Only the study's lead and coders accept or dismiss suggestions.")
    if not runs_visible(study, member).filter(pk=suggestion.run_id).exists():
        raise ValidationError("That suggestion was made for another coder.")
    if suggestion.status != SuggestionStatus.WAITING:
        raise ValidationError(
            f"That suggestion was already {suggestion.get_status_display().lower()}."
        )
    return member


@transaction.atomic
def suggestion_accept(*, suggestion: CodeSuggestion, by: Person) -> CodedSegment:
    """Apply the suggested code to the unit, as `by`'s own coding, marked as suggested."""
    suggestion = (
        CodeSuggestion.objects.select_for_update()
        .select_related("run__study", "source", "code__codebook")
        .get(pk=suggestion.pk)
    )
    _check_may_decide(suggestion, by)
    if not suggestion.code.active:
        raise ValidationError(
            f"The code “{suggestion.code.name}” has been merged or split away since the "
            "suggestion was made: dismiss it and train the suggester again."
        )
    existed = set(
        CodedSegment.objects.filter(
            source=suggestion.source, coder=by, code=suggestion.code
        ).values_list("pk", flat=True)
    )
    segment = services.segments_add(
        source=suggestion.source,
        coder=by,
        start=suggestion.start,
        end=suggestion.end,
        codes=[suggestion.code],
    )[0]
    if segment.pk not in existed:
        segment.origin = SegmentOrigin.SUGGESTED
        segment.save(update_fields=["origin"])
    suggestion.status = SuggestionStatus.ACCEPTED
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.segment = segment
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "segment"])
    _event(
        suggestion.run.study,
        by,
        "suggestion_accept",
        f"Accepted the suggested code “{suggestion.code.name}” on {suggestion.source.title}.",
    )
    return segment


@transaction.atomic
def suggestion_dismiss(*, suggestion: CodeSuggestion, by: Person) -> CodeSuggestion:
    """Set a suggestion aside; nothing is coded."""
    suggestion = (
        CodeSuggestion.objects.select_for_update()
        .select_related("run__study")
        .get(pk=suggestion.pk)
    )
    _check_may_decide(suggestion, by)
    suggestion.status = SuggestionStatus.DISMISSED
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    return suggestion


# -- The suggestions page ----------------------------------------------------------------------


@dataclass
class UnitSuggestions:
    start: int
    end: int
    text: str
    speaker: str
    suggestions: list[CodeSuggestion]


@dataclass
class SourceSuggestions:
    source: Source
    units: list[UnitSuggestions]

    @property
    def count(self) -> int:
        return sum(len(u.suggestions) for u in self.units)


@dataclass
class CodeRow:
    name: str
    kappa: float | None
    human: int
    suggested: int
    both: int
    commonest: bool


def kappa_words(kappa: float | None) -> str:
    """Landis and Koch's words for a kappa, the ones reviewers expect."""
    if kappa is None:
        return ""
    for floor, words in ((0.8, "almost perfect"), (0.6, "substantial"), (0.4, "moderate")):
        if kappa > floor:
            return words
    if kappa > 0.2:
        return "fair"
    return "slight" if kappa > 0 else "no better than chance"


@dataclass
class SuggestionsPage:
    run: SuggesterRun | None  # the latest run the member sees
    done: SuggesterRun | None  # the latest finished one, whose figures are shown
    baseline_name: str
    per_code: list[CodeRow]
    sources: list[SourceSuggestions]
    waiting: int

    @property
    def strength(self) -> str:
        return kappa_words(self.done.kappa if self.done else None)


def suggestions_page(study: Study, member: StudyMember) -> SuggestionsPage:
    """The member's latest run, its trust figures and the suggestions waiting for review,
    grouped by source and unit, in a fixed number of queries."""
    runs = (
        runs_visible(study, member).select_related("requested_by").order_by("-requested_at", "-pk")
    )
    run = runs.first()
    if run is not None:
        suggester_run_fail_if_silent(run=run)
    done = (
        run
        if run is not None and run.status == JobStatus.DONE
        else runs.filter(status=JobStatus.DONE).first()
    )
    rows = sorted(
        (
            CodeRow(v["name"], v["kappa"], v["human"], v["suggested"], v["both"], v["commonest"])
            for v in (done.per_code.values() if done else [])
        ),
        key=lambda r: (-r.human, r.name),
    )
    suggestions = list(
        waiting_suggestions(study, member)
        .select_related("code", "turn__participant")
        .order_by("source_id", "start", "-confidence", "pk")
    )
    ids = {s.source_id for s in suggestions}
    texts = dict(Source.objects.filter(pk__in=ids).values_list("pk", "text"))
    by_pk = {s.pk: s for s in Source.objects.filter(pk__in=ids).only("pk", "title", "study_id")}
    grouped: dict[int, dict[tuple[int, int], UnitSuggestions]] = {}
    for s in suggestions:
        units = grouped.setdefault(s.source_id, {})
        unit = units.get((s.start, s.end))
        if unit is None:
            unit = units[(s.start, s.end)] = UnitSuggestions(
                s.start,
                s.end,
                texts[s.source_id][s.start : s.end],
                speaker_label(s.turn) if s.turn else "",
                [],
            )
        unit.suggestions.append(s)
    sources = [SourceSuggestions(by_pk[pk], list(units.values())) for pk, units in grouped.items()]
    sources.sort(key=lambda s: s.source.title)
    return SuggestionsPage(
        run=run,
        done=done,
        baseline_name=next((r.name for r in rows if r.commonest), ""),
        per_code=rows,
        sources=sources,
        waiting=len(suggestions),
    )


def waiting_count(source: Source, member: StudyMember) -> int:
    return waiting_suggestions(source.study, member).filter(source=source).count()


def seed_suggestions(study: Study, lead: Person) -> SuggesterRun:
    """For the demo: train the suggester for real, so suggestions wait for review."""
    if not embeddings.available():
        return suggester_run_request(study=study, by=lead)  # waits, saying why
    run = SuggesterRun.objects.create(study=study, requested_by=lead)
    return suggester_run_execute(run.pk)
