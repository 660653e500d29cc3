"""Writes for recorded interviews: upload, transcription (the background task's body) and
corrections to the transcript.

A recorded source's text is its turns' words, one turn per line; speaker labels live on the
turns, not in the text, so relabelling a speaker never moves a coding's offsets.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hearth.lib.jobs import JobGone, JobRows
from hearth.people.models import Person

from . import transcription
from .models import (
    CodedSegment,
    CodeSuggestion,
    Consent,
    JobStatus,
    Participant,
    Source,
    SourceKind,
    Study,
    StudyEvent,
    Transcription,
    Turn,
)
from .weights import WeightsError

logger = logging.getLogger(__name__)

AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".flac", ".webm")
MAX_AUDIO_BYTES = 500 * 1024 * 1024
DEFAULT_SPEAKER = "Speaker"
PROGRESS_EVERY = 1.0  # seconds between progress writes
SILENT_AFTER = dt.timedelta(minutes=10)
JOBS = JobRows(Transcription, JobStatus.QUEUED, JobStatus.RUNNING, SILENT_AFTER, "requested_at")
_SHIFT = 1_000_000_000  # moves offsets out of the way so a shift never collides


def _event(study: Study, actor: Person | None, kind: str, message: str) -> None:
    StudyEvent.objects.create(study=study, actor=actor, kind=kind, message=message[:400])


def site_models() -> list[transcription.ModelChoice]:
    """The models this site can transcribe with now, the configured one first."""
    return transcription.available_models(settings.TRANSCRIPTION_MODEL)


def _check_participant(study: Study, participant: Participant) -> None:
    from .services import has_study_consent

    if participant.study_id != study.pk:
        raise ValidationError("Choose a participant of this study.")
    if not has_study_consent(participant):
        raise ValidationError(
            f"{participant} has no consent on record: record it on the participant's page first."
        )


def _consent_for_source(participant: Participant, source: Source, by: Person | None) -> None:
    if not Consent.objects.filter(participant=participant, source=source).exists():
        Consent.objects.create(
            participant=participant,
            source=source,
            source_title=source.title,
            given_on=timezone.localdate(),
            note="Covered by the participant's study consent; recorded with the recording.",
            recorded_by=by,
        )


def _enqueue(job: Transcription) -> None:
    from .tasks import transcribe_task

    job_id = job.pk
    transaction.on_commit(lambda: transcribe_task.enqueue(job_id))


@transaction.atomic
def recording_upload(
    *,
    study: Study,
    by: Person,
    upload: UploadedFile,
    title: str,
    participant: Participant | None = None,
    enqueue: bool = True,
) -> Source:
    """Keep an interview recording as an audio source and queue its transcription, or leave
    it waiting when no model is installed."""
    filename = PurePath(upload.name or "").name
    if PurePath(filename).suffix.lower() not in AUDIO_SUFFIXES:
        kinds = ", ".join(s[1:].upper() for s in AUDIO_SUFFIXES)
        raise ValidationError(f"“{filename}” is not a recording Hearth takes ({kinds}).")
    if upload.size is None or upload.size > MAX_AUDIO_BYTES:
        raise ValidationError(
            f"“{filename}” is larger than {MAX_AUDIO_BYTES // 1024 // 1024} MB: save it as "
            "MP3 or M4A, which is far smaller, and upload that."
        )
    if participant is not None:
        _check_participant(study, participant)
    upload.seek(0)
    try:
        transcription.check_audio_signature(upload.read(transcription.SIGNATURE_BYTES))
        if transcription.engine_installed():
            upload.seek(0)
            # A large upload is on disk already: probe it there rather than read it into memory.
            on_disk = getattr(upload, "temporary_file_path", None)
            transcription.probe_audio(on_disk() if on_disk else upload.read())
    except transcription.AudioError as error:
        raise ValidationError(f"Nothing was uploaded: “{filename}”: {error}.") from error
    upload.seek(0)
    source = Source.objects.create(
        study=study,
        title=(title.strip() or PurePath(filename).stem or "Recording")[:200],
        kind=SourceKind.AUDIO,
        filename=filename[:255],
        participant=participant,
        text="",
        imported_by=by,
    )
    source.audio.save(filename, upload, save=True)
    models = site_models()
    job = Transcription.objects.create(
        source=source,
        model_key=models[0].key if models else settings.TRANSCRIPTION_MODEL.strip()[:200],
        status=JobStatus.QUEUED if models else JobStatus.WAITING,
        requested_by=by,
    )
    if participant is not None:
        _consent_for_source(participant, source, by)
    _event(study, by, "recording", f"{by} uploaded the recording “{source.title}”.")
    if models and enqueue:
        _enqueue(job)
    return source


@transaction.atomic
def transcription_start(*, job: Transcription, by: Person, model_key: str = "") -> Transcription:
    """Transcribe a waiting (or failed) recording now, with one of the site's models."""
    job = Transcription.objects.select_for_update().select_related("source").get(pk=job.pk)
    if job.status not in (JobStatus.WAITING, JobStatus.FAILED):
        raise ValidationError("This recording is already transcribed or on its way.")
    models = site_models()
    if not models:
        raise ValidationError("No transcription model is installed on this site yet.")
    keys = [m.key for m in models]
    if model_key and model_key not in keys:
        raise ValidationError(f"“{model_key}” is not a model this site has ({', '.join(keys)}).")
    job.model_key = model_key or keys[0]
    job.status = JobStatus.QUEUED
    job.progress = 0
    job.error = ""
    job.requested_by = by
    job.requested_at = timezone.now()
    job.started_at = job.finished_at = job.heartbeat_at = None
    job.save()
    _event(job.source.study, by, "transcription", f"{by} asked to transcribe “{job.source}”.")
    _enqueue(job)
    return job


class _Progress:
    """Throttled progress writes, which also tell the page that the worker is alive."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        JOBS.write(self.job_id, progress=max(1, min(99, round(fraction * 100))))


def _audio_input(source: Source) -> Path | bytes:
    try:
        return Path(source.audio.path)
    except NotImplementedError:  # storage without local files
        with source.audio.open("rb") as handle:
            return handle.read()


def _fail(job_id: int, message: str) -> None:
    with suppress(JobGone):  # already ended as silent: that verdict stands
        JOBS.finish(job_id, status=JobStatus.FAILED, error=message[:400])


def transcription_run(transcription_id: int) -> Transcription:
    """The background task: transcribe a queued recording into timed turns."""
    claimed = JOBS.claim(transcription_id, progress=0, started_at=timezone.now())
    job = Transcription.objects.select_related("source__study").get(pk=transcription_id)
    if not claimed:
        return job  # another worker has it, or it is finished
    began = time.perf_counter()
    try:
        engine = transcription.transcriber_for(job.model_key, settings.MODEL_CACHE)
        if engine is None:
            Transcription.objects.filter(pk=job.pk).update(
                status=JobStatus.WAITING, error=f"The model {job.model_key} is not installed."
            )
        else:
            samples, seconds = transcription.decode_audio(_audio_input(job.source))
            segments = engine.transcribe(samples, _Progress(job.pk))
            _store(job, segments, seconds, time.perf_counter() - began)
    except JobGone:
        logger.warning(
            "Transcription %s stopped being a running job; its result is dropped", job.pk
        )
    except WeightsError as error:
        logger.error("Transcription %s refused its model: %s", job.pk, error)
        _fail(
            job.pk,
            "The model's files do not match the versions Hearth trusts, so it was not loaded. "
            "Ask your site administrator to reinstall hearth[studies-ml].",
        )
    except transcription.AudioError as error:
        _fail(job.pk, f"The recording could not be read: {error}.")
    except Exception as error:
        logger.exception("Transcription %s failed", job.pk)
        _fail(
            job.pk,
            f"The transcription stopped unexpectedly ({type(error).__name__}). Nothing was "
            "changed; try again, and tell your site administrator if it happens again.",
        )
    job.refresh_from_db()
    return job


@transaction.atomic
def _store(
    job: Transcription,
    segments: list[transcription.TimedSegment],
    audio_seconds: float,
    processing_seconds: float,
) -> None:
    source = Source.objects.select_for_update().get(pk=job.source_id)
    if not Transcription.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exists():
        raise JobGone(job.pk)
    text, laid = transcription.lay_out(segments)
    source.text = text
    source.save(update_fields=["text"])
    source.turns.all().delete()
    Turn.objects.bulk_create(
        Turn(
            source=source,
            index=i,
            start=t.start,
            end=t.end,
            speaker=DEFAULT_SPEAKER,
            begins_at=t.begins_at,
            ends_at=t.ends_at,
        )
        for i, t in enumerate(laid)
        if t.end > t.start
    )
    JOBS.finish(
        job.pk,
        status=JobStatus.DONE,
        progress=100,
        audio_seconds=round(audio_seconds, 2),
        processing_seconds=round(processing_seconds, 2),
        heartbeat_at=timezone.now(),
        error="" if laid else "No speech was heard in this recording.",
    )
    _event(
        source.study, None, "transcribed", f"“{source.title}” was transcribed ({len(laid)} turns)."
    )


def transcription_stop_if_silent(
    *, job: Transcription, now: dt.datetime | None = None
) -> Transcription:
    """Mark a running transcription failed when its worker has been silent too long."""
    stopped = JOBS.end_silent(
        Transcription.objects.filter(pk=job.pk),
        now=now,
        status=JobStatus.FAILED,
        error="The transcription stopped answering, probably because its worker was "
        "restarted. Nothing was changed; transcribe it again.",
    )
    if stopped:
        job.refresh_from_db()
    return job


# -- Correcting the transcript ------------------------------------------------------------------


@dataclass(frozen=True)
class TurnEdit:
    turn: Turn
    shifted_by: int  # how far later turns and codings moved


def covering_segments(turn: Turn) -> int:
    """How many coded segments overlap the turn's words (they lock its text)."""
    return CodedSegment.objects.filter(
        source_id=turn.source_id, start__lt=turn.end, end__gt=turn.start
    ).count()


def _speaker_participant(source: Source, speaker: str) -> Participant | None:
    return (
        Participant.objects.filter(
            study_id=source.study_id, pseudonym__iexact=speaker, withdrawn_at__isnull=True
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def transcript_turn_edit(*, turn: Turn, by: Person, speaker: str, text: str) -> TurnEdit:
    """Correct a turn's speaker and words. The words change only while no coded segment
    covers them; later turns and codings move by the change in length. A speaker label that
    is a participant's pseudonym links the turn to them."""
    source = Source.objects.select_for_update().get(pk=turn.source_id)
    turn = Turn.objects.get(pk=turn.pk)
    speaker = " ".join(speaker.split())
    words = " ".join(text.split())
    if not speaker:
        raise ValidationError("Give the speaker a label, such as Interviewer or a pseudonym.")
    if len(speaker) > 120:
        raise ValidationError("A speaker label has at most 120 characters.")
    if not words:
        raise ValidationError("A turn needs its words; to drop a turn, ask the study lead.")
    old = source.text[turn.start : turn.end]
    delta = 0
    if words != old:
        if turn.withdrawn:
            raise ValidationError("This speaker withdrew: their words cannot be edited.")
        if covering_segments(turn):
            raise ValidationError(
                "Coded segments cover this turn, so its words can no longer change (the codings "
                "point into them). You can still change its speaker."
            )
        delta = len(words) - len(old)
        old_end = turn.end
        source.text = source.text[: turn.start] + words + source.text[old_end:]
        source.save(update_fields=["text"])
        CodeSuggestion.objects.filter(
            source=source, start__lt=old_end, end__gt=turn.start, segment__isnull=True
        ).delete()
        if delta:
            for model in (Turn, CodedSegment, CodeSuggestion):
                later = model.objects.filter(source=source, start__gte=old_end)  # type: ignore[attr-defined]
                ids = list(later.values_list("pk", flat=True))
                model.objects.filter(pk__in=ids).update(  # type: ignore[attr-defined]
                    start=F("start") + _SHIFT, end=F("end") + _SHIFT
                )
                model.objects.filter(pk__in=ids).update(  # type: ignore[attr-defined]
                    start=F("start") - _SHIFT + delta, end=F("end") - _SHIFT + delta
                )
        turn.end = turn.start + len(words)
    participant = _speaker_participant(source, speaker)
    if participant is not None:
        _check_participant(source.study, participant)
        _consent_for_source(participant, source, by)
    turn.speaker = speaker
    turn.participant = participant
    turn.save(update_fields=["speaker", "participant", "end"])
    what = "words and speaker" if words != old else "speaker"
    _event(
        source.study,
        by,
        "transcript",
        f"{by} corrected the {what} of turn {turn.index + 1} of “{source.title}”.",
    )
    return TurnEdit(turn, delta)
